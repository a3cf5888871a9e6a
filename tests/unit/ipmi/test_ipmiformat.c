/*
 * test_ipmiformat.c - unit tests of the pure half of the IPMI properties
 * (src/ipmi/format.c): property names, checks of written values with
 * lib/ipmi-agent's messages, the boot order, SDR records and sensor lines,
 * temperature, SEL lines and FRU printing, from recorded BMC bytes (the
 * testbed's ipmi_sim records).  tests/ipmi/test_pool.py compares the same
 * texts with lib/ipmi-agent (ipmitool) against live BMCs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ipmi/format.h"
#include "util/buf.h"

/* the testbed's sensor records (tests/testbed/testbed.py, make_emu) */
static const uint8_t sdr_temp[] = {
	0x00, 0x00, 0x51, 0x01, 0x2f, 0x20, 0x00, 0x01, 0x07, 0x01, 0x67, 0x88, 0x01, 0x01, 0xc0,
	0x0f, 0xc0, 0x7f, 0x38, 0x38, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x19, 0x50, 0x00, 0xff, 0x00, 0x41, 0x37, 0x2d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xc4, 0x54, 0x65, 0x6d, 0x70,
};
static const uint8_t sdr_fan[] = {
	0x00, 0x00, 0x51, 0x01, 0x2f, 0x20, 0x00, 0x02, 0x07, 0x01, 0x67, 0x88, 0x04, 0x01, 0x04,
	0x20, 0x04, 0x00, 0x02, 0x02, 0x00, 0x12, 0x00, 0x00, 0x32, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x3c, 0x50, 0x14, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xc4, 0x46, 0x61, 0x6e, 0x31,
};
/* the testbed's FRU (make_fru("TB-Server", "TB7F050101", "TB-Server-1")) */
static const uint8_t fru[] = {
	0x01, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0xf4, 0x01, 0x09, 0x00, 0x00, 0x00, 0x00, 0xce,
	0x53, 0x79, 0x73, 0x6d, 0x61, 0x6e, 0x20, 0x54, 0x65, 0x73, 0x74, 0x62, 0x65, 0x64, 0xcf,
	0x54, 0x42, 0x2d, 0x53, 0x65, 0x72, 0x76, 0x65, 0x72, 0x20, 0x62, 0x6f, 0x61, 0x72, 0x64,
	0xca, 0x54, 0x42, 0x37, 0x46, 0x30, 0x35, 0x30, 0x31, 0x30, 0x31, 0xce, 0x54, 0x42, 0x2d,
	0x53, 0x65, 0x72, 0x76, 0x65, 0x72, 0x2d, 0x31, 0x2d, 0x4d, 0x42, 0xc0, 0xc1, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xea, 0x01, 0x08, 0x00, 0xce, 0x53, 0x79, 0x73, 0x6d, 0x61, 0x6e,
	0x20, 0x54, 0x65, 0x73, 0x74, 0x62, 0x65, 0x64, 0xc9, 0x54, 0x42, 0x2d, 0x53, 0x65, 0x72,
	0x76, 0x65, 0x72, 0xcb, 0x54, 0x42, 0x2d, 0x53, 0x65, 0x72, 0x76, 0x65, 0x72, 0x2d, 0x31,
	0xc3, 0x31, 0x2e, 0x30, 0xca, 0x54, 0x42, 0x37, 0x46, 0x30, 0x35, 0x30, 0x31, 0x30, 0x31,
	0xc0, 0xc0, 0xc1, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc6,
};

static int check_write(enum ipmi_prop prop, const char *in, char *msg)
{
	struct ipmi_request rq = { .prop = prop, .write = true, .input = in, .input_len = strlen(in) };

	return ipmi_request_check(&rq, msg, 256);
}

static void test_prop_names(void **state)
{
	static const struct { const char *name; enum ipmi_prop prop; } ok[] = {
		{ "power", IPMI_PROP_POWER }, { "bootorder", IPMI_PROP_BOOTORDER },
		{ "temperature", IPMI_PROP_TEMPERATURE }, { "temperature_mp", IPMI_PROP_TEMPERATURE },
		{ "sensors", IPMI_PROP_SENSORS }, { "eventlog", IPMI_PROP_EVENTLOG },
		{ "fru", IPMI_PROP_FRU },
	};
	enum ipmi_prop p;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(ipmi_prop_lookup(ok[i].name, &p), 0);
		assert_int_equal(p, ok[i].prop);
	}
	assert_int_equal(ipmi_prop_lookup("Power", &p), -ENOENT);
	assert_int_equal(ipmi_prop_lookup("uptime", &p), -ENOENT);
	assert_int_equal(ipmi_prop_lookup(NULL, &p), -ENOENT);
}

