/* FUSE operations on directories: opendir (materialised agent files,
 * dynamic listings, kernel listing cache), readdir, releasedir. */
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

bool start_listing(struct sysman *sm, fuse_req_t req, struct sm_inode *dir,
			  const char *dirpath, enum waiter_kind kind, struct fuse_file_info *fi,
			  const char *name)
{
	struct sm_run_opts o;
	struct waiter *w;

	if (!sm_agent_for(sm, dirpath, AGENT_LIST))
		return false;
	w = waiter_new(sm, kind, req, dir, fi, name);
	if (!w)
		return false;
	memset(&o, 0, sizeof(o));
	o.path = dirpath;
	o.op = AGENT_LIST;
	o.raw = true;
	o.after = listing_done;
	o.after_arg = dir;
	fill_caller(req, &o);
	return run_with_waiter(sm, dir, w, &o, true, NULL);
}

void sm_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sysman *sm = sm_data(req);
	struct sm_inode *in = inode_get(sm, ino);
	char path[PATH_MAX];

	if (in->vkind) {
		nodes_opendir(sm, req, in, fi);
		return;
	}
	if (inode_path(sm, in, path, sizeof(path)) == 0) {
		sm_agent_names(sm, path, mat_all_cb, in);
		if (sm_is_dynamic(sm, path) && start_listing(sm, req, in, path, W_OPENDIR, fi, NULL))
			return;
	}
	sm_reply_opendir(sm, req, in, fi);
}

void sm_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
		       struct fuse_file_info *fi)
{
	struct sm_dh *dh = (struct sm_dh *)(uintptr_t)fi->fh;
	char *buf = calloc(1, size), *p = buf;
	size_t rem = size;

	if (!dh) {      /* a computed directory (fs/nodes.c) */
		free(buf);
		nodes_readdir(req, inode_get(sm_data(req), ino), size, offset);
		return;
	}
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

void sm_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sm_dh *dh = (struct sm_dh *)(uintptr_t)fi->fh;

	(void)ino;
	dh_free(dh);
	fuse_reply_err(req, 0);
}
