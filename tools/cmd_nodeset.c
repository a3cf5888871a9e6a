/* sysman nodeset: fold, expand and count node sets, as ClusterShell's
 * nodeset(1) -f, -e and -c print them. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/nodeset.h"

#define STDIN_MAX (64u * 1024u * 1024u)

enum ns_cmd { NS_NONE, NS_FOLD, NS_EXPAND, NS_COUNT };

static void nodeset_usage(FILE *f)
{
	fprintf(f,
		"Usage: sysman nodeset -f|-e|-c [-S SEP] [--root DIR] [SET...]\n"
		"Fold, expand or count node sets in ClusterShell's syntax: ranges n[1-4,7],\n"
		"padding n[01-16], steps n[1-9/2], several groups r[1-2]n[1-3], and the\n"
		"operators ',' (union), '!' (difference), '&' (intersection), '^' (xor),\n"
		"applied left to right.  @name is the group DIR/groups/name.  Several SETs\n"
		"are joined; without any, sets are read from standard input.\n\n"
		"  -f, --fold          print the folded set (n[1-3,7])\n"
		"  -e, --expand        print the names, separated by SEP\n"
		"  -c, --count         print the number of names\n"
		"  -S, --separator SEP separator for -e (default: one space)\n"
		"      --root DIR      the tree for @groups (default $SYSMAN_ROOT or /sysman)\n"
		"  -h, --help          show this help\n\n"
		"Exit status: 0, 1 on a write error, 2 for a usage error or a malformed set.\n");
}

/* Whitespace-separated sets from stdin, as nodeset(1) reads them. */
static int read_stdin_sets(char ***ret_sets, int *ret_n, struct buf *b)
{
	char **v = NULL, *save = NULL, *tok;
	int n = 0, cap = 0;

	while (buf_read_fd(b, 0) > 0)
		;
	if (b->truncated)
		return -E2BIG;
	for (tok = strtok_r(b->data ? b->data : (char[]){ "" }, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == cap) {
			char **nv = realloc(v, (size_t)(cap = cap ? cap * 2 : 64) * sizeof(*nv));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = tok;
	}
	*ret_sets = v;
	*ret_n = n;
	return 0;
}

struct expand_out {
	const char *sep;
	size_t n;
};

static int put_name(const char *name, void *arg)
{
	struct expand_out *o = arg;

	if (o->n++)
		fputs(o->sep, stdout);
	fputs(name, stdout);
	return ferror(stdout) ? -EIO : 0;
}

static int print_set(const struct nodeset *ns, enum ns_cmd cmd, const char *sep)
{
	struct expand_out o = { sep, 0 };
	char *text = NULL;
	int r = 0;

	switch (cmd) {
	case NS_FOLD:
		r = nodeset_fold(ns, &text);
		if (r == 0)
			printf("%s\n", text);
		free(text);
		break;
	case NS_EXPAND:
		r = nodeset_each(ns, put_name, &o);
		putchar('\n');
		break;
	default:
		printf("%zu\n", nodeset_count(ns));
		break;
	}
	return r;
}

int cmd_nodeset(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "fold", no_argument, NULL, 'f' },
		{ "expand", no_argument, NULL, 'e' },
		{ "count", no_argument, NULL, 'c' },
		{ "separator", required_argument, NULL, 'S' },
		{ "root", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sep = " ", *root = cli_default_root();
	enum ns_cmd cmd = NS_NONE;
	struct nodeset *ns = NULL;
	char **sets = argv, **from_stdin = NULL;
	struct buf in;
	int c, nsets, rc, r;

	optind = 0;
	while ((c = getopt_long(argc, argv, "fecS:h", lo, NULL)) != -1) {
		switch (c) {
		case 'f': case 'e': case 'c':
			if (cmd != NS_NONE) {
				cli_err("nodeset: give one of -f, -e, -c");
				return CLI_USAGE;
			}
			cmd = c == 'f' ? NS_FOLD : c == 'e' ? NS_EXPAND : NS_COUNT;
			break;
		case 'S': sep = optarg; break;
		case 'R': root = optarg; break;
		case 'h': nodeset_usage(stdout); return CLI_OK;
		default: nodeset_usage(stderr); return CLI_USAGE;
		}
	}
	if (cmd == NS_NONE) {
		cli_err("nodeset: one of -f, -e, -c is needed");
		nodeset_usage(stderr);
		return CLI_USAGE;
	}
	sets += optind;
	nsets = argc - optind;
	buf_init(&in, STDIN_MAX);
	if (nsets == 0) {
		r = read_stdin_sets(&from_stdin, &nsets, &in);
		if (r < 0) {
			cli_err("nodeset: standard input: %s", strerror(-r));
			buf_release(&in);
			return CLI_FAIL;
		}
		sets = from_stdin;
	}
	rc = cli_nodeset_parse("nodeset", root, sets, nsets, &ns);
	if (rc == CLI_OK) {
		r = print_set(ns, cmd, sep);
		if (r < 0 && r != -EIO) {
			cli_err("nodeset: %s", strerror(-r));
			rc = CLI_FAIL;
		}
	}
	nodeset_free(ns);
	free(from_stdin);
	buf_release(&in);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err("write error: %s", strerror(errno));
		return CLI_FAIL;
	}
	return rc;
}
