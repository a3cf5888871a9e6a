/* Unit tests for src/agent/trie.c: where the agent for a path is chosen. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/trie.h"
#include "testutil.h"

#define AGENT "#!/bin/sh\nexit 0\n"

struct fix {
	char *dir;
	struct agent_trie *t;
};

static void agent(const char *dir, const char *rel)
{
	tu_write(dir, rel, AGENT, 0755);
}

/* Asserts that lookup(path, op) is the agent file dir/rel (or NULL). */
static void expect_agent(const char *dir, const char *got, const char *rel)
{
	char *want;

	if (!rel) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	want = tu_path(dir, rel);
	assert_string_equal(got, want);
	free(want);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->dir = tu_mkdtemp("trie");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	trie_free(f->t);
	tu_rmtree_free(f->dir);
	free(f);
	return 0;
}

static void build(struct fix *f)
{
	trie_free(f->t);
	f->t = NULL;
	assert_int_equal(trie_build(f->dir, &f->t), 0);
	assert_non_null(f->t);
}

static void test_exact_and_wildcard_dir(void **state)
{
	struct fix *f = *state;

	agent(f->dir, "systems/servers/_/power.read");
	agent(f->dir, "systems/servers/n1/power.read");
	agent(f->dir, "systems/servers/_/power.write");
	build(f);
	expect_agent(f->dir, trie_lookup(f->t, "/systems/servers/n1/power", AGENT_READ),
		     "systems/servers/n1/power.read");
	expect_agent(f->dir, trie_lookup(f->t, "/systems/servers/n2/power", AGENT_READ),
		     "systems/servers/_/power.read");
	/* n1 has no exact write agent: the "_" branch serves it */
	expect_agent(f->dir, trie_lookup(f->t, "/systems/servers/n1/power", AGENT_WRITE),
		     "systems/servers/_/power.write");
	expect_agent(f->dir, trie_lookup(f->t, "/systems/servers/n1/power", AGENT_LIST), NULL);
	/* "_" matches exactly one name, not several levels */
	expect_agent(f->dir, trie_lookup(f->t, "/systems/servers/a/b/power", AGENT_READ), NULL);
	expect_agent(f->dir, trie_lookup(f->t, "/systems/bmcs/n1/power", AGENT_READ), NULL);
	expect_agent(f->dir, trie_lookup(f->t, "/systems/servers/n1/uptime", AGENT_READ), NULL);
}

static void test_exact_wins_leftmost_level_first(void **state)
{
	struct fix *f = *state;

	agent(f->dir, "a/_/c.read");
	agent(f->dir, "_/b/c.read");
	agent(f->dir, "x/y/z.read");
	agent(f->dir, "_/y/z.read");
	build(f);
	/* both match a/b/c: the exact first component wins */
	expect_agent(f->dir, trie_lookup(f->t, "/a/b/c", AGENT_READ), "a/_/c.read");
	/* the exact branch has no match here: fall back to "_" */
	expect_agent(f->dir, trie_lookup(f->t, "/q/b/c", AGENT_READ), "_/b/c.read");
	/* exact "x" exists but leads nowhere for x/b/c; "_/b/c" still matches */
	expect_agent(f->dir, trie_lookup(f->t, "/x/b/c", AGENT_READ), "_/b/c.read");
	expect_agent(f->dir, trie_lookup(f->t, "/x/y/z", AGENT_READ), "x/y/z.read");
	expect_agent(f->dir, trie_lookup(f->t, "/w/y/z", AGENT_READ), "_/y/z.read");
}

static void test_wildcard_file(void **state)
{
	struct fix *f = *state;

	agent(f->dir, "systems/servers/_/proc/_.read");
	agent(f->dir, "systems/servers/_/proc/uptime.read");
	agent(f->dir, "systems/bmcs/_/_.write");
	build(f);
	expect_agent(f->dir, trie_lookup(f->t, "/systems/servers/n1/proc/meminfo", AGENT_READ),
		     "systems/servers/_/proc/_.read");
	expect_agent(f->dir, trie_lookup(f->t, "/systems/servers/n1/proc/uptime", AGENT_READ),
		     "systems/servers/_/proc/uptime.read");
	expect_agent(f->dir, trie_lookup(f->t, "/systems/bmcs/10.0.0.1/power", AGENT_WRITE),
		     "systems/bmcs/_/_.write");
	expect_agent(f->dir, trie_lookup(f->t, "/systems/bmcs/10.0.0.1/power", AGENT_READ), NULL);
	/* "_" files make no name appear but serve own lookups */
	expect_agent(f->dir, trie_lookup_own(f->t, "/systems/bmcs/b/x", AGENT_WRITE),
		     "systems/bmcs/_/_.write");
}

