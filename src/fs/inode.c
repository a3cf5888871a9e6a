/* The inode table: backing objects known to the kernel or to running agents. */
#include "fs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/hmap.h"
#include "util/log.h"
#include "util/strutil.h"

int inode_table_init(struct sysman *sm)
{
	struct stat st;

	pthread_mutex_init(&sm->ino_mu, NULL);
	sm->ino_map = hmap_new();
	if (!sm->ino_map)
		return -ENOMEM;
	memset(&sm->root, 0, sizeof(sm->root));
	sm->root.next = sm->root.prev = &sm->root;
	sm->root.fd = open(sm->state_dir, O_PATH | O_CLOEXEC);
	if (sm->root.fd < 0)
		return -errno;
	if (fstat(sm->root.fd, &st) < 0)
		return -errno;
	sm->root.dev = st.st_dev;
	sm->root.ino = st.st_ino;
	sm->root.nlookup = 2;
	pthread_mutex_init(&sm->root.mu, NULL);
	return 0;
}

static void inode_free(struct sm_inode *in)
{
	struct waiter *w, *n;

	for (w = in->waiters; w; w = n) {
		n = w->next;
		if (w->req)     /* a member's waiter (fs/nodes.c) has none of its own */
			fuse_reply_err(w->req, EIO);
		free(w->name);
		free(w);
	}
	if (in->fd >= 0)
		close(in->fd);
	free(in->vkey);
	free(in->vset);
	free(in->vfile);
	pthread_mutex_destroy(&in->mu);
	free(in);
}

void inode_table_release(struct sysman *sm)
{
	struct sm_inode *in, *n;

	pthread_mutex_lock(&sm->ino_mu);
	for (in = sm->root.next; in != &sm->root; in = n) {
		n = in->next;
		inode_free(in);
	}
	sm->root.next = sm->root.prev = &sm->root;
	hmap_free(sm->ino_map, NULL);
	sm->ino_map = NULL;
	pthread_mutex_unlock(&sm->ino_mu);
	if (sm->root.fd >= 0)
		close(sm->root.fd);
	sm->root.fd = -1;
}

struct sm_inode *inode_get(struct sysman *sm, fuse_ino_t ino)
{
	if (ino == FUSE_ROOT_ID)
		return &sm->root;
	return (struct sm_inode *)(uintptr_t)ino;
}

static void ino_key(char *key, size_t len, dev_t dev, ino_t ino)
{
	snprintf(key, len, "%lx:%lx", (unsigned long)dev, (unsigned long)ino);
}

/* Caller holds ino_mu. */
static struct sm_inode *table_find(struct sysman *sm, dev_t dev, ino_t ino)
{
	char key[48];

	if (sm->root.dev == dev && sm->root.ino == ino)
		return &sm->root;
	ino_key(key, sizeof(key), dev, ino);
	return hmap_get(sm->ino_map, key);
}

struct sm_inode *inode_lookup_ref(struct sysman *sm, dev_t dev, ino_t ino)
{
	struct sm_inode *in;

	pthread_mutex_lock(&sm->ino_mu);
	in = table_find(sm, dev, ino);
	if (in && in != &sm->root)
		in->refs++;
	pthread_mutex_unlock(&sm->ino_mu);
	return in;
}

struct sm_inode *inode_find_or_add(struct sysman *sm, int fd, const struct stat *st, bool count_lookup)
{
	struct sm_inode *in, *fresh = NULL;

	pthread_mutex_lock(&sm->ino_mu);
	in = table_find(sm, st->st_dev, st->st_ino);
	if (!in) {
		fresh = calloc(1, sizeof(*fresh));
		if (!fresh) {
			pthread_mutex_unlock(&sm->ino_mu);
			close(fd);
			return NULL;
		}
		char key[48];

		ino_key(key, sizeof(key), st->st_dev, st->st_ino);
		if (hmap_put(sm->ino_map, key, fresh, NULL) < 0) {
			pthread_mutex_unlock(&sm->ino_mu);
			free(fresh);
			close(fd);
			return NULL;
		}
		fresh->fd = fd;
		fd = -1;
		fresh->dev = st->st_dev;
		fresh->ino = st->st_ino;
		pthread_mutex_init(&fresh->mu, NULL);
		fresh->next = sm->root.next;
		fresh->prev = &sm->root;
		sm->root.next->prev = fresh;
		sm->root.next = fresh;
		in = fresh;
	}
	if (count_lookup)
		in->nlookup++;
	else if (in != &sm->root)
		in->refs++;
	pthread_mutex_unlock(&sm->ino_mu);
	if (fd >= 0)
		close(fd);
	return in;
}

