/*
 * nodes.c - /nodes/<set>/<file>: a node set's members' files as one file
 * (DESIGN §14, issue 12).
 *
 * Contract:
 *   - Computed, never stored: nodes/, nodes/<set>/ and nodes/<set>/<file>
 *     are inodes with no backing object (fd -1, fs.h VNODE_*), made on
 *     lookup and freed on forget.  Nothing under nodes/ is ever written to
 *     state_dir, and nothing is listed: the root's listing has no "nodes"
 *     and nodes/ and nodes/<set>/ list only "." and "..".  Lookups work.
 *   - <set> is a node set in ClusterShell's syntax (util/nodeset.h); "@name"
 *     is the group groups/<name> of the backing store (special/group.h).
 *     A malformed set (or an unknown group) is ENOENT on lookup, a set of
 *     more than max_nodeset names E2BIG; the reason goes to the log.
 *   - A member name n is the inventory's device whose path ends in "/n"
 *     (systems/servers/ preferred, then the smallest path), else the
 *     backing directory systems/servers/n if there is one.  A member that
 *     is neither is reported "2 no such device" in the gathered .status;
 *     one without the file, "2 no such file"; the others go on.
 *   - nodes/<set>/<file> exists when at least one member has <file> (a
 *     regular file, or an agent that makes it appear);
 *     nodes/<set>/<file>.status when <file> does.
 *   - Opening <file> for reading runs every member's read agent as an open
 *     of that member's file would (its caching model, joining a run in
 *     flight, waiting for an async write first), all at once through the
 *     agent layer; the open is answered when all are done, with the
 *     members' contents gathered as `clush -b` prints them
 *     (special/gather.h) in the handle; reads are served from there.
 *     <file>.status gathers the members' status lines the same way, after
 *     waiting for their runs in flight.  A member whose file the caller may
 *     not read is left out of the content and is "13 permission denied"
 *     in the .status.  strict_errors: EIO if a member's run failed.
 *   - Writing keeps the bytes in the handle (at most agent_output_max).  At
 *     flush, every member's file the caller may write (checked as the
 *     caller, fs/caller.c) gets them in the backing store and its write
 *     agent runs with them, each with its own lock, .status, time-out and
 *     write mode; the flush is answered when the sync ones are done.  A
 *     member the caller may not write is logged and audited, left alone,
 *     and shown "13 permission denied" in that caller's next reads of
 *     nodes/.../<file>.status until the member's own .status changes; the
 *     flush then fails with EACCES (the others were done).  Otherwise EIO
 *     if a run failed and strict_errors applies, else 0.
 *   - Nothing here goes through the mount (a FUSE worker waiting on its own
 *     mount deadlocks): members' files are read and written in the backing
 *     store, their agents run through run_with_waiter (fs/ops_file.c).
 *
 * Threads: a job is started on the FUSE worker that got the request and
 * finished on whichever thread ends its last member (a worker or the
 * runner); job->mu guards pending and failed.
 */
#include "fs/nodes.h"
#include "fs/ops_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/inventory.h"
#include "special/gather.h"
#include "special/group.h"
#include "special/status.h"
#include "util/audit.h"
#include "util/buf.h"
#include "util/hmap.h"
#include "util/log.h"
#include "util/nodeset.h"
#include "util/strutil.h"

#define NODES_DIR "nodes"
#define SERVERS "/systems/servers/"
#define NOTES_MAX 65536         /* remembered refusals; past it all are dropped */
#define DENIED_LOG_MAX 20       /* refusals logged one by one per flush */

enum member_state { M_OK, M_MISSING, M_NOFILE, M_DENIED, M_ERROR };

struct member {
	const char *name;             /* into job->names */
	char *path;                   /* "/systems/servers/n1/power"; NULL if missing */
	enum member_state state;
	int err;                      /* M_ERROR: errno value */
	struct sm_inode *in;          /* the file's inode (internal ref), or NULL */
};

