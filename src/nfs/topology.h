/*
 * topology.h - graphviz views: servers <-> clients of a plan, and the
 * product dependencies of the catalog.
 */
#ifndef SYSMAN_NFS_TOPOLOGY_H
#define SYSMAN_NFS_TOPOLOGY_H

#include "nfs/catalog.h"
#include "nfs/model.h"
#include "util/buf.h"

/* Appends a digraph: one node per host (box for servers), one edge per
 * import from server to client labelled "path -> mountpoint", dashed
 * edges to client specs of exports nobody imports.  0 or a buf error. */
int nfs_topology_dot(const struct nfs_plan *p, struct buf *b);

/* Appends the product dependency graph of the catalog: a cluster per
 * platform, an edge per dependency labelled with its condition.  0, a buf
 * error or -EIO. */
int nfs_dependencies_dot(struct nfs_catalog *c, struct buf *b);

#endif
