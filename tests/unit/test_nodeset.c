/* Unit tests for src/util/nodeset.c and nodeset_fold.c: node sets in
 * ClusterShell's syntax (tests/compat/nodeset_compat.py compares with
 * ClusterShell's own nodeset command). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/nodeset.h"

/* Collects names as "a b c". */
static int join(const char *name, void *arg)
{
	struct buf *b = arg;

	if (b->len)
		buf_append_str(b, " ");
	buf_append_str(b, name);
	return 0;
}

static void expect_names(const char *pattern, int count, const char *names)
{
	struct buf b;
	size_t pos = 12345;
	int r;

	buf_init(&b, 0);
	r = nodeset_expand(pattern, join, &b, &pos);
	if (r != count || strcmp(buf_str(&b), names) != 0)
		fail_msg("'%s': got %d '%s', want %d '%s'", pattern, r, buf_str(&b), count, names);
	assert_int_equal(pos, 12345);   /* untouched on success */
	buf_release(&b);
}

static void expect_error(const char *pattern, size_t want_pos)
{
	struct buf b;
	size_t pos = 12345;
	int r;

	buf_init(&b, 0);
	r = nodeset_expand(pattern, join, &b, &pos);
	if (r != -EINVAL)
		fail_msg("'%s': got %d '%s', want -EINVAL", pattern, r, buf_str(&b));
	if (pos != want_pos)
		fail_msg("'%s': error at %zu, want %zu", pattern, pos, want_pos);
	buf_release(&b);
}

static void test_plain(void **state)
{
	(void)state;
	expect_names("n1", 1, "n1");
	expect_names("", 0, "");
	expect_names("node-a.lab", 1, "node-a.lab");
}

static void test_ranges(void **state)
{
	(void)state;
	expect_names("n[1-4,7]", 5, "n1 n2 n3 n4 n7");
	expect_names("n[3]", 1, "n3");
	expect_names("n[9-11]", 3, "n9 n10 n11");
	expect_names("[1-3]", 3, "1 2 3");
	expect_names("n[1-2]x", 2, "n1x n2x");
	expect_names("n[5-5]", 1, "n5");
	expect_names("n[7,1-2]", 3, "n1 n2 n7");   /* a set: sorted */
	expect_names("n[1,1-3]", 3, "n1 n2 n3");
}

static void test_padding(void **state)
{
	(void)state;
	expect_names("n[01-03]", 3, "n01 n02 n03");
	expect_names("n[08-11]", 4, "n08 n09 n10 n11");
	expect_names("n[001-002]", 2, "n001 n002");
	expect_names("n[0-2]", 3, "n0 n1 n2");
	expect_names("n[007]", 1, "n007");
	expect_names("n[01-02,5]", 3, "n5 n01 n02");   /* by (length, value) */
	expect_names("n[098-101]", 4, "n098 n099 n100 n101");
	expect_names("n[8-11],n[08-11]", 6, "n8 n9 n08 n09 n10 n11");
	expect_names("n0,n00", 2, "n0 n00");
	/* the bounds of a padded range have the same length, as in ClusterShell */
	expect_error("n[1-010]", 2);
	expect_error("n[01-1]", 2);
}

static void test_steps(void **state)
{
	(void)state;
	expect_names("n[1-10/3]", 4, "n1 n4 n7 n10");
	expect_names("n[1-9/4]", 3, "n1 n5 n9");
	expect_names("n[0-10/5]", 3, "n0 n5 n10");
	expect_names("n[1-2/10]", 1, "n1");
	expect_names("n[01-05/2]", 3, "n01 n03 n05");
}

static void test_groups_multiply(void **state)
{
	(void)state;
	expect_names("r[1-2]n[1-3]", 6, "r1n1 r1n2 r1n3 r2n1 r2n2 r2n3");
	expect_names("r[1-2]n[01-02]", 4, "r1n01 r1n02 r2n01 r2n02");
	expect_names("[1-2]-[3-4]", 4, "1-3 1-4 2-3 2-4");
	/* names with several numbers come in the order of their fold */
	expect_names("r[1-2]n[1-3]!r1n2", 5, "r2n1 r2n2 r2n3 r1n1 r1n3");
	expect_error("[1-2][a]", 6);
}

