/* Unit tests for src/util/latch.c: waiting for n completions from other
 * threads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "util/latch.h"

static atomic_int finished;

static void *worker(void *arg)
{
	usleep(20000);
	atomic_fetch_add(&finished, 1);
	latch_count_down(arg);
	return NULL;
}

static void test_wait_returns_after_all_count_down(void **state)
{
	struct latch l;
	pthread_t t[8];

	(void)state;
	latch_init(&l, 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, &l), 0);
	latch_wait(&l);
	assert_int_equal(atomic_load(&finished), 8);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	latch_destroy(&l);
}

static void test_zero_and_extra_count_downs(void **state)
{
	struct latch l;

	(void)state;
	latch_init(&l, 0);
	latch_wait(&l);            /* nothing to wait for */
	latch_count_down(&l);      /* does not wrap below zero */
	assert_int_equal(l.left, 0);
	latch_wait(&l);
	latch_destroy(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_returns_after_all_count_down),
		cmocka_unit_test(test_zero_and_extra_count_downs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
