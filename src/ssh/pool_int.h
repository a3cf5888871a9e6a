/*
 * pool_int.h - internals shared by the files of src/ssh/ (not installed).
 *
 * Ownership and threads:
 *   - struct loop: one event-loop thread.  Fields under "lock" are touched
 *     by any thread (the inbox); everything else only by the loop thread.
 *   - struct host (one SSH session) and struct job (one command) belong to
 *     exactly one loop and are only touched by its thread.
 *   - a job is in exactly one place: the loop inbox, its host's `pending`
 *     list, or its host's `running` list; job_finish() unlinks and frees it.
 *   - a host's socket fd is registered in the loop's epoll iff h->fd >= 0;
 *     before the SSH handshake starts the pool owns the fd, afterwards
 *     libssh does (it closes it on I/O errors, which also removes it from
 *     epoll; host_sync_fd() notices).
 */
#ifndef SYSMAN_SSH_POOL_INT_H
#define SYSMAN_SSH_POOL_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include "ssh/pool.h"
#include "util/buf.h"

#define SSH_BACKOFF_FIRST_MS   1000
#define SSH_BACKOFF_MAX_MS    30000
#define SSH_MSG_MAX             512
#define SSH_OPEN_RETRIES          5   /* refused channel opens per job */
#define SSH_OPEN_RETRY_MS        20   /* times the number of refusals */
#define SSH_CHAN_RAISE_AFTER     20   /* good opens before limit + 1 */

struct loop;
struct host;

enum job_state {
	JOB_PENDING,     /* on host->pending: waits for a session or a slot */
	JOB_OPEN,        /* channel open requested */
	JOB_EXEC,        /* exec request sent, waiting for the reply */
	JOB_RUN,         /* command running; callbacks fill out/err */
};

struct job {
	struct job *prev, *next;
	struct host *host;            /* NULL while in the inbox */
	enum job_state state;
	/* copies of the request; password wiped on free */
	char *hostname, *user, *password, *command;
	int port;
	int64_t deadline_ms;          /* 0: none (yet) */
	int timeout_s;
	bool from_start;              /* deadline set when the command starts */
	bool hold_stdin;              /* no EOF after exec */
	ssh_done_fn done;
	void *arg;
	bool retried;                 /* requeued once after a broken session */
	int open_failures;            /* channel opens the server refused */
	ssh_channel ch;
	struct ssh_channel_callbacks_struct cb;
	struct buf out, err;
	bool got_eof, got_close, got_exit;
	int exit_status;
};

struct jlist {
	struct job *head, *tail;
	unsigned n;
};

enum host_state {
	HOST_IDLE,       /* no session */
	HOST_WAIT_SLOT,  /* on loop->connq, waiting for a connect slot */
	HOST_TCP,        /* non-blocking connect() in progress */
	HOST_HANDSHAKE,  /* ssh_connect() */
	HOST_AUTH,       /* ssh_userauth_*() */
	HOST_READY,      /* authenticated */
};

struct host {
	struct host *hnext;           /* hash chain */
	struct host *qnext;           /* loop->connq */
	struct loop *loop;
	char *key;                    /* "user@host:port" */
	char *hostname, *user, *password;
	int port;
	enum host_state state;
	ssh_session sess;
	ssh_event ev;                 /* pumps this one session when READY */
	int fd;                       /* registered in epoll iff >= 0 */
	uint32_t ev_mask;
	int64_t deadline_ms;          /* of the current connect attempt */
	int64_t last_rx_ms, next_keepalive_ms;
	int64_t retry_at_ms;          /* back-off: no attempt before this */
	int backoff_ms;
	int last_rc;                  /* of the last failed attempt */
	char last_msg[SSH_MSG_MAX];
	unsigned chan_limit;          /* adaptive, <= cfg max_channels */
	unsigned opens_ok;            /* since chan_limit was last lowered */
	int64_t hold_until_ms;        /* no channel opens before (refusals) */
	struct jlist pending, running;
};

