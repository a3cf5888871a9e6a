/* Node sets on the command line: "@name" from the tree's groups/, and
 * malformed sets explained with a caret. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/nodeset.h"

#define MEMBERS_READ_MAX (1024u * 1024u)

/* groups/<name>/members: its lines joined by ','. */
static int members_text(const char *path, char **ret_text)
{
	struct buf b;
	char *s;
	int r;

	buf_init(&b, MEMBERS_READ_MAX);
	r = buf_read_file(&b, path);
	if (r < 0) {
		buf_release(&b);
		return r == -E2BIG ? -EFBIG : r;
	}
	buf_rtrim(&b);
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\n')
			b.data[i] = ',';
	s = b.data ? buf_steal(&b) : strdup("");
	buf_release(&b);
	if (!s)
		return -ENOMEM;
	*ret_text = s;
	return 0;
}

/* The member a directory entry stands for: a symlink's target's last
 * component (groups/rack1/x -> ../../systems/servers/n1 is n1), or the
 * name of a subdirectory.  NULL for anything else. */
static char *member_name(const char *dir, const char *name)
{
	char *path = cli_join(dir, name), target[4096], *base;
	struct stat st;
	ssize_t n;

	if (!path)
		return NULL;
	if (lstat(path, &st) < 0 || !(S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))) {
		free(path);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		free(path);
		return strdup(name);
	}
	n = readlink(path, target, sizeof(target) - 1);
	free(path);
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	base = strrchr(target, '/');
	return strdup(base ? base + 1 : target);
}

/* A directory of symlinks: the members' names joined by ','. */
static int links_text(const char *dir, char **ret_text)
{
	char **names = NULL;
	struct buf b;
	int n, r = 0;

	n = cli_list_dir(dir, &names);
	if (n < 0)
		return n;
	buf_init(&b, BUF_HARD_MAX);
	for (int i = 0; i < n; i++) {
		char *m = member_name(dir, names[i]);

		if (!m)
			continue;
		if ((b.len && buf_append_str(&b, ",") < 0) || buf_append_str(&b, m) < 0)
			r = -ENOMEM;
		free(m);
	}
	cli_names_free(names, n);
	if (r == 0) {
		char *s = b.data ? buf_steal(&b) : strdup("");

		if (!s)
			r = -ENOMEM;
		else
			*ret_text = s;
	}
	buf_release(&b);
	return r;
}

int cli_resolve_group(const char *group, char **ret_text, void *arg)
{
	const char *root = arg;
	char *dir = NULL, *members = NULL;
	struct stat st;
	int r;

	if (strchr(group, '/') || !strcmp(group, ".") || !strcmp(group, ".."))
		return -ENOENT;
	if (asprintf(&dir, "%s/groups/%s", root, group) < 0)
		return -ENOMEM;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		r = -ENOENT;
		goto out;
	}
	members = cli_join(dir, "members");
	if (!members) {
		r = -ENOMEM;
		goto out;
	}
	if (stat(members, &st) == 0 && S_ISREG(st.st_mode))
		r = members_text(members, ret_text);
	else
		r = links_text(dir, ret_text);
out:
	free(members);
	free(dir);
	return r;
}

int cli_nodeset_parse(const char *cmd, const char *root, char *const *sets, int nsets,
		      struct nodeset **ret)
{
	struct nodeset_resolver res = { cli_resolve_group, (void *)root };
	struct nodeset *ns = nodeset_new(0);

	if (!ns) {
		cli_err("%s: %s", cmd, strerror(ENOMEM));
		return CLI_FAIL;
	}
	for (int i = 0; i < nsets; i++) {
		struct nodeset_error err = { 0, "" };
		int r = nodeset_parse(ns, sets[i], &res, &err);

		if (r == 0)
			continue;
		if (r == -EINVAL) {
			size_t pos = err.pos > strlen(sets[i]) ? strlen(sets[i]) : err.pos;

			cli_err("%s: malformed node set at offset %zu: %s", cmd, pos, err.msg);
			fprintf(stderr, "  %s\n  %*s^\n", sets[i], (int)pos, "");
		} else if (r == -E2BIG) {
			cli_err("%s: '%s' gives more than %d names", cmd, sets[i], NODESET_MAX_DEFAULT);
		} else {
			cli_err("%s: '%s': %s", cmd, sets[i], err.msg[0] ? err.msg : strerror(-r));
		}
		nodeset_free(ns);
		return r == -ENOMEM ? CLI_FAIL : CLI_USAGE;
	}
	*ret = ns;
	return CLI_OK;
}
