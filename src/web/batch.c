/* One request for many paths: a path with node sets or globs in its
 * components, expanded as the user (groups/ and the listings are read
 * through the mount), then read or written by a few threads that each
 * act as that user. */
#include "web/web.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "special/group.h"
#include "special/status.h"
#include "util/nodeset.h"

#define BATCH_THREADS 8

struct plist {
	char **v;
	size_t n, cap, max;
};

static int plist_add(struct plist *l, const char *a, const char *b)
{
	char *s;

	if (l->n >= l->max)
		return -E2BIG;
	if (l->n + 1 >= l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if (!b[0])
		s = strdup(a);
	else if (!strcmp(a, "."))
		s = strdup(b);
	else if (asprintf(&s, "%s/%s", a, b) < 0)
		s = NULL;
	if (!s)
		return -ENOMEM;
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
	return 0;
}

void batch_free_paths(char **paths)
{
	for (char **p = paths; p && *p; p++)
		free(*p);
	free(paths);
}

static bool is_glob(const char *c)
{
	return strpbrk(c, "*?") != NULL;
}

static bool is_nodeset(const char *c)
{
	return strpbrk(c, "[,@!&^") != NULL;
}

static int resolve_group(const char *group, char **ret_text, void *arg)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/groups", (const char *)arg);
	return group_members_text(dir, group, ret_text);
}

/* The entries of dir matching pattern, into ns (ClusterShell order). */
static int glob_dir(const struct web *w, const char *dir, const char *pattern, struct nodeset *ns)
{
	bool want_status = status_is_status_name(pattern);
	struct dirent *de;
	int fd = tree_open(w, dir, O_RDONLY | O_DIRECTORY), r = 0;
	DIR *d;

	if (fd < 0)
		return fd == -ENOENT || fd == -ENOTDIR ? 0 : fd;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)) && r >= 0) {
		if (de->d_name[0] == '.' && pattern[0] != '.')
			continue;
		if (!want_status && status_is_status_name(de->d_name))
			continue;
		if (fnmatch(pattern, de->d_name, FNM_PERIOD) == 0)
			r = nodeset_add(ns, de->d_name);
	}
	closedir(d);
	return r < 0 ? r : 0;
}

static int add_names(struct plist *out, const char *prefix, const struct nodeset *ns)
{
	char **names;
	int n = nodeset_names(ns, &names), r = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n && r == 0; i++)
		r = plist_add(out, prefix, names[i]);
	free(names);
	return r;
}

int batch_expand(const struct web *w, const char *path, char ***ret_paths, char *why,
		 size_t whylen)
{
	struct plist cur = { 0 }, next = { 0 };
	size_t max = (size_t)w->conf.max_nodeset;
	char *copy = strdup(path), *save = NULL, *comp;
	int r = 0;

	*ret_paths = NULL;
	why[0] = '\0';
	if (!copy)
		return -ENOMEM;
	cur.max = next.max = max;
	r = plist_add(&cur, ".", "");     /* the root, "." */
	for (comp = strtok_r(copy, "/", &save); comp && r == 0; comp = strtok_r(NULL, "/", &save)) {
		struct nodeset *ns = NULL;

		next.n = 0;
		if (is_glob(comp)) {
			for (size_t i = 0; i < cur.n && r == 0; i++) {
				if (!(ns = nodeset_new(max))) {
					r = -ENOMEM;
					break;
				}
				r = glob_dir(w, cur.v[i], comp, ns);
				if (r == 0)
					r = add_names(&next, cur.v[i], ns);
				nodeset_free(ns);
			}
		} else if (is_nodeset(comp)) {
			struct nodeset_resolver res = { resolve_group, (void *)w->mount };
			struct nodeset_error err = { 0, "" };

			if (!(ns = nodeset_new(max)))
				r = -ENOMEM;
			else if ((r = nodeset_parse(ns, comp, &res, &err)) < 0)
				snprintf(why, whylen, "node set \"%s\": %s at offset %zu", comp,
					 err.msg[0] ? err.msg : strerror(-r), err.pos);
			for (size_t i = 0; i < cur.n && r == 0; i++)
				r = add_names(&next, cur.v[i], ns);
			nodeset_free(ns);
		} else {
			for (size_t i = 0; i < cur.n && r == 0; i++)
				r = plist_add(&next, cur.v[i], comp);
		}
		for (size_t i = 0; i < cur.n; i++)
			free(cur.v[i]);
		cur.n = 0;
		{
			struct plist t = cur;

			cur = next;
			next = t;
		}
	}
	free(copy);
	for (size_t i = 0; i < next.n; i++)
		free(next.v[i]);
	free(next.v);
	if (r < 0) {
		if (r == -E2BIG && !why[0])
			snprintf(why, whylen, "more than max_nodeset (%zu) paths", max);
		for (size_t i = 0; i < cur.n; i++)
			free(cur.v[i]);
		free(cur.v);
		return r;
	}
	if (!cur.v) {
		*ret_paths = calloc(1, sizeof(char *));
		return *ret_paths ? 0 : -ENOMEM;
	}
	cur.v[cur.n] = NULL;
	*ret_paths = cur.v;
	return (int)cur.n;
}

/* --- reads --- */

struct batch_read_job {
	const struct web *w;
	const struct web_user *u;
	char **paths;
	int n;
	atomic_int next;
	json_t **out;
};

static json_t *error_object(const char *path, int err, json_t *o)
{
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "error", json_string(strerror(-err)));
	json_object_set_new(o, "errno", json_integer(-err));
	return o;
}

