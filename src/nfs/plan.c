#include "nfs/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/client.h"
#include "nfs/lex.h"
#include "nfs/opts.h"

/* Splits "a:b" at the first ':' into two new strings. */
static int split_colon(const char *s, char **ret_a, char **ret_b)
{
	const char *c = strchr(s, ':');
	bool br = s[0] == '[';
	char *a, *b;

	if (br) {                      /* [IPv6 address]:/path */
		c = strstr(s, "]:");
		c = c ? c + 1 : NULL;
	}
	if (!c || c == s + 2 * br || !c[1])
		return -EINVAL;
	a = strndup(s + br, (size_t)(c - s) - 2 * br);
	b = strdup(c + 1);
	if (!a || !b) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	*ret_a = a;
	*ret_b = b;
	return 0;
}

/* A product name is printed bare in the plan: letters, digits, . _ + - */
static bool product_name_ok(const char *q)
{
	for (; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		      (*q >= '0' && *q <= '9') || strchr("._+-", *q)))
			return false;
	return true;
}

static int parse_host(struct nfs_plan *p, struct nfs_lex *lx,
		      struct nfs_error *err)
{
	struct nfs_tok *t = lx->tok;
	struct nfs_host *h;
	const struct nfs_host *old;

	if (lx->ntok < 2)
		return nfs_error_set(err, lx->lineno, t[0].col,
				     "host needs a name");
	if (nfs_client_kind(t[1].s) != NFS_CK_HOST)
		return nfs_error_set(err, lx->lineno, t[1].col,
				     "bad host name '%s'", t[1].s);
	old = nfs_plan_host(p, t[1].s);
	if (old)
		return nfs_error_set(err, lx->lineno, t[1].col,
				     "host '%s' already declared at line %u",
				     t[1].s, old->line);
	h = nfs_plan_add_host(p);
	if (!h || !(h->name = strdup(t[1].s)))
		return -ENOMEM;
	h->line = lx->lineno;
	h->platform = -1;
	for (size_t i = 2; i < lx->ntok; i++) {
		char *v = strchr(t[i].s, '=');
		struct nfs_net n;

		if (v)
			*v++ = '\0';
		if (v && strcmp(t[i].s, "address") == 0 &&
		    nfs_addr_parse(v, &n) == 0 && !h->address) {
			if (!(h->address = strdup(v)))
				return -ENOMEM;
		} else if (v && strcmp(t[i].s, "platform") == 0 &&
			   nfs_platform_parse(v) >= 0) {
			h->platform = nfs_platform_parse(v);
		} else if (v && strcmp(t[i].s, "products") == 0) {
			h->has_products = true;
			for (char *q = v, *c; q && *q; q = c) {
				c = strchr(q, ',');
				if (c)
					*c++ = '\0';
				if (*q && !product_name_ok(q))
					return nfs_error_set(err, lx->lineno,
						t[i].col, "bad product name "
						"'%s' (letters, digits, '.', "
						"'_', '+', '-')", q);
				if (*q && nfs_strv_add(&h->products,
						       &h->nproducts, q) < 0)
					return -ENOMEM;
			}
		} else {
			return nfs_error_set(err, lx->lineno, t[i].col,
				"bad host attribute '%s%s%s' (want address=<ip> "
				"platform=linux|ganesha|solaris|aix|freebsd "
				"products=<p>,...)", t[i].s, v ? "=" : "",
				v ? v : "");
		}
	}
	if (h->platform < 0)
		return nfs_error_set(err, lx->lineno, t[0].col,
				     "host '%s' needs platform=", h->name);
	return 0;
}

static int parse_netgroup(struct nfs_plan *p, struct nfs_lex *lx,
			  struct nfs_error *err)
{
	struct nfs_tok *t = lx->tok;
	struct nfs_netgroup *ng;

	if (lx->ntok < 2 || nfs_client_kind(t[1].s) != NFS_CK_HOST)
		return nfs_error_set(err, lx->lineno, t[lx->ntok > 1].col,
				     "netgroup needs a name");
	if (nfs_plan_netgroup(p, t[1].s))
		return nfs_error_set(err, lx->lineno, t[1].col,
				     "netgroup '%s' declared twice", t[1].s);
	ng = nfs_plan_add_netgroup(p);
	if (!ng || !(ng->name = strdup(t[1].s)))
		return -ENOMEM;
	ng->line = lx->lineno;
	for (size_t i = 2; i < lx->ntok; i++) {
		const char *m = t[i].s[0] == '@' ? t[i].s + 1 : t[i].s;

		if (nfs_client_kind(m) != NFS_CK_HOST)
			return nfs_error_set(err, lx->lineno, t[i].col,
					     "bad netgroup member '%s'", t[i].s);
		if (nfs_strv_add(&ng->members, &ng->nmembers, t[i].s) < 0)
			return -ENOMEM;
	}
	return 0;
}

