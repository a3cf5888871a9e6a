/*
 * deploy.h - one deployment of a plan to its hosts (DESIGN §9 Deploy).
 *
 * The library decides and journals; the caller's ops reach the hosts
 * (the CLI does it through the mounted tree, the unit tests with a fake).
 * Per host, servers first (a host that exports anything), then clients,
 * ops->parallel hosts at a time:
 *   1. read the host's files; a host whose files all equal the new ones
 *      is "unchanged" and not touched; a host that cannot be read is
 *      "failed" (unreachable), nothing changed on it;
 *   2. journal old and new content ("propagating"), write each file
 *      (the ops write atomically, keeping a backup);
 *   3. "activating": the platform's command;
 *   4. "verifying": observe the host and compare with the plan: the files
 *      read back equal; a ganesha server's exports as each planned client
 *      host sees them (it shows a client only what that client may
 *      mount), a Linux server's own `exportfs -v` list;
 *   5. "deployed", or on any failure the old files are written back and
 *      activated ("rolled-back" with the reason).
 * A client whose server failed is "skipped".  Import files (fstab,
 * vfstab, filesystems) are merged: the host's non-NFS entries are kept
 * and only its NFS entries replaced.
 */
#ifndef SYSMAN_NFS_DEPLOY_H
#define SYSMAN_NFS_DEPLOY_H

#include <stdbool.h>

#include "nfs/catalog.h"
#include "nfs/model.h"
#include "util/buf.h"

#define NFS_DEPLOY_MAX_PARALLEL 64

/* Called from up to `parallel` threads at once (0 or 1: one thread). */
struct nfs_deploy_ops {
	void *arg;
	unsigned parallel;             /* hosts handled at once */
	/* Appends host's file to b: 0, -ENOENT when the file does not
	 * exist, another -errno when the host cannot be read (msg why). */
	int (*get)(void *arg, const char *host, const char *file,
		   struct buf *b, char *msg, size_t n);
	/* Replaces the file by content (NULL: removes it). 0 or -errno. */
	int (*put)(void *arg, const char *host, const char *file,
		   const char *content, char *msg, size_t n);
	/* Runs the platform's activation command. 0 or -errno. */
	int (*activate)(void *arg, const char *host, int platform, char *msg,
			size_t n);
	/* Appends the server's own live export list (exports.live: a
	 * "# showmount-e" or "# exportfs-v" line, then that command's
	 * output) to b. */
	int (*live)(void *arg, const char *host, struct buf *b, char *msg,
		    size_t n);
	/* Appends the export list of the server at address as the plan
	 * host client sees it (showmount -e run there), same form. */
	int (*probe)(void *arg, const char *client, const char *address,
		     struct buf *b, char *msg, size_t n);
	/* Called after every state change (may be NULL). */
	void (*progress)(void *arg, const char *host, const char *state,
			 const char *detail);
};

/* Runs deployment id (journalled with nfs_journal_start()) of plan p.
 * only: a single host (NULL: every host); force: touch hosts even when
 * unchanged; dry_run: only say which hosts would change.  Sets the
 * deployment's final state.  Returns 0 when every host is deployed or
 * unchanged, 1 when some host failed, -errno when the run itself failed
 * (the journal keeps what happened up to then).  An op returning
 * -ENOTCONN (no way to reach any host) stops the run at once and leaves
 * the deployment running, for nfs_journal_recover(). */
int nfs_deploy_run(struct nfs_catalog *c, long long id,
		   const struct nfs_plan *p, const struct nfs_deploy_ops *ops,
		   const char *only, bool force, bool dry_run);

/* New content of an import file: cur without its NFS entries, then the
 * generated entries gen (the generated header comment included).
 * 0 or a buf error. */
int nfs_merge_imports(int platform, const char *cur, const char *gen,
		      struct buf *out);

/* Compares an export list (text as ops->live or ops->probe give it: a
 * "# showmount-e" or "# exportfs-v" line, then the command's output)
 * with the plan.  client NULL: the server's own full list, so every
 * export of host in p must be listed and every planned allowed client
 * (by address when it is a plan host) matched by its entry.  client
 * given: the list as that plan host sees it (ganesha shows a client only
 * the exports it may mount), so every export the plan lets it mount must
 * be listed.  0 ok; -EPROTO with why ("export /x not served ...",
 * "client c1 (10.0.0.2) not allowed on /x"); 1 when text holds no
 * export list (a platform whose list we do not read). */
int nfs_verify_listed(const struct nfs_plan *p, const char *host,
		      const char *client, const char *text, char *why,
		      size_t n);

#endif
