/* Groups of devices: groups/<name>/members or a directory of symlinks;
 * the attributes groups give their members, cached. */
#include "special/group.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
/* A file changed this close to the moment the cache read it (or later)
 * may change again within the same tick of the file system's clock and
 * keep its stamp: the cache built from it is used once, then built again.
 * Wide enough for file systems with coarse times. */
#define RACY_NS (2LL * 1000000000LL)

/* What a lookup compares to decide that nothing the cache read changed. */
struct stamp {
	bool present;
	dev_t dev;
	ino_t ino;
	mode_t mode;
	off_t size;
	struct timespec mtime, ctime;
};

enum { ST_DIR, ST_MEMBERS, ST_ATTRS, ST_N };

struct ga_group {
	char *path[ST_N];              /* groups/<g>, groups/<g>/members, groups/<g>/attrs */
	struct stamp st[ST_N];
	char *words;                   /* its attrs words ("k=v k=v"); NULL: none */
	struct nodeset *members;       /* NULL unless words (and readable) */
};

struct group_attrs {
	char *dir;
	pthread_mutex_t mu;            /* guards the fields below */
	bool fresh;                    /* the stamps describe groups[] */
	struct stamp dir_st;
	struct ga_group *groups;       /* every entry of dir, in name order */
	size_t n;
};

static void stamp_take(const char *path, struct stamp *st)
{
	struct stat s;

	memset(st, 0, sizeof(*st));
	if (stat(path, &s) < 0)
		return;
	st->present = true;
	st->dev = s.st_dev;
	st->ino = s.st_ino;
	st->mode = s.st_mode;
	st->size = s.st_size;
	st->mtime = s.st_mtim;
	st->ctime = s.st_ctim;
}

static bool stamp_eq(const struct stamp *a, const struct stamp *b)
{
	return a->present == b->present && a->dev == b->dev && a->ino == b->ino && a->mode == b->mode &&
	       a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
	       a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static bool stamp_racy(const struct stamp *st, const struct timespec *read_at)
{
	long long c = (long long)st->ctime.tv_sec * 1000000000LL + st->ctime.tv_nsec;
	long long t = (long long)read_at->tv_sec * 1000000000LL + read_at->tv_nsec;

	return st->present && c >= t - RACY_NS;
}

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
		for (int k = 0; k < ST_N; k++)
			free(ga->groups[i].path[k]);
		free(ga->groups[i].words);
		nodeset_free(ga->groups[i].members);
	}
	free(ga->groups);
	ga->groups = NULL;
	ga->n = 0;
	ga->fresh = false;
}

/* Reads one group (its stamps first, so that a change made while it is
 * read shows at the next lookup).  False if it was changed just now. */
static bool group_read(struct group_attrs *ga, struct ga_group *g, const char *name,
		       const struct timespec *read_at)
{
	static const char *const fmt[ST_N] = { "%s/%s", "%s/%s/members", "%s/%s/attrs" };
	bool racy = false;

	for (int k = 0; k < ST_N; k++) {
		if (asprintf(&g->path[k], fmt[k], ga->dir, name) < 0) {
			g->path[k] = NULL;
			return false;
		}
		stamp_take(g->path[k], &g->st[k]);
		racy |= stamp_racy(&g->st[k], read_at);
	}
	if (S_ISDIR(g->st[ST_DIR].mode) && g->st[ST_ATTRS].present && S_ISREG(g->st[ST_ATTRS].mode)) {
		g->words = attrs_words(g->path[ST_ATTRS]);
		g->members = g->words ? group_set(ga->dir, name) : NULL;
	}
	return !racy;
}

/* Reads every group again.  The cache is fresh afterwards unless a group
 * could not be read or was changed just now. */
static void cache_build(struct group_attrs *ga)
{
	struct dirent **ents = NULL;
	struct timespec read_at;
	bool fresh = true;
	int n;

	cache_clear(ga);
	clock_gettime(CLOCK_REALTIME, &read_at);
	stamp_take(ga->dir, &ga->dir_st);
	fresh = !stamp_racy(&ga->dir_st, &read_at);
	n = scandir(ga->dir, &ents, NULL, name_cmp);
	if (n < 0) {
		/* no groups: fresh while the directory stays absent */
		ga->fresh = fresh && (errno == ENOENT || errno == ENOTDIR) && !ga->dir_st.present;
		return;
	}
	ga->groups = calloc((size_t)n + 1, sizeof(*ga->groups));
	for (int i = 0; i < n; i++) {
		const char *g = ents[i]->d_name;

		if (ga->groups && g[0] != '.' && !group_read(ga, &ga->groups[ga->n++], g, &read_at))
			fresh = false;
		free(ents[i]);
	}
	free(ents);
	ga->fresh = fresh && ga->groups;
}

/* True if nothing the cache read has changed since. */
static bool cache_fresh(const struct group_attrs *ga)
{
	struct stamp st;

	if (!ga->fresh)
		return false;
	stamp_take(ga->dir, &st);
	if (!stamp_eq(&st, &ga->dir_st))
		return false;
	for (size_t i = 0; i < ga->n; i++)
		for (int k = 0; k < ST_N; k++) {
			stamp_take(ga->groups[i].path[k], &st);
			if (!stamp_eq(&st, &ga->groups[i].st[k]))
				return false;
		}
	return true;
}

int group_attrs_new(const char *groups_dir, struct group_attrs **ret)
{
	struct group_attrs *ga = calloc(1, sizeof(*ga));

	if (!ga || !(ga->dir = strdup(groups_dir))) {
		free(ga);
		return -ENOMEM;
	}
	pthread_mutex_init(&ga->mu, NULL);
	*ret = ga;
	return 0;
}

void group_attrs_free(struct group_attrs *ga)
{
	if (!ga)
		return;
	cache_clear(ga);
	pthread_mutex_destroy(&ga->mu);
	free(ga->dir);
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
	for (size_t i = 0; name && name[0] && i < ga->n; i++) {
		const struct ga_group *g = &ga->groups[i];

		if (g->members && nodeset_contains(g->members, name) > 0)
			inherit(&out, g->words);
	}
	pthread_mutex_unlock(&ga->mu);
	s = out.data ? buf_steal(&out) : strdup("");
	buf_release(&out);
	if (!s)
		return -ENOMEM;
	*ret_attrs = s;
	return 0;
}