static void test_commas(void **state)
{
	(void)state;
	expect_names("a,b", 2, "a b");
	expect_names("a,b[3-5/2]", 3, "a b3 b5");
	expect_names("n[1-2],m[1,3]", 4, "m1 m3 n1 n2");
	expect_names("x,y,z", 3, "x y z");
}

/* Errors free what was parsed so far (LeakSanitizer checks). */
static void test_errors(void **state)
{
	(void)state;
	expect_error("n[", 2);
	expect_error("n[]", 2);
	expect_error("n[1-3", 5);
	expect_error("n[5-1]", 4);
	expect_error("n[1-3]!", 7);
	expect_error("!n1", 0);
	expect_error("n1&&n2", 3);
	expect_error("n[1-3]^ ", 8);
	expect_error("n[1!2]", 3);
	expect_error("n[a]", 2);
	expect_error("n[1-3/0]", 6);
	expect_error("ab]", 2);
	expect_error(",a", 0);
	expect_error("a,,b", 2);
	expect_error("a,", 2);
	expect_error("n[1-3],", 7);
	expect_error("x,n[1-]", 6);
	expect_error("n[1[2]]", 3);
	expect_error("n[1,x]", 4);
}

/* The offset is that of the offending character. */
static void test_error_position_is_exact(void **state)
{
	(void)state;
	expect_error("n[1-x]", 4);        /* 'x' */
	expect_error("n[1,2,x]", 6);      /* 'x' */
	expect_error("n[1-3", 5);         /* end of pattern: ']' missing */
}

static int count_only(const char *name, void *arg)
{
	(void)name;
	++*(long *)arg;
	return 0;
}

static void test_max(void **state)
{
	long n = 0;
	char pat[64];

	(void)state;
	snprintf(pat, sizeof(pat), "n[1-%d]", NODESET_MAX_DEFAULT);
	assert_int_equal(nodeset_expand(pat, count_only, &n, NULL), NODESET_MAX_DEFAULT);
	assert_int_equal(n, NODESET_MAX_DEFAULT);
	n = 0;
	snprintf(pat, sizeof(pat), "n[1-%d]", NODESET_MAX_DEFAULT + 1);
	assert_int_equal(nodeset_expand(pat, count_only, &n, NULL), -E2BIG);
	assert_int_equal(n, 0);   /* refused before any name is made */
	/* products count too */
	assert_int_equal(nodeset_expand("a[1-1001]b[1-100]", count_only, &n, NULL), -E2BIG);
	/* and names over several operands, intermediate results included */
	snprintf(pat, sizeof(pat), "n[1-%d],m", NODESET_MAX_DEFAULT);
	assert_int_equal(nodeset_expand(pat, count_only, &n, NULL), -E2BIG);
	snprintf(pat, sizeof(pat), "n[1-%d],m!m", NODESET_MAX_DEFAULT);
	assert_int_equal(nodeset_expand(pat, count_only, &n, NULL), -E2BIG);
	assert_int_equal(n, 0);
}

static int stop_after_two(const char *name, void *arg)
{
	int *seen = arg;

	(void)name;
	return ++*seen == 2 ? 77 : 0;
}

static void test_callback_stops(void **state)
{
	int seen = 0;

	(void)state;
	assert_int_equal(nodeset_expand("n[1-10]", stop_after_two, &seen, NULL), 77);
	assert_int_equal(seen, 2);
}

static void test_null_pos_allowed(void **state)
{
	long n = 0;

	(void)state;
	assert_int_equal(nodeset_expand("n[", count_only, &n, NULL), -EINVAL);
	assert_int_equal(nodeset_expand("a,", count_only, &n, NULL), -EINVAL);
}

