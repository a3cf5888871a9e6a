/* Unit tests for src/special/dline.c: discovery lines and "set" words. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "special/dline.h"

static void test_parse_fields(void **state)
{
	struct dline d;
	char why[256];

	(void)state;
	assert_int_equal(dline_parse("bmc 10.0.0.5:623 b5 protocol=auto verify=no parent=/x/y",
				     &d, why, sizeof(why)), 0);
	assert_string_equal(d.kind, "bmc");
	assert_string_equal(d.addr, "10.0.0.5:623");
	assert_string_equal(d.name, "b5");
	assert_string_equal(d.parent, "x/y");
	assert_string_equal(d.attrs, "protocol=auto verify=no");
}

static void test_parse_refusals(void **state)
{
	static const struct { const char *line, *why; } bad[] = {
		{ "server", "expected KIND ADDRESS" },
		{ "ser/ver 10.0.0.1", "bad kind" },
		{ "server 10.0.0.1;rm", "bad address" },
		{ "server 10.0.0.1 ..", "bad name" },
		{ "server 10.0.0.1 n1 parent=../etc", "bad parent" },
		{ "server 10.0.0.1 n1 n2", "unexpected word" },
	};
	struct dline d;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(dline_parse(bad[i].line, &d, why, sizeof(why)), -EINVAL);
		assert_non_null(strstr(why, bad[i].why));
	}
}

static void test_set_words(void **state)
{
	(void)state;
	assert_string_equal(dline_set_words("set protocol=redfish"), "protocol=redfish");
	assert_string_equal(dline_set_words("  set\ta=1"), "a=1");
	assert_null(dline_set_words("settle 10.0.0.1"));
	assert_null(dline_set_words("server 10.0.0.1"));
}

static void test_attrs_put_replaces(void **state)
{
	char a[64] = "protocol=auto verify=no";

	(void)state;
	assert_int_equal(dline_attrs_put(a, sizeof(a), "protocol=redfish"), 0);
	assert_string_equal(a, "verify=no protocol=redfish");
	assert_int_equal(dline_attrs_put(a, sizeof(a), "rack=7"), 0);
	assert_string_equal(a, "verify=no protocol=redfish rack=7");
	/* refused: bad keys, parent, spaces in values; a is unchanged */
	assert_int_equal(dline_attrs_put(a, sizeof(a), "=x"), -EINVAL);
	assert_int_equal(dline_attrs_put(a, sizeof(a), "1k=x"), -EINVAL);
	assert_int_equal(dline_attrs_put(a, sizeof(a), "parent=/etc"), -EINVAL);
	assert_int_equal(dline_attrs_put(a, sizeof(a), "k-y=x"), -EINVAL);
	assert_int_equal(dline_attrs_put(a, sizeof(a), "k=x y"), -EINVAL);
	assert_int_equal(dline_attrs_put(a, sizeof(a), "noequals"), -EINVAL);
	assert_string_equal(a, "verify=no protocol=redfish rack=7");
	/* does not fit: unchanged */
	assert_int_equal(dline_attrs_put(a, 40, "long=xxxxxxxxxxxxxxxxxxxx"), -EINVAL);
	assert_string_equal(a, "verify=no protocol=redfish rack=7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_set_words),
		cmocka_unit_test(test_attrs_put_replaces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
