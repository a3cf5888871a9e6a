/*
 * loop.c - one event-loop thread: epoll over session sockets plus an
 * eventfd for the inbox; deadlines are checked by a scan of the loop's
 * hosts whenever the earliest known deadline is due (at least once a
 * second), which is O(hosts) and cheap next to a handshake.
 */
#include "ssh/pool_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/strutil.h"

#define LOOP_EVENTS 256

static __thread bool in_loop_thread;

bool ssh_pool_in_loop_thread(void)
{
	return in_loop_thread;
}

int loop_epoll_set(struct loop *l, int fd, uint32_t events, void *ptr,
		   bool add)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };

	if (epoll_ctl(l->epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

void loop_want_scan(struct loop *l, int64_t when)
{
	if (when < l->next_scan_ms)
		l->next_scan_ms = when;
}

int loop_init(struct loop *l, struct ssh_pool *p, int max_connecting)
{
	memset(l, 0, sizeof(*l));
	l->pool = p;
	l->epfd = -1;
	l->evfd = -1;
	l->max_connecting = max_connecting;
	pthread_mutex_init(&l->lock, NULL);
	l->table_size = 64;
	l->table = calloc(l->table_size, sizeof(*l->table));
	if (!l->table)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -errno;
	l->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->evfd < 0)
		return -errno;
	/* data.ptr == l marks the eventfd */
	return loop_epoll_set(l, l->evfd, EPOLLIN, l, true);
}

void loop_release(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->evfd >= 0)
		close(l->evfd);
	free(l->table);
	l->table = NULL;
	ssh_key_free(l->privkey);
	l->privkey = NULL;
	pthread_mutex_destroy(&l->lock);
}

int loop_submit(struct loop *l, struct job *j)
{
	uint64_t one = 1;
	bool wake;

	pthread_mutex_lock(&l->lock);
	if (l->stop) {
		pthread_mutex_unlock(&l->lock);
		return -ESHUTDOWN;
	}
	wake = l->inbox.n == 0;   /* else a wakeup is already on its way */
	jlist_push(&l->inbox, j);
	pthread_mutex_unlock(&l->lock);
	if (wake && write(l->evfd, &one, sizeof(one)) < 0) {
		/* EAGAIN only: the counter is saturated, the loop is awake */
	}
	return 0;
}

static int table_grow(struct loop *l)
{
	size_t n = l->table_size * 2;
	struct host **t = calloc(n, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < l->table_size; i++) {
		struct host *h, *next;

		for (h = l->table[i]; h; h = next) {
			next = h->hnext;
			h->hnext = t[ssh_str_hash(h->key) % n];
			t[ssh_str_hash(h->key) % n] = h;
		}
	}
	free(l->table);
	l->table = t;
	l->table_size = n;
	return 0;
}

static struct host *host_lookup(struct loop *l, const struct job *j)
{
	char key[SSH_HOST_KEY_MAX];
	struct host *h;
	size_t b;

	if (ssh_host_key(key, sizeof(key), j->user, j->hostname, j->port) < 0)
		return NULL;
	b = ssh_str_hash(key) % l->table_size;
	for (h = l->table[b]; h; h = h->hnext)
		if (strcmp(h->key, key) == 0)
			return h;
	if (l->nhosts >= l->table_size && table_grow(l) == 0)
		b = ssh_str_hash(key) % l->table_size;
	h = host_new(l, key, j);
	if (!h)
		return NULL;
	h->hnext = l->table[b];
	l->table[b] = h;
	l->nhosts++;
	return h;
}

/* Takes the inbox; returns true when the pool is stopping. */
static bool loop_take_inbox(struct loop *l)
{
	struct jlist in;
	uint64_t cnt;
	struct job *j;
	bool stop;

	if (read(l->evfd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		cnt = 0;
	pthread_mutex_lock(&l->lock);
	in = l->inbox;
	memset(&l->inbox, 0, sizeof(l->inbox));
	stop = l->stop;
	pthread_mutex_unlock(&l->lock);
	while ((j = jlist_pop(&in))) {
		struct host *h = stop ? NULL : host_lookup(l, j);

		if (!h) {
			job_finish(j, stop ? -ESHUTDOWN : -ENOMEM,
				   stop ? "ssh pool shutting down"
					: "out of memory");
			continue;
		}
		host_add_job(h, j);
	}
	return stop;
}

static void loop_scan(struct loop *l, int64_t now)
{
	int64_t next = now + 1000;

	for (size_t i = 0; i < l->table_size; i++) {
		for (struct host *h = l->table[i]; h; h = h->hnext) {
			int64_t w = host_scan(h, now);

			if (w < next)
				next = w;
		}
	}
	l->next_scan_ms = next;
}

static void loop_shutdown(struct loop *l)
{
	for (size_t i = 0; i < l->table_size; i++) {
		struct host *h, *next;

		for (h = l->table[i]; h; h = next) {
			next = h->hnext;
			host_shutdown(h);
			host_free(h);
		}
		l->table[i] = NULL;
	}
	l->nhosts = 0;
}

void *loop_main(void *arg)
{
	struct loop *l = arg;
	struct epoll_event evs[LOOP_EVENTS];
	bool stop = false;

	in_loop_thread = true;
	l->next_scan_ms = now_ms() + 1000;
	while (!stop) {
		int64_t now = now_ms();
		int timeout = l->next_scan_ms > now
			? (int)(l->next_scan_ms - now) : 0;
		int n = epoll_wait(l->epfd, evs, LOOP_EVENTS, timeout);

		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == l)
				stop = loop_take_inbox(l) || stop;
			else
				host_on_io(evs[i].data.ptr, evs[i].events);
		}
		now = now_ms();
		if (now >= l->next_scan_ms)
			loop_scan(l, now);
		loop_start_connects(l);
	}
	loop_shutdown(l);
	return NULL;
}
