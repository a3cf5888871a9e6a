#include "util/hmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct hent {
	struct hent *next;
	void *val;
	char key[];
};

struct hmap {
	struct hent **slots;
	size_t nslots;
	size_t count;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;  /* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ull;
	}
	return h;
}

struct hmap *hmap_new(void)
{
	struct hmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->nslots = 64;
	m->slots = calloc(m->nslots, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void hmap_free(struct hmap *m, void (*free_val)(void *))
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nslots; i++) {
		struct hent *e = m->slots[i], *n;

		for (; e; e = n) {
			n = e->next;
			if (free_val)
				free_val(e->val);
			free(e);
		}
	}
	free(m->slots);
	free(m);
}

static struct hent **hmap_find(const struct hmap *m, const char *key)
{
	struct hent **pp = &m->slots[hash_str(key) & (m->nslots - 1)];

	for (; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->key, key) == 0)
			return pp;
	return pp;
}

void *hmap_get(const struct hmap *m, const char *key)
{
	struct hent **pp = hmap_find(m, key);

	return *pp ? (*pp)->val : NULL;
}

static void hmap_grow(struct hmap *m)
{
	size_t n = m->nslots * 2;
	struct hent **ns = calloc(n, sizeof(*ns));

	if (!ns)
		return;  /* keep working with longer chains */
	for (size_t i = 0; i < m->nslots; i++) {
		struct hent *e = m->slots[i], *next;

		for (; e; e = next) {
			size_t j = hash_str(e->key) & (n - 1);

			next = e->next;
			e->next = ns[j];
			ns[j] = e;
		}
	}
	free(m->slots);
	m->slots = ns;
	m->nslots = n;
}

int hmap_put(struct hmap *m, const char *key, void *val, void **ret_old)
{
	struct hent **pp = hmap_find(m, key), *e;
	size_t klen;

	if (*pp) {
		if (ret_old)
			*ret_old = (*pp)->val;
		(*pp)->val = val;
		return 0;
	}
	klen = strlen(key);
	e = malloc(sizeof(*e) + klen + 1);
	if (!e)
		return -ENOMEM;
	memcpy(e->key, key, klen + 1);
	e->val = val;
	e->next = NULL;
	*pp = e;
	m->count++;
	if (ret_old)
		*ret_old = NULL;
	if (m->count > m->nslots * 2)
		hmap_grow(m);
	return 0;
}

void *hmap_del(struct hmap *m, const char *key)
{
	struct hent **pp = hmap_find(m, key), *e = *pp;
	void *v;

	if (!e)
		return NULL;
	*pp = e->next;
	v = e->val;
	free(e);
	m->count--;
	return v;
}

size_t hmap_count(const struct hmap *m)
{
	return m->count;
}

int hmap_each(const struct hmap *m, int (*fn)(const char *key, void *val, void *arg), void *arg)
{
	for (size_t i = 0; i < m->nslots; i++)
		for (struct hent *e = m->slots[i], *n; e; e = n) {
			int r;

			n = e->next;
			r = fn(e->key, e->val, arg);
			if (r)
				return r;
		}
	return 0;
}
