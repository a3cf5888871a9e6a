/* The pure half of the IPMI properties: written values and the text of
 * each file, as lib/ipmi-agent shows it through ipmitool 1.8.19 (see
 * format.h).  The tables hold the IPMI specification's names in the
 * spelling ipmitool prints. */
#include "ipmi/format.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <freeipmi/freeipmi.h>

#include "util/buf.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- properties and requests ---- */

static const struct { const char *name; enum ipmi_prop prop; } props[] = {
	{ "power", IPMI_PROP_POWER }, { "bootorder", IPMI_PROP_BOOTORDER },
	{ "temperature", IPMI_PROP_TEMPERATURE }, { "temperature_mp", IPMI_PROP_TEMPERATURE },
	{ "sensors", IPMI_PROP_SENSORS }, { "eventlog", IPMI_PROP_EVENTLOG }, { "fru", IPMI_PROP_FRU },
};

int ipmi_prop_lookup(const char *name, enum ipmi_prop *ret)
{
	for (size_t i = 0; name && i < N(props); i++)
		if (strcmp(name, props[i].name) == 0) {
			*ret = props[i].prop;
			return 0;
		}
	return -ENOENT;
}

/* The first whitespace-separated word of in, at most len - 1 bytes. */
static void first_word(const char *in, size_t inlen, char *word, size_t len)
{
	const char *p = in ? in : "", *end = p + (in ? inlen : 0);
	size_t n = 0;

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (p < end && !isspace((unsigned char)*p) && n + 1 < len)
		word[n++] = *p++;
	word[n] = '\0';
}

int ipmi_request_parse(const struct ipmi_request *rq, enum ipmi_op *ret_op,
		       enum ipmi_bootdev *ret_boot, char *msg, size_t msglen)
{
	char tmp[IPMI_CHECK_MSG_MAX], word[65];
	const char *p, *end;
	size_t n;

	if (!msg) {
		msg = tmp;
		msglen = sizeof(tmp);
	}
	msg[0] = '\0';
	*ret_op = IPMI_POWER_STATUS;
	*ret_boot = IPMI_BOOT_NONE;
	if ((unsigned)rq->prop > IPMI_PROP_FRU) {
		snprintf(msg, msglen, "no such IPMI property");
		return -EINVAL;
	}
	if (!rq->write)
		return 0;
	switch (rq->prop) {
	case IPMI_PROP_POWER:
		first_word(rq->input, rq->input_len, word, sizeof(word));
		if (ipmi_power_parse(word, ret_op) < 0) {
			snprintf(msg, msglen, "invalid power value '%s': expected on, off, cycle, reset, "
				 "soft, 1 or 0", word);
			return -EINVAL;
		}
		return 0;
	case IPMI_PROP_BOOTORDER:
		return ipmi_bootorder_parse(rq->input, rq->input_len, ret_boot, msg, msglen);
	case IPMI_PROP_EVENTLOG:
		/* lib/ipmi-agent: input.strip().lower() == "clear" */
		p = rq->input ? rq->input : "";
		end = p + (rq->input ? rq->input_len : 0);
		while (p < end && isspace((unsigned char)*p))
			p++;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		n = (size_t)(end - p);
		if (n != 5 || strncasecmp(p, "clear", 5) != 0) {
			snprintf(msg, msglen, "eventlog accepts only 'clear'");
			return -EINVAL;
		}
		return 0;
	default:
		for (n = 0; n < N(props) && props[n].prop != rq->prop; n++)
			;
		snprintf(msg, msglen, "no write operation for '%s'", props[n].name);
		return -EOPNOTSUPP;
	}
}

int ipmi_request_check(const struct ipmi_request *rq, char *msg, size_t msglen)
{
	enum ipmi_bootdev boot;
	enum ipmi_op op;

	return ipmi_request_parse(rq, &op, &boot, msg, msglen);
}

/* ---- completion codes ---- */

const char *ipmi_cc_text(uint8_t cc, char *buf, size_t len)
{
	static const struct { uint8_t cc; const char *text; } codes[] = {
		{ 0x00, "Command completed normally" }, { 0xc0, "Node busy" },
		{ 0xc1, "Invalid command" }, { 0xc2, "Invalid command on LUN" }, { 0xc3, "Timeout" },
		{ 0xc4, "Out of space" }, { 0xc5, "Reservation cancelled or invalid" },
		{ 0xc6, "Request data truncated" }, { 0xc7, "Request data length invalid" },
		{ 0xc8, "Request data field length limit exceeded" },
		{ 0xc9, "Parameter out of range" },
		{ 0xca, "Cannot return number of requested data bytes" },
		{ 0xcb, "Requested sensor, data, or record not found" },
		{ 0xcc, "Invalid data field in request" },
		{ 0xcd, "Command illegal for specified sensor or record type" },
		{ 0xce, "Command response could not be provided" },
		{ 0xcf, "Cannot execute duplicated request" },
		{ 0xd0, "SDR Repository in update mode" },
		{ 0xd1, "Device firmeware in update mode" },   /* sic, as ipmitool prints it */
		{ 0xd2, "BMC initialization in progress" }, { 0xd3, "Destination unavailable" },
		{ 0xd4, "Insufficient privilege level" },
		{ 0xd5, "Command not supported in present state" },
		{ 0xd6, "Cannot execute command, command disabled" }, { 0xff, "Unspecified error" },
	};

	for (size_t i = 0; i < N(codes); i++)
		if (codes[i].cc == cc)
			return codes[i].text;
	snprintf(buf, len, "Unknown value 0x%02x", cc);
	return buf;
}

