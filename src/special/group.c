/* Groups of devices: groups/<name>/members or a directory of symlinks;
 * the attributes groups give their members, cached. */
#include "special/group.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
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
#define EFFECTIVE_MAX BUF_DEFAULT_MAX
/* Every change a lookup depends on: entries made, removed, renamed or
 * written in the groups directory or in a group (members, attrs, links),
 * and the directories themselves going away. */
#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY | IN_ATTRIB | \
		    IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)
#define PARENT_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)

struct ga_group {
	char *words;                   /* its attrs words ("k=v k=v") */
	struct nodeset *members;
};

struct group_attrs {
	char *dir;
	char *parent;                  /* dir's parent directory */
	const char *base;              /* dir's last component, in dir */
	pthread_mutex_t mu;            /* guards the fields below */
	int ifd;                       /* inotify: dir's parent, dir, each group; -1 if unavailable */
	int parent_wd;
	bool fresh;                    /* no change since groups[] was read */
	struct ga_group *groups;       /* the groups with attrs, in name order */
	size_t n;
};

static int resolve_in(const char *group, char **ret_text, void *arg)
{
	return group_members_text(arg, group, ret_text);
}

/* The node set of group, or NULL if it cannot be read or parsed. */
static struct nodeset *group_set(const char *groups_dir, const char *group)
{
	struct nodeset_resolver res = { resolve_in, (void *)groups_dir };
	struct nodeset *ns = NULL;
	char *text = NULL;

	if (group_members_text(groups_dir, group, &text) == 0 && (ns = nodeset_new(0)) &&
	    nodeset_parse(ns, text, &res, NULL) < 0) {
		nodeset_free(ns);
		ns = NULL;
	}
	free(text);
	return ns;
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

/* Appends one word, blank-separated, only if all of it fits. */
static int append_word(struct buf *out, const char *word, size_t n)
{
	if (buf_reserve(out, n + 1) < 0)
		return -E2BIG;
	if (out->len)
		buf_append_str(out, " ");
	return buf_append(out, word, n);
}

/* The words of one attrs file, each key once (the first wins); NULL if
 * it cannot be read. */
static char *attrs_words(const char *path)
{
	struct buf b, out;
	char *p, *s;

	buf_init(&b, ATTRS_READ_MAX);
	if (buf_read_file(&b, path) < 0) {
		buf_release(&b);
		return NULL;
	}
	buf_init(&out, ATTRS_READ_MAX);
	for (p = b.data; p && *p;) {
		size_t n;
		const char *eq;

		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		n = strcspn(p, " \t\r\n");
		eq = n ? memchr(p, '=', n) : NULL;
		if (eq && eq > p && !has_key(&out, p, (size_t)(eq - p)))
			append_word(&out, p, n);
		p += n;
		p += strspn(p, " \t\r\n");
	}
	buf_release(&b);
	s = out.data ? buf_steal(&out) : strdup("");
	buf_release(&out);
	return s;
}

static void cache_clear(struct group_attrs *ga)
{
	for (size_t i = 0; i < ga->n; i++) {
		free(ga->groups[i].words);
		nodeset_free(ga->groups[i].members);
	}
	free(ga->groups);
	ga->groups = NULL;
	ga->n = 0;
	ga->fresh = false;
}

/* Watches path for changes.  False if it cannot be watched; a path
 * that is gone, or no directory, is fine: the watch on its directory
 * sees it change. */
static bool watch(struct group_attrs *ga, const char *path, uint32_t mask)
{
	if (ga->ifd < 0)
		return false;
	return inotify_add_watch(ga->ifd, path, mask) >= 0 || errno == ENOENT || errno == ENOTDIR;
}

/* Reads group g's attrs and node set into gr.  False (gr empty) if it has
 * no attrs file, or it or the node set cannot be read. */
static bool group_read(const char *dir, const char *g, struct ga_group *gr)
{
	char *path = NULL;
	struct stat st;

	if (asprintf(&path, "%s/%s/attrs", dir, g) < 0)
		return false;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (gr->words = attrs_words(path)))
		gr->members = group_set(dir, g);
	free(path);
	if (gr->members)
		return true;
	free(gr->words);
	gr->words = NULL;
	return false;
}

/* Reads the groups again, after watching every directory they are read
 * from, so that a change made while they are read shows at the next
 * lookup.  The result is kept (fresh) only if everything is watched. */
