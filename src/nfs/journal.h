/*
 * journal.h - deployments of the plan, journalled in the catalog
 * (nfs_deployment, nfs_deploy_host, nfs_deploy_file).
 *
 * Invariants:
 *   - a deployment's state is one of scheduled, running, done, partial
 *     (some host failed or was rolled back), failed, interrupted (its
 *     runner died), cancelled;
 *   - a host's file is journalled (old and new content, old NULL when the
 *     file did not exist) before the host is touched, so a deployment
 *     interrupted at any point can put every touched host back;
 *   - at most one deployment is running: nfs_journal_start() and
 *     nfs_journal_claim_due() move a row to running only inside one
 *     transaction that finds none running;
 *   - a runner is named "pid:starttime" so that a reused PID is not
 *     taken for a live runner.
 */
#ifndef SYSMAN_NFS_JOURNAL_H
#define SYSMAN_NFS_JOURNAL_H

#include <stdbool.h>
#include <time.h>

#include "nfs/catalog.h"
#include "util/buf.h"

/* Records a deployment of plan_text.  mode "now", "dry-run" or "host"
 * (a redeploy of one host) starts running under runner; "at" is
 * scheduled for due.  Returns 0 and *ret_id, -EBUSY when another
 * deployment is running, -EIO. */
int nfs_journal_start(struct nfs_catalog *c, const char *mode, time_t due,
		      const char *plan_text, const char *runner,
		      long long *ret_id);
/* Moves the oldest scheduled deployment due at or before now to running
 * under runner.  Returns 1 and *ret_id, 0 when none is due (or one is
 * running), -EIO. */
int nfs_journal_claim_due(struct nfs_catalog *c, time_t now,
			  const char *runner, long long *ret_id);
/* The earliest due time of a scheduled deployment.  Returns 1 and
 * *ret_due, 0 when none is scheduled, -EIO. */
int nfs_journal_next_due(struct nfs_catalog *c, time_t *ret_due);
/* Cancels every scheduled deployment.  Returns how many (>= 0), -EIO. */
int nfs_journal_cancel(struct nfs_catalog *c);
/* The plan text of deployment id into b.  0, -ENOENT, -EIO. */
int nfs_journal_plan(struct nfs_catalog *c, long long id, struct buf *b);

/* The plan of the deployment before id when that one was a whole-site
 * deployment (now, at) that ended done: then every host holds what that
 * plan generates for it.  0 with the plan in b and its id, -ENOENT when
 * the latest one before id was not (partial, failed, interrupted, one
 * host redeployed, running), -EIO. */
int nfs_journal_last_done(struct nfs_catalog *c, long long id, struct buf *b,
			  long long *ret_id);
/* Sets a host's state and detail (the host is added at the end). */
int nfs_journal_host(struct nfs_catalog *c, long long id, const char *host,
		     const char *state, const char *detail);
/* Journals one file of a host before it is written (old NULL: absent). */
int nfs_journal_file(struct nfs_catalog *c, long long id, const char *host,
		     const char *name, const char *old, const char *new_text);
/* Ends a running deployment with state.  0 or -EIO. */
int nfs_journal_finish(struct nfs_catalog *c, long long id,
		       const char *state);

typedef bool (*nfs_runner_alive_fn)(const char *runner);
/* One file of a host to put back (old NULL: remove it), called by
 * nfs_journal_recover(); after a host's files, once more with name NULL
 * so that the host takes them (activation).  0 or -errno. */
typedef int (*nfs_restore_fn)(void *arg, const char *host, const char *name,
			      const char *old);
/* Finds running deployments whose runner is dead: each becomes
 * interrupted; each host caught between "propagating" and "verifying"
 * has its journalled files restored through restore (then "rolled-back
 * (interrupted)", or "failed (interrupted)" when restore fails).
 * Returns the number of deployments recovered, or -EIO. */
int nfs_journal_recover(struct nfs_catalog *c, nfs_runner_alive_fn alive,
			nfs_restore_fn restore, void *arg);

/* The latest deployment (or scheduled ones first), as `deploy` shows it:
 *   deployment <id> <mode> <state> [due <ISO time>]
 *   <host> <state> <detail>
 * "no deployment" when there is none.  0 or -EIO. */
int nfs_journal_print(struct nfs_catalog *c, struct buf *b);

/* Brackets many journal or observation writes in one transaction (one
 * commit for a whole site, not one a host): 0 or -EIO.  end commits. */
int nfs_journal_batch(struct nfs_catalog *c, bool end);
/* Records one observation of a host's item (exports, daemons,
 * config/<file>): status 0 with content keeps it as the last good one;
 * another status keeps the last good content and records why. */
int nfs_observation_put(struct nfs_catalog *c, const char *host,
			const char *item, int status, const char *why,
			const char *content);
/* The last good content of an item into b and its time; -ENOENT when
 * there is none, -EIO. */
int nfs_observation_good(struct nfs_catalog *c, const char *host,
			 const char *item, struct buf *b, time_t *ret_at);

/* Appends an audit row (action, subject, result). 0 or -EIO. */
int nfs_audit(struct nfs_catalog *c, const char *action, const char *subject,
	      const char *result);

#endif
