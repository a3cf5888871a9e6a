/* The IPMI properties made of several commands: boot order, sensors and
 * temperature (over the pool's SDR cache), event log, FRU (see pool.h).
 * Each runs on an open session, by the worker holding it; the text comes
 * from format.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipmi/pool_int.h"

#define NETFN_CHASSIS 0x00
#define NETFN_SENSOR 0x04
#define NETFN_STORAGE 0x0a

#define CC_NOT_PRESENT 0xcb         /* requested sensor, data or record not present */
#define SDR_MAX_RECORDS 1024
#define SEL_MAX_RECORDS 4096
#define FRU_MAX 4096
#define FRU_CHUNK 32
#define SDR_CHUNK 16

/* ---- boot order ---- */

/* Set System Boot Options; a refusal in lib/ipmi-agent's words ("BMC H
 * refused boot device floppy (floppy): Set Chassis Boot Parameter 5
 * failed: Unspecified error"). */
static int set_boot_param(struct ipmi_session *s, enum ipmi_bootdev dev, const uint8_t *data,
			  size_t len, struct ipmi_outcome *o, bool *ret_broken)
{
	static const char *const words[] = {
		[IPMI_BOOT_NONE] = "none", [IPMI_BOOT_NETWORK] = "network",
		[IPMI_BOOT_FLOPPY] = "floppy", [IPMI_BOOT_CDROM] = "cdrom",
		[IPMI_BOOT_HARDDISK] = "harddisk", [IPMI_BOOT_BIOS] = "bios",
	};
	static const char *const ipmitool_words[] = {
		[IPMI_BOOT_NONE] = "none", [IPMI_BOOT_NETWORK] = "pxe",
		[IPMI_BOOT_FLOPPY] = "floppy", [IPMI_BOOT_CDROM] = "cdrom",
		[IPMI_BOOT_HARDDISK] = "disk", [IPMI_BOOT_BIOS] = "bios",
	};
	uint8_t rs[8], cc;
	char tmp[32];
	size_t n;
	int r = ipmi_raw(s, NETFN_CHASSIS, 0, 0x08, data, len, rs, sizeof(rs), &n, &cc, o,
			 ret_broken);

	if (r < 0 && cc && dev == IPMI_BOOT_NONE)
		return ipmi_fail(o, r, "BMC %s: Set Chassis Boot Parameter %d failed: %s", s->host,
				 data[0], ipmi_cc_text(cc, tmp, sizeof(tmp)));
	if (r < 0 && cc)
		return ipmi_fail(o, r, "BMC %s refused boot device %s (%s): Set Chassis Boot "
				 "Parameter %d failed: %s", s->host, words[dev], ipmitool_words[dev],
				 data[0], ipmi_cc_text(cc, tmp, sizeof(tmp)));
	return r;
}

/* As `ipmitool chassis bootdev DEV options=persistent`: set in
 * progress, boot info acknowledge, the boot flags, set complete. */
static int write_bootdev(struct ipmi_session *s, enum ipmi_bootdev dev, struct ipmi_outcome *o,
			 bool *ret_broken)
{
	static const uint8_t in_progress[] = { 0x00, 0x01 }, ack[] = { 0x04, 0x01, 0x01 },
			     complete[] = { 0x00, 0x00 };
	uint8_t flags[] = { 0x05, 0x80, (uint8_t)(ipmi_bootdev_selector(dev) << 2), 0, 0, 0 };
	struct ipmi_outcome ignored;
	bool progress;
	int r;

	if (dev != IPMI_BOOT_NONE)
		flags[1] |= 0x40;    /* persistent */
	memset(&ignored, 0, sizeof(ignored));
	progress = set_boot_param(s, dev, in_progress, sizeof(in_progress), &ignored,
				  ret_broken) == 0;
	if (*ret_broken)
		return ipmi_fail(o, ignored.rc, "%s", ignored.message);
	r = set_boot_param(s, dev, ack, sizeof(ack), o, ret_broken);
	if (r == 0)
		r = set_boot_param(s, dev, flags, sizeof(flags), o, ret_broken);
	if (progress && !*ret_broken) {
		bool broken = false;

		set_boot_param(s, dev, complete, sizeof(complete), &ignored, &broken);
	}
	return r;
}

