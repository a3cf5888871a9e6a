#include "nfs/catalog.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "nfs/catalog_schema.h"
#include "util/strutil.h"

struct nfs_catalog {
	sqlite3 *db;
};

sqlite3 *nfs_catalog_db(struct nfs_catalog *c)
{
	return c->db;
}

const char *nfs_catalog_errmsg(struct nfs_catalog *c)
{
	return c && c->db ? sqlite3_errmsg(c->db) : "no database";
}

int nfs_catalog_latest(void)
{
	return (int)nfs_nmigrations;
}

int nfs_catalog_version(struct nfs_catalog *c)
{
	sqlite3_stmt *st = NULL;
	int r = -EIO;

	if (sqlite3_prepare_v2(c->db, "SELECT version FROM schema_version "
			       "WHERE component = 'nfs'", -1, &st, NULL))
		goto out;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		r = sqlite3_column_int(st, 0);
	else
		r = r == SQLITE_DONE ? 0 : -EIO;
out:
	sqlite3_finalize(st);
	return r;
}

/* Applies migration i (to version i+1) in one transaction. */
static int migrate_one(struct nfs_catalog *c, size_t i)
{
	char sql[128];
	int r = -EIO;

	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
		return -EIO;
	if (sqlite3_exec(c->db, nfs_migrations[i], NULL, NULL, NULL))
		goto out;
	if (str_printf(sql, sizeof(sql), "INSERT OR REPLACE INTO "
		       "schema_version(component, version) VALUES('nfs', %zu)",
		       i + 1) < 0)
		goto out;
	if (sqlite3_exec(c->db, sql, NULL, NULL, NULL))
		goto out;
	if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL))
		goto out;
	r = 0;
out:
	if (r < 0)
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static int migrate(struct nfs_catalog *c)
{
	int v, r;

	if (sqlite3_exec(c->db, "CREATE TABLE IF NOT EXISTS schema_version("
			 "component TEXT PRIMARY KEY, version INT)",
			 NULL, NULL, NULL))
		return -EIO;
	v = nfs_catalog_version(c);
	if (v < 0)
		return v;
	if ((size_t)v > nfs_nmigrations)
		return -EPROTO;
	for (size_t i = (size_t)v; i < nfs_nmigrations; i++) {
		r = migrate_one(c, i);
		if (r < 0)
			return r;
	}
	return 0;
}

int nfs_catalog_open(const char *path, struct nfs_catalog **ret)
{
	struct nfs_catalog *c = calloc(1, sizeof(*c));
	int r = -ENOMEM;

	if (!c)
		goto out;
	r = -EIO;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL)) {
		int e = c->db ? sqlite3_system_errno(c->db) : 0;

		r = e > 0 ? -e : -EIO;
		goto out;
	}
	sqlite3_busy_timeout(c->db, 5000);
	if (sqlite3_exec(c->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL))
		goto out;
	if (strcmp(path, ":memory:") != 0 &&
	    sqlite3_exec(c->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL))
		goto out;
	r = migrate(c);
	if (r < 0)
		goto out;
	*ret = c;
	c = NULL; /* transferred */
	r = 0;
out:
	nfs_catalog_close(c);
	return r;
}

void nfs_catalog_close(struct nfs_catalog *c)
{
	if (!c)
		return;
	sqlite3_close(c->db);
	free(c);
}

static const char product_sql[] =
	"SELECT pr.id, pr.name FROM cm_product pr"
	" JOIN cm_service s ON s.id = pr.service_id AND s.name = ?1"
	" JOIN cm_product_platform pp ON pp.product_id = pr.id"
	" JOIN cm_platform pl ON pl.id = pp.platform_id AND pl.name = ?2"
	" ORDER BY pr.id LIMIT 1";

/* Looks up the product id (and name) of service on platform. */
static int product_id(struct nfs_catalog *c, const char *service,
		      const char *platform, char *name, size_t n)
{
	sqlite3_stmt *st = NULL;
	int r = -EIO;

	if (sqlite3_prepare_v2(c->db, product_sql, -1, &st, NULL))
		goto out;
	sqlite3_bind_text(st, 1, service, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, platform, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		r = sqlite3_column_int(st, 0);
		if (name)
			str_copy(name, n, (const char *)
				 sqlite3_column_text(st, 1));
	} else {
		r = r == SQLITE_DONE ? -ENOPKG : -EIO;
	}
out:
	sqlite3_finalize(st);
	return r;
}

int nfs_catalog_product(struct nfs_catalog *c, const char *service,
			const char *platform, char *dst, size_t n)
{
	int r = product_id(c, service, platform, dst, n);

	return r < 0 ? r : 0;
}

/* True when item (len bytes) is one of the comma-separated values. */
static bool in_list(const char *list, const char *item, size_t len)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");

		if (n == len && memcmp(p, item, len) == 0)
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

