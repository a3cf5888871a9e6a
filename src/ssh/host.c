/*
 * host.c - one SSH session per (host, port, user): its state machine.
 *
 *   IDLE -> WAIT_SLOT -> TCP -> HANDSHAKE -> AUTH -> READY
 *     ^________________ failure (back-off) __________|  broken (no back-off)
 *
 * The pool connects the TCP socket itself (so connect errors keep their
 * errno and the connect timeout is ours) and hands libssh a dup of it
 * (SSH_OPTIONS_FD).  Epoll watches the pool's own fd, which only the pool
 * closes, after EPOLL_CTL_DEL; libssh may close its dup on I/O errors
 * without leaving a stale epoll registration behind.
 */
#include "ssh/pool_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh/server.h>   /* ssh_send_keepalive(), client side too */

#include "util/strutil.h"

static const struct ssh_pool_config *host_cfg(const struct host *h)
{
	return &h->loop->pool->cfg;
}

struct host *host_new(struct loop *l, const char *key, const struct job *j)
{
	struct host *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->loop = l;
	h->fd = -1;
	h->key = strdup(key);
	h->hostname = strdup(j->hostname);
	h->user = strdup(j->user);
	h->port = j->port;
	h->chan_limit = (unsigned)l->pool->cfg.max_channels;
	if (!h->key || !h->hostname || !h->user) {
		host_free(h);
		return NULL;
	}
	return h;
}

void host_free(struct host *h)
{
	if (!h)
		return;
	free(h->key);
	free(h->hostname);
	free(h->user);
	str_wipe_free(h->password);
	free(h);
}

static bool connecting_state(enum host_state s)
{
	return s == HOST_TCP || s == HOST_HANDSHAKE || s == HOST_AUTH;
}

/* Closes the session and the socket; leaves jobs alone. */
static void host_drop_session(struct host *h)
{
	struct loop *l = h->loop;

	if (h->ev) {
		if (h->sess)
			ssh_event_remove_session(h->ev, h->sess);
		ssh_event_free(h->ev);
		h->ev = NULL;
	}
	if (h->fd >= 0) {
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, h->fd, NULL);
		close(h->fd);
		h->fd = -1;
	}
	if (h->sess) {
		/* closes libssh's dup of the socket if still open */
		ssh_silent_disconnect(h->sess);
		ssh_free(h->sess);
		h->sess = NULL;
	}
	if (connecting_state(h->state))
		l->connecting--;
	h->state = HOST_IDLE;
}

static void fail_list(struct jlist *list, int rc, const char *prefix,
		      const char *msg)
{
	struct job *j;

	while ((j = list->head))
		job_finish(j, rc, "%s%s", prefix, msg);
}

/* A connection attempt failed: every waiting job gets its error. */
static void host_fail(struct host *h, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void host_fail(struct host *h, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->last_msg, sizeof(h->last_msg), fmt, ap);
	va_end(ap);
	h->last_rc = rc;
	h->backoff_ms = h->backoff_ms ? h->backoff_ms * 2 : SSH_BACKOFF_FIRST_MS;
	if (h->backoff_ms > SSH_BACKOFF_MAX_MS)
		h->backoff_ms = SSH_BACKOFF_MAX_MS;
	h->retry_at_ms = now_ms() + h->backoff_ms;
	host_drop_session(h);
	fail_list(&h->pending, rc, "", h->last_msg);
}

static void host_kick(struct host *h);

/* A READY session broke: running commands fail (those whose channel was
 * not yet open are retried once on a new session). */
static void host_broken(struct host *h, int rc, const char *why)
{
	char msg[SSH_MSG_MAX];
	struct job *j, *next;

	str_printf(msg, sizeof(msg), "connection to '%s' lost: %s",
		   h->hostname, why);
	for (j = h->running.head; j; j = next) {
		next = j->next;
		if (j->state == JOB_OPEN && !j->retried) {
			ssh_remove_channel_callbacks(j->ch, &j->cb);
			ssh_channel_free(j->ch);
			j->ch = NULL;
			j->retried = true;
			jlist_remove(&h->running, j);
			j->state = JOB_PENDING;
			jlist_push(&h->pending, j);
		} else {
			job_finish(j, rc, "%s", msg);
		}
	}
	host_drop_session(h);
	h->chan_limit = (unsigned)host_cfg(h)->max_channels;
	host_kick(h);
}

