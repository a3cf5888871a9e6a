/* Unit tests for src/redfish/props.c: written words and Redfish JSON to
 * the texts of the IPMI files, without a BMC. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "redfish/props.h"

static void check(enum rf_prop prop, bool write, const char *in, int want, const char *want_msg)
{
	struct rf_request rq = { .prop = prop, .write = write, .input = in, .input_len = strlen(in) };
	char msg[256] = "";

	assert_int_equal(rf_request_check(&rq, msg, sizeof(msg)), want);
	if (want_msg)
		assert_string_equal(msg, want_msg);
}

static void test_written_values(void **state)
{
	const char *reset, *word;

	(void)state;
	assert_int_equal(rf_power_parse("cycle\n", 6, &reset, &word), 0);
	assert_string_equal(reset, "PowerCycle");
	assert_string_equal(word, "on");
	assert_int_equal(rf_power_parse(" soft", 5, &reset, &word), 0);
	assert_string_equal(reset, "GracefulShutdown");
	assert_string_equal(word, "off");
	check(RF_PROP_POWER, true, "maybe\n", -EINVAL,
	      "invalid power value 'maybe': expected on, off, cycle, reset, soft, 1 or 0");
	check(RF_PROP_POWER, false, "", 0, NULL);
	check(RF_PROP_FRU, true, "x", -EOPNOTSUPP, "no write operation for 'fru'");
	check(RF_PROP_EVENTLOG, true, " Clear\n", 0, NULL);
	check(RF_PROP_EVENTLOG, true, "clean", -EINVAL, "eventlog accepts only 'clear'");
	check(RF_PROP_BOOTORDER, true, "", -EINVAL,
	      "empty boot order: expected e.g. \"network, floppy, cdrom, harddisk\"");
}

static void test_bootorder(void **state)
{
	char body[160], msg[256];
	struct buf out = BUF_INIT;

	(void)state;
	assert_int_equal(rf_bootorder_parse("cd, pxe", 7, body, sizeof(body), &out, msg, sizeof(msg)), 0);
	assert_string_equal(body, "{\"Boot\":{\"BootSourceOverrideTarget\":\"Cd\","
			    "\"BootSourceOverrideEnabled\":\"Continuous\"}}");
	assert_string_equal(out.data, "cdrom, network, floppy, harddisk\n");
	buf_reset(&out);
	assert_int_equal(rf_bootorder_parse("default", 7, body, sizeof(body), &out, msg, sizeof(msg)), 0);
	assert_non_null(strstr(body, "\"Disabled\""));
	assert_string_equal(out.data, "network, floppy, cdrom, harddisk\n");
	assert_int_equal(rf_bootorder_parse("tape", 4, body, sizeof(body), NULL, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "boot device 'tape' has no IPMI mapping (known: network, floppy, cdrom, harddisk)");
	buf_release(&out);
}

static char *text_of(enum rf_prop prop, const char *json, int want_rc)
{
	json_t *j = json_loads(json, 0, NULL);
	struct buf out = BUF_INIT;
	char msg[256];
	char *s;

	assert_int_equal(rf_props_text(prop, j, &out, msg, sizeof(msg)), want_rc);
	json_decref(j);
	s = strdup(want_rc == 0 ? (out.data ? out.data : "") : msg);
	buf_release(&out);
	return s;
}

static void test_texts(void **state)
{
	char *s;

	(void)state;
	s = text_of(RF_PROP_POWER, "{\"PowerState\": \"PoweringOn\"}", 0);
	assert_string_equal(s, "on\n");
	free(s);
	s = text_of(RF_PROP_POWER, "{\"PowerState\": \"Off\"}", 0);
	assert_string_equal(s, "off\n");
	free(s);
	s = text_of(RF_PROP_POWER, "{}", -EIO);
	assert_string_equal(s, "the system has no PowerState");
	free(s);
	s = text_of(RF_PROP_TEMPERATURE, "{\"Temperatures\": [{\"Name\": \"a\"}, {\"ReadingCelsius\": 23.5}]}", 0);
	assert_string_equal(s, "23.5\n");
	free(s);
	s = text_of(RF_PROP_TEMPERATURE, "{\"Temperatures\": []}", -ENODATA);
	free(s);
	s = text_of(RF_PROP_SENSORS, "{\"Temperatures\": [{\"Name\": \"CPU\", \"ReadingCelsius\": 91,"
		    " \"Status\": {\"Health\": \"Critical\"}}, {\"Name\": \"Gone\", \"Status\": {\"State\": \"Absent\"}}],"
		    " \"Fans\": [{\"Name\": \"FAN1\", \"Reading\": 40, \"ReadingUnits\": \"Percent\"}]}", 0);
	assert_string_equal(s, "CPU | 91 degrees C | cr\nGone | no reading | ns\nFAN1 | 40 percent | ok\n");
	free(s);
	s = text_of(RF_PROP_BOOTORDER, "{\"Boot\": {\"BootSourceOverrideEnabled\": \"Once\","
		    " \"BootSourceOverrideTarget\": \"Hdd\"}}", 0);
	assert_string_equal(s, "harddisk, network, floppy, cdrom\n");
	free(s);
	s = text_of(RF_PROP_EVENTLOG, "{\"Members\": []}", 0);
	assert_string_equal(s, "");
	free(s);
	s = text_of(RF_PROP_FRU, "{\"Manufacturer\": \"M\", \"SerialNumber\": \"S1\"}", 0);
	assert_string_equal(s, " Product Manufacturer  : M\n Product Serial        : S1\n");
	free(s);
}

static void test_login_body_escapes(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(rf_login_body("ad\"min", "p\\w\n", &b), 0);
	assert_string_equal(b.data, "{\"UserName\":\"ad\\\"min\",\"Password\":\"p\\\\w\\u000a\"}");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_written_values),
		cmocka_unit_test(test_bootorder),
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_login_body_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
