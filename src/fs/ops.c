/* FUSE low-level operations: a passthrough over the backing store, with
 * agent runs hooked into lookup, open, opendir and flush. */
#include "fs/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs/handle.h"
#include "fs/special.h"
#include "special/status.h"
#include "util/audit.h"
#include "util/log.h"
#include "util/strutil.h"

#define ENTRY_TIMEOUT 1.0
/* Names outside dynamic directories only disappear through the file
 * system itself (the kernel then drops them), so they are kept longer. */
#define STABLE_ENTRY_TIMEOUT 10.0
/* Upper bound on how long the kernel keeps a cached file's attributes. */
#define CACHED_ATTR_MAX 60.0
/* A directory changed less than this long ago may change again within the
 * same timestamp tick, so its listing is not marked reusable yet. */
#define DIR_SETTLE_NS 50000000L

static void procname(const struct sm_inode *in, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", in->fd);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* ---- lookup and materialisation ---- */

struct find_name {
	const char *name;
	unsigned ops;
	bool is_dir, found;
};

static int find_name_cb(const struct trie_entry *e, void *arg)
{
	struct find_name *f = arg;

	if (strcmp(e->name, f->name) != 0)
		return 0;
	f->found = true;
	f->ops |= e->ops;
	f->is_dir |= e->is_dir;
	return 0;
}

static mode_t agent_file_mode(unsigned ops)
{
	mode_t m = 0;

	if (ops & (1u << AGENT_READ))
		m |= 0444;
	if (ops & (1u << AGENT_WRITE))
		m |= 0200;
	return m ? m : 0444;
}

/* Creates name in parent's backing directory if agents make it appear.
 * Returns 1 if created, 0 if not an agent name, -errno on failure. */
static int materialise(struct sm_inode *parent, const char *name, unsigned ops, bool is_dir)
{
	int fd;

	if (is_dir) {
		if (mkdirat(parent->fd, name, 0755) < 0 && errno != EEXIST)
			return -errno;
		return 1;
	}
	fd = openat(parent->fd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, agent_file_mode(ops));
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	{
		/* mtime 0: never refreshed (cache TTL sees it as stale) */
		struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, 0 } };

		futimens(fd, ts);
	}
	close(fd);
	return 1;
}

static int materialise_one(struct sysman *sm, struct sm_inode *parent, const char *dirpath,
			   const char *name)
{
	struct find_name f = { name, 0, false, false };

	if (name[0] == '.' || strchr(name, '/'))
		return 0;
	sm_agent_names(sm, dirpath, find_name_cb, &f);
	if (!f.found)
		return 0;
	return materialise(parent, name, f.ops, f.is_dir);
}

