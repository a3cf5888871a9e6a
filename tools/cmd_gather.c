/* sysman gather: read files and print them gathered, like `clush -b`. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gather.h"
#include "special/status.h"
#include "util/buf.h"

#define GATHER_READ_MAX (16u * 1024u * 1024u)
#define GATHER_THREADS 64

struct gather_job {
	char **paths;
	struct gather_item *items;
};

static void gather_usage(FILE *f)
{
	fprintf(f,
		"Usage: sysman gather [-L] FILE...\n"
		"Read the files (in parallel: each read may run its agent) and print them\n"
		"gathered as clush -b does: identical contents once, under the folded node\n"
		"set of their devices (the name of each file's directory), largest group\n"
		"first.  A file whose FILE.status is not 0 is reported on stderr.\n\n"
		"  -L, --lines    print \"node: line\" for every line instead\n"
		"  -h, --help     show this help\n\n"
		"Exit status: the worst rc of the files' .status (0 if all are 0 or have\n"
		"none), at least 1 if a file could not be read, 2 on a usage error.\n");
}

/* Reads "<path>.status" into it->rc and it->msg; nothing if it has none. */
static void read_status(const char *path, struct gather_item *it)
{
	char msg[STATUS_MSG_MAX + 1], *sp = NULL;
	struct buf b;
	int rc;

	buf_init(&b, 4096);
	if (asprintf(&sp, "%s%s", path, STATUS_SUFFIX) > 0 &&
	    buf_read_file(&b, sp) != -ENOENT && b.len &&
	    status_parse(buf_str(&b), &rc, msg, sizeof(msg)) == 0) {
		it->rc = rc;
		it->msg = msg[0] ? strdup(msg) : NULL;
	}
	free(sp);
	buf_release(&b);
}

static void read_one(size_t i, void *arg)
{
	struct gather_job *job = arg;
	struct gather_item *it = &job->items[i];
	struct buf b;
	int r;

	buf_init(&b, GATHER_READ_MAX);
	r = buf_read_file(&b, job->paths[i]);
	if (r < 0 && r != -E2BIG) {
		it->rc = 1;
		it->msg = strdup(strerror(-r));
	} else {
		it->len = b.len;
		it->data = buf_steal(&b);
		read_status(job->paths[i], it);
	}
	buf_release(&b);
}

/* The device a file belongs to: its directory's name ("" -> the path). */
static char *device_of(const char *path)
{
	size_t len = strlen(path), end, st;

	while (len > 1 && path[len - 1] == '/')
		len--;
	while (len && path[len - 1] != '/')
		len--;                  /* drop the file name */
	while (len > 1 && path[len - 1] == '/')
		len--;
	end = len;
	st = end;
	while (st && path[st - 1] != '/')
		st--;
	if (end == st || (end - st == 1 && path[st] == '.'))
		return strdup(path);
	return strndup(path + st, end - st);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Labels: device names, or the paths when two files share a device. */
static int label_items(struct gather_item *items, char **paths, size_t n)
{
	const char **sorted = malloc(n * sizeof(*sorted));
	bool clash = false;

	if (!sorted)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!(items[i].node = device_of(paths[i]))) {
			free(sorted);
			return -ENOMEM;
		}
		sorted[i] = items[i].node;
	}
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	for (size_t i = 1; i < n && !clash; i++)
		clash = strcmp(sorted[i - 1], sorted[i]) == 0;
	free(sorted);
	for (size_t i = 0; clash && i < n; i++) {
		free(items[i].node);
		if (!(items[i].node = strdup(paths[i])))
			return -ENOMEM;
	}
	return 0;
}

int cmd_gather(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "lines", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gather_job job;
	bool lines = false;
	size_t n;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "Lh", lo, NULL)) != -1) {
		switch (c) {
		case 'L': lines = true; break;
		case 'h': gather_usage(stdout); return CLI_OK;
		default: gather_usage(stderr); return CLI_USAGE;
		}
	}
	if (optind == argc) {
		cli_err("gather: a FILE is needed");
		gather_usage(stderr);
		return CLI_USAGE;
	}
	n = (size_t)(argc - optind);
	job.paths = argv + optind;
	job.items = calloc(n, sizeof(*job.items));
	if (!job.items || label_items(job.items, job.paths, n) < 0 ||
	    gather_parallel(n, GATHER_THREADS, read_one, &job) < 0) {
		cli_err("gather: %s", strerror(ENOMEM));
		gather_items_free(job.items, n);
		return CLI_FAIL;
	}
	if (gather_print(job.items, n, lines, stdout) < 0)
		cli_err("gather: %s", strerror(ENOMEM));
	rc = gather_report(job.items, n, "gather");
	gather_items_free(job.items, n);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err("write error: %s", strerror(errno));
		return CLI_FAIL;
	}
	return rc;
}
