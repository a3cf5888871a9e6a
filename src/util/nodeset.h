/*
 * nodeset.h - ClusterShell-style node set expansion: "n[1-4,7]",
 * "r[1-2]n[01-16]", "a,b[3-5/2]".
 *
 * Zero padding follows the range's first bound ("[01-10]" gives 01..10).
 * Several bracket groups multiply out, left group slowest.  Top-level commas
 * separate patterns.  At most NODESET_MAX names are produced.
 */
#ifndef SYSMAN_NODESET_H
#define SYSMAN_NODESET_H

#include <stddef.h>

#define NODESET_MAX 1000000

/* Calls fn for each name in order.  Returns the number of names, -EINVAL
 * for a malformed pattern (with *ret_pos the 0-based offset of the error if
 * ret_pos is not NULL), -E2BIG past NODESET_MAX, -ENAMETOOLONG for a name
 * over 64 KiB, or fn's non-zero return. */
int nodeset_expand(const char *pattern, int (*fn)(const char *name, void *arg),
		   void *arg, size_t *ret_pos);

#endif
