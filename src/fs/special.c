/* ids, lock, dynamic listings and the periodic collector. */
#include "fs/special.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "special/ids.h"
#include "special/status.h"
#include "util/audit.h"
#include "util/buf.h"
#include "util/hmap.h"
#include "util/log.h"
#include "util/strutil.h"

static const struct {
	const char *name;
	bool root_only;        /* only directly below the mount point */
	enum sm_special kind;
} specials[] = {
	{ "ids", false, SPECIAL_IDS },
	{ "discover_master", true, SPECIAL_DISCOVER },
	{ "lock", false, SPECIAL_LOCK },
};

enum sm_special special_of_name(const char *dirpath, const char *name)
{
	bool at_root = !dirpath[0] || strcmp(dirpath, "/") == 0;

	if (status_is_status_name(name))
		return SPECIAL_STATUS;
	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (strcmp(name, specials[i].name) == 0 && (at_root || !specials[i].root_only))
			return specials[i].kind;
	return SPECIAL_NONE;
}

enum sm_special special_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return special_of_name("/", path);
	return special_of_name(slash == path ? "/" : "x", slash + 1);
}

bool special_has_handle(enum sm_special k)
{
	return k == SPECIAL_IDS || k == SPECIAL_DISCOVER;
}

static void dir_of(const char *path, char *dir, size_t len)
{
	const char *s = strrchr(path, '/');

	if (!s || s == path)
		str_copy(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(s - path), path);
}

/* ---- ids and discover_master handles ---- */

struct sm_fh *special_new_handle(struct sysman *sm, struct sm_inode *in, const char *path,
				 struct fuse_file_info *fi)
{
	struct sm_fh *fh;
	const char *name = strrchr(path, '/');
	bool ids = name && strcmp(name + 1, "ids") == 0;

	(void)in;
	fh = fh_new(ids ? FH_IDS : FH_DISCOVER, -1);
	if (!fh)
		return NULL;
	fh->append = fi->flags & O_APPEND;
	fh->trunc = (fi->flags & O_TRUNC) || (fi->flags & O_CREAT);
	if (ids && (fi->flags & O_ACCMODE) != O_WRONLY) {
		char dir[PATH_MAX];

		dir_of(path, dir, sizeof(dir));
		ids_store_list(sm->ids, dir, &fh->show);
	}
	return fh;
}

static void open_special(struct sysman *sm, fuse_req_t req, struct sm_inode *in, const char *path,
			 struct fuse_file_info *fi)
{
	struct sm_fh *fh = special_new_handle(sm, in, path, fi);

	if (!fh) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fi->fh = (uintptr_t)fh;
	fi->direct_io = 1;
	if (fuse_reply_open(req, fi) != 0)
		fh_free(fh);
}

void special_open_ids(struct sysman *sm, fuse_req_t req, struct sm_inode *in, const char *path,
		      struct fuse_file_info *fi)
{
	open_special(sm, req, in, path, fi);
}

void special_open_discover(struct sysman *sm, fuse_req_t req, struct sm_inode *in,
			   struct fuse_file_info *fi)
{
	open_special(sm, req, in, "/discover_master", fi);
}

/* Checks the complete lines of data[0..len) that start at or after from.
 * Returns 0 or -EINVAL with the line number in *ret_line. */
static int check_lines(struct sysman *sm, enum fh_kind kind, const char *data, size_t len,
		       char *why, size_t whylen, int *ret_line)
{
	const char *p = data, *end = data + len;
	int line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll;

		if (!nl)
			break;  /* incomplete: checked at flush */
		ll = (size_t)(nl - p);
		line++;
		if (kind == FH_IDS) {
			const char *w = NULL;

			if (ids_check_line(p, ll, &w) < 0) {
				str_copy(why, whylen, w ? w : "malformed line");
				*ret_line = line;
				return -EINVAL;
			}
		} else {
			char l[1024];

			if (ll >= sizeof(l)) {
				str_copy(why, whylen, "line too long");
				*ret_line = line;
				return -EINVAL;
			}
			memcpy(l, p, ll);
			l[ll] = '\0';
			if (discover_check_line(sm, l, why, whylen) < 0) {
				*ret_line = line;
				return -EINVAL;
			}
		}
		p = nl + 1;
	}
	return 0;
}