struct loop {
	struct ssh_pool *pool;
	pthread_t thread;
	int epfd, evfd;
	pthread_mutex_t lock;
	struct jlist inbox;           /* guarded by lock */
	bool stop;                    /* guarded by lock */
	/* loop thread only: */
	struct host **table;
	size_t table_size, nhosts;
	struct host *connq_head, *connq_tail;
	int connecting, max_connecting;
	int64_t next_scan_ms;
	ssh_key privkey;              /* this thread's copy */
};

struct ssh_pool {
	struct ssh_pool_config cfg;   /* strings owned (copies) */
	int nloops;
	struct loop *loops;
	atomic_ulong connects;
	atomic_bool stopping;
};

/* util.c */
int64_t now_ms(void);
void jlist_push(struct jlist *l, struct job *j);
void jlist_unshift(struct jlist *l, struct job *j);
void jlist_remove(struct jlist *l, struct job *j);
struct job *jlist_pop(struct jlist *l);
void str_wipe_free(char *s);
/* Maps an exit-signal name ("KILL") to its number, 0 if unknown. */
int ssh_signal_number(const char *name);
uint64_t ssh_str_hash(const char *s);
/* "user@host:port", the session key.  Returns 0 or -ENAMETOOLONG. */
int ssh_host_key(char *dst, size_t n, const char *user, const char *host,
		 int port);
#define SSH_HOST_KEY_MAX 600

/* job.c */
void job_free(struct job *j);
/* Unlinks j from its host list (if any), calls done, frees j. */
void job_finish(struct job *j, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Advances one job on a READY session; may finish it.  Returns 1 if the
 * job is still there, 0 if finished, -ECONNRESET if the session broke. */
int job_step(struct job *j);
/* Closes the job's channel after a timeout (signal KILL first) and
 * finishes it with -ETIMEDOUT. */
void job_timeout(struct job *j, int64_t now);

/* hostkey.c */
/* Checks the server's key of a session whose handshake completed against
 * the known_hosts file set on it.  Returns 0, -EKEYREJECTED or -EIO, with
 * a message in msg. */
int hostkey_check(ssh_session s, const char *hostname, int port,
		  int policy, const char *known_hosts, char *msg, size_t n);
/* Pure policy decision for a libssh known-hosts status: 0 accept as is,
 * 1 accept and record, or -EKEYREJECTED / -EIO. */
int hostkey_decide(enum ssh_known_hosts_e st, int policy);

/* host.c */
struct host *host_new(struct loop *l, const char *key, const struct job *j);
void host_free(struct host *h);
/* Queues j on h and moves h along (connect, open channels). */
void host_add_job(struct host *h, struct job *j);
/* After libssh calls: notices a socket libssh closed, updates the epoll
 * mask (EPOLLOUT while libssh has output queued). */
void host_sync_fd(struct host *h);
/* Called on epoll events for h->fd. */
void host_on_io(struct host *h, uint32_t events);
/* Checks deadlines and keepalives; returns the next time it wants a call. */
int64_t host_scan(struct host *h, int64_t now);
/* Fails every job and tears the session down (pool shutdown). */
void host_shutdown(struct host *h);
/* Starts queued connection attempts while slots are free (called by the
 * loop after each round, never from inside a host transition). */
void loop_start_connects(struct loop *l);
/* Maps a libssh auth result / errno for messages. */
int ssh_errno_from_session(ssh_session s);

/* loop.c */
/* True on a pool event-loop thread (where blocking on the pool deadlocks). */
bool ssh_pool_in_loop_thread(void);
void *loop_main(void *arg);
int loop_init(struct loop *l, struct ssh_pool *p, int max_connecting);
void loop_release(struct loop *l);
/* Hands a job to the loop (any thread).  Returns 0 or -ESHUTDOWN. */
int loop_submit(struct loop *l, struct job *j);
void loop_want_scan(struct loop *l, int64_t when);
int loop_epoll_set(struct loop *l, int fd, uint32_t events, void *ptr,
		   bool add);

#endif
