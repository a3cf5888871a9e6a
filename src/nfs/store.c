#include "nfs/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "nfs/check.h"
#include "nfs/opts.h"
#include "nfs/plan.h"

int nfs_store_get(struct nfs_catalog *c, struct buf *b)
{
	sqlite3_stmt *st = NULL;
	int r = -EIO;

	if (sqlite3_prepare_v2(nfs_catalog_db(c), "SELECT text FROM nfs_plan "
			       "WHERE id = 1", -1, &st, NULL))
		goto out;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		r = buf_append(b, sqlite3_column_text(st, 0),
			       (size_t)sqlite3_column_bytes(st, 0));
	else
		r = r == SQLITE_DONE ? -ENOENT : -EIO;
out:
	sqlite3_finalize(st);
	return r;
}

/* Runs one statement with text bindings (NULL binds NULL); returns the
 * last insert rowid (> 0) for inserts, 0 otherwise, or -EIO. */
static long long exec(sqlite3 *db, const char *sql, int n, const char **v)
{
	sqlite3_stmt *st = NULL;
	long long r = -EIO;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL))
		goto out;
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	r = strncmp(sql, "INSERT", 6) == 0 ? sqlite3_last_insert_rowid(db) : 0;
out:
	sqlite3_finalize(st);
	return r;
}

static int put_hosts(sqlite3 *db, const struct nfs_plan *p)
{
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct nfs_host *h = &p->hosts[i];
		const char *v[] = { h->name, h->address,
				    nfs_platform_name(h->platform) };

		if (exec(db, "INSERT INTO cm_host(name, address, platform_id) "
			 "SELECT ?1, ?2, id FROM cm_platform WHERE name = ?3 "
			 "ON CONFLICT(name) DO UPDATE SET address = ?2, "
			 "platform_id = excluded.platform_id", 3, v) < 0)
			return -EIO;
	}
	return 0;
}

/* One ConfiguredValue row per explicit option of an object. */
static int put_values(sqlite3 *db, const char *host, const char *object,
		      const char *service, const struct nfs_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *v[] = { host, object, service, kv[i].name,
				    kv[i].value };

		if (exec(db, "INSERT INTO cm_configured_value(host_id, object, "
			 "parameter_id, value) SELECT h.id, ?2, pa.id, ?5 FROM "
			 "cm_host h, cm_parameter pa JOIN cm_service s ON "
			 "s.id = pa.service_id WHERE h.name = ?1 AND s.name = ?3"
			 " AND pa.name = ?4", 5, v) < 0)
			return -EIO;
	}
	return 0;
}

static int put_export(sqlite3 *db, const struct nfs_export *e)
{
	struct nfs_kv kv[NFS_MAX_KV];
	char line[16], pos[24], obj[4200];
	struct buf o = BUF_INIT;
	const char *v[5];
	long long id;
	int r = 0;

	snprintf(line, sizeof(line), "%u", e->line);
	v[0] = e->server, v[1] = e->path, v[2] = line;
	id = exec(db, "INSERT INTO nfs_export(server_id, path, line) SELECT "
		  "id, ?2, ?3 FROM cm_host WHERE name = ?1", 3, v);
	for (size_t i = 0; id > 0 && r >= 0 && i < e->nclients; i++) {
		const struct nfs_client *c = &e->clients[i];
		size_t n = nfs_xopts_list(&c->opts, kv);
		char sid[24];

		buf_reset(&o);
		if (nfs_kv_format(&o, kv, n) < 0)
			r = -ENOMEM;
		snprintf(sid, sizeof(sid), "%lld", id);
		snprintf(pos, sizeof(pos), "%zu", i);
		v[0] = sid, v[1] = pos, v[2] = c->spec;
		v[3] = c->deny ? "1" : "0", v[4] = buf_str(&o);
		if (r >= 0 && exec(db, "INSERT INTO nfs_export_client(export_id,"
				   " position, spec, deny, options) VALUES(?1, "
				   "?2, ?3, ?4, ?5)", 5, v) < 0)
			r = -EIO;
		snprintf(obj, sizeof(obj), "export %s %s", e->path, c->spec);
		if (r >= 0)
			r = put_values(db, e->server, obj, "nfs-server", kv, n);
	}
	buf_release(&o);
	return id < 0 ? -EIO : r;
}

static int put_import(sqlite3 *db, const struct nfs_import *im)
{
	struct nfs_kv kv[NFS_MAX_KV];
	size_t n = nfs_mopts_list(&im->opts, kv);
	struct buf o = BUF_INIT;
	char line[16], obj[4200];
	int r = nfs_kv_format(&o, kv, n);
	const char *v[] = { im->client, im->mountpoint, im->server, im->path,
			    buf_str(&o), line };

	snprintf(line, sizeof(line), "%u", im->line);
	if (r >= 0 && exec(db, "INSERT INTO nfs_import(client_id, mountpoint,"
			   " server_id, path, options, line) SELECT c.id, ?2, "
			   "s.id, ?4, ?5, ?6 FROM cm_host c, cm_host s WHERE "
			   "c.name = ?1 AND s.name = ?3", 6, v) < 0)
		r = -EIO;
	snprintf(obj, sizeof(obj), "import %s", im->mountpoint);
	if (r >= 0)
		r = put_values(db, im->client, obj, "nfs-client", kv, n);
	buf_release(&o);
	return r;
}

/* Hosts no longer in the plan go, unless another service has values for
 * them (the NFS values were deleted before). */