static void *read_worker(void *arg)
{
	struct batch_read_job *j = arg;
	int i, c = cred_become(j->u);

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n) {
		json_t *o = json_object();
		int r = c < 0 ? c : tree_read_file(j->w, j->paths[i], o);

		if (r < 0)
			error_object(j->paths[i], r, o);
		else
			json_object_set_new(o, "path", json_string(j->paths[i]));
		j->out[i] = o;
	}
	if (c == 0)
		cred_restore();
	return NULL;
}

static void run_workers(int n, void *(*fn)(void *), void *arg)
{
	pthread_t t[BATCH_THREADS];
	int k = n < BATCH_THREADS ? n : BATCH_THREADS, started = 0;

	for (int i = 0; i < k; i++)
		if (pthread_create(&t[i], NULL, fn, arg) == 0)
			started++;
	if (started == 0 && n > 0)
		fn(arg);                 /* no thread: do it here */
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
}

json_t *batch_read(const struct web *w, const struct web_user *u, char **paths, int n)
{
	struct batch_read_job j = { w, u, paths, n, 0, calloc((size_t)n + 1, sizeof(json_t *)) };
	json_t *arr = json_array();

	if (!j.out)
		return arr;
	run_workers(n, read_worker, &j);
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, j.out[i]);
	free(j.out);
	return arr;
}

/* --- writes, streamed --- */

struct line {
	struct line *next;
	char *text;
};

struct batch_write {
	const struct web *w;
	struct web_user u;
	char **paths;
	int n;
	char *data;
	size_t len;
	atomic_int next;
	atomic_bool cancel;
	pthread_t threads[BATCH_THREADS];
	int nthreads, running, ok, failed;
	bool summary_sent;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct line *head, **tail;
};

static void push_line(struct batch_write *bw, json_t *o, bool ok)
{
	struct line *l = calloc(1, sizeof(*l));
	char *s = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	pthread_mutex_lock(&bw->lock);
	if (ok)
		bw->ok++;
	else
		bw->failed++;
	if (l && s && asprintf(&l->text, "%s\n", s) >= 0) {
		*bw->tail = l;
		bw->tail = &l->next;
		l = NULL;
	}
	pthread_cond_broadcast(&bw->cond);
	pthread_mutex_unlock(&bw->lock);
	free(s);
	free(l);
}

static void *write_worker(void *arg)
{
	struct batch_write *bw = arg;
	int i, c = cred_become(&bw->u);

	while (!bw->cancel && (i = atomic_fetch_add(&bw->next, 1)) < bw->n) {
		json_t *o = json_object();
		int r = c < 0 ? c : tree_write_file(bw->w, bw->paths[i], bw->data, bw->len, o);

		if (r < 0)
			error_object(bw->paths[i], r, o);
		else
			json_object_set_new(o, "path", json_string(bw->paths[i]));
		push_line(bw, o, r == 0);
	}
	if (c == 0)
		cred_restore();
	pthread_mutex_lock(&bw->lock);
	bw->running--;
	pthread_cond_broadcast(&bw->cond);
	pthread_mutex_unlock(&bw->lock);
	return NULL;
}

struct batch_write *batch_write_start(const struct web *w, const struct web_user *u,
				      char **paths, int n, const char *data, size_t len)
{
	struct batch_write *bw = calloc(1, sizeof(*bw));
	int k = n < BATCH_THREADS ? n : BATCH_THREADS;

	if (!bw || !(bw->data = malloc(len + 1))) {
		free(bw);
		return NULL;
	}
	memcpy(bw->data, data, len);
	bw->w = w;
	bw->u = *u;
	bw->paths = paths;
	bw->n = n;
	bw->len = len;
	bw->tail = &bw->head;
	pthread_mutex_init(&bw->lock, NULL);
	pthread_cond_init(&bw->cond, NULL);
	pthread_mutex_lock(&bw->lock);
	for (int i = 0; i < k; i++)
		if (pthread_create(&bw->threads[bw->nthreads], NULL, write_worker, bw) == 0) {
			bw->nthreads++;
			bw->running++;
		}
	pthread_mutex_unlock(&bw->lock);
	if (bw->nthreads == 0 && n > 0) {
		bw->running = 1;
		write_worker(bw);
	}
	return bw;
}

char *batch_write_next(struct batch_write *bw)
{
	char *text = NULL;

	pthread_mutex_lock(&bw->lock);
	while (!bw->head && bw->running > 0)
		pthread_cond_wait(&bw->cond, &bw->lock);
	if (bw->head) {
		struct line *l = bw->head;

		bw->head = l->next;
		if (!bw->head)
			bw->tail = &bw->head;
		text = l->text;
		free(l);
	} else if (!bw->summary_sent) {
		bw->summary_sent = true;
		if (asprintf(&text, "{\"done\":true,\"ok\":%d,\"failed\":%d}\n", bw->ok, bw->failed) < 0)
			text = NULL;
	}
	pthread_mutex_unlock(&bw->lock);
	return text;
}

void batch_write_free(struct batch_write *bw)
{
	if (!bw)
		return;
	bw->cancel = true;
	for (int i = 0; i < bw->nthreads; i++)
		pthread_join(bw->threads[i], NULL);
	while (bw->head) {
		struct line *l = bw->head;

		bw->head = l->next;
		free(l->text);
		free(l);
	}
	pthread_mutex_destroy(&bw->lock);
	pthread_cond_destroy(&bw->cond);
	batch_free_paths(bw->paths);
	free(bw->data);
	free(bw);
}