/* trie_list callback: creates every agent name missing in the directory arg. */
static int mat_all_cb(const struct trie_entry *e, void *arg)
{
	struct sm_inode *parent = arg;
	struct stat st;

	if (fstatat(parent->fd, e->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	materialise(parent, e->name, e->ops, e->is_dir);
	return 0;
}

/* How long the kernel may keep a regular file's attributes (and, with
 * keep_cache, its pages) without asking the daemon.  Only files whose read
 * agent is under a caching model get more than 0: `cache N` the rest of its
 * TTL, `static` CACHED_ATTR_MAX, capped at CACHED_ATTR_MAX (`periodic`
 * files keep their pages, but the kernel asks for their attributes at
 * every open, so that it sees the collector's new content).  While a run
 * is in flight the timeout is 0.  Opens still reach the daemon (the TTL decides there),
 * and apply_result() invalidates the kernel's copy whenever an agent
 * replaces the content, so the timeout never hides a refresh. */
static double file_attr_timeout(struct sysman *sm, struct sm_inode *in, const char *path,
				const struct stat *st)
{
	char exec[PATH_MAX];
	enum cache_model model;
	double t;
	int secs, busy;

	if (!S_ISREG(st->st_mode) || st->st_mtim.tv_sec == 0 ||
	    status_is_status_name(base_name(path)) ||
	    !sm_agent_for(sm, path, AGENT_READ, exec, sizeof(exec)))
		return 0;
	model = conf_cache_model(&sm->conf, path + 1, &secs);
	switch (model) {
	case CACHE_TTL:
		t = (double)secs - (double)(time(NULL) - st->st_mtim.tv_sec);
		break;
	case CACHE_STATIC:
		t = CACHED_ATTR_MAX;
		break;
	default:
		return 0;
	}
	pthread_mutex_lock(&in->mu);
	busy = in->inflight;
	pthread_mutex_unlock(&in->mu);
	if (busy || t <= 0)
		return 0;
	return t < CACHED_ATTR_MAX ? t : CACHED_ATTR_MAX;
}

static int do_lookup(struct sysman *sm, struct sm_inode *parent, const char *name,
		     struct fuse_entry_param *e)
{
	struct sm_inode *in;
	int fd;

	memset(e, 0, sizeof(*e));
	e->attr_timeout = 0;
	e->entry_timeout = ENTRY_TIMEOUT;
	fd = openat(parent->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstatat(fd, "", &e->attr, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	in = inode_find_or_add(sm, fd, &e->attr, true);
	if (!in)
		return -ENOMEM;
	e->ino = (uintptr_t)in;
	if (S_ISDIR(e->attr.st_mode))
		e->attr_timeout = ENTRY_TIMEOUT;
	{
		char path[PATH_MAX];

		if (inode_path(sm, in, path, sizeof(path)) == 0) {
			if (!sm_is_dynamic(sm, path))
				e->entry_timeout = STABLE_ENTRY_TIMEOUT;
			if (S_ISREG(e->attr.st_mode))
				e->attr_timeout = file_attr_timeout(sm, in, path, &e->attr);
		}
	}
	return 0;
}

static int dir_path(struct sysman *sm, struct sm_inode *parent, const char *name,
		    char *dir, char *path, size_t len)
{
	int r = inode_path(sm, parent, dir, len);

	if (r < 0)
		return r;
	return str_printf(path, len, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
}

static bool start_listing(struct sysman *sm, fuse_req_t req, struct sm_inode *dir,
			  const char *dirpath, enum waiter_kind kind, struct fuse_file_info *fi,
			  const char *name);

void sm_reply_lookup(struct sysman *sm, fuse_req_t req, struct sm_inode *parent, const char *name)
{
	struct fuse_entry_param e;
	char dir[PATH_MAX], path[PATH_MAX];
	int r;

	r = do_lookup(sm, parent, name, &e);
	if (r == -ENOENT && dir_path(sm, parent, name, dir, path, sizeof(path)) == 0) {
		if (materialise_one(sm, parent, dir, name) > 0) {
			r = do_lookup(sm, parent, name, &e);
		} else if (sm_is_dynamic(sm, dir) && time(NULL) - parent->listed > 1 &&
			   start_listing(sm, req, parent, dir, W_LOOKUP, NULL, name)) {
			return;  /* answered when the listing is done */
		}
	}
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

static void sm_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct sysman *sm = sm_data(req);

	sm_reply_lookup(sm, req, inode_get(sm, parent), name);
}

static void sm_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct sysman *sm = sm_data(req);

	inode_forget(sm, inode_get(sm, ino), nlookup);
	fuse_reply_none(req);
}

static void sm_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *f)
{
	struct sysman *sm = sm_data(req);

	for (size_t i = 0; i < count; i++)
		inode_forget(sm, inode_get(sm, f[i].ino), f[i].nlookup);
	fuse_reply_none(req);
}

/* ---- attributes ---- */

static void sm_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *in = inode_get(sm, ino);
	struct stat st;

	double t = 0;
	char path[PATH_MAX];

	(void)fi;
	if (fstatat(in->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	if (S_ISDIR(st.st_mode))
		t = ENTRY_TIMEOUT;
	else if (S_ISREG(st.st_mode) && inode_path(sm, in, path, sizeof(path)) == 0)
		t = file_attr_timeout(sm, in, path, &st);
	fuse_reply_attr(req, &st, t);
}

static void sm_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid,
		       struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *in = inode_get(sm, ino);
	struct sm_fh *fh = fi ? (struct sm_fh *)(uintptr_t)fi->fh : NULL;
	char proc[64], path[PATH_MAX];
	int r = 0;

	procname(in, proc, sizeof(proc));
	if (valid & FUSE_SET_ATTR_MODE) {
		r = fh && fh->fd >= 0 ? fchmod(fh->fd, attr->st_mode) : chmod(proc, attr->st_mode);
		if (r < 0)
			goto err;
	}
	if (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		uid_t u = (valid & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
		gid_t g = (valid & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;

		if (fchownat(in->fd, "", u, g, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			goto err;
	}
	if (valid & FUSE_SET_ATTR_SIZE) {
		bool special = false;

		if (inode_path(sm, in, path, sizeof(path)) == 0) {
			if (status_is_status_name(base_name(path))) {
				errno = EPERM;
				goto err;
			}
			special = strcmp(base_name(path), "ids") == 0 ||
				  strcmp(path, "/discover_master") == 0;
		}
		if (!special) {
			r = fh && fh->fd >= 0 ? ftruncate(fh->fd, attr->st_size)
					      : truncate(proc, attr->st_size);
			if (r < 0)
				goto err;
			if (fh)
				fh->dirty = true;
		}
	}
	if (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
		struct timespec tv[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };

		if (valid & FUSE_SET_ATTR_ATIME_NOW)
			tv[0].tv_nsec = UTIME_NOW;
		else if (valid & FUSE_SET_ATTR_ATIME)
			tv[0] = attr->st_atim;
		if (valid & FUSE_SET_ATTR_MTIME_NOW)
			tv[1].tv_nsec = UTIME_NOW;
		else if (valid & FUSE_SET_ATTR_MTIME)
			tv[1] = attr->st_mtim;
		r = fh && fh->fd >= 0 ? futimens(fh->fd, tv) : utimensat(AT_FDCWD, proc, tv, 0);
		if (r < 0)
			goto err;
	}
	sm_getattr(req, ino, fi);
	return;
err:
	fuse_reply_err(req, errno);
}

static void sm_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct sm_inode *in = inode_get(sm_data(req), ino);
	char buf[PATH_MAX + 1];
	ssize_t n = readlinkat(in->fd, "", buf, sizeof(buf));

	if (n < 0)
		fuse_reply_err(req, errno);
	else if (n == (ssize_t)sizeof(buf))
		fuse_reply_err(req, ENAMETOOLONG);
	else {
		buf[n] = '\0';
		fuse_reply_readlink(req, buf);
	}
}

/* ---- creating entries ---- */

/* Gives a new entry to the caller (or the setgid directory's group) and
 * applies the umask where no default ACL does. */
static void own_new_entry(fuse_req_t req, struct sm_inode *parent, const char *name, bool is_link)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct stat pst;
	gid_t gid = ctx->gid;

	if (fstatat(parent->fd, "", &pst, AT_EMPTY_PATH) == 0 && (pst.st_mode & S_ISGID))
		gid = pst.st_gid;
	if (fchownat(parent->fd, name, ctx->uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		log_debug("chown '%s': %s", name, strerror(errno));
	(void)is_link;
}

static mode_t apply_umask(fuse_req_t req, struct sm_inode *parent, mode_t mode)
{
	char proc[64];

	procname(parent, proc, sizeof(proc));
	if (getxattr(proc, "system.posix_acl_default", NULL, 0) > 0)
		return mode;  /* the backing fs applies the default ACL */
	return mode & ~fuse_req_ctx(req)->umask;
}

static void make_node(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      dev_t rdev, const char *link)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *dir = inode_get(sm, parent);
	struct fuse_entry_param e;
	int r;

	if (status_is_status_name(name)) {
		fuse_reply_err(req, EACCES);
		return;
	}
	if (!link)
		mode = apply_umask(req, dir, mode);
	if (S_ISDIR(mode))
		r = mkdirat(dir->fd, name, mode);
	else if (link)
		r = symlinkat(link, dir->fd, name);
	else
		r = mknodat(dir->fd, name, mode, rdev);
	if (r < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	own_new_entry(req, dir, name, link != NULL);
	r = do_lookup(sm, dir, name, &e);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

static void sm_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	make_node(req, parent, name, mode, rdev, NULL);
}

static void sm_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	make_node(req, parent, name, S_IFDIR | mode, 0, NULL);
}

static void sm_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	make_node(req, parent, name, S_IFLNK, 0, link);
}

static void sm_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent, const char *name)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *in = inode_get(sm, ino), *dir = inode_get(sm, parent);
	struct fuse_entry_param e;
	char proc[64];
	int r;

	procname(in, proc, sizeof(proc));
	if (linkat(AT_FDCWD, proc, dir->fd, name, AT_SYMLINK_FOLLOW) < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	r = do_lookup(sm, dir, name, &e);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

static void sm_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct sm_inode *dir = inode_get(sm_data(req), parent);

	fuse_reply_err(req, unlinkat(dir->fd, name, 0) < 0 ? errno : 0);
}

static void sm_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct sm_inode *dir = inode_get(sm_data(req), parent);

	fuse_reply_err(req, unlinkat(dir->fd, name, AT_REMOVEDIR) < 0 ? errno : 0);
}

static void sm_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *a = inode_get(sm, parent), *b = inode_get(sm, newparent);

	if (status_is_status_name(newname) && !status_is_status_name(name)) {
		fuse_reply_err(req, EACCES);
		return;
	}
	fuse_reply_err(req, renameat2(a->fd, name, b->fd, newname, flags) < 0 ? errno : 0);
}

/* ---- files ---- */

/* Handles still open when the daemon stops (their release never came)
 * are freed by handles_free_all(). */
static pthread_mutex_t handles_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sm_fh *all_fh;
static struct sm_dh *all_dh;

struct sm_fh *fh_new(enum fh_kind kind, int fd)
{
	struct sm_fh *fh = calloc(1, sizeof(*fh));

	if (!fh)
		return NULL;
	fh->kind = kind;
	fh->fd = fd;
	buf_init(&fh->in, 64 * 1024);
	buf_init(&fh->show, 64 * 1024);
	pthread_mutex_lock(&handles_mu);
	fh->next = all_fh;
	if (all_fh)
		all_fh->prev = fh;
	all_fh = fh;
	pthread_mutex_unlock(&handles_mu);
	return fh;
}

void fh_free(struct sm_fh *fh)
{
	if (!fh)
		return;
	pthread_mutex_lock(&handles_mu);
	if (fh->prev)
		fh->prev->next = fh->next;
	else
		all_fh = fh->next;
	if (fh->next)
		fh->next->prev = fh->prev;
	pthread_mutex_unlock(&handles_mu);
	if (fh->fd >= 0)
		close(fh->fd);
	buf_release(&fh->in);
	buf_release(&fh->show);
	free(fh);
}

struct sm_dh *dh_new(void)
{
	struct sm_dh *dh = calloc(1, sizeof(*dh));

	if (!dh)
		return NULL;
	pthread_mutex_lock(&handles_mu);
	dh->next = all_dh;
	if (all_dh)
		all_dh->prev = dh;
	all_dh = dh;
	pthread_mutex_unlock(&handles_mu);
	return dh;
}

void dh_free(struct sm_dh *dh)
{
	if (!dh)
		return;
	pthread_mutex_lock(&handles_mu);
	if (dh->prev)
		dh->prev->next = dh->next;
	else
		all_dh = dh->next;
	if (dh->next)
		dh->next->prev = dh->prev;
	pthread_mutex_unlock(&handles_mu);
	if (dh->dp)
		closedir(dh->dp);
	free(dh);
}

void handles_free_all(void)
{
	while (all_fh)
		fh_free(all_fh);
	while (all_dh)
		dh_free(all_dh);
}

int sm_reply_open(struct sysman *sm, fuse_req_t req, struct sm_inode *in, struct fuse_file_info *fi)
{
	struct sm_fh *fh;
	int fd;

	(void)sm;
	fd = inode_open(in, fi->flags & ~(O_CREAT | O_EXCL | O_NOCTTY));
	if (fd < 0) {
		fuse_reply_err(req, -fd);
		return fd;
	}
	fh = fh_new(FH_FILE, fd);
	if (!fh) {
		close(fd);
		fuse_reply_err(req, ENOMEM);
		return -ENOMEM;
	}
	fh->append = fi->flags & O_APPEND;
	fi->fh = (uintptr_t)fh;
	/* nothing to do at close for a reader: spare it the FLUSH round trip */
	if ((fi->flags & O_ACCMODE) == O_RDONLY)
		fi->noflush = 1;
	if (fuse_reply_open(req, fi) != 0) {
		/* the opener was interrupted and is gone */
		fh_free(fh);
	}
	return 0;
}

static struct waiter *waiter_new(struct sysman *sm, enum waiter_kind kind, fuse_req_t req,
				 struct sm_inode *target, const struct fuse_file_info *fi,
				 const char *name)
{
	struct waiter *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->kind = kind;
	w->req = req;
	w->target = target;
	if (fi)
		w->fi = *fi;
	if (name && !(w->name = strdup(name))) {
		free(w);
		return NULL;
	}
	inode_ref(sm, target);
	return w;
}

static void waiter_drop(struct sysman *sm, struct waiter *w)
{
	inode_unref(sm, w->target);
	free(w->name);
	free(w);
}

/* Runs an agent for in with a waiter (may be NULL) that is answered when
 * it is done.  With may_join, a run already in flight is joined instead
 * (reads coalesce); writes never join, since each write's input must reach
 * an agent.  With early, that request is answered (0) as soon as the run
 * is registered, before the agent is started.  Returns true: the request
 * will be answered later. */
static bool run_with_waiter(struct sysman *sm, struct sm_inode *in, struct waiter *w,
			    struct sm_run_opts *o, bool may_join, fuse_req_t early)
{
	bool join;
	int r;

	pthread_mutex_lock(&in->mu);
	join = may_join && in->inflight > 0;
	if (w) {
		w->next = in->waiters;
		in->waiters = w;
	}
	if (!join)
		in->inflight++;
	pthread_mutex_unlock(&in->mu);
	/* An async write's close returns now: the run is registered, so an
	 * open or .status read from here on waits for it. */
	if (early) {
		sm_status_prepare(sm, o);
		fuse_reply_err(early, 0);
	}
	if (join)
		return true;
	o->in = in;
	r = sm_run_agent(sm, o);
	if (r < 0) {
		log_err("cannot start agent '%s' for '%s': %s", o->exec, o->path, strerror(-r));
		if (!o->raw)
			sm_write_status(sm, o->path, AGENT_RC_NOEXEC, "cannot start agent");
		pthread_mutex_lock(&in->mu);
		in->inflight--;
		pthread_mutex_unlock(&in->mu);
		sm_serve_waiters(sm, in, AGENT_RC_NOEXEC);
	}
	return true;
}

static void fill_caller(fuse_req_t req, struct sm_run_opts *o)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	o->uid = ctx->uid;
	o->gid = ctx->gid;
	o->pid = ctx->pid;
}

/* Decides, by the file's caching model, whether the read agent must run
 * before this open is answered.  Returns true if it took over the reply. */
static bool open_refresh(struct sysman *sm, fuse_req_t req, struct sm_inode *in, const char *path,
			 struct fuse_file_info *fi)
{
	char exec[PATH_MAX];
	enum cache_model model;
	struct sm_run_opts o;
	struct stat st;
	struct waiter *w;
	int secs;

	if (!sm_agent_for(sm, path, AGENT_READ, exec, sizeof(exec)))
		return false;
	fi->direct_io = 1;
	model = conf_cache_model(&sm->conf, path + 1, &secs);
	if (model == CACHE_STATIC || model == CACHE_PERIODIC) {
		/* the page cache may serve reads: a new content invalidates it */
		if (model == CACHE_PERIODIC)
			periodic_register(sm, path, secs);
		fi->direct_io = 0;
		fi->keep_cache = 1;
		return false;
	}
	if (model == CACHE_TTL && fstatat(in->fd, "", &st, AT_EMPTY_PATH) == 0 &&
	    st.st_mtim.tv_sec != 0 && time(NULL) - st.st_mtim.tv_sec < secs) {
		fi->direct_io = 0;
		fi->keep_cache = 1;
		return false;
	}
	w = waiter_new(sm, W_OPEN, req, in, fi, NULL);
	if (!w)
		return false;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.op = AGENT_READ;
	o.exec = exec;
	fill_caller(req, &o);
	return run_with_waiter(sm, in, w, &o, true, NULL);
}

/* Opening "F.status" waits for a run of F that is in flight. */
static bool open_status(struct sysman *sm, fuse_req_t req, struct sm_inode *in, const char *path,
			struct fuse_file_info *fi)
{
	char base[PATH_MAX];
	struct stat st;
	struct sm_inode *b;
	struct waiter *w;

	if (str_copy(base, sizeof(base), path) < 0)
		return false;
	base[strlen(base) - strlen(STATUS_SUFFIX)] = '\0';
	if (fstatat(sm->root.fd, backing_rel(base), &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	b = inode_lookup_ref(sm, st.st_dev, st.st_ino);
	if (!b)
		return false;
	fi->direct_io = 1;
	w = waiter_new(sm, W_OPEN, req, in, fi, NULL);
	if (w && sm_wait_if_busy(sm, b, w)) {
		inode_unref(sm, b);
		return true;
	}
	if (w)
		waiter_drop(sm, w);
	inode_unref(sm, b);
	return false;
}

static void sm_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *in = inode_get(sm, ino);
	char path[PATH_MAX];
	int acc = fi->flags & O_ACCMODE;
	bool rd = acc != O_WRONLY, wr = acc != O_RDONLY;
	const char *name;

	if (inode_path(sm, in, path, sizeof(path)) < 0) {
		sm_reply_open(sm, req, in, fi);
		return;
	}
	name = base_name(path);
	if (status_is_status_name(name)) {
		if (wr || (fi->flags & O_TRUNC)) {
			fuse_reply_err(req, EACCES);
			return;
		}
		if (!open_status(sm, req, in, path, fi))
			sm_reply_open(sm, req, in, fi);
		return;
	}
	if (strcmp(name, "ids") == 0) {
		special_open_ids(sm, req, in, path, fi);
		return;
	}
	if (strcmp(path, "/discover_master") == 0 && wr) {
		special_open_discover(sm, req, in, fi);
		return;
	}
	if (strcmp(name, "lock") == 0 && rd)
		special_refresh_lock(sm, path);
	if (rd && !(fi->flags & O_TRUNC)) {
		/* a run in flight (e.g. an async write) is waited for first */
		struct waiter *w;

		fi->direct_io = 1;
		w = waiter_new(sm, W_OPEN, req, in, fi, NULL);
		if (w && sm_wait_if_busy(sm, in, w))
			return;
		if (w)
			waiter_drop(sm, w);
		fi->direct_io = 0;
		if (open_refresh(sm, req, in, path, fi))
			return;
	}
	sm_reply_open(sm, req, in, fi);
}

static void sm_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *dir = inode_get(sm, parent);
	struct fuse_entry_param e;
	struct sm_fh *fh;
	char dpath[PATH_MAX], path[PATH_MAX];
	int fd, r;

	if (status_is_status_name(name)) {
		fuse_reply_err(req, EACCES);
		return;
	}
	mode = apply_umask(req, dir, mode);
	fd = openat(dir->fd, name, (fi->flags | O_CREAT | O_CLOEXEC) & ~O_NOFOLLOW, mode);
	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	own_new_entry(req, dir, name, false);
	r = do_lookup(sm, dir, name, &e);
	if (r < 0) {
		close(fd);
		fuse_reply_err(req, -r);
		return;
	}
	dir_path(sm, dir, name, dpath, path, sizeof(path));
	if (strcmp(name, "ids") == 0 || strcmp(path, "/discover_master") == 0) {
		close(fd);
		fh = special_new_handle(sm, (struct sm_inode *)(uintptr_t)e.ino, path, fi);
		fd = -1;
	} else {
		fh = fh_new(FH_FILE, fd);
	}
	if (!fh) {
		if (fd >= 0)
			close(fd);
		inode_forget(sm, (struct sm_inode *)(uintptr_t)e.ino, 1);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fh->append = fi->flags & O_APPEND;
	fi->fh = (uintptr_t)fh;
	if (fh->kind != FH_FILE)
		fi->direct_io = 1;
	if (fuse_reply_create(req, &e, fi) != 0)
		fh_free(fh);
}

static void sm_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct sm_fh *fh = (struct sm_fh *)(uintptr_t)fi->fh;
	int buf = 0;

	(void)ino;
	if (fh->kind != FH_FILE) {
		const struct buf *b = &fh->show;

		size_t n = (size_t)off >= b->len ? 0 : b->len - (size_t)off;
		char *copy;

		if (n > size)
			n = size;
		/* reply from a copy: once the reply is written the reader may
		 * close the file and its release free the handle at once */
		copy = malloc(n ? n : 1);
		if (!copy) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		if (n)
			memcpy(copy, b->data + off, n);
		fuse_reply_buf(req, copy, n);
		free(copy);
		return;
	}
	/* Reads are answered in full (no splice): with direct_io a short
	 * reply is taken as end of file. */
	{
		char *data = malloc(size ? size : 1);
		size_t got = 0;

		if (!data) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		while (got < size) {
			ssize_t n = pread(fh->fd, data + got, size - got, off + (off_t)got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				free(data);
				fuse_reply_err(req, errno);
				return;
			}
			if (n == 0)
				break;
			got += (size_t)n;
		}
		fuse_reply_buf(req, data, got);
		free(data);
	}
	(void)buf;
}

static void sm_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in_buf, off_t off,
			 struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_fh *fh = (struct sm_fh *)(uintptr_t)fi->fh;
	struct fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(in_buf));
	ssize_t n;

	(void)ino;
	if (fh->kind != FH_FILE) {
		special_write(sm, req, fh, in_buf, off);
		return;
	}
	out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	out.buf[0].fd = fh->fd;
	out.buf[0].pos = off;
	n = fuse_buf_copy(&out, in_buf, 0);
	if (n < 0) {
		fuse_reply_err(req, (int)-n);
		return;
	}
	fh->dirty = true;
	fuse_reply_write(req, (size_t)n);
}