enum job_kind { JOB_READ, JOB_STATUS, JOB_FLUSH, JOB_PROBE };

struct nodes_job {
	struct sysman *sm;
	enum job_kind kind;
	fuse_req_t req;               /* answered by job_finish (NULL: probe) */
	struct fuse_file_info fi;     /* the open's, for its reply */
	struct sm_fh *fh;
	uid_t uid;
	char **names;                 /* nodeset_names: one block */
	struct member *m;
	size_t n;
	pthread_mutex_t mu;
	size_t pending;               /* (mu) waiters queued, +1 while starting */
	bool failed;                  /* (mu) a run failed and strict_errors applies */
};

/* ---- refusals remembered for .status ---- */

struct note {
	struct timespec at;
	int rc;
	char msg[64];
};

static pthread_mutex_t notes_mu = PTHREAD_MUTEX_INITIALIZER;
static struct hmap *notes;            /* "uid:path" -> struct note (notes_mu) */

static void note_put(uid_t uid, const char *path, int rc, const char *msg)
{
	char key[PATH_MAX + 16];
	struct note *n, *old = NULL;

	if (str_printf(key, sizeof(key), "%u:%s", (unsigned)uid, path) < 0 || !(n = calloc(1, sizeof(*n))))
		return;
	clock_gettime(CLOCK_REALTIME, &n->at);
	n->rc = rc;
	str_copy(n->msg, sizeof(n->msg), msg);
	pthread_mutex_lock(&notes_mu);
	if (notes && hmap_count(notes) >= NOTES_MAX) {
		hmap_free(notes, free);
		notes = NULL;
	}
	if (!notes)
		notes = hmap_new();
	if (!notes || hmap_put(notes, key, n, (void **)&old) < 0)
		free(n);
	pthread_mutex_unlock(&notes_mu);
	free(old);
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The refusal noted for uid on path if the member's .status is older.
 * Appends its status line to out and returns true. */
static bool note_show(struct sysman *sm, uid_t uid, const char *path, struct buf *out)
{
	char key[PATH_MAX + 16], sp[PATH_MAX];
	struct note n, *p;
	struct stat st;
	bool found = false;

	if (str_printf(key, sizeof(key), "%u:%s", (unsigned)uid, path) < 0 ||
	    str_printf(sp, sizeof(sp), "%s%s", path, STATUS_SUFFIX) < 0)
		return false;
	pthread_mutex_lock(&notes_mu);
	p = notes ? hmap_get(notes, key) : NULL;
	if (p) {
		n = *p;
		found = true;
	}
	pthread_mutex_unlock(&notes_mu);
	if (!found)
		return false;
	if (fstatat(sm->root.fd, backing_rel(sp), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !ts_before(&st.st_mtim, &n.at))
		return false;
	status_format(out, n.rc, n.msg);
	return true;
}

/* ---- node sets and members ---- */

static int resolve_group(const char *group, char **ret_text, void *arg)
{
	struct sysman *sm = arg;
	char dir[PATH_MAX];

	if (str_printf(dir, sizeof(dir), "%s/groups", sm->state_dir) < 0)
		return -ENAMETOOLONG;
	return group_members_text(dir, group, ret_text);
}

/* Parses text, logging why it is refused.  Returns 0, -ENOENT (malformed,
 * unknown group), -E2BIG (past max_nodeset) or -ENOMEM. */
static int parse_set(struct sysman *sm, const char *text, struct nodeset **ret)
{
	struct nodeset_resolver res = { resolve_group, sm };
	struct nodeset_error err;
	struct nodeset *ns = nodeset_new((size_t)sm->conf.max_nodeset);
	int r;

	if (!ns)
		return -ENOMEM;
	memset(&err, 0, sizeof(err));
	r = nodeset_parse(ns, text, &res, &err);
	if (r < 0) {
		nodeset_free(ns);
		if (r == -E2BIG) {
			log_warn("'%s/%s': refused: more than max_nodeset (%d) names", NODES_DIR, text,
				 sm->conf.max_nodeset);
			return -E2BIG;
		}
		if (r == -EINVAL)
			log_warn("'%s/%s': malformed node set at offset %zu: %s", NODES_DIR, text, err.pos,
				 err.msg);
		else
			log_warn("'%s/%s': %s", NODES_DIR, text, strerror(-r));
		return r == -ENOMEM ? r : -ENOENT;
	}
	*ret = ns;
	return 0;
}

static bool is_server_path(const char *p)
{
	return strncmp(p, SERVERS, strlen(SERVERS)) == 0;
}

/* inventory_each: last component of each device's path -> its path. */
static int devmap_cb(const struct device *d, void *arg)
{
	struct hmap *map = arg;
	const char *base = strrchr(d->path, '/');
	char *old, *p;

	if (!base || !base[1])
		return 0;
	base++;
	old = hmap_get(map, base);
	if (old && (is_server_path(old) != is_server_path(d->path) ? is_server_path(old)
								     : strcmp(old, d->path) <= 0))
		return 0;
	if (!(p = strdup(d->path)))
		return -ENOMEM;
	old = NULL;
	if (hmap_put(map, base, p, (void **)&old) < 0) {
		free(p);
		return -ENOMEM;
	}
	free(old);
	return 0;
}

static bool plain_name(const char *name)
{
	return !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

/* systems/servers/<name> when the backing store has that directory. */
static bool server_dir(struct sysman *sm, const char *name, char *out, size_t len)
{
	struct stat st;

	return plain_name(name) && str_printf(out, len, SERVERS "%s", name) == 0 &&
	       fstatat(sm->root.fd, backing_rel(out), &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/* Expands set and finds each member's file (named file). */
static int job_resolve(struct nodes_job *job, const char *set, const char *file)
{
	struct sysman *sm = job->sm;
	struct nodeset *ns = NULL;
	struct hmap *devs = NULL;
	int n, r;

	r = parse_set(sm, set, &ns);
	if (r < 0)
		return r;
	n = nodeset_names(ns, &job->names);
	nodeset_free(ns);
	if (n < 0)
		return n;
	job->n = (size_t)n;
	job->m = calloc(job->n ? job->n : 1, sizeof(*job->m));
	devs = hmap_new();
	r = -ENOMEM;
	if (!job->m || !devs)
		goto out;
	if (sm->inv && (r = inventory_each(sm->inv, devmap_cb, devs)) < 0)
		goto out;
	for (size_t i = 0; i < job->n; i++) {
		struct member *m = &job->m[i];
		const char *dev = hmap_get(devs, job->names[i]);
		char fallback[PATH_MAX];

		m->name = job->names[i];
		if (!dev && server_dir(sm, m->name, fallback, sizeof(fallback)))
			dev = fallback;
		if (!dev) {
			m->state = M_MISSING;
			continue;
		}
		if (asprintf(&m->path, "%s/%s", dev, file) < 0) {
			m->path = NULL;
			r = -ENOMEM;
			goto out;
		}
	}
	r = 0;
out:
	hmap_free(devs, free);
	return r;
}

/* Makes sure m's file is a regular file of the backing store, creating it
 * if an agent makes it appear (as a lookup of it would). */
static void member_prepare(struct sysman *sm, struct member *m)
{
	char dir[PATH_MAX];
	struct stat st;
	int dfd;

	if (m->state != M_OK)
		return;
	if (fstatat(sm->root.fd, backing_rel(m->path), &st, AT_SYMLINK_NOFOLLOW) < 0 &&
	    str_copy(dir, sizeof(dir), m->path) == 0) {
		*strrchr(dir, '/') = '\0';
		dfd = openat(sm->root.fd, backing_rel(dir), O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			materialise_at(sm, dfd, dir, base_name(m->path));
			close(dfd);
		}
	}
	if (fstatat(sm->root.fd, backing_rel(m->path), &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode))
		m->state = M_NOFILE;
}

/* Checks, as the job's caller, that it may access (mode: R_OK, W_OK)
 * every member's file. */
static void check_access(struct nodes_job *job, int mode)
{
	struct caller_creds cc;
	int r = caller_become(job->req, &cc);

	for (size_t i = 0; i < job->n; i++) {
		struct member *m = &job->m[i];

		if (m->state != M_OK)
			continue;
		if (r < 0) {
			m->state = M_ERROR;
			m->err = -r;
		} else if (faccessat(job->sm->root.fd, backing_rel(m->path), mode, AT_EACCESS) < 0) {
			m->state = errno == EACCES || errno == EPERM ? M_DENIED : M_ERROR;
			m->err = errno;
		}
	}
	if (r == 0)
		caller_restore(&cc);
}

static int member_inode(struct sysman *sm, struct member *m)
{
	struct stat st;
	int fd = openat(sm->root.fd, backing_rel(m->path), O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	m->in = inode_find_or_add(sm, fd, &st, false);
	return m->in ? 0 : -ENOMEM;
}

/* ---- jobs ---- */

static struct nodes_job *job_new(struct sysman *sm, enum job_kind kind, fuse_req_t req,
				 struct sm_fh *fh)
{
	struct nodes_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->sm = sm;
	job->kind = kind;
	job->req = req;
	job->fh = fh;
	job->uid = req ? fuse_req_ctx(req)->uid : 0;
	job->pending = 1;
	pthread_mutex_init(&job->mu, NULL);
	return job;
}

static void job_free(struct nodes_job *job)
{
	if (!job)
		return;
	for (size_t i = 0; i < job->n && job->m; i++) {
		inode_unref(job->sm, job->m[i].in);
		free(job->m[i].path);
	}
	free(job->m);
	free(job->names);
	pthread_mutex_destroy(&job->mu);
	free(job);
}

static const char *member_msg(const struct member *m, int *ret_rc)
{
	switch (m->state) {
	case M_MISSING:
		*ret_rc = ENOENT;
		return "no such device";
	case M_NOFILE:
		*ret_rc = ENOENT;
		return "no such file";
	case M_DENIED:
		*ret_rc = EACCES;
		return "permission denied";
	case M_ERROR:
		*ret_rc = m->err;
		return strerror(m->err);
	case M_OK:
		break;
	}
	*ret_rc = 0;
	return NULL;
}

/* Appends the backing file at path (tree path) to b; nothing if none. */
static void read_backing(struct sysman *sm, const char *path, struct buf *b)
{
	int fd = openat(sm->root.fd, backing_rel(path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	while (buf_read_fd(b, fd) > 0)
		;
	close(fd);
}

/* What member m shows: its content (JOB_READ) or its status line. */
static void member_item(struct nodes_job *job, struct member *m, struct gather_item *it)
{
	struct sysman *sm = job->sm;
	char sp[PATH_MAX];
	const char *msg;
	struct buf b;
	int rc;

	it->node = (char *)m->name;
	msg = member_msg(m, &rc);
	buf_init(&b, job->kind == JOB_READ ? (size_t)sm->conf.agent_output_max : 4096);
	if (msg) {
		if (job->kind == JOB_STATUS)
			status_format(&b, rc, msg);
	} else if (job->kind == JOB_READ) {
		read_backing(sm, m->path, &b);
	} else if (!note_show(sm, job->uid, m->path, &b) &&
		   str_printf(sp, sizeof(sp), "%s%s", m->path, STATUS_SUFFIX) == 0) {
		read_backing(sm, sp, &b);
	}
	it->len = b.len;
	it->data = buf_steal(&b);
	buf_release(&b);
}

/* Answers an open with the gathered contents or status lines. */
static void finish_open(struct nodes_job *job)
{
	struct gather_item *items = calloc(job->n ? job->n : 1, sizeof(*items));
	struct sm_fh *fh = job->fh;
	int r = -ENOMEM;

	if (items) {
		for (size_t i = 0; i < job->n; i++)
			member_item(job, &job->m[i], &items[i]);
		r = gather_format(items, job->n, false, &fh->show);
		if (r == -E2BIG)
			log_warn("'%s/%s/%s': gathered output cut at %zu bytes", NODES_DIR, fh->set,
				 fh->file, fh->show.max);
		for (size_t i = 0; i < job->n; i++)
			free(items[i].data);
		free(items);
	}
	if (r == -ENOMEM || (job->failed && job->kind == JOB_READ)) {
		fuse_reply_err(job->req, r == -ENOMEM ? ENOMEM : EIO);
		fh_free(fh);
		return;
	}
	job->fi.fh = (uintptr_t)fh;
	job->fi.direct_io = 1;
	if (fuse_reply_open(job->req, &job->fi) != 0)
		fh_free(fh);  /* the opener is gone */
}

static void finish_flush(struct nodes_job *job)
{
	bool denied = false, error = false;

	for (size_t i = 0; i < job->n; i++) {
		denied |= job->m[i].state == M_DENIED;
		error |= job->m[i].state == M_ERROR;
	}
	fuse_reply_err(job->req, denied ? EACCES : (error || job->failed) ? EIO : 0);
}

static void job_finish(struct nodes_job *job)
{
	if (job->kind == JOB_FLUSH)
		finish_flush(job);
	else
		finish_open(job);
	job_free(job);
}

static void job_hold(struct nodes_job *job)
{
	pthread_mutex_lock(&job->mu);
	job->pending++;
	pthread_mutex_unlock(&job->mu);
}

static void job_put(struct nodes_job *job)
{
	bool last;

	pthread_mutex_lock(&job->mu);
	last = --job->pending == 0;
	pthread_mutex_unlock(&job->mu);
	if (last)
		job_finish(job);
}

/* A member's run is over (struct waiter's reply; fail: it failed and
 * strict_errors applies). */
static void member_done(struct sysman *sm, struct waiter *w, bool fail)
{
	struct nodes_job *job = w->arg;

	(void)sm;
	if (fail) {
		pthread_mutex_lock(&job->mu);
		job->failed = true;
		pthread_mutex_unlock(&job->mu);
	}
	job_put(job);
}

/* A waiter on m's inode that counts down job (held for it). */
static struct waiter *member_waiter(struct nodes_job *job, struct member *m)
{
	struct waiter *w = waiter_new(job->sm, W_OPEN, job->req, m->in, NULL, NULL);

	if (!w)
		return NULL;
	w->req = NULL;   /* the job answers job->req, once */
	w->reply = member_done;
	w->arg = job;
	job_hold(job);
	return w;
}

/* Waits for m's run in flight, or runs its read agent if its caching model
 * asks for it (JOB_READ), as sm_open does for one file. */
static void member_start_read(struct nodes_job *job, struct member *m)
{
	struct sysman *sm = job->sm;
	struct fuse_file_info fi;
	struct sm_run_opts o;
	struct waiter *w;

	if (m->state != M_OK || !m->in || !(w = member_waiter(job, m)))
		return;
	if (sm_wait_if_busy(sm, m->in, w))
		return;
	memset(&fi, 0, sizeof(fi));
	if (job->kind == JOB_READ && read_needs_run(sm, m->in, m->path, &fi)) {
		memset(&o, 0, sizeof(o));
		o.path = m->path;
		o.op = AGENT_READ;
		fill_caller(job->req, &o);
		run_with_waiter(sm, m->in, w, &o, true, NULL);
		return;
	}
	waiter_drop(sm, w);
	job_put(job);   /* never the last: the starter holds one */
}

static int write_backing(struct sysman *sm, const char *path, const char *data, size_t len)
{
	int fd = openat(sm->root.fd, backing_rel(path), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	size_t off = 0;
	int r = 0;

	if (fd < 0)
		return -errno;
	while (off < len && r == 0) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* Gives m's file the handle's bytes and runs its write agent. */
static void member_start_write(struct nodes_job *job, struct member *m)
{
	struct sysman *sm = job->sm;
	const struct fuse_ctx *ctx = fuse_req_ctx(job->req);
	struct sm_fh *fh = job->fh;
	struct sm_run_opts o;
	struct waiter *w = NULL;
	int r;

	if (m->state != M_OK || !m->in)
		return;
	r = write_backing(sm, m->path, buf_str(&fh->in), fh->in.len);
	auditlog(ctx->uid, ctx->pid, "write", m->path, -r, "through=%s/%s/%s", NODES_DIR, fh->set,
		  fh->file);
	if (r < 0) {
		log_err("'%s': cannot store what was written: %s", m->path, strerror(-r));
		m->state = M_ERROR;
		m->err = -r;
		return;
	}
	if (sm->se)     /* the kernel may keep the old pages of a cached file */
		fuse_lowlevel_notify_inval_inode(sm->se, (fuse_ino_t)(uintptr_t)m->in, 0, 0);
	if (!sm_agent_for(sm, m->path, AGENT_WRITE))
		return;
	if (conf_write_mode(&sm->conf, m->path + 1) == WRITE_SYNC && !(w = member_waiter(job, m))) {
		m->state = M_ERROR;
		m->err = ENOMEM;
		return;
	}
	memset(&o, 0, sizeof(o));
	o.path = m->path;
	o.op = AGENT_WRITE;
	o.input = buf_str(&fh->in);
	o.input_len = fh->in.len;
	fill_caller(job->req, &o);
	run_with_waiter(sm, m->in, w, &o, false, NULL);
}

/* Reports the members the caller may not write: log, audit, notes. */
static void report_denied(struct nodes_job *job)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(job->req);
	size_t denied = 0;

	for (size_t i = 0; i < job->n; i++) {
		struct member *m = &job->m[i];

		if (m->state != M_DENIED)
			continue;
		if (denied++ < DENIED_LOG_MAX)
			log_notice("'%s': uid %u may not write it (through '%s/%s/%s'); the other members go on",
				   m->path, (unsigned)ctx->uid, NODES_DIR, job->fh->set, job->fh->file);
		auditlog(ctx->uid, ctx->pid, "write", m->path, EACCES, "through=%s/%s/%s", NODES_DIR,
			  job->fh->set, job->fh->file);
		note_put(ctx->uid, m->path, EACCES, "permission denied");
	}
	if (denied > DENIED_LOG_MAX)
		log_notice("'%s/%s/%s': %zu members refused uid %u in all", NODES_DIR, job->fh->set,
			   job->fh->file, denied, (unsigned)ctx->uid);
}

/* Resolves and checks the members of a job; -errno answers its request. */
static int job_prepare(struct nodes_job *job, int access_mode)
{
	int r = job_resolve(job, job->fh->set, job->fh->file);

	if (r < 0)
		return r;
	for (size_t i = 0; i < job->n; i++)
		member_prepare(job->sm, &job->m[i]);
	check_access(job, access_mode);
	for (size_t i = 0; i < job->n; i++) {
		struct member *m = &job->m[i];

		if (m->state == M_OK && (r = member_inode(job->sm, m)) < 0) {
			m->state = M_ERROR;
			m->err = -r;
		}
	}
	return 0;
}

/* ---- computed inodes ---- */

static void vstat(struct sm_inode *in, struct stat *st)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	memset(st, 0, sizeof(*st));
	st->st_ino = (ino_t)(uintptr_t)in;
	st->st_blksize = 4096;
	st->st_atim = st->st_mtim = st->st_ctim = now;
	if (in->vkind == VNODE_FILE) {
		/* the kernel lets every open through: each member is checked
		 * as the caller (check_access) */
		st->st_mode = S_IFREG | (status_is_status_name(in->vfile) ? 0444 : 0666);
		st->st_nlink = 1;
	} else {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
	}
}

/* True if at least one member of set has file (a regular file). */
static int set_has_file(struct sysman *sm, const char *set, const char *file)
{
	struct nodes_job *job = job_new(sm, JOB_PROBE, NULL, NULL);
	int r;

	if (!job)
		return -ENOMEM;
	r = job_resolve(job, set, file);
	if (r == 0) {
		r = -ENOENT;
		for (size_t i = 0; i < job->n && r == -ENOENT; i++) {
			member_prepare(sm, &job->m[i]);
			if (job->m[i].state == M_OK)
				r = 0;
		}
	}
	job_free(job);
	return r;
}

bool nodes_lookup(struct sysman *sm, fuse_req_t req, struct sm_inode *parent, const char *name)
{
	struct fuse_entry_param e;
	struct sm_inode *in = NULL;
	struct nodeset *ns = NULL;
	char base[NAME_MAX + 1];
	int r = 0;

	switch (parent->vkind) {
	case VNODE_NONE:
		if (parent != &sm->root || strcmp(name, NODES_DIR) != 0)
			return false;
		in = inode_find_or_add_virtual(sm, VNODE_NODES, NULL, NULL);
		break;
	case VNODE_NODES:
		r = parse_set(sm, name, &ns);
		nodeset_free(ns);
		if (r == 0)
			in = inode_find_or_add_virtual(sm, VNODE_SET, name, NULL);
		break;
	case VNODE_SET:
		r = str_copy(base, sizeof(base), name);
		if (r == 0 && status_is_status_name(base))
			base[strlen(base) - strlen(STATUS_SUFFIX)] = '\0';
		if (r == 0)
			r = set_has_file(sm, parent->vset, base);
		if (r == 0)
			in = inode_find_or_add_virtual(sm, VNODE_FILE, parent->vset, name);
		break;
	case VNODE_FILE:
		r = -ENOTDIR;
		break;
	}
	if (r == 0 && !in)
		r = -ENOMEM;
	if (r < 0) {
		fuse_reply_err(req, -r);
		return true;
	}
	memset(&e, 0, sizeof(e));
	e.ino = (uintptr_t)in;
	e.entry_timeout = ENTRY_TIMEOUT;
	e.attr_timeout = 0;
	vstat(in, &e.attr);
	if (fuse_reply_entry(req, &e) != 0)
		inode_forget(sm, in, 1);
	return true;
}

bool nodes_reserved(struct sysman *sm, struct sm_inode *dir, const char *name)
{
	return dir->vkind != VNODE_NONE || (dir == &sm->root && strcmp(name, NODES_DIR) == 0);
}

void nodes_getattr(struct sysman *sm, fuse_req_t req, struct sm_inode *in)
{
	struct stat st;

	(void)sm;
	vstat(in, &st);
	fuse_reply_attr(req, &st, 0);
}

void nodes_setattr(struct sysman *sm, fuse_req_t req, struct sm_inode *in, int valid)
{
	int ok = FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
		 FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW | FUSE_SET_ATTR_CTIME;

	if (in->vkind != VNODE_FILE || (valid & ~ok) ||
	    ((valid & FUSE_SET_ATTR_SIZE) && status_is_status_name(in->vfile))) {
		fuse_reply_err(req, EPERM);
		return;
	}
	nodes_getattr(sm, req, in);
}

void nodes_opendir(struct sysman *sm, fuse_req_t req, struct sm_inode *in, struct fuse_file_info *fi)
{
	(void)sm;
	if (in->vkind == VNODE_FILE) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	fi->fh = 0;
	fuse_reply_open(req, fi);
}

void nodes_readdir(fuse_req_t req, struct sm_inode *in, size_t size, off_t off)
{
	char buf[256];
	size_t used = 0;
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFDIR;
	st.st_ino = (ino_t)(uintptr_t)in;
	if (off < 1) {
		size_t n = fuse_add_direntry(req, buf, sizeof(buf), ".", &st, 1);

		used = n <= size ? n : 0;
	}
	if (off < 2 && used < size) {
		size_t n = fuse_add_direntry(req, buf + used, sizeof(buf) - used, "..", &st, 2);

		if (used + n <= size)
			used += n;
	}
	fuse_reply_buf(req, buf, used);
}

void nodes_open(struct sysman *sm, fuse_req_t req, struct sm_inode *in, struct fuse_file_info *fi)
{
	int acc = fi->flags & O_ACCMODE;
	bool rd = acc != O_WRONLY, wr = acc != O_RDONLY, status;
	struct nodes_job *job;
	struct sm_fh *fh;
	int r;

	if (in->vkind != VNODE_FILE) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	status = status_is_status_name(in->vfile);
	if (status && (wr || (fi->flags & O_TRUNC))) {
		fuse_reply_err(req, EACCES);
		return;
	}
	fh = fh_new(FH_NODES, -1);
	if (!fh || !(fh->set = strdup(in->vset)) || !(fh->file = strdup(in->vfile))) {
		fh_free(fh);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (status)
		fh->file[strlen(fh->file) - strlen(STATUS_SUFFIX)] = '\0';
	fh->status = status;
	fh->append = fi->flags & O_APPEND;
	buf_init(&fh->in, (size_t)sm->conf.agent_output_max);
	buf_init(&fh->show, BUF_HARD_MAX);
	fi->direct_io = 1;
	fi->noflush = !wr;
	fi->fh = (uintptr_t)fh;
	if (!rd || (fi->flags & O_TRUNC)) {
		if (fuse_reply_open(req, fi) != 0)
			fh_free(fh);
		return;
	}
	job = job_new(sm, status ? JOB_STATUS : JOB_READ, req, fh);
	if (!job) {
		fh_free(fh);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	job->fi = *fi;
	r = job_prepare(job, R_OK);
	if (r < 0) {
		job_free(job);
		fh_free(fh);
		fuse_reply_err(req, -r);
		return;
	}
	for (size_t i = 0; i < job->n; i++)
		member_start_read(job, &job->m[i]);
	job_put(job);
}

void nodes_write(struct sysman *sm, fuse_req_t req, struct sm_fh *fh, struct fuse_bufvec *in_buf,
		 off_t off)
{
	size_t size = fuse_buf_size(in_buf), len = fh->in.len, end;
	struct fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
	ssize_t n;

	(void)sm;
	if (fh->status) {
		fuse_reply_err(req, EACCES);
		return;
	}
	if (fh->append)
		off = (off_t)len;
	if (off < 0 || (size_t)off > fh->in.max || size > fh->in.max - (size_t)off) {
		log_warn("'%s/%s/%s': input too large (max agent_output_max, %zu bytes)", NODES_DIR,
			 fh->set, fh->file, fh->in.max);
		fuse_reply_err(req, EFBIG);
		return;
	}
	end = (size_t)off + size;
	if (end > len) {
		if (buf_reserve(&fh->in, end - len) < 0) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		memset(fh->in.data + len, 0, end - len);
	}
	dst.buf[0].mem = fh->in.data + off;
	n = fuse_buf_copy(&dst, in_buf, 0);
	if (n < 0) {
		fuse_reply_err(req, (int)-n);
		return;
	}
	if ((size_t)off + (size_t)n > len) {
		fh->in.len = (size_t)off + (size_t)n;
		fh->in.data[fh->in.len] = '\0';
	}
	fh->dirty = true;
	fuse_reply_write(req, (size_t)n);
}

void nodes_flush(struct sysman *sm, fuse_req_t req, struct sm_fh *fh)
{
	struct nodes_job *job;
	int r;

	if (!fh->dirty) {
		fuse_reply_err(req, 0);
		return;
	}
	fh->dirty = false;
	job = job_new(sm, JOB_FLUSH, req, fh);
	if (!job) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	r = job_prepare(job, W_OK);
	if (r < 0) {
		job_free(job);
		fuse_reply_err(req, -r);
		return;
	}
	report_denied(job);
	for (size_t i = 0; i < job->n; i++)
		member_start_write(job, &job->m[i]);
	job_put(job);
}
