/* HTTP: libmicrohttpd, one thread per connection (so a connection's
 * thread can take its user's identity for the file system calls it makes
 * and can block in a streamed answer).  Routes:
 *
 *   GET  /, /<file>            the pages (web_root), no session needed
 *   POST /api/login            PAM; sets the session cookie
 *   GET  /api/session          who is logged in, and the CSRF token
 *   POST /api/logout
 *   GET  /api/tree/<path>      a file or a directory (DESIGN §14)
 *   PUT  /api/tree/<path>      write the body to a file
 *   GET  /api/raw/<path>       a file's bytes (topology.svg), sandboxed
 *   GET  /api/batch?path=P     read every path P names (node sets, globs)
 *   PUT  /api/batch?path=P     write the body to each, results streamed
 *   GET  /api/events?path=&watch=   server-sent events of changed paths
 *
 * Every change needs the X-CSRF-Token header of its session.  Encoded
 * slashes and NULs in the path part of the URL, "." and ".." components
 * and control characters are refused (400) before anything is opened. */
#include "web/web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/audit.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/strutil.h"

#define COOKIE "sysman_session"
#define STREAM_BLOCK (32 * 1024)
#define KEEPALIVE_S 15

static struct MHD_Daemon *daemon_h;

struct req {
	char *raw_uri;
	bool started;
	bool too_big;
	struct buf body;
};

unsigned web_http_status(int err)
{
	switch (err < 0 ? -err : err) {
	case ENOENT: case ENOTDIR: case ENXIO:
		return MHD_HTTP_NOT_FOUND;
	case EACCES: case EPERM: case EXDEV: case ELOOP: case EROFS:
		return MHD_HTTP_FORBIDDEN;
	case EINVAL: case EISDIR: case ENAMETOOLONG: case EBADMSG:
		return MHD_HTTP_BAD_REQUEST;
	case EFBIG: case E2BIG:
		return MHD_HTTP_CONTENT_TOO_LARGE;
	case EAGAIN:
		return MHD_HTTP_TOO_MANY_REQUESTS;
	case EBUSY:
		return MHD_HTTP_CONFLICT;
	case ETIMEDOUT:
		return MHD_HTTP_GATEWAY_TIMEOUT;
	case EIO: case EHOSTUNREACH: case ECONNREFUSED: case ENETUNREACH: case EPROTO:
		return MHD_HTTP_BAD_GATEWAY;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

static void common_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned code, json_t *o,
				 const char *cookie)
{
	char *s = json_dumps(o, JSON_COMPACT);
	struct MHD_Response *resp;
	enum MHD_Result r;

	json_decref(o);
	if (!s)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(s);
		return MHD_NO;
	}
	common_headers(resp);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (cookie)
		MHD_add_response_header(resp, "Set-Cookie", cookie);
	r = MHD_queue_response(c, code, resp);
	MHD_destroy_response(resp);
	return r;
}

/* {"error", "errno"[, "status"]}; o may carry fields already (status). */
static enum MHD_Result send_error(struct MHD_Connection *c, int err, const char *text, json_t *o)
{
	unsigned code = web_http_status(err);

	if (!o)
		o = json_object();
	json_object_set_new(o, "error", json_string(text ? text : strerror(err < 0 ? -err : err)));
	json_object_set_new(o, "errno", json_integer(err < 0 ? -err : err));
	return send_json(c, code, o, NULL);
}

static enum MHD_Result send_code(struct MHD_Connection *c, unsigned code, int err, const char *text)
{
	json_t *o = json_pack("{s:s, s:i}", "error", text, "errno", err);

	return send_json(c, code, o, NULL);
}

static void client_addr(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)len);
}

/* The session of the request's cookie, or -ENOENT.  A change (need_csrf)
 * also needs the session's CSRF token in X-CSRF-Token. */
static int session_of(struct web *w, struct MHD_Connection *c, bool need_csrf,
		      struct web_session *s)
{
	const char *tok = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
	const char *csrf;