/* Runs the write agent of a file that was written (DESIGN §3 "Write"). */
static void flush_written(struct sysman *sm, fuse_req_t req, struct sm_inode *in, struct sm_fh *fh)
{
	char path[PATH_MAX], exec[PATH_MAX];
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct buf input;
	struct sm_run_opts o;
	struct waiter *w = NULL;
	bool sync;
	int fd;

	fh->dirty = false;
	if (inode_path(sm, in, path, sizeof(path)) < 0) {
		fuse_reply_err(req, 0);
		return;
	}
	audit_log(ctx->uid, ctx->pid, "write", path, 0, NULL);
	if (!sm_agent_for(sm, path, AGENT_WRITE, exec, sizeof(exec))) {
		fuse_reply_err(req, 0);
		return;
	}
	buf_init(&input, (size_t)sm->conf.agent_output_max);
	fd = inode_open(in, O_RDONLY);
	if (fd < 0 || buf_read_fd(&input, fd) < 0 || input.truncated) {
		if (fd >= 0)
			close(fd);
		sm_write_status(sm, path, EFBIG, "input larger than agent_output_max");
		buf_release(&input);
		fuse_reply_err(req, fd < 0 ? -fd : EFBIG);
		return;
	}
	close(fd);
	sync = conf_write_mode(&sm->conf, path + 1) == WRITE_SYNC;
	if (sync)
		w = waiter_new(sm, W_FLUSH, req, in, NULL, NULL);
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.op = AGENT_WRITE;
	o.exec = exec;
	o.input = buf_str(&input);
	o.input_len = input.len;
	fill_caller(req, &o);
	inode_ref(sm, in);      /* an early reply lets the kernel forget it */
	run_with_waiter(sm, in, w, &o, false, sync ? NULL : req);
	inode_unref(sm, in);
	buf_release(&input);
}

