/*
 * Folding node sets, and ClusterShell's order of names.
 *
 * A name splits into a pattern (its text with each run of digits replaced
 * by "%s", a literal '%' doubled) and one number per run: "r1n02" is
 * "r%sn%s" with (1, 02).  A number keeps its length, so 02 and 2 differ;
 * numbers sort by (length, value).  Patterns sort bytewise.
 *
 * One number: the pattern's numbers fold into ranges.  Several: the names
 * start as one-point rectangles; passes over them, each sorted (largest
 * first, then by first numbers), grow each rectangle in turn with the later
 * ones that differ from it in exactly one position, until a pass changes
 * nothing.  Candidates are found through one hash map per position
 * (all the other positions -> rectangles), so a pass is about linear.
 */
#include "util/nodeset.h"
#include "util/nodeset_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/hmap.h"

#define RUN_DIGITS_MAX 18       /* longer digit runs stay literal text */

struct elt {
	unsigned long long v;
	unsigned len;           /* digits as written, zeros included */
};

struct rs {                     /* sorted by (len, v), unique */
	struct elt *e;
	size_t n, cap;
};

struct rect {
	struct rs *ax;          /* one per number of the pattern */
	size_t size;
};

struct pat {
	char *key;              /* "r%sn%s" */
	size_t dims;
	struct rect **r;        /* while collecting: points; then the fold */
	size_t nr, cap;
};

struct fold {
	struct pat **p;         /* sorted by key */
	size_t np;
};

static int elt_cmp(const struct elt *a, const struct elt *b)
{
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->v < b->v ? -1 : a->v > b->v;
}

static int rs_push(struct rs *s, struct elt e)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		struct elt *ne = realloc(s->e, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		s->e = ne;
		s->cap = cap;
	}
	s->e[s->n++] = e;
	return 0;
}

/* s |= o; o is disjoint from s. */
static int rs_union(struct rs *s, const struct rs *o)
{
	struct rs m = { NULL, 0, 0 };
	size_t i = 0, j = 0;

	if (s->n && o->n && elt_cmp(&s->e[s->n - 1], &o->e[0]) < 0) {
		for (j = 0; j < o->n; j++)      /* the usual case: appending */
			if (rs_push(s, o->e[j]) < 0)
				return -ENOMEM;
		return 0;
	}
	while (i < s->n || j < o->n) {
		bool left = j == o->n || (i < s->n && elt_cmp(&s->e[i], &o->e[j]) <= 0);

		if (rs_push(&m, left ? s->e[i++] : o->e[j++]) < 0) {
			free(m.e);
			return -ENOMEM;
		}
	}
	free(s->e);
	*s = m;
	return 0;
}

static void rect_free(struct rect *r, size_t dims)
{
	if (!r)
		return;
	for (size_t a = 0; a < dims; a++)
		free(r->ax[a].e);
	free(r->ax);
	free(r);
}

static void fold_release(struct fold *f)
{
	for (size_t i = 0; i < f->np; i++) {
		for (size_t k = 0; k < f->p[i]->nr; k++)
			rect_free(f->p[i]->r[k], f->p[i]->dims);
		free(f->p[i]->r);
		free(f->p[i]->key);
		free(f->p[i]);
	}
	free(f->p);
}

/* ---------------------------------------------------- splitting names */

/* The pattern of name into key (reset first) and its numbers into e[]
 * (at most strlen(name) of them).  Returns the count. */
static size_t split_name(const char *name, struct buf *key, struct elt *e)
{
	size_t n = 0;

	buf_reset(key);
	for (const char *s = name; *s;) {
		size_t run = 0;

		while (isdigit((unsigned char)s[run]))
			run++;
		if (run && run <= RUN_DIGITS_MAX) {
			e[n].v = 0;
			e[n].len = (unsigned)run;
			for (size_t k = 0; k < run; k++)
				e[n].v = e[n].v * 10 + (unsigned long long)(s[k] - '0');
			n++;
			buf_append_str(key, "%s");
			s += run;
		} else if (run) {
			buf_append(key, s, run);
			s += run;
		} else {
			buf_append(key, s, 1);
			if (*s == '%')
				buf_append(key, "%", 1);
			s++;
		}
	}
	return n;
}

