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


/* ---- attributes inherited from groups ---- */

#define ATTRS_READ_MAX (64u * 1024u)

static int resolve_in(const char *group, char **ret_text, void *arg)
{
	return group_members_text(arg, group, ret_text);
}

static bool group_holds(const char *groups_dir, const char *group, const char *name)
{
	struct nodeset_resolver res = { resolve_in, (void *)groups_dir };
	struct nodeset *ns = NULL;
	char *text = NULL;
	bool in = false;

	if (group_members_text(groups_dir, group, &text) == 0 && (ns = nodeset_new(0)) &&
	    nodeset_parse(ns, text, &res, NULL) == 0)
		in = nodeset_contains(ns, name) > 0;
	nodeset_free(ns);
	free(text);
	return in;
}

/* True if out's words already set the key of word (klen bytes). */
static bool has_key(const struct buf *out, const char *word, size_t klen)
{
	const char *p = buf_str(out);

	while (*p) {
		size_t n = strcspn(p, " ");

		if (n > klen && p[klen] == '=' && memcmp(p, word, klen) == 0)
			return true;
		p += n;
		p += strspn(p, " ");
	}
	return false;
}

/* Appends the words of one attrs file whose keys out does not hold yet. */
static void append_attrs(const char *path, struct buf *out)
{
	struct buf b;
	char *p;

	buf_init(&b, ATTRS_READ_MAX);
	if (buf_read_file(&b, path) < 0 || !b.data) {
		buf_release(&b);
		return;
	}
	for (p = b.data; *p;) {
		size_t n;
		const char *eq;

		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		n = strcspn(p, " \t\r\n");
		eq = n ? memchr(p, '=', n) : NULL;
		if (eq && eq > p && !has_key(out, p, (size_t)(eq - p))) {
			if (out->len)
				buf_append_str(out, " ");
			buf_append(out, p, n);
		}
		p += n;
		p += strspn(p, " \t\r\n");
	}
	buf_release(&b);
}

int group_attrs_of(const char *groups_dir, const char *name, struct buf *out)
{
	struct dirent **ents = NULL;
	int n;

	n = scandir(groups_dir, &ents, NULL, name_cmp);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		const char *g = ents[i]->d_name;
		char *attrs = NULL;
		struct stat st;

		if (g[0] != '.' && asprintf(&attrs, "%s/%s/attrs", groups_dir, g) > 0 &&
		    stat(attrs, &st) == 0 && S_ISREG(st.st_mode) && group_holds(groups_dir, g, name))
			append_attrs(attrs, out);
		free(attrs);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return 0;
}