static void sm_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_fh *fh = (struct sm_fh *)(uintptr_t)fi->fh;

	if (fh->kind != FH_FILE) {
		special_flush(sm, req, inode_get(sm, ino), fh);
		return;
	}
	if (!fh->dirty) {
		fuse_reply_err(req, 0);
		return;
	}
	flush_written(sm, req, inode_get(sm, ino), fh);
}

static void sm_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_fh *fh = (struct sm_fh *)(uintptr_t)fi->fh;

	if (fh->kind != FH_FILE)
		special_release(sm, inode_get(sm, ino), fh);
	fh_free(fh);
	fuse_reply_err(req, 0);
}

static void sm_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct sm_fh *fh = (struct sm_fh *)(uintptr_t)fi->fh;
	int r = 0;

	(void)ino;
	if (fh->fd >= 0)
		r = datasync ? fdatasync(fh->fd) : fsync(fh->fd);
	fuse_reply_err(req, r < 0 ? errno : 0);
}

/* ---- directories ---- */

static bool ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Lets the kernel cache a directory's listing (FOPEN_CACHE_DIR) and reuse
 * what it cached (keep_cache) only while the backing directory is
 * unchanged since the listing was cached: every opendir reaches the
 * daemon, which compares the directory's stamp (mtime, ctime, size, link
 * count) with the one kept at the last opendir.  A directory changed in
 * the last DIR_SETTLE_NS is not marked, since another change within the
 * same timestamp tick would leave its mtime as it is. */
