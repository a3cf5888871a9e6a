#include "util/audit.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int audit_fd = -1;

static void mkparents(const char *path)
{
	char p[4096];
	size_t n = strlen(path);

	if (n >= sizeof(p))
		return;
	memcpy(p, path, n + 1);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
}

int auditlog_open(const char *path)
{
	if (!path || !*path)
		return 0;
	mkparents(path);
	audit_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	return audit_fd < 0 ? -errno : 0;
}

void auditlog_close(void)
{
	if (audit_fd >= 0)
		close(audit_fd);
	audit_fd = -1;
}

void auditlog(uid_t uid, pid_t pid, const char *op, const char *path, int rc,
	       const char *fmt, ...)
{
	char line[2048], when[40];
	struct timespec ts;
	struct tm tm;
	int n;

	if (audit_fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%03ldZ uid=%u pid=%d op=%s path=%s rc=%d",
		     when, ts.tv_nsec / 1000000, (unsigned)uid, (int)pid, op, path, rc);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 2;
	if (fmt && *fmt) {
		va_list ap;
		int m;

		line[n++] = ' ';
		va_start(ap, fmt);
		m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
		va_end(ap);
		if (m > 0)
			n += m < (int)(sizeof(line) - (size_t)n - 1) ? m : (int)(sizeof(line) - (size_t)n - 2);
	}
	for (int i = 0; i < n; i++)
		if (iscntrl((unsigned char)line[i]))
			line[i] = ' ';
	line[n++] = '\n';
	if (write(audit_fd, line, (size_t)n) < 0)
		return;
}
