/* Linux: exports(5), `exportfs -s` and `exportfs -v` output. */
#include <errno.h>
#include <string.h>

#include "nfs/parse_priv.h"

/* Applies "a,b,c" (len bytes) of Linux export options. */
static int linux_opts(struct nfs_pctx *c, struct nfs_xopts *o,
		      const char *s, size_t len, unsigned line, unsigned col)
{
	size_t i = 0;
	int r;

	while (i < len) {
		size_t n = 0;

		while (i + n < len && s[i + n] != ',')
			n++;
		if (n) {
			r = nfs_linux_xopt(c, o, s + i, n, line, col + i);
			if (r < 0)
				return r;
		}
		i += n + 1;
	}
	return 0;
}

/* One "client(opts)" token; defaults from a preceding "-opts". */
static int linux_client(struct nfs_pctx *c, struct nfs_export *e,
			const struct nfs_tok *t, const struct nfs_xopts *defs,
			unsigned line)
{
	char *open = strchr(t->s, '(');
	struct nfs_xopts o = *defs;
	struct nfs_client *cl;
	size_t len;
	int r;

	if (open) {
		len = strlen(open + 1);
		if (len == 0 || open[len] != ')')
			return nfs_error_set(c->err, line, t->col,
					     "missing ')' in '%s'", t->s);
		r = linux_opts(c, &o, open + 1, len - 1, line,
			       t->col + (unsigned)(open - t->s) + 1);
		if (r < 0)
			return r;
		*open = '\0';
	}
	if (strcmp(t->s, "<world>") == 0 || t->s[0] == '\0')
		t->s[0] = '*', t->s[1] = '\0';
	cl = nfs_pctx_client(c, e, t->s, false, line, t->col);
	if (!cl)
		return -EINVAL;
	cl->opts = o;
	return 0;
}

/* Handles the tokens of one export line after the path. */
static int linux_line(struct nfs_pctx *c, struct nfs_export *e,
		      struct nfs_tok *t, size_t n, unsigned line)
{
	struct nfs_xopts defs = { 0 };
	int r = 0;

	for (size_t i = 0; r >= 0 && i < n; i++) {
		if (t[i].s[0] == '-')
			r = linux_opts(c, &defs, t[i].s + 1, strlen(t[i].s + 1),
				       line, t[i].col + 1);
		else
			r = linux_client(c, e, &t[i], &defs, line);
	}
	return r;
}

int nfs_parse_linux_exports(struct nfs_pctx *c)
{
	struct nfs_lex lx;
	int r;

	nfs_lex_init(&lx, c->text, c->len, NFS_LEX_CONT | NFS_LEX_HASH |
		     NFS_LEX_QUOTE | NFS_LEX_OCTAL);
	while ((r = nfs_lex_next(&lx, c->err)) > 0) {
		struct nfs_export *e;

		if (lx.tok[0].s[0] != '/') {
			r = nfs_error_set(c->err, lx.lineno, lx.tok[0].col,
					  "want an absolute path, not '%s'",
					  lx.tok[0].s);
			break;
		}
		e = nfs_pctx_export(c, lx.tok[0].s, lx.lineno);
		r = e ? linux_line(c, e, lx.tok + 1, lx.ntok - 1, lx.lineno)
		      : -EINVAL;
		if (r < 0)
			break;
	}
	nfs_lex_release(&lx);
	return r < 0 ? r : 0;
}

/* exportfs -v: "path<blanks>client(opts)", or a long path alone on its
 * line with its clients on the indented lines that follow. */
int nfs_parse_exportfs_v(struct nfs_pctx *c)
{
	struct nfs_export *e = NULL;
	struct nfs_lex lx;
	int r;

	nfs_lex_init(&lx, c->text, c->len, NFS_LEX_QUOTE | NFS_LEX_OCTAL);
	while ((r = nfs_lex_next(&lx, c->err)) > 0) {
		size_t first = 0;

		if (lx.tok[0].col == 1) {
			if (lx.tok[0].s[0] != '/') {
				r = nfs_error_set(c->err, lx.lineno, 1,
					"want an absolute path, not '%s'",
					lx.tok[0].s);
				break;
			}
			e = nfs_pctx_export(c, lx.tok[0].s, lx.lineno);
			if (!e) {
				r = -EINVAL;
				break;
			}
			first = 1;
		} else if (!e) {
			r = nfs_error_set(c->err, lx.lineno, lx.tok[0].col,
					  "client line before any path");
			break;
		}
		r = linux_line(c, e, lx.tok + first, lx.ntok - first,
			       lx.lineno);
		if (r < 0)
			break;
	}
	nfs_lex_release(&lx);
	return r < 0 ? r : 0;
}
