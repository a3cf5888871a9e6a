/* Unit tests for src/util/strutil.c: number parsing and line splitting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/strutil.h"

struct seen {
	char lines[8][64];
	int n;
	int stop_at;          /* return 7 at this line index, or -1 */
};

static int collect(char *line, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		snprintf(s->lines[s->n], sizeof(s->lines[0]), "%s", line);
	line[0] = 'X';        /* the copy is writable and not the input */
	return s->n++ == s->stop_at ? 7 : 0;
}

static void test_each_line_splits_and_keeps_empty_lines(void **state)
{
	const char *text = "a\n\nbc\nlast";
	struct seen s = { .stop_at = -1 };

	(void)state;
	assert_int_equal(str_each_line(text, 64, collect, &s), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.lines[0], "a");
	assert_string_equal(s.lines[1], "");
	assert_string_equal(s.lines[2], "bc");
	assert_string_equal(s.lines[3], "last");
	assert_string_equal(text, "a\n\nbc\nlast");
}

static void test_each_line_skips_long_lines_and_stops(void **state)
{
	struct seen s = { .stop_at = -1 };

	(void)state;
	/* "abcd" is 4 bytes: with max 4 it is skipped, "abc" is kept */
	assert_int_equal(str_each_line("abcd\nabc\n", 4, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.lines[0], "abc");
	memset(&s, 0, sizeof(s));
	s.stop_at = 1;
	assert_int_equal(str_each_line("1\n2\n3\n", 64, collect, &s), 7);
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof(s));
	s.stop_at = -1;
	assert_int_equal(str_each_line("", 64, collect, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(str_each_line("\n", 64, collect, &s), 0);
	assert_int_equal(s.n, 1);
}

static void test_each_line_caps_max(void **state)
{
	static char big[STR_LINE_MAX + 10];
	struct seen s = { .stop_at = -1 };

	(void)state;
	memset(big, 'x', STR_LINE_MAX + 5);
	big[STR_LINE_MAX + 5] = '\0';
	/* a max beyond STR_LINE_MAX is capped: the long line is skipped */
	assert_int_equal(str_each_line(big, (size_t)1 << 20, collect, &s), 0);
	assert_int_equal(s.n, 0);
}

static void test_parse_int_bounds(void **state)
{
	int v = 42;

	(void)state;
	assert_int_equal(parse_int("7", 1, 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(parse_int("11", 1, 10, &v), -ERANGE);
	assert_int_equal(parse_int("x", 1, 10, &v), -EINVAL);
	assert_int_equal(v, 7);
}

static void test_rc_name(void **state)
{
	char tmp[32];

	(void)state;
	assert_string_equal(str_rc_name(0, tmp, sizeof(tmp)), "0");
	assert_string_equal(str_rc_name(-ETIMEDOUT, tmp, sizeof(tmp)), "-ETIMEDOUT");
	assert_string_equal(str_rc_name(-100000, tmp, sizeof(tmp)), "-100000");
	assert_string_equal(str_rc_name(7, tmp, sizeof(tmp)), "7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_line_splits_and_keeps_empty_lines),
		cmocka_unit_test(test_each_line_skips_long_lines_and_stops),
		cmocka_unit_test(test_each_line_caps_max),
		cmocka_unit_test(test_parse_int_bounds),
		cmocka_unit_test(test_rc_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
