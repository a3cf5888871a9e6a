/*
 * fs.h - the Sysman file system: shared state of the FUSE layer.
 *
 * The tree is a passthrough over state_dir (the backing store); every
 * inode holds an O_PATH fd of its backing object.  Inode numbers given to
 * the kernel are struct sm_inode pointers (as in libfuse passthrough_ll).
 *
 * Locking: sm->ino_mu guards the inode table and every inode's nlookup and
 * refs; in->mu guards that inode's inflight count, waiters and timestamps.
 * No lock is held across a call into the agent layer or across a FUSE
 * reply.
 */
#ifndef SYSMAN_FS_H
#define SYSMAN_FS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "agent/runner.h"
#include "agent/trie.h"
#include "conf/conf.h"

struct ids_store;
struct sysman;
struct agent_layer;
struct inventory;
struct hmap;

enum waiter_kind { W_OPEN, W_OPENDIR, W_LOOKUP, W_FLUSH };

struct waiter {
	struct waiter *next;
	enum waiter_kind kind;
	fuse_req_t req;
	struct fuse_file_info fi;
	struct sm_inode *target;      /* the inode to open (ref held) */
	char *name;                   /* W_LOOKUP: the name to look up */
	/* answers req once the run is over (fail: strict_errors and it failed) */
	void (*reply)(struct sysman *sm, struct waiter *w, bool fail);
	void *arg;                    /* for a custom reply (fs/nodes.c) */
};

/* Computed inodes (fs/nodes.c): nothing backs them, their fd is -1. */
enum vnode_kind {
	VNODE_NONE = 0,               /* a backed inode */
	VNODE_NODES,                  /* /nodes */
	VNODE_SET,                    /* /nodes/<set> */
	VNODE_FILE,                   /* /nodes/<set>/<file> (or <file>.status) */
};

struct sm_inode {
	struct sm_inode *next, *prev; /* table list, under ino_mu */
	int fd;                       /* O_PATH, -1 for none */
	/* computed inodes: kind, table key, node set text and file name
	 * (set when made, constant after) */
	enum vnode_kind vkind;
	char *vkey, *vset, *vfile;
	dev_t dev;
	ino_t ino;
	uint64_t nlookup;             /* kernel references (ino_mu) */
	uint64_t refs;                /* internal references (ino_mu) */

	pthread_mutex_t mu;           /* guards the fields below */
	int inflight;                 /* agent runs in progress for this inode */
	struct waiter *waiters;       /* served when inflight drops to 0 */
	time_t listed;                /* last dynamic listing (dirs) */
	bool periodic;                /* registered with the periodic collector */
	/* directories: the backing directory's stamp when the kernel last
	 * cached its listing (FOPEN_CACHE_DIR); zero when not to be reused */
	struct timespec dir_mtim, dir_ctim;
	off_t dir_size;
	nlink_t dir_nlink;
};

struct sysman {
	struct conf conf;
	char *state_dir;              /* realpath of conf.state_dir */
	size_t state_len;
	char *mount;                  /* mount point as given */
	char *bin_dir;                /* directory of the sysmand binary, for agents' PATH */
	struct fuse_session *se;
	struct agent_layer *agents;   /* every agent run goes there (agent/agents.h) */
	struct runner *runner;        /* the agent layer's queue: tickers, lock holders */
	struct ids_store *ids;
	struct inventory *inv;

	pthread_mutex_t ino_mu;
	struct sm_inode root;
	struct hmap *ino_map;         /* "dev:ino" -> inode (ino_mu) */
	struct hmap *periodic;        /* path -> struct periodic (runner thread + periodic_mu) */
	pthread_mutex_t periodic_mu;
	bool debug;
};

/* fs/inode.c */
int inode_table_init(struct sysman *sm);
void inode_table_release(struct sysman *sm);
struct sm_inode *inode_get(struct sysman *sm, fuse_ino_t ino);
/* Finds or creates the inode for fd's object; takes an nlookup when
 * count_lookup, else an internal ref.  Consumes fd (closes it when an inode
 * already exists).  Returns NULL on allocation failure. */
struct sm_inode *inode_find_or_add(struct sysman *sm, int fd, const struct stat *st, bool count_lookup);
/* Finds or creates the computed inode of kind for set and file (either
 * may be NULL); takes an nlookup.  Returns NULL on allocation failure. */
