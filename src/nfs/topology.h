/*
 * topology.h - the servers <-> clients graph of a plan in graphviz dot.
 */
#ifndef SYSMAN_NFS_TOPOLOGY_H
#define SYSMAN_NFS_TOPOLOGY_H

#include "nfs/model.h"
#include "util/buf.h"

/* Appends a digraph: one node per host (box for servers), one edge per
 * import from server to client labelled "path -> mountpoint", dashed
 * edges to client specs of exports nobody imports.  0 or a buf error. */
int nfs_topology_dot(const struct nfs_plan *p, struct buf *b);

#endif
