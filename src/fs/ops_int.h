/*
 * ops_int.h - what the FUSE operation files of src/fs share: ops.c
 * (lookup, attributes, namespace, xattrs, the operation table),
 * ops_file.c (handles, open, read, write, flush, release) and ops_dir.c
 * (opendir, readdir, dynamic listings).  Not for use outside src/fs/ops*.c.
 */
#ifndef SYSMAN_FS_OPS_INT_H
#define SYSMAN_FS_OPS_INT_H

#include "fs/fs.h"

#define ENTRY_TIMEOUT 1.0
/* Names outside dynamic directories only disappear through the file
 * system itself (the kernel then drops them), so they are kept longer. */
#define STABLE_ENTRY_TIMEOUT 10.0
/* Upper bound on how long the kernel keeps a cached file's attributes. */
#define CACHED_ATTR_MAX 60.0
/* A directory changed less than this long ago may change again within the
 * same timestamp tick, so its listing is not marked reusable yet. */
#define DIR_SETTLE_NS 50000000L

/* ops.c */
/* The last component of path. */
const char *base_name(const char *path);
/* Creates name in the backing directory dirfd (tree path dirpath) if an
 * agent makes it appear there.  1 if created, 0 if not, -errno. */
int materialise_at(struct sysman *sm, int dirfd, const char *dirpath, const char *name);
/* trie_list callback: materialises one agent file in the directory arg. */
int mat_all_cb(const struct trie_entry *e, void *arg);
/* Looks name up in parent's backing directory and fills e (timeouts by
 * caching model).  0 or -errno. */
int do_lookup(struct sysman *sm, struct sm_inode *parent, const char *name,
		     struct fuse_entry_param *e);
/* dir = parent's tree path, path = dir/name.  0 or -ENAMETOOLONG. */
int dir_path(struct sysman *sm, struct sm_inode *parent, const char *name,
		    char *dir, char *path, size_t len);
/* mode with the caller's umask applied (unless default ACLs apply). */
mode_t apply_umask(fuse_req_t req, struct sm_inode *parent, mode_t mode);

/* caller.c */
#define CALLER_GROUPS_MAX 256
/* The worker thread's credentials while it acts as a request's caller. */
struct caller_creds {
	bool switched;
	int ngroups;
	gid_t groups[CALLER_GROUPS_MAX];
};
/* Makes this thread's file-system uid, gid and supplementary groups the
 * caller's of req (nothing when the daemon is not root, or the caller
 * is root).  0 (then call caller_restore()) or -errno, with the thread
 * unchanged. */
int caller_become(fuse_req_t req, struct caller_creds *save);
/* Gives the thread its own credentials back.  Accepts an unswitched save. */
void caller_restore(struct caller_creds *save);

/* ops_file.c */
/* A waiter for req, holding a reference on target; NULL on ENOMEM. */
struct waiter *waiter_new(struct sysman *sm, enum waiter_kind kind, fuse_req_t req,
				 struct sm_inode *target, const struct fuse_file_info *fi,
				 const char *name);
/* Drops a waiter that was never queued. */
void waiter_drop(struct sysman *sm, struct waiter *w);
/* Runs (or, with may_join, joins) an agent run for in; w is answered when
 * it is done, early (if not NULL) as soon as the run is registered. */
bool run_with_waiter(struct sysman *sm, struct sm_inode *in, struct waiter *w,
			    struct sm_run_opts *o, bool may_join, fuse_req_t early);
/* Whether an open for reading of path (inode in) must run its read agent
 * first, by the file's caching model (DESIGN §4); sets fi's caching flags
 * (direct_io, keep_cache) as that open would reply them. */
bool read_needs_run(struct sysman *sm, struct sm_inode *in, const char *path,
		    struct fuse_file_info *fi);
/* The caller's uid, gid and pid into o. */
void fill_caller(fuse_req_t req, struct sm_run_opts *o);
void sm_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void sm_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi);
void sm_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void sm_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in_buf, off_t off,
			 struct fuse_file_info *fi);
void sm_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void sm_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void sm_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);

/* ops_dir.c */
/* Runs dir's listing agent with a waiter of the given kind; true if the
 * reply was taken over. */
bool start_listing(struct sysman *sm, fuse_req_t req, struct sm_inode *dir,
			  const char *dirpath, enum waiter_kind kind, struct fuse_file_info *fi,
			  const char *name);
void sm_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void sm_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
		       struct fuse_file_info *fi);
void sm_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

#endif
