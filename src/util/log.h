/*
 * log.h - the one log module.
 *
 * Levels are syslog's.  Messages go to stderr (foreground) or syslog
 * (daemon), prefixed with the level and, at debug level, the function.
 * Conventions: messages are lowercase, the subject in quotes; library
 * layers return -errno and do not log; the caller that decides logs once.
 */
#ifndef SYSMAN_LOG_H
#define SYSMAN_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Sets the threshold (LOG_ERR .. LOG_DEBUG), the program name and whether
 * to log to syslog instead of stderr.  May be called again at any time. */
void log_setup(const char *ident, int level, bool use_syslog);
int log_level(void);
/* Parses "error|warning|notice|info|debug"; returns the level or -EINVAL. */
int log_level_parse(const char *s);

void log_msg(int level, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(...)     log_msg(LOG_ERR, __func__, __VA_ARGS__)
#define log_warn(...)    log_msg(LOG_WARNING, __func__, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_NOTICE, __func__, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_DEBUG, __func__, __VA_ARGS__)

#endif
