/*
 * check.h - the consistency checker of a plan.
 *
 * Every finding has a severity, a rule name (DESIGN §9), the plan line it
 * is about and a one-line fix.  Rules: unused-export (warning),
 * not-exported, client-not-allowed, rw-on-ro, mountpoint-conflict,
 * option-not-supported, nested-export (AIX), duplicate-host,
 * missing-dependency, unknown-host.  Platform facts come from the
 * catalog (ParameterRestriction and product dependencies).
 */
#ifndef SYSMAN_NFS_CHECK_H
#define SYSMAN_NFS_CHECK_H

#include <stddef.h>

#include "nfs/catalog.h"
#include "nfs/model.h"
#include "util/buf.h"

enum nfs_severity { NFS_SEV_ERROR, NFS_SEV_WARNING };

struct nfs_finding {
	int severity;
	const char *rule;              /* static */
	unsigned line;
	char msg[256];
	char fix[192];
};

struct nfs_findings {
	struct nfs_finding *v;
	size_t n, cap;
	size_t nerrors;
};

#define NFS_FINDINGS_INIT { NULL, 0, 0, 0 }

/* Runs every rule over the plan, appending findings sorted by line.
 * Returns 0 or -errno (-ENOMEM, -EIO from the catalog). */
int nfs_check(const struct nfs_plan *p, struct nfs_catalog *cat,
	      struct nfs_findings *out);
void nfs_findings_release(struct nfs_findings *f);
/* One line a finding: "<error|warning> <rule> line <n>: <msg> (fix: ..)". */
int nfs_findings_print(const struct nfs_findings *f, struct buf *b);
/* Number of findings of a rule (for tests and summaries). */
size_t nfs_findings_count(const struct nfs_findings *f, const char *rule);

#endif
