/* FUSE low-level operations: a passthrough over the backing store, with
 * agent runs hooked into lookup, open, opendir and flush.  This file:
 * lookup and materialisation, attributes, namespace changes, xattrs and
 * the operation table; files and directories are in ops_file.c and
 * ops_dir.c (ops_int.h). */
#include "fs/fs.h"
#include "fs/ops_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs/handle.h"
#include "fs/nodes.h"
#include "fs/special.h"
#include "special/status.h"
#include "util/audit.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/strutil.h"

static void procname(const struct sm_inode *in, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", in->fd);
}

const char *base_name(const char *path)
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
static int materialise(int dirfd, const char *name, unsigned ops, bool is_dir)
{
	int fd;

	if (is_dir) {
		if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
			return -errno;
		return 1;
	}
	fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, agent_file_mode(ops));
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

int materialise_at(struct sysman *sm, int dirfd, const char *dirpath, const char *name)
{
	struct find_name f = { name, 0, false, false };

	if (name[0] == '.' || strchr(name, '/'))
		return 0;
	sm_agent_names(sm, dirpath, find_name_cb, &f);
	if (!f.found)
		return 0;
	return materialise(dirfd, name, f.ops, f.is_dir);
}

/* trie_list callback: creates every agent name missing in the directory arg. */
int mat_all_cb(const struct trie_entry *e, void *arg)
{
	struct sm_inode *parent = arg;
	struct stat st;

	if (fstatat(parent->fd, e->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	materialise(parent->fd, e->name, e->ops, e->is_dir);
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
	enum cache_model model;
	double t;
	int secs, busy;

	if (!S_ISREG(st->st_mode) || st->st_mtim.tv_sec == 0 ||
	    special_of(path) == SPECIAL_STATUS ||
	    !sm_agent_for(sm, path, AGENT_READ))
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

int do_lookup(struct sysman *sm, struct sm_inode *parent, const char *name,
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

int dir_path(struct sysman *sm, struct sm_inode *parent, const char *name,
		    char *dir, char *path, size_t len)
{
	int r = inode_path(sm, parent, dir, len);

	if (r < 0)
		return r;
	return str_printf(path, len, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
}

void sm_reply_lookup(struct sysman *sm, fuse_req_t req, struct sm_inode *parent, const char *name)
{
	struct fuse_entry_param e;
	char dir[PATH_MAX], path[PATH_MAX];
	int r;

	r = do_lookup(sm, parent, name, &e);
	if (r == -ENOENT && dir_path(sm, parent, name, dir, path, sizeof(path)) == 0) {
		if (materialise_at(sm, parent->fd, dir, name) > 0) {
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

	if (nodes_lookup(sm, req, inode_get(sm, parent), name))
		return;
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

/* ---- audit ---- */

/* One audit line for a change to the tree made by req's caller: the path
 * of name in dir (name NULL: dir itself), err 0 or the errno value the
 * caller gets, then the details of fmt (never a file's content). */
static void audit_change(fuse_req_t req, struct sm_inode *dir, const char *name, const char *op,
			 int err, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void audit_change(fuse_req_t req, struct sm_inode *dir, const char *name, const char *op,
			 int err, const char *fmt, ...)
{
	struct sysman *sm = sm_data(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	char d[PATH_MAX], path[PATH_MAX], extra[PATH_MAX + 64] = "";
	int r;

	r = name ? dir_path(sm, dir, name, d, path, sizeof(path)) : inode_path(sm, dir, path, sizeof(path));
	if (r < 0)
		str_copy(path, sizeof(path), "?");
	if (fmt) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(extra, sizeof(extra), fmt, ap);
		va_end(ap);
	}
	auditlog(ctx->uid, ctx->pid, op, path, err, "%s", extra);
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
	if (in->vkind) {
		nodes_getattr(sm, req, in);
		return;
	}
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

	if (in->vkind) {
		nodes_setattr(sm, req, in, valid);
		return;
	}
	procname(in, proc, sizeof(proc));
	if (valid & FUSE_SET_ATTR_MODE) {
		r = fh && fh->fd >= 0 ? fchmod(fh->fd, attr->st_mode) : chmod(proc, attr->st_mode);
		audit_change(req, in, NULL, "chmod", r < 0 ? errno : 0, "mode=%04o",
			     (unsigned)(attr->st_mode & 07777));
		if (r < 0)
			goto err;
	}
	if (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		uid_t u = (valid & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
		gid_t g = (valid & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;

		r = fchownat(in->fd, "", u, g, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
		audit_change(req, in, NULL, "chown", r < 0 ? errno : 0, "owner=%d group=%d",
			     (int)u, (int)g);
		if (r < 0)
			goto err;
	}
	if (valid & FUSE_SET_ATTR_SIZE) {
		bool special = false;

		if (inode_path(sm, in, path, sizeof(path)) == 0) {
			enum sm_special k = special_of(path);

			if (k == SPECIAL_STATUS) {
				errno = EPERM;
				goto err;
			}
			special = special_has_handle(k);
		}
		if (!special) {
			r = fh && fh->fd >= 0 ? ftruncate(fh->fd, attr->st_size)
					      : truncate(proc, attr->st_size);
			audit_change(req, in, NULL, "truncate", r < 0 ? errno : 0, "size=%lld",
				     (long long)attr->st_size);
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
		audit_change(req, in, NULL, "utimens", r < 0 ? errno : 0, "atime=%s mtime=%s",
			     !(valid & FUSE_SET_ATTR_ATIME) ? "unchanged" :
			     (valid & FUSE_SET_ATTR_ATIME_NOW) ? "now" : "set",
			     !(valid & FUSE_SET_ATTR_MTIME) ? "unchanged" :
			     (valid & FUSE_SET_ATTR_MTIME_NOW) ? "now" : "set");
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
	ssize_t n = in->fd >= 0 ? readlinkat(in->fd, "", buf, sizeof(buf)) : (errno = EINVAL, -1);

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

mode_t apply_umask(fuse_req_t req, struct sm_inode *parent, mode_t mode)
{
	char proc[64];

	procname(parent, proc, sizeof(proc));
	if (getxattr(proc, "system.posix_acl_default", NULL, 0) > 0)
		return mode;  /* the backing fs applies the default ACL */
	return mode & ~fuse_req_ctx(req)->umask;
}

/* Makes name in dir as the caller (caller.c): a directory, a symbolic
 * link, a hard link to target's inode or any other node.  0 or -errno. */
static int make_as_caller(fuse_req_t req, struct sm_inode *dir, const char *name, mode_t mode,
			  dev_t rdev, const char *link, struct sm_inode *target)
{
	struct caller_creds cc;
	char proc[64];
	int r;

	if (target)
		procname(target, proc, sizeof(proc));
	r = caller_become(req, &cc);
	if (r < 0)
		return r;
	if (target)
		r = linkat(AT_FDCWD, proc, dir->fd, name, AT_SYMLINK_FOLLOW);
	else if (link)
		r = symlinkat(link, dir->fd, name);
	else if (S_ISDIR(mode))
		r = mkdirat(dir->fd, name, mode);
	else
		r = mknodat(dir->fd, name, mode, rdev);
	r = r < 0 ? -errno : 0;
	caller_restore(&cc);
	return r;
}

static void make_node(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      dev_t rdev, const char *link, fuse_ino_t target)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *dir = inode_get(sm, parent);
	struct sm_inode *tin = target ? inode_get(sm, target) : NULL;
	struct fuse_entry_param e;
	const char *op = tin ? "link" : link ? "symlink" : S_ISDIR(mode) ? "mkdir" : "mknod";
	int r;

	if (special_of_name("x", name) == SPECIAL_STATUS) {
		fuse_reply_err(req, EACCES);
		return;
	}
	if (nodes_reserved(sm, dir, name) || (tin && tin->vkind)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	if (!link && !tin)
		mode = apply_umask(req, dir, mode);
	r = make_as_caller(req, dir, name, mode, rdev, link, tin);
	if (tin) {
		char tpath[PATH_MAX];

		if (inode_path(sm, tin, tpath, sizeof(tpath)) < 0)
			str_copy(tpath, sizeof(tpath), "?");
		audit_change(req, dir, name, op, -r, "target=%s", tpath);
	} else if (link) {
		audit_change(req, dir, name, op, -r, "target=%s", link);
	} else {
		audit_change(req, dir, name, op, -r, "mode=%04o", (unsigned)(mode & 07777));
	}
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	r = do_lookup(sm, dir, name, &e);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

static void sm_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	make_node(req, parent, name, mode, rdev, NULL, 0);
}

static void sm_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	make_node(req, parent, name, S_IFDIR | mode, 0, NULL, 0);
}

static void sm_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	make_node(req, parent, name, S_IFLNK, 0, link, 0);
}

static void sm_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent, const char *name)
{
	make_node(req, parent, name, 0, 0, NULL, ino);
}

static void sm_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct sm_inode *dir = inode_get(sm_data(req), parent);
	int e = nodes_reserved(sm_data(req), dir, name) ? EPERM : unlinkat(dir->fd, name, 0) < 0 ? errno : 0;

	audit_change(req, dir, name, "unlink", e, NULL);
	fuse_reply_err(req, e);
}

static void sm_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct sm_inode *dir = inode_get(sm_data(req), parent);
	int e = nodes_reserved(sm_data(req), dir, name) ? EPERM
		: unlinkat(dir->fd, name, AT_REMOVEDIR) < 0 ? errno : 0;

	audit_change(req, dir, name, "rmdir", e, NULL);
	fuse_reply_err(req, e);
}

static void sm_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *a = inode_get(sm, parent), *b = inode_get(sm, newparent);
	char d[PATH_MAX], to[PATH_MAX];
	int e;

	if (special_of_name("x", newname) == SPECIAL_STATUS && special_of_name("x", name) != SPECIAL_STATUS) {
		fuse_reply_err(req, EACCES);
		return;
	}
	if (nodes_reserved(sm, a, name) || nodes_reserved(sm, b, newname)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	e = renameat2(a->fd, name, b->fd, newname, flags) < 0 ? errno : 0;
	if (dir_path(sm, b, newname, d, to, sizeof(to)) < 0)
		str_copy(to, sizeof(to), "?");
	audit_change(req, a, name, "rename", e, "to=%s flags=%u", to, flags);
	fuse_reply_err(req, e);
}

static void sm_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct sm_inode *in = inode_get(sm_data(req), ino);
	struct statvfs sv;

	if (fstatvfs(in->fd >= 0 ? in->fd : sm_data(req)->root.fd, &sv) < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_statfs(req, &sv);
}

/* ---- extended attributes (incl. POSIX ACLs) ---- */

/* "user.sysman.agents" on the root: the agent layer's queues, per class
 * (sysman status --queue). */
static bool reply_agent_stats(struct sysman *sm, fuse_req_t req, size_t size)
{
	static const char *const names[RUNNER_NCLASSES] = { "local", "ssh", "ipmi", "redfish" };
	struct runner_stats st;
	struct buf b = BUF_INIT;

	if (!sm->runner)
		return false;
	runner_stats(sm->runner, &st);
	for (int c = 0; c < RUNNER_NCLASSES; c++)
		buf_printf(&b, "%s running %u queued %u limit %d\n", names[c], st.class_running[c],
			   st.class_queued[c], st.class_limit[c]);
	buf_printf(&b, "lock_waiting %u started %lu finished %lu timed_out %lu\n", st.lock_waiting,
		   st.started, st.finished, st.timed_out);
	if (size == 0)
		fuse_reply_xattr(req, b.len);
	else if (size < b.len)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, b.data, b.len);
	buf_release(&b);
	return true;
}

static void sm_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *in = inode_get(sm, ino);
	char proc[64], *v = NULL;
	ssize_t n;

	if (in == &sm->root && strcmp(name, "user.sysman.agents") == 0 && reply_agent_stats(sm, req, size))
		return;
	if (in->vkind) {
		fuse_reply_err(req, ENODATA);
		return;
	}
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

	if (in->vkind) {
		if (size)
			fuse_reply_buf(req, NULL, 0);
		else
			fuse_reply_xattr(req, 0);
		return;
	}
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

	int e;

	procname(in, proc, sizeof(proc));
	e = in->vkind ? ENOTSUP : setxattr(proc, name, value, size, flags) < 0 ? errno : 0;
	/* the attribute's name only: a value is content */
	audit_change(req, in, NULL, "setxattr", e, "name=%s bytes=%zu", name, size);
	fuse_reply_err(req, e);
}

static void sm_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct sm_inode *in = inode_get(sm_data(req), ino);
	char proc[64];

	int e;

	procname(in, proc, sizeof(proc));
	e = in->vkind ? ENOTSUP : removexattr(proc, name) < 0 ? errno : 0;
	audit_change(req, in, NULL, "removexattr", e, "name=%s", name);
	fuse_reply_err(req, e);
}

/* ---- init ---- */

static void sm_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	if (conn->capable & FUSE_CAP_POSIX_ACL)
		conn->want |= FUSE_CAP_POSIX_ACL;
	/* the caller's umask comes with each request, unapplied: a directory's
	 * default ACL replaces it (apply_umask), as on the backing fs */
	if (conn->capable & FUSE_CAP_DONT_MASK)
		conn->want |= FUSE_CAP_DONT_MASK;
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
