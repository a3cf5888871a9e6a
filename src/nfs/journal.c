#include "nfs/journal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

/* Prepares sql and binds the arguments: 'i' a long long, 's' a string
 * (NULL binds NULL), 't' a time_t.  NULL on failure. */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql, const char *types,
			  ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 'i')
			sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
		else if (types[i] == 't')
			sqlite3_bind_int64(st, i + 1, (long long)va_arg(ap, time_t));
		else
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1,
					  SQLITE_TRANSIENT);
	}
	va_end(ap);
	return st;
}

static int done(sqlite3_stmt *st)
{
	int r = st && sqlite3_step(st) == SQLITE_DONE ? 0 : -EIO;

	sqlite3_finalize(st);
	return r;
}

static int begin(sqlite3 *db)
{
	return sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ? -EIO : 0;
}

static int end(sqlite3 *db, int r)
{
	if (sqlite3_exec(db, r < 0 ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL)
	    && r >= 0)
		return -EIO;
	return r;
}

static int running(sqlite3 *db)
{
	sqlite3_stmt *st = prep(db, "SELECT count(*) FROM nfs_deployment "
				"WHERE state = 'running'", "");
	int r = -EIO;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		r = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return r;
}

int nfs_journal_start(struct nfs_catalog *c, const char *mode, time_t due,
		      const char *plan_text, const char *runner,
		      long long *ret_id)
{
	sqlite3 *db = nfs_catalog_db(c);
	bool at = strcmp(mode, "at") == 0;
	int r = begin(db);

	if (r < 0)
		return r;
	r = at ? 0 : running(db);
	if (r > 0)
		r = -EBUSY;
	if (r >= 0)
		r = done(prep(db, "INSERT INTO nfs_deployment(mode, due, plan, "
			      "state, runner, created) VALUES(?, ?, ?, ?, ?, "
			      "strftime('%s', 'now'))", "stsss", mode, due,
			      plan_text, at ? "scheduled" : "running",
			      at ? "" : runner));
	if (r >= 0)
		*ret_id = sqlite3_last_insert_rowid(db);
	return end(db, r);
}

