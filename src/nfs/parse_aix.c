/* AIX: /etc/exports (exports(4)) and /etc/filesystems NFS stanzas. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/opts.h"
#include "nfs/parse_priv.h"
#include "util/strutil.h"

struct aix_line {
	char *rw, *ro, *access, *root;     /* lists, NULL if absent */
	bool rw_all, ro_all;
	struct nfs_xopts common;           /* anon=, sec= */
};

static int aix_option(struct nfs_pctx *c, struct aix_line *l, char *opt,
		      unsigned line, unsigned col)
{
	static const char *const ignore[] = { "vers", "public", "noauth",
		"exname", "refer", "replicas", "nfsroot", "secure", "nosuid",
		"nodev", "upgrade", "donotpropagate", NULL };
	char *v = strchr(opt, '=');
	long n;

	if (v)
		*v++ = '\0';
	if (strcmp(opt, "rw") == 0 && !v)
		l->rw_all = true;
	else if (strcmp(opt, "ro") == 0 && !v)
		l->ro_all = true;
	else if (strcmp(opt, "rw") == 0 && v)
		l->rw = v;
	else if (strcmp(opt, "ro") == 0 && v)
		l->ro = v;
	else if (strcmp(opt, "access") == 0 && v)
		l->access = v;
	else if (strcmp(opt, "root") == 0 && v)
		l->root = v;
	else if (strcmp(opt, "anon") == 0 && v &&
		 parse_long(v, -1, 2147483647l, &n) == 0) {
		/* anon=-1 refuses unknown users: no neutral meaning, so it is
		 * not kept (found by the aix-exports fuzz target) */
		if (n >= 0) {
			l->common.anonuid = (unsigned long)n;
			l->common.set |= NFS_XO_ANONUID;
		} else {
			l->common.set &= ~NFS_XO_ANONUID;   /* the last anon= wins */
		}
	} else if (strcmp(opt, "sec") == 0 && v &&
		   nfs_sec_list_parse(&l->common, v, strlen(v)) == 0) {
		;
	} else {
		for (size_t i = 0; ignore[i]; i++)
			if (strcmp(opt, ignore[i]) == 0)
				return 0;
		return nfs_error_set(c->err, line, col,
				     "unknown exports option '%s'", opt);
	}
	return 0;
}

/* Adds the names of list with the given access (0 ro, 1 rw, 2 root only,
 * 3 keep if present). */
static int aix_names(struct nfs_pctx *c, struct nfs_export *e, char *list,
		     int what, bool star_rw, unsigned line)
{
	for (char *q = list, *nx; q; q = nx) {
		struct nfs_client *cl;
		bool fresh;

		nx = strchr(q, ':');
		if (nx)
			*nx++ = '\0';
		if (!*q)
			continue;
		fresh = true;
		for (size_t i = 0; i < e->nclients && fresh; i++)
			fresh = strcmp(e->clients[i].spec, q) != 0 &&
				!(e->clients[i].spec[0] == '@' &&
				  strcmp(e->clients[i].spec + 1, q) == 0);
		cl = nfs_pctx_client(c, e, q, true, line, 1);
		if (!cl)
			return -EINVAL;
		if (what == 2) {
			cl->opts.squash = NFS_SQ_NONE;
			cl->opts.set |= NFS_XO_SQUASH;
		}
		if (fresh || what == 1) {
			cl->opts.rw = what == 1 || (what == 2 && star_rw);
			cl->opts.set |= NFS_XO_ACCESS;
		}
	}
	return 0;
}

/* Turns the lists of one line into clients (see exports(4)). */
static int aix_clients(struct nfs_pctx *c, struct nfs_export *e,
		       struct aix_line *l, unsigned line)
{
	size_t first = e->nclients;
	int r = 0;

	if (l->access)
		r = aix_names(c, e, l->access, 0, false, line);
	if (r >= 0 && l->rw)
		r = aix_names(c, e, l->rw, 1, false, line);
	if (r >= 0 && l->ro)
		r = aix_names(c, e, l->ro, 0, false, line);
	if (r >= 0 && !l->access) {
		struct nfs_client *star = nfs_pctx_client(c, e, "*", false,
							  line, 1);
		if (!star)
			return -EINVAL;
		star->opts.rw = l->rw_all || (!l->ro_all && !l->rw);
		star->opts.set |= NFS_XO_ACCESS;
	}
	if (r >= 0 && l->root)
		r = aix_names(c, e, l->root, 2, !l->access && (l->rw_all ||
			      (!l->ro_all && !l->rw)), line);
	for (size_t i = first; r >= 0 && i < e->nclients; i++) {
		struct nfs_xopts *o = &e->clients[i].opts;

		if (l->common.set & NFS_XO_ANONUID) {
			o->anonuid = l->common.anonuid;
			o->set |= NFS_XO_ANONUID;
		}
		if (l->common.set & NFS_XO_SEC) {
			memcpy(o->sec, l->common.sec, sizeof(o->sec));
			o->nsec = l->common.nsec;
			o->set |= NFS_XO_SEC;
		}
	}
	return r;
}

