/* Redfish JSON to the texts of Sysman's BMC files (see props.h). */
#include "redfish/props.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/strutil.h"

static const struct { const char *name; enum rf_prop prop; } prop_names[] = {
	{ "power", RF_PROP_POWER }, { "temperature", RF_PROP_TEMPERATURE }, { "fru", RF_PROP_FRU },
	{ "bootorder", RF_PROP_BOOTORDER }, { "sensors", RF_PROP_SENSORS }, { "eventlog", RF_PROP_EVENTLOG },
};

/* Boot devices in the file's default order, their Redfish targets, and
 * the words a write takes (lib/ipmi-agent's aliases). */
enum { BOOT_NONE = -1, BOOT_NETWORK, BOOT_FLOPPY, BOOT_CDROM, BOOT_HARDDISK, BOOT_BIOS, BOOT_N };
static const char *const boot_names[BOOT_N] = { "network", "floppy", "cdrom", "harddisk", "bios" };
static const char *const boot_targets[BOOT_N] = { "Pxe", "Floppy", "Cd", "Hdd", "BiosSetup" };
static const struct { const char *word; int dev; } boot_aliases[] = {
	{ "network", BOOT_NETWORK }, { "net", BOOT_NETWORK }, { "pxe", BOOT_NETWORK },
	{ "lan", BOOT_NETWORK }, { "floppy", BOOT_FLOPPY }, { "fd", BOOT_FLOPPY },
	{ "diskette", BOOT_FLOPPY }, { "cdrom", BOOT_CDROM }, { "cd", BOOT_CDROM },
	{ "dvd", BOOT_CDROM }, { "cd-rom", BOOT_CDROM }, { "harddisk", BOOT_HARDDISK },
	{ "disk", BOOT_HARDDISK }, { "hdd", BOOT_HARDDISK }, { "hd", BOOT_HARDDISK },
	{ "harddrive", BOOT_HARDDISK }, { "bios", BOOT_BIOS }, { "setup", BOOT_BIOS },
};

static int bootorder_show(int first, struct buf *out)
{
	const char *sep = "";
	int r = 0;

	if (first != BOOT_NONE) {
		r = buf_append_str(out, boot_names[first]);
		sep = ", ";
	}
	for (int d = BOOT_NETWORK; d <= BOOT_HARDDISK && r >= 0; d++) {
		if (d == first)
			continue;
		r = buf_printf(out, "%s%s", sep, boot_names[d]);
		sep = ", ";
	}
	if (r >= 0)
		r = buf_append_str(out, "\n");
	return r < 0 ? -ENOMEM : 0;
}

static bool boot_sep(char c)
{
	return c == ',' || isspace((unsigned char)c);
}

/* The first device of a written boot order (BOOT_NONE for default/none). */
static int bootorder_first(const char *in, size_t len, int *ret_first, char *msg, size_t msglen)
{
	const char *p = in ? in : "", *end = p + (in ? len : 0);
	int first = BOOT_NONE, nwords = 0;

	while (p < end) {
		char word[64];
		size_t n = 0, i;

		while (p < end && boot_sep(*p))
			p++;
		if (p == end)
			break;
		while (p < end && !boot_sep(*p)) {
			if (n + 1 < sizeof(word))
				word[n++] = (char)tolower((unsigned char)*p);
			p++;
		}
		word[n] = '\0';
		if (nwords++ == 0 && (strcmp(word, "default") == 0 || strcmp(word, "none") == 0)) {
			*ret_first = BOOT_NONE;
			return 0;
		}
		for (i = 0; i < sizeof(boot_aliases) / sizeof(boot_aliases[0]) &&
			    strcmp(word, boot_aliases[i].word) != 0; i++)
			;
		if (i == sizeof(boot_aliases) / sizeof(boot_aliases[0])) {
			if (msg)
				snprintf(msg, msglen, "boot device '%s' has no IPMI mapping (known: network, "
					 "floppy, cdrom, harddisk)", word);
			return -EINVAL;
		}
		if (nwords == 1)
			first = boot_aliases[i].dev;
	}
	if (!nwords) {
		if (msg)
			snprintf(msg, msglen, "empty boot order: expected e.g. \"network, floppy, cdrom, "
				 "harddisk\"");
		return -EINVAL;
	}
	*ret_first = first;
	return 0;
}