static void test_any_only_through_lookup(void **state)
{
	struct fix *f = *state;

	agent(f->dir, "_any/uptime.read");
	agent(f->dir, "systems/servers/_/vmstat.read");
	build(f);
	expect_agent(f->dir, trie_lookup(f->t, "/systems/servers/n1/uptime", AGENT_READ),
		     "_any/uptime.read");
	expect_agent(f->dir, trie_lookup(f->t, "/anywhere/at/all/uptime", AGENT_READ),
		     "_any/uptime.read");
	expect_agent(f->dir, trie_lookup_own(f->t, "/systems/servers/n1/uptime", AGENT_READ), NULL);
	/* an own agent beats _any */
	agent(f->dir, "systems/servers/_/uptime.read");
	build(f);
	expect_agent(f->dir, trie_lookup(f->t, "/systems/servers/n1/uptime", AGENT_READ),
		     "systems/servers/_/uptime.read");
	expect_agent(f->dir, trie_lookup(f->t, "/systems/bmcs/b1/uptime", AGENT_READ),
		     "_any/uptime.read");
	/* _any and _discover are not part of the mirrored tree */
	agent(f->dir, "_discover/scan.read");
	build(f);
	expect_agent(f->dir, trie_lookup_own(f->t, "/_any/uptime", AGENT_READ), NULL);
	expect_agent(f->dir, trie_lookup_own(f->t, "/_discover/scan", AGENT_READ), NULL);
}

static void test_multiple_roots(void **state)
{
	struct fix *f = *state;
	char *roots = NULL, *r1 = tu_path(f->dir, "r1"), *r2 = tu_path(f->dir, "r2");

	agent(f->dir, "r1/systems/servers/_/power.read");
	agent(f->dir, "r2/systems/servers/n1/power.read");
	agent(f->dir, "r2/systems/servers/_/temp.read");
	agent(f->dir, "r1/_any/temp.read");
	agent(f->dir, "r2/_any/fan.read");
	assert_true(asprintf(&roots, "%s:%s/missing:%s", r1, f->dir, r2) > 0);
	assert_int_equal(trie_build(roots, &f->t), 0);
	/* the first root holding a match wins, even through "_" */
	expect_agent(r1, trie_lookup(f->t, "/systems/servers/n1/power", AGENT_READ),
		     "systems/servers/_/power.read");
	/* only the second root has temp for servers; its own agent beats r1's _any */
	expect_agent(r2, trie_lookup(f->t, "/systems/servers/n1/temp", AGENT_READ),
		     "systems/servers/_/temp.read");
	expect_agent(r1, trie_lookup(f->t, "/systems/bmcs/b/temp", AGENT_READ), "_any/temp.read");
	expect_agent(r2, trie_lookup(f->t, "/x/fan", AGENT_READ), "_any/fan.read");
	free(roots);
	free(r1);
	free(r2);
}

struct seen {
	char names[32][64];
	unsigned ops[32];
	bool is_dir[32];
	int n;
};

static int collect(const struct trie_entry *e, void *arg)
{
	struct seen *s = arg;

	assert_true(s->n < 32);
	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", e->name);
	s->ops[s->n] = e->ops;
	s->is_dir[s->n] = e->is_dir;
	s->n++;
	return 0;
}

static int find_seen(const struct seen *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return i;
	return -1;
}

