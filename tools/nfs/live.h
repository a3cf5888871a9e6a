/*
 * live.h - the live commands of `nfs`: generated, deploy, reverse, report
 * (see live.c).  Options: --db PATH (default $SYSMAN_DB), --root MOUNT
 * (default $SYSMAN_ROOT, else /sysman), -v (progress on stderr).
 *
 *   nfs generated [HOST [FILE]]
 *   nfs deploy show|now|dry-run|at ISO-TIME|cancel|run-due|host HOST
 *   nfs reverse 1|show|accept
 *   nfs report
 */
#ifndef SYSMAN_TOOLS_NFS_LIVE_H
#define SYSMAN_TOOLS_NFS_LIVE_H

/* argv[1] is the command.  Returns the exit status: 0 ok, 1 some host
 * failed or an error, 2 not found, 22 bad input. */
int nfs_live_main(int argc, char **argv);

#endif