int rf_bootorder_parse(const char *input, size_t len, char *body, size_t bodylen, struct buf *out,
		       char *msg, size_t msglen)
{
	int first, r = bootorder_first(input, len, &first, msg, msglen);

	if (r < 0)
		return r;
	if (first == BOOT_NONE)
		snprintf(body, bodylen, "{\"Boot\":{\"BootSourceOverrideTarget\":\"None\","
			 "\"BootSourceOverrideEnabled\":\"Disabled\"}}");
	else
		snprintf(body, bodylen, "{\"Boot\":{\"BootSourceOverrideTarget\":\"%s\","
			 "\"BootSourceOverrideEnabled\":\"Continuous\"}}", boot_targets[first]);
	return out ? bootorder_show(first, out) : 0;
}

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
	if (rq->prop == RF_PROP_BOOTORDER) {
		char body[160];

		return rf_bootorder_parse(rq->input, rq->input_len, body, sizeof(body), NULL, msg, msglen);
	}
	if (rq->prop == RF_PROP_EVENTLOG) {
		const char *s = rq->input ? rq->input : "", *e = s + (rq->input ? rq->input_len : 0);

		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e - s != 5 || strncasecmp(s, "clear", 5) != 0) {
			if (msg)
				snprintf(msg, msglen, "eventlog accepts only 'clear'");
			return -EINVAL;
		}
		return 0;
	}
	if (rq->prop != RF_PROP_POWER) {
		for (size_t i = 0; i < sizeof(prop_names) / sizeof(prop_names[0]); i++)
			if (prop_names[i].prop == rq->prop && msg)
				snprintf(msg, msglen, "no write operation for '%s'", prop_names[i].name);
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

static int bootorder(const json_t *j, struct buf *out, char *msg, size_t msglen)
{
	const json_t *boot = json_object_get(j, "Boot");
	const char *en = json_string_value(json_object_get(boot, "BootSourceOverrideEnabled"));
	const char *t = json_string_value(json_object_get(boot, "BootSourceOverrideTarget"));
	int first = BOOT_NONE;

	if (!json_is_object(boot)) {
		snprintf(msg, msglen, "the system has no Boot");
		return -EIO;
	}
	if (en && strcmp(en, "Disabled") != 0 && t)
		for (int d = 0; d < BOOT_N; d++)
			if (strcmp(t, boot_targets[d]) == 0)
				first = d;
	return bootorder_show(first, out);
}

/* Redfish Health to ipmitool's threshold status. */
static const char *health_status(const json_t *o, bool has_reading)
{
	const json_t *st = json_object_get(o, "Status");
	const char *h = json_string_value(json_object_get(st, "Health"));
	const char *s = json_string_value(json_object_get(st, "State"));

	if (!has_reading || (s && strcmp(s, "Absent") == 0))
		return "ns";
	if (h && strcmp(h, "Critical") == 0)
		return "cr";
	if (h && strcmp(h, "Warning") == 0)
		return "nc";
	return "ok";
}

static int number_text(const json_t *v, char *out, size_t len)
{
	double d = json_number_value(v);

	return snprintf(out, len, d == floor(d) && fabs(d) < 1e9 ? "%.0f" : "%.2f", d);
}

static int sensors(const json_t *j, struct buf *out)
{
	const json_t *o;
	size_t i;
	char v[64];
	int r = 0;

	json_array_foreach(json_object_get(j, "Temperatures"), i, o) {
		const json_t *rd = json_object_get(o, "ReadingCelsius");
		const char *name = json_string_value(json_object_get(o, "Name"));

		if (json_is_number(rd))
			number_text(rd, v, sizeof(v));
		r = buf_printf(out, "%.16s | %s%s | %s\n", name ? name : "?", json_is_number(rd) ? v : "no reading",
			       json_is_number(rd) ? " degrees C" : "", health_status(o, json_is_number(rd)));
		if (r < 0)
			return -ENOMEM;
	}
	json_array_foreach(json_object_get(j, "Fans"), i, o) {
		const json_t *rd = json_object_get(o, "Reading");
		const char *name = json_string_value(json_object_get(o, "Name"));
		const char *u = json_string_value(json_object_get(o, "ReadingUnits"));

		if (json_is_number(rd))
			number_text(rd, v, sizeof(v));
		r = buf_printf(out, "%.16s | %s%s%s | %s\n", name ? name : "?", json_is_number(rd) ? v : "no reading",
			       json_is_number(rd) ? " " : "", json_is_number(rd) ? (u && strcmp(u, "Percent") == 0 ?
			       "percent" : "RPM") : "", health_status(o, json_is_number(rd)));
		if (r < 0)
			return -ENOMEM;
	}
	return 0;
}

/* One `ipmitool sel elist` line from a LogEntry. */
static int sel_line(const json_t *e, struct buf *out)
{
	const char *id = json_string_value(json_object_get(e, "Id"));
	const char *created = json_string_value(json_object_get(e, "Created"));
	const char *sensor = json_string_value(json_object_get(e, "SensorType"));
	const char *m = json_string_value(json_object_get(e, "Message"));
	const json_t *num = json_object_get(e, "SensorNumber");
	char date[32] = "Unspecified", tod[48] = "Unspecified";
	unsigned long n = id ? strtoul(id, NULL, 10) : 0;
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (created && strptime(created, "%Y-%m-%dT%H:%M:%S", &tm)) {
		time_t t = timegm(&tm);
		struct tm lt;

		const char *dfmt = "%x";   /* ipmitool's (the locale's) date */

		localtime_r(&t, &lt);
		strftime(date, sizeof(date), dfmt, &lt);
		strftime(tod, sizeof(tod), "%X %Z", &lt);
	}
	if (buf_printf(out, "%4lx | %s | %s | %s", n, date, tod, sensor ? sensor : "Unknown") < 0 ||
	    (json_is_integer(num) && buf_printf(out, " #0x%02llx", (unsigned long long)json_integer_value(num)) < 0) ||
	    buf_printf(out, " | %s | Asserted\n", m ? m : "") < 0)
		return -ENOMEM;
	return 0;
}

static int eventlog(const json_t *j, struct buf *out)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(j, "Members"), i, e)
		if (sel_line(e, out) < 0)
			return -ENOMEM;
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
	case RF_PROP_BOOTORDER:
		return bootorder(j, out, msg, msglen);
	case RF_PROP_SENSORS:
		return sensors(j, out);
	case RF_PROP_EVENTLOG:
		return eventlog(j, out);
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