int nfs_plan_client(struct nfs_export *e, const char *tok, unsigned line,
		    unsigned col, struct nfs_error *err)
{
	const char *open = strchr(tok, '(');
	struct nfs_xopts o = { 0 };
	bool deny = tok[0] == '-';
	char *spec;
	int r;

	if (open && tok[strlen(tok) - 1] != ')')
		return nfs_error_set(err, line, col, "missing ')' in '%s'",
				     tok);
	spec = strndup(tok + deny, open ? (size_t)(open - tok - deny) :
		       strlen(tok + deny));
	if (!spec)
		return -ENOMEM;
	r = -EINVAL;
	if (nfs_client_kind(spec) < 0) {
		nfs_error_set(err, line, col, "bad client '%s'", spec);
		goto out;
	}
	for (const char *q = open ? open + 1 : NULL; q && *q != ')';) {
		size_t n = strcspn(q, ",)");

		if (n && nfs_xopt_apply(&o, q, n) < 0) {
			nfs_error_set(err, line, col + (unsigned)(q - tok),
				      "unknown or bad export option '%.*s'",
				      (int)n, q);
			goto out;
		}
		q += n + (q[n] == ',');
	}
	r = nfs_export_add_client(e, spec, deny, &o) ? 0 : -ENOMEM;
out:
	free(spec);
	return r;
}

static int parse_export(struct nfs_plan *p, struct nfs_lex *lx,
			struct nfs_error *err)
{
	struct nfs_tok *t = lx->tok;
	const struct nfs_export *old;
	struct nfs_export *e;
	char *server = NULL, *path = NULL;
	int r;

