/* New entries are made as their caller: the FUSE worker thread takes the
 * caller's file-system uid, gid and supplementary groups around the one
 * system call that creates the entry, so that the backing file system
 * applies the kernel's own rules (set-user-ID and set-group-ID bits, the
 * group of a set-group-ID directory, default ACLs, who may create where)
 * and the entry is never root's, not even for a moment. */
#include "fs/fs.h"
#include "fs/ops_int.h"

#include <errno.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/log.h"

/* setgroups(2) through glibc changes every thread of the process; the
 * system call changes only this one, like setfsuid and setfsgid. */
static int thread_setgroups(size_t n, const gid_t *list)
{
	return syscall(SYS_setgroups, n, list) < 0 ? -errno : 0;
}

int caller_become(fuse_req_t req, struct caller_creds *save)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	gid_t groups[CALLER_GROUPS_MAX];
	int n, r;

	save->switched = false;
	/* an unprivileged daemon cannot take anyone's identity; root stays root */
	if (geteuid() != 0 || (ctx->uid == 0 && ctx->gid == 0))
		return 0;
	save->ngroups = getgroups(CALLER_GROUPS_MAX, save->groups);
	if (save->ngroups < 0)
		return -errno;
	/* the caller's groups from /proc/PID/task/PID/status; without them
	 * (the caller is gone) only its gid counts */
	n = fuse_req_getgroups(req, CALLER_GROUPS_MAX, groups);
	if (n < 0 || n > CALLER_GROUPS_MAX)
		n = n < 0 ? 0 : CALLER_GROUPS_MAX;
	r = thread_setgroups((size_t)n, groups);
	if (r < 0)
		return r;
	setfsgid(ctx->gid);
	setfsuid(ctx->uid);
	save->switched = true;
	if ((uid_t)setfsuid((uid_t)-1) != ctx->uid || (gid_t)setfsgid((gid_t)-1) != ctx->gid) {
		caller_restore(save);
		return -EPERM;
	}
	return 0;
}

void caller_restore(struct caller_creds *save)
{
	if (!save->switched)
		return;
	setfsuid(0);
	setfsgid(0);
	if (thread_setgroups((size_t)save->ngroups, save->groups) < 0)
		log_err("cannot restore the worker's groups: %s", strerror(errno));
	save->switched = false;
}
