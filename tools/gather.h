/*
 * gather.h - sysman(1)'s side of gathered output (the format itself is
 * src/special/gather.h): printing, reporting exit codes, and the parallel loop the commands use to read and write many files
 * of the tree at once (each open may wait for an agent).
 */
#ifndef SYSMAN_TOOLS_GATHER_H
#define SYSMAN_TOOLS_GATHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "special/gather.h"

/* gather_format() of items, written to out.  Returns 0 or -errno. */
int gather_print(const struct gather_item *items, size_t n, bool lines, FILE *out);

/* Reports every item with a non-zero rc on stderr, items with the same rc
 * and message folded into one line ("sysman: run: n[2,5]: exit code 3:
 * MSG").  Returns the worst rc (capped at 255), 0 if none. */
int gather_report(const struct gather_item *items, size_t n, const char *cmd);

void gather_items_free(struct gather_item *items, size_t n);

/* Calls fn(i, arg) for i in [0, n) on up to nthreads threads and returns
 * when all calls returned.  Returns 0 or -errno (no thread could start). */
int gather_parallel(size_t n, size_t nthreads, void (*fn)(size_t i, void *arg), void *arg);

#endif