/* Computed inodes share the map: their keys start with "v:", which no
 * "dev:ino" key (hexadecimal) does. */
struct sm_inode *inode_find_or_add_virtual(struct sysman *sm, enum vnode_kind kind,
					   const char *set, const char *file)
{
	struct sm_inode *in;
	char *key = NULL;

	if (asprintf(&key, "v:%d:%s/%s", (int)kind, set ? set : "", file ? file : "") < 0)
		return NULL;
	pthread_mutex_lock(&sm->ino_mu);
	in = hmap_get(sm->ino_map, key);
	if (!in) {
		in = calloc(1, sizeof(*in));
		if (!in || (set && !(in->vset = strdup(set))) || (file && !(in->vfile = strdup(file))) ||
		    hmap_put(sm->ino_map, key, in, NULL) < 0) {
			pthread_mutex_unlock(&sm->ino_mu);
			if (in) {
				free(in->vset);
				free(in->vfile);
			}
			free(in);
			free(key);
			return NULL;
		}
		in->fd = -1;
		in->vkind = kind;
		in->vkey = key;
		key = NULL;     /* transferred */
		pthread_mutex_init(&in->mu, NULL);
		in->next = sm->root.next;
		in->prev = &sm->root;
		sm->root.next->prev = in;
		sm->root.next = in;
	}
	in->nlookup++;
	pthread_mutex_unlock(&sm->ino_mu);
	free(key);
	return in;
}

void inode_ref(struct sysman *sm, struct sm_inode *in)
{
	if (in == &sm->root)
		return;
	pthread_mutex_lock(&sm->ino_mu);
	in->refs++;
	pthread_mutex_unlock(&sm->ino_mu);
}

/* Caller holds ino_mu. */
static void maybe_free(struct sysman *sm, struct sm_inode *in)
{
	char key[48];

	if (in == &sm->root || in->nlookup || in->refs)
		return;
	ino_key(key, sizeof(key), in->dev, in->ino);
	hmap_del(sm->ino_map, in->vkey ? in->vkey : key);
	in->prev->next = in->next;
	in->next->prev = in->prev;
	inode_free(in);
}

void inode_unref(struct sysman *sm, struct sm_inode *in)
{
	if (!in || in == &sm->root)
		return;
	pthread_mutex_lock(&sm->ino_mu);
	if (in->refs)
		in->refs--;
	maybe_free(sm, in);
	pthread_mutex_unlock(&sm->ino_mu);
}

void inode_forget(struct sysman *sm, struct sm_inode *in, uint64_t n)
{
	if (in == &sm->root)
		return;
	pthread_mutex_lock(&sm->ino_mu);
	in->nlookup = n > in->nlookup ? 0 : in->nlookup - n;
	maybe_free(sm, in);
	pthread_mutex_unlock(&sm->ino_mu);
}

int inode_path(struct sysman *sm, struct sm_inode *in, char *buf, size_t len)
{
	char proc[64], link[PATH_MAX];
	ssize_t n;

	if (in == &sm->root)
		return str_copy(buf, len, "/");
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", in->fd);
	n = readlink(proc, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	if (str_endswith(link, " (deleted)"))
		return -ENOENT;
	if (strncmp(link, sm->state_dir, sm->state_len) != 0 ||
	    (link[sm->state_len] != '/' && link[sm->state_len] != '\0'))
		return -ENOENT;
	if (link[sm->state_len] == '\0')
		return str_copy(buf, len, "/");
	return str_copy(buf, len, link + sm->state_len);
}

int inode_open(struct sm_inode *in, int flags)
{
	char proc[64];
	int fd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", in->fd);
	fd = open(proc, (flags & ~O_NOFOLLOW) | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}
