#include "agent/runner.h"
#include "agent/job.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/hmap.h"
#include "util/log.h"
#include "util/strutil.h"



static double ts_diff_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void running_add(struct runner *r, struct job *j)
{
	j->prev = NULL;
	j->next = r->running;
	if (r->running)
		r->running->prev = j;
	r->running = j;
}

static void running_del(struct runner *r, struct job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		r->running = j->next;
	if (j->next)
		j->next->prev = j->prev;
	j->next = j->prev = NULL;
}

/* ---- completion ---- */

static void wake(struct runner *r)
{
	uint64_t one = 1;

	if (write(r->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("eventfd write: %s", strerror(errno));
}



static void job_finish(struct runner *r, struct job *j)
{
	struct agent_result res = { 0 };
	char msg[512] = "";
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	res.out = &j->out;
	res.err = &j->err;
	res.pid = j->pid;
	res.truncated = j->out.truncated;
	res.timed_out = j->timed_out;
	res.queued_ms = (long)ts_diff_ms(&j->submitted, j->started.tv_sec ? &j->started : &end);
	res.ms = j->started.tv_sec ? ts_diff_ms(&j->started, &end) : 0;
	if (j->req.start && !j->spawn_err) {
		res.rc = j->ext_rc;
		snprintf(msg, sizeof(msg), "%s", j->ext_msg ? j->ext_msg : "");
	} else if (j->spawn_err == ECANCELED) {
		res.rc = AGENT_RC_SIGNAL_BASE + SIGKILL;
		snprintf(msg, sizeof(msg), "daemon stopping");
	} else if (j->spawn_err && j->req.start) {
		res.rc = AGENT_RC_NOEXEC;
		snprintf(msg, sizeof(msg), "cannot start the %s run of '%s': %s",
			 j->req.klass == RUNNER_SSH ? "SSH" : j->req.klass == RUNNER_IPMI ? "IPMI" : "Redfish", j->exec, strerror(j->spawn_err));
	} else if (j->spawn_err) {
		res.rc = j->spawn_err == ENOENT ? AGENT_RC_NOTFOUND : AGENT_RC_NOEXEC;
		snprintf(msg, sizeof(msg), "agent '%s' %s", j->exec,
			 j->spawn_err == ENOENT ? "not found" :
			 j->spawn_err == EACCES ? "is not executable" : strerror(j->spawn_err));
	} else if (j->timed_out) {
		res.rc = AGENT_RC_TIMEOUT;
		snprintf(msg, sizeof(msg), "timed out after %ds", j->req.timeout_s ? j->req.timeout_s : 30);
	} else if (WIFEXITED(j->status)) {
		res.rc = WEXITSTATUS(j->status);
	} else if (WIFSIGNALED(j->status)) {
		res.rc = AGENT_RC_SIGNAL_BASE + WTERMSIG(j->status);
		snprintf(msg, sizeof(msg), "agent killed by signal %d (%s)", WTERMSIG(j->status),
			 strsignal(WTERMSIG(j->status)));
	}
	if (!msg[0] && j->err.len && !j->req.start) {
		const char *s = buf_str(&j->err);
		size_t n;

		while (*s == '\n' || *s == ' ')
			s++;
		n = strcspn(s, "\n");
		if (n >= sizeof(msg))
			n = sizeof(msg) - 1;
		memcpy(msg, s, n);
		msg[n] = '\0';
	}
	if (res.truncated && !strstr(msg, "output truncated")) {
		size_t l = strlen(msg);

		snprintf(msg + l, sizeof(msg) - l, "%soutput truncated at %zu bytes",
			 l ? "; " : "", j->out.len);
	}
	res.message = msg;
	if (j->lock_key)
		agent_lock_release(r, j);
	pthread_mutex_lock(&r->mu);
	r->st.finished++;
	if (j->timed_out)
		r->st.timed_out++;
	pthread_mutex_unlock(&r->mu);
	j->req.done(j->req.arg, &res);
	agent_job_free(j);
}

static void job_close_fds(struct runner *r, struct job *j)
{
	int *fds[] = { &j->out_fd, &j->err_fd, &j->pid_fd };

	for (size_t i = 0; i < 3; i++)
		if (*fds[i] >= 0) {
			epoll_ctl(r->epfd, EPOLL_CTL_DEL, *fds[i], NULL);
			close(*fds[i]);
			*fds[i] = -1;
		}
}

static void job_reap(struct runner *r, struct job *j)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	/* Kill the group while the leader is still a zombie, so its pid (the
	 * group id) cannot have been reused. */
	if (waitid(P_PIDFD, (id_t)j->pid_fd, &si, WEXITED | WNOWAIT | WNOHANG) < 0 || si.si_pid == 0)
		return;
	kill(-j->pid, SIGKILL);
	if (waitpid(j->pid, &j->status, 0) < 0)
		j->status = 0;
	j->exited = true;
	if (j->out_fd >= 0)
		buf_read_fd(&j->out, j->out_fd);
	if (j->err_fd >= 0)
		buf_read_fd(&j->err, j->err_fd);
	job_close_fds(r, j);
	running_del(r, j);
	r->inflight[RUNNER_LOCAL]--;
	job_finish(r, j);
}

/* ---- the loop ---- */

/* Starts j (its lock, if any, is held).  Returns false if it failed at
 * once and was finished. */
static bool job_start(struct runner *r, struct job *j)
{
	enum runner_class c = j->req.klass;
	int e;

	pthread_mutex_lock(&r->mu);
	r->st.started++;
	pthread_mutex_unlock(&r->mu);
	r->inflight[c]++;
	if (c == RUNNER_LOCAL) {
		if (agent_spawn(r, j) < 0) {
			r->inflight[c]--;
			job_finish(r, j);
			return false;
		}
		running_add(r, j);
		return true;
	}
	clock_gettime(CLOCK_MONOTONIC, &j->started);
	e = j->req.start(j->req.data, j, j->req.timeout_s);
	if (e < 0) {
		/* nothing started: runner_job_done will not come */
		j->spawn_err = -e;
		r->inflight[c]--;
		job_finish(r, j);
		return false;
	}
	return true;
}

static void dispatch(struct runner *r)
{
	struct job *j;
	bool draining;

	pthread_mutex_lock(&r->mu);
	while ((j = agent_q_pop(&r->inbox_head, &r->inbox_tail)))
		agent_q_push(&r->q_head[j->req.klass], &r->q_tail[j->req.klass], j, false);
	draining = r->draining;
	pthread_mutex_unlock(&r->mu);
	if (draining)
		return;
	for (int c = 0; c < RUNNER_NCLASSES; c++) {
		while (r->inflight[c] < (unsigned)r->limit[c] &&
		       (j = agent_q_pop(&r->q_head[c], &r->q_tail[c]))) {
			/* a job coming back from a lock queue already holds the lock */
			if (j->lock_key && !j->started.tv_sec && !j->spawn_err) {
				bool mine;

				pthread_mutex_lock(&r->mu);
				{
					struct lockq *lq = hmap_get(r->locks, j->lock_key);

					mine = lq && lq->holder == j;
				}
				pthread_mutex_unlock(&r->mu);
				if (!mine && !agent_lock_take(r, j))
					continue;
			}
			job_start(r, j);
		}
	}
}

/* Non-local jobs whose outcome arrived (runner_job_done). */
static void collect_done(struct runner *r)
{
	struct job *j;

	for (;;) {
		pthread_mutex_lock(&r->mu);
		j = agent_q_pop(&r->done_head, &r->done_tail);
		pthread_mutex_unlock(&r->mu);
		if (!j)
			return;
		r->inflight[j->req.klass]--;
		job_finish(r, j);
	}
}

void runner_job_done(struct job *j, const struct agent_result *res)
{
	struct runner *r = j->runner;

	j->ext_rc = res->rc;
	j->timed_out = res->timed_out;
	j->ext_msg = strdup(res->message ? res->message : "");
	if (res->out && res->out->len)
		buf_append(&j->out, res->out->data, res->out->len);
	if (res->err && res->err->len)
		buf_append(&j->err, res->err->data, res->err->len);
	if (res->truncated)
		j->out.truncated = true;
	pthread_mutex_lock(&r->mu);
	agent_q_push(&r->done_head, &r->done_tail, j, false);
	pthread_mutex_unlock(&r->mu);
	wake(r);
}

void runner_drain(struct runner *r)
{
	pthread_mutex_lock(&r->mu);
	r->draining = true;
	pthread_mutex_unlock(&r->mu);
	/* a dispatch in progress may still start what it popped: wait for
	 * the loop to come round once */
	wake(r);
	pthread_mutex_lock(&r->mu);
	r->drain_seen = r->loops;
	while (r->loops == r->drain_seen && !r->stopping)
		pthread_cond_wait(&r->loop_cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
}

void *runner_job_data(struct job *j)
{
	return j->req.data;
}

void runner_set_limit(struct runner *r, enum runner_class c, int limit)
{
	if (c < RUNNER_NCLASSES && limit > 0)
		r->limit[c] = limit;
}

static void check_timeouts(struct runner *r, long now)
{
	for (struct job *j = r->running; j; j = j->next)
		if (!j->timed_out && j->deadline_ms && now >= j->deadline_ms) {
			j->timed_out = true;
			kill(-j->pid, SIGKILL);
		}
}

static void run_tickers(struct runner *r, long now)
{
	struct ticker *t;

	for (t = r->tickers; t; t = t->next)
		if (now >= t->due_ms) {
			t->due_ms = now + t->interval_ms;
			t->fn(t->arg);
		}
}

static int next_timeout(struct runner *r, long now)
{
	long next = now + 1000;

	for (struct job *j = r->running; j; j = j->next)
		if (!j->timed_out && j->deadline_ms && j->deadline_ms < next)
			next = j->deadline_ms;
	for (struct ticker *t = r->tickers; t; t = t->next)
		if (t->due_ms < next)
			next = t->due_ms;
	return next <= now ? 0 : (int)(next - now);
}

static void on_event(struct runner *r, struct ev_tag *tag, uint32_t events)
{
	struct job *j = tag->job;
	uint64_t v;

	switch (tag->kind) {
	case EV_WAKE:
		if (read(r->wakefd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			log_warn("eventfd read: %s", strerror(errno));
		break;
	case EV_OUT:
	case EV_ERR: {
		int *fd = tag->kind == EV_OUT ? &j->out_fd : &j->err_fd;
		ssize_t n = buf_read_fd(tag->kind == EV_OUT ? &j->out : &j->err, *fd);

		(void)events;
		if (n == 0 || (n < 0 && n != -EAGAIN)) {
			/* EOF: the agent closed it; stop watching */
			epoll_ctl(r->epfd, EPOLL_CTL_DEL, *fd, NULL);
			close(*fd);
			*fd = -1;
		}
		break;
	}
	case EV_PID:
		job_reap(r, j);
		break;
	}
}

static void *runner_main(void *arg)
{
	struct runner *r = arg;
	struct epoll_event evs[128];

	for (;;) {
		long now = runner_now_ms();
		int n, i;
		bool stop;

		pthread_mutex_lock(&r->mu);
		stop = r->stopping;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;
		collect_done(r);
		dispatch(r);
		pthread_mutex_lock(&r->mu);
		r->loops++;
		pthread_cond_broadcast(&r->loop_cv);
		pthread_mutex_unlock(&r->mu);
		n = epoll_wait(r->epfd, evs, 128, next_timeout(r, now));
		if (n < 0 && errno != EINTR) {
			log_err("epoll_wait: %s", strerror(errno));
			break;
		}
		/* EV_PID events go last so output read in this round is kept;
		 * their tags are collected first because reaping frees the job
		 * (and with it the tags of its other events in this batch) */
		{
			struct ev_tag *pids[128];
			int np = 0;

			for (i = 0; i < n; i++) {
				struct ev_tag *t = evs[i].data.ptr;

				if (t->kind == EV_PID)
					pids[np++] = t;
				else
					on_event(r, t, evs[i].events);
			}
			for (i = 0; i < np; i++)
				on_event(r, pids[i], 0);
		}
		now = runner_now_ms();
		check_timeouts(r, now);
		run_tickers(r, now);
	}
	return NULL;
}

int runner_new(int max_agents, struct runner **ret)
{
	struct runner *r = calloc(1, sizeof(*r));
	struct epoll_event ev;
	int e;

	if (!r)
		return -ENOMEM;
	r->max_agents = max_agents > 0 ? max_agents : 256;
	for (int c = 0; c < RUNNER_NCLASSES; c++)
		r->limit[c] = r->max_agents;
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	r->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->locks = hmap_new();
	if (r->epfd < 0 || r->wakefd < 0 || !r->locks) {
		e = errno ? -errno : -ENOMEM;
		goto fail;
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->loop_cv, NULL);
	r->t_wake.kind = EV_WAKE;
	ev.events = EPOLLIN;
	ev.data.ptr = &r->t_wake;
	epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->wakefd, &ev);
	e = pthread_create(&r->thread, NULL, runner_main, r);
	if (e) {
		e = -e;
		goto fail;
	}
	pthread_setname_np(r->thread, "sysman-runner");
	*ret = r;
	return 0;
fail:
	if (r->epfd >= 0)
		close(r->epfd);
	if (r->wakefd >= 0)
		close(r->wakefd);
	hmap_free(r->locks, free);
	free(r);
	return e;
}


int runner_submit(struct runner *r, const struct agent_request *req)
{
	struct job *j;

	if (!req->exec || !req->file || !req->done || req->klass >= RUNNER_NCLASSES ||
	    (req->klass != RUNNER_LOCAL && !req->start)) {
		if (req->data_free)
			req->data_free(req->data);
		return -EINVAL;
	}
	j = agent_job_new(req);
	if (!j)
		return -ENOMEM;
	j->runner = r;
	pthread_mutex_lock(&r->mu);
	if (r->stopping) {
		pthread_mutex_unlock(&r->mu);
		agent_job_free(j);
		return -ESHUTDOWN;
	}
	agent_q_push(&r->inbox_head, &r->inbox_tail, j, false);
	pthread_mutex_unlock(&r->mu);
	wake(r);
	return 0;
}

int runner_every(struct runner *r, long interval_ms, void (*fn)(void *arg), void *arg)
{
	struct ticker *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->interval_ms = interval_ms > 0 ? interval_ms : 1000;
	t->due_ms = runner_now_ms() + t->interval_ms;
	t->fn = fn;
	t->arg = arg;
	pthread_mutex_lock(&r->mu);
	t->next = r->tickers;
	r->tickers = t;
	pthread_mutex_unlock(&r->mu);
	wake(r);
	return 0;
}

void runner_stats(struct runner *r, struct runner_stats *ret)
{
	unsigned q = 0;

	pthread_mutex_lock(&r->mu);
	*ret = r->st;
	for (struct job *j = r->inbox_head; j; j = j->next) {
		q++;
		ret->class_queued[j->req.klass]++;
	}
	pthread_mutex_unlock(&r->mu);
	/* the thread-owned counts and lists are read racily: a snapshot */
	ret->running = 0;
	for (int c = 0; c < RUNNER_NCLASSES; c++) {
		ret->class_running[c] = r->inflight[c];
		ret->class_limit[c] = r->limit[c];
		ret->running += r->inflight[c];
		for (struct job *j = r->q_head[c]; j; j = j->next) {
			q++;
			ret->class_queued[c]++;
		}
	}
	ret->queued = q;
}

static void cancel_list(struct runner *r, struct job *head)
{
	struct job *j, *n;

	for (j = head; j; j = n) {
		n = j->next;
		j->spawn_err = ECANCELED;
		free(j->lock_key);
		j->lock_key = NULL;
		job_finish(r, j);
	}
}

static int free_lockq(const char *key, void *val, void *arg)
{
	struct lockq *lq = val;
	struct runner *r = arg;
	struct job *j, *n;

	(void)key;
	for (j = lq->head; j; j = n) {
		n = j->next;
		j->spawn_err = ECANCELED;
		free(j->lock_key);
		j->lock_key = NULL;
		job_finish(r, j);
	}
	lq->head = lq->tail = NULL;
	return 0;
}

void runner_free(struct runner *r)
{
	struct ticker *t, *tn;

	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->stopping = true;
	pthread_mutex_unlock(&r->mu);
	wake(r);
	pthread_join(r->thread, NULL);
	/* now single-threaded: kill and reap what still runs */
	while (r->running) {
		struct job *j = r->running;

		kill(-j->pid, SIGKILL);
		waitpid(j->pid, &j->status, 0);
		j->exited = true;
		job_close_fds(r, j);
		running_del(r, j);
		if (j->lock_key) {
			free(j->lock_key);
			j->lock_key = NULL;
		}
		job_finish(r, j);
	}
	/* back ends are stopped before the runner: their outcomes are in */
	while (r->done_head) {
		struct job *j = agent_q_pop(&r->done_head, &r->done_tail);

		if (j->lock_key) {
			free(j->lock_key);
			j->lock_key = NULL;
		}
		job_finish(r, j);
	}
	for (int c = 0; c < RUNNER_NCLASSES; c++)
		cancel_list(r, r->q_head[c]);
	cancel_list(r, r->inbox_head);
	hmap_each(r->locks, free_lockq, r);
	hmap_free(r->locks, free);
	for (t = r->tickers; t; t = tn) {
		tn = t->next;
		free(t);
	}
	close(r->epfd);
	close(r->wakefd);
	pthread_cond_destroy(&r->loop_cv);
	pthread_mutex_destroy(&r->mu);
	free(r);
}
