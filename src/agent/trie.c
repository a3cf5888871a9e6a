#include "agent/trie.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/strutil.h"

struct tfile {
	char *name;
	struct agent_file *agent[AGENT_NOPS];
};

struct tnode {
	char *name;
	struct tnode **kids;
	size_t nkids;
	struct tfile *files;
	size_t nfiles;
};

struct scanned_dir {
	char *path;
	struct timespec mtime;
};

struct agent_trie {
	struct tnode **roots;      /* one per agent root, in priority order */
	size_t nroots;
	struct scanned_dir *dirs;
	size_t ndirs;
};

static const char *const op_names[AGENT_NOPS] = { "read", "write", "list" };

const char *agent_op_name(enum agent_op op)
{
	return op < AGENT_NOPS ? op_names[op] : "?";
}

static void node_free(struct tnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	for (size_t i = 0; i < n->nfiles; i++) {
		free(n->files[i].name);
		for (int op = 0; op < AGENT_NOPS; op++)
			agent_file_free(n->files[i].agent[op]);
	}
	free(n->kids);
	free(n->files);
	free(n->name);
	free(n);
}

void trie_free(struct agent_trie *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nroots; i++)
		node_free(t->roots[i]);
	for (size_t i = 0; i < t->ndirs; i++)
		free(t->dirs[i].path);
	free(t->roots);
	free(t->dirs);
	free(t);
}

static int split_op(const char *fname, char *name, size_t nlen, enum agent_op *ret_op)
{
	const char *dot = strrchr(fname, '.');

	if (!dot || dot == fname)
		return -EINVAL;
	for (int op = 0; op < AGENT_NOPS; op++)
		if (strcmp(dot + 1, op_names[op]) == 0) {
			if ((size_t)(dot - fname) >= nlen)
				return -ENAMETOOLONG;
			memcpy(name, fname, (size_t)(dot - fname));
			name[dot - fname] = '\0';
			*ret_op = (enum agent_op)op;
			return 0;
		}
	return -EINVAL;
}

static struct tfile *node_file(struct tnode *n, const char *name, bool create)
{
	struct tfile *f;

	for (size_t i = 0; i < n->nfiles; i++)
		if (strcmp(n->files[i].name, name) == 0)
			return &n->files[i];
	if (!create)
		return NULL;
	f = realloc(n->files, (n->nfiles + 1) * sizeof(*f));
	if (!f)
		return NULL;
	n->files = f;
	f = &n->files[n->nfiles];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (!f->name)
		return NULL;
	n->nfiles++;
	return f;
}

static int remember_dir(struct agent_trie *t, const char *path, const struct stat *st)
{
	struct scanned_dir *d = realloc(t->dirs, (t->ndirs + 1) * sizeof(*d));

	if (!d)
		return -ENOMEM;
	t->dirs = d;
	d[t->ndirs].path = strdup(path);
	if (!d[t->ndirs].path)
		return -ENOMEM;
	d[t->ndirs].mtime = st->st_mtim;
	t->ndirs++;
	return 0;
}

static int scan_dir(struct agent_trie *t, struct tnode *n, const char *path, int depth)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char sub[PATH_MAX], name[NAME_MAX + 1];
	enum agent_op op;
	int r = 0;

	if (depth > 32)
		return 0;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	r = remember_dir(t, path, &st);
	if (r < 0)
		return r;
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (str_printf(sub, sizeof(sub), "%s/%s", path, de->d_name) < 0)
			continue;
		if (stat(sub, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			struct tnode *k = calloc(1, sizeof(*k)), **kids;

			if (!k || !(k->name = strdup(de->d_name))) {
				free(k);
				r = -ENOMEM;
				break;
			}
			kids = realloc(n->kids, (n->nkids + 1) * sizeof(*kids));
			if (!kids) {
				node_free(k);
				r = -ENOMEM;
				break;
			}
			n->kids = kids;
			n->kids[n->nkids++] = k;
			r = scan_dir(t, k, sub, depth + 1);
			if (r < 0)
				break;
		} else if (S_ISREG(st.st_mode) &&
			   split_op(de->d_name, name, sizeof(name), &op) == 0) {
			struct tfile *f = node_file(n, name, true);

			if (!f || !(f->agent[op] = agent_file_classify(sub))) {
				r = -ENOMEM;
				break;
			}
		}
	}
	closedir(d);
	return r;
}

