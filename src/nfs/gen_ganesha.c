/* nfs-ganesha: EXPORT blocks of ganesha.conf (ganesha-export-config(8)). */
#include <errno.h>
#include <string.h>

#include "nfs/client.h"
#include "nfs/gen_priv.h"
#include "nfs/opts.h"

/* Ganesha takes networks as addr/len only.  A plan host is named by its
 * address: ganesha resolves a client name once, when it loads the
 * export, and drops the whole EXPORT block (with only a warning) when a
 * name does not resolve, so a server without a resolver entry for the
 * client would serve nothing.  The plan knows every address. */
static int client_name(const struct nfs_plan *p, const char *spec,
		       struct buf *b)
{
	const struct nfs_host *h;
	char addr[64];
	unsigned prefix;
	int family;

	if (nfs_client_kind(spec) == NFS_CK_HOST) {
		h = nfs_plan_host(p, spec);
		return buf_append_str(b, h && h->address ? h->address : spec);
	}
	if (nfs_client_kind(spec) != NFS_CK_NET)
		return buf_append_str(b, spec);
	if (nfs_gen_net(spec, addr, sizeof(addr), &prefix, &family) < 0)
		return -EINVAL;
	return buf_printf(b, "%s/%u", addr, prefix);
}

static int client_block(const struct nfs_plan *p, const struct nfs_client *c,
			struct buf *b)
{
	/* spelled as ganesha-export-config(8) spells them */
	static const char *const squash[] = { "root_squash", "no_root_squash",
					      "all_squash" };
	const struct nfs_xopts *o = &c->opts;
	int r = buf_append_str(b, "\tCLIENT {\n\t\tClients = ");

	if (r >= 0)
		r = client_name(p, c->spec, b);
	if (r >= 0)
		r = buf_printf(b, ";\n\t\tAccess_Type = %s;\n", c->deny ? "None" :
			       o->rw ? "RW" : "RO");
	if (r >= 0 && !c->deny && (o->set & NFS_XO_SQUASH))
		r = buf_printf(b, "\t\tSquash = %s;\n", squash[o->squash]);
	if (r >= 0 && !c->deny && (o->set & NFS_XO_ANONUID))
		r = buf_printf(b, "\t\tAnonymous_uid = %lu;\n", o->anonuid);
	if (r >= 0 && !c->deny && (o->set & NFS_XO_ANONGID))
		r = buf_printf(b, "\t\tAnonymous_gid = %lu;\n", o->anongid);
	if (r >= 0 && !c->deny && (o->set & NFS_XO_SEC)) {
		r = buf_append_str(b, "\t\tSecType = ");
		for (unsigned i = 0; r >= 0 && i < o->nsec; i++)
			r = buf_printf(b, "%s%s", i ? ", " : "",
				       nfs_sec_name(o->sec[i]));
		if (r >= 0)
			r = buf_append_str(b, ";\n");
	}
	if (r >= 0 && !c->deny && (o->set & NFS_XO_SECURE))
		r = buf_printf(b, "\t\tPrivilegedPort = %s;\n",
			       o->insecure ? "false" : "true");
	return r < 0 ? r : buf_append_str(b, "\t}\n");
}

static int export_block(const struct nfs_plan *p, const struct nfs_export *e,
			unsigned id, struct buf *b)
{
	int r = buf_printf(b, "EXPORT {\n\tExport_Id = %u;\n", id);

	if (r >= 0)
		r = buf_printf(b, "\tPath = \"%s\";\n\tPseudo = \"%s\";\n",
			       e->path, e->path);
	if (r >= 0)
		r = buf_append_str(b, "\tAccess_Type = None;\n"
				   "\tFSAL {\n\t\tName = VFS;\n\t}\n");
	for (size_t i = 0; r >= 0 && i < e->nclients; i++)
		r = client_block(p, &e->clients[i], b);
	return r < 0 ? r : buf_append_str(b, "}\n");
}

int nfs_gen_ganesha(const struct nfs_plan *p, const char *host,
		    struct buf *b, struct nfs_error *err)
{
	unsigned id = 0;
	int r = buf_append_str(b, "# " NFS_GEN_HEADER "\n");

	for (size_t i = 0; r >= 0 && i < p->nexports; i++) {
		const struct nfs_export *e = &p->exports[i];

		if (strcmp(e->server, host) != 0)
			continue;
		r = nfs_gen_refuse(e, NFS_PF_GANESHA, NFS_XO_SYNC |
				   NFS_XO_SUBTREE, err);
		if (r >= 0 && strpbrk(e->path, "\"\\\n"))
			r = nfs_gen_fail(err, e->line, NFS_PF_GANESHA,
					 "the path '%s'", e->path);
		if (r >= 0)
			r = export_block(p, e, ++id, b);
	}
	return r < 0 ? r : 0;
}
