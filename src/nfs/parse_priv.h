/*
 * parse_priv.h - state and helpers shared by the file parsers; not part
 * of the library's interface.
 */
#ifndef SYSMAN_NFS_PARSE_PRIV_H
#define SYSMAN_NFS_PARSE_PRIV_H

#include <stdbool.h>

#include "nfs/lex.h"
#include "nfs/model.h"
#include "nfs/parse.h"

struct nfs_pctx {
	const char *host;
	const struct nfs_plan *known;
	struct nfs_plan *into;
	struct nfs_rpcs *rpcs;
	struct nfs_error *err;
	const char *text;
	size_t len;
};

int nfs_parse_linux_exports(struct nfs_pctx *c);
int nfs_parse_exportfs_v(struct nfs_pctx *c);
int nfs_parse_showmount(struct nfs_pctx *c);
int nfs_parse_mounts(struct nfs_pctx *c, bool proc);
int nfs_parse_rpcinfo(struct nfs_pctx *c);
int nfs_parse_ganesha(struct nfs_pctx *c);
int nfs_parse_solaris_dfstab(struct nfs_pctx *c);
int nfs_parse_solaris_vfstab(struct nfs_pctx *c);
int nfs_parse_aix_exports(struct nfs_pctx *c);
int nfs_parse_aix_filesystems(struct nfs_pctx *c);
int nfs_parse_freebsd_exports(struct nfs_pctx *c);
int nfs_parse_freebsd_fstab(struct nfs_pctx *c);

/* The export of c->host at path, created on first use; NULL on ENOMEM. */
struct nfs_export *nfs_pctx_export(struct nfs_pctx *c, const char *path,
				   unsigned line);
/* Adds (or, for a spec already there, replaces the options of) a client.
 * A bare name that `known` declares as a netgroup gets its '@'; networks
 * are canonicalised.  Returns the client, or NULL with err set / ENOMEM. */
struct nfs_client *nfs_pctx_client(struct nfs_pctx *c, struct nfs_export *e,
				   const char *spec, bool bare_netgroups,
				   unsigned line, unsigned col);
/* Adds an import of c->host from "server:path" on mountpoint; NULL and
 * err set when dev is not server:/path. */
struct nfs_import *nfs_pctx_import(struct nfs_pctx *c, const char *dev,
				   const char *mountpoint, unsigned line,
				   unsigned col);

/* Applies a Linux export option (neutral name, or one of those with no
 * neutral meaning, which is dropped; a repeated sec= adds flavours).
 * 0, or -EINVAL with err set. */
int nfs_linux_xopt(struct nfs_pctx *c, struct nfs_xopts *o, const char *opt,
		   size_t len, unsigned line, unsigned col);
/* Applies a comma-separated mount option list in neutral spelling,
 * dropping the options with no neutral meaning.  0 or -EINVAL. */
int nfs_mount_opts(struct nfs_pctx *c, struct nfs_mopts *o, const char *list,
		   unsigned line, unsigned col);
/* True for mount options that carry no neutral meaning. */
bool nfs_mount_ignorable(const char *opt, size_t len);

#endif
