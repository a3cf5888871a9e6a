/* The discovery line's syntax (dline.h). */
#include "special/dline.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/strutil.h"

static bool safe_word(const char *s, const char *extra)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

int dline_parse(const char *line, struct dline *d, char *why, size_t whylen)
{
	char copy[2048], *save = NULL, *tok;
	int i = 0;

	memset(d, 0, sizeof(*d));
	if (str_copy(copy, sizeof(copy), line) < 0) {
		str_copy(why, whylen, "line too long");
		return -EINVAL;
	}
	for (tok = strtok_r(copy, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save), i++) {
		char *eq = strchr(tok, '=');

		if (i == 0) {
			if (str_copy(d->kind, sizeof(d->kind), tok) < 0 || !safe_word(d->kind, "_-"))
				goto bad_kind;
		} else if (i == 1) {
			if (str_copy(d->addr, sizeof(d->addr), tok) < 0 || !safe_word(d->addr, ".:-_[]")) {
				snprintf(why, whylen, "bad address '%.64s'", tok);
				return -EINVAL;
			}
		} else if (!eq && !d->name[0] && i == 2) {
			if (str_copy(d->name, sizeof(d->name), tok) < 0 || !safe_word(d->name, "._-:")) {
				snprintf(why, whylen, "bad name '%.64s'", tok);
				return -EINVAL;
			}
		} else if (eq && !strncmp(tok, "parent=", 7)) {
			const char *p = tok + 7;

			while (*p == '/')
				p++;
			if (str_copy(d->parent, sizeof(d->parent), p) < 0 || strstr(p, "..") || !*p) {
				snprintf(why, whylen, "bad parent '%.64s'", tok + 7);
				return -EINVAL;
			}
		} else if (eq && eq != tok) {
			size_t l = strlen(d->attrs);

			if (l + strlen(tok) + 2 >= sizeof(d->attrs)) {
				str_copy(why, whylen, "too many attributes");
				return -EINVAL;
			}
			snprintf(d->attrs + l, sizeof(d->attrs) - l, "%s%s", l ? " " : "", tok);
		} else {
			snprintf(why, whylen, "unexpected word '%.64s' (expected KIND ADDRESS [NAME] [KEY=VALUE...])", tok);
			return -EINVAL;
		}
	}
	if (i < 2) {
		str_copy(why, whylen, "expected KIND ADDRESS [NAME] [KEY=VALUE...] or 1");
		return -EINVAL;
	}
	return 0;
bad_kind:
	snprintf(why, whylen, "bad kind '%.32s'", tok);
	return -EINVAL;
}

/* "set KEY=VALUE..." in a discovery agent's output: attributes for the
 * device the agent accepted (protocol=auto is resolved this way). */
const char *dline_set_words(const char *l)
{
	l += strspn(l, " \t");
	return strncmp(l, "set", 3) == 0 && (l[3] == ' ' || l[3] == '\t') ? l + 4 : NULL;
}

int dline_attrs_put(char *attrs, size_t size, const char *word)
{
	const char *eq = strchr(word, '=');
	size_t klen = eq ? (size_t)(eq - word) : 0, l = 0;
	char old[sizeof(((struct dline *)0)->attrs)], out[sizeof(old)], *save = NULL;

	if (!klen || !(isalpha((unsigned char)word[0]) || word[0] == '_') ||
	    !strncmp(word, "parent=", 7) || size > sizeof(out) ||
	    str_copy(old, sizeof(old), attrs) < 0)
		return -EINVAL;
	for (size_t i = 0; i < klen; i++)
		if (!isalnum((unsigned char)word[i]) && word[i] != '_')
			return -EINVAL;
	for (const char *v = eq + 1; *v; v++)
		if (isspace((unsigned char)*v) || iscntrl((unsigned char)*v))
			return -EINVAL;
	out[0] = '\0';
	for (char *w = strtok_r(old, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!strncmp(w, word, klen) && w[klen] == '=')
			continue;
		if (str_printf(out + l, size - l, "%s%s", l ? " " : "", w) < 0)
			return -EINVAL;
		l += strlen(out + l);
	}
	if (str_printf(out + l, size - l, "%s%s", l ? " " : "", word) < 0)
		return -EINVAL;
	memcpy(attrs, out, strlen(out) + 1);
	return 0;
}
