/*
 * nfs_cli.h - the `nfs` command line (`sysman nfs ...`, `sysman-nfs ...`).
 *
 *   nfs check PLAN                  findings; exit 1 if any error
 *   nfs generate PLAN OUTDIR        OUTDIR/<host>/<file>
 *   nfs parse FORMAT FILE [--host NAME] [--plan PLAN]
 *   nfs topology PLAN               graphviz dot
 *   nfs dependencies                product dependencies, graphviz dot
 *   nfs plan show|check             the stored plan
 *   nfs plan store FILE|-           parse + check + store, or reject
 *
 * PLAN and FILE may be "-" for stdin.  --db PATH (default $SYSMAN_DB,
 * else /var/lib/sysman/sysman.db) names the database; check, generate and
 * dependencies use it only when --db or $SYSMAN_DB is given, and
 * otherwise the built-in catalog.  Exit status: 0 ok, 1 findings,
 * rejection or failure, 2 usage.
 */
#ifndef SYSMAN_NFS_CLI_H
#define SYSMAN_NFS_CLI_H

/* argv[0] is "nfs".  Returns the process exit status. */
int nfs_cli_main(int argc, char **argv);

#endif
