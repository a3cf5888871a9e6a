/*
 * dline.h - the syntax of a discovery line (DESIGN §8), as written to
 * discover_master or printed by a discovery agent:
 *
 *   KIND ADDRESS [NAME] [parent=PATH] [KEY=VALUE...]
 *
 * and of an agent's "set KEY=VALUE..." lines, which amend the attributes
 * of the device it accepted.  Pure: no I/O, no globals; input is
 * untrusted (fuzzed by fuzz/core).
 */
#ifndef SYSMAN_DLINE_H
#define SYSMAN_DLINE_H

#include <limits.h>
#include <stddef.h>

#define DLINE_FIELD_MAX 256

struct dline {
	char kind[64];                  /* letters, digits, _ - */
	char addr[DLINE_FIELD_MAX];     /* letters, digits, . : - _ [ ] */
	char name[DLINE_FIELD_MAX];     /* "" or letters, digits, . _ - : */
	char parent[PATH_MAX];          /* "" or a path without "..", no leading '/' */
	char attrs[1024];               /* "key=value key=value" */
};

/* Parses line into d.  0, or -EINVAL with the reason in why (whylen). */
int dline_parse(const char *line, struct dline *d, char *why, size_t whylen);

/* The words after "set" if l is a "set KEY=VALUE..." line, else NULL. */
const char *dline_set_words(const char *l);

/* Puts the word KEY=VALUE into attrs (size bytes), replacing KEY's old
 * value.  0, or -EINVAL for a bad key (not [A-Za-z_][A-Za-z0-9_]*, or
 * "parent") or when it does not fit (attrs is then unchanged). */
int dline_attrs_put(char *attrs, size_t size, const char *word);

#endif
