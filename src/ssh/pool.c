/*
 * pool.c - ssh_pool lifecycle, command submission and the synchronous
 * wrapper.  Hosts are spread over the loops by a hash of user@host:port,
 * so one session is always driven by the same thread.
 */
#include "ssh/pool_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static pthread_once_t libssh_once = PTHREAD_ONCE_INIT;

static void libssh_init_once(void)
{
	ssh_init();
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int config_copy(struct ssh_pool_config *dst,
		       const struct ssh_pool_config *src)
{
	*dst = *src;
	dst->key_path = NULL;
	dst->known_hosts = NULL;
	if (!src->known_hosts || !*src->known_hosts ||
	    (src->host_key_policy != SSH_POLICY_ACCEPT_NEW &&
	     src->host_key_policy != SSH_POLICY_STRICT) ||
	    src->connect_timeout_s < 0 || src->command_timeout_s < 0 ||
	    src->max_connecting < 0 || src->max_channels < 0 ||
	    src->threads < 0 || src->threads > 64)
		return -EINVAL;
	if (!dst->connect_timeout_s)
		dst->connect_timeout_s = 10;
	if (!dst->command_timeout_s)
		dst->command_timeout_s = 30;
	if (!dst->keepalive_s)
		dst->keepalive_s = 30;
	if (!dst->max_connecting)
		dst->max_connecting = 64;
	if (!dst->max_channels)
		dst->max_channels = 10;
	if (!dst->threads)
		dst->threads = 1;
	dst->known_hosts = strdup(src->known_hosts);
	if (src->key_path)
		dst->key_path = strdup(src->key_path);
	if (!dst->known_hosts || (src->key_path && !dst->key_path))
		return -ENOMEM;
	return 0;
}

/* Loads the key (one copy per loop thread: libssh keys are not shared
 * between threads). */
static int load_key(const char *path, ssh_key *ret_key)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, ret_key)
	    != SSH_OK)
		return -EINVAL;
	return 0;
}

static int start_threads(struct ssh_pool *p)
{
	sigset_t all, old;
	int r = 0;

	/* pool threads take no signals: the daemon's main thread does */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < p->nloops; i++) {
		r = -pthread_create(&p->loops[i].thread, NULL, loop_main,
				    &p->loops[i]);
		if (r < 0) {
			p->nloops = i; /* only those get joined */
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

static void pool_release(struct ssh_pool *p, int started)
{
	for (int i = 0; i < started; i++)
		loop_release(&p->loops[i]);
	free(p->loops);
	free((char *)p->cfg.known_hosts);
	free((char *)p->cfg.key_path);
	free(p);
}

struct ssh_pool *ssh_pool_new(const struct ssh_pool_config *cfg)
{
	struct ssh_pool *p = calloc(1, sizeof(*p));
	int r, n = 0, per;

	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	pthread_once(&libssh_once, libssh_init_once);
	r = config_copy(&p->cfg, cfg);
	if (r < 0)
		goto fail;
	raise_nofile();
	p->nloops = p->cfg.threads;
	p->loops = calloc((size_t)p->nloops, sizeof(*p->loops));
	r = -ENOMEM;
	if (!p->loops)
		goto fail;
	per = p->cfg.max_connecting / p->nloops;
	for (n = 0; n < p->nloops; n++) {
		r = loop_init(&p->loops[n], p, per > 0 ? per : 1);
		if (r < 0) {
			n++;
			goto fail;
		}
		if (p->cfg.key_path) {
			r = load_key(p->cfg.key_path, &p->loops[n].privkey);
			if (r < 0) {
				n++;
				goto fail;
			}
		}
	}
	r = start_threads(p);
	if (r < 0) {
		ssh_pool_free(p);
		errno = -r;
		return NULL;
	}
	return p;
fail:
	pool_release(p, n);
	errno = -r;
	return NULL;
}

void ssh_pool_free(struct ssh_pool *p)
{
	uint64_t one = 1;

	if (!p)
		return;
	atomic_store(&p->stopping, true);
	for (int i = 0; i < p->nloops; i++) {
		struct loop *l = &p->loops[i];

		pthread_mutex_lock(&l->lock);
		l->stop = true;
		pthread_mutex_unlock(&l->lock);
		if (write(l->evfd, &one, sizeof(one)) < 0) {
			/* saturated counter: a wakeup is pending anyway */
		}
	}
	for (int i = 0; i < p->nloops; i++)
		pthread_join(p->loops[i].thread, NULL);
	pool_release(p, p->nloops);
}

static bool host_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 255 || s[0] == '-')
		return false;
	return strpbrk(s, "@ \t\r\n/") == NULL;
}