static int drop_old_hosts(sqlite3 *db, const struct nfs_plan *p)
{
	if (exec(db, "CREATE TEMP TABLE IF NOT EXISTS nfs_plan_hosts(name "
		 "TEXT PRIMARY KEY)", 0, NULL) < 0 ||
	    exec(db, "DELETE FROM nfs_plan_hosts", 0, NULL) < 0)
		return -EIO;
	for (size_t i = 0; i < p->nhosts; i++) {
		const char *v[] = { p->hosts[i].name };

		if (exec(db, "INSERT OR IGNORE INTO nfs_plan_hosts VALUES(?1)",
			 1, v) < 0)
			return -EIO;
	}
	if (exec(db, "DELETE FROM cm_host WHERE name NOT IN (SELECT name FROM "
		 "nfs_plan_hosts) AND id NOT IN (SELECT host_id FROM "
		 "cm_configured_value)", 0, NULL) < 0)
		return -EIO;
	return 0;
}

static int put_objects(sqlite3 *db, const char *text, const struct nfs_plan *p)
{
	const char *v[] = { text };
	struct buf m = BUF_INIT;
	int r = 0;

	if (exec(db, "DELETE FROM cm_configured_value WHERE object LIKE "
		 "'export %' OR object LIKE 'import %'", 0, NULL) < 0 ||
	    exec(db, "DELETE FROM nfs_export", 0, NULL) < 0 ||
	    exec(db, "DELETE FROM nfs_import", 0, NULL) < 0 ||
	    exec(db, "DELETE FROM nfs_netgroup", 0, NULL) < 0 ||
	    exec(db, "INSERT OR REPLACE INTO nfs_plan(id, text, stored_at) "
		 "VALUES(1, ?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))", 1, v)
	    < 0)
		return -EIO;
	r = put_hosts(db, p);
	for (size_t i = 0; r >= 0 && i < p->nnetgroups; i++) {
		const char *w[2] = { p->netgroups[i].name, NULL };

		buf_reset(&m);
		for (size_t j = 0; j < p->netgroups[i].nmembers; j++)
			buf_printf(&m, "%s%s", j ? " " : "",
				   p->netgroups[i].members[j]);
		w[1] = buf_str(&m);
		if (exec(db, "INSERT INTO nfs_netgroup(name, members) "
			 "VALUES(?1, ?2)", 2, w) < 0)
			r = -EIO;
	}
	if (r >= 0)
		r = drop_old_hosts(db, p);
	for (size_t i = 0; r >= 0 && i < p->nexports; i++)
		r = put_export(db, &p->exports[i]);
	for (size_t i = 0; r >= 0 && i < p->nimports; i++)
		r = put_import(db, &p->imports[i]);
	buf_release(&m);
	return r;
}

/* Parses and checks; -EINVAL with reasons in why when rejected. */
static int validate(struct nfs_catalog *c, const char *text, size_t len,
		    struct nfs_plan **ret, struct buf *why)
{
	struct nfs_findings f = NFS_FINDINGS_INIT;
	struct nfs_error err = { 0 };
	struct nfs_plan *p = NULL;
	int r;

	r = nfs_plan_parse(text, len, &p, &err);
	if (r == -EINVAL || r == -E2BIG) {
		buf_printf(why, "line %u: column %u: %s\n", err.line, err.col,
			   err.msg);
		return -EINVAL;
	}
	if (r < 0)
		return r;
	r = nfs_check(p, c, &f);
	if (r >= 0)
		nfs_findings_print(&f, why);
	if (r >= 0 && f.nerrors)
		r = -EINVAL;
	nfs_findings_release(&f);
	if (r < 0) {
		nfs_plan_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

int nfs_store_put(struct nfs_catalog *c, const char *text, size_t len,
		  struct buf *why)
{
	sqlite3 *db = nfs_catalog_db(c);
	struct nfs_plan *p = NULL;
	struct buf copy = BUF_INIT;
	int r;

	if (memchr(text, '\0', len)) {
		buf_append_str(why, "line 1: column 1: plan holds a NUL byte\n");
		return -EINVAL;
	}
	r = validate(c, text, len, &p, why);
	if (r < 0)
		return r;
	r = buf_append(&copy, text, len);
	if (r < 0)
		goto out;
	r = -EIO;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
		goto out;
	r = put_objects(db, buf_str(&copy), p);
	if (r >= 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL))
		r = -EIO;
	if (r < 0)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
	buf_release(&copy);
	nfs_plan_free(p);
	return r;
}

int nfs_draft_get(struct nfs_catalog *c, struct buf *b)
{
	sqlite3_stmt *st = NULL;
	int r = -EIO;

	if (sqlite3_prepare_v2(nfs_catalog_db(c), "SELECT text FROM nfs_draft "
			       "WHERE id = 1", -1, &st, NULL))
		goto out;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		r = buf_append(b, sqlite3_column_text(st, 0),
			       (size_t)sqlite3_column_bytes(st, 0));
	else
		r = r == SQLITE_DONE ? -ENOENT : -EIO;
out:
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}

int nfs_draft_put(struct nfs_catalog *c, const char *text)
{
	const char *v[] = { text };

	return exec(nfs_catalog_db(c), "INSERT OR REPLACE INTO nfs_draft(id, "
		    "text, made) VALUES(1, ?1, strftime('%s', 'now'))", 1, v)
	       < 0 ? -EIO : 0;
}
