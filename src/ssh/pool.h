/*
 * pool.h - the in-daemon SSH connection pool (libssh, non-blocking, epoll).
 *
 * Invariants:
 *   - one persistent authenticated SSH session per (host, port, user),
 *     opened on the first command for it and reused for every later one;
 *     several commands to one host run at once as separate channels (at
 *     most cfg.max_channels per session, the rest wait their turn);
 *   - all SSH I/O happens on the pool's own event-loop threads
 *     (cfg.threads, default 1), each an epoll loop over the sockets of the
 *     sessions it owns; no thread per host or per command;
 *   - at most cfg.max_connecting connection attempts (TCP + SSH handshake +
 *     authentication) are in progress at once; the rest queue in order;
 *   - `done` is called exactly once for every command ssh_pool_exec()
 *     accepted, from a pool thread, never from inside ssh_pool_exec();
 *   - output kept per stream is capped at cfg.output_max bytes (the buf's
 *     max); the excess is read and dropped and buf->truncated is set;
 *   - host keys are checked against cfg.known_hosts only (never ~/.ssh or
 *     /etc/ssh); passwords are never logged and are wiped when freed.
 *
 * Timeouts: a connection attempt is bounded by cfg.connect_timeout_s (TCP
 * connect, banner, key exchange and authentication together); a command is
 * bounded by its timeout counted from ssh_pool_exec(), queueing and
 * connecting included.  When a running command times out the pool sends the
 * "signal KILL" channel request (OpenSSH's sshd delivers it with killpg() to
 * the command's whole process group: the session child is a group leader)
 * and then closes the channel; the result is -ETIMEDOUT.  This needs an
 * sshd that honours "signal" requests (OpenSSH >= 7.9); other servers only
 * see the channel close.  ssh_pool_free() kills running commands the same
 * way.
 *
 * Reconnection is on demand: a session found broken (EOF, I/O error, or no
 * answer to keepalive@openssh.com within 3 keepalive intervals) is dropped;
 * commands running on it fail with -ECONNRESET (-ETIMEDOUT after a
 * keepalive timeout), those whose channel was not yet open are retried once
 * on a new session; the next command opens a new session.  After a failed connection attempt, commands for that host
 * fail at once with the same error until a back-off delay has passed
 * (1 s, doubling per consecutive failure, at most 30 s); a command bringing
 * a different password than the failed attempt is tried at once.
 *
 * Limits: host names are resolved with getaddrinfo() on the loop thread
 * (instant for addresses and /etc/hosts; a slow DNS would stall the loop);
 * known_hosts is read by libssh on each handshake (200 hosts against a
 * 2,000-line file: no measurable cost).
 */
#ifndef SYSMAN_SSH_POOL_H
#define SYSMAN_SSH_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

enum ssh_host_key_policy {
	SSH_POLICY_ACCEPT_NEW = 0,   /* record unknown keys; reject changed */
	SSH_POLICY_STRICT = 1,       /* reject unknown and changed keys */
};

struct ssh_pool_config {
	const char *key_path;      /* private key for key auth; NULL: none */
	const char *known_hosts;   /* sysman's own known_hosts (required) */
	int host_key_policy;       /* enum ssh_host_key_policy */
	int connect_timeout_s;     /* 0: 10 */
	int command_timeout_s;     /* default for exec timeout 0; 0: 30 */
	int keepalive_s;           /* 0: 30; < 0: no keepalive */
	size_t output_max;         /* per stream; 0: BUF_DEFAULT_MAX */
	int max_connecting;        /* concurrent attempts; 0: 64 */
	int max_channels;          /* concurrent commands per session; 0: 10
	                            * (OpenSSH's MaxSessions default) */
	int threads;               /* event-loop threads; 0: 1 */
};

struct ssh_pool;

struct ssh_target {
	const char *host;          /* address or name; no '@', no spaces */
	int port;                  /* 0: 22 */
	const char *user;          /* NULL: "root" */
	const char *password;      /* NULL: key auth with cfg.key_path */
};

