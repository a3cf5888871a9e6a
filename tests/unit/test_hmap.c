/* Unit tests for src/util/hmap.c: the string-keyed hash map. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hmap.h"

static int v1 = 1, v2 = 2, v3 = 3;

static void test_put_get_del(void **state)
{
	struct hmap *m = hmap_new();
	void *old = &v3;

	(void)state;
	assert_non_null(m);
	assert_int_equal(hmap_count(m), 0);
	assert_null(hmap_get(m, "a"));
	assert_int_equal(hmap_put(m, "a", &v1, &old), 0);
	assert_null(old);
	assert_int_equal(hmap_put(m, "b", &v2, NULL), 0);
	assert_ptr_equal(hmap_get(m, "a"), &v1);
	assert_ptr_equal(hmap_get(m, "b"), &v2);
	assert_int_equal(hmap_count(m), 2);
	/* replacing returns the old value and keeps the count */
	assert_int_equal(hmap_put(m, "a", &v3, &old), 0);
	assert_ptr_equal(old, &v1);
	assert_ptr_equal(hmap_get(m, "a"), &v3);
	assert_int_equal(hmap_count(m), 2);
	assert_ptr_equal(hmap_del(m, "a"), &v3);
	assert_null(hmap_get(m, "a"));
	assert_null(hmap_del(m, "a"));
	assert_int_equal(hmap_count(m), 1);
	/* keys are exact: no prefix matches, empty key allowed */
	assert_null(hmap_get(m, "bb"));
	assert_null(hmap_get(m, ""));
	assert_int_equal(hmap_put(m, "", &v1, NULL), 0);
	assert_ptr_equal(hmap_get(m, ""), &v1);
	hmap_free(m, NULL);
	hmap_free(NULL, NULL);
}

static void test_keys_copied(void **state)
{
	struct hmap *m = hmap_new();
	char key[16] = "mutable";

	(void)state;
	assert_int_equal(hmap_put(m, key, &v1, NULL), 0);
	memcpy(key, "changed", 8);
	assert_ptr_equal(hmap_get(m, "mutable"), &v1);
	assert_null(hmap_get(m, "changed"));
	hmap_free(m, NULL);
}

static void test_many_entries(void **state)
{
	struct hmap *m = hmap_new();
	char key[32];
	int *vals = calloc(20000, sizeof(*vals));

	(void)state;
	/* well past several rehashes */
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "/systems/servers/n%d", i);
		vals[i] = i;
		assert_int_equal(hmap_put(m, key, &vals[i], NULL), 0);
	}
	assert_int_equal(hmap_count(m), 20000);
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "/systems/servers/n%d", i);
		assert_ptr_equal(hmap_get(m, key), &vals[i]);
	}
	for (int i = 0; i < 20000; i += 2) {
		snprintf(key, sizeof(key), "/systems/servers/n%d", i);
		assert_ptr_equal(hmap_del(m, key), &vals[i]);
	}
	assert_int_equal(hmap_count(m), 10000);
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "/systems/servers/n%d", i);
		if (i % 2)
			assert_ptr_equal(hmap_get(m, key), &vals[i]);
		else
			assert_null(hmap_get(m, key));
	}
	hmap_free(m, NULL);
	free(vals);
}

struct tally {
	int calls;
	long sum;
};

static int add_up(const char *key, void *val, void *arg)
{
	struct tally *t = arg;

	assert_non_null(key);
	t->calls++;
	t->sum += *(int *)val;
	return 0;
}

static int stop_at_two(const char *key, void *val, void *arg)
{
	(void)key;
	(void)val;
	return ++*(int *)arg == 2 ? -7 : 0;
}

static void test_each(void **state)
{
	struct hmap *m = hmap_new();
	struct tally t = { 0, 0 };
	int calls = 0;

	(void)state;
	assert_int_equal(hmap_each(m, add_up, &t), 0);
	assert_int_equal(t.calls, 0);
	hmap_put(m, "x", &v1, NULL);
	hmap_put(m, "y", &v2, NULL);
	hmap_put(m, "z", &v3, NULL);
	assert_int_equal(hmap_each(m, add_up, &t), 0);
	assert_int_equal(t.calls, 3);
	assert_int_equal(t.sum, 6);
	assert_int_equal(hmap_each(m, stop_at_two, &calls), -7);
	assert_int_equal(calls, 2);
	hmap_free(m, NULL);
}

static int freed;

static void count_free(void *p)
{
	freed++;
	free(p);
}

static void test_free_values(void **state)
{
	struct hmap *m = hmap_new();
	char key[16];

	(void)state;
	freed = 0;
	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(hmap_put(m, key, malloc(8), NULL), 0);
	}
	hmap_free(m, count_free);
	assert_int_equal(freed, 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_del),
		cmocka_unit_test(test_keys_copied),
		cmocka_unit_test(test_many_entries),
		cmocka_unit_test(test_each),
		cmocka_unit_test(test_free_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
