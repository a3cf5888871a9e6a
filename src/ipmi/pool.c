/* The IPMI session pool: request queues, worker threads and the janitor
 * that keeps idle sessions alive or closes them (see pool.h). */
#include "ipmi/pool_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "ipmi/format.h"
#include "util/hmap.h"

#define DEFAULT_THREADS 16
#define MAX_THREADS 256
#define DEFAULT_TIMEOUT_MS 2000
#define MIN_TIMEOUT_MS 300
#define DEFAULT_CIPHER 3
#define DEFAULT_IDLE_S 10
#define DEFAULT_PORT 623
#define HOST_MAX 255

/* Counter deltas of one piece of work, added under p->mu. */
struct tally {
	unsigned long opens, open_fails, reopens, commands, keepalives, closes;
};

/* ---- the SDR cache (p->mu) ---- */

static void sdr_release(struct ipmi_sdr *sdr)
{
	if (sdr) {
		free(sdr->sensors);
		free(sdr);
	}
}

static void sdr_free_cb(void *v)
{
	sdr_release(v);
}

struct ipmi_sdr *ipmi_sdr_get(struct ipmi_pool *p, const char *target)
{
	struct ipmi_sdr *sdr;

	pthread_mutex_lock(&p->mu);
	sdr = hmap_get(p->sdrs, target);
	if (sdr)
		sdr->refs++;
	pthread_mutex_unlock(&p->mu);
	return sdr;
}

void ipmi_sdr_unref(struct ipmi_pool *p, struct ipmi_sdr *sdr)
{
	if (!sdr)
		return;
	pthread_mutex_lock(&p->mu);
	if (--sdr->refs == 0)
		sdr_release(sdr);
	pthread_mutex_unlock(&p->mu);
}

void ipmi_sdr_put(struct ipmi_pool *p, const char *target, struct ipmi_sdr *sdr)
{
	struct ipmi_sdr *old;

	pthread_mutex_lock(&p->mu);
	old = hmap_get(p->sdrs, target);
	if (old) {
		hmap_del(p->sdrs, target);
		if (--old->refs == 0)
			sdr_release(old);
	}
	sdr->refs++;                        /* the table's reference */
	if (hmap_put(p->sdrs, target, sdr, NULL) < 0)
		sdr->refs--;                    /* not cached: the next read fetches */
	p->st.sdr_fetches++;
	pthread_mutex_unlock(&p->mu);
}

void ipmi_mono_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

long ipmi_ms_since(const struct timespec *then)
{
	struct timespec now;

	ipmi_mono_now(&now);
	return (long)(now.tv_sec - then->tv_sec) * 1000L + (now.tv_nsec - then->tv_nsec) / 1000000L;
}

static void req_free(struct ipmi_req *rq)
{
	if (!rq)
		return;
	if (rq->password) {
		sodium_memzero(rq->password, rq->password_len);
		free(rq->password);
	}
	free(rq);
}

static void session_free(struct ipmi_session *s)
{
	if (!s)
		return;
	ipmi_session_close(s);
	free(s->key);
	free(s->host);
	free(s->user);
	free(s->target);
	free(s);
}

static void session_free_cb(void *v)
{
	session_free(v);
}

static struct ipmi_session *session_new(const char *key, const char *host, int port,
					const char *user)
{
	struct ipmi_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->key = strdup(key);
	s->host = strdup(host);
	s->user = strdup(user);
	s->port = port;
	if (!s->key || !s->host || !s->user || asprintf(&s->target, "%s:%d", host, port) < 0) {
		s->target = NULL;
		session_free(s);
		return NULL;
	}
	return s;
}

/* ---- the ready list: sessions with work and no worker (p->mu) ---- */

static void ready_push(struct ipmi_pool *p, struct ipmi_session *s)
{
	if (s->on_ready || s->busy)
		return;
	s->on_ready = true;
	s->next_ready = NULL;
	if (p->ready_tail)
		p->ready_tail->next_ready = s;
	else
		p->ready_head = s;
	p->ready_tail = s;
	pthread_cond_signal(&p->work);
}

static struct ipmi_session *ready_pop(struct ipmi_pool *p)
{
	struct ipmi_session *s = p->ready_head;

