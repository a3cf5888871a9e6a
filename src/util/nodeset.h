/*
 * nodeset.h - node sets in ClusterShell's syntax: parse, set algebra, fold.
 *
 *   n[1-4,7]  n[01-16]  n[1-10/2]  r[1-2]n[01-16]  @rack7
 *   a,b  (union)  a!b  (difference)  a&b  (intersection)  a^b  (xor)
 *
 * Operators have one precedence and apply left to right, as in ClusterShell:
 * "n[1-10]!n[3-5]&n[1-8]" is (n[1-10] ! n[3-5]) & n[1-8].  Blanks around an
 * operand are ignored.  Zero padding is kept as written: n[08-11] gives n08 n09
 * n10 n11 and n8 and n08 are different names; the bounds of a padded range
 * must have the same length ("n[01-1]" is malformed).
 *
 * Invariants:
 *   - a struct nodeset holds unique names, never more than its max (set at
 *     creation, NODESET_MAX_DEFAULT unless given); every result that would
 *     pass it is refused with -E2BIG, intermediate results included;
 *   - names are at most NODESET_NAME_MAX bytes, never empty;
 *   - the order in which names are visited (nodeset_each) and the folded
 *     text (nodeset_fold) are those of ClusterShell's `nodeset -e` and
 *     `nodeset -f`: patterns sorted, numbers sorted by (length, value);
 *     for names with several numbers, the rectangles are found by merging
 *     the names one by one, as `nodeset -f` does when given them one by one.
 *
 * Errors: functions return >= 0 or -errno.  Parsing fails with -EINVAL and
 * fills struct nodeset_error with the 0-based offset and a message.
 * Nothing here logs: the caller reports once.
 */
#ifndef SYSMAN_NODESET_H
#define SYSMAN_NODESET_H

#include <stddef.h>

#define NODESET_MAX_DEFAULT 100000
#define NODESET_NAME_MAX 1024
#define NODESET_GROUP_DEPTH 8       /* @a whose members name @b ... */

struct nodeset;

struct nodeset_error {
	size_t pos;             /* 0-based offset in the text given */
	char msg[200];          /* lowercase, no trailing newline */
};

/* Resolves "@name": sets *ret_text to a node set (malloc'd; the caller
 * frees it), e.g. the members file of groups/<name> or the group's member
 * names joined by ','.  The text may name other groups (at most
 * NODESET_GROUP_DEPTH deep).  Returns 0, -ENOENT for no such group, or
 * -errno.  Called on the parser's thread. */
typedef int (*nodeset_resolve_fn)(const char *group, char **ret_text, void *arg);

struct nodeset_resolver {
	nodeset_resolve_fn fn;
	void *arg;
};

/* Returns an empty set holding at most max names (0: NODESET_MAX_DEFAULT),
 * or NULL on ENOMEM. */
struct nodeset *nodeset_new(size_t max);
/* Accepts NULL. */
void nodeset_free(struct nodeset *ns);

/* Parses text and merges the result into ns (union).  res may be NULL
 * (then "@x" is an error).  Returns 0; -EINVAL for malformed text or an
 * unknown group (err filled if not NULL); -E2BIG past max (err filled);
 * -ENAMETOOLONG; -ENOMEM; or the resolver's error.  On failure ns is
 * unchanged. */
int nodeset_parse(struct nodeset *ns, const char *text, const struct nodeset_resolver *res,
		  struct nodeset_error *err);

/* Adds one literal name (no syntax: "n[1]" is the name "n[1]").  Returns 1
 * if added, 0 if already there, -EINVAL for an empty name, -ENAMETOOLONG,
 * -E2BIG past max, -ENOMEM. */
int nodeset_add(struct nodeset *ns, const char *name);

/* In-place set algebra: ns = ns OP other.  Return 0, -E2BIG, -ENOMEM (ns
 * unchanged on failure). */
int nodeset_update(struct nodeset *ns, const struct nodeset *other);       /* , */
int nodeset_difference(struct nodeset *ns, const struct nodeset *other);   /* ! */
int nodeset_intersection(struct nodeset *ns, const struct nodeset *other); /* & */
int nodeset_xor(struct nodeset *ns, const struct nodeset *other);          /* ^ */

size_t nodeset_count(const struct nodeset *ns);
/* True if name is a member. */
int nodeset_contains(const struct nodeset *ns, const char *name);

/* Calls fn for every name, in ClusterShell's order.  Returns 0, -ENOMEM,
 * or fn's first non-zero return (which stops the walk). */
int nodeset_each(const struct nodeset *ns, int (*fn)(const char *name, void *arg), void *arg);

/* The names in ClusterShell's order as one malloc'd array of n pointers
 * into one block, NULL-terminated: free(names) frees all.  Returns n or -ENOMEM. */
int nodeset_names(const struct nodeset *ns, char ***ret_names);

/* The folded text ("n[1-3,7],r[1-2]n[01-02]"; "" for the empty set),
 * malloc'd.  Returns 0 or -ENOMEM. */
int nodeset_fold(const struct nodeset *ns, char **ret_text);

/* Folds n names (duplicates allowed) into *ret_text, as `nodeset -f` does.
 * Returns 0, -EINVAL for an empty name, -ENAMETOOLONG, -E2BIG, -ENOMEM. */
int nodeset_fold_names(const char *const *names, size_t n, char **ret_text);

/* Compatibility: parses pattern (no groups, default max) and calls fn for
 * each name in ClusterShell's order.  Returns the number of names, -EINVAL
 * (with *ret_pos the offset of the error if ret_pos is not NULL), -E2BIG,
 * -ENAMETOOLONG, -ENOMEM, or fn's non-zero return. */
int nodeset_expand(const char *pattern, int (*fn)(const char *name, void *arg),
		   void *arg, size_t *ret_pos);

#endif
