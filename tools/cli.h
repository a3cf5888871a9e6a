/*
 * cli.h - the sub-commands of sysman(1) and the helpers they share.
 *
 * Each command takes its own argv (argv[0] is the command's name) and
 * returns the process exit status: CLI_OK, CLI_FAIL (something failed or a
 * status was non-zero) or CLI_USAGE (bad arguments or malformed input).
 */
#ifndef SYSMAN_TOOLS_CLI_H
#define SYSMAN_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_OK    0
#define CLI_FAIL  1
#define CLI_USAGE 2

int cmd_status(int argc, char **argv);
int cmd_tree(int argc, char **argv);
int cmd_expand(int argc, char **argv);
int cmd_conf(int argc, char **argv);
int cmd_nodeset(int argc, char **argv);
int cmd_gather(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* The tree to use when no PATH is given: $SYSMAN_ROOT, else /sysman. */
const char *cli_default_root(void);

/* Prints "sysman: " and the message to stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The entries of directory path except "." and "..", sorted bytewise.
 * Returns the count (names in *ret_names, free with cli_names_free) or
 * -errno.  Only readdir: nothing in the directory is opened. */
int cli_list_dir(const char *path, char ***ret_names);
void cli_names_free(char **names, int n);

/* True for the directories sysmand lists through agents on every access
 * (proc and sys, DESIGN §7): walks do not enter them unless asked to. */
bool cli_is_dynamic_dir(const char *name);

/* Joins dir and name with one '/' into a new string (NULL on ENOMEM). */
char *cli_join(const char *dir, const char *name);

struct nodeset;

/* Resolves "@name" (arg: the tree's root) as group_members_text() does
 * under <root>/groups (src/special/group.h).  -ENOENT: no such group. */
int cli_resolve_group(const char *group, char **ret_text, void *arg);

/* The union of the node sets sets[0..nsets), "@name" resolved under
 * root.  A malformed set is explained on stderr (message, the set, a caret
 * under the offset) naming cmd.  Returns CLI_OK (*ret set), CLI_USAGE
 * (malformed, too large, unknown group) or CLI_FAIL. */
int cli_nodeset_parse(const char *cmd, const char *root, char *const *sets, int nsets,
		      struct nodeset **ret);

#endif