static int keep_last(const char *name, void *arg)
{
	struct buf *b = arg;

	buf_reset(b);
	buf_append_str(b, name);
	return 0;
}

/* A name over NODESET_NAME_MAX is refused, never cut. */
static void test_long_name_not_cut(void **state)
{
	char *pat = malloc(5001);
	struct buf b;
	size_t len;
	int r;

	(void)state;
	memset(pat, 'a', 4997);
	memcpy(pat + 4997, "[1]", 4);
	buf_init(&b, 0);
	r = nodeset_expand(pat, keep_last, &b, NULL);
	len = b.len;
	buf_release(&b);
	free(pat);
	assert_int_equal(r, -ENAMETOOLONG);
	assert_int_equal(len, 0);
}

/* ------------------------------------------------ the set API, folding */

static void expect_fold_res(const char *text, const struct nodeset_resolver *res,
			    const char *want)
{
	struct nodeset *ns = nodeset_new(0);
	struct nodeset_error err = { 0, "" };
	char *got = NULL;
	int r;

	assert_non_null(ns);
	r = nodeset_parse(ns, text, res, &err);
	if (r != 0)
		fail_msg("'%s': %d at %zu: %s", text, r, err.pos, err.msg);
	assert_int_equal(nodeset_fold(ns, &got), 0);
	if (strcmp(got, want) != 0)
		fail_msg("'%s' folds to '%s', want '%s'", text, got, want);
	free(got);
	nodeset_free(ns);
}

static void expect_fold(const char *text, const char *want)
{
	expect_fold_res(text, NULL, want);
}

/* Each expected value is what ClusterShell 1.9's `nodeset -f` prints. */
static void test_operators(void **state)
{
	(void)state;
	expect_fold("n[1-10]!n[3-5]", "n[1-2,6-10]");
	expect_fold("n[1-10]&n[5-20]", "n[5-10]");
	expect_fold("n[1-5]^n[3-8]", "n[1-2,6-8]");
	/* one precedence, left to right */
	expect_fold("n[1-10]!n[3-5]&n[1-8]", "n[1-2,6-8]");
	expect_fold("n[1-5]^n[3-8],x", "n[1-2,6-8],x");
	expect_fold("n1,n2!n1", "n2");
	expect_fold("n1!n1", "");
	expect_fold(" n1 , n2 ", "n[1-2]");
	expect_fold("n1@x", "n1@x");   /* '@' only starts an operand */
}

static void test_fold(void **state)
{
	(void)state;
	expect_fold("n10,n2,n1", "n[1-2,10]");
	expect_fold("n01,n1", "n[1,01]");
	expect_fold("n[9-10],n05", "n[9,05,10]");
	expect_fold("n[95-100],n[098-099]", "n[95-99,098-100]");
	expect_fold("n[1-20/3],n[02-05]", "n[1,4,7,02-05,10,13,16,19]");
	expect_fold("b1,a2,a%1,a1b2,a,ab1", "a,a%1,a2,a1b2,ab1,b1");
	expect_fold("1,2,3", "[1-3]");
	expect_fold("n1.eth0,n2.eth0", "n[1-2].eth0");
	expect_fold("n[1-2]-[01-02]", "n[1-2]-[01-02]");
	/* several numbers: rectangles, largest first */
	expect_fold("r1n1,r2n1,r2n2", "r[1-2]n1,r2n2");
	expect_fold("r1n1,r1n2,r2n2", "r1n[1-2],r2n2");
	expect_fold("r[1-2]n[1-3]!r1n2", "r2n[1-3],r1n[1,3]");
	expect_fold("r1n[1-3],r2n[1-2],r3n[1-3]", "r[1,3]n[1-3],r2n[1-2]");
	expect_fold("r[1-3]n1,r1n[2-3]", "r1n[1-3],r[2-3]n1");
	expect_fold("x[5-6]y[1-2],x[1-2]y[3-4]", "x[1-2]y[3-4],x[5-6]y[1-2]");
	expect_fold("a1b1c1,a1b1c2,a2b1c1", "a1b1c[1-2],a2b1c1");
	expect_fold("127.7.0.[1-250],127.7.1.[1-250],127.7.2.[1-10]",
		    "127.7.[0-1].[1-250],127.7.2.[1-10]");
	/* digit runs past 18 digits are text */
	expect_fold("n1234567890123456789,n1234567890123456788",
		    "n1234567890123456788,n1234567890123456789");
}

