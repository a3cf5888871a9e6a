/*
 * job.h - the runner's internal types, shared by runner.c (event loop,
 * queues, completion), job.c (job records), spawn.c (starting an agent)
 * and lock.c (lock queues).  Not part of the runner's public contract.
 *
 * Ownership: a job belongs to exactly one list at a time (inbox, ready
 * queue, a lock queue, or the running list); only the runner thread touches
 * the ready queue and the running list; r->mu guards the inbox, the lock
 * table, the tickers and the statistics.
 */
#ifndef SYSMAN_AGENT_JOB_H
#define SYSMAN_AGENT_JOB_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "agent/runner.h"

#define ERR_MAX (64 * 1024)
#define ARG_INPUT_MAX (128 * 1024 - 1)   /* MAX_ARG_STRLEN - NUL */

enum ev_kind { EV_WAKE, EV_OUT, EV_ERR, EV_PID };

struct job;

struct ev_tag {
	enum ev_kind kind;
	struct job *job;
};

struct job {
	struct job *next, *prev;       /* queue or running list */
	struct agent_request req;      /* strings below are our copies */
	char *exec, *file, *input, *user, *lock_key;
	char *password;                /* sodium_malloc */
	char **env;
	pid_t pid;
	int out_fd, err_fd, pid_fd;
	struct ev_tag t_out, t_err, t_pid;
	struct buf out, err;
	struct timespec submitted, started;
	long deadline_ms;              /* monotonic */
	bool timed_out, exited;
	int status;                    /* waitid result */
	int spawn_err;
	struct runner *runner;
	/* non-local jobs: the outcome runner_job_done() reported */
	int ext_rc;
	char *ext_msg;
};

struct lockq {
	struct job *holder;
	struct job *head, *tail;       /* waiting for the lock */
};

struct ticker {
	struct ticker *next;
	long interval_ms, due_ms;
	void (*fn)(void *);
	void *arg;
};

struct runner {
	pthread_t thread;
	int epfd, wakefd;
	struct ev_tag t_wake;
	int max_agents;

	pthread_mutex_t mu;            /* guards inbox, locks, tickers, stats, stopping */
	struct job *inbox_head, *inbox_tail;
	struct hmap *locks;            /* key -> struct lockq */
	struct ticker *tickers;
	bool stopping;
	bool draining;                 /* start nothing more (runner_drain) */
	unsigned long loops, drain_seen;  /* loop rounds, for runner_drain */
	pthread_cond_t loop_cv;
	struct runner_stats st;

	struct job *done_head, *done_tail;  /* non-local jobs finished (mu) */

	/* owned by the runner thread only */
	struct job *q_head[RUNNER_NCLASSES], *q_tail[RUNNER_NCLASSES];  /* ready to start */
	struct job *running;           /* local processes, doubly linked */
	unsigned inflight[RUNNER_NCLASSES];
	int limit[RUNNER_NCLASSES];
};

/* job.c: the monotonic clock in milliseconds */
long runner_now_ms(void);

/* job.c: a copy of the request; NULL on ENOMEM.  agent_job_free accepts NULL and
 * wipes the input and password copies. */
struct job *agent_job_new(const struct agent_request *req);
void agent_job_free(struct job *j);

/* spawn.c: starts j in its own process group and registers its pipes and
 * pidfd with r's epoll.  Returns 0, or -errno with j->spawn_err set. */
int agent_spawn(struct runner *r, struct job *j);

/* lock.c: true if j may run now (it then holds its lock), false if it was
 * parked behind the holder.  agent_lock_release hands the lock to the next job,
 * which goes to the front of the ready queue. */
bool agent_lock_take(struct runner *r, struct job *j);
void agent_lock_release(struct runner *r, struct job *j);
/* job.c: FIFO queues of jobs (front: first in line again) */
void agent_q_push(struct job **head, struct job **tail, struct job *j, bool front);
struct job *agent_q_pop(struct job **head, struct job **tail);

#endif
