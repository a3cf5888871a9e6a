/* sysman status: each file with its ".status" line (DESIGN §3). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "special/status.h"
#include "util/buf.h"

#define WALK_DEPTH_MAX 64
#define STATUS_READ_MAX 4096

struct status_opts {
	bool errors_only;       /* -e: only non-zero statuses */
	bool all;               /* -a: enter proc/ and sys/ too */
};

struct tally {
	unsigned shown, nonzero, errors;
};

static void status_usage(FILE *f)
{
	fprintf(f,
		"Usage: sysman status [-r] [-e] [-a] [PATH...]\n"
		"Print \"PATH: RC MESSAGE\" for each file from its PATH.status.\n"
		"A directory stands for every file below it that has a status.\n\n"
		"  -r, --recursive    walk directories (implied for directory arguments)\n"
		"  -e, --errors       print only non-zero statuses\n"
		"  -a, --all          also enter the dynamic proc/ and sys/ directories\n"
		"  -q, --queue        print the agent queues of the mount at PATH: for local,\n"
		"                     ssh and ipmi runs, how many run, wait and may run at once\n"
		"  -h, --help         show this help\n\n"
		"PATH defaults to $SYSMAN_ROOT or /sysman.  Exit status: 0 if every\n"
		"status is 0, 1 if any is non-zero or cannot be read, 2 on a usage error.\n");
}

/* Reads "<file>.status" (statpath) into rc and msg.  Returns 0, -ENOENT
 * when there is none, -EBADMSG when it is malformed, or -errno.  An empty
 * status file (in the backing store while a first run is pending) counts
 * as none. */
static int read_status(const char *statpath, int *ret_rc, char *msg, size_t msglen)
{
	struct buf b;
	int r;

	buf_init(&b, STATUS_READ_MAX);
	r = buf_read_file(&b, statpath);
	if (r == -E2BIG)
		r = 0;  /* the first line is what counts */
	if (r == 0 && b.len == 0)
		r = -ENOENT;
	else if (r == 0 && status_parse(buf_str(&b), ret_rc, msg, msglen) < 0)
		r = -EBADMSG;
	buf_release(&b);
	return r;
}

/* Prints the status of display (whose status file is statpath). */
static void show(const char *display, const char *statpath, const struct status_opts *o,
		 struct tally *t, bool must_exist)
{
	char msg[STATUS_MSG_MAX + 1];
	int rc = 0, r;

	r = read_status(statpath, &rc, msg, sizeof(msg));
	if (r == -ENOENT && !must_exist)
		return;
	if (r == -ENOENT) {
		cli_err("%s: no status (no agent has run for it)", display);
		return;
	}
	if (r < 0) {
		cli_err("%s: %s: %s", display, statpath,
			r == -EBADMSG ? "malformed status" : strerror(-r));
		t->errors++;
		return;
	}
	t->shown++;
	if (rc != 0)
		t->nonzero++;
	if (o->errors_only && rc == 0)
		return;
	if (msg[0])
		printf("%s: %d %s\n", display, rc, msg);
	else
		printf("%s: %d\n", display, rc);
}

static void walk(const char *dir, int depth, const struct status_opts *o, struct tally *t);

static void walk_entry(const char *dir, const char *name, int depth,
		       const struct status_opts *o, struct tally *t)
{
	char *path = cli_join(dir, name), *file = NULL;
	struct stat st;

	if (!path) {
		t->errors++;
		return;
	}
	if (status_is_status_name(name)) {
		file = strndup(path, strlen(path) - strlen(STATUS_SUFFIX));
		if (file)
			show(file, path, o, t, false);
		else
			t->errors++;
	} else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
		   (o->all || !cli_is_dynamic_dir(name))) {
		walk(path, depth + 1, o, t);
	}
	free(file);
	free(path);
}

static void walk(const char *dir, int depth, const struct status_opts *o, struct tally *t)
{
	char **names = NULL;
	int n;

	if (depth > WALK_DEPTH_MAX)
		return;
	n = cli_list_dir(dir, &names);
	if (n < 0) {
		cli_err("%s: %s", dir, strerror(-n));
		t->errors++;
		return;
	}
	for (int i = 0; i < n; i++)
		walk_entry(dir, names[i], depth, o, t);
	cli_names_free(names, n);
}

/* One PATH argument: a directory is walked; a file (or its .status)
 * shown. */
static void status_arg(const char *arg, const struct status_opts *o, struct tally *t)
{
	char *file = NULL, *statpath = NULL;
	struct stat st;

	if (stat(arg, &st) < 0) {
		cli_err("%s: %s", arg, strerror(errno));
		t->errors++;
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		walk(arg, 0, o, t);
		return;
	}
	if (status_is_status_name(arg))
		file = strndup(arg, strlen(arg) - strlen(STATUS_SUFFIX));
	else
		file = strdup(arg);
	if (file && asprintf(&statpath, "%s%s", file, STATUS_SUFFIX) > 0)
		show(file, statpath, o, t, true);
	else
		t->errors++;
	free(statpath);
	free(file);
}

/* -q: the daemon's agent queues, from the root's user.sysman.agents. */
static int show_queue(const char *root)
{
	char v[1024];
	ssize_t n = getxattr(root, "user.sysman.agents", v, sizeof(v) - 1);

	if (n < 0) {
		cli_err("%s: cannot read the agent queues (is it a sysman mount point?): %s", root,
			strerror(errno));
		return CLI_FAIL;
	}
	v[n] = '\0';
	fputs(v, stdout);
	return CLI_OK;
}

int cmd_status(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "recursive", no_argument, NULL, 'r' },
		{ "errors", no_argument, NULL, 'e' },
		{ "all", no_argument, NULL, 'a' },
		{ "queue", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct status_opts o = { false, false };
	struct tally t = { 0, 0, 0 };
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "reaqh", lo, NULL)) != -1) {
		switch (c) {
		case 'q': return show_queue(optind < argc ? argv[optind] : cli_default_root());
		case 'r': break;  /* directories are always walked */
		case 'e': o.errors_only = true; break;
		case 'a': o.all = true; break;
		case 'h': status_usage(stdout); return CLI_OK;
		default: status_usage(stderr); return CLI_USAGE;
		}
	}
	if (optind == argc)
		status_arg(cli_default_root(), &o, &t);
	for (int i = optind; i < argc; i++)
		status_arg(argv[i], &o, &t);
	if (fflush(stdout) != 0) {
		cli_err("write error: %s", strerror(errno));
		return CLI_FAIL;
	}
	return t.nonzero || t.errors ? CLI_FAIL : CLI_OK;
}