	if (!s)
		return NULL;
	p->ready_head = s->next_ready;
	if (!p->ready_head)
		p->ready_tail = NULL;
	s->next_ready = NULL;
	s->on_ready = false;
	return s;
}

/* ---- serving ---- */

static void drop(struct ipmi_session *s, struct tally *t)
{
	if (s->ctx) {
		ipmi_session_close(s);
		t->closes++;
	}
}

static int open_for(struct ipmi_pool *p, struct ipmi_session *s, const struct ipmi_req *rq,
		    unsigned ms, struct ipmi_outcome *o, struct tally *t)
{
	int r = ipmi_session_open(p, s, rq, ms, o);

	if (r < 0) {
		t->open_fails++;
		o->open_failed = true;
		return r;
	}
	t->opens++;
	return 0;
}

/* Runs rq on s: reuses the open session if it was opened with the same
 * password and has at least half its time left; a reused session that
 * broke (no answer: BMC restarted, session expired) is replaced once and
 * a read resent.  A write is sent once: on a reused session a Get Device
 * ID first proves the session alive (and a broken one is replaced before
 * the write goes out). */
static void serve(struct ipmi_pool *p, struct ipmi_session *s, const struct ipmi_req *rq,
		  struct ipmi_outcome *o, struct tally *t)
{
	/* a BMC that restarted answers the new session at once; half the
	 * time keeps a dead one's total under about 2 T */
	unsigned half = p->session_ms / 2 < MIN_TIMEOUT_MS ? MIN_TIMEOUT_MS : p->session_ms / 2;
	bool reused, broken = false;
	int r;

	if (s->ctx && (sodium_memcmp(s->pw_hash, rq->pw_hash, IPMI_HASH_BYTES) != 0 ||
		       ipmi_ms_since(&s->last_io) >= (long)s->session_ms / 2))
		drop(s, t);
	reused = s->ctx != NULL;
	if (reused && rq->write && ipmi_session_keepalive(s) < 0) {
		drop(s, t);
		t->reopens++;
		if (open_for(p, s, rq, half, o, t) < 0)
			goto out;
		reused = false;
	}
	if (!s->ctx && open_for(p, s, rq, p->session_ms, o, t) < 0)
		goto out;
	r = ipmi_session_serve(p, s, rq, o, &broken);
	if (r < 0 && broken && reused && !rq->write) {
		drop(s, t);
		t->reopens++;
		if (open_for(p, s, rq, half, o, t) < 0)
			goto out;
		r = ipmi_session_serve(p, s, rq, o, &broken);
	}
	if (r == 0 || !broken)
		t->commands++;
	if (r < 0 && broken)
		drop(s, t);    /* the next request opens a new one */
out:
	ipmi_mono_now(&s->last_use);
}

static void deliver(struct ipmi_req *rq, const struct ipmi_outcome *o, double ms)
{
	struct ipmi_result res = {
		.rc = o->rc, .message = o->message, .ms = ms,
		.text = o->rc == 0 ? buf_str(&o->text) : "", .text_len = o->rc == 0 ? o->text.len : 0,
	};

	/* the password is no longer needed */
	sodium_memzero(rq->password, rq->password_len);
	rq->done(rq->arg, &res);
	req_free(rq);
}

/* Takes the requests queued on s with the same password (p->mu): they
 * share the outcome of the open that just failed. */
static struct ipmi_req *take_same(struct ipmi_pool *p, struct ipmi_session *s,
				  const unsigned char *hash)
{
	struct ipmi_req *out = NULL, **otail = &out, **pp = &s->head, *rq;

	s->tail = NULL;
	while ((rq = *pp)) {
		if (sodium_memcmp(rq->pw_hash, hash, IPMI_HASH_BYTES) == 0) {
			*pp = rq->next;
			rq->next = NULL;
			*otail = rq;
			otail = &rq->next;
			p->queued--;
		} else {
			s->tail = rq;
			pp = &rq->next;
		}
	}
	return out;
}