static void test_request_checks(void **state)
{
	struct ipmi_request rd = { .prop = IPMI_PROP_SENSORS };
	char msg[256];

	(void)state;
	assert_int_equal(ipmi_request_check(&rd, msg, sizeof(msg)), 0);
	assert_int_equal(check_write(IPMI_PROP_POWER, " Soft\n", msg), 0);
	assert_int_equal(check_write(IPMI_PROP_POWER, "1", msg), 0);
	assert_int_equal(check_write(IPMI_PROP_POWER, "Maybe later", msg), -EINVAL);
	assert_string_equal(msg, "invalid power value 'Maybe': expected on, off, cycle, reset, soft, 1 or 0");
	assert_int_equal(check_write(IPMI_PROP_POWER, "", msg), -EINVAL);
	assert_string_equal(msg, "invalid power value '': expected on, off, cycle, reset, soft, 1 or 0");
	assert_int_equal(check_write(IPMI_PROP_EVENTLOG, " CLEAR\n", msg), 0);
	assert_int_equal(check_write(IPMI_PROP_EVENTLOG, "clear all", msg), -EINVAL);
	assert_string_equal(msg, "eventlog accepts only 'clear'");
	assert_int_equal(check_write(IPMI_PROP_SENSORS, "x", msg), -EOPNOTSUPP);
	assert_string_equal(msg, "no write operation for 'sensors'");
	assert_int_equal(check_write(IPMI_PROP_FRU, "x", NULL), -EOPNOTSUPP);
	assert_int_equal(check_write(IPMI_PROP_TEMPERATURE, "", msg), -EOPNOTSUPP);
	assert_int_equal(check_write(IPMI_PROP_BOOTORDER, "cd, disk", msg), 0);
}

static void test_bootorder(void **state)
{
	enum ipmi_bootdev d;
	char msg[256];
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(ipmi_bootorder_parse("network, floppy, cdrom, harddisk", 32, &d, msg, 256), 0);
	assert_int_equal(d, IPMI_BOOT_NETWORK);
	assert_int_equal(ipmi_bootorder_parse(" DVD,pxe\n", 9, &d, msg, 256), 0);
	assert_int_equal(d, IPMI_BOOT_CDROM);
	assert_int_equal(ipmi_bootorder_parse("Default cdrom tape", 18, &d, msg, 256), 0);
	assert_int_equal(d, IPMI_BOOT_NONE);
	assert_int_equal(ipmi_bootorder_parse("setup", 5, &d, msg, 256), 0);
	assert_int_equal(d, IPMI_BOOT_BIOS);
	assert_int_equal(ipmi_bootorder_parse("disk, Tape", 10, &d, msg, 256), -EINVAL);
	assert_string_equal(msg, "boot device 'tape' has no IPMI mapping (known: network, floppy, cdrom, harddisk)");
	assert_int_equal(ipmi_bootorder_parse(" ,\n", 3, &d, msg, 256), -EINVAL);
	assert_string_equal(msg, "empty boot order: expected e.g. \"network, floppy, cdrom, harddisk\"");
	assert_int_equal(ipmi_bootorder_parse(NULL, 0, &d, msg, 256), -EINVAL);

	for (int i = IPMI_BOOT_NETWORK; i <= IPMI_BOOT_BIOS; i++)
		assert_int_equal(ipmi_bootdev_from_flags((uint8_t)(ipmi_bootdev_selector(i) << 2)), i);
	assert_int_equal(ipmi_bootdev_from_flags(0x14), IPMI_BOOT_CDROM);   /* ipmi_sim's cdrom */
	assert_int_equal(ipmi_bootdev_from_flags(0x0c), IPMI_BOOT_HARDDISK); /* safe mode */
	assert_int_equal(ipmi_bootdev_from_flags(0x10), IPMI_BOOT_NONE);     /* diagnostic */
	assert_int_equal(ipmi_bootdev_from_flags(0x00), IPMI_BOOT_NONE);

	ipmi_bootorder_show(IPMI_BOOT_NONE, &b);
	ipmi_bootorder_show(IPMI_BOOT_CDROM, &b);
	ipmi_bootorder_show(IPMI_BOOT_HARDDISK, &b);
	ipmi_bootorder_show(IPMI_BOOT_BIOS, &b);
	assert_string_equal(buf_str(&b), "network, floppy, cdrom, harddisk\n"
					 "cdrom, network, floppy, harddisk\n"
					 "harddisk, network, floppy, cdrom\n"
					 "bios, network, floppy, cdrom, harddisk\n");
	buf_release(&b);
}

