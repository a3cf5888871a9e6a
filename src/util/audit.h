/*
 * audit.h - the audit log: one line per change to the tree and per agent
 * run (DESIGN §11): "TIME uid=U pid=P op=OP path=PATH rc=RC [extra]";
 * for a change rc is 0 or the errno value the caller got.
 * Never given a password.  Thread-safe (one O_APPEND write per line).
 */
#ifndef SYSMAN_AUDIT_H
#define SYSMAN_AUDIT_H

#include <sys/types.h>

/* Opens path for appending (creating parent directories).  Returns 0 or
 * -errno.  An empty path disables the log. */
int audit_open(const char *path);
void audit_close(void);
void audit_log(uid_t uid, pid_t pid, const char *op, const char *path, int rc,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
