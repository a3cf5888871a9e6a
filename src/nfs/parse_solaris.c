/* Solaris / illumos: dfstab (share -F nfs ...) and vfstab(4). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/opts.h"
#include "nfs/parse_priv.h"
#include "util/strutil.h"

/* A share_nfs client name as a plan spec: @net -> net, .dom -> *.dom,
 * bare names -> host or (when known) @netgroup. */
static int sol_spec(const char *name, char *dst, size_t n)
{
	if (name[0] == '@')
		return str_copy(dst, n, name + 1);
	if (name[0] == '.')
		return str_printf(dst, n, "*%s", name);
	return str_copy(dst, n, name);
}

struct share {
	struct nfs_xopts common;       /* anon=, sec= */
	bool anon, sec, access;
};

/* Adds the entries of "a:b:-c" with access rw (or only marks root). */
static int sol_entries(struct nfs_pctx *c, struct nfs_export *e,
		       char *list, int what, unsigned line, unsigned col)
{
	for (char *q = list, *nx; q; q = nx) {
		bool deny = q[0] == '-';
		struct nfs_client *cl;
		char spec[256];

		nx = strchr(q, ':');
		if (nx)
			*nx++ = '\0';
		if (!q[deny])
			continue;
		if (sol_spec(q + deny, spec, sizeof(spec)) < 0)
			return nfs_error_set(c->err, line, col, "name too long");
		cl = nfs_pctx_client(c, e, spec, true, line, col);
		if (!cl)
			return -EINVAL;
		if (deny) {
			cl->deny = true;
			continue;
		}
		if (what == 2) {
			cl->opts.squash = NFS_SQ_NONE;
			cl->opts.set |= NFS_XO_SQUASH;
		} else if (!(cl->opts.set & NFS_XO_ACCESS)) {
			cl->opts.rw = what == 1;
			cl->opts.set |= NFS_XO_ACCESS;
		}
	}
	return 0;
}

static int sol_option(struct nfs_pctx *c, struct nfs_export *e,
		      struct share *sh, char *opt, unsigned line, unsigned col)
{
	static const char *const ignore[] = { "nosuid", "nosub", "public",
		"aclok", "noaclfab", "nohide", "log", "index", "window",
		"uidmap", "gidmap", "charset", "none", NULL };
	char *v = strchr(opt, '=');
	unsigned long n;
	long l;

	if (v)
		*v++ = '\0';
	if (strcmp(opt, "rw") == 0 || strcmp(opt, "ro") == 0) {
		sh->access = true;
		return sol_entries(c, e, v ? v : (char[]){ "*" }, opt[1] == 'w',
				   line, col);
	}
	if (strcmp(opt, "root") == 0 && v)
		return sol_entries(c, e, v, 2, line, col);
	if (strcmp(opt, "anon") == 0 && v && parse_long(v, -1, 2147483647l,
							&l) == 0) {
		/* anon=-1 refuses unknown users: no neutral meaning */
		n = (unsigned long)l;
		sh->common.anonuid = n;
		sh->anon = l >= 0;
		return 0;
	}
	if (strcmp(opt, "sec") == 0 && v &&
	    nfs_sec_list_parse(&sh->common, v, strlen(v)) == 0) {
		sh->sec = true;
		return 0;
	}
	for (size_t i = 0; ignore[i]; i++)
		if (strcmp(opt, ignore[i]) == 0)
			return 0;
	return nfs_error_set(c->err, line, col, "unknown share option '%s'",
			     opt);
}

/* Applies the share-wide anon= and sec= to every allowed client. */
static void sol_common(struct nfs_export *e, const struct share *sh)
{
	for (size_t i = 0; i < e->nclients; i++) {
		struct nfs_xopts *o = &e->clients[i].opts;

		if (e->clients[i].deny)
			continue;
		if (!(o->set & NFS_XO_ACCESS)) {
			o->set |= NFS_XO_ACCESS;   /* root= only: ro */
			o->rw = false;
		}
		if (sh->anon) {
			o->anonuid = sh->common.anonuid;
			o->set |= NFS_XO_ANONUID;
		}
		if (sh->sec) {
			memcpy(o->sec, sh->common.sec, sizeof(o->sec));
			o->nsec = sh->common.nsec;
			o->set |= NFS_XO_SEC;
		}
	}
}

