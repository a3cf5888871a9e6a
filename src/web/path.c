/* Paths from URLs: what the web interface accepts before it opens
 * anything (no I/O here; tests/unit/test_webpath.c). */
#include "web/web.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

int tree_clean_path(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p = in;

	if (outlen < 2)
		return -ENAMETOOLONG;
	while (*p) {
		const char *e;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchr(p, '/');
		len = e ? (size_t)(e - p) : strlen(p);
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				return -EINVAL;
		if (n + len + 2 > outlen)
			return -ENAMETOOLONG;
		if (n)
			out[n++] = '/';
		memcpy(out + n, p, len);
		n += len;
		p += len;
	}
	if (!n)
		out[n++] = '.';
	out[n] = '\0';
	return 0;
}

bool web_url_path_ok(const char *raw)
{
	const char *q = strchr(raw, '?');
	size_t n = q ? (size_t)(q - raw) : strlen(raw);

	for (size_t i = 0; i + 2 < n; i++)
		if (raw[i] == '%') {
			char h[3] = { raw[i + 1], raw[i + 2], 0 };

			if (!strcasecmp(h, "2f") || !strcasecmp(h, "00") || !strcasecmp(h, "5c"))
				return false;
		}
	return true;
}
