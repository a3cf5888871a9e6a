#include "util/nodeset.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

struct range {
	long lo, hi, step;
	int width;              /* zero-padding width, 0 for none */
};

struct group {
	struct range *r;
	size_t n;
};

struct pattern {
	const char *text;       /* the whole pattern, for literal slices */
	const char **lit;       /* literal before group i, and the tail */
	size_t *litlen;
	struct group *g;
	size_t ng;
};

static int parse_num(const char **pp, long *ret, int *ret_digits)
{
	const char *p = *pp;
	long v = 0;
	int d = 0;

	while (isdigit((unsigned char)*p)) {
		if (v > 100000000L)
			return -ERANGE;
		v = v * 10 + (*p - '0');
		p++;
		d++;
	}
	if (!d)
		return -EINVAL;
	*pp = p;
	*ret = v;
	*ret_digits = d;
	return 0;
}

static int parse_group(const char **pp, struct group *g)
{
	const char *p = *pp;

	for (;;) {
		struct range r = { 0, 0, 1, 0 }, *n;
		const char *rs = p;
		int dl, dh;

		if (parse_num(&p, &r.lo, &dl) < 0)
			goto bad;
		r.hi = r.lo;
		if (*p == '-') {
			const char *hs;

			p++;
			hs = p;
			if (parse_num(&p, &r.hi, &dh) < 0)
				goto bad;
			if (r.hi < r.lo) {
				p = hs;
				goto bad;
			}
			if (*p == '/') {
				const char *ss;
				int ds;

				p++;
				ss = p;
				if (parse_num(&p, &r.step, &ds) < 0)
					goto bad;
				if (r.step < 1) {
					p = ss;
					goto bad;
				}
			}
		}
		r.width = (dl > 1 && *rs == '0') ? dl : 0;
		n = realloc(g->r, (g->n + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		g->r = n;
		g->r[g->n++] = r;
		if (*p == ',') {
			p++;
			*pp = p;
			continue;
		}
		if (*p != ']')
			goto bad;
		*pp = p + 1;
		return 0;
	}
bad:
	*pp = p;   /* where the error is */
	return -EINVAL;
}

static void pattern_release(struct pattern *pt)
{
	for (size_t i = 0; i < pt->ng; i++)
		free(pt->g[i].r);
	free(pt->g);
	free(pt->lit);
	free(pt->litlen);
	memset(pt, 0, sizeof(*pt));
}

/* Parses one comma-free (outside brackets) pattern of length len. */
static int pattern_parse(const char *s, size_t len, struct pattern *pt, size_t *ret_off)
{
	const char *p = s, *end = s + len, *lit = s;
	int r;

	memset(pt, 0, sizeof(*pt));
	pt->text = s;
	pt->lit = calloc(len + 2, sizeof(*pt->lit));
	pt->litlen = calloc(len + 2, sizeof(*pt->litlen));
	pt->g = calloc(len + 1, sizeof(*pt->g));
	if (!pt->lit || !pt->litlen || !pt->g)
		return -ENOMEM;
	while (p < end) {
		if (*p == ']') {
			*ret_off = (size_t)(p - s);
			return -EINVAL;
		}
		if (*p != '[') {
			p++;
			continue;
		}
		pt->lit[pt->ng] = lit;
		pt->litlen[pt->ng] = (size_t)(p - lit);
		p++;
		r = parse_group(&p, &pt->g[pt->ng]);
		if (r < 0 || p > end) {
			*ret_off = (size_t)((p > end ? end : p) - s);
			pt->ng++;   /* so that pattern_release frees this group too */
			return r < 0 ? r : -EINVAL;
		}
		pt->ng++;
		lit = p;
	}
	pt->lit[pt->ng] = lit;
	pt->litlen[pt->ng] = (size_t)(end - lit);
	return 0;
}

static int emit(const struct pattern *pt, size_t gi, struct buf *name, long *count,
		int (*fn)(const char *, void *), void *arg)
{
	size_t mark = name->len;
	int r;

	if (buf_append(name, pt->lit[gi], pt->litlen[gi]) < 0)
		return -ENAMETOOLONG;
	if (gi == pt->ng) {
		if (++*count > NODESET_MAX)
			return -E2BIG;
		r = fn(buf_str(name), arg);
		name->len = mark;
		name->data[mark] = '\0';
		return r;
	}
	for (size_t i = 0; i < pt->g[gi].n; i++) {
		const struct range *rg = &pt->g[gi].r[i];

		for (long v = rg->lo; v <= rg->hi; v += rg->step) {
			size_t m2 = name->len;

			if (buf_printf(name, "%0*ld", rg->width, v) < 0)
				return -ENAMETOOLONG;
			r = emit(pt, gi + 1, name, count, fn, arg);
			if (r)
				return r;
			name->len = m2;
			name->data[m2] = '\0';
		}
	}
	name->len = mark;
	name->data[mark] = '\0';
	return 0;
}

int nodeset_expand(const char *pattern, int (*fn)(const char *name, void *arg),
		   void *arg, size_t *ret_pos)
{
	const char *p = pattern;
	long count = 0;
	struct buf name;
	int r = 0;

	buf_init(&name, 65536);
	while (*p) {
		const char *start = p;
		int depth = 0;
		struct pattern pt;
		size_t off = 0;

		while (*p && (depth || *p != ',')) {
			if (*p == '[')
				depth++;
			else if (*p == ']')
				depth--;
			p++;
		}
		if (p == start) {
			r = -EINVAL;
			if (ret_pos)
				*ret_pos = (size_t)(p - pattern);
			break;
		}
		r = pattern_parse(start, (size_t)(p - start), &pt, &off);
		if (r == 0) {
			buf_reset(&name);
			buf_reserve(&name, 64);
			name.data[0] = '\0';
			r = emit(&pt, 0, &name, &count, fn, arg);
		} else if (ret_pos) {
			*ret_pos = (size_t)(start - pattern) + off;
		}
		pattern_release(&pt);
		if (r)
			break;
		if (*p == ',')
			p++;
		if (*p == '\0' && p[-1] == ',') {
			r = -EINVAL;
			if (ret_pos)
				*ret_pos = (size_t)(p - pattern);
		}
	}
	buf_release(&name);
	if (r)
		return r;
	return (int)count;
}
