/*
 * format.h - the pure half of the IPMI properties: what a written value
 * means, and the text each property shows, as lib/ipmi-agent (ipmitool
 * 1.8.19) shows it for the same BMC answers.  No I/O and no locks, so the
 * unit tests drive every function with recorded bytes.
 *
 * Invariants:
 *   - functions that append to a struct buf append whole lines, each
 *     ending in '\n', or nothing;
 *   - byte arrays from a BMC are read only within the length given; a
 *     short record is refused (-EINVAL), never read past.
 */
#ifndef SYSMAN_IPMI_FORMAT_H
#define SYSMAN_IPMI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipmi/pool.h"

struct buf;

/* What a power request does on the wire. */
enum ipmi_op {
	IPMI_POWER_STATUS, IPMI_POWER_ON, IPMI_POWER_OFF, IPMI_POWER_CYCLE,
	IPMI_POWER_RESET, IPMI_POWER_SOFT,
};
/* "on", "off", "cycle", "reset", "soft", "1", "0" (any case) to an op.
 * Returns 0 or -EINVAL. */
int ipmi_power_parse(const char *word, enum ipmi_op *ret);
/* "on" or "off": the state after op (status: by the power bit). */
const char *ipmi_power_word(enum ipmi_op op, int power);

enum ipmi_bootdev {
	IPMI_BOOT_NONE,        /* no override: the default order */
	IPMI_BOOT_NETWORK,
	IPMI_BOOT_FLOPPY,
	IPMI_BOOT_CDROM,
	IPMI_BOOT_HARDDISK,
	IPMI_BOOT_BIOS,
};

#define IPMI_CHECK_MSG_MAX 256

/* ipmi_request_check() that also returns what a write means: the power
 * op (IPMI_POWER_STATUS for a read) and the first boot device. */
int ipmi_request_parse(const struct ipmi_request *rq, enum ipmi_op *ret_op,
		       enum ipmi_bootdev *ret_boot, char *msg, size_t msglen);

/* ipmitool's text for a completion code ("Unspecified error"); buf
 * (len) holds the text of a code it does not know. */
const char *ipmi_cc_text(uint8_t cc, char *buf, size_t len);

/* ---- bootorder ---- */

/* A written boot order ("network, floppy, cdrom, harddisk", aliases,
 * "default"/"none") to its first device.  Returns 0, or -EINVAL with msg
 * set to lib/ipmi-agent's words. */
int ipmi_bootorder_parse(const char *in, size_t len, enum ipmi_bootdev *ret_first, char *msg,
			 size_t msglen);
/* The boot device selector (boot flags data byte 2, bits 5:2) for dev. */
uint8_t ipmi_bootdev_selector(enum ipmi_bootdev dev);
/* The device a boot flags data byte 2 selects (IPMI_BOOT_NONE when it
 * names none the file can show). */
enum ipmi_bootdev ipmi_bootdev_from_flags(uint8_t data2);
/* Appends the file's line: first, then the others in the default order. */
void ipmi_bootorder_show(enum ipmi_bootdev first, struct buf *out);

/* ---- sensors (SDR records and readings) ---- */

#define IPMI_SDR_NAME_MAX 16

/* What the pool keeps of one sensor record (full 0x01, compact 0x02 or
 * event-only 0x03). */
struct ipmi_sensor {
	uint8_t record_type;
	uint8_t owner_id, lun, number;
	uint8_t sensor_type, event_type;   /* event/reading type code */
	uint8_t units1, unit_base, unit_mod;
	uint8_t linearization;
	int16_t m, b;                      /* 10-bit two's complement */
	int8_t r_exp, b_exp;               /* 4-bit two's complement */
	char name[IPMI_SDR_NAME_MAX + 1];
};

/* A sensor record as Get SDR returns it (header included) into *ret.
 * Returns 0, -ENOENT (not a sensor record) or -EINVAL (too short). */
int ipmi_sdr_parse(const uint8_t *rec, size_t len, struct ipmi_sensor *ret);
/* Whether readings of s convert to a value with units (a full threshold
 * sensor with analog units). */
bool ipmi_sensor_analog(const struct ipmi_sensor *s);
/* raw converted by s's factors and linearisation. */
double ipmi_sensor_value(const struct ipmi_sensor *s, uint8_t raw);
/* s's unit text ("degrees C", "RPM", "% Volts", "Watts/hour"). */
const char *ipmi_sensor_unit_text(const struct ipmi_sensor *s, char *buf, size_t len);
/* ipmitool's sensor type name ("Temperature", "Power Unit"). */
const char *ipmi_sensor_type_name(uint8_t sensor_type);

/* A Get Sensor Reading answer (data after the completion code; NULL or
 * a length < 2 when the BMC gave none) */
struct ipmi_reading {
	const uint8_t *data;
	size_t len;
};

/* Appends s's line of the sensors file ("Temp | 23 degrees C | ok"). */
void ipmi_sensor_line(const struct ipmi_sensor *s, const struct ipmi_reading *r, struct buf *out);
/* Appends the temperature file's line ("23", "23.5") for a temperature
 * sensor, or returns -ENODATA with msg set ("BMC H: sensor S has no
 * reading (No Reading)"). */
int ipmi_temperature_line(const struct ipmi_sensor *s, const struct ipmi_reading *r,
			  const char *host, struct buf *out, char *msg, size_t msglen);

/* ---- event log ---- */

#define IPMI_SEL_RECORD 16

/* Appends the line of one SEL record as lib/ipmi-agent shows it: the
 * line `ipmitool sel elist` prints (timestamps in local time, like
 * ipmitool), stripped; sensors (n) name the sensor that logged it.
 * Returns 0 or -EINVAL (short record). */
int ipmi_sel_line(const uint8_t *rec, size_t len, const struct ipmi_sensor *sensors, size_t n,
		  struct buf *out);

/* ---- FRU ---- */

/* Appends FRU data (common header first) as `ipmitool fru print 0`
 * prints its chassis, board and product areas.  Returns 0 or -EINVAL
 * (no valid common header). */
int ipmi_fru_print(const uint8_t *data, size_t len, struct buf *out);

#endif