static struct rect *rect_point(const struct elt *e, size_t dims)
{
	struct rect *r = calloc(1, sizeof(*r));

	if (!r || !(r->ax = calloc(dims ? dims : 1, sizeof(*r->ax)))) {
		free(r);
		return NULL;
	}
	r->size = 1;
	for (size_t a = 0; a < dims; a++) {
		if (rs_push(&r->ax[a], e[a]) < 0) {
			rect_free(r, dims);
			return NULL;
		}
	}
	return r;
}

static int pat_push(struct pat *p, struct rect *r)
{
	if (p->nr == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct rect **nr = realloc(p->r, cap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		p->r = nr;
		p->cap = cap;
	}
	p->r[p->nr++] = r;
	return 0;
}

static int pat_cmp(const void *a, const void *b)
{
	return strcmp((*(struct pat *const *)a)->key, (*(struct pat *const *)b)->key);
}

/* Groups the names of ns by pattern, one point each. */
static int collect(const struct nodeset *ns, struct fold *f, struct hmap *pats)
{
	struct buf key;
	struct elt *e = malloc((NODESET_NAME_MAX + 1) * sizeof(*e));
	int r = -ENOMEM;

	buf_init(&key, NODESET_NAME_MAX * 2 + 1);
	if (!e)
		goto out;
	f->p = calloc(ns->n ? ns->n : 1, sizeof(*f->p));
	if (!f->p)
		goto out;
	for (size_t i = 0; i < ns->n; i++) {
		size_t dims = split_name(ns->v[i], &key, e);
		struct pat *p = hmap_get(pats, buf_str(&key));
		struct rect *rc;

		if (!p) {
			if (!(p = calloc(1, sizeof(*p))))
				goto out;
			f->p[f->np++] = p;
			p->dims = dims;
			if (!(p->key = strdup(buf_str(&key))) || hmap_put(pats, p->key, p, NULL) < 0)
				goto out;
		}
		if (!(rc = rect_point(e, dims)))
			goto out;
		if (pat_push(p, rc) < 0) {
			rect_free(rc, dims);
			goto out;
		}
	}
	qsort(f->p, f->np, sizeof(*f->p), pat_cmp);
	r = 0;
out:
	buf_release(&key);
	free(e);
	return r;
}

/* ------------------------------------------------------------ merging */

/* Largest first, then by the first number of each position. */
static int rect_cmp_dims(const struct rect *a, const struct rect *b, size_t dims)
{
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1;
	for (size_t k = 0; k < dims; k++) {
		int c = elt_cmp(&a->ax[k].e[0], &b->ax[k].e[0]);

		if (c)
			return c;
	}
	return 0;
}

static int rect_cmp(const void *a, const void *b, void *dims)
{
	return rect_cmp_dims(*(struct rect *const *)a, *(struct rect *const *)b, *(size_t *)dims);
}

static int elt_qcmp(const void *a, const void *b)
{
	return elt_cmp(a, b);
}

/* Key of r with position skip left out. */
static int rect_key(const struct rect *r, size_t dims, size_t skip, struct buf *b)
{
	buf_reset(b);
	for (size_t a = 0; a < dims; a++) {
		if (a == skip) {
			buf_append_str(b, "*|");
			continue;
		}
		for (size_t i = 0; i < r->ax[a].n; i++)
			buf_printf(b, "%u.%llu,", r->ax[a].e[i].len, r->ax[a].e[i].v);
		buf_append_str(b, "|");
	}
	return b->truncated ? -E2BIG : 0;
}

struct poslist {
	size_t *pos;
	size_t n, cap;
};

static void poslist_free(void *v)
{
	struct poslist *l = v;

	if (l)
		free(l->pos);
	free(l);
}

struct pass {
	struct rect **r;
	size_t n, dims;
	bool *used;
	struct hmap **line;     /* per position: key -> struct poslist */
	size_t *maxlen;         /* per position: largest set at the pass's start */
	struct buf key;
};

static int pass_index(struct pass *ps)
{
	for (size_t a = 0; a < ps->dims; a++) {
		if (!(ps->line[a] = hmap_new()))
			return -ENOMEM;
		for (size_t i = 0; i < ps->n; i++) {
			struct poslist *l;

			if (ps->r[i]->ax[a].n > ps->maxlen[a])
				ps->maxlen[a] = ps->r[i]->ax[a].n;
			if (rect_key(ps->r[i], ps->dims, a, &ps->key) < 0)
				return -E2BIG;
			l = hmap_get(ps->line[a], buf_str(&ps->key));
			if (!l) {
				if (!(l = calloc(1, sizeof(*l))))
					return -ENOMEM;
				if (hmap_put(ps->line[a], buf_str(&ps->key), l, NULL) < 0) {
					free(l);
					return -ENOMEM;
				}
			}
			if (l->n == l->cap) {
				size_t cap = l->cap ? l->cap * 2 : 4;
				size_t *np = realloc(l->pos, cap * sizeof(*np));

				if (!np)
					return -ENOMEM;
				l->pos = np;
				l->cap = cap;
			}
			l->pos[l->n++] = i;   /* increasing: i runs in order */
		}
	}
	return 0;
}

/* The first unused position after `after` in list l, or SIZE_MAX. */
static size_t poslist_next(const struct poslist *l, size_t after, const bool *used)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->pos[mid] <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < l->n; lo++)
		if (!used[l->pos[lo]])
			return l->pos[lo];
	return (size_t)-1;
}