int ipmi_prop_bootorder(struct ipmi_session *s, const struct ipmi_req *rq,
			struct ipmi_outcome *o, bool *ret_broken)
{
	static const uint8_t get5[] = { 0x05, 0x00, 0x00 };
	uint8_t rs[16], cc;
	size_t n;
	int r;

	if (rq->write) {
		r = write_bootdev(s, rq->boot, o, ret_broken);
		if (r == 0)
			ipmi_bootorder_show(rq->boot, &o->text);
		return r;
	}
	r = ipmi_raw(s, NETFN_CHASSIS, 0, 0x09, get5, sizeof(get5), rs, sizeof(rs), &n, &cc, o,
		     ret_broken);
	if (r < 0)
		return r;
	/* version, parameter, then the five flag bytes */
	ipmi_bootorder_show(n >= 4 ? ipmi_bootdev_from_flags(rs[3]) : IPMI_BOOT_NONE, &o->text);
	return 0;
}

/* ---- the SDR cache ---- */

/* Reads one record: whole, or in pieces when the BMC cannot return that
 * much at once.  Returns 0 with *ret_next, the record in rec (*ret_len),
 * or -errno. */
static int read_sdr(struct ipmi_session *s, const uint8_t res[2], uint16_t id, uint8_t *rec,
		    size_t max, size_t *ret_len, uint16_t *ret_next, struct ipmi_outcome *o,
		    bool *ret_broken)
{
	uint8_t rq[6] = { res[0], res[1], (uint8_t)id, (uint8_t)(id >> 8), 0, 0xff }, rs[300], cc;
	size_t n, len, want;
	int r;

	r = ipmi_raw(s, NETFN_STORAGE, 0, 0x23, rq, sizeof(rq), rs, sizeof(rs), &n, &cc, o,
		     ret_broken);
	if (r == 0 && n >= 2 + 5) {
		*ret_next = (uint16_t)(rs[0] | rs[1] << 8);
		len = n - 2 < max ? n - 2 : max;
		memcpy(rec, rs + 2, len);
		*ret_len = len;
		return 0;
	}
	if (r < 0 && (cc == 0 || cc == CC_NOT_PRESENT))
		return r;
	/* the header, then the body in pieces */
	rq[5] = 5;
	r = ipmi_raw(s, NETFN_STORAGE, 0, 0x23, rq, sizeof(rq), rs, sizeof(rs), &n, &cc, o,
		     ret_broken);
	if (r < 0)
		return r;
	if (n < 2 + 5)
		return ipmi_fail(o, -EIO, "BMC %s: short SDR record", s->host);
	*ret_next = (uint16_t)(rs[0] | rs[1] << 8);
	memcpy(rec, rs + 2, 5);
	want = 5 + (size_t)rs[2 + 4];
	if (want > max)
		want = max;
	for (len = 5; len < want; len += n - 2) {
		rq[4] = (uint8_t)len;
		rq[5] = (uint8_t)(want - len < SDR_CHUNK ? want - len : SDR_CHUNK);
		r = ipmi_raw(s, NETFN_STORAGE, 0, 0x23, rq, sizeof(rq), rs, sizeof(rs), &n, &cc, o,
			     ret_broken);
		if (r < 0)
			return r;
		if (n <= 2)
			return ipmi_fail(o, -EIO, "BMC %s: short SDR record", s->host);
		if (n - 2 > want - len)
			n = want - len + 2;
		memcpy(rec + len, rs + 2, n - 2);
	}
	*ret_len = want;
	return 0;
}