static void dir_cache_flags(struct sm_inode *in, int fd, struct fuse_file_info *fi)
{
	struct timespec now;
	struct stat st;
	long age;

	if (fstat(fd, &st) < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	age = (long)(now.tv_sec - st.st_mtim.tv_sec) * 1000000000L + (now.tv_nsec - st.st_mtim.tv_nsec);
	pthread_mutex_lock(&in->mu);
	fi->cache_readdir = 1;
	fi->keep_cache = ts_eq(&in->dir_mtim, &st.st_mtim) && ts_eq(&in->dir_ctim, &st.st_ctim) &&
			 in->dir_size == st.st_size && in->dir_nlink == st.st_nlink;
	if (age > DIR_SETTLE_NS && st.st_ctim.tv_sec > 0) {
		in->dir_mtim = st.st_mtim;
		in->dir_ctim = st.st_ctim;
		in->dir_size = st.st_size;
		in->dir_nlink = st.st_nlink;
	} else {
		memset(&in->dir_mtim, 0, sizeof(in->dir_mtim));
	}
	pthread_mutex_unlock(&in->mu);
}

int sm_reply_opendir(struct sysman *sm, fuse_req_t req, struct sm_inode *in, struct fuse_file_info *fi)
{
	struct sm_dh *dh = dh_new();
	int fd;

	if (!dh) {
		fuse_reply_err(req, ENOMEM);
		return -ENOMEM;
	}
	fd = openat(in->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dh->dp = fdopendir(fd))) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		dh_free(dh);
		fuse_reply_err(req, e);
		return -e;
	}
	{
		/* proc/ and sys/ are reachable by path but not listed, so that
		 * `find /sysman/systems` does not walk every host's /proc and /sys */
		char path[PATH_MAX];

		dh->hide_dynamic = inode_path(sm, in, path, sizeof(path)) == 0 && !sm_is_dynamic(sm, path);
	}
	if (dh->hide_dynamic)
		dir_cache_flags(in, fd, fi);
	fi->fh = (uintptr_t)dh;
	if (fuse_reply_open(req, fi) != 0)
		dh_free(dh);
	return 0;
}

