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
#include <sys/types.h>
#include <time.h>

enum agent_op { AGENT_READ = 0, AGENT_WRITE = 1, AGENT_LIST = 2, AGENT_NOPS };

/* Which back end serves an agent file, decided once from its first line
 * when the trie is built (classify.c):
 *   "#!/usr/bin/env sysman-remote" or "#!sysman-remote": the body below
 *        that line runs as a shell script on the device over the SSH pool;
 *   "#!/usr/bin/env sysman-ipmi" or "#!sysman-ipmi": the next line that
 *        is neither blank nor a comment names an IPMI property served in
 *        the daemon ("power");
 *   anything else: a local process.
 * AGENT_KIND_REDFISH is never a file's kind: an IPMI file of a BMC whose
 * device record says protocol=redfish is served over Redfish (dispatch.c). */
enum agent_kind { AGENT_KIND_LOCAL = 0, AGENT_KIND_SSH, AGENT_KIND_IPMI, AGENT_KIND_REDFISH, AGENT_NKINDS };

#define AGENT_PROP_MAX 32
#define AGENT_BODY_MAX (256 * 1024)

struct agent_file {
	char *exec;                  /* absolute path of the agent file */
	enum agent_kind kind;
	char *body;                  /* SSH: the script below the first line (NUL-terminated) */
	size_t body_len;
	char prop[AGENT_PROP_MAX];   /* IPMI: the property name */
	/* the file as classified: a run that finds it changed asks for a
	 * rebuild (agent_file_changed) */
	struct timespec mtime;
	off_t size;
	ino_t ino;
	int refs;                    /* atomic: the trie's and each user's */
};

/* Reads and classifies the agent file at path (one reference).  An
 * unreadable file is a local agent (running it reports the error).  NULL
 * only on ENOMEM. */
struct agent_file *agent_file_classify(const char *path);
/* Takes a reference: a record found in a trie stays valid after the trie
 * is rebuilt for as long as the reference is held.  Returns f. */
struct agent_file *agent_file_ref(const struct agent_file *f);
/* Drops a reference; the last frees.  Accepts NULL. */
void agent_file_free(struct agent_file *f);
/* True if the file at f->exec is no longer the one classified. */
bool agent_file_changed(const struct agent_file *f);
const char *agent_kind_name(enum agent_kind k);

struct agent_trie;

/* Scans roots (colon-separated).  Missing roots are skipped.  Returns 0 and
 * the trie in *ret, or -ENOMEM. */
int trie_build(const char *roots, struct agent_trie **ret);
void trie_free(struct agent_trie *t);

/* True when a scanned directory changed since the build. */
bool trie_stale(const struct agent_trie *t);

/* The agent file for path and op, or NULL; it belongs to the trie. */
const struct agent_file *trie_find(const struct agent_trie *t, const char *path, enum agent_op op);
/* Like trie_find without the _any fallback. */
const struct agent_file *trie_find_own(const struct agent_trie *t, const char *path, enum agent_op op);

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
