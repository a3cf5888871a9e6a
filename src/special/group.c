/* Groups of devices: groups/<name>/members or a directory of symlinks. */
#include "special/group.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"

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
	char *path = NULL, target[4096], *base;
	struct stat st;
	ssize_t n;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
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
static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int links_text(const char *dir, char **ret_text)
{
	struct dirent **ents = NULL;
	struct buf b;
	int n, r = 0;

	n = scandir(dir, &ents, NULL, name_cmp);
	if (n < 0)
		return -errno;
	buf_init(&b, BUF_HARD_MAX);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char *m = !strcmp(name, ".") || !strcmp(name, "..") ? NULL : member_name(dir, name);

		if (!m)
			continue;
		if ((b.len && buf_append_str(&b, ",") < 0) || buf_append_str(&b, m) < 0)
			r = -ENOMEM;
		free(m);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
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

int group_members_text(const char *groups_dir, const char *group, char **ret_text)
{
	char *dir = NULL, *members = NULL;
	struct stat st;
	int r;

	if (strchr(group, '/') || !strcmp(group, ".") || !strcmp(group, ".."))
		return -ENOENT;
	if (asprintf(&dir, "%s/%s", groups_dir, group) < 0)
		return -ENOMEM;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		r = -ENOENT;
		goto out;
	}
	if (asprintf(&members, "%s/members", dir) < 0) {
		members = NULL;
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

