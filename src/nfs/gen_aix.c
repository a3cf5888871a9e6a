/* AIX: /etc/exports (exports(4)) and NFS stanzas of /etc/filesystems. */
#include <errno.h>
#include <string.h>

#include "nfs/client.h"
#include "nfs/gen_priv.h"
#include "nfs/opts.h"

static bool is_any(const struct nfs_client *c)
{
	return strcmp(c->spec, "*") == 0;
}

static bool no_root_squash(const struct nfs_client *c)
{
	return (c->opts.set & NFS_XO_SQUASH) && c->opts.squash == NFS_SQ_NONE;
}

/* Appends ",key=a:b" for the clients sel picks (0 all, 1 rw, 2 root). */
static int aix_list(const struct nfs_export *e, const char *key, int sel,
		    struct buf *b)
{
	bool any = false;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < e->nclients; i++) {
		const struct nfs_client *c = &e->clients[i];
		const char *s = c->spec;

		if (is_any(c) || (sel == 1 && !c->opts.rw) ||
		    (sel == 2 && !no_root_squash(c)))
			continue;
		if (!any)
			r = buf_printf(b, ",%s=", key);
		if (r >= 0)
			r = buf_printf(b, "%s%s", any ? ":" : "",
				       s + (s[0] == '@'));
		any = true;
	}
	return r;
}

/* Every client must be a host or netgroup, and "*" limits what else can
 * be said. */
static int aix_clients(const struct nfs_export *e, const struct nfs_client
		       **ret_any, struct nfs_error *err)
{
	const struct nfs_client *star = NULL;

	for (size_t i = 0; i < e->nclients; i++) {
		const struct nfs_client *c = &e->clients[i];
		int k = nfs_client_kind(c->spec);

		if (k == NFS_CK_ANY)
			star = c;
		else if ((k != NFS_CK_HOST && k != NFS_CK_NETGROUP) ||
			 strchr(c->spec, ':'))
			return nfs_gen_fail(err, e->line, NFS_PF_AIX,
				"the client '%s' (of %s)", c->spec, e->path);
	}
	for (size_t i = 0; star && i < e->nclients; i++) {
		const struct nfs_client *c = &e->clients[i];

		if (is_any(c) ? no_root_squash(c) : (star->opts.rw && !c->opts.rw))
			return nfs_gen_fail(err, e->line, NFS_PF_AIX,
				"client '%s' beside everyone rw (of %s)",
				c->spec, e->path);
		if (!is_any(c) && c->opts.rw == star->opts.rw &&
		    !no_root_squash(c))
			return nfs_gen_fail(err, e->line, NFS_PF_AIX,
				"client '%s' with the same access as everyone "
				"(of %s)", c->spec, e->path);
	}
	*ret_any = star;
	return 0;
}

static int aix_options(const struct nfs_export *e,
		       const struct nfs_client *star, bool anon, bool sec,
		       struct buf *o)
{
	struct nfs_xopts n = e->clients[0].opts;   /* uniform: any will do */
	bool rw = false;
	char secs[64];
	int r = 0;

	nfs_xopts_normalize(&n);
	for (size_t i = 0; i < e->nclients; i++)
		rw |= e->clients[i].opts.rw;
	if (sec) {
		nfs_sec_format(&n, secs, sizeof(secs));
		r = buf_printf(o, ",sec=%s", secs);
	}
	if (r >= 0 && star && star->opts.rw)
		r = buf_append_str(o, ",rw");
	else if (r >= 0 && rw)
		r = aix_list(e, "rw", 1, o);
	else if (r >= 0)
		r = buf_append_str(o, ",ro");
	if (r >= 0 && !star)
		r = aix_list(e, "access", 0, o);
	if (r >= 0)
		r = aix_list(e, "root", 2, o);
	if (r >= 0 && anon)
		r = buf_printf(o, ",anon=%lu", n.anonuid);
	return r;
}

static int aix_line(const struct nfs_export *e, struct buf *b,
		    struct nfs_error *err)
{
	const struct nfs_client *star = NULL;
	struct buf o = BUF_INIT;
	bool anon, sec;
	int r;

	r = nfs_gen_uniform(e, NFS_PF_AIX, false, &anon, &sec, err);
	if (r >= 0)
		r = aix_clients(e, &star, err);
	if (r >= 0 && e->nclients == 0)
		r = nfs_gen_fail(err, e->line, NFS_PF_AIX,
				 "an export without clients");
	if (r >= 0)
		r = aix_options(e, star, anon, sec, &o);
	if (r >= 0)
		r = buf_printf(b, "%s -%s\n", e->path, buf_str(&o) + 1);
	buf_release(&o);
	return r;
}

int nfs_gen_aix_exports(const struct nfs_plan *p, const char *host,
			struct buf *b, struct nfs_error *err)
{
	int r = buf_append_str(b, "# " NFS_GEN_HEADER "\n");

	for (size_t i = 0; r >= 0 && i < p->nexports; i++) {
		const struct nfs_export *e = &p->exports[i];

		if (strcmp(e->server, host) != 0)
			continue;
		r = nfs_gen_refuse_deny(e, NFS_PF_AIX, err);
		if (r >= 0)
			r = nfs_gen_refuse(e, NFS_PF_AIX, NFS_XO_SYNC |
				NFS_XO_SUBTREE | NFS_XO_SECURE | NFS_XO_ANONGID,
				err);
		for (size_t k = 0; r >= 0 && k < e->nclients; k++)
			if ((e->clients[k].opts.set & NFS_XO_SQUASH) &&
			    e->clients[k].opts.squash == NFS_SQ_ALL)
				r = nfs_gen_fail(err, e->line, NFS_PF_AIX,
						 "option 'all_squash'");
		if (r >= 0 && !nfs_gen_plain_path(e->path))
			r = nfs_gen_fail(err, e->line, NFS_PF_AIX,
					 "the path '%s'", e->path);
		if (r >= 0)
			r = aix_line(e, b, err);
	}
	return r < 0 ? r : 0;
}

int nfs_gen_aix_filesystems(const struct nfs_plan *p, const char *host,
			    struct buf *b, struct nfs_error *err)
{
	struct nfs_kv kv[NFS_MAX_KV];
	int r = buf_append_str(b, "* " NFS_GEN_HEADER "\n");

	for (size_t i = 0; r >= 0 && i < p->nimports; i++) {
		const struct nfs_import *im = &p->imports[i];
		size_t n;

		if (strcmp(im->client, host) != 0)
			continue;
		r = nfs_gen_mount_refuse(im, NFS_PF_AIX, NFS_MO_NOEXEC, false,
					 err);
		if (r >= 0)
			r = buf_printf(b, "\n%s:\n\tdev\t\t= \"%s\"\n"
				       "\tvfs\t\t= nfs\n\tnodename\t= %s\n"
				       "\tmount\t\t= true\n", im->mountpoint,
				       im->path, im->server);
		n = nfs_mopts_list(&im->opts, kv);
		if (r >= 0 && n) {
			r = buf_append_str(b, "\toptions\t\t= ");
			if (r >= 0)
				r = nfs_kv_format(b, kv, n);
			if (r >= 0)
				r = buf_append_str(b, "\n");
		}
		if (r >= 0)
			r = buf_append_str(b, "\taccount\t\t= false\n");
	}
	return r < 0 ? r : 0;
}
