/*
 * latch.h - a count-down latch: wait until n completions were counted.
 * For callers that submit n asynchronous requests and block until every
 * callback has run (the pools' test drivers).  Thread-safe.
 */
#ifndef SYSMAN_LATCH_H
#define SYSMAN_LATCH_H

#include <pthread.h>
#include <stddef.h>

struct latch {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	size_t left;
};

void latch_init(struct latch *l, size_t n);
/* Counts one completion; wakes latch_wait() when none is left. */
void latch_count_down(struct latch *l);
/* Blocks until the count is 0. */
void latch_wait(struct latch *l);
void latch_destroy(struct latch *l);

#endif
