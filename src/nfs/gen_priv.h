/*
 * gen_priv.h - helpers shared by the per-platform generators; not part of
 * the library's interface.
 */
#ifndef SYSMAN_NFS_GEN_PRIV_H
#define SYSMAN_NFS_GEN_PRIV_H

#include <stdbool.h>

#include "nfs/model.h"
#include "util/buf.h"

#define NFS_GEN_HEADER "sysman: generated from the NFS plan; do not edit"

typedef int (*nfs_gen_fn)(const struct nfs_plan *p, const char *host,
			  struct buf *b, struct nfs_error *err);

int nfs_gen_linux_exports(const struct nfs_plan *p, const char *host,
			  struct buf *b, struct nfs_error *err);
int nfs_gen_linux_fstab(const struct nfs_plan *p, const char *host,
			struct buf *b, struct nfs_error *err);
int nfs_gen_ganesha(const struct nfs_plan *p, const char *host,
		    struct buf *b, struct nfs_error *err);
int nfs_gen_solaris_dfstab(const struct nfs_plan *p, const char *host,
			   struct buf *b, struct nfs_error *err);
int nfs_gen_solaris_vfstab(const struct nfs_plan *p, const char *host,
			   struct buf *b, struct nfs_error *err);
int nfs_gen_aix_exports(const struct nfs_plan *p, const char *host,
			struct buf *b, struct nfs_error *err);
int nfs_gen_aix_filesystems(const struct nfs_plan *p, const char *host,
			    struct buf *b, struct nfs_error *err);
int nfs_gen_freebsd_exports(const struct nfs_plan *p, const char *host,
			    struct buf *b, struct nfs_error *err);
int nfs_gen_freebsd_fstab(const struct nfs_plan *p, const char *host,
			  struct buf *b, struct nfs_error *err);

/* Records "<platform> cannot express ..." and returns -ENOTSUP. */
int nfs_gen_fail(struct nfs_error *err, unsigned line, int pf,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Fails unless none of the options in mask are set on any client. */
int nfs_gen_refuse(const struct nfs_export *e, int pf, unsigned mask,
		   struct nfs_error *err);
/* Fails for deny entries. */
int nfs_gen_refuse_deny(const struct nfs_export *e, int pf,
			struct nfs_error *err);
/* Checks that anonuid (and anongid if with_gid), and sec are the same for
 * every allowed client (after normalisation), as share-level options need.
 * Sets *anon_set / *sec_set when some client gave them explicitly. */
int nfs_gen_uniform(const struct nfs_export *e, int pf, bool with_gid,
		    bool *anon_set, bool *sec_set, struct nfs_error *err);

/* Splits a NET spec into address and prefix length. 0 or -EINVAL. */
int nfs_gen_net(const char *spec, char *addr, size_t n, unsigned *prefix,
		int *family);
/* True when a path can be written without quoting (no blanks). */
bool nfs_gen_plain_path(const char *path);
/* Fails for an import the platform cannot write: a path with blanks, an
 * option in mask, or vers 4.1/4.2 unless vers41. */
int nfs_gen_mount_refuse(const struct nfs_import *im, int pf, unsigned mask,
			 bool vers41, struct nfs_error *err);

#endif
