/*
 * store.h - the plan kept in the catalog database.
 *
 * The plan's text (comments and all) is the source of truth; storing also
 * writes its objects (hosts, exports with clients, imports, netgroups and
 * one ConfiguredValue row per option) for other readers.  A store is one
 * transaction: a crash or kill at any point leaves the old plan or the
 * new one, never a mix.
 */
#ifndef SYSMAN_NFS_STORE_H
#define SYSMAN_NFS_STORE_H

#include <stddef.h>

#include "nfs/catalog.h"
#include "nfs/model.h"
#include "util/buf.h"

/* Appends the stored plan text to b.  0, -ENOENT when none is stored,
 * -EIO. */
int nfs_store_get(struct nfs_catalog *c, struct buf *b);

/* Parses and checks text; stores it when it parses and has no error-level
 * finding.  Otherwise returns -EINVAL and leaves the stored plan as it
 * was; why gets the reasons, one a line, with line numbers ("line N:
 * column M: ..." for a parse error, the findings otherwise).  Warnings go
 * to why on success too.  Other returns: 0, -ENOMEM, -EIO. */
int nfs_store_put(struct nfs_catalog *c, const char *text, size_t len,
		  struct buf *why);

/* The reverse draft (services/nfs/reverse.draft): get appends it to b
 * (-ENOENT when none), put replaces it.  0, -ENOENT, -EIO. */
int nfs_draft_get(struct nfs_catalog *c, struct buf *b);
int nfs_draft_put(struct nfs_catalog *c, const char *text);

#endif