static void test_sdr_parse(void **state)
{
	struct ipmi_sensor t, f;
	char u[64];

	(void)state;
	assert_int_equal(ipmi_sdr_parse(sdr_temp, sizeof(sdr_temp), &t), 0);
	assert_string_equal(t.name, "Temp");
	assert_int_equal(t.number, 1);
	assert_int_equal(t.owner_id, 0x20);
	assert_int_equal(t.sensor_type, 0x01);
	assert_int_equal(t.event_type, 0x01);
	assert_true(ipmi_sensor_analog(&t));
	assert_string_equal(ipmi_sensor_unit_text(&t, u, sizeof(u)), "degrees C");
	assert_int_equal(ipmi_sdr_parse(sdr_fan, sizeof(sdr_fan), &f), 0);
	assert_string_equal(f.name, "Fan1");
	assert_int_equal(f.m, 50);
	assert_true(ipmi_sensor_value(&f, 60) == 3000.0);
	assert_string_equal(ipmi_sensor_unit_text(&f, u, sizeof(u)), "RPM");
	/* short, and not a sensor record */
	assert_int_equal(ipmi_sdr_parse(sdr_temp, 40, &t), -EINVAL);
	{
		uint8_t fru_loc[sizeof(sdr_temp)];

		memcpy(fru_loc, sdr_temp, sizeof(fru_loc));
		fru_loc[3] = 0x11;
		assert_int_equal(ipmi_sdr_parse(fru_loc, sizeof(fru_loc), &t), -ENOENT);
	}
	/* signed factors: M = -2 (10 bits), R exp = -1, B = 5 */
	{
		uint8_t r[sizeof(sdr_temp)];

		memcpy(r, sdr_temp, sizeof(r));
		r[24] = 0xfe;
		r[25] = 0xc0;
		r[26] = 5;
		r[29] = 0xf0;
		assert_int_equal(ipmi_sdr_parse(r, sizeof(r), &t), 0);
		assert_int_equal(t.m, -2);
		assert_int_equal(t.r_exp, -1);
		assert_true(ipmi_sensor_value(&t, 10) > -1.51 && ipmi_sensor_value(&t, 10) < -1.49);
	}
}

static void sensor_line(const uint8_t *rec, size_t len, const uint8_t *rd, size_t rdlen,
			const char *want)
{
	struct ipmi_reading r = { rd, rdlen };
	struct buf b = BUF_INIT;
	struct ipmi_sensor s;

	assert_int_equal(ipmi_sdr_parse(rec, len, &s), 0);
	ipmi_sensor_line(&s, &r, &b);
	assert_string_equal(buf_str(&b), want);
	buf_release(&b);
}

