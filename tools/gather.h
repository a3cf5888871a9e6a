/*
 * gather.h - gathered output, as `clush -b` and `dshbak -c` print it:
 * identical contents once, under the folded node set of their nodes,
 * largest block first; or one "node: line" per output line (-L).
 *
 * Also the parallel loop the commands use to read and write many files
 * of the tree at once (each open may wait for an agent).
 */
#ifndef SYSMAN_TOOLS_GATHER_H
#define SYSMAN_TOOLS_GATHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct gather_item {
	char *node;             /* owned; the name the output is filed under */
	char *data;             /* owned; NULL for nothing to print */
	size_t len;
	int rc;                 /* from the file's .status, or the error */
	char *msg;              /* owned; the status message or NULL */
};

/* Reports every item with a non-zero rc on stderr, items with the same rc
 * and message folded into one line ("sysman: run: n[2,5]: exit code 3:
 * MSG").  Returns the worst rc (capped at 255), 0 if none. */
int gather_report(const struct gather_item *items, size_t n, const char *cmd);

/* Prints items gathered (lines == false) or line by line.  Returns 0 or
 * -ENOMEM. */
int gather_print(struct gather_item *items, size_t n, bool lines, FILE *out);

void gather_items_free(struct gather_item *items, size_t n);

/* Calls fn(i, arg) for i in [0, n) on up to nthreads threads and returns
 * when all calls returned.  Returns 0 or -errno (no thread could start). */
int gather_parallel(size_t n, size_t nthreads, void (*fn)(size_t i, void *arg), void *arg);

#endif
