/*
 * inventory.h - the devices discovery found, kept in the database so a
 * restart keeps them (DESIGN §8).
 *
 * Invariants: every device has a unique path below the mount point
 * ("/systems/servers/n1"); the in-memory map mirrors the table and is the
 * only thing read on hot paths.  Thread-safe.
 */
#ifndef SYSMAN_INVENTORY_H
#define SYSMAN_INVENTORY_H

#include <stddef.h>

struct inventory;

struct device {
	char *path;       /* "/systems/servers/n1" */
	char *kind;       /* "server" */
	char *address;    /* "127.1.0.1" or "127.1.0.1:2222" */
	char *name;       /* may be "" */
	char *attrs;      /* "key=value key=value", may be "" */
};

/* Opens (creating) the database at path and loads the devices.  Returns 0
 * or -errno; *ret_err (static text or sqlite's) says why on failure. */
int inventory_open(const char *path, struct inventory **ret, const char **ret_err);
void inventory_close(struct inventory *inv);

/* Adds or replaces a device.  Returns 1 if it is new, 0 if it replaced one,
 * or -errno. */
int inventory_put(struct inventory *inv, const struct device *d);

/* Copies the device whose path is path or its nearest ancestor into ret
 * (strings malloc'ed; release with device_release).  Returns 0 or -ENOENT. */
int inventory_find(struct inventory *inv, const char *path, struct device *ret);
void device_release(struct device *d);

/* Calls fn(key, klen, value, vlen, arg) for each "key=value" word of
 * attrs (a device's attrs; words without '=' or with an empty key are
 * skipped). */
void device_attrs_each(const char *attrs,
		       void (*fn)(const char *key, size_t klen, const char *val, size_t vlen,
				  void *arg),
		       void *arg);
/* The value of key in attrs into out (len bytes, cut to fit); "" if absent.
 * Returns 1 if found, else 0. */
int device_attr(const char *attrs, const char *key, char *out, size_t len);

/* Calls fn for every device (under the lock: fn must not call back in). */
int inventory_each(struct inventory *inv, int (*fn)(const struct device *d, void *arg), void *arg);
size_t inventory_count(struct inventory *inv);

/* The sqlite3 handle, for other components' tables (same file). */
struct sqlite3 *inventory_db(struct inventory *inv);

#endif
