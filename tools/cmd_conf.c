/* sysman conf: validate a sysman.conf(5) file and print it in full. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "util/buf.h"

#define DEFAULT_CONF "/etc/sysman/sysman.conf"

static void conf_usage(FILE *f)
{
	fprintf(f,
		"Usage: sysman conf [-c FILE]\n"
		"Check a configuration file and print every key with its value\n"
		"(defaults included), in sysman.conf(5) syntax.\n\n"
		"  -c, --config FILE  the file (default " DEFAULT_CONF ")\n"
		"  -q, --quiet        check only, print nothing when valid\n"
		"  -h, --help         show this help\n\n"
		"Exit status: 0 when valid, 2 when not (the error names FILE:LINE).\n");
}

static int load(const char *file, bool explicit_file, struct conf *c)
{
	char err[1024];
	int r;

	if (!explicit_file && access(file, F_OK) < 0) {
		cli_err("conf: no %s: showing the defaults", file);
		r = conf_defaults(c);
		if (r < 0)
			cli_err("conf: %s", strerror(-r));
		return r;
	}
	err[0] = '\0';
	r = conf_load(c, file, err, sizeof(err));
	if (r < 0)
		cli_err("%s", err[0] ? err : strerror(-r));
	return r;
}

int cmd_conf(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	struct buf out = BUF_INIT;
	struct conf c;
	bool quiet = false;
	int ch, r;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:qh", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': file = optarg; break;
		case 'q': quiet = true; break;
		case 'h': conf_usage(stdout); return CLI_OK;
		default: conf_usage(stderr); return CLI_USAGE;
		}
	}
	if (optind < argc && !file)
		file = argv[optind++];
	if (optind < argc) {
		cli_err("conf: unexpected argument '%s'", argv[optind]);
		return CLI_USAGE;
	}
	if (load(file ? file : DEFAULT_CONF, file != NULL, &c) < 0)
		return CLI_USAGE;
	buf_init(&out, 0);
	r = conf_dump(&c, &out);
	conf_release(&c);
	if (r < 0) {
		cli_err("conf: %s", strerror(-r));
		buf_release(&out);
		return CLI_FAIL;
	}
	if (!quiet)
		fputs(buf_str(&out), stdout);
	buf_release(&out);
	if (fflush(stdout) != 0) {
		cli_err("write error: %s", strerror(errno));
		return CLI_FAIL;
	}
	return CLI_OK;
}