static void test_list(void **state)
{
	struct fix *f = *state;
	struct seen s = { .n = 0 };
	int i;

	agent(f->dir, "systems/servers/_/power.read");
	agent(f->dir, "systems/servers/_/power.write");
	agent(f->dir, "systems/servers/_/command.write");
	agent(f->dir, "systems/servers/_/proc.list");
	agent(f->dir, "systems/servers/_/proc/_.read");
	agent(f->dir, "systems/servers/_/sensors/temp.read");
	agent(f->dir, "systems/servers/n1/extra.read");
	agent(f->dir, "systems/servers/_/_.read");
	tu_mkdirs(f->dir, "systems/servers/_/empty");
	agent(f->dir, "_any/uptime.read");
	build(f);
	assert_int_equal(trie_list(f->t, "/systems/servers/n1", collect, &s), 0);
	i = find_seen(&s, "power");
	assert_true(i >= 0);
	assert_int_equal(s.ops[i], (1u << AGENT_READ) | (1u << AGENT_WRITE));
	assert_false(s.is_dir[i]);
	i = find_seen(&s, "command");
	assert_true(i >= 0);
	assert_int_equal(s.ops[i], 1u << AGENT_WRITE);
	i = find_seen(&s, "extra");
	assert_true(i >= 0);
	/* a list agent alone makes a directory */
	i = find_seen(&s, "proc");
	assert_true(i >= 0);
	assert_true(s.is_dir[i]);
	i = find_seen(&s, "sensors");
	assert_true(i >= 0);
	assert_true(s.is_dir[i]);
	assert_int_equal(s.ops[i], 0);
	/* never listed: the "_" file, directories without agents, _any names */
	assert_int_equal(find_seen(&s, "_"), -1);
	assert_int_equal(find_seen(&s, "empty"), -1);
	assert_int_equal(find_seen(&s, "uptime"), -1);

	/* n2 has no exact branch: no "extra" */
	memset(&s, 0, sizeof(s));
	assert_int_equal(trie_list(f->t, "/systems/servers/n2", collect, &s), 0);
	assert_int_equal(find_seen(&s, "extra"), -1);
	assert_true(find_seen(&s, "power") >= 0);

	/* the root lists "systems" but not "_any" */
	memset(&s, 0, sizeof(s));
	assert_int_equal(trie_list(f->t, "/", collect, &s), 0);
	assert_true(find_seen(&s, "systems") >= 0);
	assert_int_equal(find_seen(&s, "_any"), -1);
}

static int stop_at_first(const struct trie_entry *e, void *arg)
{
	int *calls = arg;

	(void)e;
	++*calls;
	return 42;
}

static void test_list_stops(void **state)
{
	struct fix *f = *state;
	int calls = 0;

	agent(f->dir, "d/a.read");
	agent(f->dir, "d/b.read");
	build(f);
	assert_int_equal(trie_list(f->t, "/d", stop_at_first, &calls), 42);
	assert_int_equal(calls, 1);
}

static void test_names_and_ops(void **state)
{
	struct fix *f = *state;

	agent(f->dir, "d/foo.bar.read");
	agent(f->dir, "d/script.sh");
	agent(f->dir, "d/.hidden.read");
	agent(f->dir, "d/.read");
	build(f);
	expect_agent(f->dir, trie_lookup(f->t, "/d/foo.bar", AGENT_READ), "d/foo.bar.read");
	expect_agent(f->dir, trie_lookup(f->t, "/d/script", AGENT_READ), NULL);
	expect_agent(f->dir, trie_lookup(f->t, "/d/.hidden", AGENT_READ), NULL);
	assert_string_equal(agent_op_name(AGENT_READ), "read");
	assert_string_equal(agent_op_name(AGENT_WRITE), "write");
	assert_string_equal(agent_op_name(AGENT_LIST), "list");
	/* paths without components have no agent */
	assert_null(trie_lookup(f->t, "/", AGENT_READ));
	assert_null(trie_lookup(f->t, "", AGENT_READ));
}

static void touch_later(const char *dir, const char *rel)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	/* mtimes have at least jiffy resolution on some file systems */
	nanosleep(&ts, NULL);
	agent(dir, rel);
}

static void test_stale(void **state)
{
	struct fix *f = *state;

	agent(f->dir, "systems/servers/_/power.read");
	build(f);
	assert_false(trie_stale(f->t));
	assert_false(trie_stale(f->t));
	touch_later(f->dir, "systems/servers/_/uptime.read");
	assert_true(trie_stale(f->t));
	build(f);
	assert_false(trie_stale(f->t));
	expect_agent(f->dir, trie_lookup(f->t, "/systems/servers/n9/uptime", AGENT_READ),
		     "systems/servers/_/uptime.read");
	/* a new directory at the top counts too */
	touch_later(f->dir, "systems/bmcs/_/power.read");
	assert_true(trie_stale(f->t));
}

static void test_missing_root(void **state)
{
	struct fix *f = *state;
	char *missing = tu_path(f->dir, "nope");

	assert_int_equal(trie_build(missing, &f->t), 0);
	assert_null(trie_lookup(f->t, "/a/b", AGENT_READ));
	assert_false(trie_stale(f->t));
	free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exact_and_wildcard_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exact_wins_leftmost_level_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wildcard_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_any_only_through_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiple_roots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_root, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