/* ---- power ---- */

int ipmi_power_parse(const char *word, enum ipmi_op *ret)
{
	static const struct { const char *w; enum ipmi_op op; } words[] = {
		{ "on", IPMI_POWER_ON }, { "1", IPMI_POWER_ON }, { "off", IPMI_POWER_OFF },
		{ "0", IPMI_POWER_OFF }, { "cycle", IPMI_POWER_CYCLE },
		{ "reset", IPMI_POWER_RESET }, { "soft", IPMI_POWER_SOFT },
	};

	for (size_t i = 0; word && i < N(words); i++)
		if (strcasecmp(word, words[i].w) == 0) {
			*ret = words[i].op;
			return 0;
		}
	return -EINVAL;
}

const char *ipmi_power_word(enum ipmi_op op, int power)
{
	switch (op) {
	case IPMI_POWER_STATUS:
		return power ? "on" : "off";
	case IPMI_POWER_OFF:
	case IPMI_POWER_SOFT:
		return "off";
	default:
		return "on";   /* on, cycle and reset leave it on */
	}
}

/* ---- bootorder ---- */

static const char *const boot_names[] = {
	[IPMI_BOOT_NETWORK] = "network", [IPMI_BOOT_FLOPPY] = "floppy",
	[IPMI_BOOT_CDROM] = "cdrom", [IPMI_BOOT_HARDDISK] = "harddisk", [IPMI_BOOT_BIOS] = "bios",
};

static const struct { const char *word; enum ipmi_bootdev dev; } boot_aliases[] = {
	{ "network", IPMI_BOOT_NETWORK }, { "net", IPMI_BOOT_NETWORK }, { "pxe", IPMI_BOOT_NETWORK },
	{ "lan", IPMI_BOOT_NETWORK }, { "floppy", IPMI_BOOT_FLOPPY }, { "fd", IPMI_BOOT_FLOPPY },
	{ "diskette", IPMI_BOOT_FLOPPY }, { "cdrom", IPMI_BOOT_CDROM }, { "cd", IPMI_BOOT_CDROM },
	{ "dvd", IPMI_BOOT_CDROM }, { "cd-rom", IPMI_BOOT_CDROM }, { "harddisk", IPMI_BOOT_HARDDISK },
	{ "disk", IPMI_BOOT_HARDDISK }, { "hdd", IPMI_BOOT_HARDDISK }, { "hd", IPMI_BOOT_HARDDISK },
	{ "harddrive", IPMI_BOOT_HARDDISK }, { "bios", IPMI_BOOT_BIOS }, { "setup", IPMI_BOOT_BIOS },
};

static bool boot_sep(char c)
{
	return c == ',' || isspace((unsigned char)c);
}