int nfs_parse_aix_exports(struct nfs_pctx *c)
{
	struct nfs_lex lx;
	int r;

	nfs_lex_init(&lx, c->text, c->len, NFS_LEX_CONT | NFS_LEX_HASH);
	while ((r = nfs_lex_next(&lx, c->err)) > 0) {
		struct aix_line l = { 0 };
		struct nfs_export *e;
		char *o = lx.ntok > 1 ? lx.tok[1].s : NULL;

		if (lx.tok[0].s[0] != '/' || lx.ntok > 2 || (o && o[0] != '-')) {
			r = nfs_error_set(c->err, lx.lineno, lx.tok[0].col,
					  "want: /path [-option,...]");
			break;
		}
		for (char *q = o ? o + 1 : NULL, *nx; r >= 0 && q; q = nx) {
			nx = strchr(q, ',');
			if (nx)
				*nx++ = '\0';
			if (*q)
				r = aix_option(c, &l, q, lx.lineno, lx.tok[1].col +
					       (unsigned)(q - o));
		}
		e = r >= 0 ? nfs_pctx_export(c, lx.tok[0].s, lx.lineno) : NULL;
		if (r >= 0)
			r = e ? aix_clients(c, e, &l, lx.lineno) : -EINVAL;
		if (r < 0)
			break;
	}
	nfs_lex_release(&lx);
	return r < 0 ? r : 0;
}

struct stanza {
	char *name, *dev, *vfs, *nodename, *options;
	unsigned line;
};

static void stanza_reset(struct stanza *s)
{
	free(s->name);
	free(s->dev);
	free(s->vfs);
	free(s->nodename);
	free(s->options);
	memset(s, 0, sizeof(*s));
}

static int stanza_end(struct nfs_pctx *c, struct stanza *s)
{
	struct nfs_import *im;
	char dev[4096];
	int r = 0;

	if (s->name && s->vfs && strcmp(s->vfs, "nfs") == 0) {
		if (!s->dev || !s->nodename ||
		    str_printf(dev, sizeof(dev), "%s:%s", s->nodename,
			       s->dev) < 0)
			r = nfs_error_set(c->err, s->line, 1, "nfs stanza '%s' "
					  "needs dev and nodename", s->name);
		im = r < 0 ? NULL : nfs_pctx_import(c, dev, s->name, s->line, 1);
		if (r >= 0)
			r = im ? nfs_mount_opts(c, &im->opts, s->options ?
				s->options : "", s->line, 1) : -EINVAL;
	}
	stanza_reset(s);
	return r;
}

static int stanza_attr(struct nfs_pctx *c, struct stanza *s,
		       struct nfs_lex *lx)
{
	struct nfs_tok *t = lx->tok;
	char **dst = NULL;
	const char *k = t[0].s;

	if (lx->ntok != 3 || strcmp(t[1].s, "=") != 0)
		return nfs_error_set(c->err, lx->lineno, t[0].col,
				     "want: attribute = value");
	if (strcmp(k, "dev") == 0)
		dst = &s->dev;
	else if (strcmp(k, "vfs") == 0)
		dst = &s->vfs;
	else if (strcmp(k, "nodename") == 0)
		dst = &s->nodename;
	else if (strcmp(k, "options") == 0)
		dst = &s->options;
	if (!dst)
		return 0;
	free(*dst);
	*dst = strdup(t[2].s);
	return *dst ? 0 : -ENOMEM;
}

int nfs_parse_aix_filesystems(struct nfs_pctx *c)
{
	struct stanza s = { 0 };
	struct nfs_lex lx;
	int r;

	nfs_lex_init(&lx, c->text, c->len, NFS_LEX_STAR | NFS_LEX_HASH |
		     NFS_LEX_QUOTE);
	while ((r = nfs_lex_next(&lx, c->err)) > 0) {
		size_t len = strlen(lx.tok[0].s);

		if (lx.ntok == 1 && len > 1 && lx.tok[0].s[len - 1] == ':') {
			r = stanza_end(c, &s);
			if (r < 0)
				break;
			s.name = strndup(lx.tok[0].s, len - 1);
			s.line = lx.lineno;
			if (!s.name) {
				r = -ENOMEM;
				break;
			}
			continue;
		}
		r = s.name ? stanza_attr(c, &s, &lx) :
		    nfs_error_set(c->err, lx.lineno, 1, "attribute outside a "
				  "stanza");
		if (r < 0)
			break;
	}
	if (r >= 0)
		r = stanza_end(c, &s);
	stanza_reset(&s);
	nfs_lex_release(&lx);
	return r < 0 ? r : 0;
}