int nfs_journal_claim_due(struct nfs_catalog *c, time_t now,
			  const char *runner, long long *ret_id)
{
	sqlite3 *db = nfs_catalog_db(c);
	sqlite3_stmt *st;
	long long id = 0;
	int r = begin(db);

	if (r < 0)
		return r;
	r = running(db);
	if (r == 0) {
		st = prep(db, "SELECT id FROM nfs_deployment WHERE state = "
			  "'scheduled' AND due <= ? ORDER BY due, id LIMIT 1",
			  "t", now);
		r = st ? sqlite3_step(st) : SQLITE_ERROR;
		if (r == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		r = r == SQLITE_ROW || r == SQLITE_DONE ? 0 : -EIO;
		sqlite3_finalize(st);
	} else if (r > 0) {
		r = 0;
	}
	if (r >= 0 && id)
		r = done(prep(db, "UPDATE nfs_deployment SET state = 'running', "
			      "runner = ? WHERE id = ?", "si", runner, id));
	r = end(db, r);
	if (r < 0 || !id)
		return r < 0 ? r : 0;
	*ret_id = id;
	return 1;
}

int nfs_journal_next_due(struct nfs_catalog *c, time_t *ret_due)
{
	sqlite3_stmt *st = prep(nfs_catalog_db(c), "SELECT min(due) FROM "
				"nfs_deployment WHERE state = 'scheduled'", "");
	int r = st && sqlite3_step(st) == SQLITE_ROW ? 0 : -EIO;

	if (r >= 0 && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*ret_due = (time_t)sqlite3_column_int64(st, 0);
		r = 1;
	}
	sqlite3_finalize(st);
	return r;
}

int nfs_journal_cancel(struct nfs_catalog *c)
{
	sqlite3 *db = nfs_catalog_db(c);
	int r = done(prep(db, "UPDATE nfs_deployment SET state = 'cancelled', "
			  "finished = strftime('%s', 'now') WHERE state = "
			  "'scheduled'", ""));

	return r < 0 ? r : sqlite3_changes(db);
}

int nfs_journal_plan(struct nfs_catalog *c, long long id, struct buf *b)
{
	sqlite3_stmt *st = prep(nfs_catalog_db(c), "SELECT plan FROM "
				"nfs_deployment WHERE id = ?", "i", id);
	int r = st ? sqlite3_step(st) : SQLITE_ERROR;

	if (r == SQLITE_ROW)
		r = buf_append(b, sqlite3_column_text(st, 0),
			       (size_t)sqlite3_column_bytes(st, 0));
	else
		r = r == SQLITE_DONE ? -ENOENT : -EIO;
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}

int nfs_journal_last_done(struct nfs_catalog *c, long long id, struct buf *b,
			  long long *ret_id)
{
	sqlite3_stmt *st = prep(nfs_catalog_db(c), "SELECT id, mode, state, plan "
				"FROM nfs_deployment WHERE id < ? AND mode != "
				"'dry-run' AND state NOT IN ('scheduled', "
				"'cancelled') ORDER BY id DESC LIMIT 1", "i", id);
	int r = st ? sqlite3_step(st) : SQLITE_ERROR;

	if (r == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(st, 1);
		const char *state = (const char *)sqlite3_column_text(st, 2);

		if (strcmp(state, "done") != 0 || strcmp(mode, "host") == 0) {
			r = -ENOENT;
		} else {
			*ret_id = sqlite3_column_int64(st, 0);
			r = buf_append(b, sqlite3_column_text(st, 3),
				       (size_t)sqlite3_column_bytes(st, 3));
		}
	} else {
		r = r == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}

int nfs_journal_host(struct nfs_catalog *c, long long id, const char *host,
		     const char *state, const char *detail)
{
	return done(prep(nfs_catalog_db(c), "INSERT INTO nfs_deploy_host("
			 "deployment_id, host, position, state, detail) "
			 "VALUES(?1, ?2, (SELECT count(*) FROM nfs_deploy_host "
			 "WHERE deployment_id = ?1), ?3, ?4) ON CONFLICT DO "
			 "UPDATE SET state = ?3, detail = ?4", "isss", id, host,
			 state, detail ? detail : ""));
}

int nfs_journal_file(struct nfs_catalog *c, long long id, const char *host,
		     const char *name, const char *old, const char *new_text)
{
	return done(prep(nfs_catalog_db(c), "INSERT OR REPLACE INTO "
			 "nfs_deploy_file(deployment_id, host, name, old, new) "
			 "VALUES(?, ?, ?, ?, ?)", "issss", id, host, name, old,
			 new_text));
}

int nfs_journal_finish(struct nfs_catalog *c, long long id,
		       const char *state)
{
	return done(prep(nfs_catalog_db(c), "UPDATE nfs_deployment SET "
			 "state = ?, finished = strftime('%s', 'now') "
			 "WHERE id = ?", "si", state, id));
}

/* Restores the journalled files of one host of deployment id. */
static int restore_host(sqlite3 *db, long long id, const char *host,
			nfs_restore_fn restore, void *arg)
{
	sqlite3_stmt *st = prep(db, "SELECT name, old FROM nfs_deploy_file "
				"WHERE deployment_id = ? AND host = ? "
				"ORDER BY name", "is", id, host);
	int r = st ? 0 : -EIO, s;

	while (r >= 0 && (s = sqlite3_step(st)) == SQLITE_ROW)
		r = restore(arg, host, (const char *)sqlite3_column_text(st, 0),
			    (const char *)sqlite3_column_text(st, 1));
	if (r >= 0 && s != SQLITE_DONE)
		r = -EIO;
	sqlite3_finalize(st);
	return r < 0 ? r : restore(arg, host, NULL, NULL);
}

static int recover_one(sqlite3 *db, long long id, nfs_restore_fn restore,
		       void *arg)
{
	sqlite3_stmt *st = prep(db, "SELECT host FROM nfs_deploy_host WHERE "
				"deployment_id = ? AND state IN ('propagating',"
				" 'activating', 'verifying', 'rolling-back') "
				"ORDER BY position", "i", id);
	char **hosts = NULL;
	size_t n = 0;
	int r = st ? 0 : -EIO, s;

	while (r >= 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
		char **v = realloc(hosts, (n + 1) * sizeof(*v));

		if (!v || !(v[n] = strdup((const char *)sqlite3_column_text(st, 0))))
			r = -ENOMEM;
		if (v)
			hosts = v;
		if (r >= 0)
			n++;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++) {
		int q = restore_host(db, id, hosts[i], restore, arg);

		if (r >= 0)
			r = done(prep(db, "UPDATE nfs_deploy_host SET state = ?,"
				      " detail = ? WHERE deployment_id = ? AND "
				      "host = ?", "ssis", q < 0 ? "failed" :
				      "rolled-back", q < 0 ? "interrupted; the "
				      "old files could not be put back" :
				      "interrupted; old files put back", id,
				      hosts[i]));
		free(hosts[i]);
	}
	free(hosts);
	if (r >= 0)
		r = done(prep(db, "UPDATE nfs_deploy_host SET state = "
			      "'interrupted', detail = 'not reached' WHERE "
			      "deployment_id = ? AND state = 'pending'", "i", id));
	if (r >= 0)
		r = done(prep(db, "UPDATE nfs_deployment SET state = "
			      "'interrupted', finished = strftime('%s', 'now') "
			      "WHERE id = ?", "i", id));
	return r;
}

int nfs_journal_recover(struct nfs_catalog *c, nfs_runner_alive_fn alive,
			nfs_restore_fn restore, void *arg)
{
	sqlite3 *db = nfs_catalog_db(c);
	sqlite3_stmt *st = prep(db, "SELECT id, runner FROM nfs_deployment "
				"WHERE state = 'running' ORDER BY id", "");
	long long dead[16];
	int n = 0, r = st ? 0 : -EIO, s;

	while (r >= 0 && n < 16 && (s = sqlite3_step(st)) == SQLITE_ROW)
		if (!alive((const char *)sqlite3_column_text(st, 1)))
			dead[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	for (int i = 0; r >= 0 && i < n; i++)
		r = recover_one(db, dead[i], restore, arg);
	return r < 0 ? r : n;
}

static void iso(time_t t, char *dst, size_t n)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(dst, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(dst, n, "%lld", (long long)t);
}

static int print_one(sqlite3 *db, long long id, struct buf *b)
{
	sqlite3_stmt *st = prep(db, "SELECT mode, state, due FROM "
				"nfs_deployment WHERE id = ?", "i", id);
	char when[32];
	int r = st && sqlite3_step(st) == SQLITE_ROW ? 0 : -EIO;

	if (r >= 0) {
		r = buf_printf(b, "deployment %lld %s %s", id,
			       (const char *)sqlite3_column_text(st, 0),
			       (const char *)sqlite3_column_text(st, 1));
		if (r >= 0 && strcmp((const char *)sqlite3_column_text(st, 0),
				     "at") == 0) {
			iso((time_t)sqlite3_column_int64(st, 2), when, sizeof(when));
			r = buf_printf(b, " due %s", when);
		}
		if (r >= 0)
			r = buf_append_str(b, "\n");
	}
	sqlite3_finalize(st);
	st = r < 0 ? NULL : prep(db, "SELECT host, state, detail FROM "
				 "nfs_deploy_host WHERE deployment_id = ? "
				 "ORDER BY position", "i", id);
	while (st && r >= 0 && sqlite3_step(st) == SQLITE_ROW)
		r = buf_printf(b, "%s %s %s\n",
			       (const char *)sqlite3_column_text(st, 0),
			       (const char *)sqlite3_column_text(st, 1),
			       (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}

int nfs_journal_print(struct nfs_catalog *c, struct buf *b)
{
	sqlite3 *db = nfs_catalog_db(c);
	sqlite3_stmt *st = prep(db, "SELECT id FROM nfs_deployment WHERE "
				"state = 'scheduled' UNION ALL SELECT max(id) "
				"FROM nfs_deployment WHERE state != 'scheduled' "
				"AND state != 'cancelled' AND mode != 'host'", "");
	int r = st ? 0 : -EIO, any = 0;

	while (r >= 0 && sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			continue;
		r = print_one(db, sqlite3_column_int64(st, 0), b);
		any = 1;
	}
	sqlite3_finalize(st);
	if (r >= 0 && !any)
		r = buf_append_str(b, "no deployment\n");
	return r < 0 ? r : 0;
}

int nfs_journal_batch(struct nfs_catalog *c, bool end)
{
	return sqlite3_exec(nfs_catalog_db(c), end ? "COMMIT" : "BEGIN IMMEDIATE",
			    NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

int nfs_observation_put(struct nfs_catalog *c, const char *host,
			const char *item, int status, const char *why,
			const char *content)
{
	if (status == 0)
		return done(prep(nfs_catalog_db(c), "INSERT INTO nfs_observation("
				 "host, item, status, message, attempted, content, "
				 "good_at) VALUES(?1, ?2, 0, '', strftime('%s', "
				 "'now'), ?3, strftime('%s', 'now')) ON CONFLICT DO "
				 "UPDATE SET status = 0, message = '', attempted = "
				 "excluded.attempted, content = ?3, good_at = "
				 "excluded.good_at", "sss", host, item, content));
	return done(prep(nfs_catalog_db(c), "INSERT INTO nfs_observation(host, "
			 "item, status, message, attempted) VALUES(?1, ?2, ?3, ?4, "
			 "strftime('%s', 'now')) ON CONFLICT DO UPDATE SET status "
			 "= ?3, message = ?4, attempted = excluded.attempted",
			 "ssis", host, item, (long long)status, why ? why : ""));
}

int nfs_observation_good(struct nfs_catalog *c, const char *host,
			 const char *item, struct buf *b, time_t *ret_at)
{
	sqlite3_stmt *st = prep(nfs_catalog_db(c), "SELECT content, good_at "
				"FROM nfs_observation WHERE host = ? AND item = ? "
				"AND content IS NOT NULL", "ss", host, item);
	int r = st ? sqlite3_step(st) : SQLITE_ERROR;

	if (r == SQLITE_ROW) {
		*ret_at = (time_t)sqlite3_column_int64(st, 1);
		r = buf_append(b, sqlite3_column_text(st, 0),
			       (size_t)sqlite3_column_bytes(st, 0));
	} else {
		r = r == SQLITE_DONE ? -ENOENT : -EIO;
	}
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}

int nfs_audit(struct nfs_catalog *c, const char *action, const char *subject,
	      const char *result)
{
	return done(prep(nfs_catalog_db(c), "INSERT INTO nfs_audit(at, action,"
			 " subject, result) VALUES(strftime('%s', 'now'), ?, "
			 "?, ?)", "sss", action, subject, result));
}
