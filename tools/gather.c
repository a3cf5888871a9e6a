/* Gathered output (clush -b) and the parallel loop of gather and run. */
#include "gather.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/nodeset.h"

int gather_print(const struct gather_item *items, size_t n, bool lines, FILE *out)
{
	struct buf b;
	int r;

	buf_init(&b, BUF_HARD_MAX);
	r = gather_format(items, n, lines, &b);
	if (b.len)
		fwrite(b.data, 1, b.len, out);
	buf_release(&b);
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