void special_write(struct sysman *sm, fuse_req_t req, struct sm_fh *fh,
		   struct fuse_bufvec *in_buf, off_t off)
{
	size_t size = fuse_buf_size(in_buf), old = fh->in.len;
	struct fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
	char why[256] = "";
	int line = 0;
	ssize_t n;

	(void)off;  /* special files are written as a stream */
	if (fh->failed) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (buf_reserve(&fh->in, size) < 0 || fh->in.len + size > fh->in.max) {
		fh->failed = true;
		log_warn("%s: input too large (max %zu bytes)",
			 fh->kind == FH_IDS ? "ids" : "discover_master", fh->in.max);
		fuse_reply_err(req, EFBIG);
		return;
	}
	dst.buf[0].mem = buf_tail(&fh->in);
	n = fuse_buf_copy(&dst, in_buf, 0);
	if (n < 0) {
		fuse_reply_err(req, (int)-n);
		return;
	}
	buf_commit(&fh->in, (size_t)n);
	if (check_lines(sm, fh->kind, fh->in.data, fh->in.len, why, sizeof(why), &line) < 0) {
		/* nothing of this handle will be committed: the old state stays */
		fh->in.len = old;
		fh->in.data[old] = '\0';
		fh->failed = true;
		log_warn("%s: line %d refused: %s", fh->kind == FH_IDS ? "ids" : "discover_master",
			 line, why);
		fuse_reply_err(req, EINVAL);
		return;
	}
	fh->dirty = true;
	if (fh->kind == FH_DISCOVER) {
		/* complete lines are discovered now, so the writer's write()
		 * gets EINVAL when a device is refused (a shell ignores close) */
		const char *start = fh->in.data + fh->done;
		const char *nl = memrchr(start, '\n', fh->in.len - fh->done);

		if (nl) {
			char *text = strndup(start, (size_t)(nl - start) + 1);
			const struct fuse_ctx *ctx = fuse_req_ctx(req);

			fh->done = (size_t)(nl - fh->in.data) + 1;
			fh->dirty = fh->done < fh->in.len;
			if (!text) {
				fuse_reply_err(req, ENOMEM);
				return;
			}
			auditlog(ctx->uid, ctx->pid, "write", "/discover_master", 0, NULL);
			discover_run(sm, req, text, (size_t)n, ctx->uid, ctx->pid);
			free(text);
			return;
		}
	}
	fuse_reply_write(req, (size_t)n);
}

