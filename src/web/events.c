/* Changed paths for server-sent events.  Two sources:
 *   - the audit log, followed with inotify: sysmand appends a line for
 *     every change and every agent run (writes by shells, agents and other
 *     browsers included), so a subscriber hears of every value or .status
 *     that may have changed without anything polling the tree;
 *   - watched files (a deployment's progress, the diagnosis): state that
 *     changes inside an agent's own database with no audit line, read by
 *     the subscriber's thread, as its user, once a second while it is
 *     subscribed, and reported when the content differs.
 * An event is delivered only if the subscriber's user can reach the path
 * (faccessat as that user), so names a user may not see are not leaked. */
#include "web/web.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"

#define SUB_QUEUE 256
#define SUB_PREFIXES 16
#define SUB_WATCH 16
#define EV_PATH_MAX 1024

struct ev {
	char path[EV_PATH_MAX];
	char op[32];
};

struct watch {
	char path[EV_PATH_MAX];
	unsigned long long hash;
	bool seen;
};

struct web_sub {
	struct web_sub *next;
	struct web_user user;
	char *prefixes[SUB_PREFIXES];
	int nprefixes;
	struct watch watch[SUB_WATCH];
	int nwatch;
	struct ev q[SUB_QUEUE];
	int qhead, qlen;
	bool overflow;
	time_t last_watch;
};

struct web_events {
	const struct web *w;
	char *audit_path;
	pthread_t thread;
	bool started;
	volatile bool stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct web_sub *subs;
};

static bool prefix_match(const char *prefix, const char *path)
{
	size_t n = strlen(prefix);

	while (n && prefix[n - 1] == '/')
		n--;
	return n == 0 || (!strncmp(prefix, path, n) && (path[n] == '\0' || path[n] == '/' ||
							 !strcmp(path + n, ".status")));
}

/* With e->lock held. */
static void push(struct web_sub *s, const char *path, const char *op)
{
	struct ev *ev;

	if (s->qlen == SUB_QUEUE) {
		s->overflow = true;
		return;
	}
	ev = &s->q[(s->qhead + s->qlen++) % SUB_QUEUE];
	snprintf(ev->path, sizeof(ev->path), "%s", path);
	snprintf(ev->op, sizeof(ev->op), "%s", op);
}

/* "TIME uid=U pid=P op=OP path=PATH rc=RC [extra]" */
static void audit_line(struct web_events *e, char *line)
{
	char *op = strstr(line, " op="), *path = strstr(line, " path="), *rc, *end;

	if (!op || !path)
		return;
	op += 4;
	end = strchr(op, ' ');
	if (!end || !strncmp(op, "web.", 4))
		return;
	*end = '\0';
	path += 6;
	rc = strstr(path, " rc=");
	if (rc)
		*rc = '\0';
	while (*path == '/')
		path++;
	pthread_mutex_lock(&e->lock);
	for (struct web_sub *s = e->subs; s; s = s->next)
		for (int i = 0; i < s->nprefixes; i++)
			if (prefix_match(s->prefixes[i], path)) {
				push(s, path, op);
				break;
			}
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

static void *follow(void *arg)
{
	struct web_events *e = arg;
	char part[8192];
	size_t plen = 0;
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK), fd = -1, wd = -1;

	while (!e->stop) {
		struct pollfd p = { in, POLLIN, 0 };
		char ib[4096];

		if (fd < 0) {
			fd = open(e->audit_path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				lseek(fd, 0, SEEK_END);
				if (in >= 0)
					wd = inotify_add_watch(in, e->audit_path,
							       IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF);
				plen = 0;
			}
		}
		/* inotify wakes us; the time-out notices a stop and a log that
		 * appears, is rotated, or cannot be watched */
		if (in < 0 || poll(&p, 1, 500) < 0)
			usleep(500 * 1000);
		while (in >= 0 && read(in, ib, sizeof(ib)) > 0)
			;
		for (;;) {
			ssize_t n;

			if (fd < 0)
				break;
			n = read(fd, part + plen, sizeof(part) - 1 - plen);
			if (n <= 0) {
				struct stat a, b;

				/* rotated or removed: start again at the new file */
				if (n == 0 && (stat(e->audit_path, &a) < 0 || fstat(fd, &b) < 0 ||
					       a.st_ino != b.st_ino)) {
					close(fd);
					fd = -1;
					if (wd >= 0)
						inotify_rm_watch(in, wd);
					wd = -1;
				}
				break;
			}
			plen += (size_t)n;
			part[plen] = '\0';
			for (char *nl; (nl = memchr(part, '\n', plen));) {
				*nl = '\0';
				audit_line(e, part);
				plen -= (size_t)(nl + 1 - part);
				memmove(part, nl + 1, plen);
			}
			if (plen == sizeof(part) - 1)
				plen = 0;      /* a line longer than the audit module writes */
		}
	}
	if (fd >= 0)
		close(fd);
	if (in >= 0)
		close(in);
	return NULL;
}

struct web_events *events_start(const struct web *w, const char *audit_log)
{
	struct web_events *e = calloc(1, sizeof(*e));