/* share [-F nfs] [-o opts] [-d desc] [-p] path [resource] */
static int sol_share(struct nfs_pctx *c, struct nfs_lex *lx)
{
	struct nfs_tok *t = lx->tok;
	struct share sh = { 0 };
	const char *path = NULL, *opts = NULL;
	struct nfs_export *e;
	unsigned ocol = 0;
	char *copy;
	int r = 0;

	for (size_t i = 1; i < lx->ntok; i++) {
		if ((strcmp(t[i].s, "-F") == 0 || strcmp(t[i].s, "-o") == 0 ||
		     strcmp(t[i].s, "-d") == 0) && i + 1 < lx->ntok) {
			if (t[i].s[1] == 'F' && strcmp(t[i + 1].s, "nfs"))
				return 0;         /* another file system type */
			if (t[i].s[1] == 'o')
				opts = t[i + 1].s, ocol = t[i + 1].col;
			i++;
		} else if (strcmp(t[i].s, "-p") == 0) {
			continue;
		} else if (t[i].s[0] == '/' && !path) {
			path = t[i].s;
		} else if (!path || t[i].s[0] == '-') {
			return nfs_error_set(c->err, lx->lineno, t[i].col,
					     "unexpected '%s'", t[i].s);
		}
	}
	if (!path)
		return nfs_error_set(c->err, lx->lineno, 1, "share without path");
	e = nfs_pctx_export(c, path, lx->lineno);
	if (!e)
		return -EINVAL;
	copy = strdup(opts ? opts : "rw");
	if (!copy)
		return -ENOMEM;
	for (char *q = copy, *nx; r >= 0 && q; q = nx) {
		nx = strchr(q, ',');
		if (nx)
			*nx++ = '\0';
		if (*q)
			r = sol_option(c, e, &sh, q, lx->lineno,
				       ocol + (unsigned)(q - copy));
	}
	free(copy);
	if (r >= 0 && !sh.access)       /* share_nfs: no rw/ro means rw */
		r = sol_option(c, e, &sh, (char[]){ "rw" }, lx->lineno, 1);
	if (r >= 0)
		sol_common(e, &sh);
	return r;
}

int nfs_parse_solaris_dfstab(struct nfs_pctx *c)
{
	struct nfs_lex lx;
	int r;

	nfs_lex_init(&lx, c->text, c->len, NFS_LEX_CONT | NFS_LEX_HASH |
		     NFS_LEX_QUOTE);
	while ((r = nfs_lex_next(&lx, c->err)) > 0) {
		const char *cmd = lx.tok[0].s;

		if (strcmp(cmd, "share") != 0 &&
		    strcmp(cmd, "/usr/sbin/share") != 0) {
			r = nfs_error_set(c->err, lx.lineno, lx.tok[0].col,
					  "want a share command, not '%s'", cmd);
			break;
		}
		r = sol_share(c, &lx);
		if (r < 0)
			break;
	}
	nfs_lex_release(&lx);
	return r < 0 ? r : 0;
}

int nfs_parse_solaris_vfstab(struct nfs_pctx *c)
{
	struct nfs_lex lx;
	int r;

	nfs_lex_init(&lx, c->text, c->len, NFS_LEX_HASH);
	while ((r = nfs_lex_next(&lx, c->err)) > 0) {
		struct nfs_import *im;
		const char *o;

		if (lx.ntok != 7) {
			r = nfs_error_set(c->err, lx.lineno, 1,
					  "want 7 columns, not %zu", lx.ntok);
			break;
		}
		if (strcmp(lx.tok[3].s, "nfs") != 0)
			continue;
		im = nfs_pctx_import(c, lx.tok[0].s, lx.tok[2].s, lx.lineno,
				     lx.tok[0].col);
		o = strcmp(lx.tok[6].s, "-") == 0 ? "" : lx.tok[6].s;
		r = im ? nfs_mount_opts(c, &im->opts, o, lx.lineno,
					lx.tok[6].col) : -EINVAL;
		if (r < 0)
			break;
	}
	nfs_lex_release(&lx);
	return r < 0 ? r : 0;
}
