/* Node sets: storage, set algebra and the parser (folding: nodeset_fold.c). */
#include "util/nodeset.h"
#include "util/nodeset_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define NUM_DIGITS_MAX 18       /* fits in unsigned long long with room */

/* ------------------------------------------------------------ storage */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct nodeset *nodeset_new(size_t max)
{
	struct nodeset *ns = calloc(1, sizeof(*ns));

	if (ns)
		ns->max = max ? max : NODESET_MAX_DEFAULT;
	return ns;
}

static void names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void nodeset_free(struct nodeset *ns)
{
	if (!ns)
		return;
	names_free(ns->v, ns->n);
	free(ns);
}

/* Sorts the unsorted tail into the sorted prefix, dropping duplicates. */
static void settle(struct nodeset *ns)
{
	size_t w = 0;

	if (ns->nsorted == ns->n)
		return;
	qsort(ns->v, ns->n, sizeof(*ns->v), cmp_str);
	for (size_t i = 0; i < ns->n; i++) {
		if (w && strcmp(ns->v[w - 1], ns->v[i]) == 0)
			free(ns->v[i]);
		else
			ns->v[w++] = ns->v[i];
	}
	ns->n = ns->nsorted = w;
}

void nodeset_settle(const struct nodeset *ns)
{
	/* the set's value does not change, only its layout: readers take a
	 * const set, and no nodeset is ever defined const */
	settle((struct nodeset *)ns);
}

static bool sorted_has(const struct nodeset *ns, const char *name)
{
	const char *key = name;

	return ns->nsorted &&
	       bsearch(&key, ns->v, ns->nsorted, sizeof(*ns->v), cmp_str) != NULL;
}

static int push(struct nodeset *ns, char *name)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 16;
		char **v = realloc(ns->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n++] = name;
	return 0;
}

int nodeset_add(struct nodeset *ns, const char *name)
{
	size_t len = strlen(name);
	char *copy;

	if (!len)
		return -EINVAL;
	if (len > NODESET_NAME_MAX)
		return -ENAMETOOLONG;
	if (sorted_has(ns, name))
		return 0;
	if (ns->n - ns->nsorted >= 64 && ns->n - ns->nsorted >= ns->nsorted)
		settle(ns);
	if (ns->n >= ns->max) {
		settle(ns);
		if (sorted_has(ns, name))
			return 0;
		if (ns->n >= ns->max)
			return -E2BIG;
	}
	copy = strdup(name);
	if (!copy || push(ns, copy) < 0) {
		free(copy);
		return -ENOMEM;
	}
	return 1;
}

size_t nodeset_count(const struct nodeset *ns)
{
	nodeset_settle(ns);
	return ns->n;
}

int nodeset_contains(const struct nodeset *ns, const char *name)
{
	nodeset_settle(ns);
	return sorted_has(ns, name);
}

enum op { OP_UNION, OP_DIFF, OP_AND, OP_XOR };