int ipmi_bootorder_parse(const char *in, size_t len, enum ipmi_bootdev *ret_first, char *msg,
			 size_t msglen)
{
	const char *p = in ? in : "", *end = p + (in ? len : 0);
	enum ipmi_bootdev first = IPMI_BOOT_NONE;
	int nwords = 0;

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
			*ret_first = IPMI_BOOT_NONE;
			return 0;
		}
		for (i = 0; i < N(boot_aliases) && strcmp(word, boot_aliases[i].word) != 0; i++)
			;
		if (i == N(boot_aliases)) {
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

uint8_t ipmi_bootdev_selector(enum ipmi_bootdev dev)
{
	switch (dev) {
	case IPMI_BOOT_NETWORK:
		return 0x1;
	case IPMI_BOOT_HARDDISK:
		return 0x2;
	case IPMI_BOOT_CDROM:
		return 0x5;
	case IPMI_BOOT_BIOS:
		return 0x6;
	case IPMI_BOOT_FLOPPY:
		return 0xf;
	default:
		return 0x0;
	}
}

enum ipmi_bootdev ipmi_bootdev_from_flags(uint8_t data2)
{
	switch ((data2 >> 2) & 0xf) {
	case 0x1:
		return IPMI_BOOT_NETWORK;
	case 0x2:
	case 0x3:              /* hard drive, safe mode */
		return IPMI_BOOT_HARDDISK;
	case 0x5:
		return IPMI_BOOT_CDROM;
	case 0x6:
		return IPMI_BOOT_BIOS;
	case 0xf:
		return IPMI_BOOT_FLOPPY;
	default:               /* none, diagnostic partition, remote media */
		return IPMI_BOOT_NONE;
	}
}

void ipmi_bootorder_show(enum ipmi_bootdev first, struct buf *out)
{
	const char *sep = "";

	if (first != IPMI_BOOT_NONE) {
		buf_append_str(out, boot_names[first]);
		sep = ", ";
	}
	for (int d = IPMI_BOOT_NETWORK; d <= IPMI_BOOT_HARDDISK; d++) {
		if ((enum ipmi_bootdev)d == first)
			continue;
		buf_printf(out, "%s%s", sep, boot_names[d]);
		sep = ", ";
	}
	buf_append_str(out, "\n");
}

/* ---- sensors ---- */

static const char *const unit_names[] = {
	"unspecified", "degrees C", "degrees F", "degrees K", "Volts", "Amps", "Watts",
	"Joules", "Coulombs", "VA", "Nits", "lumen", "lux", "Candela", "kPa", "PSI", "Newton",
	"CFM", "RPM", "Hz", "microsecond", "millisecond", "second", "minute", "hour", "day",
	"week", "mil", "inches", "feet", "cu in", "cu feet", "mm", "cm", "m", "cu cm", "cu m",
	"liters", "fluid ounce", "radians", "steradians", "revolutions", "cycles", "gravities",
	"ounce", "pound", "ft-lb", "oz-in", "gauss", "gilberts", "henry", "millihenry", "farad",
	"microfarad", "ohms", "siemens", "mole", "becquerel", "PPM", "reserved", "Decibels",
	"DbA", "DbC", "gray", "sievert", "color temp deg K", "bit", "kilobit", "megabit",
	"gigabit", "byte", "kilobyte", "megabyte", "gigabyte", "word", "dword", "qword", "line",
	"hit", "miss", "retry", "reset", "overflow", "underrun", "collision", "packets",
	"messages", "characters", "error", "correctable error", "uncorrectable error",
	"fatal error", "grams",
};

static const char *const sensor_types[] = {
	"reserved", "Temperature", "Voltage", "Current", "Fan", "Physical Security",
	"Platform Security", "Processor", "Power Supply", "Power Unit", "Cooling Device",
	"Other", "Memory", "Drive Slot / Bay", "POST Memory Resize", "System Firmwares",
	"Event Logging Disabled", "Watchdog1", "System Event", "Critical Interrupt", "Button",
	"Module / Board", "Microcontroller", "Add-in Card", "Chassis", "Chip Set", "Other FRU",
	"Cable / Interconnect", "Terminator", "System Boot Initiated", "Boot Error", "OS Boot",
	"OS Critical Stop", "Slot / Connector", "System ACPI Power State", "Watchdog2",
	"Platform Alert", "Entity Presence", "Monitor ASIC", "LAN", "Management Subsys Health",
	"Battery", "Session Audit", "Version Change", "FRU State",
};

const char *ipmi_sensor_type_name(uint8_t sensor_type)
{
	return sensor_type < N(sensor_types) ? sensor_types[sensor_type] : "Unknown";
}

static int sign_extend(unsigned v, unsigned bits)
{
	unsigned m = 1u << (bits - 1);

	v &= (1u << bits) - 1;
	return (int)(v ^ m) - (int)m;
}

int ipmi_sdr_parse(const uint8_t *rec, size_t len, struct ipmi_sensor *ret)
{
	struct ipmi_sensor s;
	size_t name_at, n;

	if (len < 6)
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	s.record_type = rec[3];
	switch (s.record_type) {
	case 0x01:             /* the ID string follows its type/length byte */
		name_at = 48;
		break;
	case 0x02:
		name_at = 32;
		break;
	case 0x03:
		name_at = 17;
		break;
	default:
		return -ENOENT;
	}
	if (len < name_at + 1)
		return -EINVAL;
	s.owner_id = rec[5];
	s.lun = rec[6] & 0x3;
	s.number = rec[7];
	if (s.record_type == 0x03) {
		s.sensor_type = rec[10];
		s.event_type = rec[11];
	} else {
		s.sensor_type = rec[12];
		s.event_type = rec[13];
		s.units1 = rec[20];
		s.unit_base = rec[21];
		s.unit_mod = rec[22];
	}
	if (s.record_type == 0x01) {
		s.linearization = rec[23] & 0x7f;
		s.m = (int16_t)sign_extend(rec[24] | ((unsigned)(rec[25] & 0xc0) << 2), 10);
		s.b = (int16_t)sign_extend(rec[26] | ((unsigned)(rec[27] & 0xc0) << 2), 10);
		s.r_exp = (int8_t)sign_extend(rec[29] >> 4, 4);
		s.b_exp = (int8_t)sign_extend(rec[29] & 0xf, 4);
	}
	n = rec[name_at - 1] & 0x1f;
	if (n > IPMI_SDR_NAME_MAX)
		n = IPMI_SDR_NAME_MAX;
	if (n > len - name_at)
		n = len - name_at;
	memcpy(s.name, rec + name_at, n);
	s.name[n] = '\0';     /* a NUL inside ends it, as printf("%s") does */
	*ret = s;
	return 0;
}

bool ipmi_sensor_analog(const struct ipmi_sensor *s)
{
	return s->record_type == 0x01 && s->event_type == 0x01 && (s->units1 >> 6) != 3;
}

double ipmi_sensor_value(const struct ipmi_sensor *s, uint8_t raw)
{
	double x, v;

	switch (s->units1 >> 6) {
	case 0:
		x = raw;
		break;
	case 1:                /* one's complement */
		x = (raw & 0x80) ? (double)(int8_t)(uint8_t)(raw + 1) : (double)(int8_t)raw;
		break;
	case 2:
		x = (int8_t)raw;
		break;
	default:
		return 0.0;
	}
	v = (s->m * x + s->b * pow(10, s->b_exp)) * pow(10, s->r_exp);
	switch (s->linearization) {
	case 1: return log(v);
	case 2: return log10(v);
	case 3: return log(v) / log(2.0);
	case 4: return exp(v);
	case 5: return pow(10.0, v);
	case 6: return pow(2.0, v);
	case 7: return pow(v, -1.0);
	case 8: return v * v;
	case 9: return v * v * v;
	case 10: return sqrt(v);
	case 11: return cbrt(v);
	default: return v;
	}
}

const char *ipmi_sensor_unit_text(const struct ipmi_sensor *s, char *buf, size_t len)
{
	const char *pct = (s->units1 & 0x1) ? "% " : "";
	const char *base = s->unit_base < N(unit_names) ? unit_names[s->unit_base] : "invalid";
	const char *mod = s->unit_mod < N(unit_names) ? unit_names[s->unit_mod] : "invalid";

	switch ((s->units1 >> 1) & 0x3) {
	case 1:
		snprintf(buf, len, "%s%s/%s", pct, base, mod);
		break;
	case 2:
		snprintf(buf, len, "%s%s*%s", pct, base, mod);
		break;
	default:
		if (s->unit_base == 0 && (s->units1 & 0x1))
			snprintf(buf, len, "percent");
		else
			snprintf(buf, len, "%s%s", pct, base);
	}
	return buf;
}

/* A value as ipmitool prints it: no decimals when whole, else prec. */
static void value_text(double v, int prec, char *buf, size_t len)
{
	bool whole = v > -2147483648.0 && v < 2147483648.0 && v == (double)(int)v;

	snprintf(buf, len, "%.*f", whole ? 0 : prec, v);
}

/* What ipmitool makes of a reading (ipmi_sdr_read_sensor_value). */
struct sread {
	bool valid, disabled, analog;
	uint8_t raw, state;
	double value;
};

static void sread_of(const struct ipmi_sensor *s, const struct ipmi_reading *r, struct sread *sr)
{
	memset(sr, 0, sizeof(*sr));
	if (!r || !r->data || r->len < 2)
		return;
	if (!(r->data[1] & 0x40)) {
		sr->disabled = true;
		return;
	}
	sr->valid = !(r->data[1] & 0x20);
	sr->raw = r->data[0];
	sr->state = r->len > 2 ? r->data[2] : 0;
	if (ipmi_sensor_analog(s)) {
		sr->analog = true;
		if (sr->valid)
			sr->value = ipmi_sensor_value(s, sr->raw);
	}
}

/* The reading column: "23 degrees C", cut to ipmitool's 15 bytes. */
static void reading_text(const struct ipmi_sensor *s, const struct sread *sr, bool extended,
			 char *sval, size_t len)
{
	char num[64], units[64];
	bool full = s->record_type == 0x01;

	if (sr->valid && sr->analog) {
		char whole[160];

		value_text(sr->value, 2, num, sizeof(num));
		snprintf(whole, sizeof(whole), "%s %s", num, ipmi_sensor_unit_text(s, units, sizeof(units)));
		snprintf(sval, len, "%.*s", (int)(len - 1), whole);   /* ipmitool's cut */
	} else if (sr->valid) {
		snprintf(sval, len, extended ? "" : "0x%02x", sr->raw);
	} else if (sr->disabled) {
		snprintf(sval, len, extended ? "Disabled" : full ? "disabled" : "Not Readable");
	} else {
		snprintf(sval, len, extended ? "No Reading" : full ? "no reading" : "Not Readable");
	}
}

static const char *thresh_status(const struct sread *sr)
{
	static const struct { uint8_t bit; const char *word; } order[] = {
		{ 0x04, "nr" }, { 0x20, "nr" }, { 0x02, "cr" }, { 0x10, "cr" }, { 0x01, "nc" }, { 0x08, "nc" },
	};

	if (!sr->valid)
		return "ns";
	for (size_t i = 0; i < N(order); i++)
		if (sr->state & order[i].bit)
			return order[i].word;
	return "ok";
}

/* The name as lib/ipmi-agent shows it: surrounding blanks stripped. */
static void name_text(const struct ipmi_sensor *s, char *buf, size_t len)
{
	const char *p = s->name;
	size_t n;

	while (isspace((unsigned char)*p))
		p++;
	n = strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	snprintf(buf, len, "%.*s", (int)n, p);
}

static void strip_text(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)s[i]))
		i++;
	memmove(s, s + i, n - i + 1);
}

