/*
 * gather.h - gathered output, as `clush -b` and `dshbak -c` print it, for
 * sysman(1) (run, gather) and for the daemon's nodes/<set>/<file> reads.
 *
 * Identical contents are printed once, under a header holding the folded
 * node set of their nodes and, for more than one, their number:
 *
 *   ---------------
 *   n[1-3,7] (4)
 *   ---------------
 *   content
 *
 * Blocks come largest first, then by their first node (digit runs compared
 * as numbers).  A content without a final newline gets one.  Nodes with no
 * content print nothing.  The line mode prints "node: line" for every line,
 * in node order.  Pure logic: no I/O, no locks, no globals.
 */
#ifndef SYSMAN_GATHER_H
#define SYSMAN_GATHER_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

struct gather_item {
	char *node;             /* the name the content is filed under */
	char *data;             /* NULL or len == 0: nothing to print */
	size_t len;
	int rc;                 /* for callers: the item's exit code */
	char *msg;              /* for callers: its status message or NULL */
};

/* Appends the items, gathered (lines == false) or line by line, to out.
 * Returns 0, -E2BIG when out reached its maximum, or -ENOMEM. */
int gather_format(const struct gather_item *items, size_t n, bool lines, struct buf *out);

/* Compares names with their digit runs as numbers: n9 < n10. */
int gather_natural_cmp(const char *a, const char *b);

#endif
