/*
 * nodeset_impl.h - the layout of struct nodeset, shared by nodeset.c (storage,
 * parser) and nodeset_fold.c (folding, ClusterShell order).  Not for callers.
 *
 * v[0..nsorted) is sorted by strcmp and unique; v[nsorted..n) are names
 * added since, not yet merged (nodeset_settle merges them).  n <= max once
 * settled.
 */
#ifndef SYSMAN_NODESET_IMPL_H
#define SYSMAN_NODESET_IMPL_H

#include <stddef.h>

struct nodeset {
	char **v;
	size_t n, nsorted, cap;
	size_t max;
};

/* Merges the unsorted tail; the set's value is unchanged. */
void nodeset_settle(const struct nodeset *ns);

#endif