void ipmi_sensor_line(const struct ipmi_sensor *s, const struct ipmi_reading *r, struct buf *out)
{
	char name[IPMI_SDR_NAME_MAX + 1], sval[16];
	struct sread sr;

	sread_of(s, r, &sr);
	name_text(s, name, sizeof(name));
	reading_text(s, &sr, false, sval, sizeof(sval));
	strip_text(sval);
	buf_printf(out, "%s | %s | %s\n", name, sval,
		   s->event_type == 0x01 ? thresh_status(&sr) : sr.valid ? "ok" : "ns");
}

int ipmi_temperature_line(const struct ipmi_sensor *s, const struct ipmi_reading *r,
			  const char *host, struct buf *out, char *msg, size_t msglen)
{
	char name[IPMI_SDR_NAME_MAX + 1], sval[16], *end;
	struct sread sr;
	double v;

	name_text(s, name, sizeof(name));
	if (s->record_type == 0x03) {
		snprintf(msg, msglen, "BMC %s: sensor %s has no reading (Event-Only)", host, name);
		return -ENODATA;
	}
	sread_of(s, r, &sr);
	reading_text(s, &sr, true, sval, sizeof(sval));
	strip_text(sval);
	/* lib/ipmi-agent: re.match(r"(-?[\d.]+)\s+degrees C", reading) */
	v = strtod(sval, &end);
	if (end == sval || strspn(sval + (sval[0] == '-'), "0123456789.") != (size_t)(end - sval) -
	    (sval[0] == '-') || !isspace((unsigned char)*end) ||
	    strncmp(end + strspn(end, " \t"), "degrees C", 9) != 0) {
		snprintf(msg, msglen, "BMC %s: sensor %s has no reading (%s)", host, name,
			 sval[0] ? sval : s->event_type == 0x01 ? thresh_status(&sr) :
			 sr.valid ? "ok" : "ns");
		return -ENODATA;
	}
	if (v == floor(v) && fabs(v) < 1e15)
		buf_printf(out, "%.0f\n", v);
	else
		buf_printf(out, "%g\n", v);
	return 0;
}

