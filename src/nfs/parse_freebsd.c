/* FreeBSD: exports(5) and fstab(5) with mount_nfs(8) options. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/client.h"
#include "nfs/opts.h"
#include "nfs/parse_priv.h"
#include "util/strutil.h"

struct fline {
	struct nfs_xopts o;
	const char *network, *mask;
	const char *paths[64];
	size_t npaths;
	const char *hosts[NFS_LEX_MAX_TOKENS];
	size_t nhosts;
};

/* -maproot=/-mapall= user[:group...]: numeric ids or root. */
static int fbsd_map(struct fline *l, const char *v, bool all)
{
	char user[32];
	size_t n = strcspn(v, ":");
	long id;

	if (n == 0 || n >= sizeof(user))
		return -EINVAL;
	memcpy(user, v, n);
	user[n] = '\0';
	if (strcmp(user, "root") == 0)
		id = 0;
	else if (strcmp(user, "nobody") == 0)
		id = 65534;
	else if (parse_long(user, -2, 4294967295l, &id) < 0)
		return -EINVAL;
	l->o.set |= NFS_XO_SQUASH;
	if (!all && id == 0 && !v[n]) {
		l->o.squash = NFS_SQ_NONE;
		return 0;
	}
	l->o.squash = all ? NFS_SQ_ALL : NFS_SQ_ROOT;
	l->o.anonuid = id < 0 ? 65534 : (unsigned long)id;
	l->o.set |= NFS_XO_ANONUID;
	if (v[n] == ':' && parse_long(v + n + 1, 0, 4294967295l, &id) == 0) {
		l->o.anongid = (unsigned long)id;
		l->o.set |= NFS_XO_ANONGID;
	} else if (v[n]) {
		return -EINVAL;
	}
	return 0;
}

static int fbsd_option(struct fline *l, struct nfs_tok *t, size_t *i,
		       size_t n)
{
	static const char *const ignore[] = { "-alldirs", "-public",
		"-webnfs", "-quiet", "-tls", "-tlscert", "-tlscertuser", NULL };
	const char *s = t[*i].s;
	const char *v = strchr(s, '=');
	size_t nlen = v ? (size_t)(v - s) : strlen(s);

	if (v)
		v++;
	if (strcmp(s, "-ro") == 0 || strcmp(s, "-o") == 0) {
		l->o.rw = false;
		return 0;
	}
	if (v && nlen == 8 && strncmp(s, "-maproot", 8) == 0)
		return fbsd_map(l, v, false);
	if (v && nlen == 7 && strncmp(s, "-mapall", 7) == 0)
		return fbsd_map(l, v, true);
	if (v && nlen == 4 && strncmp(s, "-sec", 4) == 0)
		return nfs_sec_list_parse(&l->o, v, strlen(v));
	if ((nlen == 8 && strncmp(s, "-network", 8) == 0) ||
	    (nlen == 5 && strncmp(s, "-mask", 5) == 0)) {
		if (!v && *i + 1 < n)
			v = t[++*i].s;
		if (!v)
			return -EINVAL;
		if (s[1] == 'n')
			l->network = v;
		else
			l->mask = v;
		return 0;
	}
	if (strncmp(s, "-index=", 7) == 0)
		return 0;
	for (size_t k = 0; ignore[k]; k++)
		if (strcmp(s, ignore[k]) == 0)
			return 0;
	return -EINVAL;
}

static int fbsd_clients(struct nfs_pctx *c, struct fline *l, unsigned line)
{
	char net[128];

	int r = 0;

	if (l->network && l->mask)
		r = str_printf(net, sizeof(net), "%s/%s", l->network, l->mask);
	else if (l->network)
		r = str_copy(net, sizeof(net), l->network);
	if (r < 0)
		return nfs_error_set(c->err, line, 1, "network too long");
	if (l->network && !strchr(net, '/'))
		return nfs_error_set(c->err, line, 1,
				     "-network '%s' needs a -mask or /len", net);
	for (size_t p = 0; p < l->npaths; p++) {
		struct nfs_export *e = nfs_pctx_export(c, l->paths[p], line);
		size_t nh = l->nhosts + (l->network != NULL);

		if (!e)
			return -EINVAL;
		for (size_t h = 0; h < nh || (nh == 0 && h == 0); h++) {
			const char *spec = nh == 0 ? "*" : h < l->nhosts ?
					   l->hosts[h] : net;
			struct nfs_client *cl = nfs_pctx_client(c, e, spec, true,
								line, 1);
			if (!cl)
				return -EINVAL;
			cl->opts = l->o;
		}
	}
	return 0;
}

