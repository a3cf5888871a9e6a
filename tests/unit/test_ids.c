/* Unit tests for src/special/ids.c: credentials written to "ids" files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "special/ids.h"
#include "util/buf.h"

static int setup(void **state)
{
	struct ids_store *s = NULL;

	assert_int_equal(ids_store_new(&s), 0);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	ids_store_free(*state);
	return 0;
}

static int set(struct ids_store *s, const char *dir, const char *text, bool append,
	       int *ret_line, const char **ret_why)
{
	int line = -1;
	const char *why = NULL;
	int r = ids_store_set(s, dir, text, strlen(text), append, &line, &why);

	if (ret_line)
		*ret_line = line;
	if (ret_why)
		*ret_why = why;
	return r;
}

/* The list output of dir, in a static buffer. */
static const char *list(struct ids_store *s, const char *dir, int *ret_n)
{
	static char out[4096];
	struct buf b = BUF_INIT;
	int n = ids_store_list(s, dir, &b);

	snprintf(out, sizeof(out), "%s", buf_str(&b));
	buf_release(&b);
	if (ret_n)
		*ret_n = n;
	return out;
}

/* Asserts that path finds user/pass, matched at dir from. */
static void expect_find(struct ids_store *s, const char *path, const char *label,
			const char *user, const char *pass, const char *from)
{
	char u[IDS_USER_MAX] = "", f[256] = "";
	char *p = NULL;

	assert_int_equal(ids_store_find(s, path, label, u, &p, f, sizeof(f)), 0);
	assert_non_null(p);
	assert_string_equal(u, user);
	assert_string_equal(p, pass);
	assert_string_equal(f, from);
	ids_pass_free(p);
}

static void expect_none(struct ids_store *s, const char *path)
{
	char u[IDS_USER_MAX];
	char *p = NULL;

	assert_int_equal(ids_store_find(s, path, NULL, u, &p, NULL, 0), -ENOENT);
	assert_null(p);
}

static void test_set_list_find(void **state)
{
	struct ids_store *s = *state;
	int n = -1;

	expect_none(s, "/systems/servers/n1/power");
	assert_int_equal(set(s, "/", "admin s3cret\n", false, NULL, NULL), 0);
	assert_string_equal(list(s, "/", &n), "admin\n");
	assert_int_equal(n, 1);
	expect_find(s, "/ids", NULL, "admin", "s3cret", "/");
	expect_find(s, "/systems/servers/n1/power", NULL, "admin", "s3cret", "/");
	/* list shows only the directory's own set */
	assert_string_equal(list(s, "/systems", &n), "");
	assert_int_equal(n, 0);
}

static void test_inheritance(void **state)
{
	struct ids_store *s = *state;

	assert_int_equal(set(s, "/", "root toor\n", false, NULL, NULL), 0);
	assert_int_equal(set(s, "/systems/chassis/c1", "ADMIN bladepw\n", false, NULL, NULL), 0);
	assert_int_equal(set(s, "/systems/chassis/c1/blade2", "b2 b2pw\n", false, NULL, NULL), 0);
	/* nearest set above the file wins */
	expect_find(s, "/systems/chassis/c1/blade1/power", NULL, "ADMIN", "bladepw",
		    "/systems/chassis/c1");
	expect_find(s, "/systems/chassis/c1/power", NULL, "ADMIN", "bladepw", "/systems/chassis/c1");
	expect_find(s, "/systems/chassis/c1/blade2/power", NULL, "b2", "b2pw",
		    "/systems/chassis/c1/blade2");
	/* a sibling does not inherit from c1; it climbs to the root */
	expect_find(s, "/systems/chassis/c2/power", NULL, "root", "toor", "/");
	/* "c1" is not a prefix match for "c10" */
	expect_find(s, "/systems/chassis/c10/power", NULL, "root", "toor", "/");
}

static void test_labels(void **state)
{
	struct ids_store *s = *state;
	int n;

	assert_int_equal(set(s, "/d", "plain p0\nname=bmc ADMIN ipmipw\nname=os root ospw\n",
			     false, NULL, NULL), 0);
	assert_string_equal(list(s, "/d", &n), "plain\nname=bmc ADMIN\nname=os root\n");
	assert_int_equal(n, 3);
	expect_find(s, "/d/x", "bmc", "ADMIN", "ipmipw", "/d");
	expect_find(s, "/d/x", "os", "root", "ospw", "/d");
	/* no label: the first entry */
	expect_find(s, "/d/x", NULL, "plain", "p0", "/d");
}

