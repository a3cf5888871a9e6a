/* The Redfish pool: one thread, libcurl multi, a queue per BMC, sessions
 * (see pool.h).  Each request walks a few HTTP steps: the service root
 * (once per BMC), the login (once per session), the collection that
 * names the system or chassis (once per BMC), the property's own. */
#include "redfish/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "redfish/props.h"
#include "util/buf.h"
#include "util/strutil.h"

#define RF_URI_MAX 512
#define RF_TOKEN_MAX 512
#define RF_BODY_MAX (4u * 1024u * 1024u)

enum phase { PH_ROOT, PH_LOGIN, PH_MEMBERS, PH_MAIN };

struct rf_req;

struct rf_bmc {
	struct rf_bmc *next;
	char host[256];
	int port;
	char user[256];
	int has_sessions;              /* -1: service root not read yet */
	char sessions_uri[RF_URI_MAX];
	char token[RF_TOKEN_MAX];      /* "" no session */
	char location[RF_URI_MAX];
	unsigned char pwhash[crypto_generichash_BYTES];
	char system_uri[RF_URI_MAX];
	char chassis_uri[RF_URI_MAX];
	char manager_uri[RF_URI_MAX];
	CURL *easy;
	struct rf_req *head, *tail;    /* head is the running request */
	bool busy;
};

struct rf_req {
	struct rf_req *next;
	struct rf_pool *pool;
	struct rf_bmc *bmc;
	char host[256];
	int port;
	char user[256];
	char *password;                /* wiped on free */
	int verify;
	int deadline_ms;               /* 0: none */
	enum rf_prop prop;
	bool write;
	const char *reset_type;        /* power writes */
	char wbody[160];               /* a bootorder write's PATCH body */
	char wtext[128];               /* what a write shows */
	enum phase phase;
	bool retried, relogged;
	struct buf body;
	char *login_body;              /* wiped after the exchange */
	struct curl_slist *hdrs;
	char hdr_token[RF_TOKEN_MAX];
	char hdr_location[RF_URI_MAX];
	char errbuf[CURL_ERROR_SIZE];
	struct timespec t0;
	rf_done_fn done;
	void *arg;
};

struct rf_pool {
	struct rf_pool_config cfg;
	char *cafile;
	unsigned char hkey[crypto_generichash_KEYBYTES];
	CURLM *multi;
	pthread_t thread;
	pthread_mutex_t mu;            /* guards incoming, stopping, st */
	struct rf_req *incoming, *incoming_tail;
	bool stopping;
	struct rf_pool_stats st;
	struct rf_bmc *bmcs;           /* pool thread only */
};

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void req_free(struct rf_req *r)
{
	if (!r)
		return;
	if (r->password) {
		sodium_memzero(r->password, strlen(r->password));
		free(r->password);
	}
	if (r->login_body) {
		sodium_memzero(r->login_body, strlen(r->login_body));
		free(r->login_body);
	}
	curl_slist_free_all(r->hdrs);
	buf_release(&r->body);
	free(r);
}

static void stat_add(struct rf_pool *p, unsigned long *field)
{
	pthread_mutex_lock(&p->mu);
	(*field)++;
	pthread_mutex_unlock(&p->mu);
}

static void start_next(struct rf_pool *p, struct rf_bmc *b);

