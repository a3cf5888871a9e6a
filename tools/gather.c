/* Gathered output (clush -b) and the parallel loop of gather and run. */
#include "gather.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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

/* Names compared with their digit runs as numbers: n9 < n10. */
static int natural_cmp(const char *a, const char *b)
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
	return natural_cmp(x->lead, y->lead);
}

static void put_data(const char *data, size_t len, FILE *out)
{
	fwrite(data, 1, len, out);
	if (len && data[len - 1] != '\n')
		fputc('\n', out);
}

static int print_blocks(struct gather_item *items, size_t *order, size_t n, FILE *out)
{
	struct block *bl = calloc(n ? n : 1, sizeof(*bl));
	const char **names = calloc(n ? n : 1, sizeof(*names));
	size_t nb = 0;
	int r = -ENOMEM;

	if (!bl || !names)
		goto out;
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && item_cmp_data(&order[i], &order[j], items) == 0) {
			names[j - i] = items[order[j]].node;
			j++;
		}
		bl[nb].first = i;
		bl[nb].count = j - i;
		bl[nb].lead = items[order[i]].node;
		for (size_t k = i; k < j; k++)
			if (natural_cmp(items[order[k]].node, bl[nb].lead) < 0)
				bl[nb].lead = items[order[k]].node;
		if ((r = nodeset_fold_names(names, j - i, &bl[nb].nodes)) < 0)
			goto out;
		nb++;
		i = j;
	}
	qsort(bl, nb, sizeof(*bl), block_cmp);
	for (size_t b = 0; b < nb; b++) {
		const struct gather_item *it = &items[order[bl[b].first]];

		fprintf(out, HEADER_RULE "\n%s", bl[b].nodes);
		if (bl[b].count > 1)
			fprintf(out, " (%zu)", bl[b].count);
		fputs("\n" HEADER_RULE "\n", out);
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

	return natural_cmp(items[*(const size_t *)a].node, items[*(const size_t *)b].node);
}

static void print_lines(struct gather_item *items, size_t *order, size_t n, FILE *out)
{
	for (size_t i = 0; i < n; i++) {
		const struct gather_item *it = &items[order[i]];
		const char *p = it->data, *end = it->data + it->len;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

			fprintf(out, "%s: %.*s\n", it->node, (int)len, p);
			p += len + (nl != NULL);
		}
	}
}

int gather_print(struct gather_item *items, size_t n, bool lines, FILE *out)
{
	size_t *order = malloc((n ? n : 1) * sizeof(*order)), m = 0;
	int r = 0;

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (items[i].data && items[i].len)
			order[m++] = i;   /* nodes without output print nothing */
	if (lines) {
		qsort_r(order, m, sizeof(*order), node_cmp, items);
		print_lines(items, order, m, out);
	} else {
		qsort_r(order, m, sizeof(*order), item_cmp_data, items);
		r = print_blocks(items, order, m, out);
	}
	free(order);
	return r;
}

static int status_cmp(const void *a, const void *b, void *arg)
{
	const struct gather_item *items = arg;
	const struct gather_item *x = &items[*(const size_t *)a], *y = &items[*(const size_t *)b];

	if (x->rc != y->rc)
		return x->rc < y->rc ? -1 : 1;
	return strcmp(x->msg ? x->msg : "", y->msg ? y->msg : "");
}

int gather_report(const struct gather_item *items, size_t n, const char *cmd)
{
	size_t *order = malloc((n ? n : 1) * sizeof(*order)), m = 0;
	const char **names = malloc((n ? n : 1) * sizeof(*names));
	int worst = 0;

	if (!order || !names) {
		free(order);
		free(names);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		if (items[i].rc)
			order[m++] = i;
	qsort_r(order, m, sizeof(*order), status_cmp, (void *)items);
	for (size_t i = 0; i < m;) {
		const struct gather_item *it = &items[order[i]];
		size_t j = i;
		char *folded = NULL;

		while (j < m && status_cmp(&order[i], &order[j], (void *)items) == 0) {
			names[j - i] = items[order[j]].node;
			j++;
		}
		if (nodeset_fold_names(names, j - i, &folded) < 0)
			folded = NULL;
		fflush(stdout);
		fprintf(stderr, "sysman: %s: %s: exit code %d%s%s\n", cmd,
			folded ? folded : it->node, it->rc, it->msg && *it->msg ? ": " : "",
			it->msg ? it->msg : "");
		free(folded);
		if (it->rc > worst)
			worst = it->rc > 255 ? 255 : it->rc;
		if (it->rc < 0 && worst == 0)
			worst = 1;
		i = j;
	}
	free(order);
	free(names);
	return worst;
}

void gather_items_free(struct gather_item *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++) {
		free(items[i].node);
		free(items[i].data);
		free(items[i].msg);
	}
	free(items);
}

struct par {
	atomic_size_t next;
	size_t n;
	void (*fn)(size_t, void *);
	void *arg;
};

static void *par_worker(void *p)
{
	struct par *par = p;
	size_t i;

	while ((i = atomic_fetch_add(&par->next, 1)) < par->n)
		par->fn(i, par->arg);
	return NULL;
}

int gather_parallel(size_t n, size_t nthreads, void (*fn)(size_t i, void *arg), void *arg)
{
	struct par par = { 0, n, fn, arg };
	pthread_t *t;
	size_t started = 0;

	if (nthreads > n)
		nthreads = n;
	if (nthreads == 0)
		return 0;
	t = calloc(nthreads, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (; started < nthreads; started++)
		if (pthread_create(&t[started], NULL, par_worker, &par) != 0)
			break;
	if (!started) {
		free(t);
		return -EAGAIN;
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
	return 0;
}
