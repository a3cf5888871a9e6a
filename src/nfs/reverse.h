/*
 * reverse.h - a draft plan from the files and export lists read on live
 * hosts (DESIGN §9 "Reverse").
 *
 * The parsers give objects keyed by what the files say: a client or a
 * server may be named by its address (generated ganesha files name plan
 * hosts by address, see gen_ganesha.c).  Naming them back through the
 * known hosts makes reverse(generate(plan)) equal the plan after
 * nfs_plan_sort().
 */
#ifndef SYSMAN_NFS_REVERSE_H
#define SYSMAN_NFS_REVERSE_H

#include "nfs/model.h"
#include "util/buf.h"

/* Replaces every client spec, and every import's server, that is the
 * address of a host of ref ("a.b.c.d" or "a.b.c.d/32", any IPv6
 * spelling) by that host's name.  0 or -ENOMEM. */
int nfs_plan_name_hosts(struct nfs_plan *q, const struct nfs_plan *ref);

/* Completes q into a draft plan: adds the host statements of ref that q
 * lacks (in ref's order) and its netgroups, names hosts as
 * nfs_plan_name_hosts() does, sorts, and appends the result in plan
 * syntax to out, under a header comment.  0, -ENOMEM or a buf error. */
int nfs_reverse_draft(struct nfs_plan *q, const struct nfs_plan *ref,
		      struct buf *out);

#endif
