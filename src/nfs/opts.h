/*
 * opts.h - neutral option names: parsing one option, listing the explicit
 * ones in canonical order, formatting a list.
 *
 * The neutral names are the plan's (DESIGN §9); they double as the
 * Parameter names of the catalog, so a restriction row names them too.
 */
#ifndef SYSMAN_NFS_OPTS_H
#define SYSMAN_NFS_OPTS_H

#include "nfs/model.h"
#include "util/buf.h"

#define NFS_MAX_KV 16

struct nfs_kv {
	const char *name;              /* static string */
	char value[64];                /* "" for a flag */
};

/* Applies one export option "name" or "name=value" (len bytes of opt).
 * Returns 0, -ENOENT for an unknown name, -EINVAL for a bad value. */
int nfs_xopt_apply(struct nfs_xopts *o, const char *opt, size_t len);
/* Same for mount options. */
int nfs_mopt_apply(struct nfs_mopts *o, const char *opt, size_t len);

/* Lists the explicitly set options in canonical order into kv (room for
 * NFS_MAX_KV); returns the count. */
size_t nfs_xopts_list(const struct nfs_xopts *o, struct nfs_kv *kv);
size_t nfs_mopts_list(const struct nfs_mopts *o, struct nfs_kv *kv);

/* Appends "a,b=c,..." to b.  Returns 0 or a buf error. */
int nfs_kv_format(struct buf *b, const struct nfs_kv *kv, size_t n);

/* Formats a sec list "krb5:sys" into dst (size n). */
void nfs_sec_format(const struct nfs_xopts *o, char *dst, size_t n);
/* Parses "krb5:sys" into o (sets NFS_XO_SEC); 0 or -EINVAL. */
int nfs_sec_list_parse(struct nfs_xopts *o, const char *s, size_t len);

/* "3", "4", "4.1" for a vers value. */
const char *nfs_vers_name(int vers);
/* Parses "3", "4", "4.0", "4.1", "4.2"; returns 30/40/41/42 or -EINVAL. */
int nfs_vers_parse(const char *s, size_t len);

#endif