int nfs_parse_freebsd_exports(struct nfs_pctx *c)
{
	struct fline *l = malloc(sizeof(*l));
	struct nfs_lex lx;
	int r;

	if (!l)
		return -ENOMEM;
	nfs_lex_init(&lx, c->text, c->len, NFS_LEX_CONT | NFS_LEX_HASH |
		     NFS_LEX_QUOTE);
	while ((r = nfs_lex_next(&lx, c->err)) > 0) {
		memset(l, 0, sizeof(*l));
		l->o.set = NFS_XO_ACCESS;
		l->o.rw = true;                /* FreeBSD exports rw unless -ro */
		for (size_t i = 0; r >= 0 && i < lx.ntok; i++) {
			const char *s = lx.tok[i].s;

			if (s[0] == '/' && l->nhosts == 0 && l->npaths < 64)
				l->paths[l->npaths++] = s;
			else if (s[0] == '-' && fbsd_option(l, lx.tok, &i,
							    lx.ntok) < 0)
				r = nfs_error_set(c->err, lx.lineno,
					lx.tok[i].col, "bad option '%s'", s);
			else if (s[0] != '-' && s[0] != '/')
				l->hosts[l->nhosts++] = s;
			else if (s[0] == '/')
				r = nfs_error_set(c->err, lx.lineno,
					lx.tok[i].col, "path after hosts");
		}
		if (r >= 0 && l->npaths == 0)
			r = nfs_error_set(c->err, lx.lineno, 1, "no path");
		if (r >= 0)
			r = fbsd_clients(c, l, lx.lineno);
		if (r < 0)
			break;
	}
	nfs_lex_release(&lx);
	free(l);
	return r < 0 ? r : 0;
}

/* mount_nfs(8) option names to neutral ones. */
static int fbsd_mopt(struct nfs_mopts *o, const char *q, size_t n)
{
	static const struct { const char *f, *neutral; } map[] = {
		{ "nfsv3", "vers=3" }, { "nfsv4", "vers=4" }, { "tcp",
		"proto=tcp" }, { "udp", "proto=udp" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].f) == n && memcmp(q, map[i].f, n) == 0)
			return nfs_mopt_apply(o, map[i].neutral,
					      strlen(map[i].neutral));
	if (n > 8 && memcmp(q, "timeout=", 8) == 0) {
		char tmp[24];

		if (n - 2 >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, "timeo=", 6);
		memcpy(tmp + 6, q + 8, n - 8);
		return nfs_mopt_apply(o, tmp, n - 2);
	}
	if (n == 14 && memcmp(q, "minorversion=", 13) == 0 &&
	    (o->set & NFS_MO_VERS) && o->vers == 40 && q[13] >= '0' &&
	    q[13] <= '2') {
		o->vers = 40 + (q[13] - '0');
		return 0;
	}
	if (nfs_mopt_apply(o, q, n) == 0 || nfs_mount_ignorable(q, n))
		return 0;
	return -EINVAL;
}

int nfs_parse_freebsd_fstab(struct nfs_pctx *c)
{
	struct nfs_lex lx;
	int r;

	nfs_lex_init(&lx, c->text, c->len, NFS_LEX_HASH);
	while ((r = nfs_lex_next(&lx, c->err)) > 0) {
		struct nfs_import *im;
		const char *q;

		if (lx.ntok < 4 || strcmp(lx.tok[2].s, "nfs") != 0)
			continue;
		im = nfs_pctx_import(c, lx.tok[0].s, lx.tok[1].s, lx.lineno,
				     lx.tok[0].col);
		if (!im) {
			r = -EINVAL;
			break;
		}
		for (q = lx.tok[3].s; *q && r >= 0;) {
			size_t n = strcspn(q, ",");

			if (n && fbsd_mopt(&im->opts, q, n) < 0)
				r = nfs_error_set(c->err, lx.lineno,
					lx.tok[3].col + (unsigned)(q - lx.tok[3].s),
					"unknown mount option '%.*s'", (int)n, q);
			q += n + (q[n] == ',');
		}
		if (r < 0)
			break;
	}
	nfs_lex_release(&lx);
	return r < 0 ? r : 0;
}