int trie_build(const char *roots, struct agent_trie **ret)
{
	struct agent_trie *t = calloc(1, sizeof(*t));
	char *copy = NULL, *save = NULL, *p;
	int r = -ENOMEM;

	if (!t)
		return -ENOMEM;
	copy = strdup(roots ? roots : "");
	if (!copy)
		goto out;
	for (p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		struct tnode *n = calloc(1, sizeof(*n)), **rs;

		if (!n)
			goto out;
		rs = realloc(t->roots, (t->nroots + 1) * sizeof(*rs));
		if (!rs) {
			free(n);
			goto out;
		}
		t->roots = rs;
		t->roots[t->nroots++] = n;
		r = scan_dir(t, n, p, 0);
		if (r < 0)
			goto out;
	}
	r = 0;
	*ret = t;
	t = NULL; /* transferred */
out:
	free(copy);
	trie_free(t);
	return r;
}

bool trie_stale(const struct agent_trie *t)
{
	struct stat st;

	for (size_t i = 0; i < t->ndirs; i++) {
		if (stat(t->dirs[i].path, &st) < 0)
			return true;
		if (st.st_mtim.tv_sec != t->dirs[i].mtime.tv_sec ||
		    st.st_mtim.tv_nsec != t->dirs[i].mtime.tv_nsec)
			return true;
	}
	return false;
}

static struct tnode *node_kid(const struct tnode *n, const char *name, size_t len)
{
	for (size_t i = 0; i < n->nkids; i++)
		if (strlen(n->kids[i]->name) == len && memcmp(n->kids[i]->name, name, len) == 0)
			return n->kids[i];
	return NULL;
}

/* Splits "/a/b/c" into components; returns count or -ENAMETOOLONG. */
#define MAX_DEPTH 64
static int split_path(const char *path, const char *comp[], size_t len[])
{
	int n = 0;

	while (*path) {
		while (*path == '/')
			path++;
		if (!*path)
			break;
		if (n == MAX_DEPTH)
			return -ENAMETOOLONG;
		comp[n] = path;
		len[n] = strcspn(path, "/");
		path += len[n];
		n++;
	}
	return n;
}

static const struct agent_file *file_exec(const struct tnode *n, const char *name, size_t len,
					  enum agent_op op)
{
	char buf[NAME_MAX + 1];
	const struct tfile *f;

	if (len > NAME_MAX)
		return NULL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	f = node_file((struct tnode *)n, buf, false);
	if (f && f->agent[op])
		return f->agent[op];
	f = node_file((struct tnode *)n, "_", false);
	return f ? f->agent[op] : NULL;
}

static const struct agent_file *walk(const struct tnode *n, const char *comp[], const size_t len[],
				     int i, int ncomp, enum agent_op op)
{
	const struct tnode *k;
	const struct agent_file *r;

	if (i == ncomp - 1)
		return file_exec(n, comp[i], len[i], op);
	k = node_kid(n, comp[i], len[i]);
	if (k && (r = walk(k, comp, len, i + 1, ncomp, op)))
		return r;
	k = node_kid(n, "_", 1);
	if (k && (r = walk(k, comp, len, i + 1, ncomp, op)))
		return r;
	return NULL;
}

