/* nfs-ganesha: EXPORT and EXPORT_DEFAULTS blocks of ganesha.conf. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nfs/opts.h"
#include "nfs/parse_priv.h"
#include "util/strutil.h"

#define GN_DEPTH 8

struct gtok {
	int kind;                      /* 'w' word, '"' string, or the char */
	const char *s;
	size_t len;
	unsigned line, col;
};

struct gn {
	struct nfs_pctx *c;
	const char *p, *end, *bol;
	unsigned line;
	struct gtok t;                 /* current token */
};

static void next(struct gn *g)
{
	for (;;) {
		while (g->p < g->end && isspace((unsigned char)*g->p)) {
			if (*g->p == '\n') {
				g->line++;
				g->bol = g->p + 1;
			}
			g->p++;
		}
		if (g->p < g->end && (*g->p == '#' || *g->p == '%')) {
			while (g->p < g->end && *g->p != '\n')
				g->p++;
			continue;
		}
		break;
	}
	g->t.line = g->line;
	g->t.col = (unsigned)(g->p - g->bol) + 1;
	g->t.s = g->p;
	g->t.len = 0;
	if (g->p >= g->end) {
		g->t.kind = 0;
	} else if (strchr("{}=;,", *g->p)) {
		g->t.kind = *g->p++;
		g->t.len = 1;
	} else if (*g->p == '"') {
		g->t.kind = '"';
		g->t.s = ++g->p;
		while (g->p < g->end && *g->p != '"' && *g->p != '\n')
			g->p++;
		g->t.len = (size_t)(g->p - g->t.s);
		if (g->p < g->end && *g->p == '"')
			g->p++;
		else
			g->t.kind = '!';       /* unterminated */
	} else {
		g->t.kind = 'w';
		while (g->p < g->end && !isspace((unsigned char)*g->p) &&
		       !strchr("{}=;,\"#", *g->p))
			g->p++;
		g->t.len = (size_t)(g->p - g->t.s);
	}
}

static int fail(struct gn *g, const char *what)
{
	return nfs_error_set(g->c->err, g->t.line, g->t.col, "%s", what);
}

static bool is(const struct gtok *t, const char *word)
{
	return (t->kind == 'w' || t->kind == '"') && strlen(word) == t->len &&
	       strncasecmp(t->s, word, t->len) == 0;
}

/* Settings of one block, accumulated. */
struct gset {
	struct nfs_xopts o;
	bool access_none, have_access;
	char *path;
	char **clients;
	size_t nclients;
};

static void gset_release(struct gset *s)
{
	free(s->path);
	for (size_t i = 0; i < s->nclients; i++)
		free(s->clients[i]);
	free(s->clients);
	memset(s, 0, sizeof(*s));
}

static int apply_access(struct gset *s, const struct gtok *v)
{
	s->have_access = true;
	s->access_none = is(v, "None");
	s->o.set |= NFS_XO_ACCESS;
	if (is(v, "RW"))
		s->o.rw = true;
	else if (is(v, "RO") || is(v, "MDONLY") || is(v, "MDONLY_RO") ||
		 s->access_none)
		s->o.rw = false;
	else
		return -EINVAL;
	return 0;
}

