/* Lock queues: jobs that share a lock key run one at a time. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/job.h"
#include "util/hmap.h"
#include "util/log.h"


/* Returns true if j may run now (and takes the lock), false if it was
 * parked behind the holder. */
bool agent_lock_take(struct runner *r, struct job *j)
{
	struct lockq *lq;
	bool ok = true;

	pthread_mutex_lock(&r->mu);
	lq = hmap_get(r->locks, j->lock_key);
	if (!lq) {
		lq = calloc(1, sizeof(*lq));
		if (!lq || hmap_put(r->locks, j->lock_key, lq, NULL) < 0) {
			free(lq);
			pthread_mutex_unlock(&r->mu);
			return true;  /* out of memory: run unserialised rather than stall */
		}
	}
	if (lq->holder) {
		agent_q_push(&lq->head, &lq->tail, j, false);
		r->st.lock_waiting++;
		ok = false;
	} else {
		lq->holder = j;
	}
	pthread_mutex_unlock(&r->mu);
	return ok;
}

void agent_lock_release(struct runner *r, struct job *j)
{
	struct lockq *lq;
	struct job *next = NULL;

	pthread_mutex_lock(&r->mu);
	lq = hmap_get(r->locks, j->lock_key);
	if (lq && lq->holder == j) {
		next = agent_q_pop(&lq->head, &lq->tail);
		lq->holder = next;
		if (next)
			r->st.lock_waiting--;
		else
			free(hmap_del(r->locks, j->lock_key));
	}
	pthread_mutex_unlock(&r->mu);
	if (next)
		agent_q_push(&r->q_head[next->req.klass], &r->q_tail[next->req.klass], next, true);
}

int runner_lock_holder(struct runner *r, const char *key, struct buf *out)
{
	struct lockq *lq;
	int held = 0;

	pthread_mutex_lock(&r->mu);
	lq = hmap_get(r->locks, key);
	if (lq && lq->holder) {
		unsigned waiting = 0;

		for (struct job *w = lq->head; w; w = w->next)
			waiting++;
		buf_printf(out, "held by %s (%s, pid %d), %u waiting\n", lq->holder->file,
			   agent_op_name(lq->holder->req.op), (int)lq->holder->pid, waiting);
		held = 1;
	} else {
		buf_append_str(out, "free\n");
	}
	pthread_mutex_unlock(&r->mu);
	return held;
}