/* ---- event log ---- */

/* strftime with ipmitool's own formats ("%x" and "%c" print what
 * ipmitool prints; gcc's -Wformat-y2k refuses them as literals) */
static void local_stamp(time_t t, const char *fmt, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	if (strftime(buf, len, fmt, &tm) == 0)
		buf[0] = '\0';
}

/* Event texts by offset, '|' between offsets; a trailing space belongs
 * to ipmitool's text ("going low "). */
static const struct { uint8_t code; const char *texts; } generic_events[] = {
	{ 0x01, "Lower Non-critical going low |Lower Non-critical going high|"
		"Lower Critical going low |Lower Critical going high|"
		"Lower Non-recoverable going low |Lower Non-recoverable going high|"
		"Upper Non-critical going low |Upper Non-critical going high|"
		"Upper Critical going low |Upper Critical going high|"
		"Upper Non-recoverable going low |Upper Non-recoverable going high" },
	{ 0x02, "Transition to Idle|Transition to Active|Transition to Busy" },
	{ 0x03, "State Deasserted|State Asserted" },
	{ 0x04, "Predictive Failure Deasserted|Predictive Failure Asserted" },
	{ 0x05, "Limit Not Exceeded|Limit Exceeded" },
	{ 0x06, "Performance Met|Performance Lags" },
	{ 0x07, "Transition to OK|Transition to Non-critical from OK|"
		"Transition to Critical from less severe|"
		"Transition to Non-recoverable from less severe|"
		"Transition to Non-critical from more severe|"
		"Transition to Critical from Non-recoverable|Transition to Non-recoverable|"
		"Monitor|Informational" },
	{ 0x08, "Device Absent|Device Present" },
	{ 0x09, "Device Disabled|Device Enabled" },
	{ 0x0a, "Transition to Running|Transition to In Test|Transition to Power Off|"
		"Transition to On Line|Transition to Off Line|Transition to Off Duty|"
		"Transition to Degraded|Transition to Power Save|Install Error" },
	{ 0x0b, "Fully Redundant|Redundancy Lost|Redundancy Degraded|"
		"Non-Redundant: Sufficient from Redundant|"
		"Non-Redundant: Sufficient from Insufficient|"
		"Non-Redundant: Insufficient Resources|"
		"Redundancy Degraded from Fully Redundant|"
		"Redundancy Degraded from Non-Redundant" },
	{ 0x0c, "D0 Power State|D1 Power State|D2 Power State|D3 Power State" },
};