static void host_ready(struct host *h)
{
	const struct ssh_pool_config *cfg = host_cfg(h);
	int64_t now = now_ms();

	h->ev = ssh_event_new();
	if (!h->ev || ssh_event_add_session(h->ev, h->sess) != SSH_OK) {
		host_fail(h, -ENOMEM, "cannot set up event for '%s'",
			  h->hostname);
		return;
	}
	h->loop->connecting--;
	h->state = HOST_READY;
	h->backoff_ms = 0;
	h->retry_at_ms = 0;
	h->last_rx_ms = now;
	h->next_keepalive_ms = cfg->keepalive_s > 0
		? now + cfg->keepalive_s * 1000LL : 0;
	if (h->next_keepalive_ms)
		loop_want_scan(h->loop, h->next_keepalive_ms);
	host_kick(h);
}

static void host_auth(struct host *h)
{
	const char *how = h->password ? "password" : "public key";
	int rc;

	if (h->password)
		rc = ssh_userauth_password(h->sess, NULL, h->password);
	else if (h->loop->privkey)
		rc = ssh_userauth_publickey(h->sess, NULL, h->loop->privkey);
	else
		rc = SSH_AUTH_DENIED;
	switch (rc) {
	case SSH_AUTH_AGAIN:
		return;
	case SSH_AUTH_SUCCESS:
		host_ready(h);
		return;
	case SSH_AUTH_DENIED:
	case SSH_AUTH_PARTIAL:
		host_fail(h, -EACCES, "authentication failed for %s@%s "
			  "(%s)", h->user, h->hostname,
			  h->password || h->loop->privkey ? how
							  : "no key configured");
		return;
	default:
		host_fail(h, -EPROTO, "authentication error for %s@%s: %s",
			  h->user, h->hostname, ssh_get_error(h->sess));
	}
}

static void host_handshake(struct host *h)
{
	const struct ssh_pool_config *cfg = host_cfg(h);
	char msg[SSH_MSG_MAX];
	int rc = ssh_connect(h->sess);

	if (rc == SSH_AGAIN)
		return;
	if (rc != SSH_OK) {
		host_fail(h, -EPROTO, "ssh handshake with '%s' failed: %s",
			  h->hostname, ssh_get_error(h->sess));
		return;
	}
	rc = hostkey_check(h->sess, h->hostname, h->port,
			   cfg->host_key_policy, cfg->known_hosts, msg,
			   sizeof(msg));
	if (rc < 0) {
		host_fail(h, rc, "%s", msg);
		return;
	}
	h->state = HOST_AUTH;
	host_auth(h);
}

static int session_setup(struct host *h, int sshfd)
{
	const struct ssh_pool_config *cfg = host_cfg(h);
	unsigned int port = (unsigned int)h->port;
	bool no = false;
	ssh_session s = ssh_new();

	if (!s)
		return -ENOMEM;
	h->sess = s;
	if (ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &no) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_HOST, h->hostname) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_PORT, &port) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_USER, h->user) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, cfg->known_hosts) < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") < 0 ||
	    ssh_options_set(s, SSH_OPTIONS_FD, &sshfd) < 0)
		return -EINVAL;
	ssh_set_blocking(s, 0);
	return 0;
}

/* TCP is up: start SSH on a dup of the socket.  From the first
 * ssh_connect() on, sshfd is libssh's: it may close it on an error, so the
 * pool never closes it (a failure before libssh adopts it can only be an
 * allocation failure and leaks one descriptor). */
static void host_tcp_done(struct host *h)
{
	int sshfd, r;

	sshfd = fcntl(h->fd, F_DUPFD_CLOEXEC, 0);
	if (sshfd < 0) {
		r = -errno;
		host_fail(h, r, "cannot dup socket: %s", strerror(-r));
		return;
	}
	r = session_setup(h, sshfd);
	if (r < 0) {
		if (h->sess) {
			ssh_free(h->sess);
			h->sess = NULL;
		}
		close(sshfd);
		host_fail(h, r, "cannot set up ssh session for '%s'",
			  h->hostname);
		return;
	}
	h->state = HOST_HANDSHAKE;
	host_handshake(h);
}

static void host_on_tcp(struct host *h)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(int), slen = sizeof(ss);
	int err = 0;

	if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		host_fail(h, -err, "cannot connect to '%s' port %d: %s",
			  h->hostname, h->port, strerror(err));
		return;
	}
	if (getpeername(h->fd, (struct sockaddr *)&ss, &slen) < 0)
		return; /* still in progress (stale event) */
	host_tcp_done(h);
}

