/* Running an agent for a file of the tree and applying its result:
 * content, mtime, .status, audit line, waiting requests (DESIGN §3, §5). */
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

#include "db/inventory.h"
#include "fs/ipmi_agent.h"
#include "fs/remote.h"
#include "special/ids.h"
#include "special/status.h"
#include "util/audit.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/strutil.h"


#define ENV_MAX 64

struct envlist {
	char *v[ENV_MAX + 1];
	int n;
};

static void env_add(struct envlist *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void env_add(struct envlist *e, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (e->n >= ENV_MAX)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) > 0)
		e->v[e->n++] = s;
	va_end(ap);
}

static void env_release(struct envlist *e)
{
	for (int i = 0; i < e->n; i++)
		free(e->v[i]);
	e->n = 0;
}

/* SYSMAN_ATTR_<key>=<value> for each "key=value" word of a device's attrs. */
static void env_attr(const char *key, size_t klen, const char *val, size_t vlen, void *arg)
{
	env_add(arg, "SYSMAN_ATTR_%.*s=%.*s", (int)klen, key, (int)vlen, val);
}

static void build_env(struct sysman *sm, const struct sm_run_opts *o, struct envlist *e)
{
	const struct conf *c = &sm->conf;
	struct device d;
	const char *path_env = getenv("PATH");

	/* agents find `sysman` next to sysmand, installed or in the build tree */
	env_add(e, "PATH=%s:%s/../tools:%s/nfs:%s", sm->bin_dir, sm->bin_dir, sm->bin_dir,
		path_env ? path_env : "/usr/sbin:/usr/bin:/sbin:/bin");
	env_add(e, "SYSMAN_ROOT=%s", sm->mount);
	env_add(e, "SYSMAN_PATH=%s", o->path);
	env_add(e, "SYSMAN_OP=%s", agent_op_name(o->op));
	env_add(e, "SYSMAN_CALLER_UID=%u", (unsigned)o->uid);
	env_add(e, "SYSMAN_CALLER_GID=%u", (unsigned)o->gid);
	env_add(e, "SYSMAN_CALLER_PID=%d", (int)o->pid);
	env_add(e, "SYSMAN_BACKING=%s%s", sm->state_dir, o->path);
	env_add(e, "SYSMAN_DB=%s", c->db);
	env_add(e, "SYSMAN_CONF_ssh_port=%d", c->ssh_port);
	env_add(e, "SYSMAN_CONF_ssh_user=%s", c->ssh_user);
	env_add(e, "SYSMAN_CONF_ssh_key=%s", c->ssh_key);
	env_add(e, "SYSMAN_CONF_ssh_known_hosts=%s", c->ssh_known_hosts);
	env_add(e, "SYSMAN_CONF_ssh_connect_timeout=%d", c->ssh_connect_timeout);
	env_add(e, "SYSMAN_CONF_ssh_host_key_policy=%s",
		c->ssh_host_key_policy == HOSTKEY_STRICT ? "strict" : "accept-new");
	env_add(e, "SYSMAN_CONF_ipmi_port=%d", c->ipmi_port);
	env_add(e, "SYSMAN_CONF_ipmi_cipher=%d", c->ipmi_cipher);
	env_add(e, "SYSMAN_CONF_agent_timeout=%d", c->agent_timeout);
	env_add(e, "SYSMAN_CONF_discover_networks=%s", c->discover_networks);
	if (sm->inv && inventory_find(sm->inv, o->path, &d) == 0) {
		env_add(e, "SYSMAN_DEVICE=%s%s", strcmp(sm->mount, "/") ? sm->mount : "", d.path);
		env_add(e, "SYSMAN_ADDRESS=%s", d.address);
		env_add(e, "SYSMAN_KIND=%s", d.kind);
		env_add(e, "SYSMAN_NAME=%s", d.name);
		device_attrs_each(d.attrs, env_attr, e);
		device_release(&d);
	}
	for (const char *const *x = o->extra_env; x && *x; x++)
		env_add(e, "%s", *x);
	e->v[e->n] = NULL;
}

/* The directory holding the nearest "lock" file at or above path's
 * directory, or "" when there is none. */
static void find_lock(struct sysman *sm, const char *path, char *key, size_t len)
{
	char dir[PATH_MAX], probe[PATH_MAX];

	key[0] = '\0';
	if (str_copy(dir, sizeof(dir), path) < 0)
		return;
	for (;;) {
		char *s = strrchr(dir, '/');

		if (!s)
			return;
		*s = '\0';
		if (str_printf(probe, sizeof(probe), "%s/lock", dir) == 0 && backing_exists(sm, probe)) {
			str_copy(key, len, dir[0] ? dir : "/");
			return;
		}
		if (!dir[0])
			return;
	}
}

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
		switch (w->kind) {
		case W_OPEN:
			if (fail)
				fuse_reply_err(w->req, EIO);
			else
				sm_reply_open(sm, w->req, w->target, &w->fi);
			break;
		case W_OPENDIR:
			sm_reply_opendir(sm, w->req, w->target, &w->fi);
			break;
		case W_LOOKUP:
			sm_reply_lookup(sm, w->req, w->target, w->name);
			break;
		case W_FLUSH:
			fuse_reply_err(w->req, fail ? EIO : 0);
			break;
		}
		inode_unref(sm, w->target);
		free(w->name);
		free(w);
	}
}

