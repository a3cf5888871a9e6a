#include "util/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int parse_long(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0')
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_int(const char *s, int min, int max, int *ret)
{
	long v;
	int r = parse_long(s, min, max, &v);

	if (r < 0)
		return r;
	*ret = (int)v;
	return 0;
}

int parse_bool(const char *s, bool *ret)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

char *str_strip(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

bool str_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

int str_copy(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (n == 0)
		return -ENAMETOOLONG;
	if (len >= n) {
		memcpy(dst, src, n - 1);
		dst[n - 1] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, len + 1);
	return 0;
}

int str_printf(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -EINVAL;
	return (size_t)r >= n ? -ENAMETOOLONG : 0;
}

int str_each_line(const char *text, size_t max, int (*fn)(char *line, void *arg), void *arg)
{
	char line[STR_LINE_MAX];
	const char *p = text;

	if (max > sizeof(line))
		max = sizeof(line);
	while (*p) {
		size_t n = strcspn(p, "\n");

		if (n < max) {
			int r;

			memcpy(line, p, n);
			line[n] = '\0';
			r = fn(line, arg);
			if (r)
				return r;
		}
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

const char *str_rc_name(int rc, char *tmp, size_t n)
{
	const char *name = rc < 0 ? strerrorname_np(-rc) : NULL;

	if (rc == 0)
		return "0";
	if (name)
		str_printf(tmp, n, "-%s", name);
	else
		str_printf(tmp, n, "%d", rc);
	return tmp;
}

int str_split_hostport(const char *addr, int default_port, char *host, size_t len, int *ret_port)
{
	const char *colon = strchr(addr, ':');
	int port = default_port;
	size_t n;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (!close || close == addr + 1 ||
		    (close[1] && (close[1] != ':' || parse_int(close + 2, 1, 65535, &port) < 0)))
			return -EINVAL;
		n = (size_t)(close - addr - 1);
		addr++;
	} else if (colon && !strchr(colon + 1, ':')) {
		if (parse_int(colon + 1, 1, 65535, &port) < 0)
			return -EINVAL;
		n = (size_t)(colon - addr);
	} else {
		n = strlen(addr);
	}
	if (n == 0 || n >= len)
		return -EINVAL;
	memcpy(host, addr, n);
	host[n] = '\0';
	*ret_port = port;
	return 0;
}
