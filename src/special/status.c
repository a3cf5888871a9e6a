#include "special/status.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/strutil.h"

int status_format(struct buf *out, int rc, const char *message)
{
	char clean[STATUS_MSG_MAX + 1];
	size_t n = 0;

	for (const char *p = message ? message : ""; *p && n < STATUS_MSG_MAX; p++) {
		char ch = iscntrl((unsigned char)*p) ? ' ' : *p;

		if (ch != ' ' || n > 0)     /* no leading blanks: parsing drops them */
			clean[n++] = ch;
	}
	while (n > 0 && clean[n - 1] == ' ')
		n--;
	clean[n] = '\0';
	if (n)
		return buf_printf(out, "%d %s\n", rc, clean);
	return buf_printf(out, "%d\n", rc);
}

int status_parse(const char *text, int *ret_rc, char *msg, size_t msglen)
{
	char num[16];
	size_t n = strspn(text, "-0123456789");
	const char *rest = text + n;
	int rc;

	if (n == 0 || n >= sizeof(num) || (*rest && *rest != ' ' && *rest != '\n'))
		return -EINVAL;
	memcpy(num, text, n);
	num[n] = '\0';
	if (parse_int(num, -1000000, 1000000, &rc) < 0)
		return -EINVAL;
	if (msg && msglen) {
		size_t l;

		while (*rest == ' ')
			rest++;
		l = strcspn(rest, "\n");
		if (l >= msglen)
			l = msglen - 1;
		memcpy(msg, rest, l);
		msg[l] = '\0';
	}
	*ret_rc = rc;
	return 0;
}

bool status_is_status_name(const char *name)
{
	size_t n = strlen(name), s = strlen(STATUS_SUFFIX);

	return n > s && strcmp(name + n - s, STATUS_SUFFIX) == 0;
}
