/*
 * testutil.h - helpers for the cmocka unit tests: a scratch directory that
 * is removed afterwards, and small file writers.  Failures abort the test
 * (they are set-up errors, not findings).
 */
#ifndef SYSMAN_TESTUTIL_H
#define SYSMAN_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Creates a fresh directory under $TMPDIR (or /tmp); returns its path
 * (caller frees with tu_rmtree_free).  Directories a failed test left
 * behind are removed when the test program exits. */
char *tu_mkdtemp(const char *tag);
/* Removes the tree at path and frees path.  Accepts NULL. */
void tu_rmtree_free(char *path);

/* Writes text to dir/rel, creating parent directories, with mode. */
void tu_write(const char *dir, const char *rel, const char *text, mode_t mode);
/* Creates directory dir/rel and its parents. */
void tu_mkdirs(const char *dir, const char *rel);
/* Returns a new string "dir/rel". */
char *tu_path(const char *dir, const char *rel);

#endif
