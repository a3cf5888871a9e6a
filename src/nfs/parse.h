/*
 * parse.h - parsers of the platforms' files and of live NFS command
 * output, producing plan objects (exports with server = the file's host,
 * imports with client = the file's host).
 *
 * Formats: linux-exports linux-fstab ganesha solaris-dfstab solaris-vfstab
 * aix-exports aix-filesystems freebsd-exports freebsd-fstab exportfs-v
 * exportfs-s showmount-e proc-mounts rpcinfo-p.  Comments, continuation
 * lines and inline comments are handled as each format defines them.
 * Options are mapped to neutral names; options without a neutral meaning
 * that a platform prints anyway (wdelay, hide, rsize=, ...) are dropped,
 * unknown ones are an error naming line and column.  Networks come out
 * as addr/len; bare names are netgroups when `known` declares them.
 */
#ifndef SYSMAN_NFS_PARSE_H
#define SYSMAN_NFS_PARSE_H

#include <stddef.h>

#include "nfs/model.h"
#include "util/buf.h"

enum nfs_format {
	NFS_FMT_LINUX_EXPORTS, NFS_FMT_LINUX_FSTAB, NFS_FMT_GANESHA,
	NFS_FMT_SOLARIS_DFSTAB, NFS_FMT_SOLARIS_VFSTAB, NFS_FMT_AIX_EXPORTS,
	NFS_FMT_AIX_FILESYSTEMS, NFS_FMT_FREEBSD_EXPORTS, NFS_FMT_FREEBSD_FSTAB,
	NFS_FMT_EXPORTFS_V, NFS_FMT_EXPORTFS_S, NFS_FMT_SHOWMOUNT_E,
	NFS_FMT_PROC_MOUNTS, NFS_FMT_RPCINFO_P, NFS_FMT_COUNT
};

const char *nfs_format_name(int fmt);
/* Returns the format for a name or -EINVAL. */
int nfs_format_parse(const char *name);
/* The format of a platform's export (which 0) or import (1) file, or
 * -ENOENT. */
int nfs_format_of(int pf, int which);

struct nfs_rpc {
	unsigned long program;
	unsigned vers;
	char proto[8];
	unsigned port;
	char service[32];
};

struct nfs_rpcs {
	struct nfs_rpc *v;
	size_t n, cap;
};

/* Parses len bytes of text in format fmt, adding objects of host to
 * into; rpcinfo-p rows go to rpcs (may be NULL for other formats).
 * known (may be NULL) tells which bare names are netgroups.  Returns 0,
 * -EINVAL with err set, -ENOMEM, -E2BIG. */
int nfs_parse(int fmt, const char *text, size_t len, const char *host,
	      const struct nfs_plan *known, struct nfs_plan *into,
	      struct nfs_rpcs *rpcs, struct nfs_error *err);

void nfs_rpcs_release(struct nfs_rpcs *r);
/* "# rpc <program> <vers> <proto> <port> <service>" lines. */
int nfs_rpcs_print(const struct nfs_rpcs *r, struct buf *b);

#endif
