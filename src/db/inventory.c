#include "db/inventory.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util/hmap.h"
#include "util/strutil.h"

struct inventory {
	sqlite3 *db;
	pthread_mutex_t mu;      /* guards map and db use */
	struct hmap *map;        /* path -> struct device */
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA foreign_keys=ON;"
	"CREATE TABLE IF NOT EXISTS schema_version(component TEXT PRIMARY KEY, version INT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS devices("
	" path TEXT PRIMARY KEY, kind TEXT NOT NULL, address TEXT NOT NULL,"
	" name TEXT NOT NULL DEFAULT '', attrs TEXT NOT NULL DEFAULT '',"
	" discovered TEXT NOT NULL DEFAULT (datetime('now')));"
	"INSERT OR IGNORE INTO schema_version VALUES('devices', 1);";

void device_release(struct device *d)
{
	if (!d)
		return;
	free(d->path);
	free(d->kind);
	free(d->address);
	free(d->name);
	free(d->attrs);
	memset(d, 0, sizeof(*d));
}

static void device_free(void *p)
{
	device_release(p);
	free(p);
}

static int device_copy(const struct device *s, struct device *d)
{
	d->path = strdup(s->path);
	d->kind = strdup(s->kind);
	d->address = strdup(s->address);
	d->name = strdup(s->name ? s->name : "");
	d->attrs = strdup(s->attrs ? s->attrs : "");
	if (!d->path || !d->kind || !d->address || !d->name || !d->attrs) {
		device_release(d);
		return -ENOMEM;
	}
	return 0;
}

static int map_put(struct inventory *inv, const struct device *d)
{
	struct device *c = calloc(1, sizeof(*c));
	void *old = NULL;
	int r;

	if (!c)
		return -ENOMEM;
	r = device_copy(d, c);
	if (r < 0) {
		free(c);
		return r;
	}
	r = hmap_put(inv->map, c->path, c, &old);
	if (r < 0) {
		device_free(c);
		return r;
	}
	if (old) {
		device_free(old);
		return 0;
	}
	return 1;
}

static int load(struct inventory *inv)
{
	sqlite3_stmt *st;
	int r = 0;

	if (sqlite3_prepare_v2(inv->db, "SELECT path, kind, address, name, attrs FROM devices",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct device d = {
			(char *)sqlite3_column_text(st, 0), (char *)sqlite3_column_text(st, 1),
			(char *)sqlite3_column_text(st, 2), (char *)sqlite3_column_text(st, 3),
			(char *)sqlite3_column_text(st, 4),
		};

		if (!d.path || !d.kind || !d.address)
			continue;
		r = map_put(inv, &d);
		if (r < 0)
			break;
	}
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}

int inventory_open(const char *path, struct inventory **ret, const char **ret_err)
{
	struct inventory *inv = calloc(1, sizeof(*inv));
	char *err = NULL;
	int r = -EIO;

	if (!inv)
		return -ENOMEM;
	pthread_mutex_init(&inv->mu, NULL);
	inv->map = hmap_new();
	if (!inv->map) {
		r = -ENOMEM;
		goto fail;
	}
	if (sqlite3_open_v2(path, &inv->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		*ret_err = inv->db ? sqlite3_errmsg(inv->db) : "cannot open database";
		r = -EIO;
		goto fail;
	}
	sqlite3_busy_timeout(inv->db, 5000);
	if (sqlite3_exec(inv->db, schema, NULL, NULL, &err) != SQLITE_OK) {
		*ret_err = "cannot create the devices table";
		sqlite3_free(err);
		goto fail;
	}
	r = load(inv);
	if (r < 0) {
		*ret_err = "cannot load devices";
		goto fail;
	}
	*ret = inv;
	return 0;
fail:
	inventory_close(inv);
	return r;
}

void inventory_close(struct inventory *inv)
{
	if (!inv)
		return;
	if (inv->db)
		sqlite3_close(inv->db);
	hmap_free(inv->map, device_free);
	pthread_mutex_destroy(&inv->mu);
	free(inv);
}

int inventory_put(struct inventory *inv, const struct device *d)
{
	sqlite3_stmt *st = NULL;
	int r = -EIO;

	pthread_mutex_lock(&inv->mu);
	if (sqlite3_prepare_v2(inv->db,
			       "INSERT INTO devices(path, kind, address, name, attrs) VALUES(?,?,?,?,?)"
			       " ON CONFLICT(path) DO UPDATE SET kind=excluded.kind,"
			       " address=excluded.address, name=excluded.name, attrs=excluded.attrs",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, d->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->address, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d->name ? d->name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, d->attrs ? d->attrs : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	r = map_put(inv, d);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&inv->mu);
	return r;
}

int inventory_find(struct inventory *inv, const char *path, struct device *ret)
{
	char p[4096];
	int r = -ENOENT;

	if (str_copy(p, sizeof(p), path) < 0)
		return -ENAMETOOLONG;
	pthread_mutex_lock(&inv->mu);
	for (;;) {
		struct device *d = hmap_get(inv->map, p);
		char *slash;

		if (d) {
			r = device_copy(d, ret);
			break;
		}
		slash = strrchr(p, '/');
		if (!slash || slash == p)
			break;
		*slash = '\0';
	}
	pthread_mutex_unlock(&inv->mu);
	return r;
}

struct each_ctx {
	int (*fn)(const struct device *, void *);
	void *arg;
};

static int each_cb(const char *key, void *val, void *arg)
{
	struct each_ctx *c = arg;

	(void)key;
	return c->fn(val, c->arg);
}

int inventory_each(struct inventory *inv, int (*fn)(const struct device *d, void *arg), void *arg)
{
	struct each_ctx c = { fn, arg };
	int r;

	pthread_mutex_lock(&inv->mu);
	r = hmap_each(inv->map, each_cb, &c);
	pthread_mutex_unlock(&inv->mu);
	return r;
}

size_t inventory_count(struct inventory *inv)
{
	size_t n;

	pthread_mutex_lock(&inv->mu);
	n = hmap_count(inv->map);
	pthread_mutex_unlock(&inv->mu);
	return n;
}

struct sqlite3 *inventory_db(struct inventory *inv)
{
	return inv->db;
}

void device_attrs_each(const char *attrs,
		       void (*fn)(const char *key, size_t klen, const char *val, size_t vlen,
				  void *arg),
		       void *arg)
{
	const char *p = attrs;

	while (p && *p) {
		size_t n, k;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		k = strcspn(p, "=");
		if (k < n && k > 0)
			fn(p, k, p + k + 1, n - k - 1, arg);
		p += n;
	}
}

struct attr_want {
	const char *key;
	char *out;
	size_t len;
	int found;
};

static void attr_match(const char *key, size_t klen, const char *val, size_t vlen, void *arg)
{
	struct attr_want *w = arg;

	if (w->found || strlen(w->key) != klen || strncmp(key, w->key, klen) != 0)
		return;
	snprintf(w->out, w->len, "%.*s", (int)vlen, val);
	w->found = 1;
}

int device_attr(const char *attrs, const char *key, char *out, size_t len)
{
	struct attr_want w = { key, out, len, 0 };

	if (len)
		out[0] = '\0';
	device_attrs_each(attrs, attr_match, &w);
	return w.found;
}