	if (!tok || sessions_find(w->sessions, tok, s) < 0)
		return -ENOENT;
	if (!need_csrf)
		return 0;
	csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	if (!csrf || strlen(csrf) != WEB_TOKEN_LEN || sodium_memcmp(csrf, s->csrf, WEB_TOKEN_LEN))
		return -EPERM;
	return 0;
}

static enum MHD_Result no_session(struct MHD_Connection *c, int r)
{
	if (r == -EPERM)
		return send_code(c, MHD_HTTP_FORBIDDEN, EPERM, "missing or wrong X-CSRF-Token");
	return send_code(c, MHD_HTTP_UNAUTHORIZED, EACCES, "not logged in");
}

/* A 200 whose body comes from reader (called on the connection's thread,
 * which it may block) until it ends; freer(cls) runs when the response is
 * done, also when the client went away.  Takes cls in every case. */
static enum MHD_Result send_stream(struct MHD_Connection *c, const char *type,
				   MHD_ContentReaderCallback reader, void *cls,
				   MHD_ContentReaderFreeCallback freer)
{
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK,
								      reader, cls, freer);
	enum MHD_Result res;

	if (!resp) {
		freer(cls);
		return MHD_NO;
	}
	common_headers(resp);
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	res = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return res;
}

/* --- log-in --- */

static enum MHD_Result do_login(struct web *w, struct MHD_Connection *c, struct req *rq)
{
	json_error_t jerr;
	json_t *in = json_loadb(rq->body.data ? rq->body.data : "", rq->body.len, 0, &jerr);
	const char *user = NULL, *pass = NULL;
	struct web_session s;
	char from[64], cookie[256];
	int retry = 0, r;

	if (rq->body.data)
		sodium_memzero(rq->body.data, rq->body.len);
	if (!in || json_unpack(in, "{s:s, s:s}", "user", &user, "password", &pass) < 0) {
		json_decref(in);
		return send_code(c, MHD_HTTP_BAD_REQUEST, EINVAL,
				 "expected a JSON object {\"user\": ..., \"password\": ...}");
	}
	client_addr(c, from, sizeof(from));
	r = auth_login(w->sessions, w->conf.web_pam_service, user, pass, from, &s, &retry);
	json_decref(in);       /* jansson frees the password copy */
	if (r == -EAGAIN) {
		json_t *o = json_pack("{s:s, s:i, s:i}", "error", "too many failed log-ins; try later",
				      "errno", EAGAIN, "retry_after", retry);
		return send_json(c, MHD_HTTP_TOO_MANY_REQUESTS, o, NULL);
	}
	if (r < 0)
		return send_code(c, MHD_HTTP_UNAUTHORIZED, EACCES, "wrong user name or password");
	snprintf(cookie, sizeof(cookie), COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/%s", s.token,
		 w->tls ? "; Secure" : "");
	return send_json(c, MHD_HTTP_OK, json_pack("{s:s, s:s}", "user", s.user.name, "csrf", s.csrf),
			 cookie);
}

/* --- the tree --- */

static enum MHD_Result tree_answer(struct web *w, struct MHD_Connection *c, const char *method,
				   const char *rel, struct req *rq, const struct web_session *s)
{
	char path[PATH_MAX], from[64];
	json_t *o = NULL;
	int r;

	if ((r = tree_clean_path(rel, path, sizeof(path))) < 0)
		return send_error(c, r, "bad path: \".\", \"..\" or a control character", NULL);
	if ((r = cred_become(&s->user)) < 0)
		return send_error(c, -EIO, "cannot take the user's identity", NULL);
	if (!strcmp(method, "GET")) {
		r = tree_get(w, path, &o);
		cred_restore();
		if (r < 0)
			return send_error(c, r, NULL, NULL);
		return send_json(c, MHD_HTTP_OK, o, NULL);
	}
	o = json_object();
	r = tree_write_file(w, path, rq->body.data ? rq->body.data : "", rq->body.len, o);
	cred_restore();
	client_addr(c, from, sizeof(from));
	auditlog(s->user.uid, 0, "web.write", path, -r, "user=%s from=%s bytes=%zu", s->user.name,
		  from, rq->body.len);
	if (r < 0)
		return send_error(c, r, NULL, o);
	return send_json(c, MHD_HTTP_OK, o, NULL);
}