static void sdr_free(struct ipmi_sdr *sdr)
{
	if (sdr) {
		free(sdr->sensors);
		free(sdr);
	}
}

/* Reads every sensor record of the repository into a new struct. */
static int fetch_sdr(struct ipmi_session *s, const uint8_t stamps[8], struct ipmi_sdr **ret,
		     struct ipmi_outcome *o, bool *ret_broken)
{
	uint8_t res[2] = { 0, 0 }, rs[8], rec[300], cc;
	struct ipmi_sdr *sdr = calloc(1, sizeof(*sdr));
	uint16_t id = 0, next = 0xffff;
	size_t n, len = 0;
	int r = 0;

	if (!sdr || !(sdr->sensors = calloc(SDR_MAX_RECORDS, sizeof(*sdr->sensors)))) {
		r = ipmi_fail(o, -ENOMEM, "BMC %s: out of memory", s->host);
		goto out;
	}
	memcpy(sdr->stamps, stamps, sizeof(sdr->stamps));
	/* a reservation for partial reads; a BMC without one reads whole */
	r = ipmi_raw(s, NETFN_STORAGE, 0, 0x22, NULL, 0, rs, sizeof(rs), &n, &cc, o, ret_broken);
	if (r < 0 && *ret_broken)
		goto out;
	if (r == 0 && n >= 2)
		memcpy(res, rs, 2);
	r = 0;
	for (int i = 0; i < SDR_MAX_RECORDS && id != 0xffff; i++, id = next) {
		struct ipmi_sensor sen;

		r = read_sdr(s, res, id, rec, sizeof(rec), &len, &next, o, ret_broken);
		if (r < 0) {
			if (!*ret_broken && id == 0 && o->rc == -EIO)
				r = 0;    /* an empty repository */
			break;
		}
		if (ipmi_sdr_parse(rec, len, &sen) == 0)
			sdr->sensors[sdr->n++] = sen;
		if (next == id)
			break;
	}
out:
	if (r < 0) {
		sdr_free(sdr);
		return r;
	}
	*ret = sdr;
	return 0;
}

/* The BMC's sensor records: the pool's copy, checked against the
 * repository's time stamps once per session, or read anew.  Returns 0
 * with a reference in *ret, or -errno. */
static int sdr_for(struct ipmi_pool *p, struct ipmi_session *s, struct ipmi_sdr **ret,
		   struct ipmi_outcome *o, bool *ret_broken)
{
	struct ipmi_sdr *sdr = ipmi_sdr_get(p, s->target), *fresh = NULL;
	uint8_t info[16], stamps[8], cc;
	size_t n;
	int r;

	if (sdr && s->sdr_checked) {
		*ret = sdr;
		return 0;
	}
	/* version, count (2), free (2), most recent addition (4), erase (4) */
	r = ipmi_raw(s, NETFN_STORAGE, 0, 0x20, NULL, 0, info, sizeof(info), &n, &cc, o, ret_broken);
	if (r < 0 && *ret_broken) {
		ipmi_sdr_unref(p, sdr);
		return r;
	}
	memset(stamps, 0xff, sizeof(stamps));   /* unknown: never matches a fetch */
	if (r == 0 && n >= 13)
		memcpy(stamps, info + 5, sizeof(stamps));
	if (sdr && r == 0 && n >= 13 && memcmp(sdr->stamps, stamps, sizeof(stamps)) == 0) {
		s->sdr_checked = true;
		*ret = sdr;
		return 0;
	}
	ipmi_sdr_unref(p, sdr);
	r = fetch_sdr(s, stamps, &fresh, o, ret_broken);
	if (r < 0)
		return r;
	fresh->refs = 1;                        /* ours; the table takes another */
	ipmi_sdr_put(p, s->target, fresh);
	s->sdr_checked = true;
	*ret = fresh;
	return 0;
}