static void listing_done(struct sysman *sm, const struct sm_run_opts *o,
			 const struct agent_result *res, void *arg)
{
	struct sm_inode *dir = arg;

	if (res->rc == 0)
		special_sync_listing(sm, dir, res->out);
	dir->listed = time(NULL);
	(void)o;
}

static bool start_listing(struct sysman *sm, fuse_req_t req, struct sm_inode *dir,
			  const char *dirpath, enum waiter_kind kind, struct fuse_file_info *fi,
			  const char *name)
{
	char exec[PATH_MAX];
	struct sm_run_opts o;
	struct waiter *w;

	if (!sm_agent_for(sm, dirpath, AGENT_LIST, exec, sizeof(exec)))
		return false;
	w = waiter_new(sm, kind, req, dir, fi, name);
	if (!w)
		return false;
	memset(&o, 0, sizeof(o));
	o.path = dirpath;
	o.op = AGENT_LIST;
	o.exec = exec;
	o.raw = true;
	o.after = listing_done;
	o.after_arg = dir;
	fill_caller(req, &o);
	return run_with_waiter(sm, dir, w, &o, true, NULL);
}

static void sm_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *in = inode_get(sm, ino);
	char path[PATH_MAX];

	if (inode_path(sm, in, path, sizeof(path)) == 0) {
		sm_agent_names(sm, path, mat_all_cb, in);
		if (sm_is_dynamic(sm, path) && start_listing(sm, req, in, path, W_OPENDIR, fi, NULL))
			return;
	}
	sm_reply_opendir(sm, req, in, fi);
}

