/*
 * strutil.h - checked number parsing and small string helpers.
 * All parsers return 0 on success or -EINVAL / -ERANGE and leave *ret
 * untouched on failure.  No atoi/strtok/sprintf in Sysman: use these.
 */
#ifndef SYSMAN_STRUTIL_H
#define SYSMAN_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int parse_long(const char *s, long min, long max, long *ret);
int parse_int(const char *s, int min, int max, int *ret);
int parse_bool(const char *s, bool *ret);

/* Trims leading and trailing whitespace in place; returns s advanced. */
char *str_strip(char *s);
/* True if s ends with suffix. */
bool str_endswith(const char *s, const char *suffix);
/* Copies src into dst of size n, always NUL-terminating; returns -ENAMETOOLONG
 * if src did not fit (dst then holds the cut copy). */
int str_copy(char *dst, size_t n, const char *src);
/* snprintf that returns -ENAMETOOLONG on truncation, 0 otherwise. */
int str_printf(char *dst, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "0" for rc 0, "-ENAME" for a negative errno with a name, else the
 * number; written into tmp (n bytes) when not "0".  Returns the text. */
const char *str_rc_name(int rc, char *tmp, size_t n);

/* Splits "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT" (a bare IPv6
 * address without brackets is a host with no port) into host (len bytes)
 * and *ret_port (default_port when none is given).  Returns 0, or -EINVAL
 * for an empty host, a bad port or a host that does not fit. */
int str_split_hostport(const char *addr, int default_port, char *host, size_t len, int *ret_port);

/* The longest line str_each_line hands out. */
#define STR_LINE_MAX 4096

/* Calls fn(line, arg) for each line of text, split at '\n' (the newline
 * not included), in a writable copy.  A line of max bytes or more
 * (max <= STR_LINE_MAX) is skipped.  Stops at the first nonzero return of
 * fn and returns it; else returns 0. */
int str_each_line(const char *text, size_t max, int (*fn)(char *line, void *arg), void *arg);

#endif