/* Grows rectangle i with the later ones differing in one position.
 * Returns the number merged or -errno. */
static int grow(struct pass *ps, size_t i)
{
	struct rect *cur = ps->r[i];
	size_t scan = i, merged = 0;

	for (;;) {
		size_t best = (size_t)-1, bestk = 0;

		for (size_t k = 0; k < ps->dims; k++) {
			const struct poslist *l;
			bool possible = true;
			size_t j;

			for (size_t a = 0; a < ps->dims && possible; a++)
				possible = a == k || cur->ax[a].n <= ps->maxlen[a];
			if (!possible)
				continue;
			if (rect_key(cur, ps->dims, k, &ps->key) < 0)
				return -E2BIG;
			l = hmap_get(ps->line[k], buf_str(&ps->key));
			if (l && (j = poslist_next(l, scan, ps->used)) < best) {
				best = j;
				bestk = k;
			}
		}
		if (best == (size_t)-1)
			return (int)merged;
		if (rs_union(&cur->ax[bestk], &ps->r[best]->ax[bestk]) < 0)
			return -ENOMEM;
		cur->size += ps->r[best]->size;
		ps->used[best] = true;
		scan = best;
		merged++;
	}
}

/* One pass over p's rectangles.  Returns the number of merges or -errno. */
static int merge_pass(struct pat *p)
{
	struct pass ps = { p->r, p->nr, p->dims, NULL, NULL, NULL, BUF_INIT };
	size_t w = 0;
	int r = -ENOMEM, total = 0;

	buf_init(&ps.key, BUF_HARD_MAX);
	qsort_r(p->r, p->nr, sizeof(*p->r), rect_cmp, &p->dims);
	ps.used = calloc(p->nr, sizeof(*ps.used));
	ps.line = calloc(p->dims, sizeof(*ps.line));
	ps.maxlen = calloc(p->dims, sizeof(*ps.maxlen));
	if (!ps.used || !ps.line || !ps.maxlen)
		goto out;
	if ((r = pass_index(&ps)) < 0)
		goto out;
	for (size_t i = 0; i < p->nr; i++) {
		if (ps.used[i])
			continue;
		if ((r = grow(&ps, i)) < 0)
			goto out;
		total += r;
	}
	for (size_t i = 0; i < p->nr; i++) {
		if (ps.used[i])
			rect_free(p->r[i], p->dims);
		else
			p->r[w++] = p->r[i];
	}
	p->nr = w;
	r = total;
out:
	for (size_t a = 0; ps.line && a < p->dims; a++)
		hmap_free(ps.line[a], poslist_free);
	free(ps.line);
	free(ps.maxlen);
	free(ps.used);
	buf_release(&ps.key);
	return r;
}

