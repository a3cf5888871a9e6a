/*
 * catalog.h - the configuration model of the NFS paper (Figure 8) in
 * SQLite: Service, Product (version, platforms, depends-on), Parameter,
 * ParameterRestriction (per product x platform), ConfiguredValue, Host,
 * Platform; plus the stored NFS plan and its objects.
 *
 * Invariants:
 *   - tables are prefixed cm_ (model) and nfs_ (plan objects) and the
 *     schema version lives in schema_version(component='nfs'), so the file
 *     can be shared with the daemon's own tables;
 *   - opening migrates the schema forward, each step in one transaction;
 *     foreign keys are on; file databases use WAL;
 *   - nothing NFS-specific is coded here: every query takes a service name,
 *     so HTTP or DNS are new rows (see tests/unit/nfs/test_catalog.c).
 */
#ifndef SYSMAN_NFS_CATALOG_H
#define SYSMAN_NFS_CATALOG_H

#include <stddef.h>

struct sqlite3;
struct nfs_catalog;

#define NFS_SVC_SERVER "nfs-server"
#define NFS_SVC_CLIENT "nfs-client"

/* Opens (creating if needed) the database at path (":memory:" for a
 * private in-memory one) and migrates it.  Returns 0 and *ret, or -errno
 * (-EIO for an SQLite failure, -EPROTO for a schema newer than ours). */
int nfs_catalog_open(const char *path, struct nfs_catalog **ret);
/* Closes; accepts NULL. */
void nfs_catalog_close(struct nfs_catalog *c);
struct sqlite3 *nfs_catalog_db(struct nfs_catalog *c);
/* Schema version of component 'nfs' (>= 0) or -EIO. */
int nfs_catalog_version(struct nfs_catalog *c);
/* Number of migrations this build knows. */
int nfs_catalog_latest(void);
/* Last SQLite error message (static text). */
const char *nfs_catalog_errmsg(struct nfs_catalog *c);

/* Name of the product implementing service on platform into dst.
 * Returns 0, -ENOPKG when no product does, -EIO. */
int nfs_catalog_product(struct nfs_catalog *c, const char *service,
			const char *platform, char *dst, size_t n);

/* Checks a parameter value (value "" for a flag) against the restriction
 * of the service's product on the platform.  Returns 0 if allowed,
 * -ENOPKG (no product), -ENOENT (parameter not supported there), -EINVAL
 * (value not allowed; why says what is), -EIO. */
int nfs_catalog_check(struct nfs_catalog *c, const char *service,
		      const char *platform, const char *param,
		      const char *value, char *why, size_t n);

typedef int (*nfs_dep_fn)(void *arg, const char *product, const char *dep,
			  const char *when_param, const char *when_value);
/* Calls fn for each dependency of the service's product on the platform
 * (when_* NULL for an unconditional one).  Returns 0, fn's negative
 * return, -ENOPKG or -EIO. */
int nfs_catalog_deps(struct nfs_catalog *c, const char *service,
		     const char *platform, nfs_dep_fn fn, void *arg);

typedef int (*nfs_edge_fn)(void *arg, const char *platform,
			   const char *product, const char *dep,
			   const char *when_param, const char *when_value);
/* Calls fn for every product dependency of every service on every
 * platform both products support, ordered by platform and product.
 * Returns 0, fn's negative return, or -EIO. */
int nfs_catalog_dep_edges(struct nfs_catalog *c, nfs_edge_fn fn, void *arg);

typedef int (*nfs_param_fn)(void *arg, const char *param, const char *kind,
			    const char *spec);
/* Calls fn for each parameter allowed for the service on the platform. */
int nfs_catalog_params(struct nfs_catalog *c, const char *service,
		       const char *platform, nfs_param_fn fn, void *arg);

#endif