static int check_value(const char *kind, const char *spec, const char *value,
		       char *why, size_t n)
{
	long lo, hi, v;
	char tmp[64];
	regex_t re;
	int r;

	if (strcmp(kind, "flag") == 0)
		r = value[0] ? -EINVAL : 0;
	else if (strcmp(kind, "enum") == 0) {
		r = value[0] ? 0 : -EINVAL;
		for (const char *p = value; *p && r == 0;) {
			size_t len = strcspn(p, ":");

			if (!in_list(spec, p, len))
				r = -EINVAL;
			p += len + (p[len] == ':');
		}
	} else if (strcmp(kind, "range") == 0) {
		const char *dash = strchr(spec, '-');

		r = -EINVAL;
		if (dash && (size_t)(dash - spec) < sizeof(tmp)) {
			memcpy(tmp, spec, (size_t)(dash - spec));
			tmp[dash - spec] = '\0';
			if (parse_long(tmp, 0, 1l << 62, &lo) == 0 &&
			    parse_long(dash + 1, 0, 1l << 62, &hi) == 0 &&
			    parse_long(value, lo, hi, &v) == 0)
				r = 0;
		}
	} else {
		r = -EINVAL;
		if (regcomp(&re, spec, REG_EXTENDED | REG_NOSUB) == 0) {
			r = regexec(&re, value, 0, NULL, 0) ? -EINVAL : 0;
			regfree(&re);
		}
	}
	if (r < 0 && why)
		snprintf(why, n, "allowed: %s%s%s", kind,
			 spec[0] ? " " : "", spec);
	return r;
}

int nfs_catalog_check(struct nfs_catalog *c, const char *service,
		      const char *platform, const char *param,
		      const char *value, char *why, size_t n)
{
	sqlite3_stmt *st = NULL;
	int pid = product_id(c, service, platform, NULL, 0);
	int r;

	if (pid < 0)
		return pid;
	r = -EIO;
	if (sqlite3_prepare_v2(c->db, "SELECT r.kind, r.spec FROM "
		"cm_restriction r JOIN cm_parameter pa ON pa.id = r.parameter_id"
		" JOIN cm_platform pl ON pl.id = r.platform_id"
		" WHERE r.product_id = ?1 AND pl.name = ?2 AND pa.name = ?3",
		-1, &st, NULL))
		goto out;
	sqlite3_bind_int(st, 1, pid);
	sqlite3_bind_text(st, 2, platform, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, param, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		r = check_value((const char *)sqlite3_column_text(st, 0),
				(const char *)sqlite3_column_text(st, 1),
				value, why, n);
	else
		r = r == SQLITE_DONE ? -ENOENT : -EIO;
out:
	sqlite3_finalize(st);
	return r;
}

int nfs_catalog_deps(struct nfs_catalog *c, const char *service,
		     const char *platform, nfs_dep_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	char name[128];
	int pid = product_id(c, service, platform, name, sizeof(name));
	int r;

	if (pid < 0)
		return pid;
	r = -EIO;
	if (sqlite3_prepare_v2(c->db, "SELECT b.name, d.when_parameter, "
		"d.when_value FROM cm_product_dep d JOIN cm_product b ON "
		"b.id = d.depends_on WHERE d.product_id = ?1 ORDER BY b.name",
		-1, &st, NULL))
		goto out;
	sqlite3_bind_int(st, 1, pid);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		r = fn(arg, name, (const char *)sqlite3_column_text(st, 0),
		       (const char *)sqlite3_column_text(st, 1),
		       (const char *)sqlite3_column_text(st, 2));
		if (r < 0)
			goto out;
	}
	r = r == SQLITE_DONE ? 0 : -EIO;
out:
	sqlite3_finalize(st);
	return r;
}

int nfs_catalog_params(struct nfs_catalog *c, const char *service,
		       const char *platform, nfs_param_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	int pid = product_id(c, service, platform, NULL, 0);
	int r;

	if (pid < 0)
		return pid;
	r = -EIO;
	if (sqlite3_prepare_v2(c->db, "SELECT pa.name, r.kind, r.spec FROM "
		"cm_restriction r JOIN cm_parameter pa ON pa.id = r.parameter_id"
		" JOIN cm_platform pl ON pl.id = r.platform_id"
		" WHERE r.product_id = ?1 AND pl.name = ?2 ORDER BY pa.id",
		-1, &st, NULL))
		goto out;
	sqlite3_bind_int(st, 1, pid);
	sqlite3_bind_text(st, 2, platform, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		r = fn(arg, (const char *)sqlite3_column_text(st, 0),
		       (const char *)sqlite3_column_text(st, 1),
		       (const char *)sqlite3_column_text(st, 2));
		if (r < 0)
			goto out;
	}
	r = r == SQLITE_DONE ? 0 : -EIO;
out:
	sqlite3_finalize(st);
	return r;
}

int nfs_catalog_dep_edges(struct nfs_catalog *c, nfs_edge_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	int r = -EIO;

	if (sqlite3_prepare_v2(c->db, "SELECT pl.name, a.name, b.name, "
		"d.when_parameter, d.when_value FROM cm_product_dep d "
		"JOIN cm_product a ON a.id = d.product_id "
		"JOIN cm_product b ON b.id = d.depends_on "
		"JOIN cm_product_platform ap ON ap.product_id = a.id "
		"JOIN cm_product_platform bp ON bp.product_id = b.id "
		" AND bp.platform_id = ap.platform_id "
		"JOIN cm_platform pl ON pl.id = ap.platform_id "
		"ORDER BY pl.id, a.name, b.name", -1, &st, NULL))
		goto out;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		r = fn(arg, (const char *)sqlite3_column_text(st, 0),
		       (const char *)sqlite3_column_text(st, 1),
		       (const char *)sqlite3_column_text(st, 2),
		       (const char *)sqlite3_column_text(st, 3),
		       (const char *)sqlite3_column_text(st, 4));
		if (r < 0)
			goto out;
	}
	r = r == SQLITE_DONE ? 0 : -EIO;
out:
	sqlite3_finalize(st);
	return r;
}