/* Completes the BMC's running request and starts its next one. */
static void finish(struct rf_req *r, int rc, const char *text, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void finish(struct rf_req *r, int rc, const char *text, const char *fmt, ...)
{
	struct rf_pool *p = r->pool;
	struct rf_bmc *b = r->bmc;
	char msg[1024] = "";
	struct rf_result res = { .rc = rc, .text = text ? text : "", .message = msg };
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	res.text_len = strlen(res.text);
	res.ms = ms_since(&r->t0);
	r->done(r->arg, &res);
	stat_add(p, &p->st.requests);
	if (b) {
		b->head = r->next;
		if (!b->head)
			b->tail = NULL;
		b->busy = false;
	}
	req_free(r);
	if (b && !__atomic_load_n(&p->stopping, __ATOMIC_ACQUIRE))
		start_next(p, b);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct rf_req *r = arg;

	if (buf_append(&r->body, data, size * n) < 0)
		return 0;   /* too large: curl fails the transfer */
	return size * n;
}

/* Keeps X-Auth-Token and Location of a login answer. */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct rf_req *r = arg;
	size_t len = size * n;
	static const struct { const char *name; size_t off; } keep[] = {
		{ "x-auth-token:", offsetof(struct rf_req, hdr_token) },
		{ "location:", offsetof(struct rf_req, hdr_location) },
	};

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		size_t k = strlen(keep[i].name);
		char *dst = (char *)r + keep[i].off;

		if (len > k && strncasecmp(data, keep[i].name, k) == 0) {
			const char *v = data + k;
			size_t vl = len - k;

			while (vl && (*v == ' ' || *v == '\t'))
				v++, vl--;
			while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
				vl--;
			if (vl < RF_TOKEN_MAX && vl < RF_URI_MAX) {
				memcpy(dst, v, vl);
				dst[vl] = '\0';
			}
		}
	}
	return len;
}

/* Starts one HTTP exchange for r's current phase.  body: JSON or NULL. */
static int issue(struct rf_req *r, const char *method, const char *path, const char *body)
{
	struct rf_pool *p = r->pool;
	struct rf_bmc *b = r->bmc;
	CURL *e = b->easy;
	char url[RF_URI_MAX + 300], tok[RF_TOKEN_MAX + 32];
	bool verify = r->verify < 0 ? p->cfg.verify : r->verify;

	long tmo = p->cfg.timeout_ms;

	if (r->deadline_ms) {
		double left = r->deadline_ms - ms_since(&r->t0);

		if (left < 1)
			return -ETIMEDOUT;
		if (left < tmo)
			tmo = (long)left;
	}
	if (str_printf(url, sizeof(url), "https://%s:%d%s", r->host, r->port, path) < 0)
		return -ENAMETOOLONG;
	curl_easy_reset(e);
	buf_reset(&r->body);
	curl_slist_free_all(r->hdrs);
	r->hdrs = curl_slist_append(NULL, "Accept: application/json");
	if (body)
		r->hdrs = curl_slist_append(r->hdrs, "Content-Type: application/json");
	if (r->phase != PH_ROOT && r->phase != PH_LOGIN && b->has_sessions && b->token[0]) {
		str_printf(tok, sizeof(tok), "X-Auth-Token: %s", b->token);
		r->hdrs = curl_slist_append(r->hdrs, tok);
		sodium_memzero(tok, sizeof(tok));
	} else if (r->phase != PH_ROOT && r->phase != PH_LOGIN) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, r->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, r->password);
	}
	if (!r->hdrs)
		return -ENOMEM;
	r->hdr_token[0] = r->hdr_location[0] = '\0';
	r->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, tmo);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, tmo);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
	if (p->cafile)
		curl_easy_setopt(e, CURLOPT_CAINFO, p->cafile);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	/* libcurl sends a request again, unasked, when a reused connection
	 * turns out dead before any answer: a write goes on a new connection,
	 * where it does not, so it is sent at most once */
	if (r->write && r->phase == PH_MAIN)
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	if (curl_multi_add_handle(p->multi, e) != CURLM_OK)
		return -ENOMEM;
	stat_add(p, &p->st.http);
	return 0;
}

/* The collection a property needs a member of, or NULL (known already). */
static const char *members_path(const struct rf_req *r, char **ret_slot)
{
	struct rf_bmc *b = r->bmc;

	if (r->prop == RF_PROP_TEMPERATURE || r->prop == RF_PROP_SENSORS) {
		*ret_slot = b->chassis_uri;
		return b->chassis_uri[0] ? NULL : "/redfish/v1/Chassis";
	}
	if (r->prop == RF_PROP_EVENTLOG) {
		*ret_slot = b->manager_uri;
		return b->manager_uri[0] ? NULL : "/redfish/v1/Managers";
	}
	*ret_slot = b->system_uri;
	return b->system_uri[0] ? NULL : "/redfish/v1/Systems";
}

