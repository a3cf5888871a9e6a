/*
 * special.h - the special files of the tree (DESIGN §3-§5, §7, §8):
 * ids, lock, discover_master, dynamic directory listings and the periodic
 * collector.  Called from the FUSE operations in fs/ops.c.
 */
#ifndef SYSMAN_FS_SPECIAL_H
#define SYSMAN_FS_SPECIAL_H

#include "fs/fs.h"
#include "fs/handle.h"

struct buf;

/* The special files, told apart in one place (special.c's table):
 *   SPECIAL_STATUS   "F.status": read-only, an open waits for F's run;
 *   SPECIAL_IDS      "ids" anywhere: credentials kept in memory only;
 *   SPECIAL_DISCOVER "/discover_master": lines are discovered on write;
 *   SPECIAL_LOCK     "lock" anywhere: serialises agents below its
 *                    directory, reading it shows the holder;
 * the names the listing agents never remove are these too. */
enum sm_special { SPECIAL_NONE = 0, SPECIAL_STATUS, SPECIAL_IDS, SPECIAL_DISCOVER, SPECIAL_LOCK };

/* What path (below the mount, leading "/") is. */
enum sm_special special_of(const char *path);
/* The same for an entry name in a directory at dirpath. */
enum sm_special special_of_name(const char *dirpath, const char *name);
/* True for special files whose content lives in memory behind their own
 * file handle (ids, discover_master): no truncate, writes are checked. */
bool special_has_handle(enum sm_special k);

/* open() of an "ids" file: writes go to memory, reads show user names. */
void special_open_ids(struct sysman *sm, fuse_req_t req, struct sm_inode *in, const char *path,
		      struct fuse_file_info *fi);
/* open() of /discover_master for writing. */
void special_open_discover(struct sysman *sm, fuse_req_t req, struct sm_inode *in,
			   struct fuse_file_info *fi);
/* A handle for a just-created ids or discover_master file. */
struct sm_fh *special_new_handle(struct sysman *sm, struct sm_inode *in, const char *path,
				 struct fuse_file_info *fi);
/* write() on a special handle: validates complete lines (EINVAL on a
 * malformed one, logged) and keeps the bytes in memory. */
void special_write(struct sysman *sm, fuse_req_t req, struct sm_fh *fh,
		   struct fuse_bufvec *in_buf, off_t off);
/* flush() on a special handle: commits credentials or runs discovery. */
void special_flush(struct sysman *sm, fuse_req_t req, struct sm_inode *in, struct sm_fh *fh);
/* release() of a special handle: an ids file truncated and never written
 * is cleared here. */
void special_release(struct sysman *sm, struct sm_inode *in, struct sm_fh *fh);
/* Rewrites a "lock" file's content with who holds the lock. */
void special_refresh_lock(struct sysman *sm, const char *path);
/* Makes dir's backing entries match a list agent's output. */
void special_sync_listing(struct sysman *sm, struct sm_inode *dir, const struct buf *out);
/* Registers path with the periodic collector (idempotent). */
void periodic_register(struct sysman *sm, const char *path, int seconds);
/* Starts the periodic collector and, if configured, periodic discovery. */
int special_start(struct sysman *sm);
void special_stop(struct sysman *sm);

/* special/discover.c */
/* Checks one line written to discover_master.  Returns 0 or -EINVAL with
 * a reason in why (size whylen). */
int discover_check_line(struct sysman *sm, const char *line, char *why, size_t whylen);
/* Runs discovery for text (lines); answers req (may be NULL) when all is
 * done: EINVAL if a manual line was refused, else a write reply of
 * write_size bytes (write_size > 0) or success (a flush). */
void discover_run(struct sysman *sm, fuse_req_t req, const char *text, size_t write_size,
		  uid_t uid, pid_t pid);
/* Recreates the directories of remembered devices. */
int discover_restore(struct sysman *sm);

#endif