static void test_label_must_match(void **state)
{
	struct ids_store *s = *state;
	char u[IDS_USER_MAX];
	char *p = NULL;

	assert_int_equal(set(s, "/d", "plain p0\nname=bmc ADMIN ipmipw\n", false, NULL, NULL), 0);
	/* a label only matches entries carrying it */
	assert_int_equal(ids_store_find(s, "/d/x", "nosuch", u, &p, NULL, 0), -ENOENT);
	assert_null(p);
	/* ... and the climb goes on to the nearest set that has one */
	assert_int_equal(set(s, "/", "name=nosuch far farpw\n", false, NULL, NULL), 0);
	expect_find(s, "/d/x", "nosuch", "far", "farpw", "/");
}

/* Entries labelled "ssh" are SSH logins, never handed to agents. */
static void test_ssh_label(void **state)
{
	struct ids_store *s = *state;

	assert_int_equal(set(s, "/", "root toor\n", false, NULL, NULL), 0);
	assert_int_equal(set(s, "/systems/servers/n1", "name=ssh admin sshpw\n", false, NULL, NULL), 0);
	expect_find(s, "/systems/servers/n1/power", NULL, "root", "toor", "/");
	expect_find(s, "/systems/servers/n1/command", "ssh", "admin", "sshpw", "/systems/servers/n1");
	assert_int_equal(set(s, "/systems/servers/n1", "name=ssh admin sshpw\nipmi ipmipw\n", false,
			     NULL, NULL), 0);
	expect_find(s, "/systems/servers/n1/power", NULL, "ipmi", "ipmipw", "/systems/servers/n1");
}

static void test_append_vs_replace(void **state)
{
	struct ids_store *s = *state;

	assert_int_equal(set(s, "/", "a pa\n", false, NULL, NULL), 0);
	assert_int_equal(set(s, "/", "b pb\n", true, NULL, NULL), 0);
	assert_string_equal(list(s, "/", NULL), "a\nb\n");
	expect_find(s, "/x", NULL, "a", "pa", "/");
	assert_int_equal(set(s, "/", "c pc\n", false, NULL, NULL), 0);
	assert_string_equal(list(s, "/", NULL), "c\n");
	expect_find(s, "/x", NULL, "c", "pc", "/");
	/* an empty replace clears the set */
	assert_int_equal(set(s, "/", "", false, NULL, NULL), 0);
	assert_string_equal(list(s, "/", NULL), "");
	expect_none(s, "/x");
	/* append to nothing creates */
	assert_int_equal(set(s, "/", "d pd", true, NULL, NULL), 0);
	expect_find(s, "/x", NULL, "d", "pd", "/");
}

static void test_malformed_keeps_old(void **state)
{
	struct ids_store *s = *state;
	const char *why = NULL;
	int line = 0;

	assert_int_equal(set(s, "/", "good pw\n", false, NULL, NULL), 0);
	assert_int_equal(set(s, "/", "new1 p1\n# comment\n\nlonely\nnew2 p2\n", false, &line, &why),
			 -EINVAL);
	assert_int_equal(line, 4);
	assert_non_null(why);
	assert_string_equal(list(s, "/", NULL), "good\n");
	expect_find(s, "/x", NULL, "good", "pw", "/");
	/* the same for append */
	assert_int_equal(set(s, "/", "ok p\nname= u p\n", true, &line, &why), -EINVAL);
	assert_int_equal(line, 2);
	assert_string_equal(list(s, "/", NULL), "good\n");
	/* a control character */
	assert_int_equal(set(s, "/", "u p\x01q\n", false, &line, &why), -EINVAL);
	assert_int_equal(line, 1);
	assert_string_equal(list(s, "/", NULL), "good\n");
}