	if (lx->ntok < 2)
		return nfs_error_set(err, lx->lineno, t[0].col,
				     "export needs <server>:<path>");
	r = split_colon(t[1].s, &server, &path);
	if (r < 0 || path[0] != '/') {
		free(server);
		free(path);
		return r == -ENOMEM ? r : nfs_error_set(err, lx->lineno,
			t[1].col, "want <server>:<absolute path>, not '%s'",
			t[1].s);
	}
	old = nfs_plan_export(p, server, path);
	e = old ? NULL : nfs_plan_add_export(p);
	if (!e) {
		free(server);
		free(path);
		if (!old)
			return -ENOMEM;
		return nfs_error_set(err, lx->lineno, t[1].col,
			"'%s' already exported at line %u", t[1].s, old->line);
	}
	e->server = server;
	e->path = path;
	if (nfs_client_kind(server) != NFS_CK_HOST)
		return nfs_error_set(err, lx->lineno, t[1].col,
				     "bad host name '%s'", server);
	e->line = lx->lineno;
	for (size_t i = 2; i < lx->ntok; i++) {
		r = nfs_plan_client(e, t[i].s, lx->lineno, t[i].col, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_import(struct nfs_plan *p, struct nfs_lex *lx,
			struct nfs_error *err)
{
	struct nfs_tok *t = lx->tok;
	struct nfs_import *im;
	int r;

	if (lx->ntok < 3 || lx->ntok > 4)
		return nfs_error_set(err, lx->lineno, t[0].col,
			"want: import <client>:<mountpoint> <server>:<path> "
			"[<opts>]");
	im = nfs_plan_add_import(p);
	if (!im)
		return -ENOMEM;
	im->line = lx->lineno;
	for (int k = 1; k <= 2; k++) {
		r = k == 1 ? split_colon(t[1].s, &im->client, &im->mountpoint) :
			     split_colon(t[2].s, &im->server, &im->path);
		if (r == -ENOMEM)
			return r;
		if (r < 0 || (k == 1 ? im->mountpoint : im->path)[0] != '/' ||
		    nfs_client_kind(k == 1 ? im->client : im->server) !=
		    NFS_CK_HOST)
			return nfs_error_set(err, lx->lineno, t[k].col,
				"want <host>:<absolute path>, not '%s'", t[k].s);
	}
	for (const char *q = lx->ntok == 4 ? t[3].s : ""; *q;) {
		size_t n = strcspn(q, ",");

		if (n && nfs_mopt_apply(&im->opts, q, n) < 0)
			return nfs_error_set(err, lx->lineno,
				t[3].col + (unsigned)(q - t[3].s),
				"unknown or bad mount option '%.*s'", (int)n, q);
		q += n + (q[n] == ',');
	}
	return 0;
}

int nfs_plan_parse(const char *text, size_t len, struct nfs_plan **ret_plan,
		   struct nfs_error *err)
{
	struct nfs_plan *p = nfs_plan_new();
	struct nfs_lex lx;
	int r;

	if (!p)
		return -ENOMEM;
	nfs_lex_init(&lx, text, len, NFS_LEX_CONT | NFS_LEX_HASH |
		     NFS_LEX_QUOTE);
	while ((r = nfs_lex_next(&lx, err)) > 0) {
		const char *kw = lx.tok[0].s;

		if (strcmp(kw, "host") == 0)
			r = parse_host(p, &lx, err);
		else if (strcmp(kw, "netgroup") == 0)
			r = parse_netgroup(p, &lx, err);
		else if (strcmp(kw, "export") == 0)
			r = parse_export(p, &lx, err);
		else if (strcmp(kw, "import") == 0)
			r = parse_import(p, &lx, err);
		else
			r = nfs_error_set(err, lx.lineno, lx.tok[0].col,
				"unknown statement '%s' (want host, netgroup, "
				"export or import)", kw);
		if (r < 0)
			break;
	}
	if (r == -E2BIG)
		nfs_error_set(err, lx.lineno, 1, "line or plan too long");
	nfs_lex_release(&lx);
	if (r < 0) {
		nfs_plan_free(p);
		return r;
	}
	*ret_plan = p;
	return 0;
}

static int print_host(const struct nfs_host *h, struct buf *b)
{
	int r = buf_printf(b, "host %s", h->name);

	if (r >= 0 && h->address)
		r = buf_printf(b, " address=%s", h->address);
	if (r >= 0)
		r = buf_printf(b, " platform=%s", nfs_platform_name(h->platform));
	if (r >= 0 && h->has_products)
		r = buf_append_str(b, " products=");
	for (size_t i = 0; r >= 0 && i < h->nproducts; i++)
		r = buf_printf(b, "%s%s", i ? "," : "", h->products[i]);
	return r < 0 ? r : buf_append_str(b, "\n");
}

/* A host before ':', bracketed when it is an IPv6 address. */
static const char *hostfmt(const char *h)
{
	return strchr(h, ':') ? "[%s]:" : "%s:";
}

int nfs_export_print(const struct nfs_export *e, struct buf *b)
{
	struct nfs_kv kv[NFS_MAX_KV];
	int r = buf_append_str(b, "export ");

	if (r >= 0)
		r = buf_printf(b, hostfmt(e->server), e->server);

	if (r >= 0)
		r = nfs_quote(b, e->path);
	for (size_t i = 0; r >= 0 && i < e->nclients; i++) {
		const struct nfs_client *c = &e->clients[i];
		size_t n = nfs_xopts_list(&c->opts, kv);

		r = buf_printf(b, " %s%s", c->deny ? "-" : "", c->spec);
		if (r >= 0 && n) {
			r = buf_append_str(b, "(");
			if (r >= 0)
				r = nfs_kv_format(b, kv, n);
			if (r >= 0)
				r = buf_append_str(b, ")");
		}
	}
	return r < 0 ? r : buf_append_str(b, "\n");
}

int nfs_import_print(const struct nfs_import *im, struct buf *b)
{
	struct nfs_kv kv[NFS_MAX_KV];
	size_t n = nfs_mopts_list(&im->opts, kv);
	int r = buf_append_str(b, "import ");

	if (r >= 0)
		r = buf_printf(b, hostfmt(im->client), im->client);
	if (r >= 0)
		r = nfs_quote(b, im->mountpoint);
	if (r >= 0)
		r = buf_append_str(b, " ");
	if (r >= 0)
		r = buf_printf(b, hostfmt(im->server), im->server);
	if (r >= 0)
		r = nfs_quote(b, im->path);
	if (r >= 0 && n) {
		r = buf_append_str(b, " ");
		if (r >= 0)
			r = nfs_kv_format(b, kv, n);
	}
	return r < 0 ? r : buf_append_str(b, "\n");
}

int nfs_plan_print(const struct nfs_plan *p, struct buf *b)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < p->nhosts; i++)
		r = print_host(&p->hosts[i], b);
	for (size_t i = 0; r >= 0 && i < p->nnetgroups; i++) {
		const struct nfs_netgroup *ng = &p->netgroups[i];

		r = buf_printf(b, "netgroup %s", ng->name);
		for (size_t j = 0; r >= 0 && j < ng->nmembers; j++)
			r = buf_printf(b, " %s", ng->members[j]);
		if (r >= 0)
			r = buf_append_str(b, "\n");
	}
	for (size_t i = 0; r >= 0 && i < p->nexports; i++)
		r = nfs_export_print(&p->exports[i], b);
	for (size_t i = 0; r >= 0 && i < p->nimports; i++)
		r = nfs_import_print(&p->imports[i], b);
	return r < 0 ? r : 0;
}
