/*
 * gen.h - generation of the platform files from a plan.
 *
 * Per host, by platform: linux `exports` `fstab`; ganesha `ganesha.conf`;
 * solaris `dfstab` `vfstab`; aix `exports` `filesystems`; freebsd
 * `exports` `fstab`.  The import files hold the NFS entries only.  What a
 * platform cannot express fails with -ENOTSUP and an error naming the
 * platform and the option (err->line is the plan line); nothing is
 * silently dropped.
 */
#ifndef SYSMAN_NFS_GEN_H
#define SYSMAN_NFS_GEN_H

#include <stddef.h>

#include "nfs/model.h"
#include "util/buf.h"

struct nfs_gen_file {
	char *host;
	const char *name;              /* static: "exports", "fstab", ... */
	struct buf content;
};

struct nfs_gen_out {
	struct nfs_gen_file *v;
	size_t n, cap;
};

#define NFS_GEN_OUT_INIT { NULL, 0, 0 }

/* Generates the files of every declared host, in host order.  Returns 0,
 * -ENOTSUP (err set), -ENOMEM, -E2BIG.  On failure out may hold the files
 * generated so far; release it in any case. */
int nfs_generate(const struct nfs_plan *p, struct nfs_gen_out *out,
		 struct nfs_error *err);
void nfs_gen_out_release(struct nfs_gen_out *out);

/* The export file of server / the import file of client on the given
 * platform, appended to b.  Same returns as nfs_generate(); a platform
 * without that kind of file gives -ENOTSUP when the host has objects of
 * that kind and 0 (nothing written) otherwise. */
int nfs_gen_exports(const struct nfs_plan *p, const char *server, int pf,
		    struct buf *b, struct nfs_error *err);
int nfs_gen_imports(const struct nfs_plan *p, const char *client, int pf,
		    struct buf *b, struct nfs_error *err);

/* File names of a platform ([0] exports, [1] imports; NULL if none). */
const char *nfs_gen_filename(int pf, int which);

#endif
