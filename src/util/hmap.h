/*
 * hmap.h - a small string-keyed hash map (separate chaining).
 *
 * Invariants: keys are copied in and owned by the map; values are opaque
 * pointers owned by the caller.  Not thread-safe: callers hold their own lock.
 */
#ifndef SYSMAN_HMAP_H
#define SYSMAN_HMAP_H

#include <stddef.h>

struct hmap;

/* Returns a new map or NULL on allocation failure. */
struct hmap *hmap_new(void);
/* Frees the map; calls free_val on each value if not NULL.  Accepts NULL. */
void hmap_free(struct hmap *m, void (*free_val)(void *));
/* Returns the value for key or NULL. */
void *hmap_get(const struct hmap *m, const char *key);
/* Sets key to val; returns the previous value (or NULL) through *ret_old
 * when ret_old is not NULL.  Returns 0 or -ENOMEM. */
int hmap_put(struct hmap *m, const char *key, void *val, void **ret_old);
/* Removes key; returns its value or NULL. */
void *hmap_del(struct hmap *m, const char *key);
size_t hmap_count(const struct hmap *m);
/* Calls fn for every entry; stops early and returns fn's value if non-zero. */
int hmap_each(const struct hmap *m, int (*fn)(const char *key, void *val, void *arg), void *arg);

#endif
