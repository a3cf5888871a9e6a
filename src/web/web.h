/*
 * web.h - sysman-web: the web interface, a client of the mounted tree.
 *
 * sysman-web is a separate process (docs/web.md).  It serves the pages
 * under web_root and the JSON API of DESIGN §14 with libmicrohttpd, one
 * thread per connection.  Every read and write of the tree goes through
 * the mount point, made by the connection's thread under the logged-in
 * user's file-system uid, gid and supplementary groups (cred.c), so the
 * kernel (default_permissions), sysmand's own checks, its agents, locks,
 * .status files and audit log treat a browser exactly like a shell of
 * that user.  Nothing below is ever done as root on a user's behalf.
 *
 * Errors: functions return >= 0 or -errno; the HTTP layer maps errno to a
 * status code once (http.c: web_http_status).
 */
#ifndef SYSMAN_WEB_H
#define SYSMAN_WEB_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "conf/conf.h"

#define WEB_USER_MAX 64
#define WEB_GROUPS_MAX 256
#define WEB_TOKEN_LEN 64              /* hex characters of a session or CSRF token */
#define WEB_READ_MAX (16u << 20)      /* bytes of one file read through the API */

/* Who a request acts as: resolved once at log-in (getpwnam, getgrouplist). */
struct web_user {
	char name[WEB_USER_MAX];
	uid_t uid;
	gid_t gid;
	gid_t groups[WEB_GROUPS_MAX];
	int ngroups;
};

struct web_sessions;
struct web_events;

struct web {
	struct conf conf;
	const char *mount;            /* conf.mountpoint */
	int mount_fd;                 /* O_PATH of the mount point */
	int root_fd;                  /* O_PATH of web_root (the pages) */
	bool tls;
	struct web_sessions *sessions;
	struct web_events *events;
	volatile bool stopping;
};

/* --- cred.c: the calling thread takes a user's identity for file access --- */
/* Returns 0 or -errno (then the thread is unchanged). */
int cred_become(const struct web_user *u);
/* Back to the process's own identity.  Never fails. */
void cred_restore(void);
/* Fills u for the system user name.  Returns 0, -ENOENT, or -errno. */
int cred_lookup(const char *name, struct web_user *u);

/* --- path.c: paths from URLs (pure) --- */
/* True unless the path part of a raw URL (before '?') holds an encoded
 * '/', '\\' or NUL (%2F, %5C, %00, any case). */
bool web_url_path_ok(const char *raw);
/* Checks and normalises a path below the mount ("a/b/c", "" is the root):
 * no "." or ".." components, no control characters, empty components
 * dropped.  Writes the result to out ("." for the root).  Returns 0,
 * -EINVAL, or -ENAMETOOLONG. */
int tree_clean_path(const char *in, char *out, size_t outlen);

/* --- tree.c: the tree through the mount, as the calling thread's user --- */
/* openat2 below the mount point with RESOLVE_BENEATH: a symbolic link or
 * ".." cannot leave the tree (-EXDEV).  Returns an fd or -errno. */
int tree_open(const struct web *w, const char *path, int flags);
/* GET of one path: a file object or a directory object (DESIGN §14). */
int tree_get(const struct web *w, const char *path, json_t **ret);
/* Reads a file and its .status into o ("content", "status", "rc", "mtime",
 * "writable").  Returns 0 or -errno. */
int tree_read_file(const struct web *w, const char *path, json_t *o);
/* Writes data to path as a shell's `printf %s DATA > path` would (open
 * O_WRONLY|O_TRUNC, write, close), then reads its .status.  Returns 0 or
 * the -errno of the open, write or close; o gets "status" and "rc" in
 * both cases when a .status exists. */
int tree_write_file(const struct web *w, const char *path, const char *data, size_t len,
		    json_t *o);

/* --- batch.c: one request for many paths --- */
/* Expands a path whose components may hold a node set (n[1-20], @rack1,
 * a,b) or a glob (*, ?) into the existing paths it names, sorted as
 * nodeset -e sorts.  At most conf.max_nodeset paths (-E2BIG).  Sets
 * *ret_paths (NULL-terminated, free with batch_free_paths).  Returns the
 * count or -errno (-EINVAL for a malformed set, with why filled). */
int batch_expand(const struct web *w, const char *path, char ***ret_paths, char *why,
		 size_t whylen);
void batch_free_paths(char **paths);
/* Reads every path (a few threads, each as u) into a JSON array. */
json_t *batch_read(const struct web *w, const struct web_user *u, char **paths, int n);
/* Writes data to every path (a few threads, each as u); calls emit with
 * one result object per path as each completes (from worker threads,
 * serialised by the caller's lock). */
struct batch_write;
struct batch_write *batch_write_start(const struct web *w, const struct web_user *u,
				      char **paths, int n, const char *data, size_t len);
/* Blocks until a result or the end.  Returns a JSON line (malloc'd, with
 * '\n') or NULL when every result was returned (the last line being the
 * summary). */
char *batch_write_next(struct batch_write *bw);
void batch_write_free(struct batch_write *bw);

/* --- auth.c: PAM log-in, sessions, CSRF, failed log-in limits --- */
struct web_session {
	char token[WEB_TOKEN_LEN + 1];
	char csrf[WEB_TOKEN_LEN + 1];
	struct web_user user;
	time_t last_used;
};
/* ttl: seconds a session lives unused; limit: failed log-ins per address
 * or user name in 10 minutes before log-ins are refused (-EAGAIN). */
struct web_sessions *sessions_new(int ttl, int limit);
void sessions_free(struct web_sessions *s);
/* Checks user/password with PAM (service pam_service).  Returns 0,
 * -EACCES (wrong user or password, account refused), -EAGAIN (too many
 * failures from this address or for this user: rate-limited, *retry_after
 * set), or -errno. */
int auth_login(struct web_sessions *s, const char *pam_service, const char *user,
	       const char *password, const char *from, struct web_session *ret, int *retry_after);
/* Copies the session of token into ret (and refreshes its expiry).
 * Returns 0 or -ENOENT (unknown or expired). */
int sessions_find(struct web_sessions *s, const char *token, struct web_session *ret);
void sessions_drop(struct web_sessions *s, const char *token);

/* --- events.c: changed paths, from the audit log and watched files --- */
struct web_events *events_start(const struct web *w, const char *audit_log);
void events_stop(struct web_events *e);
struct web_sub;
/* A subscriber to paths under the given prefixes ("" = everything) and
 * to changes of the content of the watched files (read every second as
 * u; at most 16). */
struct web_sub *events_subscribe(struct web_events *e, const struct web_user *u,
				 const char *const *prefixes, int nprefixes,
				 const char *const *watch, int nwatch);
/* Blocks at most timeout_ms for events; writes SSE text into buf (at
 * most len bytes).  Returns the bytes written (0 on time-out) or -ESHUTDOWN
 * once the server stops. */
ssize_t events_wait(struct web_events *e, struct web_sub *s, char *buf, size_t len, int timeout_ms);
void events_unsubscribe(struct web_events *e, struct web_sub *s);

/* --- http.c --- */
/* Starts the HTTP(S) daemon on conf.web_listen.  Returns 0 or -errno
 * (why filled). */
int web_http_start(struct web *w, char *why, size_t whylen);
void web_http_stop(struct web *w);
/* The HTTP status for an errno of the tree. */
unsigned web_http_status(int err);

#endif