/* Get Sensor Reading of sensor se into r (data in rs).  Returns 0 (no
 * reading leaves r empty) or -errno when the session broke. */
static int read_sensor(struct ipmi_session *s, const struct ipmi_sensor *se, uint8_t *rs,
		       size_t rsmax, struct ipmi_reading *r, struct ipmi_outcome *o,
		       bool *ret_broken)
{
	struct ipmi_outcome tmp;
	uint8_t cc;
	size_t n;
	int e;

	r->data = NULL;
	r->len = 0;
	/* sensors of other controllers would need bridging: no reading */
	if (se->owner_id != 0x20)
		return 0;
	memset(&tmp, 0, sizeof(tmp));
	e = ipmi_raw(s, NETFN_SENSOR, se->lun, 0x2d, &se->number, 1, rs, rsmax, &n, &cc, &tmp,
		     ret_broken);
	if (e < 0)
		return *ret_broken ? ipmi_fail(o, e, "%s", tmp.message) : 0;
	r->data = rs;
	r->len = n;
	return 0;
}

int ipmi_prop_sensors(struct ipmi_pool *p, struct ipmi_session *s, const struct ipmi_req *rq,
		      struct ipmi_outcome *o, bool *ret_broken)
{
	bool temp = rq->prop == IPMI_PROP_TEMPERATURE;
	struct ipmi_sdr *sdr = NULL;
	int r = sdr_for(p, s, &sdr, o, ret_broken);

	if (r < 0)
		return r;
	for (size_t i = 0; i < sdr->n; i++) {
		const struct ipmi_sensor *se = &sdr->sensors[i];
		struct ipmi_reading rd = { NULL, 0 };
		uint8_t rs[8];

		if (temp ? se->sensor_type != 0x01 : se->record_type != 0x01)
			continue;
		if (se->record_type != 0x03 &&
		    (r = read_sensor(s, se, rs, sizeof(rs), &rd, o, ret_broken)) < 0)
			goto out;
		if (!temp) {
			ipmi_sensor_line(se, &rd, &o->text);
			continue;
		}
		r = ipmi_temperature_line(se, &rd, s->host, &o->text, o->message, sizeof(o->message));
		o->rc = r;
		goto out;
	}
	if (temp)
		r = ipmi_fail(o, -ENODATA, "BMC %s has no temperature sensor", s->host);
out:
	ipmi_sdr_unref(p, sdr);
	return r;
}

/* ---- event log ---- */

static int clear_sel(struct ipmi_session *s, struct ipmi_outcome *o, bool *ret_broken)
{
	uint8_t rs[8], rq[6] = { 0, 0, 'C', 'L', 'R', 0xaa }, cc;
	size_t n;
	int r;

	r = ipmi_raw(s, NETFN_STORAGE, 0, 0x42, NULL, 0, rs, sizeof(rs), &n, &cc, o, ret_broken);
	if (r < 0)
		return r;
	if (n < 2)
		return ipmi_fail(o, -EIO, "BMC %s: short answer to Reserve SEL", s->host);
	rq[0] = rs[0];
	rq[1] = rs[1];
	return ipmi_raw(s, NETFN_STORAGE, 0, 0x47, rq, sizeof(rq), rs, sizeof(rs), &n, &cc, o,
			ret_broken);
}

int ipmi_prop_eventlog(struct ipmi_pool *p, struct ipmi_session *s, const struct ipmi_req *rq,
		       struct ipmi_outcome *o, bool *ret_broken)
{
	struct ipmi_sdr *sdr = NULL;
	uint16_t id = 0;
	int r;