/* Issues the next step for r from its phase; on failure finishes r. */
static void step(struct rf_req *r)
{
	struct rf_bmc *b = r->bmc;
	char path[RF_URI_MAX + 64], *slot;
	int rc = 0;

	if (r->phase == PH_ROOT && b->has_sessions >= 0)
		r->phase = PH_LOGIN;
	if (r->phase == PH_LOGIN && (!b->has_sessions || b->token[0]))
		r->phase = PH_MEMBERS;
	if (r->phase == PH_MEMBERS && !members_path(r, &slot))
		r->phase = PH_MAIN;
	switch (r->phase) {
	case PH_ROOT:
		rc = issue(r, "GET", "/redfish/v1", NULL);
		break;
	case PH_LOGIN: {
		struct buf lb = BUF_INIT;

		if (r->login_body) {
			sodium_memzero(r->login_body, strlen(r->login_body));
			free(r->login_body);
			r->login_body = NULL;
		}
		/* reserved at once so no copy of the password is left behind by a realloc */
		if (buf_reserve(&lb, 64 + 6 * (strlen(r->user) + strlen(r->password))) == 0 &&
		    rf_login_body(r->user, r->password, &lb) == 0) {
			r->login_body = lb.data;   /* transferred */
			lb.data = NULL;
		}
		buf_release(&lb);
		rc = r->login_body ? issue(r, "POST", b->sessions_uri, r->login_body) : -ENOMEM;
		break;
	}
	case PH_MEMBERS:
		rc = issue(r, "GET", members_path(r, &slot), NULL);
		break;
	case PH_MAIN:
		if (r->prop == RF_PROP_POWER && r->write) {
			char body[96];

			str_printf(path, sizeof(path), "%s/Actions/ComputerSystem.Reset", b->system_uri);
			str_printf(body, sizeof(body), "{\"ResetType\":\"%s\"}", r->reset_type);
			/* libcurl copies nothing: body must live until the exchange
			 * ends, so keep it in the login slot (freed with r) */
			free(r->login_body);
			r->login_body = strdup(body);
			rc = r->login_body ? issue(r, "POST", path, r->login_body) : -ENOMEM;
		} else if (r->prop == RF_PROP_BOOTORDER && r->write) {
			rc = issue(r, "PATCH", b->system_uri, r->wbody);
		} else if (r->prop == RF_PROP_EVENTLOG) {
			str_printf(path, sizeof(path), "%s/LogServices/SEL%s", b->manager_uri,
				   r->write ? "/Actions/LogService.ClearLog" : "/Entries");
			rc = r->write ? issue(r, "POST", path, "{}") : issue(r, "GET", path, NULL);
		} else if (r->prop == RF_PROP_TEMPERATURE || r->prop == RF_PROP_SENSORS) {
			str_printf(path, sizeof(path), "%s/Thermal", b->chassis_uri);
			rc = issue(r, "GET", path, NULL);
		} else {
			rc = issue(r, "GET", b->system_uri, NULL);
		}
		break;
	}
	if (rc == -ETIMEDOUT)
		finish(r, rc, NULL, "BMC %s:%d: no answer within %d ms", r->host, r->port, r->deadline_ms);
	else if (rc < 0)
		finish(r, rc, NULL, "BMC %s:%d: cannot start a request: %s", r->host, r->port, strerror(-rc));
}

static void start_next(struct rf_pool *p, struct rf_bmc *b)
{
	struct rf_req *r = b->head;
	unsigned char h[crypto_generichash_BYTES];

	if (!r || b->busy)
		return;
	b->busy = true;
	/* a changed password opens a new session */
	crypto_generichash(h, sizeof(h), (const unsigned char *)r->password, strlen(r->password),
			   p->hkey, sizeof(p->hkey));
	if (sodium_memcmp(h, b->pwhash, sizeof(h)) != 0) {
		b->token[0] = '\0';
		memcpy(b->pwhash, h, sizeof(h));
	}
	r->phase = PH_ROOT;
	step(r);
}