static void sm_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
		       struct fuse_file_info *fi)
{
	struct sm_dh *dh = (struct sm_dh *)(uintptr_t)fi->fh;
	char *buf = calloc(1, size), *p = buf;
	size_t rem = size;

	(void)ino;
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (offset != dh->offset) {
		seekdir(dh->dp, offset);
		dh->entry = NULL;
		dh->offset = offset;
	}
	for (;;) {
		struct stat st = { 0 };
		size_t n;

		if (!dh->entry) {
			errno = 0;
			dh->entry = readdir(dh->dp);
			if (!dh->entry)
				break;
		}
		if (dh->hide_dynamic && dh->entry->d_type == DT_DIR &&
		    conf_is_dynamic_dir(&sm_data(req)->conf, dh->entry->d_name)) {
			dh->offset = dh->entry->d_off;
			dh->entry = NULL;
			continue;
		}
		st.st_ino = dh->entry->d_ino;
		st.st_mode = (mode_t)dh->entry->d_type << 12;
		n = fuse_add_direntry(req, p, rem, dh->entry->d_name, &st, dh->entry->d_off);
		if (n > rem)
			break;
		p += n;
		rem -= n;
		dh->offset = dh->entry->d_off;
		dh->entry = NULL;
	}
	fuse_reply_buf(req, buf, size - rem);
	free(buf);
}

