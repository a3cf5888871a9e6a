/*
 * helpers.h - shared by the NFS unit tests: golden files and plans.
 *
 * Golden files live in $NFS_GOLDEN (tests/golden/nfs).  With
 * NFS_GOLDEN_UPDATE=1 a mismatching golden file is rewritten instead of
 * failing, to regenerate them after an intended change (review the diff).
 */
#ifndef SYSMAN_TEST_NFS_HELPERS_H
#define SYSMAN_TEST_NFS_HELPERS_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nfs/model.h"
#include "nfs/plan.h"
#include "util/buf.h"

static inline const char *golden_dir(void)
{
	const char *d = getenv("NFS_GOLDEN");

	return d ? d : "tests/golden/nfs";
}

static inline void golden_path(char *dst, size_t n, const char *rel)
{
	snprintf(dst, n, "%s/%s", golden_dir(), rel);
}

/* Reads a golden file into b; fails the test when missing. */
static inline void golden_read(const char *rel, struct buf *b)
{
	char path[1024];
	int r;

	golden_path(path, sizeof(path), rel);
	r = buf_read_file(b, path);
	if (r < 0)
		fail_msg("cannot read golden file %s: %s", path, strerror(-r));
}

/* Compares got with the golden file byte for byte. */
static inline void golden_check(const char *rel, const char *got, size_t len)
{
	struct buf want = BUF_INIT;
	char path[1024];
	const char *upd = getenv("NFS_GOLDEN_UPDATE");
	FILE *f;

	golden_path(path, sizeof(path), rel);
	if (buf_read_file(&want, path) == 0 && want.len == len &&
	    memcmp(want.data, got, len) == 0) {
		buf_release(&want);
		return;
	}
	if (upd && strcmp(upd, "1") == 0) {
		f = fopen(path, "w");
		assert_non_null(f);
		fwrite(got, 1, len, f);
		fclose(f);
		buf_release(&want);
		return;
	}
	fprintf(stderr, "golden mismatch %s\n--- want\n%s--- got\n%.*s---\n",
		path, buf_str(&want), (int)len, got);
	buf_release(&want);
	fail_msg("golden file %s differs", rel);
}

static inline struct nfs_plan *plan_of(const char *text)
{
	struct nfs_error err = { 0 };
	struct nfs_plan *p = NULL;
	int r = nfs_plan_parse(text, strlen(text), &p, &err);

	if (r < 0)
		fail_msg("plan does not parse: line %u col %u: %s", err.line,
			 err.col, err.msg);
	return p;
}

#endif