static void tally_add(struct ipmi_pool *p, const struct tally *t)
{
	p->st.opens += t->opens;
	p->st.open_fails += t->open_fails;
	p->st.reopens += t->reopens;
	p->st.commands += t->commands;
	p->st.keepalives += t->keepalives;
	p->st.closes += t->closes;
}

struct find_open {
	struct ipmi_session *found;
};

static int find_open_cb(const char *key, void *val, void *arg)
{
	struct ipmi_session *s = val;
	struct find_open *f = arg;

	(void)key;
	if (s->ctx && !s->busy && !s->on_ready) {
		f->found = s;
		return 1;
	}
	return 0;
}

/* Takes the next piece of work (p->mu held): a session from the ready
 * list with its first request (or the janitor's order), or when stopping
 * an open session to close.  NULL: wait (or exit when stopping). */
static struct ipmi_session *next_work(struct ipmi_pool *p, struct ipmi_req **ret_rq,
				      enum ipmi_maint *ret_m)
{
	struct ipmi_session *s = ready_pop(p);
	struct find_open f = { NULL };

	*ret_rq = NULL;
	*ret_m = MAINT_CLOSE;
	if (s) {
		*ret_rq = s->head;
		if (s->head) {
			s->head = s->head->next;
			if (!s->head)
				s->tail = NULL;
			p->queued--;
			(*ret_rq)->next = NULL;
		}
		if (!p->stopping)
			*ret_m = s->maint;
	} else if (p->stopping) {
		hmap_each(p->sessions, find_open_cb, &f);
		s = f.found;
	}
	if (s) {
		s->maint = MAINT_NONE;
		s->busy = true;
	}
	return s;
}

static bool coalesce(int rc)
{
	return rc == -ETIMEDOUT || rc == -EACCES || rc == -EHOSTUNREACH || rc == -EINVAL;
}