static int fold_pattern(struct pat *p)
{
	int r;

	if (p->dims == 0 || p->nr < 2)
		return 0;
	if (p->dims == 1) {
		/* every point differs in its one position: one range set */
		struct rect *all = p->r[0];

		for (size_t i = 1; i < p->nr; i++) {
			if (rs_push(&all->ax[0], p->r[i]->ax[0].e[0]) < 0)
				return -ENOMEM;
			rect_free(p->r[i], 1);
		}
		p->nr = 1;
		qsort(all->ax[0].e, all->ax[0].n, sizeof(struct elt), elt_qcmp);
		all->size = all->ax[0].n;
		return 0;
	}
	do {
		r = merge_pass(p);
	} while (r > 0);
	if (r < 0)
		return r;
	qsort_r(p->r, p->nr, sizeof(*p->r), rect_cmp, &p->dims);
	return 0;
}

static int fold_build(const struct nodeset *ns, struct fold *f)
{
	struct hmap *pats = hmap_new();
	int r = -ENOMEM;

	memset(f, 0, sizeof(*f));
	nodeset_settle(ns);
	if (!pats)
		return -ENOMEM;
	r = collect(ns, f, pats);
	for (size_t i = 0; r == 0 && i < f->np; i++)
		r = fold_pattern(f->p[i]);
	hmap_free(pats, NULL);
	if (r < 0)
		fold_release(f);
	return r;
}

/* ------------------------------------------------------------- output */

static bool leading_zero(const struct elt *e)
{
	unsigned digits = 1;

	for (unsigned long long v = e->v; v >= 10; v /= 10)
		digits++;
	return e->len > digits;
}

/* Whether b continues a range ending in a: 9 -> 10, 099 -> 100, not 9 -> 010. */
static bool follows(const struct elt *a, const struct elt *b)
{
	if (b->v != a->v + 1)
		return false;
	return a->len == b->len || (!leading_zero(a) && !leading_zero(b));
}

static void rs_text(const struct rs *s, struct buf *b)
{
	if (s->n == 1) {
		buf_printf(b, "%0*llu", (int)s->e[0].len, s->e[0].v);
		return;
	}
	buf_append_str(b, "[");
	for (size_t i = 0; i < s->n;) {
		size_t j = i;

		while (j + 1 < s->n && follows(&s->e[j], &s->e[j + 1]))
			j++;
		buf_printf(b, "%s%0*llu", i ? "," : "", (int)s->e[i].len, s->e[i].v);
		if (j > i)
			buf_printf(b, "-%0*llu", (int)s->e[j].len, s->e[j].v);
		i = j + 1;
	}
	buf_append_str(b, "]");
}

/* The pattern key with each "%s" replaced by the range sets of r. */
static void rect_text(const struct pat *p, const struct rect *r, struct buf *b)
{
	size_t a = 0;

	for (const char *k = p->key; *k; k++) {
		if (k[0] == '%' && k[1] == 's') {
			rs_text(&r->ax[a++], b);
			k++;
		} else if (k[0] == '%' && k[1] == '%') {
			buf_append(b, "%", 1);
			k++;
		} else {
			buf_append(b, k, 1);
		}
	}
}

