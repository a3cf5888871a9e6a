/*
 * report.h - the site report of a plan (services/nfs/report): the load
 * of every server and its single points of failure.
 */
#ifndef SYSMAN_NFS_REPORT_H
#define SYSMAN_NFS_REPORT_H

#include "nfs/model.h"
#include "util/buf.h"

/* Appends, one line a server in plan order:
 *   server <name> exports <n> clients <n> mounts <n>
 * then one line a server some client depends on:
 *   spof <name> <n> client(s) lose a planned import: <c1> <c2> ...
 * (a client loses an import when the server is its only source for that
 * mount point; with one import per mount point, any import counts).
 * 0 or a buf error / -ENOMEM. */
int nfs_report(const struct nfs_plan *p, struct buf *out);

#endif
