/*
 * diagnose.h - the plan against what was observed on the hosts
 * (DESIGN §9 Diagnose).  One finding a line:
 *   <id> <rule> <subject>: <evidence> -> <proposed action>
 * Rules: host-unreachable (tell the admin), daemon-down (a server's
 * daemon; restart it),
 * config-drift (redeploy the host: its file differs from the generated
 * one), unplanned-export (redeploy: the host's export file exports what
 * the plan does not), export-missing (redeploy: a planned export is not
 * in the host's file), export-differs (redeploy: a planned export is in
 * the file with other clients or options), client-cannot-access (a
 * planned client's probe of its import failed: check the server first,
 * then tell the admin).  Ids are stable: a hash of rule and subject, so
 * `apply <id>` names the same finding on the next read.
 */
#ifndef SYSMAN_NFS_DIAGNOSE_H
#define SYSMAN_NFS_DIAGNOSE_H

#include <stdbool.h>

#include "nfs/model.h"
#include "util/buf.h"

#define NFS_OBS_FILES 2

/* Whether a client reached one of its planned imports (a libnfs probe
 * from the client itself). */
struct nfs_access {
	const char *mountpoint;
	const char *server, *path;
	bool ok;
	const char *detail;            /* why not, when !ok */
};

/* What was observed on one plan host. */
struct nfs_obs {
	const char *host;
	bool reachable;
	const char *why;               /* when not reachable */
	const char *daemons;           /* "<unit> active|inactive" lines, or NULL */
	struct {
		const char *name;      /* exports, fstab, ganesha.conf, ... */
		const char *content;   /* NULL: the file does not exist */
	} files[NFS_OBS_FILES];
	size_t nfiles;
	const struct nfs_access *access;       /* a client's imports probed */
	size_t naccess;
};

/* CHECK_SERVER: apply the server's findings, then probe again; what
 * still fails goes to the admin. */
enum nfs_action { NFS_ACT_ADMIN, NFS_ACT_RESTART, NFS_ACT_REDEPLOY,
		  NFS_ACT_CHECK_SERVER };

struct nfs_diag {
	char id[8];
	const char *rule;              /* static */
	char subject[128];
	char evidence[256];
	int action;                    /* enum nfs_action */
	char host[64];                 /* where the action runs */
	char arg[64];                  /* the daemon to restart; the client */
	char path[128];                /* CHECK_SERVER: the export probed */
	bool safe;                     /* cannot lose data: auto_correct=safe */
};

struct nfs_diags {
	struct nfs_diag *v;
	size_t n, cap;
};

/* Appends the findings for the observed hosts (client-cannot-access
 * after every host's own findings, which it names).  0, -ENOMEM, -ENOTSUP
 * (the plan cannot be generated). */
int nfs_diagnose(const struct nfs_plan *p, const struct nfs_obs *obs,
		 size_t nobs, struct nfs_diags *out);
void nfs_diags_release(struct nfs_diags *d);
/* One line a finding, as above; "no findings" when there is none. */
int nfs_diags_print(const struct nfs_diags *d, struct buf *b);
/* The finding with this id, or NULL. */
const struct nfs_diag *nfs_diags_find(const struct nfs_diags *d,
				      const char *id);

#endif
