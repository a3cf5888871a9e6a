/* Unit tests for src/special/gather.c: clush -b style gathered output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "special/gather.h"
#include "util/buf.h"

#define ITEM(node, data) { (char *)(node), (char *)(data), sizeof(data) - 1, 0, NULL }

static void expect_format(const struct gather_item *items, size_t n, bool lines, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(gather_format(items, n, lines, &b), 0);
	assert_string_equal(buf_str(&b), want);
	buf_release(&b);
}

static void test_blocks(void **state)
{
	const struct gather_item items[] = {
		ITEM("n10", "up\n"), ITEM("n2", "down"), ITEM("n1", "up\n"),
		ITEM("n3", ""), ITEM("n9", "up\n"), ITEM("m1", "down"),
	};

	(void)state;
	expect_format(items, 6, false,
		      "---------------\nn[1,9-10] (3)\n---------------\nup\n"
		      "---------------\nm1,n2 (2)\n---------------\ndown\n");
	expect_format(items, 6, true, "m1: down\nn1: up\nn2: down\nn9: up\nn10: up\n");
	expect_format(items, 0, false, "");
}

static void test_ties_and_lines(void **state)
{
	const struct gather_item items[] = {
		ITEM("b2", "x\n"), ITEM("a1", "y\ny2\n"), ITEM("b1", "z\n\n"),
	};

	(void)state;
	/* one node each: by first node */
	expect_format(items, 3, false,
		      "---------------\na1\n---------------\ny\ny2\n"
		      "---------------\nb1\n---------------\nz\n\n"
		      "---------------\nb2\n---------------\nx\n");
	expect_format(items, 3, true, "a1: y\na1: y2\nb1: z\nb1: \nb2: x\n");
}

static void test_limit(void **state)
{
	const struct gather_item items[] = { ITEM("n1", "0123456789") };
	struct buf b;

	(void)state;
	buf_init(&b, 16);
	assert_int_equal(gather_format(items, 1, false, &b), -E2BIG);
	buf_release(&b);
	assert_true(gather_natural_cmp("n9", "n10") < 0);
	assert_true(gather_natural_cmp("n010", "n9") > 0);
	assert_int_equal(gather_natural_cmp("a", "a"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_ties_and_lines),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
