/* Applying an agent run's result to the tree: content, mtime, .status,
 * waiting requests (DESIGN §3, §5).  The run itself (choice of agent and
 * back end, lock, fan-out, time-out, audit) is the agent layer's
 * (agent/agents.h). */
#include "fs/fs.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agents.h"
#include "special/status.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/strutil.h"


int sm_write_status(struct sysman *sm, const char *path, int rc, const char *msg)
{
	char sp[PATH_MAX];
	struct buf b = BUF_INIT;
	struct stat st;
	int fd, r = 0;

	if (str_printf(sp, sizeof(sp), "%s%s", path, STATUS_SUFFIX) < 0)
		return -ENAMETOOLONG;
	status_format(&b, rc, msg);
	fd = openat(sm->root.fd, backing_rel(sp), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	/* the status file follows its file's owner and read bits */
	if (fstatat(sm->root.fd, backing_rel(path), &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (fchown(fd, st.st_uid, st.st_gid) < 0)
			log_debug("chown '%s': %s", sp, strerror(errno));
		fchmod(fd, (st.st_mode & 0444) ? (st.st_mode & 0444) : 0444);
	}
	if (pwrite(fd, b.data, b.len, 0) != (ssize_t)b.len || ftruncate(fd, (off_t)b.len) < 0)
		r = -errno;
	close(fd);
out:
	buf_release(&b);
	return r;
}

bool sm_wait_if_busy(struct sysman *sm, struct sm_inode *in, struct waiter *w)
{
	bool queued = false;

	(void)sm;
	pthread_mutex_lock(&in->mu);
	if (in->inflight > 0) {
		w->next = in->waiters;
		in->waiters = w;
		queued = true;
	}
	pthread_mutex_unlock(&in->mu);
	return queued;
}

void sm_serve_waiters(struct sysman *sm, struct sm_inode *in, int rc_for_strict)
{
	struct waiter *w, *n, *list = NULL;

	pthread_mutex_lock(&in->mu);
	if (in->inflight == 0) {
		list = in->waiters;
		in->waiters = NULL;
	}
	pthread_mutex_unlock(&in->mu);
	for (w = list; w; w = n) {
		bool fail = rc_for_strict != 0 && sm->conf.strict_errors;

		n = w->next;
		/* the operation that queued it answers (ops_file.c): no call
		 * back into the operations from here */
		w->reply(sm, w, fail);
		inode_unref(sm, w->target);
		free(w->name);
		free(w);
	}
}

static void apply_result(struct sysman *sm, const struct sm_run_opts *o, const struct agent_result *res)
{
	struct timespec now, old = { 0, 0 };
	struct stat st;
	bool replace = o->op == AGENT_READ || (o->op == AGENT_WRITE && res->out->len > 0);

	clock_gettime(CLOCK_REALTIME, &now);
	if (fstatat(sm->root.fd, backing_rel(o->path), &st, AT_SYMLINK_NOFOLLOW) == 0)
		old = st.st_mtim;
	if (replace) {
		/* mtime = time of the last successful refresh */
		int r = backing_write(sm, o->path, res->out->data ? res->out->data : "",
				      res->out->len, res->rc == 0 ? &now : &old);

		if (r < 0)
			log_warn("cannot store agent output for '%s': %s", o->path, strerror(-r));
		else if (o->in && sm->se)
			/* the kernel may hold the old attributes and pages
			 * (fs/ops.c file_attr_timeout, keep_cache) */
			fuse_lowlevel_notify_inval_inode(sm->se, o->in == &sm->root ? FUSE_ROOT_ID
							 : (fuse_ino_t)(uintptr_t)o->in, 0, 0);
	}
	/* no .status inside proc/ and sys/: their listings mirror the host */
	if (o->op != AGENT_LIST && !sm_is_dynamic(sm, o->path))
		sm_write_status(sm, o->path, res->rc, res->message);
}

struct run_ctx {
	struct sysman *sm;
	struct sm_run_opts o;          /* path points into the copy below */
	char path[PATH_MAX];
};

static void run_done(void *arg, const struct agent_result *res)
{
	struct run_ctx *c = arg;
	struct sysman *sm = c->sm;
	const struct sm_run_opts *o = &c->o;

	if (!o->raw)
		apply_result(sm, o, res);
	if (o->after)
		o->after(sm, o, res, o->after_arg);
	if (o->in) {
		pthread_mutex_lock(&o->in->mu);
		o->in->inflight--;
		pthread_mutex_unlock(&o->in->mu);
		sm_serve_waiters(sm, o->in, res->rc);
		inode_unref(sm, o->in);
	}
	free(c);
}

void sm_status_prepare(struct sysman *sm, const struct sm_run_opts *o)
{
	char sp[PATH_MAX];
	int fd;

	/* F.status exists while F's first run is pending, so that a reader
	 * of it can wait for the result (DESIGN §3) */
	if (o->raw || sm_is_dynamic(sm, o->path))
		return;
	if (str_printf(sp, sizeof(sp), "%s%s", o->path, STATUS_SUFFIX) == 0 &&
	    (fd = openat(sm->root.fd, backing_rel(sp), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444)) >= 0)
		close(fd);
}

int sm_run_agent(struct sysman *sm, const struct sm_run_opts *o)
{
	struct run_ctx *c = calloc(1, sizeof(*c));
	struct agent_call call;
	int r;

	if (!c)
		return -ENOMEM;
	c->sm = sm;
	c->o = *o;
	if (str_copy(c->path, sizeof(c->path), o->path) < 0) {
		free(c);
		return -ENAMETOOLONG;
	}
	c->o.path = c->path;
	c->o.input = NULL;  /* the agent layer keeps its own copy */
	c->o.exec = NULL;
	c->o.extra_env = NULL;
	sm_status_prepare(sm, o);
	memset(&call, 0, sizeof(call));
	call.path = c->path;
	call.exec = o->exec;
	call.op = o->op;
	call.input = o->input;
	call.input_len = o->input_len;
	call.uid = o->uid;
	call.gid = o->gid;
	call.pid = o->pid;
	call.extra_env = o->extra_env;
	call.done = run_done;
	call.arg = c;
	if (o->in)
		inode_ref(sm, o->in);
	r = agent_run(sm->agents, &call);
	if (r < 0) {
		if (o->in)
			inode_unref(sm, o->in);
		free(c);
	}
	return r;
}
