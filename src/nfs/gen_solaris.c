/* Solaris / illumos: dfstab (share_nfs(1M)) and vfstab(4). */
#include <errno.h>
#include <string.h>

#include "nfs/client.h"
#include "nfs/gen_priv.h"
#include "nfs/opts.h"

/* Writes a client as share_nfs spells it: host, @net/len, .domain,
 * bare netgroup. */
static int sol_name(const struct nfs_export *e, const struct nfs_client *c,
		    struct buf *b, struct nfs_error *err)
{
	char addr[64];
	unsigned prefix;
	int family;
	const char *s = c->spec;
	const char *deny = c->deny ? "-" : "";

	if (strchr(s, ':'))            /* ':' separates the list entries */
		return nfs_gen_fail(err, e->line, NFS_PF_SOLARIS,
				    "the IPv6 client '%s' (of %s)", s, e->path);
	switch (nfs_client_kind(s)) {
	case NFS_CK_HOST:
		return buf_printf(b, "%s%s", deny, s);
	case NFS_CK_NETGROUP:
		return buf_printf(b, "%s%s", deny, s + 1);
	case NFS_CK_NET:
		if (nfs_gen_net(s, addr, sizeof(addr), &prefix, &family) < 0)
			return -EINVAL;
		return buf_printf(b, "%s@%s/%u", deny, addr, prefix);
	case NFS_CK_WILD:
		if (s[0] == '*' && s[1] == '.' && !strpbrk(s + 1, "*?[]"))
			return buf_printf(b, "%s%s", deny, s + 1);
		/* fall through */
	default:
		return nfs_gen_fail(err, e->line, NFS_PF_SOLARIS,
				    "the client '%s' (of %s)", s, e->path);
	}
}

static bool sol_selected(const struct nfs_client *c, int want)
{
	if (c->deny || strcmp(c->spec, "*") == 0)
		return false;
	if (want == 2)
		return (c->opts.set & NFS_XO_SQUASH) &&
		       c->opts.squash == NFS_SQ_NONE;
	return c->opts.rw == (want == 1);
}

/* Appends ",key=list" of the clients selected by want (0 ro, 1 rw, 2
 * root), in plan order so that share_nfs's first match agrees with the
 * plan's; deny entries go into the rw and ro lists.  A list is written
 * only when it has an allowed entry. */
static int sol_list(const struct nfs_export *e, const char *key, int want,
		    bool *first, struct buf *b, struct nfs_error *err)
{
	bool any = false;
	size_t i;
	int r = 0;

	for (i = 0; i < e->nclients && !sol_selected(&e->clients[i], want); i++)
		;
	if (i == e->nclients)
		return 0;
	for (i = 0; r >= 0 && i < e->nclients; i++) {
		const struct nfs_client *c = &e->clients[i];

		if (!(c->deny && want != 2) && !sol_selected(c, want))
			continue;
		if (any)
			r = buf_append_str(b, ":");
		else
			r = buf_printf(b, "%s%s=", *first ? "" : ",", key);
		if (r >= 0)
			r = sol_name(e, c, b, err);
		any = true;
		*first = false;
	}
	return r;
}

static int sol_options(const struct nfs_export *e, struct buf *b,
		       struct nfs_error *err)
{
	bool anon, sec, first = true, rwall = false, roall = false;
	bool deny = false;
	const struct nfs_client *any = NULL;
	struct nfs_xopts norm;
	char secs[64];
	int r;

