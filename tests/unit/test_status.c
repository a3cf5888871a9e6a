/* Unit tests for src/special/status.c: the "<rc> [message]" line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "special/status.h"
#include "util/buf.h"

static void expect_format(int rc, const char *msg, const char *want)
{
	struct buf b = BUF_INIT;

	assert_int_equal(status_format(&b, rc, msg), 0);
	assert_string_equal(buf_str(&b), want);
	buf_release(&b);
}

static void test_format(void **state)
{
	(void)state;
	expect_format(0, NULL, "0\n");
	expect_format(0, "", "0\n");
	expect_format(1, "failed", "1 failed\n");
	expect_format(124, "timed out after 30s", "124 timed out after 30s\n");
	expect_format(-5, "negative", "-5 negative\n");
	/* trailing blanks go, so a message of only blanks is no message */
	expect_format(3, "   ", "3\n");
	expect_format(3, "x  \n", "3 x\n");
}

static void test_control_chars_stripped(void **state)
{
	(void)state;
	expect_format(2, "line one\nline two", "2 line one line two\n");
	expect_format(2, "a\tb\rc\033[31md\x7f" "e", "2 a b c [31md e\n");
	expect_format(2, "bell\a", "2 bell\n");
}

static void test_long_message_capped(void **state)
{
	char *msg = malloc(5000);
	struct buf b = BUF_INIT;
	int rc;
	char back[STATUS_MSG_MAX + 100];

	(void)state;
	memset(msg, 'm', 4999);
	msg[4999] = '\0';
	assert_int_equal(status_format(&b, 7, msg), 0);
	/* "7 " + at most STATUS_MSG_MAX bytes + "\n" */
	assert_int_equal(b.len, 2 + STATUS_MSG_MAX + 1);
	assert_int_equal(b.data[b.len - 1], '\n');
	assert_ptr_equal(strchr(b.data, '\n'), b.data + b.len - 1);
	assert_int_equal(status_parse(buf_str(&b), &rc, back, sizeof(back)), 0);
	assert_int_equal(rc, 7);
	assert_int_equal(strlen(back), STATUS_MSG_MAX);
	buf_release(&b);
	free(msg);
}

static void round_trip(int rc, const char *msg, const char *want_msg)
{
	struct buf b = BUF_INIT;
	char back[STATUS_MSG_MAX + 1];
	int rc2 = -999;

	assert_int_equal(status_format(&b, rc, msg), 0);
	assert_int_equal(status_parse(buf_str(&b), &rc2, back, sizeof(back)), 0);
	assert_int_equal(rc2, rc);
	assert_string_equal(back, want_msg);
	buf_release(&b);
}

static void test_round_trip(void **state)
{
	(void)state;
	round_trip(0, NULL, "");
	round_trip(0, "ok", "ok");
	round_trip(1, "ssh: connect to host 10.0.0.1 port 22: refused",
		   "ssh: connect to host 10.0.0.1 port 22: refused");
	round_trip(137, "agent killed by signal 9 (Killed)", "agent killed by signal 9 (Killed)");
	round_trip(2, "two\nlines", "two lines");
	round_trip(-1, "minus", "minus");
}

static void test_parse(void **state)
{
	char msg[16];
	int rc = -999;

	(void)state;
	assert_int_equal(status_parse("0", &rc, msg, sizeof(msg)), 0);
	assert_int_equal(rc, 0);
	assert_string_equal(msg, "");
	assert_int_equal(status_parse("42\n", &rc, NULL, 0), 0);
	assert_int_equal(rc, 42);
	assert_int_equal(status_parse("3   spaced out\nsecond line\n", &rc, msg, sizeof(msg)), 0);
	assert_int_equal(rc, 3);
	assert_string_equal(msg, "spaced out");
	/* the message is cut to the buffer, NUL-terminated */
	assert_int_equal(status_parse("1 0123456789abcdefXYZ", &rc, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "0123456789abcde");
}

static void test_parse_errors(void **state)
{
	char msg[16] = "keep";
	int rc = 99;

	(void)state;
	assert_int_equal(status_parse("", &rc, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(status_parse("abc", &rc, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(status_parse("12x", &rc, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(status_parse(" 1", &rc, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(status_parse("--5", &rc, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(status_parse("5-3", &rc, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(status_parse("99999999999999999999", &rc, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(status_parse("1\tx", &rc, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(rc, 99);
}

static void test_status_name(void **state)
{
	(void)state;
	assert_true(status_is_status_name("power.status"));
	assert_true(status_is_status_name("a.status"));
	assert_false(status_is_status_name(".status"));
	assert_false(status_is_status_name("status"));
	assert_false(status_is_status_name("power.statusx"));
	assert_false(status_is_status_name("power.stat"));
	assert_false(status_is_status_name(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_control_chars_stripped),
		cmocka_unit_test(test_long_message_capped),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_status_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