static void *worker_main(void *arg)
{
	struct ipmi_pool *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct ipmi_req *rq, *same = NULL;
		struct ipmi_outcome o;
		struct tally t = { 0 };
		struct timespec t0;
		enum ipmi_maint m;
		struct ipmi_session *s = next_work(p, &rq, &m);
		double ms;

		if (!s) {
			if (p->stopping)
				break;
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);

		memset(&o, 0, sizeof(o));
		buf_init(&o.text, IPMI_TEXT_MAX);
		ipmi_mono_now(&t0);
		if (rq) {
			serve(p, s, rq, &o, &t);
		} else if (m == MAINT_KEEPALIVE && s->ctx) {
			if (ipmi_session_keepalive(s) == 0)
				t.keepalives++;
			else
				drop(s, &t);
		} else if (m == MAINT_CLOSE) {
			drop(s, &t);
		}
		ms = (double)ipmi_ms_since(&t0);

		pthread_mutex_lock(&p->mu);
		s->busy = false;
		tally_add(p, &t);
		if (rq && o.open_failed && coalesce(o.rc))
			same = take_same(p, s, rq->pw_hash);
		if (s->head)
			ready_push(p, s);
		if (t.opens)
			pthread_cond_signal(&p->tick);
		pthread_mutex_unlock(&p->mu);

		if (rq)
			deliver(rq, &o, ms);
		while (same) {
			struct ipmi_req *n = same->next;

			deliver(same, &o, ms);
			same = n;
		}
		buf_release(&o.text);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- the janitor: keepalives and idle closes ---- */

struct jscan {
	struct ipmi_pool *p;
	long slack_ms;
	struct ipmi_session *dead;     /* closed, idle, nothing queued: freed */
};

static int janitor_cb(const char *key, void *val, void *arg)
{
	struct jscan *j = arg;
	struct ipmi_session *s = val;
	long idle_s = j->p->cfg.idle_s;

	(void)key;
	if (s->busy || s->on_ready || s->head)
		return 0;
	if (!s->ctx) {
		s->next_ready = j->dead;   /* not on the ready list: the link is free */
		j->dead = s;
		return 0;
	}
	if (idle_s < 0 || ipmi_ms_since(&s->last_use) >= idle_s * 1000L) {
		s->maint = MAINT_CLOSE;
		ready_push(j->p, s);
	} else if (ipmi_ms_since(&s->last_io) + j->slack_ms >= (long)s->session_ms / 3) {
		s->maint = MAINT_KEEPALIVE;
		ready_push(j->p, s);
	}
	return 0;
}

static void *janitor_main(void *arg)
{
	struct ipmi_pool *p = arg;
	long tick = p->session_ms / 8;

	pthread_mutex_lock(&p->mu);
	while (!p->stopping) {
		struct jscan j = { p, tick, NULL };
		struct timespec until;

		hmap_each(p->sessions, janitor_cb, &j);
		while (j.dead) {
			struct ipmi_session *s = j.dead;

			j.dead = s->next_ready;
			s->next_ready = NULL;
			hmap_del(p->sessions, s->key);
			session_free(s);
		}
		if (hmap_count(p->sessions) == 0) {
			pthread_cond_wait(&p->tick, &p->mu);
			continue;
		}
		ipmi_mono_now(&until);
		until.tv_nsec += (tick % 1000) * 1000000L;
		until.tv_sec += tick / 1000 + until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&p->tick, &p->mu, &until);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- lifecycle ---- */

static int config_check(const struct ipmi_pool_config *in, struct ipmi_pool_config *c)
{
	*c = *in;
	if (!c->threads)
		c->threads = DEFAULT_THREADS;
	if (!c->timeout_ms)
		c->timeout_ms = DEFAULT_TIMEOUT_MS;
	if (!c->cipher_suite)
		c->cipher_suite = DEFAULT_CIPHER;
	if (!c->idle_s)
		c->idle_s = DEFAULT_IDLE_S;
	if (!c->port)
		c->port = DEFAULT_PORT;
	if (c->threads < 1 || c->threads > MAX_THREADS || c->timeout_ms < MIN_TIMEOUT_MS ||
	    c->timeout_ms > 3600 * 1000 || c->cipher_suite < 1 || c->cipher_suite > 17 ||
	    c->port < 1 || c->port > 65535)
		return -EINVAL;
	return 0;
}

static void pool_stop_threads(struct ipmi_pool *p)
{
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_broadcast(&p->work);
	pthread_cond_broadcast(&p->tick);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nworkers; i++)
		pthread_join(p->workers[i], NULL);
	if (p->janitor_started)
		pthread_join(p->janitor, NULL);
	p->nworkers = 0;
	p->janitor_started = false;
}

static void pool_destroy(struct ipmi_pool *p)
{
	hmap_free(p->sessions, session_free_cb);
	hmap_free(p->sdrs, sdr_free_cb);     /* no request runs: one reference each */
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->tick);
	sodium_memzero(p->hash_key, sizeof(p->hash_key));
	free(p->workers);
	free(p);
}

struct ipmi_pool *ipmi_pool_new(const struct ipmi_pool_config *cfg)
{
	struct ipmi_pool *p;
	pthread_condattr_t ca;