static const char *mime_of(const char *path)
{
	static const char *const types[][2] = {
		{ ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" }, { ".png", "image/png" }, { ".json", "application/json" },
		{ ".ico", "image/x-icon" }, { ".txt", "text/plain; charset=utf-8" },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (str_endswith(path, types[i][0]))
			return types[i][1];
	return "application/octet-stream";
}

/* A file's bytes: for topology.svg and downloads.  Sandboxed: nothing in
 * it runs with the page's rights. */
static enum MHD_Result raw_answer(struct web *w, struct MHD_Connection *c, const char *rel,
				  const struct web_session *s)
{
	char path[PATH_MAX];
	struct MHD_Response *resp;
	struct buf b;
	enum MHD_Result res;
	int fd, r;

	if ((r = tree_clean_path(rel, path, sizeof(path))) < 0)
		return send_error(c, r, "bad path", NULL);
	if (cred_become(&s->user) < 0)
		return send_error(c, -EIO, "cannot take the user's identity", NULL);
	fd = tree_open(w, path, O_RDONLY);
	buf_init(&b, WEB_READ_MAX);
	r = fd;
	if (fd >= 0) {
		ssize_t n;

		while ((n = buf_read_fd(&b, fd)) > 0)
			;
		r = n < 0 ? (int)n : b.truncated ? -EFBIG : 0;
		close(fd);
	}
	cred_restore();
	if (r < 0) {
		buf_release(&b);
		return send_error(c, r, NULL, NULL);
	}
	resp = MHD_create_response_from_buffer(b.len, b.data ? b.data : (char *)"",
					       MHD_RESPMEM_MUST_COPY);
	buf_release(&b);
	if (!resp)
		return MHD_NO;
	common_headers(resp);
	MHD_add_response_header(resp, "Content-Type", mime_of(path));
	MHD_add_response_header(resp, "Content-Security-Policy",
				"sandbox; default-src 'none'; style-src 'unsafe-inline'");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	res = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return res;
}

/* --- batches --- */

struct bw_ctx {
	struct batch_write *bw;
	char *pending;
	size_t off;
};

static ssize_t bw_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct bw_ctx *x = cls;
	size_t n;

	(void)pos;
	if (!x->pending) {
		x->pending = batch_write_next(x->bw);
		x->off = 0;
		if (!x->pending)
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
	n = strlen(x->pending + x->off);
	if (n > max)
		n = max;
	memcpy(buf, x->pending + x->off, n);
	x->off += n;
	if (!x->pending[x->off]) {
		free(x->pending);
		x->pending = NULL;
	}
	return (ssize_t)n;
}

static void bw_free(void *cls)
{
	struct bw_ctx *x = cls;

	batch_write_free(x->bw);
	free(x->pending);
	free(x);
}

static enum MHD_Result batch_answer(struct web *w, struct MHD_Connection *c, const char *method,
				    struct req *rq, const struct web_session *s)
{
	const char *p = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "path");
	char why[300], clean[PATH_MAX], from[64];
	char **paths = NULL;
	int n, r;

	if (!p || !*p)
		return send_code(c, MHD_HTTP_BAD_REQUEST, EINVAL, "missing ?path=");
	if ((r = tree_clean_path(p, clean, sizeof(clean))) < 0)
		return send_error(c, r, "bad path", NULL);
	if (cred_become(&s->user) < 0)
		return send_error(c, -EIO, "cannot take the user's identity", NULL);
	n = batch_expand(w, clean, &paths, why, sizeof(why));
	cred_restore();
	if (n < 0)
		return send_error(c, n, why[0] ? why : NULL, NULL);
	if (!strcmp(method, "GET")) {
		json_t *o = json_object();

		json_object_set_new(o, "results", batch_read(w, &s->user, paths, n));
		batch_free_paths(paths);
		return send_json(c, MHD_HTTP_OK, o, NULL);
	}
	client_addr(c, from, sizeof(from));
	for (int i = 0; i < n; i++)
		auditlog(s->user.uid, 0, "web.write", paths[i], 0, "user=%s from=%s bytes=%zu batch",
			  s->user.name, from, rq->body.len);
	{
		struct bw_ctx *x = calloc(1, sizeof(*x));

		if (!x || !(x->bw = batch_write_start(w, &s->user, paths, n,
						      rq->body.data ? rq->body.data : "", rq->body.len))) {
			free(x);
			batch_free_paths(paths);
			return send_error(c, -ENOMEM, NULL, NULL);
		}
		return send_stream(c, "application/x-ndjson", bw_reader, x, bw_free);
	}
}

/* --- events --- */

struct sse_ctx {
	struct web *w;
	struct web_sub *sub;
	char token[WEB_TOKEN_LEN + 1];
	time_t last_sent;
	bool hello;
};

static ssize_t sse_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse_ctx *x = cls;
	struct web_session s;

	(void)pos;
	if (!x->hello) {
		x->hello = true;
		x->last_sent = time(NULL);
		return snprintf(buf, max, "retry: 2000\n: sysman-web events\n\n");
	}
	for (;;) {
		ssize_t n;

		if (x->w->stopping)
			return MHD_CONTENT_READER_END_OF_STREAM;
		n = events_wait(x->w->events, x->sub, buf, max, 1000);
		if (n < 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (n > 0) {
			x->last_sent = time(NULL);
			return n;
		}
		if (time(NULL) - x->last_sent >= KEEPALIVE_S) {
			/* a logged-out or expired session ends its stream */
			if (sessions_find(x->w->sessions, x->token, &s) < 0)
				return MHD_CONTENT_READER_END_OF_STREAM;
			x->last_sent = time(NULL);
			return snprintf(buf, max, ": keep-alive\n\n");
		}
	}
}

static void sse_free(void *cls)
{
	struct sse_ctx *x = cls;

	events_unsubscribe(x->w->events, x->sub);
	free(x);
}

struct args {
	const char *path[16];
	int npath;
	const char *watch[16];
	int nwatch;
	bool bad;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct args *a = cls;
	char clean[PATH_MAX];

	(void)kind;
	if (!value)
		value = "";
	if (strcmp(key, "path") && strcmp(key, "watch"))
		return MHD_YES;
	if (tree_clean_path(value, clean, sizeof(clean)) < 0) {
		a->bad = true;
		return MHD_YES;
	}
	if (!strcmp(key, "path") && a->npath < 16)
		a->path[a->npath++] = value;
	else if (!strcmp(key, "watch") && a->nwatch < 16)
		a->watch[a->nwatch++] = value;
	return MHD_YES;
}

static enum MHD_Result events_answer(struct web *w, struct MHD_Connection *c,
				     const struct web_session *s)
{
	struct args a = { { 0 }, 0, { 0 }, 0, false };
	struct sse_ctx *x;
	char clean_p[16][PATH_MAX / 4], clean_w[16][PATH_MAX / 4];
	const char *pp[16], *ww[16];

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
	if (a.bad)
		return send_code(c, MHD_HTTP_BAD_REQUEST, EINVAL, "bad path");
	for (int i = 0; i < a.npath; i++) {
		tree_clean_path(a.path[i], clean_p[i], sizeof(clean_p[i]));
		pp[i] = strcmp(clean_p[i], ".") ? clean_p[i] : "";
	}
	for (int i = 0; i < a.nwatch; i++) {
		tree_clean_path(a.watch[i], clean_w[i], sizeof(clean_w[i]));
		ww[i] = clean_w[i];
	}
	if (a.npath == 0 && a.nwatch == 0) {
		pp[0] = "";
		a.npath = 1;
	}
	if (!(x = calloc(1, sizeof(*x))))
		return MHD_NO;
	x->w = w;
	snprintf(x->token, sizeof(x->token), "%s", s->token);
	x->sub = events_subscribe(w->events, &s->user, pp, a.npath, ww, a.nwatch);
	if (!x->sub) {
		free(x);
		return MHD_NO;
	}
	return send_stream(c, "text/event-stream", sse_reader, x, sse_free);
}

/* --- the pages --- */

static enum MHD_Result static_answer(struct web *w, struct MHD_Connection *c, const char *url)
{
	char path[PATH_MAX];
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS };
	struct MHD_Response *resp;
	struct stat st;
	enum MHD_Result res;
	long fd;

	if (tree_clean_path(url, path, sizeof(path)) < 0)
		return send_code(c, MHD_HTTP_BAD_REQUEST, EINVAL, "bad path");
	if (!strcmp(path, "."))
		snprintf(path, sizeof(path), "index.html");
	fd = syscall(SYS_openat2, w->root_fd, path, &how, sizeof(how));
	if (fd >= 0 && fstat((int)fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close((int)fd);
		strncat(path, "/index.html", sizeof(path) - strlen(path) - 1);
		fd = syscall(SYS_openat2, w->root_fd, path, &how, sizeof(how));
	}
	if (fd < 0 || fstat((int)fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close((int)fd);
		return send_code(c, MHD_HTTP_NOT_FOUND, ENOENT, "no such page");
	}
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, (int)fd);
	if (!resp) {
		close((int)fd);
		return MHD_NO;
	}
	common_headers(resp);
	MHD_add_response_header(resp, "Content-Type", mime_of(path));
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data: blob:; "
				"style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
	res = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return res;
}

/* --- dispatch --- */

static enum MHD_Result route(struct web *w, struct MHD_Connection *c, struct req *rq,
			     const char *url, const char *method)
{
	bool get = !strcmp(method, "GET"), put = !strcmp(method, "PUT"), post = !strcmp(method, "POST");
	struct web_session s;
	int r;

	if (rq->raw_uri && !web_url_path_ok(rq->raw_uri))
		return send_code(c, MHD_HTTP_BAD_REQUEST, EINVAL, "encoded '/', '\\' or NUL in the path");
	if (rq->too_big)
		return send_code(c, MHD_HTTP_CONTENT_TOO_LARGE, EFBIG, "request body over web_max_body");
	if (strncmp(url, "/api/", 5) && strcmp(url, "/api")) {
		if (!get)
			return send_code(c, MHD_HTTP_METHOD_NOT_ALLOWED, EINVAL, "method not allowed");
		return static_answer(w, c, url);
	}
	if (!strcmp(url, "/api/login") && post)
		return do_login(w, c, rq);
	r = session_of(w, c, !get, &s);
	if (r < 0)
		return no_session(c, r);
	if (!strcmp(url, "/api/session") && get)
		return send_json(c, MHD_HTTP_OK,
				 json_pack("{s:s, s:s, s:i}", "user", s.user.name, "csrf", s.csrf,
					   "uid", (int)s.user.uid), NULL);
	if (!strcmp(url, "/api/logout") && post) {
		char cookie[128];

		sessions_drop(w->sessions, s.token);
		snprintf(cookie, sizeof(cookie), COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0%s",
			 w->tls ? "; Secure" : "");
		return send_json(c, MHD_HTTP_OK, json_pack("{s:b}", "ok", 1), cookie);
	}
	if ((!strcmp(url, "/api/tree") || !strncmp(url, "/api/tree/", 10)) && (get || put))
		return tree_answer(w, c, method, url + 9, rq, &s);
	if (!strncmp(url, "/api/raw/", 9) && get)
		return raw_answer(w, c, url + 9, &s);
	if (!strcmp(url, "/api/batch") && (get || put))
		return batch_answer(w, c, method, rq, &s);
	if (!strcmp(url, "/api/events") && get)
		return events_answer(w, c, &s);
	return send_code(c, MHD_HTTP_NOT_FOUND, ENOENT, "no such API route or method");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *upload,
			       size_t *upload_size, void **ptr)
{
	struct web *w = cls;
	struct req *rq = *ptr;

	(void)version;
	if (!rq) {
		if (!(rq = calloc(1, sizeof(*rq))))
			return MHD_NO;
		*ptr = rq;
	}
	if (!rq->started) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

		rq->started = true;
		buf_init(&rq->body, (size_t)w->conf.web_max_body + 1);
		/* the body is read and dropped, then refused (answering before it
		 * is read would reset the connection under a sending client) */
		if (cl && strtoull(cl, NULL, 10) > (unsigned long long)w->conf.web_max_body)
			rq->too_big = true;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!rq->too_big && buf_append(&rq->body, upload, *upload_size) < 0)
			rq->too_big = true;
		if (rq->body.len > (size_t)w->conf.web_max_body)
			rq->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	return route(w, c, rq, url, method);
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct req *rq = calloc(1, sizeof(*rq));

	(void)cls;
	(void)c;
	if (rq)
		rq->raw_uri = strdup(uri);
	return rq;
}