static void cache_build(struct group_attrs *ga)
{
	struct dirent **ents = NULL;
	bool watched;
	char *path;
	int n;

	cache_clear(ga);
	ga->parent_wd = ga->ifd >= 0 ? inotify_add_watch(ga->ifd, ga->parent, PARENT_MASK) : -1;
	watched = ga->parent_wd >= 0 && watch(ga, ga->dir, WATCH_MASK);
	n = scandir(ga->dir, &ents, NULL, name_cmp);
	if (n < 0) {
		/* no groups while there is no directory */
		ga->fresh = watched && errno == ENOENT;
		return;
	}
	ga->groups = calloc((size_t)n + 1, sizeof(*ga->groups));
	/* every group watched before any is read: a group may name another */
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s", ga->dir, ents[i]->d_name) < 0) {
			watched = false;
			continue;
		}
		watched &= watch(ga, path, WATCH_MASK | IN_ONLYDIR);
		free(path);
	}
	for (int i = 0; i < n; i++) {
		if (ga->groups && ents[i]->d_name[0] != '.' &&
		    group_read(ga->dir, ents[i]->d_name, &ga->groups[ga->n]))
			ga->n++;
		free(ents[i]);
	}
	free(ents);
	ga->fresh = watched && ga->groups;
}

/* True if nothing changed since the groups were read: no event but, in
 * the parent, those of other entries than the groups directory. */
static bool cache_fresh(struct group_attrs *ga)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool fresh = ga->fresh;
	ssize_t len;

	if (ga->ifd < 0)
		return false;
	while ((len = read(ga->ifd, ev, sizeof(ev))) > 0)
		for (char *p = ev; p < ev + len;) {
			const struct inotify_event *e = (const struct inotify_event *)p;

			if (!(e->wd == ga->parent_wd && e->len && strcmp(e->name, ga->base) != 0))
				fresh = false;
			p += sizeof(*e) + e->len;
		}
	if (len < 0 && errno != EAGAIN)
		fresh = false;
	return fresh;
}

int group_attrs_new(const char *groups_dir, struct group_attrs **ret)
{
	struct group_attrs *ga = calloc(1, sizeof(*ga));
	const char *slash = strrchr(groups_dir, '/');

	if (!ga)
		return -ENOMEM;
	ga->dir = strdup(groups_dir);
	ga->parent = !slash ? strdup(".") : strndup(groups_dir, slash == groups_dir ? 1 : (size_t)(slash - groups_dir));
	if (!ga->dir || !ga->parent) {
		free(ga->dir);
		free(ga->parent);
		free(ga);
		return -ENOMEM;
	}
	ga->base = ga->dir + (slash ? slash - groups_dir + 1 : 0);
	/* without inotify, every lookup reads the groups */
	ga->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ga->parent_wd = -1;
	pthread_mutex_init(&ga->mu, NULL);
	*ret = ga;
	return 0;
}

void group_attrs_free(struct group_attrs *ga)
{
	if (!ga)
		return;
	cache_clear(ga);
	if (ga->ifd >= 0)
		close(ga->ifd);
	pthread_mutex_destroy(&ga->mu);
	free(ga->dir);
	free(ga->parent);
	free(ga);
}

/* Appends every word of words whose key out does not set yet. */
static void inherit(struct buf *out, const char *words)
{
	for (const char *p = words; *p;) {
		size_t n = strcspn(p, " ");

		if (!has_key(out, p, strcspn(p, "=")))
			append_word(out, p, n);
		p += n;
		p += strspn(p, " ");
	}
}

int group_attrs_effective(struct group_attrs *ga, const char *name, const char *own, char **ret_attrs)
{
	struct buf out;
	char *s;

	buf_init(&out, EFFECTIVE_MAX);
	for (const char *p = own ? own : ""; *p;) {
		size_t n;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n)
			append_word(&out, p, n);
		p += n;
	}
	pthread_mutex_lock(&ga->mu);
	if (!cache_fresh(ga))
		cache_build(ga);
	for (size_t i = 0; name && name[0] && i < ga->n; i++)
		if (nodeset_contains(ga->groups[i].members, name) > 0)
			inherit(&out, ga->groups[i].words);
	pthread_mutex_unlock(&ga->mu);
	s = out.data ? buf_steal(&out) : strdup("");
	buf_release(&out);
	if (!s)
		return -ENOMEM;
	*ret_attrs = s;
	return 0;
}