/* ns = ns OP o by a merge of the two sorted arrays. */
static int combine(struct nodeset *ns, const struct nodeset *o, enum op op)
{
	size_t i = 0, j = 0, n = 0, cap;
	char **v;
	int r = -ENOMEM;

	settle(ns);
	nodeset_settle(o);
	cap = ns->n + o->n;
	v = malloc((cap ? cap : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (i < ns->n || j < o->n) {
		int c = i == ns->n ? 1 : j == o->n ? -1 : strcmp(ns->v[i], o->v[j]);
		bool keep;
		const char *s;

		if (c < 0) {
			keep = op != OP_AND;
			s = ns->v[i++];
		} else if (c > 0) {
			keep = op == OP_UNION || op == OP_XOR;
			s = o->v[j++];
		} else {
			keep = op == OP_UNION || op == OP_AND;
			s = ns->v[i++];
			j++;
		}
		if (!keep)
			continue;
		if (n >= ns->max) {
			r = -E2BIG;
			goto fail;
		}
		if (!(v[n] = strdup(s)))
			goto fail;
		n++;
	}
	names_free(ns->v, ns->n);
	ns->v = v;
	ns->n = ns->nsorted = n;
	ns->cap = cap ? cap : 1;
	return 0;
fail:
	names_free(v, n);
	return r;
}

/* ns |= o, appending to ns's unsorted tail: a union costs o's size, not
 * ns's, so many small unions (a long "a,b,c,..." or one name per argument)
 * stay linear.  With steal, o's strings move over and o is left empty. */
static int absorb(struct nodeset *ns, struct nodeset *o, bool steal)
{
	size_t fresh = 0, start;

	settle(o);
	if (ns->n + o->n > ns->max) {
		/* maybe too many: count exactly against a settled ns */
		settle(ns);
		for (size_t i = 0; i < o->n; i++)
			fresh += !sorted_has(ns, o->v[i]);
		if (ns->n + fresh > ns->max)
			return -E2BIG;
	}
	start = ns->n;
	for (size_t i = 0; i < o->n; i++) {
		char *s;

		if (sorted_has(ns, o->v[i]))
			continue;
		s = steal ? o->v[i] : strdup(o->v[i]);
		if (!s || push(ns, s) < 0) {
			if (!steal)
				free(s);
			goto undo;
		}
		if (steal)
			o->v[i] = NULL;
	}
	if (steal) {
		names_free(o->v, o->n);
		o->v = NULL;
		o->n = o->nsorted = o->cap = 0;
	}
	if (ns->n - ns->nsorted >= 64 && ns->n - ns->nsorted >= ns->nsorted)
		settle(ns);
	return 0;
undo:
	for (size_t i = start, k = 0; i < ns->n; i++) {
		if (!steal) {
			free(ns->v[i]);
			continue;
		}
		while (o->v[k])   /* give each string back to its empty slot */
			k++;
		o->v[k] = ns->v[i];
	}
	ns->n = start;
	return -ENOMEM;
}

int nodeset_update(struct nodeset *ns, const struct nodeset *o)
{
	return absorb(ns, (struct nodeset *)o, false);   /* o's value is unchanged */
}
int nodeset_difference(struct nodeset *ns, const struct nodeset *o) { return combine(ns, o, OP_DIFF); }
int nodeset_intersection(struct nodeset *ns, const struct nodeset *o) { return combine(ns, o, OP_AND); }
int nodeset_xor(struct nodeset *ns, const struct nodeset *o) { return combine(ns, o, OP_XOR); }

/* ------------------------------------------------------------- parser */

struct range {
	unsigned long long lo, hi, step;
	int width;              /* zero padding, 0 for none */
};

struct group {
	struct range *r;
	size_t n;
	unsigned long long count;
};

struct parser {
	const struct nodeset_resolver *res;
	size_t max;
	int depth;
	struct nodeset_error *err;
};

static int fail_at(struct parser *p, size_t pos, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct parser *p, size_t pos, int r, const char *fmt, ...)
{
	va_list ap;

	if (p->err) {
		p->err->pos = pos;
		va_start(ap, fmt);
		vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
		va_end(ap);
	}
	return r;
}

static bool is_op(char c)
{
	return c == ',' || c == '!' || c == '&' || c == '^';
}

/* A number at s[*i] (offsets relative to the whole text, base). */
static int parse_num(struct parser *p, const char *s, size_t *i, size_t base,
		     unsigned long long *ret, int *ret_len)
{
	size_t st = *i;
	unsigned long long v = 0;

	while (isdigit((unsigned char)s[*i])) {
		if (*i - st >= NUM_DIGITS_MAX)
			return fail_at(p, base + st, -EINVAL, "number too large");
		v = v * 10 + (unsigned long long)(s[*i] - '0');
		(*i)++;
	}
	if (*i == st) {
		if (!s[*i])
			return fail_at(p, base + *i, -EINVAL, "number expected at the end");
		return fail_at(p, base + *i, -EINVAL, "number expected at '%c'", s[*i]);
	}
	*ret = v;
	*ret_len = (int)(*i - st);
	return 0;
}

/* One "lo[-hi[/step]]" at s[*i]. */
static int parse_range(struct parser *p, const char *s, size_t *i, size_t base, struct range *rg)
{
	size_t lo_at = *i, hi_at, step_at;
	int llo, lhi, lstep, r;
	bool zlo, zhi;

	if ((r = parse_num(p, s, i, base, &rg->lo, &llo)) < 0)
		return r;
	rg->hi = rg->lo;
	rg->step = 1;
	zlo = llo > 1 && s[lo_at] == '0';
	rg->width = zlo ? llo : 0;
	if (s[*i] != '-')
		return 0;
	(*i)++;
	hi_at = *i;
	zhi = s[*i] == '0' && isdigit((unsigned char)s[*i + 1]);
	if ((r = parse_num(p, s, i, base, &rg->hi, &lhi)) < 0)
		return r;
	if ((zlo || zhi) && llo != lhi)
		return fail_at(p, base + lo_at, -EINVAL, "padding length mismatch in range");
	if (rg->hi < rg->lo)
		return fail_at(p, base + hi_at, -EINVAL, "range goes down (%llu-%llu)", rg->lo, rg->hi);
	if (s[*i] != '/')
		return 0;
	(*i)++;
	step_at = *i;
	if ((r = parse_num(p, s, i, base, &rg->step, &lstep)) < 0)
		return r;
	if (rg->step == 0)
		return fail_at(p, base + step_at, -EINVAL, "step must be at least 1");
	return 0;
}

/* The bracket group opening at s[*i] == '['; leaves *i after ']'. */
static int parse_group(struct parser *p, const char *s, size_t *i, size_t base, struct group *g)
{
	size_t open = *i;
	int r;

	(*i)++;
	for (;;) {
		struct range rg, *nr;

		if (!s[*i])
			return fail_at(p, base + *i, -EINVAL, "missing ']' for the '[' at offset %zu",
				       base + open);
		if (s[*i] == ']' || s[*i] == ',')
			return fail_at(p, base + *i, -EINVAL, "empty range");
		if ((r = parse_range(p, s, i, base, &rg)) < 0)
			return r;
		nr = realloc(g->r, (g->n + 1) * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		g->r = nr;
		g->r[g->n++] = rg;
		g->count += (rg.hi - rg.lo) / rg.step + 1;
		if (s[*i] == ',') {
			(*i)++;
			continue;
		}
		if (s[*i] == ']') {
			(*i)++;
			return 0;
		}
		if (!s[*i])
			return fail_at(p, base + *i, -EINVAL, "missing ']' for the '[' at offset %zu",
				       base + open);
		return fail_at(p, base + *i, -EINVAL, "unexpected '%c' in brackets", s[*i]);
	}
}

struct pattern {
	const char **lit;       /* literal before group k; lit[ng] is the tail */
	size_t *litlen;
	struct group *g;
	size_t ng;
};

static void pattern_release(struct pattern *pt)
{
	for (size_t k = 0; pt->g && k <= pt->ng; k++)
		free(pt->g[k].r);
	free(pt->g);
	free(pt->lit);
	free(pt->litlen);
}

/* Builds the names of pt, group k onwards, into name. */
static int emit(const struct pattern *pt, size_t k, struct buf *name, struct nodeset *out)
{
	size_t mark = name->len;
	int r = 0;

	if (buf_append(name, pt->lit[k], pt->litlen[k]) < 0)
		return -ENAMETOOLONG;
	if (k == pt->ng) {
		r = name->len ? nodeset_add(out, buf_str(name)) : -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < pt->g[k].n && r >= 0; i++) {
		const struct range *rg = &pt->g[k].r[i];

		for (unsigned long long v = rg->lo; v <= rg->hi && r >= 0; v += rg->step) {
			size_t m2 = name->len;

			if (buf_printf(name, "%0*llu", rg->width, v) < 0)
				return -ENAMETOOLONG;
			r = emit(pt, k + 1, name, out);
			name->len = m2;
			name->data[m2] = '\0';
			if (rg->hi - v < rg->step)
				break;
		}
	}
out:
	name->len = mark;
	if (name->data)
		name->data[mark] = '\0';
	return r < 0 ? r : 0;
}

/* A plain operand s[0..len) (no operator, no '@') at offset base. */
static int parse_pattern(struct parser *p, const char *s, size_t len, size_t base, struct nodeset *out)
{
	struct pattern pt = { NULL, NULL, NULL, 0 };
	unsigned long long total = 1;
	size_t i = 0, lit = 0;
	struct buf name;
	char *copy = strndup(s, len);
	int r = -ENOMEM;

	buf_init(&name, NODESET_NAME_MAX);
	pt.lit = calloc(len + 1, sizeof(*pt.lit));
	pt.litlen = calloc(len + 1, sizeof(*pt.litlen));
	pt.g = calloc(len + 1, sizeof(*pt.g));
	if (!copy || !pt.lit || !pt.litlen || !pt.g)
		goto out;
	while (i < len) {
		if (copy[i] == ']') {
			r = fail_at(p, base + i, -EINVAL, "']' without '['");
			goto out;
		}
		if (copy[i] != '[') {
			i++;
			continue;
		}
		pt.lit[pt.ng] = copy + lit;
		pt.litlen[pt.ng] = i - lit;
		if ((r = parse_group(p, copy, &i, base, &pt.g[pt.ng])) < 0)
			goto out;
		total *= pt.g[pt.ng].count;
		if (total > p->max) {
			r = fail_at(p, base, -E2BIG, "more than %zu names", p->max);
			goto out;
		}
		pt.ng++;
		lit = i;
	}
	pt.lit[pt.ng] = copy + lit;
	pt.litlen[pt.ng] = len - lit;
	r = emit(&pt, 0, &name, out);
	if (r == -E2BIG)
		r = fail_at(p, base, r, "more than %zu names", p->max);
	else if (r == -ENAMETOOLONG)
		r = fail_at(p, base, r, "a name longer than %d bytes", NODESET_NAME_MAX);
out:
	pattern_release(&pt);
	buf_release(&name);
	free(copy);
	return r;
}

static int parse_text(struct parser *p, const char *text, struct nodeset *out);

/* "@name" at offset base: the resolver's text, parsed one level deeper. */
static int parse_group_ref(struct parser *p, const char *s, size_t len, size_t base,
			   struct nodeset *out)
{
	char *name = strndup(s + 1, len - 1), *text = NULL;
	struct nodeset_error inner = { 0, "" }, *outer = p->err;
	int r;

	if (!name)
		return -ENOMEM;
	if (!*name) {
		r = fail_at(p, base, -EINVAL, "group name missing after '@'");
		goto out;
	}
	if (!p->res || !p->res->fn) {
		r = fail_at(p, base, -EINVAL, "unknown group '@%s' (no groups here)", name);
		goto out;
	}
	if (p->depth >= NODESET_GROUP_DEPTH) {
		r = fail_at(p, base, -EINVAL, "groups nested more than %d deep at '@%s'",
			    NODESET_GROUP_DEPTH, name);
		goto out;
	}
	r = p->res->fn(name, &text, p->res->arg);
	if (r == -ENOENT) {
		r = fail_at(p, base, -EINVAL, "no group '@%s'", name);
		goto out;
	}
	if (r < 0) {
		r = fail_at(p, base, r, "group '@%s': %s", name, strerror(-r));
		goto out;
	}
	p->depth++;
	p->err = &inner;
	r = parse_text(p, text ? text : "", out);
	p->err = outer;
	p->depth--;
	if (r < 0 && !strncmp(inner.msg, "group '@", 8))
		r = fail_at(p, base, r, "%s", inner.msg);    /* said where, deeper down */
	else if (r < 0 && inner.msg[0])
		r = fail_at(p, base, r, "group '@%s', offset %zu: %s", name, inner.pos, inner.msg);
out:
	free(text);
	free(name);
	return r;
}

static int parse_operand(struct parser *p, const char *text, size_t st, size_t en,
			 struct nodeset *out)
{
	while (st < en && isspace((unsigned char)text[st]))
		st++;
	while (en > st && isspace((unsigned char)text[en - 1]))
		en--;
	if (text[st] == '@')
		return parse_group_ref(p, text + st, en - st, st, out);
	return parse_pattern(p, text + st, en - st, st, out);
}

static bool blank(const char *s, size_t st, size_t en)
{
	while (st < en && isspace((unsigned char)s[st]))
		st++;
	return st == en;
}

static int parse_text(struct parser *p, const char *text, struct nodeset *out)
{
	struct nodeset *acc = nodeset_new(p->max), *cur = NULL;
	size_t pos = 0;
	char op = ',';
	int r = -ENOMEM;

	if (!acc)
		return -ENOMEM;
	if (blank(text, 0, strlen(text))) {
		r = 0;
		goto done;
	}
	for (;;) {
		size_t st = pos, depth = 0;

		while (text[pos] && (depth || !is_op(text[pos]))) {
			if (text[pos] == '[')
				depth++;
			else if (text[pos] == ']' && depth)
				depth--;
			pos++;
		}
		if (blank(text, st, pos)) {
			r = fail_at(p, pos, -EINVAL, "missing operand %s '%c'",
				    st ? "after" : "before", st ? op : text[pos]);
			goto out;
		}
		nodeset_free(cur);
		if (!(cur = nodeset_new(p->max)))
			goto out;
		if ((r = parse_operand(p, text, st, pos, cur)) < 0)
			goto out;
		r = op == ',' ? absorb(acc, cur, true) :
		    combine(acc, cur, op == '!' ? OP_DIFF : op == '&' ? OP_AND : OP_XOR);
		if (r == -E2BIG)
			r = fail_at(p, st, r, "more than %zu names", p->max);
		if (r < 0)
			goto out;
		if (!text[pos])
			break;
		op = text[pos++];
		if (!text[pos] || blank(text, pos, strlen(text))) {
			r = fail_at(p, strlen(text), -EINVAL, "missing operand after '%c'", op);
			goto out;
		}
	}
done:
	r = absorb(out, acc, true);
	if (r == -E2BIG)
		r = fail_at(p, 0, r, "more than %zu names", p->max);
out:
	nodeset_free(cur);
	nodeset_free(acc);
	return r;
}

int nodeset_parse(struct nodeset *ns, const char *text, const struct nodeset_resolver *res,
		  struct nodeset_error *err)
{
	struct parser p = { res, ns->max, 0, err };

	return parse_text(&p, text, ns);
}

int nodeset_expand(const char *pattern, int (*fn)(const char *name, void *arg),
		   void *arg, size_t *ret_pos)
{
	struct nodeset *ns = nodeset_new(0);
	struct nodeset_error err = { 0, "" };
	int r;

	if (!ns)
		return -ENOMEM;
	r = nodeset_parse(ns, pattern, NULL, &err);
	if (r == -EINVAL && ret_pos)
		*ret_pos = err.pos;
	if (r == 0)
		r = nodeset_each(ns, fn, arg);
	if (r == 0)
		r = (int)nodeset_count(ns);
	nodeset_free(ns);
	return r;
}
