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

#endif