/* The Redfish error text of an error answer, or "". */
static void error_text(const struct buf *body, char *out, size_t len)
{
	json_t *j = body->data ? json_loadb(body->data, body->len, 0, NULL) : NULL;
	const char *m = NULL;

	out[0] = '\0';
	if (json_is_object(j)) {
		json_t *e = json_object_get(j, "error");
		json_t *info = json_array_get(json_object_get(e, "@Message.ExtendedInfo"), 0);

		m = json_string_value(json_object_get(info, "Message"));
		if (!m)
			m = json_string_value(json_object_get(e, "message"));
	}
	if (m)
		snprintf(out, len, ": %s", m);
	json_decref(j);
}

/* Sends r's current step again if that is safe; true if it did. */
static bool retry(struct rf_req *r)
{
	if (r->retried || (r->write && r->phase == PH_MAIN))
		return false;
	r->retried = true;
	stat_add(r->pool, &r->pool->st.retries);
	step(r);
	return true;
}

static void transfer_done(struct rf_pool *p, CURL *e, CURLcode cc)
{
	struct rf_req *r = NULL;
	struct rf_bmc *b;
	long status = 0;
	json_t *j = NULL;
	char why[600];

	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(p->multi, e);
	b = r->bmc;
	if (r->login_body) {
		sodium_memzero(r->login_body, strlen(r->login_body));
		free(r->login_body);
		r->login_body = NULL;
	}
	if (cc != CURLE_OK) {
		const char *w = r->write && r->phase == PH_MAIN ? " (the write may or may not have taken effect)" : "";

		switch (cc) {
		case CURLE_OPERATION_TIMEDOUT:
			if (!retry(r))
				finish(r, -ETIMEDOUT, NULL, "BMC %s:%d: no answer within %d ms%s", r->host, r->port,
				       r->deadline_ms && r->deadline_ms < p->cfg.timeout_ms ? r->deadline_ms :
				       p->cfg.timeout_ms, w);
			return;
		case CURLE_GOT_NOTHING:
		case CURLE_RECV_ERROR:
		case CURLE_SEND_ERROR:
		case CURLE_PARTIAL_FILE:
			if (!retry(r))
				finish(r, -ECONNRESET, NULL, "BMC %s:%d: connection dropped before an answer%s",
				       r->host, r->port, w);
			return;
		case CURLE_COULDNT_CONNECT:
			finish(r, -ECONNREFUSED, NULL, "BMC %s:%d: connection refused (no Redfish service)",
			       r->host, r->port);
			return;
		case CURLE_COULDNT_RESOLVE_HOST:
			finish(r, -EHOSTUNREACH, NULL, "BMC %s:%d: host not found", r->host, r->port);
			return;
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_SSL_CACERT_BADFILE:
			finish(r, -EPROTO, NULL, "BMC %s:%d: TLS: %s (a lab BMC with a self-signed certificate: "
			       "device attribute verify=no or redfish_verify = no)", r->host, r->port,
			       r->errbuf[0] ? r->errbuf : curl_easy_strerror(cc));
			return;
		default:
			finish(r, -EIO, NULL, "BMC %s:%d: %s", r->host, r->port,
			       r->errbuf[0] ? r->errbuf : curl_easy_strerror(cc));
			return;
		}
	}
	if (status == 401) {
		if (r->phase == PH_LOGIN || !b->has_sessions || r->relogged || !b->token[0]) {
			if (r->phase == PH_LOGIN)
				stat_add(p, &p->st.login_fails);
			b->token[0] = '\0';
			finish(r, -EACCES, NULL, "BMC %s:%d: authentication failed (wrong user or password)",
			       r->host, r->port);
			return;
		}
		/* the session expired: a new one, and the step again (the BMC
		 * did not act on a request it refused) */
		b->token[0] = '\0';
		r->relogged = true;
		stat_add(p, &p->st.relogins);
		r->phase = PH_LOGIN;
		step(r);
		return;
	}
	if (status == 503) {
		if (!retry(r))
			finish(r, -EAGAIN, NULL, "BMC %s:%d: HTTP 503 Service Unavailable (the BMC is busy)%s",
			       r->host, r->port, r->write ? "; the write was not done" : "");
		return;
	}
	if (status < 200 || status > 299) {
		error_text(&r->body, why, sizeof(why));
		finish(r, -EIO, NULL, "BMC %s:%d: HTTP %ld%s", r->host, r->port, status, why);
		return;
	}
	if (r->body.len)
		j = json_loadb(r->body.data, r->body.len, 0, NULL);
	switch (r->phase) {
	case PH_ROOT: {
		const char *s = json_string_value(json_object_get(json_object_get(json_object_get(j, "Links"),
								 "Sessions"), "@odata.id"));
		if (!json_is_object(j)) {
			finish(r, -EIO, NULL, "BMC %s:%d: /redfish/v1 is not a Redfish service root",
			       r->host, r->port);
			break;
		}
		b->has_sessions = s && str_copy(b->sessions_uri, sizeof(b->sessions_uri), s) == 0;
		r->phase = PH_LOGIN;
		step(r);
		break;
	}
	case PH_LOGIN:
		if (!r->hdr_token[0]) {
			finish(r, -EIO, NULL, "BMC %s:%d: the session service gave no X-Auth-Token",
			       r->host, r->port);
			break;
		}
		str_copy(b->token, sizeof(b->token), r->hdr_token);
		str_copy(b->location, sizeof(b->location), r->hdr_location);
		sodium_memzero(r->hdr_token, sizeof(r->hdr_token));
		stat_add(p, &p->st.logins);
		r->phase = PH_MEMBERS;
		step(r);
		break;
	case PH_MEMBERS: {
		char *slot;
		const char *m = json_string_value(json_object_get(json_array_get(json_object_get(j, "Members"), 0),
								 "@odata.id"));

		members_path(r, &slot);
		if (!m || str_copy(slot, RF_URI_MAX, m) < 0) {
			finish(r, -EIO, NULL, "BMC %s:%d: no %s in the Redfish service", r->host, r->port,
			       slot == b->chassis_uri ? "chassis" : slot == b->manager_uri ? "manager" : "system");
			break;
		}
		r->phase = PH_MAIN;
		step(r);
		break;
	}
	case PH_MAIN: {
		struct buf out = BUF_INIT;
		char msg[512] = "";
		int rc;

		if (r->write)
			rc = buf_append_str(&out, r->wtext) < 0 ? -ENOMEM : 0;
		else
			rc = rf_props_text(r->prop, j, &out, msg, sizeof(msg));
		if (rc < 0)
			finish(r, rc, NULL, "BMC %s:%d: %s", r->host, r->port, msg);
		else
			finish(r, 0, out.data ? out.data : "", NULL);
		buf_release(&out);
		break;
	}
	}
	json_decref(j);
}