static const struct { uint8_t code; const char *texts; } specific_events[] = {
	{ 0x05, "General Chassis intrusion|Drive Bay intrusion|I/O Card area intrusion|"
		"Processor area intrusion|System unplugged from LAN|Unauthorized dock|"
		"FAN area intrusion" },
	{ 0x07, "IERR|Thermal Trip|FRB1/BIST failure|FRB2/Hang in POST failure|"
		"FRB3/Processor startup/init failure|Configuration Error|"
		"SM BIOS Uncorrectable CPU-complex Error|Presence detected|Disabled|"
		"Terminator presence detected|Throttled|Uncorrectable machine check exception|"
		"Correctable machine check error" },
	{ 0x08, "Presence detected|Failure detected|Predictive failure|Power Supply AC lost|"
		"AC lost or out-of-range|AC out-of-range, but present|Config Error|"
		"Power Supply Inactive" },
	{ 0x09, "Power off/down|Power cycle|240VA power down|Interlock power down|AC lost|"
		"Soft-power control failure|Failure detected|Predictive failure" },
	{ 0x0c, "Correctable ECC|Uncorrectable ECC|Parity|Memory Scrub Failed|"
		"Memory Device Disabled|Correctable ECC logging limit reached|Presence Detected|"
		"Configuration Error|Spare|Throttled|Critical Overtemperature" },
	{ 0x10, "Correctable memory error logging disabled|Event logging disabled|"
		"Log area reset/cleared|All event logging disabled|Log full|Log almost full" },
	{ 0x12, "System Reconfigured|OEM System boot event|Undetermined system hardware failure|"
		"Entry added to auxiliary log|PEF Action|Timestamp Clock Sync" },
	{ 0x13, "NMI/Diag Interrupt|Bus Timeout|I/O Channel check NMI|Software NMI|PCI PERR|"
		"PCI SERR|EISA failsafe timeout|Bus Correctable error|Bus Uncorrectable error|"
		"Fatal NMI|Bus Fatal Error|Bus Degraded" },
	{ 0x14, "Power Button pressed|Sleep Button pressed|Reset Button pressed|FRU Latch|"
		"FRU Service" },
	{ 0x1d, "Initiated by power up|Initiated by hard reset|Initiated by warm reset|"
		"User requested PXE boot|Automatic boot to diagnostic|OS initiated hard reset|"
		"OS initiated warm reset|System Restart" },
	{ 0x1f, "A: boot completed|C: boot completed|PXE boot completed|"
		"Diagnostic boot completed|CD-ROM boot completed|ROM boot completed|"
		"boot completed - device not specified|Installation started|"
		"Installation completed|Installation aborted|Installation failed" },
	{ 0x20, "Error during system startup|Run-time critical stop|OS graceful stop|"
		"OS graceful shutdown|PEF initiated soft shutdown|Agent not responding" },
	{ 0x21, "Fault Status|Identify Status|Device Installed|Ready for Device Installation|"
		"Ready for Device Removal|Slot Power is Off|Device Removal Request|Interlock|"
		"Slot is Disabled|Spare Device" },
	{ 0x22, "S0/G0: working|S1: sleeping with system hw & processor context maintained|"
		"S2: sleeping, processor context lost|"
		"S3: sleeping, processor & hw context lost, memory retained|"
		"S4: non-volatile sleep/suspend-to-disk|S5/G2: soft-off|S4/S5: soft-off|"
		"G3: mechanical off|Sleeping in S1/S2/S3 state|G1: sleeping|"
		"S5: entered by override|Legacy ON state|Legacy OFF state||Unknown" },
	{ 0x23, "Timer expired|Hard reset|Power down|Power cycle|reserved|reserved|reserved|"
		"reserved|Timer interrupt" },
	{ 0x24, "Platform generated page|Platform generated LAN alert|"
		"Platform Event Trap generated|Platform generated SNMP trap, OEM format" },
	{ 0x25, "Present|Absent|Disabled" },
};

/* The offset-th '|'-separated text, or NULL. */
static const char *nth_text(const char *texts, unsigned offset, char *buf, size_t len)
{
	const char *p = texts;
	size_t n;

	while (offset--) {
		p = strchr(p, '|');
		if (!p)
			return NULL;
		p++;
	}
	n = strcspn(p, "|");
	if (n == 0)
		return NULL;
	snprintf(buf, len, "%.*s", (int)n, p);
	return buf;
}

/* ipmitool's description of an event; falls back to libfreeipmi's text
 * for the codes ipmitool's tables have and this one has not. */
static const char *event_text(uint8_t sensor_type, uint8_t event_type, uint8_t offset,
			      char *buf, size_t len)
{
	if (event_type >= 0x01 && event_type <= 0x0c) {
		for (size_t i = 0; i < N(generic_events); i++)
			if (generic_events[i].code == event_type)
				return nth_text(generic_events[i].texts, offset, buf, len);
		return NULL;
	}
	if (event_type != 0x6f || sensor_type >= 0xc0)
		return NULL;
	for (size_t i = 0; i < N(specific_events); i++)
		if (specific_events[i].code == sensor_type)
			return nth_text(specific_events[i].texts, offset, buf, len);
	if (ipmi_get_sensor_type_message(sensor_type, offset, buf, (unsigned)len) > 0)
		return buf;
	return NULL;
}

static void hex_bytes(struct buf *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%02x", p[i]);
}

static const struct ipmi_sensor *sensor_by(const struct ipmi_sensor *sensors, size_t n,
					   uint8_t owner, uint8_t num, uint8_t type)
{
	for (size_t i = 0; i < n; i++)
		if (sensors[i].number == num && sensors[i].owner_id == owner &&
		    sensors[i].sensor_type == type)
			return &sensors[i];
	return NULL;
}

static void sel_stamp(struct buf *out, uint32_t ts)
{
	time_t t = (time_t)ts;
	char date[64], tod[64];

	if (ts < 0x20000000u) {
		buf_printf(out, " Pre-Init  |%010d| ", (int)ts);
		return;
	}
	if (ts == 0xffffffffu) {
		buf_append_str(out, "Unspecified | Unspecified | ");
		return;
	}
	local_stamp(t, "%x", date, sizeof(date));
	local_stamp(t, "%X %Z", tod, sizeof(tod));
	buf_printf(out, "%s | %s | ", date, tod);
}

