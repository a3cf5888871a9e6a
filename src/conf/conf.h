/*
 * conf.h - sysman.conf(5): the single configuration file.
 *
 * Invariants: after conf_load() or conf_defaults() every field has a value
 * (the default when the file does not set it); strings are owned by the
 * struct and freed by conf_release().  Glob tables keep file order; lookups
 * return the LAST matching line ("last match wins").
 */
#ifndef SYSMAN_CONF_H
#define SYSMAN_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum cache_model { CACHE_REFRESH, CACHE_TTL, CACHE_PERIODIC, CACHE_STATIC };
enum write_mode { WRITE_SYNC, WRITE_ASYNC };
enum host_key_policy { HOSTKEY_ACCEPT_NEW, HOSTKEY_STRICT };

struct cache_rule {
	char *glob;
	enum cache_model model;
	int seconds;          /* TTL or period; 0 for refresh/static */
};

struct write_rule {
	char *glob;
	enum write_mode mode;
};

struct timeout_rule {
	char *glob;
	int seconds;          /* -1: none */
};

/* A system user local agents run as, resolved when the file is loaded
 * (getpwnam, getgrouplist): spawning needs no name-service lookup. */
struct agent_user {
	char *name;
	char *home;           /* its home directory (HOME for agents) */
	uid_t uid;
	gid_t gid;
	gid_t *groups;        /* supplementary groups, the user's gid included */
	int ngroups;
};

struct agent_user_rule {
	char *glob;
	struct agent_user user;
};

struct kind_rule {
	char *kind;           /* e.g. "storage" */
	char *place;          /* e.g. "systems/storage" */
};

struct conf {
	char *file;           /* the file loaded, or NULL for defaults */
	char *mountpoint;
	char *state_dir;
	char *agent_dir;      /* colon-separated list */
	char *db;
	int max_agents;
	int agent_timeout;
	long agent_output_max;
	bool strict_errors;
	char *dynamic_dirs;   /* space-separated names */
	char *discover_networks;
	char *auto_correct;   /* off|safe|all: NFS diagnosis actions run unasked */
	int discover_interval;
	int discover_timeout;         /* seconds a discovery probe waits for an answer */
	char *ssh_key;
	char *ssh_known_hosts;
	enum host_key_policy ssh_host_key_policy;
	int ssh_connect_timeout;
	char *ssh_user;
	int ssh_port;
	int ipmi_port;
	int ipmi_timeout;     /* seconds: bound of one in-daemon IPMI request */
	int ipmi_cipher;      /* RMCP+ cipher suite id */
	int ipmi_threads;     /* in-daemon IPMI worker threads */
	int redfish_port;     /* HTTPS port of Redfish BMCs without ADDR:PORT */
	bool redfish_verify;  /* TLS check of Redfish BMCs (device attribute verify=no) */
	int ipmi_session_idle; /* seconds an unused IPMI session stays open */
	char *audit_log;
	int max_remote;       /* SSH runs in flight; the rest queue */
	int max_nodeset;      /* names a nodes/<set> may expand to */
	bool allow_other;
	bool pass_password_in_argv;
	char *log_level;
	int max_threads;
	char *web_listen;     /* sysman-web: ADDR:PORT */
	char *web_root;       /* sysman-web: the pages */
	char *web_tls_cert;   /* PEM files; both or neither; required off loopback */
	char *web_tls_key;
	char *web_pam_service;
	int web_session_ttl;  /* seconds a session lives unused */
	long web_max_body;    /* bytes of a request body */
	int web_login_limit;  /* failed log-ins per address or user in 10 minutes */
	struct agent_user agent_user;   /* name "" (default): the daemon's user */

	struct cache_rule *cache;
	size_t ncache;
	struct write_rule *write;
	size_t nwrite;
	struct timeout_rule *timeouts;
	size_t ntimeouts;
	struct kind_rule *kinds;
	size_t nkinds;
	struct agent_user_rule *agent_users;   /* [agent_user] */
	size_t nagent_users;
};

/* Fills c with the defaults of sysman.conf(5).  Returns 0 or -ENOMEM. */
int conf_defaults(struct conf *c);

/* Loads path over the defaults.  Returns 0, -errno when the file cannot be
 * read, or -EINVAL on a syntax error, unknown key or bad value, in which
 * case errbuf holds "FILE:LINE: message".  c is fully released on error. */
int conf_load(struct conf *c, const char *path, char *errbuf, size_t errlen);

void conf_release(struct conf *c);

/* The caching model for a path below the mount point ("systems/a/power",
 * no leading slash).  Default: refresh. */
enum cache_model conf_cache_model(const struct conf *c, const char *path, int *ret_seconds);
/* The write mode for a path; default sync, except files named "command"
 * which default to async (DESIGN §3). */
enum write_mode conf_write_mode(const struct conf *c, const char *path);
/* The agent time-out for a path in seconds, -1 for none: the last
 * matching [timeout] line, else none for files named "command", else
 * agent_timeout. */
int conf_timeout(const struct conf *c, const char *path);
/* The user local agents for a path run as: the last matching
 * [agent_user] line, else agent_user; NULL when that is empty (agents
 * run as the daemon's user).  Points into c. */
const struct agent_user *conf_agent_user(const struct conf *c, const char *path);
/* True if name is listed in dynamic_dirs. */
bool conf_is_dynamic_dir(const struct conf *c, const char *name);
/* The place for a device kind ("server" -> "systems/servers"), or NULL. */
const char *conf_kind_place(const struct conf *c, const char *kind);

/* Parses a cache model value ("cache 10").  Returns 0 or -EINVAL. */
int conf_parse_cache_model(const char *v, enum cache_model *ret_model, int *ret_seconds);

/* Prints every key with its current value in sysman.conf syntax. */
struct buf;
int conf_dump(const struct conf *c, struct buf *out);

#endif