int nodeset_fold(const struct nodeset *ns, char **ret_text)
{
	struct fold f;
	struct buf b;
	char *s;
	int r;

	if ((r = fold_build(ns, &f)) < 0)
		return r;
	buf_init(&b, BUF_HARD_MAX);
	for (size_t i = 0; i < f.np; i++) {
		for (size_t k = 0; k < f.p[i]->nr; k++) {
			if (b.len)
				buf_append_str(&b, ",");
			rect_text(f.p[i], f.p[i]->r[k], &b);
		}
	}
	fold_release(&f);
	if (b.truncated) {
		buf_release(&b);
		return -E2BIG;
	}
	s = b.data ? buf_steal(&b) : strdup("");
	buf_release(&b);
	if (!s)
		return -ENOMEM;
	*ret_text = s;
	return 0;
}

/* Calls fn for each name of rectangle r, position `a` onwards. */
static int rect_each(const struct pat *p, const struct rect *r, const char *k, size_t a,
		     struct buf *name, int (*fn)(const char *, void *), void *arg)
{
	size_t mark = name->len;
	int ret = 0;

	for (; *k; k++) {
		if (k[0] == '%' && k[1] == 's')
			break;
		buf_append(name, k, 1);
		if (k[0] == '%')
			k++;
	}
	if (!*k) {
		ret = fn(buf_str(name), arg);
		goto out;
	}
	for (size_t i = 0; i < r->ax[a].n && !ret; i++) {
		size_t m2 = name->len;

		buf_printf(name, "%0*llu", (int)r->ax[a].e[i].len, r->ax[a].e[i].v);
		ret = rect_each(p, r, k + 2, a + 1, name, fn, arg);
		name->len = m2;
	}
out:
	name->len = mark;
	if (name->data)
		name->data[mark] = '\0';
	return ret;
}

int nodeset_each(const struct nodeset *ns, int (*fn)(const char *name, void *arg), void *arg)
{
	struct fold f;
	struct buf name;
	int r;

	if ((r = fold_build(ns, &f)) < 0)
		return r;
	buf_init(&name, NODESET_NAME_MAX + 1);
	for (size_t i = 0; i < f.np && !r; i++)
		for (size_t k = 0; k < f.p[i]->nr && !r; k++)
			r = rect_each(f.p[i], f.p[i]->r[k], f.p[i]->key, 0, &name, fn, arg);
	buf_release(&name);
	fold_release(&f);
	return r;
}

struct names_acc {
	char **v;
	char *block;
	size_t n, off;
};

static int names_put(const char *name, void *arg)
{
	struct names_acc *a = arg;
	size_t len = strlen(name) + 1;

	a->v[a->n++] = a->block + a->off;
	memcpy(a->block + a->off, name, len);
	a->off += len;
	return 0;
}

int nodeset_names(const struct nodeset *ns, char ***ret_names)
{
	struct names_acc a = { NULL, NULL, 0, 0 };
	size_t bytes = 0, n;
	int r;

	nodeset_settle(ns);
	n = ns->n;
	for (size_t i = 0; i < n; i++)
		bytes += strlen(ns->v[i]) + 1;
	/* one block: the pointers, then the strings */
	a.v = malloc((n + 1) * sizeof(char *) + bytes);
	if (!a.v)
		return -ENOMEM;
	a.block = (char *)(a.v + n + 1);
	r = nodeset_each(ns, names_put, &a);
	if (r < 0) {
		free(a.v);
		return r;
	}
	a.v[n] = NULL;
	*ret_names = a.v;
	return (int)n;
}

int nodeset_fold_names(const char *const *names, size_t n, char **ret_text)
{
	struct nodeset *ns = nodeset_new(n > NODESET_MAX_DEFAULT ? n : 0);
	int r = ns ? 0 : -ENOMEM;

	for (size_t i = 0; i < n && r >= 0; i++)
		r = nodeset_add(ns, names[i]);
	if (r >= 0)
		r = nodeset_fold(ns, ret_text);
	nodeset_free(ns);
	return r;
}