struct sm_inode *inode_find_or_add_virtual(struct sysman *sm, enum vnode_kind kind,
					   const char *set, const char *file);
/* Finds an existing inode by dev/ino and takes an internal ref, or NULL. */
struct sm_inode *inode_lookup_ref(struct sysman *sm, dev_t dev, ino_t ino);
void inode_ref(struct sysman *sm, struct sm_inode *in);
void inode_unref(struct sysman *sm, struct sm_inode *in);
void inode_forget(struct sysman *sm, struct sm_inode *in, uint64_t n);
/* The inode's path below the mount ("/a/b", "/" for the root) into buf.
 * Returns 0, -ENOENT when the object was deleted, or -ENAMETOOLONG. */
int inode_path(struct sysman *sm, struct sm_inode *in, char *buf, size_t len);
/* Opens the inode's backing object with flags (through /proc/self/fd). */
int inode_open(struct sm_inode *in, int flags);

/* fs/agents.c: what the agent layer says about paths */
/* True if path has an agent for op (dynamic-directory fallback included). */
bool sm_agent_for(struct sysman *sm, const char *path, enum agent_op op);
/* Calls trie_list for dirpath under the trie lock. */
int sm_agent_names(struct sysman *sm, const char *dirpath,
		   int (*fn)(const struct trie_entry *e, void *arg), void *arg);
/* True if path lies in (or is) a dynamic directory. */
bool sm_is_dynamic(struct sysman *sm, const char *path);

/* fs/run.c: running agents for the tree */
struct sm_run;
struct sm_run_opts {
	const char *path;             /* path below the mount, leading "/" */
	enum agent_op op;
	const char *exec;             /* an explicit agent file (discovery); NULL: by path */
	const char *input;
	size_t input_len;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	struct sm_inode *in;          /* inode whose inflight/waiters this run owns; may be NULL */
	bool raw;                     /* don't store output or .status (list, discovery) */
	const char *const *extra_env; /* more "K=V" for the agent; NULL-terminated */
	void (*after)(struct sysman *sm, const struct sm_run_opts *o, const struct agent_result *res, void *arg);
	void *after_arg;
};
/* Starts an agent run whose result replaces the content of path (if the
 * agent printed something or op is read), writes path.status, logs to the
 * audit log, then serves in's waiters.  in->inflight must have been
 * incremented by the caller.  Returns 0 or -errno (then the caller undoes
 * inflight and replies). */
int sm_run_agent(struct sysman *sm, const struct sm_run_opts *o);
/* Creates path.status (empty) if it does not exist yet, so that a reader
 * of it can wait for the run about to start; sm_run_agent calls it. */
void sm_status_prepare(struct sysman *sm, const struct sm_run_opts *o);
/* Writes "<path>.status" in the backing store. */
int sm_write_status(struct sysman *sm, const char *path, int rc, const char *msg);
/* Serves the waiters of in (called when inflight reaches 0). */
void sm_serve_waiters(struct sysman *sm, struct sm_inode *in, int rc_for_strict);
/* Queues a waiter on in if a run is in flight; returns true if queued. */
bool sm_wait_if_busy(struct sysman *sm, struct sm_inode *in, struct waiter *w);

/* fs/ops.c */
extern const struct fuse_lowlevel_ops sm_ops;
int sm_reply_open(struct sysman *sm, fuse_req_t req, struct sm_inode *in, struct fuse_file_info *fi);
int sm_reply_opendir(struct sysman *sm, fuse_req_t req, struct sm_inode *in, struct fuse_file_info *fi);
void sm_reply_lookup(struct sysman *sm, fuse_req_t req, struct sm_inode *parent, const char *name);

static inline struct sysman *sm_data(fuse_req_t req)
{
	return (struct sysman *)fuse_req_userdata(req);
}

/* Backing-store helpers (fs/backing.c).  rel paths have no leading '/'. */
int backing_write(struct sysman *sm, const char *path, const char *data, size_t len,
		  const struct timespec *mtime);
int backing_mkdirs(struct sysman *sm, const char *path, mode_t mode);
int backing_exists(struct sysman *sm, const char *path);
const char *backing_rel(const char *path);

#endif