static void sm_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sm_dh *dh = (struct sm_dh *)(uintptr_t)fi->fh;

	(void)ino;
	dh_free(dh);
	fuse_reply_err(req, 0);
}

static void sm_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct sm_inode *in = inode_get(sm_data(req), ino);
	struct statvfs sv;

	if (fstatvfs(in->fd, &sv) < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_statfs(req, &sv);
}

/* ---- extended attributes (incl. POSIX ACLs) ---- */

static void sm_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct sm_inode *in = inode_get(sm_data(req), ino);
	char proc[64], *v = NULL;
	ssize_t n;

	procname(in, proc, sizeof(proc));
	if (size) {
		v = malloc(size);
		if (!v) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
	}
	n = getxattr(proc, name, v, size);
	if (n < 0)
		fuse_reply_err(req, errno == ENOTSUP ? ENODATA : errno);
	else if (size)
		fuse_reply_buf(req, v, (size_t)n);
	else
		fuse_reply_xattr(req, (size_t)n);
	free(v);
}

static void sm_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct sm_inode *in = inode_get(sm_data(req), ino);
	char proc[64], *v = NULL;
	ssize_t n;

	procname(in, proc, sizeof(proc));
	if (size && !(v = malloc(size))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = listxattr(proc, v, size);
	if (n < 0)
		fuse_reply_err(req, errno);
	else if (size)
		fuse_reply_buf(req, v, (size_t)n);
	else
		fuse_reply_xattr(req, (size_t)n);
	free(v);
}

static void sm_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	struct sm_inode *in = inode_get(sm_data(req), ino);
	char proc[64];

	procname(in, proc, sizeof(proc));
	fuse_reply_err(req, setxattr(proc, name, value, size, flags) < 0 ? errno : 0);
}

static void sm_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct sm_inode *in = inode_get(sm_data(req), ino);
	char proc[64];

	procname(in, proc, sizeof(proc));
	fuse_reply_err(req, removexattr(proc, name) < 0 ? errno : 0);
}

/* ---- init ---- */

static void sm_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	if (conn->capable & FUSE_CAP_POSIX_ACL)
		conn->want |= FUSE_CAP_POSIX_ACL;
	if (conn->capable & FUSE_CAP_SPLICE_WRITE)
		conn->want |= FUSE_CAP_SPLICE_WRITE;
	if (conn->capable & FUSE_CAP_SPLICE_MOVE)
		conn->want |= FUSE_CAP_SPLICE_MOVE;
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	conn->max_background = 4096;
	conn->congestion_threshold = 3072;
}

const struct fuse_lowlevel_ops sm_ops = {
	.init = sm_init,
	.lookup = sm_lookup,
	.forget = sm_forget,
	.forget_multi = sm_forget_multi,
	.getattr = sm_getattr,
	.setattr = sm_setattr,
	.readlink = sm_readlink,
	.mknod = sm_mknod,
	.mkdir = sm_mkdir,
	.symlink = sm_symlink,
	.link = sm_link,
	.unlink = sm_unlink,
	.rmdir = sm_rmdir,
	.rename = sm_rename,
	.open = sm_open,
	.create = sm_create,
	.read = sm_read,
	.write_buf = sm_write_buf,
	.flush = sm_flush,
	.release = sm_release,
	.fsync = sm_fsync,
	.opendir = sm_opendir,
	.readdir = sm_readdir,
	.releasedir = sm_releasedir,
	.statfs = sm_statfs,
	.getxattr = sm_getxattr,
	.listxattr = sm_listxattr,
	.setxattr = sm_setxattr,
	.removexattr = sm_removexattr,
};