static int apply_squash(struct gset *s, const struct gtok *v)
{
	static const struct { const char *n; int sq; } t[] = {
		{ "Root", NFS_SQ_ROOT }, { "Root_Squash", NFS_SQ_ROOT },
		{ "RootSquash", NFS_SQ_ROOT }, { "Root_Id_Squash", NFS_SQ_ROOT },
		{ "RootIdSquash", NFS_SQ_ROOT }, { "No_Root_Squash", NFS_SQ_NONE },
		{ "None", NFS_SQ_NONE }, { "NoIdSquash", NFS_SQ_NONE },
		{ "All", NFS_SQ_ALL }, { "All_Squash", NFS_SQ_ALL },
		{ "AllSquash", NFS_SQ_ALL }, { "All_Anonymous", NFS_SQ_ALL }, { "AllAnonymous", NFS_SQ_ALL },
		{ "RootId", NFS_SQ_ROOT },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (is(v, t[i].n)) {
			s->o.squash = t[i].sq;
			s->o.set |= NFS_XO_SQUASH;
			return 0;
		}
	return -EINVAL;
}

static int apply_num(unsigned long *dst, const struct gtok *v)
{
	char tmp[16];
	long n;

	if (v->len == 0 || v->len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, v->s, v->len);
	tmp[v->len] = '\0';
	if (parse_long(tmp, 0, 4294967295l, &n) < 0)
		return -EINVAL;
	*dst = (unsigned long)n;
	return 0;
}

/* Applies key = values[0..n) to s. */
static int apply(struct gset *s, const struct gtok *k, const struct gtok *v,
		 size_t n)
{
	if (is(k, "Path"))
		return n == 1 && !s->path &&
		       (s->path = strndup(v[0].s, v[0].len)) ? 0 : -EINVAL;
	if (is(k, "Clients")) {
		for (size_t i = 0; i < n; i++) {
			char *x = strndup(v[i].s, v[i].len);
			int r = x ? nfs_strv_add(&s->clients, &s->nclients, x)
				  : -ENOMEM;

			free(x);
			if (r < 0)
				return r;
		}
		return 0;
	}
	if (n != 1 && !is(k, "SecType"))
		return 0;                      /* Protocols, Transports ... */
	if (is(k, "Access_Type"))
		return apply_access(s, v);
	if (is(k, "Squash"))
		return apply_squash(s, v);
	if (is(k, "Anonymous_Uid") || is(k, "Anonymous_Gid")) {
		bool uid = tolower((unsigned char)k->s[10]) == 'u';

		s->o.set |= uid ? NFS_XO_ANONUID : NFS_XO_ANONGID;
		return apply_num(uid ? &s->o.anonuid : &s->o.anongid, v);
	}
	if (is(k, "PrivilegedPort")) {
		s->o.set |= NFS_XO_SECURE;
		s->o.insecure = is(v, "false") || is(v, "no") || is(v, "0");
		return 0;
	}
	if (is(k, "SecType")) {
		s->o.nsec = 0;
		s->o.set &= ~(unsigned)NFS_XO_SEC;
		for (size_t i = 0; i < n; i++) {
			char tmp[8];
			int sec;

			if (is(&v[i], "none"))
				continue;       /* AUTH_NONE: no neutral name */
			if (v[i].len >= sizeof(tmp))
				return -EINVAL;
			memcpy(tmp, v[i].s, v[i].len);
			tmp[v[i].len] = '\0';
			sec = nfs_sec_parse(tmp);
			if (sec < 0)
				return -EINVAL;
			if (!memchr(s->o.sec, sec, s->o.nsec) &&
			    s->o.nsec < NFS_MAX_SEC)
				s->o.sec[s->o.nsec++] = (unsigned char)sec;
		}
		if (s->o.nsec)
			s->o.set |= NFS_XO_SEC;
	}
	return 0;
}

/* key = v, v, ...;  (the key is consumed, g->t is '=') */
static int assignment(struct gn *g, struct gset *s, const struct gtok *k)
{
	struct gtok v[64];
	size_t n = 0;

	next(g);
	while (g->t.kind == 'w' || g->t.kind == '"') {
		for (size_t i = 0; i < g->t.len; i++)
			if (((unsigned char)g->t.s[i] < 0x20 && g->t.s[i] != '\t')
			    || g->t.s[i] == 0x7f)
				return fail(g, "control character in a value");
		if (n < 64)
			v[n++] = g->t;
		next(g);
		if (g->t.kind != ',')
			break;
		next(g);
	}
	if (g->t.kind == '!')
		return fail(g, "unterminated string");
	if (g->t.kind != ';' && g->t.kind != '}')
		return fail(g, "expected ';' after a value");
	if (g->t.kind == ';')
		next(g);
	if (s && apply(s, k, v, n) < 0)
		return nfs_error_set(g->c->err, k->line, k->col,
				     "bad value for '%.*s'", (int)k->len, k->s);
	return 0;
}

struct subs {
	struct gset *v;
	size_t n;
};

static void subs_release(struct subs *x)
{
	for (size_t i = 0; i < x->n; i++)
		gset_release(&x->v[i]);
	free(x->v);
}

/* Parses a block body after its '{' up to and including '}'.  Settings
 * go to s (NULL: skipped); CLIENT sub-blocks to subs (NULL: skipped). */
static int body(struct gn *g, int depth, struct gset *s, struct subs *subs)
{
	int r;

	if (depth > GN_DEPTH)
		return fail(g, "blocks nested too deep");
	next(g);
	for (;;) {
		struct gtok k = g->t;

		if (k.kind == '}') {
			next(g);
			return 0;
		}
		if (k.kind != 'w' && k.kind != '"')
			return fail(g, k.kind ? "expected a key or '}'" :
				    "missing '}'");
		next(g);
		if (g->t.kind == '=') {
			r = assignment(g, s, &k);
		} else if (g->t.kind == '{') {
			struct gset *sub = NULL;

			if (subs && is(&k, "CLIENT")) {
				sub = realloc(subs->v, (subs->n + 1) *
					      sizeof(*sub));
				if (!sub)
					return -ENOMEM;
				subs->v = sub;
				sub = &subs->v[subs->n++];
				memset(sub, 0, sizeof(*sub));
			}
			r = body(g, depth + 1, sub, NULL);
		} else {
			r = fail(g, "expected '=' or '{'");
		}
		if (r < 0)
			return r;
	}
}

/* dst gets every option src sets. */
static void overlay(struct nfs_xopts *dst, const struct nfs_xopts *src)
{
	unsigned keep = dst->set & ~src->set;
	struct nfs_xopts o = *src;

	if (keep & NFS_XO_ACCESS)
		o.rw = dst->rw;
	if (keep & NFS_XO_SQUASH)
		o.squash = dst->squash;
	if (keep & NFS_XO_ANONUID)
		o.anonuid = dst->anonuid;
	if (keep & NFS_XO_ANONGID)
		o.anongid = dst->anongid;
	if (keep & NFS_XO_SEC) {
		memcpy(o.sec, dst->sec, sizeof(o.sec));
		o.nsec = dst->nsec;
	}
	if (keep & NFS_XO_SECURE)
		o.insecure = dst->insecure;
	o.set |= dst->set;
	*dst = o;
}

static int add_client(struct gn *g, struct nfs_export *e, const char *spec,
		      const struct nfs_xopts *o, bool deny, unsigned line)
{
	struct nfs_client *c = nfs_pctx_client(g->c, e, spec, false, line, 1);

	if (!c)
		return -EINVAL;
	c->deny = deny;
	c->opts = *o;
	if (deny)
		memset(&c->opts, 0, sizeof(c->opts));
	return 0;
}

static int make_export(struct gn *g, struct gset *s, struct subs *subs,
		       unsigned line)
{
	struct nfs_export *e;
	bool deny;
	int r = 0;

	if (!s->path)
		return nfs_error_set(g->c->err, line, 1, "EXPORT without Path");
	e = nfs_pctx_export(g->c, s->path, line);
	if (!e)
		return -EINVAL;
	for (size_t i = 0; r >= 0 && i < subs->n; i++) {
		struct nfs_xopts o = s->o;

		overlay(&o, &subs->v[i].o);
		/* ganesha's default Access_Type is None */
		deny = subs->v[i].have_access ? subs->v[i].access_none :
		       s->have_access ? s->access_none : true;
		for (size_t j = 0; r >= 0 && j < subs->v[i].nclients; j++)
			r = add_client(g, e, subs->v[i].clients[j], &o, deny,
				       line);
	}
	if (r >= 0 && s->have_access && !s->access_none)
		r = add_client(g, e, "*", &s->o, false, line);
	return r;
}

/* EXPORT { ... }: export settings over the defaults, then CLIENTs. */
static int export_block(struct gn *g, const struct gset *defs)
{
	struct gset s = { 0 };
	struct subs subs = { NULL, 0 };
	unsigned line = g->t.line;
	int r;

	s.o = defs->o;
	s.have_access = defs->have_access;
	s.access_none = defs->access_none;
	r = body(g, 1, &s, &subs);
	if (r >= 0)
		r = make_export(g, &s, &subs, line);
	gset_release(&s);
	subs_release(&subs);
	return r;
}

int nfs_parse_ganesha(struct nfs_pctx *c)
{
	struct gn g = { c, c->text, c->text + c->len, c->text, 1, { 0 } };
	struct gset defs = { 0 };
	int r = 0;

	next(&g);
	while (r >= 0 && g.t.kind) {
		struct gtok k = g.t;

		if (k.kind != 'w') {
			r = fail(&g, "expected a block name");
			break;
		}
		next(&g);
		if (g.t.kind == '=')
			r = assignment(&g, NULL, &k);
		else if (g.t.kind != '{')
			r = fail(&g, "expected '{'");
		else if (is(&k, "EXPORT"))
			r = export_block(&g, &defs);
		else
			r = body(&g, 1, is(&k, "EXPORT_DEFAULTS") ? &defs : NULL,
				 NULL);
	}
	gset_release(&defs);
	return r < 0 ? r : 0;
}