static struct rf_bmc *bmc_for(struct rf_pool *p, const struct rf_req *r)
{
	struct rf_bmc *b;

	for (b = p->bmcs; b; b = b->next)
		if (b->port == r->port && strcmp(b->host, r->host) == 0 && strcmp(b->user, r->user) == 0)
			return b;
	b = calloc(1, sizeof(*b));
	if (!b || !(b->easy = curl_easy_init())) {
		free(b);
		return NULL;
	}
	str_copy(b->host, sizeof(b->host), r->host);
	str_copy(b->user, sizeof(b->user), r->user);
	b->port = r->port;
	b->has_sessions = -1;
	b->next = p->bmcs;
	p->bmcs = b;
	pthread_mutex_lock(&p->mu);
	p->st.bmcs++;
	pthread_mutex_unlock(&p->mu);
	return b;
}

/* Moves submitted requests onto their BMC's queue.  Pool thread. */
static void take_incoming(struct rf_pool *p)
{
	struct rf_req *r, *next;

	pthread_mutex_lock(&p->mu);
	r = p->incoming;
	p->incoming = p->incoming_tail = NULL;
	pthread_mutex_unlock(&p->mu);
	for (; r; r = next) {
		struct rf_bmc *b = bmc_for(p, r);

		next = r->next;
		r->next = NULL;
		if (!b) {
			finish(r, -ENOMEM, NULL, "BMC %s:%d: out of memory", r->host, r->port);
			continue;
		}
		r->bmc = b;
		if (b->tail)
			b->tail->next = r;
		else
			b->head = r;
		b->tail = r;
		start_next(p, b);
	}
}