	if (!cfg) {
		errno = EINVAL;
		return NULL;
	}
	if (sodium_init() < 0) {
		errno = ENOMEM;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	if (config_check(cfg, &p->cfg) < 0) {
		free(p);
		errno = EINVAL;
		return NULL;
	}
	p->session_ms = (unsigned)p->cfg.timeout_ms;
	randombytes_buf(p->hash_key, sizeof(p->hash_key));
	ipmi_lib_init();
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->tick, &ca);
	pthread_condattr_destroy(&ca);
	p->sessions = hmap_new();
	p->sdrs = hmap_new();
	p->workers = calloc((size_t)p->cfg.threads, sizeof(*p->workers));
	if (!p->sessions || !p->sdrs || !p->workers) {
		pool_destroy(p);
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

/* Starts the threads at the first request (p->mu held), so that a daemon
 * that never talks to a BMC has none.  Returns 0 or -errno (no worker). */
static int pool_start_threads(struct ipmi_pool *p)
{
	int r = 0;

	while (p->nworkers < p->cfg.threads) {
		r = pthread_create(&p->workers[p->nworkers], NULL, worker_main, p);
		if (r != 0)
			break;
		p->nworkers++;
	}
	if (!p->janitor_started && pthread_create(&p->janitor, NULL, janitor_main, p) == 0)
		p->janitor_started = true;
	return p->nworkers > 0 && p->janitor_started ? 0 : -(r ? r : EAGAIN);
}

static int take_all_cb(const char *key, void *val, void *arg)
{
	struct ipmi_session *s = val;
	struct ipmi_req **list = arg;

	(void)key;
	if (s->tail) {
		s->tail->next = *list;
		*list = s->head;
	}
	s->head = s->tail = NULL;
	return 0;
}

void ipmi_pool_free(struct ipmi_pool *p)
{
	struct ipmi_req *list = NULL;
	struct ipmi_outcome o;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	hmap_each(p->sessions, take_all_cb, &list);
	p->queued = 0;
	pthread_mutex_unlock(&p->mu);
	memset(&o, 0, sizeof(o));
	o.rc = -ESHUTDOWN;
	snprintf(o.message, sizeof(o.message), "the IPMI pool is stopping");
	while (list) {
		struct ipmi_req *n = list->next;

		deliver(list, &o, 0);
		list = n;
	}
	pool_stop_threads(p);   /* workers close the open sessions before leaving */
	pool_destroy(p);
}

int (ipmi_pool_submit)(struct ipmi_pool *p, const struct ipmi_target *t,
		       const struct ipmi_request *req, ipmi_done_fn done, void *arg)
{
	const char *pw = t && t->password ? t->password : "";
	struct ipmi_session *s;
	struct ipmi_req *rq;
	char *key = NULL;
	int port, r = 0;

	if (!p || !t || !t->host || !t->host[0] || strlen(t->host) > HOST_MAX ||
	    strpbrk(t->host, "\n\r\t ") || !t->user || strchr(t->user, '\n') || !done || !req ||
	    (req->write && req->input_len > IPMI_INPUT_MAX))
		return -EINVAL;
	port = t->port ? t->port : p->cfg.port;
	if (port < 1 || port > 65535)
		return -EINVAL;
	rq = calloc(1, sizeof(*rq));
	if (!rq)
		return -ENOMEM;
	r = ipmi_request_parse(req, &rq->op, &rq->boot, NULL, 0);
	if (r < 0) {
		r = -EINVAL;
		goto out;
	}
	rq->prop = req->prop;
	rq->write = req->write;
	rq->done = done;
	rq->arg = arg;
	rq->password_len = strlen(pw);
	rq->password = malloc(rq->password_len + 1);
	if (!rq->password ||
	    asprintf(&key, "%s\n%d\n%s", t->host, port, t->user) < 0) {
		key = NULL;
		r = -ENOMEM;
		goto out;
	}
	memcpy(rq->password, pw, rq->password_len + 1);
	crypto_generichash(rq->pw_hash, sizeof(rq->pw_hash), (const unsigned char *)pw,
			   rq->password_len, p->hash_key, sizeof(p->hash_key));

	pthread_mutex_lock(&p->mu);
	if (p->stopping) {
		r = -ESHUTDOWN;
		goto unlock;
	}
	if ((!p->nworkers || !p->janitor_started) && (r = pool_start_threads(p)) < 0)
		goto unlock;
	s = hmap_get(p->sessions, key);
	if (!s) {
		s = session_new(key, t->host, port, t->user);
		if (!s || hmap_put(p->sessions, key, s, NULL) < 0) {
			session_free(s);
			r = -ENOMEM;
			goto unlock;
		}
		pthread_cond_signal(&p->tick);   /* the janitor may wait untimed */
	}
	if (s->tail)
		s->tail->next = rq;
	else
		s->head = rq;
	s->tail = rq;
	rq = NULL;   /* transferred */
	p->queued++;
	ready_push(p, s);
unlock:
	pthread_mutex_unlock(&p->mu);
out:
	free(key);
	req_free(rq);
	return r;
}

void ipmi_pool_stats(struct ipmi_pool *p, struct ipmi_pool_stats *ret)
{
	pthread_mutex_lock(&p->mu);
	*ret = p->st;
	ret->sessions = (unsigned)(p->st.opens - p->st.closes);
	ret->queued = p->queued;
	pthread_mutex_unlock(&p->mu);
}