static void test_check_line(void **state)
{
	const char *why = NULL;
	char longuser[IDS_USER_MAX + 10], longpass[IDS_PASS_MAX + 10];

	(void)state;
	assert_int_equal(ids_check_line("", 0, &why), 0);
	assert_int_equal(ids_check_line("   ", 3, &why), 0);
	assert_int_equal(ids_check_line("# x y", 5, &why), 0);
	assert_int_equal(ids_check_line("u p", 3, &why), 0);
	assert_int_equal(ids_check_line("  u \t p  ", 9, &why), 0);
	assert_int_equal(ids_check_line("name=l u p", 10, &why), 0);
	assert_int_equal(ids_check_line("u p\r", 4, &why), 0);
	assert_int_equal(ids_check_line("u", 1, &why), -EINVAL);
	assert_non_null(why);
	assert_int_equal(ids_check_line("name=l u", 8, &why), -EINVAL);
	assert_int_equal(ids_check_line("name= u p", 9, &why), -EINVAL);
	assert_int_equal(ids_check_line("u p\0q", 5, &why), -EINVAL);
	memset(longuser, 'u', sizeof(longuser));
	longuser[IDS_USER_MAX] = ' ';
	longuser[IDS_USER_MAX + 1] = 'p';
	assert_int_equal(ids_check_line(longuser, IDS_USER_MAX + 2, &why), -EINVAL);
	memset(longpass, 'p', sizeof(longpass));
	longpass[0] = 'u';
	longpass[1] = ' ';
	/* IDS_PASS_MAX - 1 bytes of password fit, IDS_PASS_MAX do not */
	assert_int_equal(ids_check_line(longpass, 2 + IDS_PASS_MAX - 1, &why), 0);
	assert_int_equal(ids_check_line(longpass, 2 + IDS_PASS_MAX, &why), -EINVAL);
}

static void test_password_with_spaces(void **state)
{
	struct ids_store *s = *state;

	assert_int_equal(set(s, "/", "u  pass with  spaces  \n", false, NULL, NULL), 0);
	expect_find(s, "/x", NULL, "u", "pass with  spaces", "/");
}

static void test_password_never_listed(void **state)
{
	struct ids_store *s = *state;
	const char *out;

	assert_int_equal(set(s, "/", "alice Xyzzy-Plugh-42\nname=bmc bob Hunter2Hunter2\n",
			     false, NULL, NULL), 0);
	out = list(s, "/", NULL);
	assert_null(strstr(out, "Xyzzy"));
	assert_null(strstr(out, "Plugh"));
	assert_null(strstr(out, "Hunter2"));
	assert_non_null(strstr(out, "alice"));
	assert_non_null(strstr(out, "bob"));
}

static void test_too_many_lines(void **state)
{
	struct ids_store *s = *state;
	struct buf b = BUF_INIT;
	int line = 0, n;

	for (int i = 0; i < IDS_LINES_MAX; i++)
		buf_printf(&b, "u%d p%d\n", i, i);
	assert_int_equal(ids_store_set(s, "/", b.data, b.len, false, &line, NULL), 0);
	list(s, "/", &n);
	assert_int_equal(n, IDS_LINES_MAX);
	buf_printf(&b, "one more\n");
	assert_int_equal(ids_store_set(s, "/", b.data, b.len, false, &line, &(const char *){ NULL }),
			 -EINVAL);
	assert_int_equal(line, IDS_LINES_MAX + 1);
	list(s, "/", &n);
	assert_int_equal(n, IDS_LINES_MAX);
	buf_release(&b);
}

/* The VmFlags of the mapping that holds addr (/proc/self/smaps). */
static void vm_flags(const void *addr, char *ret, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	bool in = false;

	assert_non_null(f);
	ret[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			snprintf(ret, len, "%s", line + 8);
			break;
		}
	}
	fclose(f);
}

/* A password in the clear lives only in sodium_malloc'ed pages, and
 * libsodium locks those (no swap) and marks them MADV_DONTDUMP (no core
 * file): checked, not assumed.  The key is allocated the same way; the
 * sealed boxes in the ordinary heap are useless without it. */
static void test_clear_passwords_locked_and_not_dumped(void **state)
{
	struct ids_store *s = *state;
	char u[IDS_USER_MAX], flags[512];
	char *p = NULL;

	assert_int_equal(set(s, "/", "admin s3cret\n", false, NULL, NULL), 0);
	assert_int_equal(ids_store_find(s, "/x", NULL, u, &p, NULL, 0), 0);
	vm_flags(p, flags, sizeof(flags));
	assert_non_null(strstr(flags, " dd"));   /* excluded from core dumps */
#ifndef __SANITIZE_ADDRESS__
	/* ASan's mlock interceptor does nothing: locked in other builds only */
	assert_non_null(strstr(flags, " lo"));   /* locked in memory */
#endif
	ids_pass_free(p);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_set_list_find),
		T(test_inheritance),
		T(test_labels),
		T(test_label_must_match),
		T(test_ssh_label),
		T(test_append_vs_replace),
		T(test_malformed_keeps_old),
		T(test_check_line),
		T(test_password_with_spaces),
		T(test_password_never_listed),
		T(test_too_many_lines),
		T(test_clear_passwords_locked_and_not_dumped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
