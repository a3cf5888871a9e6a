/* Redfish JSON to the texts of Sysman's BMC files (see props.h). */
#include "redfish/props.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/strutil.h"

static const struct { const char *name; enum rf_prop prop; } prop_names[] = {
	{ "power", RF_PROP_POWER }, { "temperature", RF_PROP_TEMPERATURE }, { "fru", RF_PROP_FRU },
};

int rf_prop_lookup(const char *name, enum rf_prop *ret)
{
	for (size_t i = 0; i < sizeof(prop_names) / sizeof(prop_names[0]); i++)
		if (strcmp(name, prop_names[i].name) == 0) {
			*ret = prop_names[i].prop;
			return 0;
		}
	return -ENOENT;
}

static const struct { const char *word, *reset, *state; } power_words[] = {
	{ "on", "On", "on" }, { "1", "On", "on" }, { "off", "ForceOff", "off" },
	{ "0", "ForceOff", "off" }, { "cycle", "PowerCycle", "on" },
	{ "reset", "ForceRestart", "on" }, { "soft", "GracefulShutdown", "off" },
};

/* The first word of input (at most len bytes) into w. */
static void first_word(const char *input, size_t len, char *w, size_t wlen)
{
	size_t i = 0, n = 0;

	while (i < len && (input[i] == ' ' || input[i] == '\t' || input[i] == '\n' || input[i] == '\r'))
		i++;
	while (i < len && n + 1 < wlen && input[i] != ' ' && input[i] != '\t' && input[i] != '\n' &&
	       input[i] != '\r' && input[i] != '\0')
		w[n++] = input[i++];
	w[n] = '\0';
}

int rf_power_parse(const char *input, size_t len, const char **ret_reset, const char **ret_word)
{
	char w[32];

	first_word(input ? input : "", input ? len : 0, w, sizeof(w));
	for (size_t i = 0; i < sizeof(power_words) / sizeof(power_words[0]); i++)
		if (strcmp(w, power_words[i].word) == 0) {
			*ret_reset = power_words[i].reset;
			*ret_word = power_words[i].state;
			return 0;
		}
	return -EINVAL;
}

int rf_request_check(const struct rf_request *rq, char *msg, size_t msglen)
{
	char w[32];
	const char *a, *b;

	if (!rq->write)
		return 0;
	if (rq->prop != RF_PROP_POWER) {
		if (msg)
			snprintf(msg, msglen, "%s is read-only", rq->prop == RF_PROP_FRU ? "fru" : "temperature");
		return -EOPNOTSUPP;
	}
	if (rf_power_parse(rq->input, rq->input_len, &a, &b) < 0) {
		first_word(rq->input ? rq->input : "", rq->input ? rq->input_len : 0, w, sizeof(w));
		if (msg)
			snprintf(msg, msglen, "invalid power value '%s': expected on, off, cycle, reset, soft, 1 or 0",
				 w);
		return -EINVAL;
	}
	return 0;
}

static int temperature(const json_t *j, struct buf *out, char *msg, size_t msglen)
{
	const json_t *t;
	size_t i;

	json_array_foreach(json_object_get(j, "Temperatures"), i, t) {
		const json_t *v = json_object_get(t, "ReadingCelsius");
		double d;

		if (!json_is_number(v))
			continue;
		d = json_number_value(v);
		if (d == floor(d) && fabs(d) < 1e9)
			return buf_printf(out, "%.0f\n", d) < 0 ? -ENOMEM : 0;
		return buf_printf(out, "%.1f\n", d) < 0 ? -ENOMEM : 0;
	}
	snprintf(msg, msglen, "no temperature reading in Thermal");
	return -ENODATA;
}

/* The product area of `ipmitool fru print 0`, from the system resource. */
static int fru(const json_t *j, struct buf *out, char *msg, size_t msglen)
{
	static const struct { const char *label, *key; } f[] = {
		{ "Product Manufacturer  ", "Manufacturer" }, { "Product Name          ", "Model" },
		{ "Product Part Number   ", "PartNumber" }, { "Product Serial        ", "SerialNumber" },
		{ "Product Version       ", "BiosVersion" },
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *v = json_string_value(json_object_get(j, f[i].key));

		if (v && v[0]) {
			if (buf_printf(out, " %s: %s\n", f[i].label, v) < 0)
				return -ENOMEM;
			n++;
		}
	}
	if (!n) {
		snprintf(msg, msglen, "the system resource names no manufacturer, model or serial");
		return -ENODATA;
	}
	return 0;
}

int rf_props_text(enum rf_prop prop, const json_t *j, struct buf *out, char *msg, size_t msglen)
{
	const char *s;

	if (!json_is_object(j)) {
		snprintf(msg, msglen, "the answer is not a JSON object");
		return -EIO;
	}
	switch (prop) {
	case RF_PROP_POWER:
		s = json_string_value(json_object_get(j, "PowerState"));
		if (!s) {
			snprintf(msg, msglen, "the system has no PowerState");
			return -EIO;
		}
		/* PoweringOn counts as on, PoweringOff as off, as the chassis bit would */
		return buf_printf(out, "%s\n", strncmp(s, "On", 2) == 0 || strcmp(s, "PoweringOn") == 0 ?
				  "on" : "off") < 0 ? -ENOMEM : 0;
	case RF_PROP_TEMPERATURE:
		return temperature(j, out, msg, msglen);
	case RF_PROP_FRU:
		return fru(j, out, msg, msglen);
	}
	return -EINVAL;
}

static int json_str(struct buf *out, const char *s)
{
	int r = buf_append_str(out, "\"");

	for (; *s && r >= 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			r = buf_printf(out, "\\%c", c);
		else if (c < 0x20)
			r = buf_printf(out, "\\u%04x", c);
		else
			r = buf_append(out, s, 1);
	}
	return r < 0 ? r : buf_append_str(out, "\"");
}

int rf_login_body(const char *user, const char *password, struct buf *out)
{
	if (buf_append_str(out, "{\"UserName\":") < 0 || json_str(out, user) < 0 ||
	    buf_append_str(out, ",\"Password\":") < 0 || json_str(out, password) < 0 ||
	    buf_append_str(out, "}") < 0)
		return -ENOMEM;
	return 0;
}
