/* Unit tests for src/special/group.c: what "@name" means, and the
 * attributes a group's members inherit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "special/group.h"
#include "testutil.h"

static void link_member(const char *dir, const char *group, const char *name)
{
	char *target = NULL, *path = NULL;

	assert_true(asprintf(&target, "../../systems/servers/%s", name) > 0);
	assert_true(asprintf(&path, "%s/%s/%s", dir, group, name) > 0);
	assert_int_equal(symlink(target, path), 0);
	free(target);
	free(path);
}

static char *groups(void)
{
	char *dir = tu_mkdtemp("group");

	tu_write(dir, "rack1/members", "n[1-2]\n", 0644);
	tu_write(dir, "rack1/attrs", "# the first rack\nrack=r1  color=red\n\nbad noequals =x\n", 0644);
	tu_mkdirs(dir, "zz");
	link_member(dir, "zz", "n1");
	link_member(dir, "zz", "n3");
	tu_write(dir, "zz/attrs", "rack=zz\ncolor=green room=b2\n", 0644);
	tu_write(dir, "all/members", "@rack1,@zz\n", 0644);
	tu_write(dir, "all/attrs", "site=lab\n", 0644);
	tu_write(dir, "none/members", "n9\n", 0644);
	return dir;
}

/* The effective attributes of name whose own are own, through ga. */
static void expect_attrs(struct group_attrs *ga, const char *name, const char *own, const char *want)
{
	char *attrs = NULL;

	assert_int_equal(group_attrs_effective(ga, name, own, &attrs), 0);
	assert_string_equal(attrs, want);
	free(attrs);
}

static struct group_attrs *cache(const char *dir)
{
	struct group_attrs *ga = NULL;

	assert_int_equal(group_attrs_new(dir, &ga), 0);
	return ga;
}

static void test_members(void **state)
{
	char *dir = groups(), *text = NULL;

	(void)state;
	assert_int_equal(group_members_text(dir, "rack1", &text), 0);
	assert_string_equal(text, "n[1-2]");
	free(text);
	assert_int_equal(group_members_text(dir, "zz", &text), 0);
	assert_string_equal(text, "n1,n3");   /* attrs is no member */
	free(text);
	assert_int_equal(group_members_text(dir, "nosuch", &text), -ENOENT);
	assert_int_equal(group_members_text(dir, "..", &text), -ENOENT);
	tu_rmtree_free(dir);
}

static void test_attrs(void **state)
{
	char *dir = groups();
	struct group_attrs *ga = cache(dir);

	(void)state;
	/* groups in name order (all, rack1, zz): the first to set a key wins;
	 * groups naming groups count; words without a key are skipped */
	expect_attrs(ga, "n1", "", "site=lab rack=r1 color=red room=b2");
	expect_attrs(ga, "n2", NULL, "site=lab rack=r1 color=red");
	expect_attrs(ga, "n3", "", "site=lab rack=zz color=green room=b2");
	expect_attrs(ga, "n4", "", "");
	/* the device's own attributes win, before every group, blanks
	 * normalised */
	expect_attrs(ga, "n1", "  color=blue   bmc=10.0.1.1 ", "color=blue bmc=10.0.1.1 site=lab rack=r1 room=b2");
	expect_attrs(ga, "n4", "a=1", "a=1");
	/* a device without a name is in no group */
	expect_attrs(ga, "", "a=1", "a=1");
	expect_attrs(ga, NULL, "", "");
	group_attrs_free(ga);
	tu_rmtree_free(dir);
}

static void test_unreadable_groups(void **state)
{
	char *dir = groups(), *missing = tu_path(dir, "nosuch");
	struct group_attrs *ga = cache(missing);

	(void)state;
	/* no groups directory: the device's own only, until there is one */
	expect_attrs(ga, "n1", "a=1", "a=1");
	tu_write(dir, "nosuch/g/members", "n1\n", 0644);
	tu_write(dir, "nosuch/g/attrs", "b=2\n", 0644);
	expect_attrs(ga, "n1", "a=1", "a=1 b=2");
	/* the groups directory moved away and back */
	{
		char *away = tu_path(dir, "away");

		assert_int_equal(rename(missing, away), 0);
		expect_attrs(ga, "n1", "a=1", "a=1");
		assert_int_equal(rename(away, missing), 0);
		expect_attrs(ga, "n1", "a=1", "a=1 b=2");
		free(away);
	}
	group_attrs_free(ga);
	/* a group that does not parse gives nothing; the others still do;
	 * a plain file among the groups is no group */
	tu_write(dir, "bad/members", "n[1-\n", 0644);
	tu_write(dir, "bad/attrs", "rack=bad\n", 0644);
	tu_write(dir, "file", "rack=file\n", 0644);
	ga = cache(dir);
	expect_attrs(ga, "n1", "", "site=lab rack=r1 color=red room=b2");
	group_attrs_free(ga);
	free(missing);
	tu_rmtree_free(dir);
}

/* The cache follows every change a lookup depends on, made right after
 * a lookup. */
static void test_cache_follows_changes(void **state)
{
	char *dir = groups(), *path;
	struct group_attrs *ga = cache(dir);

	(void)state;
	expect_attrs(ga, "n3", "", "site=lab rack=zz color=green room=b2");
	/* a members file written in place, same size: n3 joins rack1 */
	tu_write(dir, "rack1/members", "n[1-3]\n", 0644);
	expect_attrs(ga, "n3", "", "site=lab rack=r1 color=red room=b2");
	tu_write(dir, "rack1/members", "n[1-2]\n", 0644);
	expect_attrs(ga, "n3", "", "site=lab rack=zz color=green room=b2");
	/* an attrs file written in place */
	tu_write(dir, "zz/attrs", "rack=yy\ncolor=green room=b2\n", 0644);
	expect_attrs(ga, "n3", "", "site=lab rack=yy color=green room=b2");
	/* a member link removed: n3 is in no group now, not even in all
	 * (@rack1,@zz) */
	path = tu_path(dir, "zz/n3");
	assert_int_equal(unlink(path), 0);
	free(path);
	expect_attrs(ga, "n3", "", "");
	/* an attrs file made where there was none */
	expect_attrs(ga, "n9", "", "");
	tu_write(dir, "none/attrs", "x=1\n", 0644);
	expect_attrs(ga, "n9", "", "x=1");
	/* a new group, first in name order */
	tu_write(dir, "aa/members", "n9\n", 0644);
	tu_write(dir, "aa/attrs", "x=2\n", 0644);
	expect_attrs(ga, "n9", "", "x=2");
	group_attrs_free(ga);
	tu_rmtree_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_attrs),
		cmocka_unit_test(test_unreadable_groups),
		cmocka_unit_test(test_cache_follows_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
