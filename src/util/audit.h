/*
 * audit.h - the audit log: one line per change to the tree and per agent
 * run (DESIGN §11): "TIME uid=U pid=P op=OP path=PATH rc=RC [extra]";
 * for a change rc is 0 or the errno value the caller got.
 * Never given a password.  Thread-safe (one O_APPEND write per line).
 * Named auditlog_*: libpam calls libaudit's audit_open(), and a program
 * that exports its own audit_open() would be called in its place.
 */
#ifndef SYSMAN_AUDIT_H
#define SYSMAN_AUDIT_H

#include <sys/types.h>

/* Opens path for appending (creating parent directories).  Returns 0 or
 * -errno.  An empty path disables the log. */
int auditlog_open(const char *path);
void auditlog_close(void);
void auditlog(uid_t uid, pid_t pid, const char *op, const char *path, int rc,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