const struct agent_file *trie_find_own(const struct agent_trie *t, const char *path, enum agent_op op)
{
	const char *comp[MAX_DEPTH];
	size_t len[MAX_DEPTH];
	int n = split_path(path, comp, len);

	if (n <= 0 || op >= AGENT_NOPS)
		return NULL;
	/* "_any" and "_discover" are not part of the mirrored tree */
	if ((len[0] == 4 && memcmp(comp[0], "_any", 4) == 0) ||
	    (len[0] == 9 && memcmp(comp[0], "_discover", 9) == 0))
		return NULL;
	for (size_t i = 0; i < t->nroots; i++) {
		const struct agent_file *r = walk(t->roots[i], comp, len, 0, n, op);

		if (r)
			return r;
	}
	return NULL;
}

const struct agent_file *trie_find(const struct agent_trie *t, const char *path, enum agent_op op)
{
	const char *comp[MAX_DEPTH];
	size_t len[MAX_DEPTH];
	const struct agent_file *r = trie_find_own(t, path, op);
	int n;

	if (r)
		return r;
	n = split_path(path, comp, len);
	if (n <= 0)
		return NULL;
	for (size_t i = 0; i < t->nroots; i++) {
		const struct tnode *any = node_kid(t->roots[i], "_any", 4);

		if (any && (r = file_exec(any, comp[n - 1], len[n - 1], op)))
			return r;
	}
	return NULL;
}

static bool node_has_agents(const struct tnode *n)
{
	if (n->nfiles)
		return true;
	for (size_t i = 0; i < n->nkids; i++)
		if (node_has_agents(n->kids[i]))
			return true;
	return false;
}

static int list_node(const struct tnode *n, int (*fn)(const struct trie_entry *, void *), void *arg)
{
	struct trie_entry e;
	int r;

	for (size_t i = 0; i < n->nfiles; i++) {
		const struct tfile *f = &n->files[i];

		if (strcmp(f->name, "_") == 0)
			continue;
		e.name = f->name;
		e.ops = 0;
		for (int op = 0; op < AGENT_NOPS; op++)
			if (f->agent[op])
				e.ops |= 1u << op;
		e.is_dir = (e.ops & (1u << AGENT_LIST)) != 0;
		if ((r = fn(&e, arg)))
			return r;
	}
	for (size_t i = 0; i < n->nkids; i++) {
		const struct tnode *k = n->kids[i];

		if (strcmp(k->name, "_") == 0 || k->name[0] == '_' || !node_has_agents(k))
			continue;
		e.name = k->name;
		e.ops = 0;
		e.is_dir = true;
		if ((r = fn(&e, arg)))
			return r;
	}
	return 0;
}

static int list_walk(const struct tnode *n, const char *comp[], const size_t len[], int i,
		     int ncomp, int (*fn)(const struct trie_entry *, void *), void *arg)
{
	const struct tnode *k;
	int r;

	if (i == ncomp)
		return list_node(n, fn, arg);
	k = node_kid(n, comp[i], len[i]);
	if (k && (r = list_walk(k, comp, len, i + 1, ncomp, fn, arg)))
		return r;
	k = node_kid(n, "_", 1);
	if (k && (r = list_walk(k, comp, len, i + 1, ncomp, fn, arg)))
		return r;
	return 0;
}

int trie_list(const struct agent_trie *t, const char *dirpath,
	      int (*fn)(const struct trie_entry *e, void *arg), void *arg)
{
	const char *comp[MAX_DEPTH];
	size_t len[MAX_DEPTH];
	int n = split_path(dirpath, comp, len), r;

	if (n < 0)
		return 0;
	for (size_t i = 0; i < t->nroots; i++)
		if ((r = list_walk(t->roots[i], comp, len, 0, n, fn, arg)))
			return r;
	return 0;
}

const char *trie_lookup_own(const struct agent_trie *t, const char *path, enum agent_op op)
{
	const struct agent_file *f = trie_find_own(t, path, op);

	return f ? f->exec : NULL;
}

const char *trie_lookup(const struct agent_trie *t, const char *path, enum agent_op op)
{
	const struct agent_file *f = trie_find(t, path, op);

	return f ? f->exec : NULL;
}
