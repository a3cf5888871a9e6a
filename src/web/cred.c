/* The calling thread takes a user's identity for file access: file-system
 * uid and gid and supplementary groups, each changed for this thread only
 * (the system calls, not glibc's process-wide setgroups).  A root process
 * whose fsuid is not 0 loses CAP_DAC_OVERRIDE and the other file
 * capabilities, so the kernel checks the user's own rights; FUSE passes
 * the fsuid, fsgid and this thread's groups on to sysmand. */
#include "web/web.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

int cred_lookup(const char *name, struct web_user *u)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int n = WEB_GROUPS_MAX, r;

	memset(u, 0, sizeof(*u));
	if (!name[0] || strlen(name) >= sizeof(u->name))
		return -ENOENT;
	r = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (r)
		return -r;
	if (!res)
		return -ENOENT;
	snprintf(u->name, sizeof(u->name), "%s", pw.pw_name);
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	if (getgrouplist(pw.pw_name, pw.pw_gid, u->groups, &n) < 0)
		n = WEB_GROUPS_MAX;      /* more groups than we keep: the first ones */
	u->ngroups = n;
	return 0;
}

int cred_become(const struct web_user *u)
{
	if (syscall(SYS_setgroups, (size_t)u->ngroups, u->groups) < 0)
		return -errno;
	setfsgid(u->gid);
	setfsuid(u->uid);
	if ((uid_t)setfsuid((uid_t)-1) != u->uid || (gid_t)setfsgid((gid_t)-1) != u->gid) {
		cred_restore();
		return -EPERM;
	}
	return 0;
}

void cred_restore(void)
{
	setfsuid(geteuid());
	setfsgid(getegid());
	syscall(SYS_setgroups, (size_t)0, NULL);
}