/* The reading and threshold of a threshold event (ipmitool prints them
 * as float). */
static void sel_threshold(struct buf *out, const struct ipmi_sensor *s, const uint8_t *rec)
{
	uint8_t d1 = rec[13];
	float trig = 0.0f, thr = 0.0f;
	char units[64];
	bool high;

	if (((d1 >> 6) & 3) == 1 && s->record_type == 0x01)
		trig = (float)ipmi_sensor_value(s, rec[14]);
	buf_printf(out, " | Reading %.*f", trig == (float)(int)trig ? 0 : 2, (double)trig);
	if (((d1 >> 4) & 3) != 1)
		return;
	if (s->record_type == 0x01)
		thr = (float)ipmi_sensor_value(s, rec[15]);
	high = (d1 & 0x0f) % 2;
	if (rec[12] & 0x80)
		high = !high;
	buf_printf(out, " %s Threshold %.*f %s", high ? ">" : "<", thr == (float)(int)thr ? 0 : 2,
		   (double)thr, ipmi_sensor_unit_text(s, units, sizeof(units)));
}

static int sel_line(const uint8_t *rec, size_t len, const struct ipmi_sensor *sensors, size_t n,
		    struct buf *out);

int ipmi_sel_line(const uint8_t *rec, size_t len, const struct ipmi_sensor *sensors, size_t n,
		  struct buf *out)
{
	struct buf line = BUF_INIT;
	const char *p;
	size_t l;
	int r = sel_line(rec, len, sensors, n, &line);

	/* lib/ipmi-agent strips each line of ipmitool's */
	p = buf_str(&line);
	l = line.len;
	while (l && isspace((unsigned char)p[l - 1]))
		l--;
	while (l && isspace((unsigned char)*p)) {
		p++;
		l--;
	}
	if (r == 0 && l) {
		buf_append(out, p, l);
		buf_append_str(out, "\n");
	}
	buf_release(&line);
	return r;
}

static int sel_line(const uint8_t *rec, size_t len, const struct ipmi_sensor *sensors, size_t n,
		    struct buf *out)
{
	uint8_t type, stype, snum, etype, d1;
	const struct ipmi_sensor *s = NULL;
	const char *desc;
	char text[128];

	if (len < IPMI_SEL_RECORD)
		return -EINVAL;
	type = rec[2];
	buf_printf(out, "%4x | ", rec[0] | (unsigned)rec[1] << 8);
	if (type == 0xf0) {
		buf_printf(out, "Linux kernel panic: %.11s\n", (const char *)rec + 5);
		return 0;
	}
	if (type < 0xe0)
		sel_stamp(out, rec[3] | (uint32_t)rec[4] << 8 | (uint32_t)rec[5] << 16 |
			  (uint32_t)rec[6] << 24);
	if (type >= 0xc0) {
		buf_printf(out, "OEM record %02x | ", type);
		if (type <= 0xdf) {
			hex_bytes(out, rec + 7, 3);
			buf_append_str(out, " | ");
			hex_bytes(out, rec + 10, 6);
		} else {
			hex_bytes(out, rec + 3, 13);
		}
		buf_append_str(out, "\n");
		return 0;
	}
	stype = rec[10];
	snum = rec[11];
	etype = rec[12] & 0x7f;
	d1 = rec[13];
	s = sensor_by(sensors, n, rec[7], snum, stype);
	if (s)
		buf_printf(out, "%s %s", ipmi_sensor_type_name(stype), s->name);
	else if (snum)
		buf_printf(out, "%s #0x%02x", ipmi_sensor_type_name(stype), snum);
	else
		buf_append_str(out, ipmi_sensor_type_name(stype));
	desc = event_text(stype, etype, d1 & 0xf, text, sizeof(text));
	buf_printf(out, " | %s | %s", desc ? desc : "", (rec[12] & 0x80) ? "Deasserted" : "Asserted");
	if (s && etype == 0x01)
		sel_threshold(out, s, rec);
	else if (etype == 0x6f && stype == 0x0c && snum == 0 && (d1 & 0x30) == 0x20)
		buf_printf(out, " | CPU %d DIMM %d", rec[15] & 0x0f, (rec[15] & 0xf0) >> 4);
	buf_append_str(out, "\n");
	return 0;
}

/* ---- FRU ---- */

static const char *const chassis_types[] = {
	"Unspecified", "Other", "Unknown", "Desktop", "Low Profile Desktop", "Pizza Box",
	"Mini Tower", "Tower", "Portable", "LapTop", "Notebook", "Hand Held", "Docking Station",
	"All in One", "Sub Notebook", "Space-saving", "Lunch Box", "Main Server Chassis",
	"Expansion Chassis", "SubChassis", "Bus Expansion Chassis", "Peripheral Chassis",
	"RAID Chassis", "Rack Mount Chassis", "Sealed-case PC", "Multi-system Chassis",
	"CompactPCI", "AdvancedTCA", "Blade", "Blade Enclosure", "Tablet", "Convertible",
	"Detachable", "IoT Gateway", "Embedded PC", "Mini PC", "Stick PC",
};