static void flush_ids(struct sysman *sm, fuse_req_t req, struct sm_inode *in, struct sm_fh *fh)
{
	char path[PATH_MAX], dir[PATH_MAX];
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	const char *why = NULL;
	int line = 0, r;

	/* A shell's "> ids" opens, dup2()s and closes the first fd before it
	 * writes: a flush without data commits nothing; a truncation with no
	 * data at all is applied at release (special_release). */
	if (fh->failed || !fh->dirty) {
		fuse_reply_err(req, 0);
		return;
	}
	if (inode_path(sm, in, path, sizeof(path)) < 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	dir_of(path, dir, sizeof(dir));
	r = ids_store_set(sm->ids, dir, buf_str(&fh->in), fh->in.len, fh->append, &line, &why);
	fh->dirty = false;
	fh->committed = true;
	if (r < 0) {
		fh->failed = true;
		log_warn("ids '%s': line %d refused: %s; credentials unchanged", path, line,
			 why ? why : strerror(-r));
		auditlog(ctx->uid, ctx->pid, "ids.write", path, -r, NULL);
		fuse_reply_err(req, -r);
		return;
	}
	auditlog(ctx->uid, ctx->pid, "ids.write", path, 0, NULL);
	{
		/* touch the file so its mtime says when credentials changed */
		struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
		char proc[64];

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", in->fd);
		utimensat(AT_FDCWD, proc, ts, 0);
	}
	fuse_reply_err(req, 0);
}

void special_release(struct sysman *sm, struct sm_inode *in, struct sm_fh *fh)
{
	char path[PATH_MAX], dir[PATH_MAX];
	int line;
	const char *why;

	if (fh->kind != FH_IDS || !fh->trunc || fh->committed || fh->failed || fh->in.len)
		return;
	if (inode_path(sm, in, path, sizeof(path)) < 0)
		return;
	dir_of(path, dir, sizeof(dir));
	ids_store_set(sm->ids, dir, "", 0, false, &line, &why);
	auditlog(0, 0, "ids.clear", path, 0, NULL);
}

void special_flush(struct sysman *sm, fuse_req_t req, struct sm_inode *in, struct sm_fh *fh)
{
	if (fh->kind == FH_IDS) {
		flush_ids(sm, req, in, fh);
		return;
	}
	if (fh->failed || !fh->dirty) {
		fuse_reply_err(req, 0);
		return;
	}
	fh->dirty = false;
	{
		char why[256];
		const char *tail = buf_str(&fh->in) + fh->done;
		const struct fuse_ctx *ctx = fuse_req_ctx(req);

		if (*tail && discover_check_line(sm, tail, why, sizeof(why)) < 0) {
			log_warn("discover_master: refused: %s", why);
			sm_write_status(sm, "/discover_master", EINVAL, why);
			fuse_reply_err(req, EINVAL);
			return;
		}
		auditlog(ctx->uid, ctx->pid, "write", "/discover_master", 0, NULL);
		fh->done = fh->in.len;
		discover_run(sm, req, tail, 0, ctx->uid, ctx->pid);
	}
}

/* ---- lock ---- */

void special_refresh_lock(struct sysman *sm, const char *path)
{
	char dir[PATH_MAX];
	struct buf b = BUF_INIT;

	dir_of(path, dir, sizeof(dir));
	runner_lock_holder(sm->runner, dir, &b);
	backing_write(sm, path, buf_str(&b), b.len, NULL);
	buf_release(&b);
}

/* ---- dynamic directories ---- */

static void rm_rf(int at, const char *name, int depth)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(at, name, 0) == 0 || (errno != EISDIR && errno != EPERM) || depth > 16)
		return;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rm_rf(dirfd(d), de->d_name, depth + 1);
	closedir(d);
	unlinkat(at, name, AT_REMOVEDIR);
}

static bool listing_skips(const char *n)
{
	enum sm_special k = special_of_name("x", n);

	return !strcmp(n, ".") || !strcmp(n, "..") || k == SPECIAL_STATUS || k == SPECIAL_IDS ||
	       k == SPECIAL_LOCK;
}

struct listed_ctx {
	struct sm_inode *dir;
	struct hmap *keep;
};

/* One name of a listing agent's output: made in the backing directory. */
static int listed_cb(char *name, void *arg)
{
	static char mark = 1;
	struct listed_ctx *c = arg;
	size_t n = strlen(name);
	bool is_dir = n > 0 && name[n - 1] == '/';

	if (is_dir)
		name[n - 1] = '\0';
	if (!name[0] || listing_skips(name) || strchr(name, '/'))
		return 0;
	hmap_put(c->keep, name, &mark, NULL);
	if (is_dir) {
		mkdirat(c->dir->fd, name, 0555);
	} else {
		int f = openat(c->dir->fd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444);

		if (f >= 0)
			close(f);
	}
	return 0;
}

