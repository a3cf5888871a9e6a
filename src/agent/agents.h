/*
 * agents.h - the agent layer: where every agent run of the tree goes,
 * whatever back end serves it (DESIGN §1, §3, §5, §6).
 *
 * The file system asks this layer two things: which agents exist for a
 * path (to make files appear and to decide whether an open must wait),
 * and to run the agent of a path.  The layer chooses the agent (the trie,
 * rebuilt when agent_dir changes, and the dynamic-directory fallback),
 * the back end that serves it (classified once per agent file: local
 * process, SSH pool, IPMI pool), and applies the same rules to every
 * back end, in one place (dispatch.c):
 *   - lock: a file named "lock" in a directory at or above the path makes
 *     every run below it serial, whatever serves it;
 *   - fan-out: at most max_agents local processes, max_remote SSH runs
 *     and ipmi_threads IPMI runs in flight; the rest queue (FIFO);
 *   - time-out: conf_timeout() for the path (the [timeout] section, none
 *     for "command"), counted from when the run starts at its device;
 *     a timed-out run ends with rc 124 and is killed (a local process
 *     group; on an SSH host, the command's process group, even where
 *     sshd refuses signal requests);
 *   - output limit: agent_output_max bytes of stdout are kept;
 *   - audit: one line per run (caller's uid and pid, path, op, rc);
 *   - log: runs that fail are logged once, here.
 *
 * Nothing here knows FUSE.  Results are delivered to the caller's done
 * function on the runner thread; it must not block for long.
 */
#ifndef SYSMAN_AGENT_AGENTS_H
#define SYSMAN_AGENT_AGENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "agent/runner.h"
#include "agent/trie.h"

struct conf;
struct inventory;
struct ids_store;
struct agent_layer;

struct agent_layer_config {
	const struct conf *conf;       /* must outlive the layer */
	struct inventory *inv;         /* device records; may be NULL */
	struct ids_store *ids;         /* credentials; may be NULL */
	const char *mount;             /* the mount point as given */
	const char *state_dir;         /* the backing store (absolute) */
	const char *bin_dir;           /* sysmand's directory, for agents' PATH */
};

/* Builds the trie and starts the runner and the pools.  Returns 0 or
 * -errno (logged). */
int agent_layer_new(const struct agent_layer_config *cfg, struct agent_layer **ret);

/* Stops the pools (their runs end with "daemon stopping"), then the
 * runner.  Accepts NULL. */
void agent_layer_free(struct agent_layer *al);

/* The queue, for tickers (runner_every), lock holders and statistics. */
struct runner *agent_layer_runner(struct agent_layer *al);

/* True if path (below the mount, leading "/") has an agent for op,
 * dynamic-directory fallback included. */
bool agent_exists(struct agent_layer *al, const char *path, enum agent_op op);

/* Calls fn for the names agents make appear in dirpath (trie_list). */
int agent_names(struct agent_layer *al, const char *dirpath,
		int (*fn)(const struct trie_entry *e, void *arg), void *arg);

/* True if path lies in (or is) a dynamic directory (dynamic_dirs). */
bool agent_path_dynamic(struct agent_layer *al, const char *path);

struct agent_call {
	const char *path;              /* below the mount, leading "/" */
	const char *exec;              /* an agent file outside the tree's agents
	                                * (discovery agents); NULL: chosen by path */
	enum agent_op op;
	const char *input;             /* what was written; may be NULL */
	size_t input_len;
	uid_t uid;                     /* the caller, for the agent and the audit */
	gid_t gid;
	pid_t pid;
	const char *const *extra_env;  /* more "K=V" for local agents; NULL-terminated */
	agent_done_fn done;
	void *arg;
};

/* Runs the agent for c->path and c->op (everything copied).  Returns 0
 * (done is called exactly once, on the runner thread) or -errno, and then
 * done is never called: -ENOENT no agent, -ENOMEM, -E2BIG input too large
 * for its back end, -ESHUTDOWN. */
int agent_run(struct agent_layer *al, const struct agent_call *c);

/* The time-out of a path in seconds, -1 for none (conf_timeout). */
int agent_timeout_for(struct agent_layer *al, const char *path);

#endif