static void test_fold_names(void **state)
{
	const char *names[] = { "n3", "n1", "n2", "n1", "m" };
	char *text = NULL;

	(void)state;
	assert_int_equal(nodeset_fold_names(names, 5, &text), 0);
	assert_string_equal(text, "m,n[1-3]");
	free(text);
	assert_int_equal(nodeset_fold_names(names, 0, &text), 0);
	assert_string_equal(text, "");
	free(text);
	names[0] = "";
	assert_int_equal(nodeset_fold_names(names, 1, &text), -EINVAL);
}

static void test_set_api(void **state)
{
	struct nodeset *a = nodeset_new(5), *b = nodeset_new(0);
	char **names = NULL, *text = NULL;

	(void)state;
	assert_int_equal(nodeset_add(a, "n2"), 1);
	assert_int_equal(nodeset_add(a, "n1"), 1);
	assert_int_equal(nodeset_add(a, "n2"), 1);   /* not yet settled: counted once later */
	assert_int_equal(nodeset_count(a), 2);
	assert_int_equal(nodeset_add(a, "n2"), 0);
	assert_int_equal(nodeset_add(a, "n[3]"), 1); /* literal */
	assert_true(nodeset_contains(a, "n[3]"));
	assert_false(nodeset_contains(a, "n3"));
	assert_int_equal(nodeset_add(a, ""), -EINVAL);
	assert_int_equal(nodeset_parse(b, "n[1-4]", NULL, NULL), 0);
	assert_int_equal(nodeset_update(a, b), 0);   /* n1 n2 n3 n4 n[3]: 5 */
	assert_int_equal(nodeset_count(a), 5);
	assert_int_equal(nodeset_add(a, "n9"), -E2BIG);
	assert_int_equal(nodeset_parse(b, "n[5-6]", NULL, NULL), 0);
	assert_int_equal(nodeset_update(a, b), -E2BIG);   /* unchanged */
	assert_int_equal(nodeset_count(a), 5);
	assert_int_equal(nodeset_difference(a, b), 0);
	assert_int_equal(nodeset_count(a), 1);           /* n[3] */
	assert_int_equal(nodeset_xor(a, b), -E2BIG);    /* 7 names */
	assert_int_equal(nodeset_count(a), 1);
	nodeset_free(a);
	a = nodeset_new(0);
	assert_int_equal(nodeset_parse(a, "n[3-6]", NULL, NULL), 0);
	assert_int_equal(nodeset_xor(a, b), 0);
	assert_int_equal(nodeset_count(a), 2);          /* n[1-2] */
	assert_int_equal(nodeset_parse(a, "n[3-6],n[3]", NULL, NULL), 0);
	assert_int_equal(nodeset_parse(b, "n[6-9]", NULL, NULL), 0);   /* b: n[1-9] */
	assert_int_equal(nodeset_intersection(b, a), 0);
	assert_int_equal(nodeset_fold(b, &text), 0);
	assert_string_equal(text, "n[1-6]");
	free(text);
	assert_int_equal(nodeset_names(b, &names), 6);
	assert_string_equal(names[0], "n1");
	assert_string_equal(names[5], "n6");
	assert_null(names[6]);
	free(names);
	nodeset_free(a);
	nodeset_free(b);
	nodeset_free(NULL);
}