/* Failures the agent reports itself are info; the runner's own verdicts
 * (timeout, cannot execute, killed) are warnings an administrator sees. */
static void log_result(const struct sm_run_opts *o, const struct agent_result *res)
{
	if (res->rc == 0)
		return;
	log_msg(res->rc >= AGENT_RC_TIMEOUT ? LOG_WARNING : LOG_INFO, __func__,
		"agent '%s' for '%s' (%s): %d %s", o->exec, o->path, agent_op_name(o->op),
		res->rc, res->message);
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
	log_result(o, res);
}

void sm_run_done(void *arg, const struct agent_result *res)
{
	struct run_ctx *c = arg;
	struct sysman *sm = c->sm;
	const struct sm_run_opts *o = &c->o;
	char op[16];

	if (!o->raw)
		apply_result(sm, o, res);
	else
		log_result(o, res);
	snprintf(op, sizeof(op), "agent.%s", agent_op_name(o->op));
	audit_log(o->uid, o->pid, op, o->path, res->rc, "agent=%s ms=%.1f bytes=%zu%s", o->exec,
		  res->ms, res->out->len, res->truncated ? " truncated" : "");
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

/* Starts a local agent process through the runner. */
static int submit_local(struct sysman *sm, struct run_ctx *c, const struct sm_run_opts *o,
			const char *lock)
{
	struct envlist env = { .n = 0 };
	char user[IDS_USER_MAX], *pass = NULL, file[PATH_MAX];
	struct agent_request rq;
	int r;

	if (str_printf(file, sizeof(file), "%s%s", strcmp(sm->mount, "/") ? sm->mount : "", o->path) < 0)
		return -ENAMETOOLONG;
	build_env(sm, o, &env);
	memset(&rq, 0, sizeof(rq));
	if (sm->ids && ids_store_find(sm->ids, o->path, NULL, user, &pass, NULL, 0) == 0) {
		rq.user = user;
		rq.password = pass;
	}
	rq.exec = c->exec;
	rq.file = file;
	rq.op = o->op;
	rq.input = o->input;
	rq.input_len = o->input_len;
	rq.pass_in_argv = sm->conf.pass_password_in_argv;
	rq.env = (const char *const *)env.v;
	rq.lock_key = lock[0] ? lock : NULL;
	rq.timeout_s = sm->conf.agent_timeout;
	rq.output_max = (size_t)sm->conf.agent_output_max;
	rq.done = sm_run_done;
	rq.arg = c;
	r = runner_submit(sm->runner, &rq);
	ids_pass_free(pass);
	env_release(&env);
	return r;
}

int sm_run_agent(struct sysman *sm, const struct sm_run_opts *o)
{
	struct run_ctx *c = calloc(1, sizeof(*c));
	enum { RUN_LOCAL, RUN_REMOTE, RUN_IPMI } how = RUN_LOCAL;
	char lock[PATH_MAX];
	struct buf body;
	int r;

	if (!c)
		return -ENOMEM;
	c->sm = sm;
	c->o = *o;
	if (str_copy(c->path, sizeof(c->path), o->path) < 0 ||
	    str_copy(c->exec, sizeof(c->exec), o->exec) < 0) {
		free(c);
		return -ENAMETOOLONG;
	}
	c->o.path = c->path;
	c->o.exec = c->exec;
	c->o.input = NULL;  /* the runner keeps its own copy */
	sm_status_prepare(sm, o);
	/* Remote agents run over the SSH pool; IPMI agents in the daemon,
	 * unless a lock applies: then the runner's lock queue serialises
	 * them as processes. */
	buf_init(&body, 256 * 1024);
	lock[0] = '\0';
	if (remote_load(o->exec, &body) == 1) {
		how = RUN_REMOTE;
	} else {
		find_lock(sm, o->path, lock, sizeof(lock));
		if (!lock[0] && ipmi_agent_match(sm, o, &body))
			how = RUN_IPMI;
	}
	if (o->in)
		inode_ref(sm, o->in);
	switch (how) {
	case RUN_REMOTE:
		r = remote_submit(sm, c, o, &body);
		break;
	case RUN_IPMI:
		r = ipmi_agent_submit(sm, c, o, &body);
		break;
	default:
		r = submit_local(sm, c, o, lock);
		break;
	}
	buf_release(&body);
	if (r < 0) {
		if (o->in)
			inode_unref(sm, o->in);
		free(c);
	}
	return r;
}