static int tcp_start(struct host *h)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char port[16];
	int fd = -1, one = 1, r;

	str_printf(port, sizeof(port), "%d", h->port);
	/* numeric addresses never block; names go through NSS here */
	r = getaddrinfo(h->hostname, port, &hints, &ai);
	if (r != 0) {
		host_fail(h, -EHOSTUNREACH, "cannot resolve '%s': %s",
			  h->hostname, gai_strerror(r));
		return -EHOSTUNREACH;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
	    errno != EINPROGRESS) {
		r = -errno;
		goto fail;
	}
	freeaddrinfo(ai);
	h->fd = fd;
	h->ev_mask = EPOLLOUT;
	r = loop_epoll_set(h->loop, fd, EPOLLOUT, h, true);
	if (r < 0) {
		host_fail(h, r, "epoll: %s", strerror(-r));
		return r;
	}
	return 0;
fail:
	freeaddrinfo(ai);
	if (fd >= 0)
		close(fd);
	host_fail(h, r, "cannot connect to '%s' port %d: %s", h->hostname,
		  h->port, strerror(-r));
	return r;
}

static void host_connect_start(struct host *h)
{
	struct loop *l = h->loop;

	l->connecting++;
	atomic_fetch_add(&l->pool->connects, 1);
	h->state = HOST_TCP;
	h->deadline_ms = now_ms() + host_cfg(h)->connect_timeout_s * 1000LL;
	loop_want_scan(l, h->deadline_ms);
	/* on failure tcp_start() has already failed the jobs; success is
	 * reported by epoll even when loopback connects at once */
	tcp_start(h);
}

void loop_start_connects(struct loop *l)
{
	struct host *h;

	while (l->connecting < l->max_connecting && (h = l->connq_head)) {
		l->connq_head = h->qnext;
		if (!l->connq_head)
			l->connq_tail = NULL;
		h->qnext = NULL;
		if (h->state != HOST_WAIT_SLOT)
			continue;
		h->state = HOST_IDLE;
		if (h->pending.n == 0)
			continue;
		host_connect_start(h);
	}
}

/* Starts pending jobs on a READY session, or queues a connection. */
static void host_kick(struct host *h)
{
	struct loop *l = h->loop;
	struct job *j;

	if (h->state == HOST_IDLE && h->pending.n > 0) {
		h->state = HOST_WAIT_SLOT;
		if (l->connq_tail)
			l->connq_tail->qnext = h;
		else
			l->connq_head = h;
		l->connq_tail = h;
		return; /* the loop starts it when a slot is free */
	}
	/* after a refused open, wait: the scan kicks again at hold_until */
	while (h->state == HOST_READY && h->pending.head &&
	       h->running.n < h->chan_limit && h->hold_until_ms <= now_ms()) {
		j = jlist_pop(&h->pending);
		j->state = JOB_OPEN;
		jlist_push(&h->running, j);
		if (job_step(j) == -ECONNRESET) {
			host_broken(h, -ECONNRESET, ssh_get_error(h->sess));
			return;
		}
	}
}

