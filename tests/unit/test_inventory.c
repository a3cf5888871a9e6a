/* Unit tests for src/db/inventory.c: a device's "key=value" attributes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "db/inventory.h"

static void join(const char *key, size_t klen, const char *val, size_t vlen, void *arg)
{
	char *out = arg;
	size_t l = strlen(out);

	snprintf(out + l, 256 - l, "[%.*s|%.*s]", (int)klen, key, (int)vlen, val);
}

static void test_attrs_each_skips_words_without_key(void **state)
{
	char out[256] = "";

	(void)state;
	device_attrs_each("  bmc=127.1.1.1 bare =x rack=  k=a=b", join, out);
	assert_string_equal(out, "[bmc|127.1.1.1][rack|][k|a=b]");
	out[0] = '\0';
	device_attrs_each(NULL, join, out);
	device_attrs_each("", join, out);
	assert_string_equal(out, "");
}

static void test_attr_finds_exact_key(void **state)
{
	char v[8];

	(void)state;
	assert_int_equal(device_attr("bmcx=1 bmc=127.1.1.1", "bmc", v, sizeof(v)), 1);
	assert_string_equal(v, "127.1.1");          /* cut to fit */
	assert_int_equal(device_attr("bmcx=1", "bmc", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_int_equal(device_attr("a=1 a=2", "a", v, sizeof(v)), 1);
	assert_string_equal(v, "1");                /* the first wins */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attrs_each_skips_words_without_key),
		cmocka_unit_test(test_attr_finds_exact_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