	if (rq->write)
		return clear_sel(s, o, ret_broken);
	for (int i = 0; i < SEL_MAX_RECORDS && id != 0xffff; i++) {
		uint8_t get[6] = { 0, 0, (uint8_t)id, (uint8_t)(id >> 8), 0, 0xff }, rs[32], cc;
		size_t n;

		r = ipmi_raw(s, NETFN_STORAGE, 0, 0x43, get, sizeof(get), rs, sizeof(rs), &n, &cc, o,
			     ret_broken);
		if (r < 0 && i == 0 && cc == CC_NOT_PRESENT) {
			r = 0;        /* an empty SEL */
			break;
		}
		if (r < 0)
			goto out;
		if (n < 2 + IPMI_SEL_RECORD) {
			r = ipmi_fail(o, -EIO, "BMC %s: short SEL record", s->host);
			goto out;
		}
		if (!sdr && (r = sdr_for(p, s, &sdr, o, ret_broken)) < 0)
			goto out;
		ipmi_sel_line(rs + 2, n - 2, sdr->sensors, sdr->n, &o->text);
		if ((uint16_t)(rs[0] | rs[1] << 8) == id)
			break;
		id = (uint16_t)(rs[0] | rs[1] << 8);
	}
	r = 0;
out:
	ipmi_sdr_unref(p, sdr);
	return r;
}

/* ---- FRU ---- */

static int read_fru(struct ipmi_session *s, uint8_t *data, size_t from, size_t to,
		    struct ipmi_outcome *o, bool *ret_broken)
{
	while (from < to) {
		size_t want = to - from < FRU_CHUNK ? to - from : FRU_CHUNK, n;
		uint8_t rq[4] = { 0, (uint8_t)from, (uint8_t)(from >> 8), (uint8_t)want }, rs[64], cc;
		int r = ipmi_raw(s, NETFN_STORAGE, 0, 0x11, rq, sizeof(rq), rs, sizeof(rs), &n, &cc, o,
				 ret_broken);

		if (r < 0)
			return r;
		if (n < 2 || rs[0] == 0)
			return ipmi_fail(o, -EIO, "BMC %s: short FRU data", s->host);
		if (rs[0] > want || (size_t)rs[0] > n - 1)
			rs[0] = (uint8_t)(n - 1 < want ? n - 1 : want);
		memcpy(data + from, rs + 1, rs[0]);
		from += rs[0];
	}
	return 0;
}

int ipmi_prop_fru(struct ipmi_session *s, struct ipmi_outcome *o, bool *ret_broken)
{
	uint8_t dev = 0, rs[8], cc, *data;
	size_t n, size, last = 0, end;
	int r;

	r = ipmi_raw(s, NETFN_STORAGE, 0, 0x10, &dev, 1, rs, sizeof(rs), &n, &cc, o, ret_broken);
	if (r < 0)
		return r;
	if (n < 3)
		return ipmi_fail(o, -EIO, "BMC %s: short FRU inventory area info", s->host);
	size = (size_t)(rs[0] | rs[1] << 8);
	if (size > FRU_MAX)
		size = FRU_MAX;
	if (size < 8)
		return ipmi_fail(o, -EIO, "BMC %s: FRU device 0 holds no inventory", s->host);
	data = calloc(1, size);
	if (!data)
		return ipmi_fail(o, -ENOMEM, "BMC %s: out of memory", s->host);
	/* the header, the last info area's length, then everything up to it */
	r = read_fru(s, data, 0, 8, o, ret_broken);
	for (int a = 2; r == 0 && a <= 4; a++)
		if ((size_t)data[a] * 8 > last)
			last = (size_t)data[a] * 8;
	end = 8;
	if (r == 0 && last && last + 2 <= size) {
		r = read_fru(s, data, last, last + 2, o, ret_broken);
		end = last + (size_t)data[last + 1] * 8;
		if (end > size)
			end = size;
	}
	if (r == 0)
		r = read_fru(s, data, 8, end, o, ret_broken);
	if (r == 0 && ipmi_fru_print(data, end, &o->text) < 0)
		r = ipmi_fail(o, -EIO, "BMC %s: FRU device 0 has no valid header", s->host);
	free(data);
	return r;
}