static void test_sensor_lines(void **state)
{
	uint8_t frac[sizeof(sdr_temp)], longu[sizeof(sdr_temp)];

	(void)state;
	sensor_line(sdr_temp, sizeof(sdr_temp), (const uint8_t[]){ 23, 0xc0, 0x00 }, 3,
		    "Temp | 23 degrees C | ok\n");
	sensor_line(sdr_fan, sizeof(sdr_fan), (const uint8_t[]){ 60, 0xc0, 0x00 }, 3,
		    "Fan1 | 3000 RPM | ok\n");
	sensor_line(sdr_temp, sizeof(sdr_temp), (const uint8_t[]){ 58, 0xc0, 0x18 }, 3,
		    "Temp | 58 degrees C | cr\n");
	sensor_line(sdr_temp, sizeof(sdr_temp), (const uint8_t[]){ 70, 0xc0, 0x38 }, 3,
		    "Temp | 70 degrees C | nr\n");
	sensor_line(sdr_temp, sizeof(sdr_temp), (const uint8_t[]){ 50, 0xc0, 0x08 }, 3,
		    "Temp | 50 degrees C | nc\n");
	sensor_line(sdr_temp, sizeof(sdr_temp), (const uint8_t[]){ 0, 0x60 }, 2,
		    "Temp | no reading | ns\n");
	sensor_line(sdr_temp, sizeof(sdr_temp), (const uint8_t[]){ 0, 0x00 }, 2,
		    "Temp | disabled | ns\n");
	sensor_line(sdr_temp, sizeof(sdr_temp), NULL, 0, "Temp | no reading | ns\n");
	/* R exp -1: 23.5 with two decimals, as ipmitool */
	memcpy(frac, sdr_temp, sizeof(frac));
	frac[29] = 0xf0;
	sensor_line(frac, sizeof(frac), (const uint8_t[]){ 235, 0xc0, 0x00 }, 3,
		    "Temp | 23.50 degrees C | ok\n");
	/* ipmitool cuts the reading at 15 bytes */
	memcpy(longu, sdr_temp, sizeof(longu));
	longu[21] = 65;     /* "color temp deg K" */
	sensor_line(longu, sizeof(longu), (const uint8_t[]){ 23, 0xc0, 0x00 }, 3,
		    "Temp | 23 color temp d | ok\n");
}

static void test_temperature(void **state)
{
	struct ipmi_reading ok = { (const uint8_t[]){ 23, 0xc0, 0x00 }, 3 };
	struct ipmi_reading gone = { (const uint8_t[]){ 0, 0x60 }, 2 };
	struct ipmi_reading off = { (const uint8_t[]){ 0, 0x00 }, 2 };
	struct ipmi_reading half = { (const uint8_t[]){ 235, 0xc0, 0x00 }, 3 };
	struct ipmi_sensor s, f;
	struct buf b = BUF_INIT;
	uint8_t frac[sizeof(sdr_temp)];
	char msg[256];

	(void)state;
	assert_int_equal(ipmi_sdr_parse(sdr_temp, sizeof(sdr_temp), &s), 0);
	assert_int_equal(ipmi_temperature_line(&s, &ok, "10.0.0.1", &b, msg, sizeof(msg)), 0);
	assert_int_equal(ipmi_temperature_line(&s, &gone, "10.0.0.1", &b, msg, sizeof(msg)), -ENODATA);
	assert_string_equal(msg, "BMC 10.0.0.1: sensor Temp has no reading (No Reading)");
	assert_int_equal(ipmi_temperature_line(&s, &off, "10.0.0.1", &b, msg, sizeof(msg)), -ENODATA);
	assert_string_equal(msg, "BMC 10.0.0.1: sensor Temp has no reading (Disabled)");
	memcpy(frac, sdr_temp, sizeof(frac));
	frac[29] = 0xf0;
	assert_int_equal(ipmi_sdr_parse(frac, sizeof(frac), &f), 0);
	assert_int_equal(ipmi_temperature_line(&f, &half, "10.0.0.1", &b, msg, sizeof(msg)), 0);
	assert_string_equal(buf_str(&b), "23\n23.5\n");
	buf_release(&b);
}

static void sel_is(const uint8_t *rec, const struct ipmi_sensor *s, size_t n, const char *want)
{
	struct buf b = BUF_INIT;

	assert_int_equal(ipmi_sel_line(rec, 16, s, n, &b), 0);
	assert_string_equal(buf_str(&b), want);
	buf_release(&b);
}

