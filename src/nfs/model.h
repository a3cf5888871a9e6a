/*
 * model.h - the in-memory NFS plan: hosts, netgroups, exports, imports.
 *
 * Invariants:
 *   - every string in a plan is heap-owned by the plan and freed by
 *     nfs_plan_free(); nothing points into the parser's input;
 *   - options are kept as "what was said": a bit in .set for every option
 *     given explicitly, the value in its field; nfs_*opts_normalize() fills
 *     in the neutral defaults (Linux's: ro, root_squash, anon 65534, sync,
 *     no_subtree_check, secure; rw, hard, fg, tcp for mounts) so that two
 *     option sets that mean the same compare equal;
 *   - line numbers are 1-based lines of the source text, 0 when unknown.
 */
#ifndef SYSMAN_NFS_MODEL_H
#define SYSMAN_NFS_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#define NFS_MAX_OBJECTS 100000   /* per array in a plan */
#define NFS_MAX_SEC 4

enum nfs_platform {
	NFS_PF_LINUX, NFS_PF_GANESHA, NFS_PF_SOLARIS, NFS_PF_AIX, NFS_PF_FREEBSD,
	NFS_PF_COUNT
};

/* "linux", "ganesha", ...; NULL for an out-of-range value. */
const char *nfs_platform_name(int pf);
/* Returns the platform for a name, or -EINVAL. */
int nfs_platform_parse(const char *s);

enum nfs_sec { NFS_SEC_SYS, NFS_SEC_KRB5, NFS_SEC_KRB5I, NFS_SEC_KRB5P,
	       NFS_SEC_COUNT };
const char *nfs_sec_name(int sec);
int nfs_sec_parse(const char *s);

enum nfs_squash { NFS_SQ_ROOT, NFS_SQ_NONE, NFS_SQ_ALL };

/* bits of nfs_xopts.set */
enum {
	NFS_XO_ACCESS = 1u << 0, NFS_XO_SQUASH = 1u << 1,
	NFS_XO_ANONUID = 1u << 2, NFS_XO_ANONGID = 1u << 3,
	NFS_XO_SEC = 1u << 4, NFS_XO_SYNC = 1u << 5,
	NFS_XO_SUBTREE = 1u << 6, NFS_XO_SECURE = 1u << 7,
};

struct nfs_xopts {                 /* export options of one client */
	unsigned set;
	bool rw;
	int squash;                    /* enum nfs_squash */
	unsigned long anonuid, anongid;
	unsigned char sec[NFS_MAX_SEC];
	unsigned nsec;
	bool async;
	bool subtree_check;
	bool insecure;
};

/* bits of nfs_mopts.set */
enum {
	NFS_MO_ACCESS = 1u << 0, NFS_MO_HARD = 1u << 1, NFS_MO_BG = 1u << 2,
	NFS_MO_VERS = 1u << 3, NFS_MO_PROTO = 1u << 4, NFS_MO_TIMEO = 1u << 5,
	NFS_MO_RETRANS = 1u << 6, NFS_MO_NOSUID = 1u << 7,
	NFS_MO_NOEXEC = 1u << 8,
};

struct nfs_mopts {                 /* mount (import) options */
	unsigned set;
	bool ro, soft, bg, udp, nosuid, noexec;
	int vers;                      /* 30, 40, 41, 42 */
	long timeo, retrans;
};

struct nfs_host {
	char *name;
	char *address;                 /* may be NULL */
	int platform;                  /* enum nfs_platform */
	char **products;               /* products= list, NULL if not given */
	size_t nproducts;
	bool has_products;
	unsigned line;
};

struct nfs_netgroup {
	char *name;
	char **members;
	size_t nmembers;
	unsigned line;
};

struct nfs_client {
	char *spec;                    /* without the leading '-' of a deny */
	bool deny;
	struct nfs_xopts opts;
};

struct nfs_export {
	char *server;
	char *path;
	struct nfs_client *clients;
	size_t nclients;
	unsigned line;
};

struct nfs_import {
	char *client;
	char *mountpoint;
	char *server;
	char *path;
	struct nfs_mopts opts;
	unsigned line;
};

struct nfs_plan {
	struct nfs_host *hosts;
	size_t nhosts, caphosts;
	struct nfs_netgroup *netgroups;
	size_t nnetgroups, capnetgroups;
	struct nfs_export *exports;
	size_t nexports, capexports;
	struct nfs_import *imports;
	size_t nimports, capimports;
};

/* Where and why a parse failed. */
struct nfs_error {
	unsigned line, col;
	char msg[256];
};

/* Records an error (err may be NULL) and returns -EINVAL. */
int nfs_error_set(struct nfs_error *err, unsigned line, unsigned col,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Allocates an empty plan; NULL on ENOMEM. */
struct nfs_plan *nfs_plan_new(void);
/* Frees a plan and everything it owns.  Accepts NULL. */
void nfs_plan_free(struct nfs_plan *p);

/* Appenders return a pointer to the new zeroed element (strings still NULL,
 * the caller fills them with strdup'ed copies) or NULL on ENOMEM / limit. */
struct nfs_host *nfs_plan_add_host(struct nfs_plan *p);
struct nfs_netgroup *nfs_plan_add_netgroup(struct nfs_plan *p);
struct nfs_export *nfs_plan_add_export(struct nfs_plan *p);
struct nfs_import *nfs_plan_add_import(struct nfs_plan *p);
/* Adds a client to an export, copying spec; returns it or NULL. */
struct nfs_client *nfs_export_add_client(struct nfs_export *e,
					 const char *spec, bool deny,
					 const struct nfs_xopts *o);
/* Appends a copy of s to *arr (size *n); 0 or -ENOMEM / -E2BIG. */
int nfs_strv_add(char ***arr, size_t *n, const char *s);

const struct nfs_host *nfs_plan_host(const struct nfs_plan *p,
				     const char *name);
const struct nfs_netgroup *nfs_plan_netgroup(const struct nfs_plan *p,
					     const char *name);
/* Finds the export of server:path, or NULL. */
const struct nfs_export *nfs_plan_export(const struct nfs_plan *p,
					 const char *server, const char *path);

/* The export of server that holds path: the one of path itself, else the
 * deepest exported directory above it (clients may mount a subdirectory
 * of an export), or NULL. */
const struct nfs_export *nfs_plan_export_covering(const struct nfs_plan *p,
						  const char *server, const char *path);
/* True if path is dir or lies below it (whole path components). */
bool nfs_path_within(const char *path, const char *dir);

/* Fills defaults into the value fields (set bits are kept). */
void nfs_xopts_normalize(struct nfs_xopts *o);
void nfs_mopts_normalize(struct nfs_mopts *o);
/* True when the two option sets mean the same after normalisation. */
bool nfs_xopts_equal(const struct nfs_xopts *a, const struct nfs_xopts *b);
bool nfs_mopts_equal(const struct nfs_mopts *a, const struct nfs_mopts *b);

/* Sorts clients of every export by spec, exports by server and path,
 * imports by client and mount point: a canonical order for comparing. */
void nfs_plan_sort(struct nfs_plan *p);

#endif
