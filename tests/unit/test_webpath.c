/* Unit tests for src/web/path.c: which URL paths the web interface
 * accepts before it opens anything. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "web/web.h"

static void ok(const char *in, const char *want)
{
	char out[64];

	assert_int_equal(tree_clean_path(in, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_clean_paths(void **state)
{
	ok("", ".");
	ok("/", ".");
	ok("systems/servers/n1/power", "systems/servers/n1/power");
	ok("//systems///servers/", "systems/servers");
	ok("/a b/c.status", "a b/c.status");
	ok("..a/b..", "..a/b..");                /* names that only start with dots */
	ok("n[1-20]/@rack1/*", "n[1-20]/@rack1/*");
}

static void test_refused_paths(void **state)
{
	char out[16];

	assert_int_equal(tree_clean_path("a/../b", out, sizeof(out)), -EINVAL);
	assert_int_equal(tree_clean_path("..", out, sizeof(out)), -EINVAL);
	assert_int_equal(tree_clean_path("a/./b", out, sizeof(out)), -EINVAL);
	assert_int_equal(tree_clean_path("/.", out, sizeof(out)), -EINVAL);
	assert_int_equal(tree_clean_path("a\nb", out, sizeof(out)), -EINVAL);
	assert_int_equal(tree_clean_path("a\x7f", out, sizeof(out)), -EINVAL);
	assert_int_equal(tree_clean_path("abcdefghijklmnopq", out, sizeof(out)), -ENAMETOOLONG);
	assert_int_equal(tree_clean_path("a", out, 1), -ENAMETOOLONG);
}

static void test_encoded_separators(void **state)
{
	assert_true(web_url_path_ok("/api/tree/systems/n%5B1-2%5D/power"));
	assert_true(web_url_path_ok("/api/batch?path=systems%2Fservers%2F*"));   /* in the query */
	assert_false(web_url_path_ok("/api/tree/..%2f..%2fetc"));
	assert_false(web_url_path_ok("/api/tree/a%2Fb"));
	assert_false(web_url_path_ok("/api/tree/a%5cb"));
	assert_false(web_url_path_ok("/api/tree/a%00"));
	assert_true(web_url_path_ok("/api/tree/a%2"));                          /* cut short: harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_paths),
		cmocka_unit_test(test_refused_paths),
		cmocka_unit_test(test_encoded_separators),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
