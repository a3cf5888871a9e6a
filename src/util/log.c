#include "util/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int cur_level = LOG_NOTICE;
static bool to_syslog;
static const char *prog = "sysman";
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "error", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_setup(const char *ident, int level, bool use_syslog)
{
	if (ident)
		prog = ident;
	cur_level = level;
	if (use_syslog && !to_syslog)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	to_syslog = use_syslog;
}

int log_level(void)
{
	return cur_level;
}

int log_level_parse(const char *s)
{
	for (int i = LOG_ERR; i <= LOG_DEBUG; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	if (strcasecmp(s, "warn") == 0)
		return LOG_WARNING;
	return -EINVAL;
}

void log_msg(int level, const char *func, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	int saved = errno;

	if (level > cur_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (to_syslog) {
		syslog(level, "%s", msg);
	} else {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		pthread_mutex_lock(&log_lock);
		if (cur_level >= LOG_DEBUG)
			fprintf(stderr, "%s.%03ld %s: %s: %s: %s\n", when,
				ts.tv_nsec / 1000000, prog, level_names[level],
				func, msg);
		else
			fprintf(stderr, "%s.%03ld %s: %s: %s\n", when,
				ts.tv_nsec / 1000000, prog, level_names[level],
				msg);
		pthread_mutex_unlock(&log_lock);
	}
	errno = saved;
}
