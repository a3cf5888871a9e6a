#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

/* Every scratch directory not yet removed: a test that fails jumps out
 * before its own tu_rmtree_free, so what is left is removed at exit. */
#define TU_MAX_DIRS 256
static char *live_dirs[TU_MAX_DIRS];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	remove(path);
	return 0;
}

static void rm_left_dirs(void)
{
	for (int i = 0; i < TU_MAX_DIRS; i++) {
		if (live_dirs[i]) {
			nftw(live_dirs[i], rm_one, 16, FTW_DEPTH | FTW_PHYS);
			free(live_dirs[i]);
			live_dirs[i] = NULL;
		}
	}
}

char *tu_mkdtemp(const char *tag)
{
	static int registered;
	const char *tmp = getenv("TMPDIR");
	char *p = NULL;

	if (!registered) {
		assert_int_equal(atexit(rm_left_dirs), 0);
		registered = 1;
	}
	assert_true(asprintf(&p, "%s/sysman-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag) > 0);
	assert_non_null(mkdtemp(p));
	for (int i = 0; i < TU_MAX_DIRS; i++) {
		if (!live_dirs[i]) {
			live_dirs[i] = strdup(p);
			break;
		}
	}
	return p;
}

void tu_rmtree_free(char *path)
{
	if (!path)
		return;
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	for (int i = 0; i < TU_MAX_DIRS; i++) {
		if (live_dirs[i] && strcmp(live_dirs[i], path) == 0) {
			free(live_dirs[i]);
			live_dirs[i] = NULL;
		}
	}
	free(path);
}

char *tu_path(const char *dir, const char *rel)
{
	char *p = NULL;

	assert_true(asprintf(&p, "%s/%s", dir, rel) > 0);
	return p;
}

void tu_mkdirs(const char *dir, const char *rel)
{
	char *p = tu_path(dir, rel);

	for (char *s = p + strlen(dir) + 1; ; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = '\0';
			assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
			if (!c)
				break;
			*s = c;
		}
	}
	free(p);
}

void tu_write(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char *p = tu_path(dir, rel), *slash = strrchr(rel, '/');
	size_t n = strlen(text);
	int fd;

	if (slash) {
		char *parent = strndup(rel, (size_t)(slash - rel));

		tu_mkdirs(dir, parent);
		free(parent);
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	free(p);
}