static bool same_password(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

void host_add_job(struct host *h, struct job *j)
{
	int64_t now = now_ms();

	j->host = h;
	j->state = JOB_PENDING;
	if (!same_password(h->password, j->password)) {
		str_wipe_free(h->password);
		h->password = j->password ? strdup(j->password) : NULL;
		h->retry_at_ms = 0; /* new credentials: no back-off */
	}
	if (h->state == HOST_IDLE && now < h->retry_at_ms) {
		jlist_push(&h->pending, j);
		job_finish(j, h->last_rc, "previous attempt failed: %s "
			   "(next attempt in %llds)", h->last_msg,
			   (long long)(h->retry_at_ms - now + 999) / 1000);
		return;
	}
	jlist_push(&h->pending, j);
	if (j->deadline_ms)
		loop_want_scan(h->loop, j->deadline_ms);
	host_kick(h);
	host_sync_fd(h);
}

/* Steps every running job and starts pending ones. */
static void host_process(struct host *h)
{
	struct job *j, *next;

	for (j = h->running.head; j; j = next) {
		next = j->next;
		if (job_step(j) == -ECONNRESET) {
			host_broken(h, -ECONNRESET, ssh_get_error(h->sess));
			return;
		}
	}
	host_kick(h);
}

/* After any libssh call: notice a socket libssh closed, and ask epoll for
 * writability while libssh has output queued. */
void host_sync_fd(struct host *h)
{
	uint32_t want = EPOLLIN;

	if (h->fd < 0 || !h->sess || h->state == HOST_TCP)
		return;
	if (ssh_get_fd(h->sess) < 0 ||
	    (ssh_get_status(h->sess) & (SSH_CLOSED | SSH_CLOSED_ERROR))) {
		if (h->state == HOST_READY)
			host_broken(h, -ECONNRESET, ssh_get_error(h->sess));
		else
			host_fail(h, -ECONNRESET, "connection to '%s' closed "
				  "during setup: %s", h->hostname,
				  ssh_get_error(h->sess));
		return;
	}
	if ((ssh_get_status(h->sess) & SSH_WRITE_PENDING) ||
	    (ssh_get_poll_flags(h->sess) & SSH_WRITE_PENDING))
		want |= EPOLLOUT;
	if (want != h->ev_mask &&
	    loop_epoll_set(h->loop, h->fd, want, h, false) == 0)
		h->ev_mask = want;
}

void host_on_io(struct host *h, uint32_t events)
{
	switch (h->state) {
	case HOST_TCP:
		host_on_tcp(h);
		break;
	case HOST_HANDSHAKE:
		host_handshake(h);
		break;
	case HOST_AUTH:
		host_auth(h);
		break;
	case HOST_READY:
		if (events & EPOLLIN)
			h->last_rx_ms = now_ms();
		ssh_event_dopoll(h->ev, 0);
		host_process(h);
		break;
	default:
		break;
	}
	host_sync_fd(h);
}

static int64_t host_scan_jobs(struct jlist *list, int64_t now, int64_t next)
{
	struct job *j, *nj;

	for (j = list->head; j; j = nj) {
		nj = j->next;
		if (!j->deadline_ms)
			continue;
		if (now >= j->deadline_ms)
			job_timeout(j, now);
		else if (j->deadline_ms < next)
			next = j->deadline_ms;
	}
	return next;
}

static void host_keepalive(struct host *h, int64_t now)
{
	int ka = host_cfg(h)->keepalive_s;

	if (now - h->last_rx_ms > 3LL * ka * 1000) {
		char why[64];

		str_printf(why, sizeof(why), "no answer to keepalive for %llds",
			   (long long)(now - h->last_rx_ms) / 1000);
		host_broken(h, -ETIMEDOUT, why);
		return;
	}
	/* the first call collects the previous reply, the second sends a
	 * new request if none is outstanding */
	ssh_send_keepalive(h->sess);
	ssh_send_keepalive(h->sess);
	h->next_keepalive_ms = now + ka * 1000LL;
	host_process(h);
}

int64_t host_scan(struct host *h, int64_t now)
{
	int64_t next = now + 1000;

	if (connecting_state(h->state) && now >= h->deadline_ms) {
		host_fail(h, -ETIMEDOUT, "connection to '%s' port %d timed out "
			  "after %ds (%s)", h->hostname, h->port,
			  host_cfg(h)->connect_timeout_s,
			  h->state == HOST_TCP ? "tcp connect"
			  : h->state == HOST_HANDSHAKE ? "ssh handshake"
						       : "authentication");
	}
	if (connecting_state(h->state) && h->deadline_ms < next)
		next = h->deadline_ms;
	next = host_scan_jobs(&h->pending, now, next);
	next = host_scan_jobs(&h->running, now, next);
	if (h->state == HOST_READY && h->next_keepalive_ms) {
		if (now >= h->next_keepalive_ms)
			host_keepalive(h, now);
		if (h->state == HOST_READY && h->next_keepalive_ms < next)
			next = h->next_keepalive_ms;
	}
	if (h->state == HOST_READY) {
		host_kick(h);
		if (h->pending.n && h->hold_until_ms > now &&
		    h->hold_until_ms < next)
			next = h->hold_until_ms;
	}
	host_sync_fd(h);
	return next;
}

void host_shutdown(struct host *h)
{
	/* commands still running are killed, as on a timeout; the signal
	 * requests leave with the next write (usually at once) */
	for (struct job *j = h->running.head; j; j = j->next)
		if (j->ch && j->state == JOB_RUN)
			ssh_channel_request_send_signal(j->ch, "KILL");
	if (h->sess && h->state == HOST_READY)
		ssh_blocking_flush(h->sess, 0);
	fail_list(&h->pending, -ESHUTDOWN, "", "ssh pool shutting down");
	fail_list(&h->running, -ESHUTDOWN, "", "ssh pool shutting down");
	host_drop_session(h);
}
