/*
 * pool_int.h - internals of the IPMI pool shared by pool.c (queue,
 * workers, janitor) and session.c (libfreeipmi calls).
 *
 * Locking: p->mu guards the session table, the ready list, every
 * session's queue and flags (busy, on_ready, maint) and the counters.  A
 * worker that set s->busy owns s's connection fields (ctx, pw_hash,
 * session_ms, last_io, last_use) until it clears busy under p->mu; others
 * read them only under p->mu while busy is false.  No lock is held across
 * a libfreeipmi call or a callback.
 */
#ifndef SYSMAN_IPMI_POOL_INT_H
#define SYSMAN_IPMI_POOL_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "ipmi/format.h"
#include "ipmi/pool.h"
#include "util/buf.h"

#define IPMI_HASH_BYTES 32
#define IPMI_USER_MAX 16        /* IPMI 2.0 user name */
#define IPMI_PASS_MAX 20        /* IPMI 2.0 password */
#define IPMI_MSG_MAX 256
#define IPMI_INPUT_MAX 4096     /* a written value; longer is refused */
#define IPMI_TEXT_MAX (1024u * 1024u)

struct hmap;

struct ipmi_req {
	struct ipmi_req *next;
	enum ipmi_prop prop;
	bool write;
	enum ipmi_op op;               /* power: IPMI_POWER_STATUS or the write */
	enum ipmi_bootdev boot;        /* bootorder write: the first device */
	char *password;                /* wiped and freed with the request */
	size_t password_len;
	unsigned char pw_hash[IPMI_HASH_BYTES];
	ipmi_done_fn done;
	void *arg;
};

enum ipmi_maint { MAINT_NONE, MAINT_KEEPALIVE, MAINT_CLOSE };

struct ipmi_session {
	char *key;                     /* "host\nport\nuser" (table key) */
	char *host, *user;
	char *target;                  /* "host:port" for libfreeipmi */
	int port;

	/* under p->mu */
	struct ipmi_req *head, *tail;  /* waiting requests, in order */
	struct ipmi_session *next_ready;
	bool busy;                     /* a worker is using the connection */
	bool on_ready;                 /* on the ready list */
	enum ipmi_maint maint;         /* janitor's order when the queue is empty */

	/* the connection: owned by the worker holding busy */
	void *ctx;                     /* ipmi_ctx_t, NULL when closed */
	unsigned char pw_hash[IPMI_HASH_BYTES];
	unsigned session_ms;           /* libfreeipmi session timeout of ctx */
	struct timespec last_io;       /* last answer received (monotonic) */
	struct timespec last_use;      /* last request served (monotonic) */
	bool sdr_checked;              /* the SDR cache was checked on this ctx */
};

/* A BMC's sensor records, shared read-only by the sessions to it; freed
 * with its last reference (p->mu guards refs and the table). */
struct ipmi_sdr {
	unsigned refs;
	uint8_t stamps[8];             /* most recent addition and erase */
	size_t n;
	struct ipmi_sensor *sensors;
};

struct ipmi_pool {
	struct ipmi_pool_config cfg;
	unsigned session_ms;           /* S: cfg.timeout_ms */
	unsigned char hash_key[32];    /* keys the password hashes */

	pthread_mutex_t mu;
	pthread_cond_t work;           /* workers: ready list or stopping */
	pthread_cond_t tick;           /* janitor */
	struct hmap *sessions;         /* key -> struct ipmi_session */
	struct hmap *sdrs;             /* "host:port" -> struct ipmi_sdr */
	struct ipmi_session *ready_head, *ready_tail;
	bool stopping;
	struct ipmi_pool_stats st;     /* counters (sessions/queued computed) */
	unsigned open_sessions;
	unsigned queued;

	pthread_t *workers;
	int nworkers;                  /* started */
	pthread_t janitor;
	bool janitor_started;
};

/* What serving one request came to (filled by session.c). */
struct ipmi_outcome {
	int rc;
	int power;
	struct buf text;               /* the file's new content */
	bool open_failed;              /* the failure was opening a session */
	char message[IPMI_MSG_MAX];
};

/* session.c: libfreeipmi.  All are called by the worker holding s->busy,
 * without p->mu. */
void ipmi_lib_init(void);
/* Opens s with rq's credentials and session timeout ms.  Returns 0, or
 * -errno with o->message set. */
int ipmi_session_open(struct ipmi_pool *p, struct ipmi_session *s, const struct ipmi_req *rq,
		      unsigned ms, struct ipmi_outcome *o);
/* Sends Close Session (bounded by the session's remaining time) and frees
 * the context.  No-op when s is closed. */
void ipmi_session_close(struct ipmi_session *s);
/* Serves rq on the open session, its text into o->text.  Returns 0, or
 * -errno with o->message set; *ret_broken tells whether the session
 * itself failed (no answer, I/O or protocol error: worth a new session)
 * rather than the command. */
int ipmi_session_serve(struct ipmi_pool *p, struct ipmi_session *s, const struct ipmi_req *rq,
		       struct ipmi_outcome *o, bool *ret_broken);
/* Runs one raw command (netfn, lun, cmd + data); the answer after the
 * completion code into rs (at most rsmax bytes, *ret_len).  Returns 0,
 * or -errno with o->message set (-EIO for a completion code, then in
 * *ret_cc; *ret_cc is 0 otherwise). */
int ipmi_raw(struct ipmi_session *s, uint8_t netfn, uint8_t lun, uint8_t cmd, const uint8_t *data,
	     size_t len, uint8_t *rs, size_t rsmax, size_t *ret_len, uint8_t *ret_cc,
	     struct ipmi_outcome *o, bool *ret_broken);
int ipmi_fail(struct ipmi_outcome *o, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* props.c: the properties made of several commands */
int ipmi_prop_bootorder(struct ipmi_session *s, const struct ipmi_req *rq,
			struct ipmi_outcome *o, bool *ret_broken);
int ipmi_prop_sensors(struct ipmi_pool *p, struct ipmi_session *s, const struct ipmi_req *rq,
		      struct ipmi_outcome *o, bool *ret_broken);
int ipmi_prop_eventlog(struct ipmi_pool *p, struct ipmi_session *s, const struct ipmi_req *rq,
		       struct ipmi_outcome *o, bool *ret_broken);
int ipmi_prop_fru(struct ipmi_session *s, struct ipmi_outcome *o, bool *ret_broken);

/* pool.c: the SDR cache (takes p->mu).  ipmi_sdr_get returns a
 * reference to the cached records of "host:port" or NULL; ipmi_sdr_put
 * replaces them (taking over sdr; counts a fetch); ipmi_sdr_unref drops
 * a reference (NULL accepted). */
struct ipmi_sdr *ipmi_sdr_get(struct ipmi_pool *p, const char *target);
void ipmi_sdr_put(struct ipmi_pool *p, const char *target, struct ipmi_sdr *sdr);
void ipmi_sdr_unref(struct ipmi_pool *p, struct ipmi_sdr *sdr);
/* Get Device ID on the open session.  Returns 0 or -EIO. */
int ipmi_session_keepalive(struct ipmi_session *s);

/* pool.c helpers used by session.c */
void ipmi_mono_now(struct timespec *ts);
long ipmi_ms_since(const struct timespec *then);

#endif