	r = nfs_gen_uniform(e, NFS_PF_SOLARIS, false, &anon, &sec, err);
	for (size_t i = 0; i < e->nclients; i++) {
		const struct nfs_client *c = &e->clients[i];

		if (!c->deny && strcmp(c->spec, "*") == 0) {
			if (c->opts.squash == NFS_SQ_NONE)
				return nfs_gen_fail(err, e->line,
					NFS_PF_SOLARIS, "no_root_squash for "
					"everyone (of %s)", e->path);
			rwall |= c->opts.rw;
			roall |= !c->opts.rw;
		}
		deny |= c->deny;
		if (!c->deny && !any)
			any = c;
	}
	if (r < 0 || !any)
		return r < 0 ? r : nfs_gen_fail(err, e->line, NFS_PF_SOLARIS,
						"an export without clients");
	if (deny && (rwall || roall))
		return nfs_gen_fail(err, e->line, NFS_PF_SOLARIS,
				    "deny entries beside everyone (of %s)",
				    e->path);
	norm = any->opts;                  /* uniform: any client will do */
	nfs_xopts_normalize(&norm);
	nfs_sec_format(&norm, secs, sizeof(secs));
	r = buf_append_str(b, " -o ");
	if (r >= 0 && sec) {
		r = buf_printf(b, "sec=%s", secs);
		first = false;
	}
	if (r >= 0)
		r = sol_list(e, "rw", 1, &first, b, err);
	if (r >= 0 && rwall) {
		r = buf_append_str(b, first ? "rw" : ",rw");
		first = false;
	}
	if (r >= 0)
		r = sol_list(e, "ro", 0, &first, b, err);
	if (r >= 0 && roall) {
		r = buf_append_str(b, first ? "ro" : ",ro");
		first = false;
	}
	if (r >= 0)
		r = sol_list(e, "root", 2, &first, b, err);
	if (r >= 0 && anon)
		r = buf_printf(b, ",anon=%lu", norm.anonuid);
	return r;
}

int nfs_gen_solaris_dfstab(const struct nfs_plan *p, const char *host,
			   struct buf *b, struct nfs_error *err)
{
	int r = buf_append_str(b, "# " NFS_GEN_HEADER "\n");

	for (size_t i = 0; r >= 0 && i < p->nexports; i++) {
		const struct nfs_export *e = &p->exports[i];

		if (strcmp(e->server, host) != 0)
			continue;
		r = nfs_gen_refuse(e, NFS_PF_SOLARIS, NFS_XO_SYNC |
				   NFS_XO_SUBTREE | NFS_XO_SECURE |
				   NFS_XO_ANONGID, err);
		for (size_t k = 0; r >= 0 && k < e->nclients; k++)
			if (e->clients[k].opts.squash == NFS_SQ_ALL &&
			    (e->clients[k].opts.set & NFS_XO_SQUASH))
				r = nfs_gen_fail(err, e->line, NFS_PF_SOLARIS,
						 "option 'all_squash'");
		if (r >= 0 && strpbrk(e->path, "\"\\$`\n"))
			r = nfs_gen_fail(err, e->line, NFS_PF_SOLARIS,
					 "the path '%s'", e->path);
		if (r >= 0)
			r = buf_append_str(b, "share -F nfs");
		if (r >= 0)
			r = sol_options(e, b, err);
		if (r >= 0)
			r = buf_printf(b, strpbrk(e->path, " \t") ?
				       " \"%s\"\n" : " %s\n", e->path);
	}
	return r < 0 ? r : 0;
}

int nfs_gen_solaris_vfstab(const struct nfs_plan *p, const char *host,
			   struct buf *b, struct nfs_error *err)
{
	struct nfs_kv kv[NFS_MAX_KV];
	int r = buf_append_str(b, "# " NFS_GEN_HEADER "\n"
		"#device\t\tdevice\t\tmount\t\tFS\tfsck\tmount\tmount\n"
		"#to mount\tto fsck\t\tpoint\t\ttype\tpass\tat boot\toptions\n");

	for (size_t i = 0; r >= 0 && i < p->nimports; i++) {
		const struct nfs_import *im = &p->imports[i];
		size_t n;

		if (strcmp(im->client, host) != 0)
			continue;
		r = nfs_gen_mount_refuse(im, NFS_PF_SOLARIS, 0, false, err);
		if (r >= 0)
			r = buf_printf(b, "%s:%s\t-\t%s\tnfs\t-\tyes\t", im->server,
				       im->path, im->mountpoint);
		n = nfs_mopts_list(&im->opts, kv);
		if (r >= 0)
			r = n ? nfs_kv_format(b, kv, n) : buf_append_str(b, "-");
		if (r >= 0)
			r = buf_append_str(b, "\n");
	}
	return r < 0 ? r : 0;
}
