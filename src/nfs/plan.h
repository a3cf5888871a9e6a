/*
 * plan.h - the plan language (DESIGN §9, docs/nfs.md): parse and print.
 *
 *   host <name> address=<addr> platform=<pf> [products=<p>,<p>...]
 *   netgroup <name> <member>...
 *   export <server>:<path> [-]<client>[(<opts>)]...
 *   import <client>:<mountpoint> <server>:<path> [<opts>]
 *
 * '#' starts a comment, '\' at the end of a line continues it, paths with
 * blanks are written in double quotes.
 */
#ifndef SYSMAN_NFS_PLAN_H
#define SYSMAN_NFS_PLAN_H

#include <stddef.h>

#include "nfs/model.h"
#include "util/buf.h"

/* Parses len bytes of text into a new plan.  Returns 0 and *ret_plan, or
 * -EINVAL with err naming line and column, -ENOMEM, -E2BIG.  *ret_plan is
 * untouched on failure. */
int nfs_plan_parse(const char *text, size_t len, struct nfs_plan **ret_plan,
		   struct nfs_error *err);

/* Appends the plan in canonical plan syntax (hosts, netgroups, exports,
 * imports).  Returns 0 or a buf error. */
int nfs_plan_print(const struct nfs_plan *p, struct buf *b);
/* The single statements, as nfs_plan_print writes them, with newline. */
int nfs_export_print(const struct nfs_export *e, struct buf *b);
int nfs_import_print(const struct nfs_import *im, struct buf *b);

/* Parses one "spec(opts)" / "-spec" client token into e. Returns 0,
 * -EINVAL with a message in err (line/col as given), -ENOMEM. */
int nfs_plan_client(struct nfs_export *e, const char *tok, unsigned line,
		    unsigned col, struct nfs_error *err);

#endif