	if (!e || !(e->audit_path = strdup(audit_log ? audit_log : ""))) {
		free(e);
		return NULL;
	}
	e->w = w;
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	if (audit_log && *audit_log) {
		if (pthread_create(&e->thread, NULL, follow, e) == 0)
			e->started = true;
	} else
		log_warn("no audit_log: the pages hear only of the files they watch");
	return e;
}

void events_stop(struct web_events *e)
{
	if (!e)
		return;
	e->stop = true;
	pthread_mutex_lock(&e->lock);
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
	if (e->started)
		pthread_join(e->thread, NULL);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->cond);
	free(e->audit_path);
	free(e);
}

struct web_sub *events_subscribe(struct web_events *e, const struct web_user *u,
				 const char *const *prefixes, int nprefixes,
				 const char *const *watch, int nwatch)
{
	struct web_sub *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->user = *u;
	for (int i = 0; i < nprefixes && s->nprefixes < SUB_PREFIXES; i++)
		if ((s->prefixes[s->nprefixes] = strdup(prefixes[i])))
			s->nprefixes++;
	for (int i = 0; i < nwatch && s->nwatch < SUB_WATCH; i++)
		snprintf(s->watch[s->nwatch++].path, EV_PATH_MAX, "%s", watch[i]);
	pthread_mutex_lock(&e->lock);
	s->next = e->subs;
	e->subs = s;
	pthread_mutex_unlock(&e->lock);
	return s;
}

void events_unsubscribe(struct web_events *e, struct web_sub *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&e->lock);
	for (struct web_sub **p = &e->subs; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	pthread_mutex_unlock(&e->lock);
	for (int i = 0; i < s->nprefixes; i++)
		free(s->prefixes[i]);
	free(s);
}

static unsigned long long fnv(const char *d, size_t n)
{
	unsigned long long h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)d[i]) * 1099511628211ULL;
	return h;
}

/* As the subscriber's user: reads each watched file; returns how many
 * changed, with their paths appended to out as events. */
static void check_watches(struct web_events *e, struct web_sub *s, struct ev *out, int *nout,
			  int max)
{
	for (int i = 0; i < s->nwatch && *nout < max; i++) {
		struct watch *wt = &s->watch[i];
		struct buf b;
		unsigned long long h = 0;
		int fd = tree_open(e->w, wt->path, O_RDONLY);

		buf_init(&b, 1 << 20);
		if (fd >= 0) {
			while (buf_read_fd(&b, fd) > 0)
				;
			close(fd);
			h = fnv(b.data ? b.data : "", b.len) ^ 1;
		}
		buf_release(&b);
		if (wt->seen && h != wt->hash) {
			snprintf(out[*nout].path, EV_PATH_MAX, "%s", wt->path);
			snprintf(out[*nout].op, sizeof(out[*nout].op), "changed");
			(*nout)++;
		}
		wt->seen = true;
		wt->hash = h;
	}
}

ssize_t events_wait(struct web_events *e, struct web_sub *s, char *buf, size_t len,
		    int timeout_ms)
{
	struct ev got[64];
	int n = 0;
	bool overflow = false;
	struct timespec until;
	size_t used = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&e->lock);
	while (!e->stop && s->qlen == 0 && !s->overflow)
		if (pthread_cond_timedwait(&e->cond, &e->lock, &until) == ETIMEDOUT)
			break;
	while (s->qlen && n < (int)(sizeof(got) / sizeof(got[0])) - SUB_WATCH) {
		got[n++] = s->q[s->qhead];
		s->qhead = (s->qhead + 1) % SUB_QUEUE;
		s->qlen--;
	}
	overflow = s->overflow;
	s->overflow = false;
	pthread_mutex_unlock(&e->lock);
	if (e->stop)
		return -ESHUTDOWN;
	if (cred_become(&s->user) < 0)
		return -EPERM;
	if (s->nwatch && time(NULL) != s->last_watch) {
		s->last_watch = time(NULL);
		check_watches(e, s, got, &n, (int)(sizeof(got) / sizeof(got[0])));
	}
	if (overflow && len > 64)
		used += (size_t)snprintf(buf, len, "event: overflow\ndata: {}\n\n");
	for (int i = 0; i < n; i++) {
		json_t *o;
		char *j;

		char parent[EV_PATH_MAX], *slash;

		/* names in a directory the user cannot search are not told */
		snprintf(parent, sizeof(parent), "%s", got[i].path);
		slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		if (!slash || !parent[0])
			snprintf(parent, sizeof(parent), ".");
		if (faccessat(e->w->mount_fd, parent, X_OK, AT_EACCESS) < 0)
			continue;
		o = json_pack("{s:s, s:s}", "path", got[i].path, "op", got[i].op);
		j = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		if (j && used + strlen(j) + 32 < len)
			used += (size_t)snprintf(buf + used, len - used, "event: change\ndata: %s\n\n", j);
		free(j);
	}
	cred_restore();
	return (ssize_t)used;
}