void special_sync_listing(struct sysman *sm, struct sm_inode *dir, const struct buf *out)
{
	struct hmap *keep = hmap_new();
	const char *p = buf_str(out);
	struct dirent *de;
	DIR *d = NULL;
	int fd;

	(void)sm;
	if (!keep)
		return;
	/* create what the agent listed ("name/" is a directory) */
	{
		struct listed_ctx c = { dir, keep };

		str_each_line(p, NAME_MAX + 2, listed_cb, &c);
	}
	/* remove what it no longer lists */
	fd = openat(dir->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && !(d = fdopendir(fd)))
		close(fd);
	while (d && (de = readdir(d)))
		if (!listing_skips(de->d_name) && !hmap_get(keep, de->d_name))
			rm_rf(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	hmap_free(keep, NULL);
}

/* ---- periodic collector ---- */

struct periodic {
	int seconds;
	time_t next;
	bool running;
};

static void periodic_done(struct sysman *sm, const struct sm_run_opts *o,
			  const struct agent_result *res, void *arg)
{
	struct periodic *pe = arg;

	(void)res;
	(void)o;
	pthread_mutex_lock(&sm->periodic_mu);
	pe->running = false;
	pthread_mutex_unlock(&sm->periodic_mu);
}

void periodic_register(struct sysman *sm, const char *path, int seconds)
{
	struct periodic *pe;

	pthread_mutex_lock(&sm->periodic_mu);
	pe = hmap_get(sm->periodic, path);
	if (!pe) {
		pe = calloc(1, sizeof(*pe));
		if (pe && hmap_put(sm->periodic, path, pe, NULL) < 0) {
			free(pe);
			pe = NULL;
		}
		if (pe)
			pe->next = 0;  /* collect at the next tick */
	}
	if (pe)
		pe->seconds = seconds;
	pthread_mutex_unlock(&sm->periodic_mu);
}

struct tick_ctx {
	struct sysman *sm;
	time_t now;
	char (*due)[PATH_MAX];
	struct periodic **pe;
	size_t n, cap;
};

static int tick_each(const char *key, void *val, void *arg)
{
	struct tick_ctx *t = arg;
	struct periodic *pe = val;

	if (pe->running || t->now < pe->next || t->n >= t->cap)
		return 0;
	if (str_copy(t->due[t->n], PATH_MAX, key) < 0)
		return 0;
	pe->running = true;
	pe->next = t->now + pe->seconds;
	t->pe[t->n++] = pe;
	return 0;
}

static void periodic_tick(void *arg)
{
	struct sysman *sm = arg;
	struct tick_ctx t = { sm, time(NULL), NULL, NULL, 0, 0 };

	pthread_mutex_lock(&sm->periodic_mu);
	t.cap = hmap_count(sm->periodic);
	if (t.cap) {
		t.due = calloc(t.cap, sizeof(*t.due));
		t.pe = calloc(t.cap, sizeof(*t.pe));
		if (t.due && t.pe)
			hmap_each(sm->periodic, tick_each, &t);
	}
	pthread_mutex_unlock(&sm->periodic_mu);
	for (size_t i = 0; i < t.n; i++) {
		struct sm_run_opts o;

		memset(&o, 0, sizeof(o));
		if (!sm_agent_for(sm, t.due[i], AGENT_READ) ||
		    !backing_exists(sm, t.due[i])) {
			pthread_mutex_lock(&sm->periodic_mu);
			free(hmap_del(sm->periodic, t.due[i]));
			pthread_mutex_unlock(&sm->periodic_mu);
			continue;
		}
		o.path = t.due[i];
		o.op = AGENT_READ;
			o.after = periodic_done;
		o.after_arg = t.pe[i];
		if (sm_run_agent(sm, &o) < 0) {
			pthread_mutex_lock(&sm->periodic_mu);
			t.pe[i]->running = false;
			pthread_mutex_unlock(&sm->periodic_mu);
		}
	}
	free(t.due);
	free(t.pe);
}

static void discover_tick(void *arg)
{
	discover_run(arg, NULL, "1\n", 0, 0, 0);
}

int special_start(struct sysman *sm)
{
	int r;

	pthread_mutex_init(&sm->periodic_mu, NULL);
	sm->periodic = hmap_new();
	if (!sm->periodic)
		return -ENOMEM;
	r = runner_every(sm->runner, 1000, periodic_tick, sm);
	if (r == 0 && sm->conf.discover_interval > 0)
		r = runner_every(sm->runner, sm->conf.discover_interval * 1000L, discover_tick, sm);
	return r;
}

void special_stop(struct sysman *sm)
{
	hmap_free(sm->periodic, free);
	sm->periodic = NULL;
}