/* What a command came to.  rc is 0 or -errno:
 *   -ETIMEDOUT     connect timeout, keepalive timeout or command timeout
 *   -EACCES        authentication failed
 *   -ECONNREFUSED, -EHOSTUNREACH, -ENETUNREACH   TCP connect failed
 *   -EKEYREJECTED  host key changed, or unknown under SSH_POLICY_STRICT
 *   -ECONNRESET    the session broke while the command ran
 *   -EPROTO        SSH protocol error (handshake, channel refused, ...)
 *   -ESHUTDOWN     the pool is being freed
 * (during back-off a command gets the previous attempt's rc at once, its
 * message prefixed with "previous attempt failed: ").
 * exit_status is the remote exit code when rc == 0 (128 + signal number if
 * the command was killed by a signal, -1 if the server sent neither).
 * out and err hold what the command printed (also partial output on
 * failure); the callback may take their data with buf_steal().  Everything
 * pointed to is valid only during the callback. */
struct ssh_result {
	int rc;
	int exit_status;
	struct buf *out;
	struct buf *err;
	const char *message;       /* never NULL; "" on success */
};

typedef void (*ssh_done_fn)(void *arg, const struct ssh_result *res);

/* Creates a pool and starts its threads; raises RLIMIT_NOFILE to the hard
 * limit; loads the private key once.  Strings in cfg are copied.  Returns
 * NULL with errno set (EINVAL bad config, ENOENT/EACCES key file, ENOMEM,
 * or the errno of a failed thread or epoll creation). */
struct ssh_pool *ssh_pool_new(const struct ssh_pool_config *cfg);

/* Fails every queued and running command with -ESHUTDOWN (callbacks run
 * before this returns), closes every session and joins the threads.
 * Accepts NULL.  Must not be called from a `done` callback. */
void ssh_pool_free(struct ssh_pool *p);

/* Queues `command` for t (all strings copied).  timeout_s: 0 uses
 * cfg.command_timeout_s, < 0 means none.  Returns 0 (done will be called
 * exactly once), -EINVAL (bad target or command), -ENOMEM or -ESHUTDOWN;
 * on failure done is never called. */
int ssh_pool_exec(struct ssh_pool *p, const struct ssh_target *t,
		  const char *command, int timeout_s, ssh_done_fn done,
		  void *arg);

struct ssh_exec_opts {
	int timeout_s;     /* as for ssh_pool_exec() */
	bool from_start;   /* count the time-out from when the command starts on
	                    * the host (channel exec accepted), not from submit:
	                    * time spent queued or connecting is bounded by the
	                    * connect timeout and the channel limit instead */
	bool hold_stdin;   /* send no EOF: the command's stdin stays open until
	                    * the channel closes (a wrapper on the host can
	                    * watch it to end the command when sysman gives up,
	                    * whether or not sshd honours the KILL signal) */
};

/* ssh_pool_exec() with options. */
int ssh_pool_exec_opts(struct ssh_pool *p, const struct ssh_target *t,
		       const char *command, const struct ssh_exec_opts *o,
		       ssh_done_fn done, void *arg);

/* A result that outlives the callback. */
struct ssh_result_owned {
	int rc;
	int exit_status;
	struct buf out;
	struct buf err;
	char *message;             /* never NULL after a successful call */
};

#define SSH_RESULT_OWNED_INIT { 0, 0, BUF_INIT, BUF_INIT, NULL }

void ssh_result_owned_release(struct ssh_result_owned *r);

/* Runs a command and waits for it.  Returns 0 when the command was run (its
 * outcome, possibly a failure, is in *ret_res: release it with
 * ssh_result_owned_release) or what ssh_pool_exec() returned, -EDEADLK if
 * called from a pool thread.  *ret_res is untouched on failure. */
int ssh_pool_exec_sync(struct ssh_pool *p, const struct ssh_target *t,
		       const char *command, int timeout_s,
		       struct ssh_result_owned *ret_res);

/* Number of TCP connections the pool has opened so far (for tests and
 * statistics: session reuse shows as no growth). */
unsigned long ssh_pool_connects(const struct ssh_pool *p);

#endif