/* Deletes b's session (best effort), blocking, within left_ms. */
static void logout(struct rf_pool *p, struct rf_bmc *b, long left_ms)
{
	char url[RF_URI_MAX + 300], tok[RF_TOKEN_MAX + 32];
	struct curl_slist *h;
	struct rf_req *sink;

	(void)p;
	if (left_ms < 1 || !b->token[0] || !b->location[0] || !(sink = calloc(1, sizeof(*sink))))
		return;
	buf_init(&sink->body, 65536);
	if (b->location[0] == '/')
		str_printf(url, sizeof(url), "https://%s:%d%s", b->host, b->port, b->location);
	else
		str_copy(url, sizeof(url), b->location);
	str_printf(tok, sizeof(tok), "X-Auth-Token: %s", b->token);
	h = curl_slist_append(NULL, tok);
	sodium_memzero(tok, sizeof(tok));
	curl_easy_reset(b->easy);
	curl_easy_setopt(b->easy, CURLOPT_URL, url);
	curl_easy_setopt(b->easy, CURLOPT_CUSTOMREQUEST, "DELETE");
	curl_easy_setopt(b->easy, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(b->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(b->easy, CURLOPT_TIMEOUT_MS, left_ms < 1000 ? left_ms : 1000L);
	curl_easy_setopt(b->easy, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(b->easy, CURLOPT_SSL_VERIFYPEER, 0L);   /* it only ends our session */
	curl_easy_setopt(b->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(b->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(b->easy, CURLOPT_WRITEDATA, sink);
	curl_easy_perform(b->easy);
	buf_release(&sink->body);
	free(sink);
	curl_slist_free_all(h);
	sodium_memzero(b->token, sizeof(b->token));
}

static void *loop(void *arg)
{
	struct rf_pool *p = arg;

	for (;;) {
		int running;
		CURLMsg *m;
		bool stop;

		pthread_mutex_lock(&p->mu);
		stop = p->stopping;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			break;
		take_incoming(p);
		curl_multi_perform(p->multi, &running);
		while ((m = curl_multi_info_read(p->multi, &running)))
			if (m->msg == CURLMSG_DONE)
				transfer_done(p, m->easy_handle, m->data.result);
		curl_multi_poll(p->multi, NULL, 0, 1000, NULL);
	}
	return NULL;
}

struct rf_pool *rf_pool_new(const struct rf_pool_config *cfg)
{
	struct rf_pool *p = calloc(1, sizeof(*p));
	int e;

	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	p->cfg = *cfg;
	if (!p->cfg.timeout_ms)
		p->cfg.timeout_ms = 5000;
	if (!p->cfg.port)
		p->cfg.port = 443;
	if (cfg->cafile && !(p->cafile = strdup(cfg->cafile)))
		goto nomem;
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		goto nomem;
	randombytes_buf(p->hkey, sizeof(p->hkey));
	p->multi = curl_multi_init();
	if (!p->multi)
		goto nomem;
	curl_multi_setopt(p->multi, CURLMOPT_MAXCONNECTS, 1024L);
	pthread_mutex_init(&p->mu, NULL);
	e = pthread_create(&p->thread, NULL, loop, p);
	if (e) {
		pthread_mutex_destroy(&p->mu);
		curl_multi_cleanup(p->multi);
		free(p->cafile);
		free(p);
		errno = e;
		return NULL;
	}
	return p;
nomem:
	free(p->cafile);
	free(p);
	errno = ENOMEM;
	return NULL;
}

void rf_pool_free(struct rf_pool *p)
{
	struct rf_req *r, *next;
	struct timespec t0;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	__atomic_store_n(&p->stopping, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&p->mu);
	curl_multi_wakeup(p->multi);
	pthread_join(p->thread, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = p->incoming; r; r = next) {
		next = r->next;
		r->bmc = NULL;
		finish(r, -ESHUTDOWN, NULL, "daemon stopping");
	}
	while (p->bmcs) {
		struct rf_bmc *b = p->bmcs;

		p->bmcs = b->next;
		if (b->busy)
			curl_multi_remove_handle(p->multi, b->easy);
		for (r = b->head; r; r = next) {
			next = r->next;
			r->bmc = NULL;
			finish(r, -ESHUTDOWN, NULL, "daemon stopping");
		}
		/* sessions are deleted within 3 s in all: BMCs that do not
		 * answer let theirs expire */
		logout(p, b, 3000 - (long)ms_since(&t0));
		curl_easy_cleanup(b->easy);
		free(b);
	}
	curl_multi_cleanup(p->multi);
	pthread_mutex_destroy(&p->mu);
	free(p->cafile);
	free(p);
}

int rf_pool_submit(struct rf_pool *p, const struct rf_target *t, const struct rf_request *rq,
		   rf_done_fn done, void *arg)
{
	struct rf_req *r;
	int rc;

	if (!t->host || !t->host[0] || !t->user || !t->user[0])
		return -EINVAL;
	rc = rf_request_check(rq, NULL, 0);
	if (rc < 0)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->pool = p;
	r->port = t->port ? t->port : p->cfg.port;
	r->verify = t->verify;
	r->deadline_ms = t->deadline_ms > 0 ? t->deadline_ms : 0;
	r->prop = rq->prop;
	r->write = rq->write;
	r->done = done;
	r->arg = arg;
	buf_init(&r->body, RF_BODY_MAX);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	if (str_copy(r->host, sizeof(r->host), t->host) < 0 || str_copy(r->user, sizeof(r->user), t->user) < 0) {
		req_free(r);
		return -EINVAL;
	}
	if (!(r->password = strdup(t->password ? t->password : ""))) {
		req_free(r);
		return -ENOMEM;
	}
	if (rq->write) {
		const char *word = NULL;
		struct buf t = BUF_INIT;

		rc = 0;
		if (rq->prop == RF_PROP_POWER && rf_power_parse(rq->input, rq->input_len, &r->reset_type, &word) == 0)
			str_printf(r->wtext, sizeof(r->wtext), "%s\n", word);
		else if (rq->prop == RF_PROP_BOOTORDER)
			rc = rf_bootorder_parse(rq->input, rq->input_len, r->wbody, sizeof(r->wbody), &t, NULL, 0);
		else if (rq->prop != RF_PROP_EVENTLOG)
			rc = -EINVAL;
		if (t.data)
			str_copy(r->wtext, sizeof(r->wtext), t.data);
		buf_release(&t);
		if (rc < 0) {
			req_free(r);
			return rc;
		}
	}
	pthread_mutex_lock(&p->mu);
	if (p->stopping) {
		pthread_mutex_unlock(&p->mu);
		req_free(r);
		return -ESHUTDOWN;
	}
	if (p->incoming_tail)
		p->incoming_tail->next = r;
	else
		p->incoming = r;
	p->incoming_tail = r;
	pthread_mutex_unlock(&p->mu);
	curl_multi_wakeup(p->multi);
	return 0;
}

void rf_pool_stats(struct rf_pool *p, struct rf_pool_stats *ret)
{
	pthread_mutex_lock(&p->mu);
	*ret = p->st;
	pthread_mutex_unlock(&p->mu);
}
