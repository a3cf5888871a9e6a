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
#include "util/buf.h"

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

static void expect_attrs(const char *dir, const char *name, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(group_attrs_of(dir, name, &b), 0);
	assert_string_equal(buf_str(&b), want);
	buf_release(&b);
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

	(void)state;
	/* groups in name order (all, rack1, zz): the first to set a key wins;
	 * groups naming groups count; words without a key are skipped */
	expect_attrs(dir, "n1", "site=lab rack=r1 color=red room=b2");
	expect_attrs(dir, "n2", "site=lab rack=r1 color=red");
	expect_attrs(dir, "n3", "site=lab rack=zz color=green room=b2");
	expect_attrs(dir, "n4", "");
	{
		struct buf b;

		buf_init(&b, 0);
		assert_int_equal(group_attrs_of("/nonexistent/groups", "n1", &b), -ENOENT);
		buf_release(&b);
	}
	tu_rmtree_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_attrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