static void completed(void *cls, struct MHD_Connection *c, void **ptr,
		      enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *ptr;

	(void)cls;
	(void)c;
	(void)toe;
	if (!rq)
		return;
	if (rq->body.data)
		sodium_memzero(rq->body.data, rq->body.len);
	buf_release(&rq->body);
	free(rq->raw_uri);
	free(rq);
	*ptr = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_info("http: %s", line);
}

static int read_pem(const char *path, char **ret)
{
	struct buf b;
	int r;

	buf_init(&b, 1 << 20);
	r = buf_read_file(&b, path);
	if (r < 0) {
		buf_release(&b);
		return r;
	}
	*ret = buf_steal(&b);
	return *ret ? 0 : -ENOMEM;
}

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

static char *tls_cert, *tls_key;

int web_http_start(struct web *w, char *why, size_t whylen)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_ERROR_LOG;
	char host[256];
	int port, r;

	if (str_split_hostport(w->conf.web_listen, 8089, host, sizeof(host), &port) < 0) {
		snprintf(why, whylen, "web_listen \"%s\": expected ADDR:PORT", w->conf.web_listen);
		return -EINVAL;
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		flags |= MHD_USE_IPv6;
	} else {
		snprintf(why, whylen, "web_listen \"%s\": not a numeric IPv4 or IPv6 address",
			 w->conf.web_listen);
		return -EINVAL;
	}
	if (!!w->conf.web_tls_cert[0] != !!w->conf.web_tls_key[0]) {
		snprintf(why, whylen, "web_tls_cert and web_tls_key go together");
		return -EINVAL;
	}
	w->tls = w->conf.web_tls_cert[0] != '\0';
	if (!w->tls && !is_loopback((struct sockaddr *)&ss)) {
		snprintf(why, whylen, "web_listen %s is not a loopback address: set web_tls_cert and "
			 "web_tls_key (passwords never cross a network in clear)", w->conf.web_listen);
		return -EINVAL;
	}
	if (w->tls) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			snprintf(why, whylen, "this libmicrohttpd has no TLS");
			return -ENOTSUP;
		}
		if ((r = read_pem(w->conf.web_tls_cert, &tls_cert)) < 0 ||
		    (r = read_pem(w->conf.web_tls_key, &tls_key)) < 0) {
			snprintf(why, whylen, "web_tls_cert/web_tls_key: %s", strerror(-r));
			return r;
		}
		flags |= MHD_USE_TLS;
	}
	daemon_h = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, w,
				    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				    MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL,
				    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
				    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
				    MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
				    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
				    w->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, tls_cert,
				    MHD_OPTION_HTTPS_MEM_KEY, tls_key,
				    MHD_OPTION_END);
	if (!daemon_h) {
		snprintf(why, whylen, "cannot listen on %s (in use, or not an address of this "
			 "machine; TLS files unreadable?)", w->conf.web_listen);
		return -EADDRINUSE;
	}
	return 0;
}

void web_http_stop(struct web *w)
{
	w->stopping = true;
	if (daemon_h)
		MHD_stop_daemon(daemon_h);
	daemon_h = NULL;
	if (tls_key)
		sodium_memzero(tls_key, strlen(tls_key));
	free(tls_cert);
	free(tls_key);
	tls_cert = tls_key = NULL;
}
