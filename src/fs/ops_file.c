/* FUSE operations on files: handles, open (with the read agent run its
 * caching model asks for), read, write, flush (the write agent), release. */
#include "fs/fs.h"
#include "fs/ops_int.h"

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
#include "fs/nodes.h"
#include "fs/special.h"
#include "special/status.h"
#include "util/audit.h"
#include "util/log.h"
#include "util/strutil.h"

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

static void waiter_reply(struct sysman *sm, struct waiter *w, bool fail)
{
	switch (w->kind) {
	case W_OPEN:
		if (fail)
			fuse_reply_err(w->req, EIO);
		else
			sm_reply_open(sm, w->req, w->target, &w->fi);
		break;
	case W_OPENDIR:
		sm_reply_opendir(sm, w->req, w->target, &w->fi);
		break;
	case W_LOOKUP:
		sm_reply_lookup(sm, w->req, w->target, w->name);
		break;
	case W_FLUSH:
		fuse_reply_err(w->req, fail ? EIO : 0);
		break;
	}
}

struct waiter *waiter_new(struct sysman *sm, enum waiter_kind kind, fuse_req_t req,
				 struct sm_inode *target, const struct fuse_file_info *fi,
				 const char *name)
{
	struct waiter *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->kind = kind;
	w->reply = waiter_reply;
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

void waiter_drop(struct sysman *sm, struct waiter *w)
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
bool run_with_waiter(struct sysman *sm, struct sm_inode *in, struct waiter *w,
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
		char msg[256];

		snprintf(msg, sizeof(msg), "cannot start agent: %s", r == -ENXIO ? "no device address for this path"
			 : r == -E2BIG ? "input too large for a remote agent" : strerror(-r));
		log_err("'%s' (%s): %s", o->path, agent_op_name(o->op), msg);
		if (!o->raw)
			sm_write_status(sm, o->path, AGENT_RC_NOEXEC, msg);
		pthread_mutex_lock(&in->mu);
		in->inflight--;
		pthread_mutex_unlock(&in->mu);
		sm_serve_waiters(sm, in, AGENT_RC_NOEXEC);
	}
	return true;
}

void fill_caller(fuse_req_t req, struct sm_run_opts *o)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	o->uid = ctx->uid;
	o->gid = ctx->gid;
	o->pid = ctx->pid;
}

bool read_needs_run(struct sysman *sm, struct sm_inode *in, const char *path,
		    struct fuse_file_info *fi)
{
	enum cache_model model;
	struct stat st;
	int secs;

	if (!sm_agent_for(sm, path, AGENT_READ))
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
	return true;
}

/* Runs the read agent before this open is answered if the file's caching
 * model asks for it.  Returns true if it took over the reply. */
static bool open_refresh(struct sysman *sm, fuse_req_t req, struct sm_inode *in, const char *path,
			 struct fuse_file_info *fi)
{
	struct sm_run_opts o;
	struct waiter *w;

	if (!read_needs_run(sm, in, path, fi))
		return false;
	w = waiter_new(sm, W_OPEN, req, in, fi, NULL);
	if (!w)
		return false;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.op = AGENT_READ;
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

void sm_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *in = inode_get(sm, ino);
	char path[PATH_MAX];
	int acc = fi->flags & O_ACCMODE;
	bool rd = acc != O_WRONLY, wr = acc != O_RDONLY;

	if (in->vkind) {
		nodes_open(sm, req, in, fi);
		return;
	}
	if (inode_path(sm, in, path, sizeof(path)) < 0) {
		sm_reply_open(sm, req, in, fi);
		return;
	}
	switch (special_of(path)) {
	case SPECIAL_STATUS:
		if (wr || (fi->flags & O_TRUNC)) {
			fuse_reply_err(req, EACCES);
			return;
		}
		if (!open_status(sm, req, in, path, fi))
			sm_reply_open(sm, req, in, fi);
		return;
	case SPECIAL_IDS:
		special_open_ids(sm, req, in, path, fi);
		return;
	case SPECIAL_DISCOVER:
		if (wr) {
			special_open_discover(sm, req, in, fi);
			return;
		}
		break;
	case SPECIAL_LOCK:
		if (rd)
			special_refresh_lock(sm, path);
		break;
	case SPECIAL_NONE:
		break;
	}
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

void sm_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *dir = inode_get(sm, parent);
	struct fuse_entry_param e;
	struct sm_fh *fh;
	struct caller_creds cc;
	char dpath[PATH_MAX], path[PATH_MAX];
	int fd, r;

	if (special_of_name("x", name) == SPECIAL_STATUS) {
		fuse_reply_err(req, EACCES);
		return;
	}
	if (nodes_reserved(sm, dir, name)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	mode = apply_umask(req, dir, mode);
	r = caller_become(req, &cc);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	fd = openat(dir->fd, name, (fi->flags | O_CREAT | O_CLOEXEC) & ~O_NOFOLLOW, mode);
	r = fd < 0 ? errno : 0;
	caller_restore(&cc);
	{
		const struct fuse_ctx *ctx = fuse_req_ctx(req);

		if (dir_path(sm, dir, name, dpath, path, sizeof(path)) < 0)
			str_copy(path, sizeof(path), "?");
		auditlog(ctx->uid, ctx->pid, "create", path, r, "mode=%04o", (unsigned)(mode & 07777));
	}
	if (fd < 0) {
		fuse_reply_err(req, r);
		return;
	}
	r = do_lookup(sm, dir, name, &e);
	if (r < 0) {
		close(fd);
		fuse_reply_err(req, -r);
		return;
	}
	dir_path(sm, dir, name, dpath, path, sizeof(path));
	if (special_has_handle(special_of(path))) {
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

void sm_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
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

void sm_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in_buf, off_t off,
			 struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_fh *fh = (struct sm_fh *)(uintptr_t)fi->fh;
	struct fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(in_buf));
	ssize_t n;

	(void)ino;
	if (fh->kind == FH_NODES) {
		nodes_write(sm, req, fh, in_buf, off);
		return;
	}
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
	char path[PATH_MAX];
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
	auditlog(ctx->uid, ctx->pid, "write", path, 0, NULL);
	if (!sm_agent_for(sm, path, AGENT_WRITE)) {
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
	o.input = buf_str(&input);
	o.input_len = input.len;
	fill_caller(req, &o);
	inode_ref(sm, in);      /* an early reply lets the kernel forget it */
	run_with_waiter(sm, in, w, &o, false, sync ? NULL : req);
	inode_unref(sm, in);
	buf_release(&input);
}

void sm_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_fh *fh = (struct sm_fh *)(uintptr_t)fi->fh;

	if (fh->kind == FH_NODES) {
		nodes_flush(sm, req, fh);
		return;
	}
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

void sm_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_fh *fh = (struct sm_fh *)(uintptr_t)fi->fh;

	if (fh->kind != FH_FILE)
		special_release(sm, inode_get(sm, ino), fh);
	fh_free(fh);
	fuse_reply_err(req, 0);
}

void sm_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct sm_fh *fh = (struct sm_fh *)(uintptr_t)fi->fh;
	int r = 0;

	(void)ino;
	if (fh->fd >= 0)
		r = datasync ? fdatasync(fh->fd) : fsync(fh->fd);
	fuse_reply_err(req, r < 0 ? errno : 0);
}
