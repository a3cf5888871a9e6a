/* Gathered output, as clush -b prints it (see gather.h). */
#include "special/gather.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/nodeset.h"

#define HEADER_RULE "---------------"

struct block {
	size_t first;           /* index into the sorted order */
	size_t count;
	char *nodes;            /* folded */
	const char *lead;       /* first node, for ordering */
};

static int item_cmp_data(const void *a, const void *b, void *arg)
{
	const struct gather_item *items = arg;
	const struct gather_item *x = &items[*(const size_t *)a], *y = &items[*(const size_t *)b];
	size_t n = x->len < y->len ? x->len : y->len;
	int c = n ? memcmp(x->data, y->data, n) : 0;

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

int gather_natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea = a, *eb = b;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (ea = a; isdigit((unsigned char)*ea); ea++)
				;
			for (eb = b; isdigit((unsigned char)*eb); eb++)
				;
			if (ea - a != eb - b)
				return ea - a < eb - b ? -1 : 1;
			for (; a < ea; a++, b++)
				if (*a != *b)
					return *a < *b ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int block_cmp(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return gather_natural_cmp(x->lead, y->lead);
}

static void put_data(const char *data, size_t len, struct buf *out)
{
	buf_append(out, data, len);
	if (len && data[len - 1] != '\n')
		buf_append(out, "\n", 1);
}

static int format_blocks(const struct gather_item *items, size_t *order, size_t n, struct buf *out)
{
	struct block *bl = calloc(n ? n : 1, sizeof(*bl));
	const char **names = calloc(n ? n : 1, sizeof(*names));
	size_t nb = 0;
	int r = -ENOMEM;

	if (!bl || !names)
		goto out;
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && item_cmp_data(&order[i], &order[j], (void *)items) == 0) {
			names[j - i] = items[order[j]].node;
			j++;
		}
		bl[nb].first = i;
		bl[nb].count = j - i;
		bl[nb].lead = items[order[i]].node;
		for (size_t k = i; k < j; k++)
			if (gather_natural_cmp(items[order[k]].node, bl[nb].lead) < 0)
				bl[nb].lead = items[order[k]].node;
		if ((r = nodeset_fold_names(names, j - i, &bl[nb].nodes)) < 0)
			goto out;
		nb++;
		i = j;
	}
	qsort(bl, nb, sizeof(*bl), block_cmp);
	for (size_t b = 0; b < nb; b++) {
		const struct gather_item *it = &items[order[bl[b].first]];

		buf_printf(out, HEADER_RULE "\n%s", bl[b].nodes);
		if (bl[b].count > 1)
			buf_printf(out, " (%zu)", bl[b].count);
		buf_append_str(out, "\n" HEADER_RULE "\n");
		put_data(it->data, it->len, out);
	}
	r = 0;
out:
	for (size_t b = 0; bl && b < nb; b++)
		free(bl[b].nodes);
	free(bl);
	free(names);
	return r;
}

static int node_cmp(const void *a, const void *b, void *arg)
{
	const struct gather_item *items = arg;

	return gather_natural_cmp(items[*(const size_t *)a].node, items[*(const size_t *)b].node);
}

static void format_lines(const struct gather_item *items, size_t *order, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct gather_item *it = &items[order[i]];
		const char *p = it->data, *end = it->data + it->len;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

			buf_printf(out, "%s: ", it->node);
			buf_append(out, p, len);
			buf_append(out, "\n", 1);
			p += len + (nl != NULL);
		}
	}
}

int gather_format(const struct gather_item *items, size_t n, bool lines, struct buf *out)
{
	size_t *order = malloc((n ? n : 1) * sizeof(*order)), m = 0;
	int r = 0;

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (items[i].data && items[i].len)
			order[m++] = i;   /* nodes without output print nothing */
	if (lines) {
		qsort_r(order, m, sizeof(*order), node_cmp, (void *)items);
		format_lines(items, order, m, out);
	} else {
		qsort_r(order, m, sizeof(*order), item_cmp_data, (void *)items);
		r = format_blocks(items, order, m, out);
	}
	free(order);
	if (r == 0 && out->truncated)
		r = -E2BIG;
	return r;
}

