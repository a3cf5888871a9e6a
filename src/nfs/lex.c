#include "nfs/lex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void nfs_lex_init(struct nfs_lex *lx, const char *text, size_t len,
		  unsigned flags)
{
	memset(lx, 0, sizeof(*lx));
	lx->p = text;
	lx->end = text + len;
	lx->line = 1;
	lx->flags = flags;
	buf_init(&lx->cur, 0);
}

void nfs_lex_release(struct nfs_lex *lx)
{
	buf_release(&lx->cur);
	free(lx->tok);
	lx->tok = NULL;
	lx->ntok = lx->captok = 0;
}

/* Reads one logical line into lx->cur.  Returns 1, 0 at end, or <0. */
static int read_line(struct nfs_lex *lx)
{
	bool more = true;
	int r;

	if (lx->p >= lx->end)
		return 0;
	buf_reset(&lx->cur);
	lx->lineno = lx->line;
	while (more && lx->p < lx->end) {
		const char *nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
		const char *e = nl ? nl : lx->end;
		size_t len = (size_t)(e - lx->p);

		if (len && lx->p[len - 1] == '\r')
			len--;
		more = false;
		if ((lx->flags & NFS_LEX_CONT) && len && lx->p[len - 1] == '\\') {
			len--;
			more = true;
		}
		r = buf_append(&lx->cur, lx->p, len);
		if (r == 0 && more)
			r = buf_append(&lx->cur, " ", 1);
		if (r < 0)
			return r;
		lx->p = nl ? nl + 1 : lx->end;
		lx->line++;
	}
	return 1;
}

static int add_tok(struct nfs_lex *lx, char *s, unsigned col, bool quoted)
{
	if (lx->ntok >= NFS_LEX_MAX_TOKENS)
		return -E2BIG;
	if (lx->ntok == lx->captok) {
		size_t ncap = lx->captok ? lx->captok * 2 : 16;
		struct nfs_tok *v = realloc(lx->tok, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		lx->tok = v;
		lx->captok = ncap;
	}
	lx->tok[lx->ntok].s = s;
	lx->tok[lx->ntok].col = col;
	lx->tok[lx->ntok].quoted = quoted;
	lx->ntok++;
	return 0;
}

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Scans one token starting at *pp, unescaping in place; returns 0 or
 * -EINVAL for an unterminated quote.  *quoted is set if quotes were seen. */
static int scan_token(struct nfs_lex *lx, char **pp, bool *quoted)
{
	char *start = *pp, *r = *pp, *w = *pp;
	bool inq = false;

	while (*r && (inq || !strchr(" \t\r\f\v", *r))) {
		if (*r == '"' && (lx->flags & NFS_LEX_QUOTE)) {
			inq = !inq;
			*quoted = true;
			r++;
		} else if (*r == '\\' && inq && (r[1] == '"' || r[1] == '\\')) {
			*w++ = r[1];
			r += 2;
		} else if (*r == '\\' && (lx->flags & NFS_LEX_OCTAL) &&
			   is_octal(r[1]) && is_octal(r[2]) && is_octal(r[3])) {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) |
				      (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	if (inq)
		return -EINVAL;
	*pp = *r ? r + 1 : r;
	*w = '\0';
	/* control characters (quoted, or from an octal escape) are refused:
	 * no format means them and they would not survive printing */
	for (const unsigned char *q = (const unsigned char *)start; *q; q++)
		if ((*q < 0x20 && *q != '\t') || *q == 0x7f)
			return -EBADMSG;
	return 0;
}

static int tokenize(struct nfs_lex *lx, struct nfs_error *err)
{
	char *base = lx->cur.data, *p = base;
	int r;

	lx->ntok = 0;
	if (!p)
		return 0;
	/* a NUL byte would silently cut the line short: refuse it like the
	 * other control characters */
	if (memchr(base, '\0', lx->cur.len))
		return nfs_error_set(err, lx->lineno,
				     (unsigned)strlen(base) + 1,
				     "NUL byte in line");
	if ((lx->flags & NFS_LEX_STAR) && p[strspn(p, " \t")] == '*')
		return 0;
	for (;;) {
		bool quoted = false;
		char *start;
		unsigned col;

		p += strspn(p, " \t\r\f\v");
		if (!*p)
			break;
		if (*p == '#' && (lx->flags & NFS_LEX_HASH))
			break;
		start = p;
		col = (unsigned)(p - base) + 1;
		r = scan_token(lx, &p, &quoted);
		if (r == -EBADMSG)
			return nfs_error_set(err, lx->lineno, col,
					     "control character in '%s'", start);
		if (r < 0)
			return nfs_error_set(err, lx->lineno, col,
					     "unterminated quote");
		r = add_tok(lx, start, col, quoted);
		if (r < 0)
			return r;
	}
	return 0;
}

int nfs_lex_next(struct nfs_lex *lx, struct nfs_error *err)
{
	int r;

	for (;;) {
		r = read_line(lx);
		if (r <= 0)
			return r;
		r = tokenize(lx, err);
		if (r < 0)
			return r;
		if (lx->ntok > 0)
			return 1;
	}
}

int nfs_quote(struct buf *b, const char *s)
{
	int r;

	if (*s && !strpbrk(s, " \t\"#\\"))
		return buf_append_str(b, s);
	r = buf_append(b, "\"", 1);
	for (; *s && r >= 0; s++) {
		if (*s == '"' || *s == '\\')
			r = buf_append(b, "\\", 1);
		if (r >= 0)
			r = buf_append(b, s, 1);
	}
	return r < 0 ? r : buf_append(b, "\"", 1);
}

int nfs_octal_escape(struct buf *b, const char *s)
{
	int r = 0;

	for (; *s && r >= 0; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\\' || *s == '\n' ||
		    *s == '#')
			r = buf_printf(b, "\\%03o", (unsigned char)*s);
		else
			r = buf_append(b, s, 1);
	}
	return r;
}
