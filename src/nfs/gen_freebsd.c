/* FreeBSD: exports(5) and the NFS lines of fstab(5) (mount_nfs(8)). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "nfs/client.h"
#include "nfs/gen_priv.h"
#include "nfs/opts.h"

/* The option part of an exports line for one client's options. */
static int fbsd_opts(const struct nfs_export *e, const struct nfs_xopts *x,
		     struct buf *b, struct nfs_error *err)
{
	bool anon = x->set & (NFS_XO_ANONUID | NFS_XO_ANONGID);
	unsigned long uid = x->set & NFS_XO_ANONUID ? x->anonuid : 65534;
	char secs[64];
	int r = 0;

	if (!x->rw)
		r = buf_append_str(b, " -ro");
	if (r >= 0 && x->squash == NFS_SQ_NONE) {
		if (anon)
			return nfs_gen_fail(err, e->line, NFS_PF_FREEBSD,
				"an anonymous id with no_root_squash (of %s)",
				e->path);
		r = buf_append_str(b, " -maproot=root");
	} else if (r >= 0 && (x->squash == NFS_SQ_ALL || anon)) {
		r = buf_printf(b, " -%s=%lu", x->squash == NFS_SQ_ALL ?
			       "mapall" : "maproot", uid);
		if (r >= 0 && (x->set & NFS_XO_ANONGID))
			r = buf_printf(b, ":%lu", x->anongid);
	}
	if (r >= 0 && (x->set & NFS_XO_SEC)) {
		nfs_sec_format(x, secs, sizeof(secs));
		r = buf_printf(b, " -sec=%s", secs);
	}
	return r;
}

static bool same_line(const struct nfs_client *a, const struct nfs_client *b)
{
	int ka = nfs_client_kind(a->spec), kb = nfs_client_kind(b->spec);

	return (ka == NFS_CK_HOST || ka == NFS_CK_NETGROUP) &&
	       (kb == NFS_CK_HOST || kb == NFS_CK_NETGROUP) &&
	       nfs_xopts_equal(&a->opts, &b->opts) &&
	       (a->opts.set & (NFS_XO_ANONUID | NFS_XO_ANONGID | NFS_XO_SEC)) ==
	       (b->opts.set & (NFS_XO_ANONUID | NFS_XO_ANONGID | NFS_XO_SEC));
}

/* Writes the clients of e grouped into lines: hosts and netgroups with
 * equal options share a line, every network and "*" get their own. */
static int fbsd_export(const struct nfs_export *e, struct buf *b,
		       struct nfs_error *err)
{
	char addr[64], mask[16];
	unsigned prefix;
	int family, r = 0;

	for (size_t i = 0; r >= 0 && i < e->nclients; i++) {
		const struct nfs_client *c = &e->clients[i];
		int k = nfs_client_kind(c->spec);
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = same_line(&e->clients[j], c);
		if (seen)
			continue;
		if (k == NFS_CK_WILD)
			return nfs_gen_fail(err, e->line, NFS_PF_FREEBSD,
				"the client '%s' (of %s)", c->spec, e->path);
		r = buf_append_str(b, e->path);
		if (r >= 0)
			r = fbsd_opts(e, &c->opts, b, err);
		for (size_t j = i; r >= 0 && j < e->nclients &&
		     (k == NFS_CK_HOST || k == NFS_CK_NETGROUP); j++)
			if (j == i || same_line(c, &e->clients[j]))
				r = buf_printf(b, " %s", e->clients[j].spec +
					(e->clients[j].spec[0] == '@'));
		if (r >= 0 && k == NFS_CK_NET) {
			if (nfs_gen_net(c->spec, addr, sizeof(addr), &prefix,
					&family) < 0)
				return -EINVAL;
			nfs_mask_format(prefix, mask, sizeof(mask));
			r = family == AF_INET ?
			    buf_printf(b, " -network %s -mask %s", addr, mask) :
			    buf_printf(b, " -network %s/%u", addr, prefix);
		}
		if (r >= 0)
			r = buf_append_str(b, "\n");
	}
	return r;
}

int nfs_gen_freebsd_exports(const struct nfs_plan *p, const char *host,
			    struct buf *b, struct nfs_error *err)
{
	int r = buf_append_str(b, "# " NFS_GEN_HEADER "\n");

	for (size_t i = 0; r >= 0 && i < p->nexports; i++) {
		const struct nfs_export *e = &p->exports[i];

		if (strcmp(e->server, host) != 0)
			continue;
		r = nfs_gen_refuse_deny(e, NFS_PF_FREEBSD, err);
		if (r >= 0 && e->nclients == 0)   /* would export to everyone */
			r = nfs_gen_fail(err, e->line, NFS_PF_FREEBSD,
					 "an export without clients (%s)", e->path);
		if (r >= 0)
			r = nfs_gen_refuse(e, NFS_PF_FREEBSD, NFS_XO_SYNC |
					   NFS_XO_SUBTREE | NFS_XO_SECURE, err);
		if (r >= 0 && !nfs_gen_plain_path(e->path))
			r = nfs_gen_fail(err, e->line, NFS_PF_FREEBSD,
					 "the path '%s'", e->path);
		if (r >= 0)
			r = fbsd_export(e, b, err);
	}
	return r < 0 ? r : 0;
}

/* mount_nfs(8) spelling of the mount options. */
static int fbsd_mopts(const struct nfs_mopts *o, struct buf *b)
{
	int r = buf_append_str(b, o->ro ? "ro" : "rw");

	if (r >= 0 && o->soft)
		r = buf_append_str(b, ",soft");
	if (r >= 0 && o->bg)
		r = buf_append_str(b, ",bg");
	if (r >= 0 && (o->set & NFS_MO_VERS))
		r = buf_printf(b, ",%s", o->vers == 30 ? "nfsv3" : "nfsv4");
	if (r >= 0 && (o->set & NFS_MO_VERS) && o->vers > 40)
		r = buf_printf(b, ",minorversion=%d", o->vers - 40);
	if (r >= 0 && (o->set & NFS_MO_PROTO))
		r = buf_append_str(b, o->udp ? ",udp" : ",tcp");
	if (r >= 0 && (o->set & NFS_MO_TIMEO))
		r = buf_printf(b, ",timeout=%ld", o->timeo);
	if (r >= 0 && (o->set & NFS_MO_RETRANS))
		r = buf_printf(b, ",retrans=%ld", o->retrans);
	if (r >= 0 && o->nosuid)
		r = buf_append_str(b, ",nosuid");
	if (r >= 0 && o->noexec)
		r = buf_append_str(b, ",noexec");
	return r;
}

int nfs_gen_freebsd_fstab(const struct nfs_plan *p, const char *host,
			  struct buf *b, struct nfs_error *err)
{
	int r = buf_append_str(b, "# " NFS_GEN_HEADER "\n");

	for (size_t i = 0; r >= 0 && i < p->nimports; i++) {
		const struct nfs_import *im = &p->imports[i];

		if (strcmp(im->client, host) != 0)
			continue;
		r = nfs_gen_mount_refuse(im, NFS_PF_FREEBSD, 0, true, err);
		if (r >= 0)
			r = buf_printf(b, "%s:%s\t%s\tnfs\t", im->server, im->path,
				       im->mountpoint);
		if (r >= 0)
			r = fbsd_mopts(&im->opts, b);
		if (r >= 0)
			r = buf_append_str(b, "\t0\t0\n");
	}
	return r < 0 ? r : 0;
}