static void test_failed_parse_leaves_set(void **state)
{
	struct nodeset *ns = nodeset_new(0);
	struct nodeset_error err = { 0, "" };

	(void)state;
	assert_int_equal(nodeset_parse(ns, "a,b", NULL, &err), 0);
	assert_int_equal(nodeset_parse(ns, "c,d[", NULL, &err), -EINVAL);
	assert_int_equal(err.pos, 4);
	assert_non_null(strstr(err.msg, "missing ']'"));
	assert_int_equal(nodeset_count(ns), 2);
	assert_int_equal(nodeset_parse(ns, "n[1-3]x]", NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "']' without '['");
	assert_int_equal(nodeset_parse(ns, "n[01-1]", NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "padding length mismatch in range");
	assert_int_equal(nodeset_parse(ns, "n[1-3/0]", NULL, &err), -EINVAL);
	assert_string_equal(err.msg, "step must be at least 1");
	nodeset_free(ns);
}

/* Groups: rack1 -> n[1-4], rack2 -> @rack1 minus n1, loop -> @loop. */
static int resolve(const char *group, char **ret_text, void *arg)
{
	int *calls = arg;
	const char *t;

	++*calls;
	if (!strcmp(group, "rack1"))
		t = "n[1-4]";
	else if (!strcmp(group, "rack2"))
		t = "@rack1!n1";
	else if (!strcmp(group, "loop"))
		t = "n1,@loop";
	else if (!strcmp(group, "bad"))
		t = "n[1-";
	else if (!strcmp(group, "io"))
		return -EIO;
	else
		return -ENOENT;
	*ret_text = strdup(t);
	return *ret_text ? 0 : -ENOMEM;
}

static void test_groups(void **state)
{
	int calls = 0;
	struct nodeset_resolver res = { resolve, &calls };
	struct nodeset *ns = nodeset_new(0);
	struct nodeset_error err = { 0, "" };

	(void)state;
	expect_fold_res("@rack1", &res, "n[1-4]");
	expect_fold_res("@rack2,m1", &res, "m1,n[2-4]");
	expect_fold_res("n[1-9]!@rack1", &res, "n[5-9]");
	expect_fold_res(" @rack1 & n[3-7]", &res, "n[3-4]");
	assert_true(calls >= 5);
	assert_int_equal(nodeset_parse(ns, "n1,@nope", &res, &err), -EINVAL);
	assert_int_equal(err.pos, 3);
	assert_string_equal(err.msg, "no group '@nope'");
	assert_int_equal(nodeset_parse(ns, "n1,@loop", &res, &err), -EINVAL);
	assert_int_equal(err.pos, 3);
	assert_non_null(strstr(err.msg, "nested more than"));
	assert_int_equal(nodeset_parse(ns, "@bad", &res, &err), -EINVAL);
	assert_string_equal(err.msg, "group '@bad', offset 4: number expected at the end");
	assert_int_equal(nodeset_parse(ns, "@io", &res, &err), -EIO);
	assert_int_equal(nodeset_parse(ns, "@", &res, &err), -EINVAL);
	assert_int_equal(nodeset_parse(ns, "@rack1", NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no groups here"));
	assert_int_equal(nodeset_count(ns), 0);
	nodeset_free(ns);
}

/* 100,000 names with four numbers each (addresses) fold quickly. */
static void test_fold_large(void **state)
{
	struct nodeset *ns = nodeset_new(0);
	char *text = NULL;

	(void)state;
	assert_int_equal(nodeset_parse(ns, "10.[0-9].[0-99].[1-100]", NULL, NULL), 0);
	assert_int_equal(nodeset_count(ns), 100000);
	assert_int_equal(nodeset_fold(ns, &text), 0);
	assert_string_equal(text, "10.[0-9].[0-99].[1-100]");
	free(text);
	nodeset_free(ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_groups_multiply),
		cmocka_unit_test(test_commas),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_position_is_exact),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_null_pos_allowed),
		cmocka_unit_test(test_long_name_not_cut),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_fold_names),
		cmocka_unit_test(test_set_api),
		cmocka_unit_test(test_failed_parse_leaves_set),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_fold_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