/* One type/length field at *off of an area ending at end, decoded as
 * ipmitool does; NULL for an empty field.  Moves *off past it. */
static const char *fru_field(const uint8_t *d, size_t end, size_t *off, char *buf, size_t len)
{
	static const char bcd[] = "0123456789 -.:,_";
	uint8_t tl = d[*off];
	size_t n = tl & 0x3f, at = *off + 1, o = 0;

	*off = at + n;
	if (at + n > end)
		n = at < end ? end - at : 0;
	switch (tl >> 6) {
	case 0:                /* binary: hex */
		for (size_t i = 0; i < n && o + 3 < len; i++, o += 2)
			snprintf(buf + o, len - o, "%02x", d[at + i]);
		break;
	case 1:                /* BCD plus */
		for (size_t k = 0; k < 2 * n && o + 1 < len; k++)
			buf[o++] = bcd[(d[at + k / 2] >> (k % 2 ? 0 : 4)) & 0xf];
		break;
	case 2:                /* 6-bit packed ASCII, 4 characters per 3 bytes */
		for (size_t i = 0; i < n; i += 3) {
			uint32_t bits = 0;

			for (size_t k = 0; k < 3 && i + k < n; k++)
				bits |= (uint32_t)d[at + i + k] << (8 * k);
			for (int k = 0; k < 4 && o + 1 < len; k++, bits >>= 6)
				buf[o++] = (char)((bits & 0x3f) + 0x20);
		}
		break;
	default:
		for (size_t i = 0; i < n && o + 1 < len; i++)
			buf[o++] = (char)d[at + i];
	}
	if (o >= len)
		o = len - 1;
	buf[o] = '\0';
	return (tl & 0x3f) && buf[0] ? buf : NULL;
}

/* Prints the fields of one info area under labels (NULL: skip the
 * field), then "Extra" custom fields until the end marker 0xc1. */
static void fru_fields(const uint8_t *d, size_t end, size_t off, const char *const *labels,
		       size_t nlabels, const char *extra, struct buf *out)
{
	char text[256];

	for (size_t i = 0; i < nlabels && off < end; i++) {
		const char *v;

		if (d[off] == 0xc1)
			return;
		v = fru_field(d, end, &off, text, sizeof(text));
		if (v && labels[i])
			buf_printf(out, " %-22s: %s\n", labels[i], v);
	}
	while (off < end && d[off] != 0xc1) {
		size_t before = off;
		const char *v = fru_field(d, end, &off, text, sizeof(text));

		if (v)
			buf_printf(out, " %-22s: %s\n", extra, v);
		if (off == before)
			break;
	}
}

static void fru_chassis(const uint8_t *d, size_t start, size_t end, struct buf *out)
{
	static const char *const labels[] = { "Chassis Part Number", "Chassis Serial" };
	uint8_t t = d[start + 2];

	buf_printf(out, " %-22s: %s\n", "Chassis Type",
		   t < N(chassis_types) ? chassis_types[t] : chassis_types[2]);
	fru_fields(d, end, start + 3, labels, N(labels), "Chassis Extra", out);
}

static void fru_board(const uint8_t *d, size_t start, size_t end, struct buf *out)
{
	static const char *const labels[] = {
		"Board Mfg", "Board Product", "Board Serial", "Board Part Number", "Board FRU ID",
	};
	uint32_t mins = d[start + 3] | (uint32_t)d[start + 4] << 8 | (uint32_t)d[start + 5] << 16;

	if (mins == 0) {
		buf_printf(out, " %-22s: %s\n", "Board Mfg Date", "Unspecified");
	} else {
		time_t t = (time_t)mins * 60 + 820454400;
		char date[96];

		local_stamp(t, "%c %Z", date, sizeof(date));
		buf_printf(out, " %-22s: %s\n", "Board Mfg Date", date);
	}
	fru_fields(d, end, start + 6, labels, N(labels), "Board Extra", out);
}

static void fru_product(const uint8_t *d, size_t start, size_t end, struct buf *out)
{
	static const char *const labels[] = {
		"Product Manufacturer", "Product Name", "Product Part Number", "Product Version",
		"Product Serial", "Product Asset Tag", "Product FRU ID",
	};

	fru_fields(d, end, start + 3, labels, N(labels), "Product Extra", out);
}

int ipmi_fru_print(const uint8_t *data, size_t len, struct buf *out)
{
	void (*const print[])(const uint8_t *, size_t, size_t, struct buf *) = {
		NULL, NULL, fru_chassis, fru_board, fru_product,
	};
	uint8_t sum = 0;

	if (len < 8 || data[0] != 0x01)
		return -EINVAL;
	for (int i = 0; i < 8; i++)
		sum = (uint8_t)(sum + data[i]);
	if (sum != 0)
		return -EINVAL;
	/* header bytes 2, 3, 4: chassis, board, product area offsets (x 8) */
	for (int a = 2; a <= 4; a++) {
		size_t start = (size_t)data[a] * 8, alen;

		if (!data[a] || start + 6 > len)
			continue;
		alen = (size_t)data[start + 1] * 8;
		if (alen < 6 || start + alen > len)
			alen = len - start;
		print[a](data, start, start + alen, out);
	}
	return 0;
}