static void test_sel_lines(void **state)
{
	/* 1764556552 = 12/01/25 02:35:52 UTC */
	static const uint8_t power_off[16] = { 0x01, 0x00, 0x02, 0x08, 0xff, 0x2c, 0x69, 0x20, 0x00,
					       0x04, 0x09, 0x10, 0x6f, 0x00, 0xff, 0xff };
	static const uint8_t thresh[16] = { 0x1a, 0x01, 0x02, 0x08, 0xff, 0x2c, 0x69, 0x20, 0x00,
					    0x04, 0x01, 0x01, 0x01, 0x59, 0x30, 0x2d };
	static const uint8_t thresh_de[16] = { 0x1b, 0x01, 0x02, 0x08, 0xff, 0x2c, 0x69, 0x20, 0x00,
					       0x04, 0x01, 0x01, 0x81, 0x57, 0x2c, 0x2d };
	static const uint8_t preinit[16] = { 0x02, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00, 0x20, 0x00,
					     0x04, 0x1d, 0x00, 0x6f, 0x01, 0xff, 0xff };
	static const uint8_t oem[16] = { 0x03, 0x00, 0xc1, 0x08, 0xff, 0x2c, 0x69, 0x57, 0x01, 0x00,
					 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01 };
	static const uint8_t unknown[16] = { 0x04, 0x00, 0x02, 0x08, 0xff, 0x2c, 0x69, 0x20, 0x00,
					     0x04, 0x99, 0x05, 0x03, 0x01, 0xff, 0xff };
	struct ipmi_sensor s;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(ipmi_sdr_parse(sdr_temp, sizeof(sdr_temp), &s), 0);
	sel_is(power_off, &s, 1,
	       "1 | 12/01/25 | 02:35:52 UTC | Power Unit #0x10 | Power off/down | Asserted\n");
	sel_is(thresh, &s, 1, "11a | 12/01/25 | 02:35:52 UTC | Temperature Temp | Upper Critical "
			      "going high | Asserted | Reading 48 > Threshold 45 degrees C\n");
	sel_is(thresh_de, &s, 1, "11b | 12/01/25 | 02:35:52 UTC | Temperature Temp | Upper "
				 "Non-critical going high | Deasserted | Reading 44 < Threshold 45 degrees C\n");
	/* without its sensor record: no name, no reading */
	sel_is(thresh, NULL, 0, "11a | 12/01/25 | 02:35:52 UTC | Temperature #0x01 | Upper "
				"Critical going high | Asserted\n");
	sel_is(preinit, NULL, 0, "2 |  Pre-Init  |0000000012| System Boot Initiated | Initiated "
				 "by hard reset | Asserted\n");
	sel_is(oem, NULL, 0, "3 | 12/01/25 | 02:35:52 UTC | OEM record c1 | 570100 | deadbeef0001\n");
	sel_is(unknown, NULL, 0, "4 | 12/01/25 | 02:35:52 UTC | Unknown #0x05 | State Asserted | "
				 "Asserted\n");
	assert_int_equal(ipmi_sel_line(power_off, 15, NULL, 0, &(struct buf)BUF_INIT), -EINVAL);
}

static void test_fru(void **state)
{
	struct buf b = BUF_INIT;
	uint8_t bad[sizeof(fru)];

	(void)state;
	assert_int_equal(ipmi_fru_print(fru, sizeof(fru), &b), 0);
	assert_string_equal(buf_str(&b),
			    " Board Mfg Date        : Unspecified\n"
			    " Board Mfg             : Sysman Testbed\n"
			    " Board Product         : TB-Server board\n"
			    " Board Serial          : TB7F050101\n"
			    " Board Part Number     : TB-Server-1-MB\n"
			    " Product Manufacturer  : Sysman Testbed\n"
			    " Product Name          : TB-Server\n"
			    " Product Part Number   : TB-Server-1\n"
			    " Product Version       : 1.0\n"
			    " Product Serial        : TB7F050101\n");
	buf_release(&b);
	memcpy(bad, fru, sizeof(bad));
	bad[7] ^= 1;   /* header checksum */
	assert_int_equal(ipmi_fru_print(bad, sizeof(bad), &b), -EINVAL);
	assert_int_equal(ipmi_fru_print(fru, 7, &b), -EINVAL);
	/* an area that claims more than there is stops at the end */
	assert_int_equal(ipmi_fru_print(fru, 100, &b), 0);
	assert_non_null(strstr(buf_str(&b), " Board Part Number     : TB-Server-1-MB\n"));
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prop_names),
		cmocka_unit_test(test_request_checks),
		cmocka_unit_test(test_bootorder),
		cmocka_unit_test(test_sdr_parse),
		cmocka_unit_test(test_sensor_lines),
		cmocka_unit_test(test_temperature),
		cmocka_unit_test(test_sel_lines),
		cmocka_unit_test(test_fru),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