static struct job *job_new(const struct ssh_pool *p,
			   const struct ssh_target *t, const char *command,
			   const struct ssh_exec_opts *o)
{
	int timeout_s = o->timeout_s;
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->hostname = strdup(t->host);
	j->user = strdup(t->user ? t->user : "root");
	j->command = strdup(command);
	j->password = t->password ? strdup(t->password) : NULL;
	j->port = t->port ? t->port : 22;
	j->exit_status = -1;
	if (timeout_s == 0)
		timeout_s = p->cfg.command_timeout_s;
	j->timeout_s = timeout_s > 0 ? timeout_s : 0;
	j->from_start = o->from_start;
	j->hold_stdin = o->hold_stdin;
	/* from_start: the clock starts when the command does (job_exec) */
	j->deadline_ms = timeout_s > 0 && !o->from_start ? now_ms() + timeout_s * 1000LL : 0;
	buf_init(&j->out, p->cfg.output_max);
	buf_init(&j->err, p->cfg.output_max);
	if (!j->hostname || !j->user || !j->command ||
	    (t->password && !j->password)) {
		job_free(j);
		return NULL;
	}
	return j;
}

int ssh_pool_exec(struct ssh_pool *p, const struct ssh_target *t,
		  const char *command, int timeout_s, ssh_done_fn done,
		  void *arg)
{
	struct ssh_exec_opts o = { .timeout_s = timeout_s };

	return ssh_pool_exec_opts(p, t, command, &o, done, arg);
}

int ssh_pool_exec_opts(struct ssh_pool *p, const struct ssh_target *t,
		       const char *command, const struct ssh_exec_opts *o,
		       ssh_done_fn done, void *arg)
{
	char key[SSH_HOST_KEY_MAX];
	struct job *j;
	int r;

	if (!p || !t || !done || !command || !*command ||
	    !host_name_ok(t->host) || t->port < 0 || t->port > 65535 ||
	    (t->user && (!*t->user || strpbrk(t->user, "@ \t\r\n:"))))
		return -EINVAL;
	if (atomic_load(&p->stopping))
		return -ESHUTDOWN;
	j = job_new(p, t, command, o);
	if (!j)
		return -ENOMEM;
	j->done = done;
	j->arg = arg;
	r = ssh_host_key(key, sizeof(key), j->user, j->hostname, j->port);
	if (r == 0)
		r = loop_submit(&p->loops[ssh_str_hash(key) % (uint64_t)p->nloops],
				j);
	if (r < 0)
		job_free(j);
	return r;
}

unsigned long ssh_pool_connects(const struct ssh_pool *p)
{
	return atomic_load(&((struct ssh_pool *)p)->connects);
}

void ssh_result_owned_release(struct ssh_result_owned *r)
{
	if (!r)
		return;
	buf_release(&r->out);
	buf_release(&r->err);
	free(r->message);
	r->message = NULL;
}

struct sync_wait {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	struct ssh_result_owned res;
};

static void sync_done(void *arg, const struct ssh_result *res)
{
	struct sync_wait *w = arg;

	pthread_mutex_lock(&w->lock);
	w->res.rc = res->rc;
	w->res.exit_status = res->exit_status;
	/* take the buffers; the job frees the emptied ones */
	w->res.out = *res->out;
	buf_init(res->out, res->out->max);
	w->res.err = *res->err;
	buf_init(res->err, res->err->max);
	w->res.message = strdup(res->message);
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int ssh_pool_exec_sync(struct ssh_pool *p, const struct ssh_target *t,
		       const char *command, int timeout_s,
		       struct ssh_result_owned *ret_res)
{
	struct sync_wait w = { .res = SSH_RESULT_OWNED_INIT };
	int r;

	if (ssh_pool_in_loop_thread())
		return -EDEADLK;
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	r = ssh_pool_exec(p, t, command, timeout_s, sync_done, &w);
	if (r == 0) {
		pthread_mutex_lock(&w.lock);
		while (!w.done)
			pthread_cond_wait(&w.cond, &w.lock);
		pthread_mutex_unlock(&w.lock);
		if (!w.res.message) {
			ssh_result_owned_release(&w.res);
			r = -ENOMEM;
		} else {
			*ret_res = w.res; /* transferred */
		}
	}
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	return r;
}
