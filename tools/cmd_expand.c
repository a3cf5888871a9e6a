/* sysman expand: ClusterShell-style node set expansion, one name a line. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "util/nodeset.h"

struct expand_opts {
	bool count;             /* -c: print only the number of names */
	const char *sep;        /* -s: between names (default newline) */
};

struct sink {
	const struct expand_opts *o;
	unsigned long n;        /* names printed so far, over all patterns */
};

static void expand_usage(FILE *f)
{
	fprintf(f,
		"Usage: sysman expand [-c] [-s SEP] PATTERN...\n"
		"Expand node sets such as 'n[1-4,7]', 'r[1-2]n[01-16]' or 'a,b[3-5/2]'.\n\n"
		"  -c, --count        print the number of names instead\n"
		"  -s, --separator S  print S between names instead of a newline\n"
		"  -h, --help         show this help\n\n"
		"Exit status: 0, 1 on a write error, 2 for a malformed pattern.\n");
}

static int count_name(const char *name, void *arg)
{
	(void)name;
	(void)arg;
	return 0;
}

static int put_name(const char *name, void *arg)
{
	struct sink *s = arg;

	if (!s->o->count) {
		if (s->n && s->o->sep)
			fputs(s->o->sep, stdout);
		fputs(name, stdout);
		if (!s->o->sep)
			putchar('\n');
		if (ferror(stdout))
			return -EIO;
	}
	s->n++;
	return 0;
}

/* Explains a malformed pattern: the message, the pattern, a caret. */
static void explain(const char *pattern, int r, size_t pos)
{
	if (r == -E2BIG) {
		cli_err("expand: '%s' gives more than %d names", pattern, NODESET_MAX_DEFAULT);
		return;
	}
	if (r != -EINVAL) {
		cli_err("expand: '%s': %s", pattern, strerror(-r));
		return;
	}
	if (pos > strlen(pattern))
		pos = strlen(pattern);
	cli_err("expand: malformed pattern at offset %zu:", pos);
	fprintf(stderr, "  %s\n  %*s^\n", pattern, (int)pos, "");
}

int cmd_expand(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "count", no_argument, NULL, 'c' },
		{ "separator", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct expand_opts o = { false, NULL };
	struct sink s = { &o, 0 };
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+cs:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o.count = true; break;
		case 's': o.sep = optarg; break;
		case 'h': expand_usage(stdout); return CLI_OK;
		default: expand_usage(stderr); return CLI_USAGE;
		}
	}
	if (optind == argc) {
		cli_err("expand: a PATTERN is needed");
		expand_usage(stderr);
		return CLI_USAGE;
	}
	/* check every pattern before printing anything */
	for (int i = optind; i < argc; i++) {
		size_t pos = 0;
		int r = nodeset_expand(argv[i], count_name, NULL, &pos);

		if (r < 0) {
			explain(argv[i], r, pos);
			return CLI_USAGE;
		}
	}
	for (int i = optind; i < argc; i++)
		if (nodeset_expand(argv[i], put_name, &s, NULL) < 0)
			break;
	if (o.count)
		printf("%lu\n", s.n);
	else if (o.sep && s.n)
		putchar('\n');
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err("write error: %s", strerror(errno));
		return CLI_FAIL;
	}
	return CLI_OK;
}
