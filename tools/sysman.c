/* sysman(1): the command-line companion of sysmand(8). */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifdef SYSMAN_HAVE_NFS
#include "nfs/nfs_cli.h"
#endif

#ifndef SYSMAN_VERSION
#define SYSMAN_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

#ifdef SYSMAN_HAVE_NFS
static int cmd_nfs(int argc, char **argv)
{
	return nfs_cli_main(argc, argv);
}
#else
static int cmd_nfs(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_err("nfs: this sysman was built without NFS support");
	return CLI_USAGE;
}
#endif

static const struct command commands[] = {
	{ "status", cmd_status, "print files with their .status (exit 1 if any is non-zero)" },
	{ "tree", cmd_tree, "print the tree without running any agent" },
	{ "expand", cmd_expand, "expand node sets: n[1-4,7] -> n1 n2 n3 n4 n7" },
	{ "nodeset", cmd_nodeset, "fold, expand, count node sets (ClusterShell's nodeset -f/-e/-c)" },
	{ "gather", cmd_gather, "print files gathered: identical contents under one node set" },
	{ "run", cmd_run, "run a command on a node set through the tree, gathered output" },
	{ "conf", cmd_conf, "check a sysman.conf file and print it" },
	{ "nfs", cmd_nfs, "NFS configuration management (check, generate, parse)" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sysman [--help | --version] COMMAND [ARGS...]\n"
		"Companion of the Sysman cluster-management file system.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\n'sysman COMMAND --help' describes a command.  The tree is found at\n"
		"$SYSMAN_ROOT, else /sysman.  See sysman(1), sysmand(8).\n");
}

int main(int argc, char **argv)
{
	const char *cmd;

	setlocale(LC_CTYPE, "");
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return CLI_OK;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("sysman %s\n", SYSMAN_VERSION);
		return CLI_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cli_err("unknown command '%s'", cmd);
	usage(stderr);
	return CLI_USAGE;
}
