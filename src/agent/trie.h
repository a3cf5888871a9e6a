/*
 * trie.h - where the agent for a path is chosen (DESIGN §5).
 *
 * The agent directories mirror the /sysman tree, one component per level.
 * A directory or file named "_" matches any one name; exact names win over
 * "_" at every level (leftmost level first).  Files are "<name>.<op>" with
 * op one of read, write, list.  "_any/<name>.<op>" (directly below an agent
 * root) matches that name anywhere, but never makes a file appear.  With
 * several agent roots (colon-separated), the first root holding a match wins.
 *
 * Invariants: a trie is immutable once built and may be shared by threads;
 * trie_build() scans the roots once; trie_stale() re-stats the scanned
 * directories so a caller can rebuild when agents were added or removed.
 * Paths given to lookups are below the mount point with a leading "/"
 * ("/systems/servers/n1/power"); the root itself is "/".
 */
#ifndef SYSMAN_AGENT_TRIE_H
#define SYSMAN_AGENT_TRIE_H

#include <stdbool.h>
#include <stddef.h>

enum agent_op { AGENT_READ = 0, AGENT_WRITE = 1, AGENT_LIST = 2, AGENT_NOPS };

struct agent_trie;

/* Scans roots (colon-separated).  Missing roots are skipped.  Returns 0 and
 * the trie in *ret, or -ENOMEM. */
int trie_build(const char *roots, struct agent_trie **ret);
void trie_free(struct agent_trie *t);

/* True when a scanned directory changed since the build. */
bool trie_stale(const struct agent_trie *t);

/* The agent executable for path and op, or NULL.  The string belongs to the
 * trie. */
const char *trie_lookup(const struct agent_trie *t, const char *path, enum agent_op op);

/* Like trie_lookup but without the _any fallback: an agent that makes the
 * file appear. */
const char *trie_lookup_own(const struct agent_trie *t, const char *path, enum agent_op op);

struct trie_entry {
	const char *name;
	unsigned ops;        /* bit (1 << op) for each op with an agent */
	bool is_dir;         /* a directory: agents exist below it, or a list agent */
};

/* Calls fn for every name that agents make appear in directory dirpath
 * (exact and "_" matches, never "_any").  A name may be reported more than
 * once (from several matching branches).  Stops when fn returns non-zero and
 * returns that value. */
int trie_list(const struct agent_trie *t, const char *dirpath,
	      int (*fn)(const struct trie_entry *e, void *arg), void *arg);

const char *agent_op_name(enum agent_op op);

#endif
