/* sysman tree: the tree below PATH, from readdir and lstat only, so no
 * agent runs (reading files would run their read agents). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "special/status.h"
#include "util/buf.h"
#include "util/strutil.h"

#define TREE_DEPTH_MAX 64

struct tree_opts {
	int max_depth;          /* -L; levels below PATH */
	bool all;               /* -a: enter proc/ and sys/ */
	bool hide_status;       /* -S: leave out *.status */
	const char *const *art; /* tee, corner, bar, blank */
};

struct tree_count {
	unsigned dirs, files, errors;
};

static const char *const art_utf8[] = { "\u251c\u2500\u2500 ", "\u2514\u2500\u2500 ",
					"\u2502   ", "    " };
static const char *const art_ascii[] = { "|-- ", "`-- ", "|   ", "    " };

static void tree_usage(FILE *f)
{
	fprintf(f,
		"Usage: sysman tree [-L DEPTH] [-a] [-S] [--ascii] [PATH]\n"
		"Print the tree below PATH without reading any file (no agent runs).\n\n"
		"  -L, --level DEPTH  descend at most DEPTH levels (default: all)\n"
		"  -a, --all          also enter the dynamic proc/ and sys/ directories\n"
		"  -S, --no-status    leave out the .status files\n"
		"      --ascii        draw with ASCII characters\n"
		"  -h, --help         show this help\n\n"
		"PATH defaults to $SYSMAN_ROOT or /sysman.\n");
}

/* Drops the names -S hides; returns the new count. */
static int filter_names(char **names, int n, const struct tree_opts *o)
{
	int k = 0;

	for (int i = 0; i < n; i++) {
		if (o->hide_status && status_is_status_name(names[i])) {
			free(names[i]);
			continue;
		}
		names[k++] = names[i];
	}
	return k;
}

static int list_filtered(const char *path, const struct tree_opts *o, char ***ret_names)
{
	int n = cli_list_dir(path, ret_names);

	return n < 0 ? n : filter_names(*ret_names, n, o);
}

static void walk(const char *dir, char **names, int n, struct buf *prefix, int depth,
		 const struct tree_opts *o, struct tree_count *t);

static void print_symlink_target(const char *path)
{
	char target[PATH_MAX];
	ssize_t l = readlink(path, target, sizeof(target) - 1);

	if (l >= 0) {
		target[l] = '\0';
		printf(" -> %s", target);
	}
}

/* Prints one entry and, for a directory within reach, what is below. */
static void entry(const char *dir, const char *name, bool last, struct buf *prefix, int depth,
		  const struct tree_opts *o, struct tree_count *t)
{
	char *path = cli_join(dir, name), **kids = NULL;
	size_t mark = prefix->len;
	struct stat st;
	int nk = 0;
	bool descend;

	printf("%s%s%s", buf_str(prefix), o->art[last ? 1 : 0], name);
	if (!path || lstat(path, &st) < 0) {
		printf("  [%s]\n", strerror(path ? errno : ENOMEM));
		t->errors++;
		free(path);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (S_ISLNK(st.st_mode))
			print_symlink_target(path);
		putchar('\n');
		t->files++;
		free(path);
		return;
	}
	t->dirs++;
	descend = depth < o->max_depth && (o->all || !cli_is_dynamic_dir(name));
	if (descend && (nk = list_filtered(path, o, &kids)) < 0) {
		printf("  [error opening dir: %s]", strerror(-nk));
		t->errors++;
		descend = false;
	}
	putchar('\n');
	if (descend) {
		buf_append_str(prefix, o->art[last ? 3 : 2]);
		walk(path, kids, nk, prefix, depth + 1, o, t);
		prefix->len = mark;
		prefix->data[mark] = '\0';
		cli_names_free(kids, nk);
	}
	free(path);
}

static void walk(const char *dir, char **names, int n, struct buf *prefix, int depth,
		 const struct tree_opts *o, struct tree_count *t)
{
	for (int i = 0; i < n; i++)
		entry(dir, names[i], i == n - 1, prefix, depth, o, t);
}

static int tree_root(const char *root, const struct tree_opts *o)
{
	struct tree_count t = { 0, 0, 0 };
	struct buf prefix;
	char **names = NULL;
	struct stat st;
	int n;

	if (stat(root, &st) < 0) {
		cli_err("%s: %s", root, strerror(errno));
		return CLI_FAIL;
	}
	if (!S_ISDIR(st.st_mode)) {
		cli_err("%s: %s", root, strerror(ENOTDIR));
		return CLI_FAIL;
	}
	n = list_filtered(root, o, &names);
	if (n < 0) {
		cli_err("%s: %s", root, strerror(-n));
		return CLI_FAIL;
	}
	buf_init(&prefix, (size_t)TREE_DEPTH_MAX * 16);
	buf_append_str(&prefix, "");
	printf("%s\n", root);
	walk(root, names, n, &prefix, 1, o, &t);
	printf("\n%u director%s, %u file%s\n", t.dirs, t.dirs == 1 ? "y" : "ies",
	       t.files, t.files == 1 ? "" : "s");
	buf_release(&prefix);
	cli_names_free(names, n);
	return t.errors ? CLI_FAIL : CLI_OK;
}

static const char *const *default_art(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && strcmp(cs, "UTF-8") == 0 ? art_utf8 : art_ascii;
}

int cmd_tree(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "level", required_argument, NULL, 'L' },
		{ "all", no_argument, NULL, 'a' },
		{ "no-status", no_argument, NULL, 'S' },
		{ "ascii", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tree_opts o = { TREE_DEPTH_MAX, false, false, default_art() };
	int c, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "L:aSh", lo, NULL)) != -1) {
		switch (c) {
		case 'L':
			if (parse_int(optarg, 1, TREE_DEPTH_MAX, &o.max_depth) < 0) {
				cli_err("tree: -L wants a depth from 1 to %d, not '%s'",
					TREE_DEPTH_MAX, optarg);
				return CLI_USAGE;
			}
			break;
		case 'a': o.all = true; break;
		case 'S': o.hide_status = true; break;
		case 'A': o.art = art_ascii; break;
		case 'h': tree_usage(stdout); return CLI_OK;
		default: tree_usage(stderr); return CLI_USAGE;
		}
	}
	if (argc - optind > 1) {
		cli_err("tree: one PATH at most");
		tree_usage(stderr);
		return CLI_USAGE;
	}
	r = tree_root(optind < argc ? argv[optind] : cli_default_root(), &o);
	if (fflush(stdout) != 0) {
		cli_err("write error: %s", strerror(errno));
		return CLI_FAIL;
	}
	return r;
}
