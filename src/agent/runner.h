/*
 * runner.h - the one queue every agent run goes through, whatever serves
 * it: lock queues, fan-out limits, time-outs, completion (DESIGN §3, §5).
 *
 * One event-loop thread (epoll over pipes, pidfds and an eventfd) drives
 * every job; no thread waits for a process or a peer.  Jobs belong to a
 * class (local process, SSH, IPMI); at most limit(class) jobs of a class
 * are in flight at once, the rest wait in FIFO order, and a full class
 * never holds up another.  Jobs that share a lock key run one at a time,
 * whatever their class (the "lock" special file).
 *
 * Local jobs are processes started here: each in its own process group;
 * on timeout, and after it exits, the whole group is killed, so no orphan
 * outlives its agent.  Other classes are started by the request's start
 * function (a back end in src/agent/be_*.c), which hands the work to its
 * pool and reports the outcome with runner_job_done() from any thread;
 * their time-out is the back end's to enforce (it gets timeout_s).
 *
 * Completion callbacks run on the runner thread; they must not block for
 * long.  They may submit further jobs.  Everything in a request is copied
 * at submit time; the password copy lives in sodium-locked memory and is
 * wiped after spawn.
 */
#ifndef SYSMAN_AGENT_RUNNER_H
#define SYSMAN_AGENT_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "agent/trie.h"
#include "util/buf.h"

/* Exit codes the runner reports itself, shell-style. */
#define AGENT_RC_TIMEOUT      124
#define AGENT_RC_NOEXEC       126
#define AGENT_RC_NOTFOUND     127
#define AGENT_RC_SIGNAL_BASE  128

struct runner;
struct job;

/* Classes of work, each with its own fan-out limit. */
enum runner_class { RUNNER_LOCAL = 0, RUNNER_SSH, RUNNER_IPMI, RUNNER_REDFISH, RUNNER_NCLASSES };

/* Starts a non-local job: hands it to a pool and returns 0 (the outcome
 * then comes through runner_job_done(j, ...), exactly once, possibly
 * before start returns), or -errno (nothing started).  timeout_s: < 0
 * none, else seconds counted from when the work starts at the device. */
typedef int (*runner_start_fn)(void *data, struct job *j, int timeout_s);

struct agent_result {
	int rc;                 /* agent's exit code, or one of AGENT_RC_* */
	struct buf *out;        /* stdout, capped at output_max */
	struct buf *err;        /* stderr, capped at 64 KiB */
	bool timed_out;
	bool truncated;         /* stdout hit output_max */
	const char *message;    /* one line for .status (may be "") */
	pid_t pid;
	double ms;              /* wall time from spawn to exit */
	long queued_ms;         /* time spent waiting in the queue */
};

typedef void (*agent_done_fn)(void *arg, const struct agent_result *res);

struct agent_user;

struct agent_request {
	const char *exec;       /* agent executable */
	const char *file;       /* -f: the file's full path under the mount */
	enum agent_op op;
	const char *input;      /* -i and stdin; may be NULL */
	size_t input_len;
	const char *user;       /* -u; may be NULL */
	const char *password;   /* SYSMAN_PASSWORD; -p only if pass_in_argv */
	bool pass_in_argv;
	const char *const *env; /* extra "KEY=VALUE" entries, NULL-terminated; may be NULL */
	const char *lock_key;   /* serialise with other jobs of this key; may be NULL */
	int timeout_s;          /* < 0: none; 0: 30 */
	size_t output_max;
	agent_done_fn done;
	void *arg;
	enum runner_class klass;
	const struct agent_user *run_as;  /* local: the user the process runs as
	                                   * (conf.h); NULL: the daemon's.  Not
	                                   * copied: the configuration outlives
	                                   * the runner */
	runner_start_fn start;  /* non-local classes: required */
	void *data;             /* start's argument; owned by the job from submit on */
	void (*data_free)(void *data);
};

/* Starts the runner thread.  Returns 0 or -errno. */
int runner_new(int max_agents, struct runner **ret);

/* Kills every running agent, calls pending callbacks with rc -ECANCELED
 * semantics (rc = AGENT_RC_SIGNAL_BASE + SIGKILL, message "daemon stopping"),
 * joins the thread and frees.  Accepts NULL. */
void runner_free(struct runner *r);

/* Starts no further job (queued ones wait, and are cancelled by
 * runner_free); outcomes of started ones are still delivered.  Call
 * before stopping the pools that start functions hand work to. */
void runner_drain(struct runner *r);

/* Queues a job.  Returns 0 (done will be called exactly once) or -errno
 * (done will not be called).  req->data is the job's from here on, also
 * on failure (data_free is called). */
int runner_submit(struct runner *r, const struct agent_request *req);

/* A non-local job's outcome, from any thread; everything is copied (out
 * and err up to the job's limits, message).  rc and timed_out as in
 * agent_result. */
void runner_job_done(struct job *j, const struct agent_result *res);

/* The request's data of a job (for a start function's callbacks). */
void *runner_job_data(struct job *j);

/* Sets the fan-out limit of a class (> 0; default max_agents).  Call
 * before the first submit of that class. */
void runner_set_limit(struct runner *r, enum runner_class c, int limit);

/* Calls fn(arg) on the runner thread every interval_ms (first call after
 * interval_ms).  Returns 0 or -errno. */
int runner_every(struct runner *r, long interval_ms, void (*fn)(void *arg), void *arg);

/* Appends a description of who holds lock key to out ("none" when free).
 * Returns 1 if held, 0 if free. */
int runner_lock_holder(struct runner *r, const char *key, struct buf *out);

struct runner_stats {
	unsigned running, queued, lock_waiting;
	unsigned long started, finished, timed_out;
	unsigned class_running[RUNNER_NCLASSES], class_queued[RUNNER_NCLASSES];
	int class_limit[RUNNER_NCLASSES];
};
void runner_stats(struct runner *r, struct runner_stats *ret);

#endif
