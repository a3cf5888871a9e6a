/* The dispatch: one path from "run the agent of this file" to a back end,
 * with the same lock, fan-out, time-out, output limit, audit and log for
 * every back end (see agents.h). */
#include "agent/agents.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "agent/backend.h"
#include "conf/conf.h"
#include "special/group.h"
#include "util/audit.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/strutil.h"

static const struct agent_backend *const backends[AGENT_NKINDS] = {
	[AGENT_KIND_LOCAL] = &agent_be_local,
	[AGENT_KIND_SSH] = &agent_be_ssh,
	[AGENT_KIND_IPMI] = &agent_be_ipmi,
	[AGENT_KIND_REDFISH] = &agent_be_redfish,
};

/* ---- choosing the agent ---- */

/* Rebuilds the trie when agents were added, removed or changed (checked
 * at most once a second, at once after a run found a file changed).
 * Caller holds trie_mu. */
static void trie_refresh(struct agent_layer *al)
{
	time_t now = time(NULL);
	struct agent_trie *t;

	if (al->trie && !al->trie_dirty && now == al->trie_checked)
		return;
	al->trie_checked = now;
	if (al->trie && !al->trie_dirty && !trie_stale(al->trie))
		return;
	if (trie_build(al->conf->agent_dir, &t) < 0) {
		log_warn("cannot rescan agent_dir '%s'", al->conf->agent_dir);
		return;
	}
	if (al->trie)
		log_info("agent_dir changed: agents rescanned");
	trie_free(al->trie);
	al->trie = t;
	al->trie_dirty = false;
}

bool agent_path_dynamic(struct agent_layer *al, const char *path)
{
	const char *p = path;

	while (*p) {
		size_t n;
		char comp[NAME_MAX + 1];

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n && n <= NAME_MAX) {
			memcpy(comp, p, n);
			comp[n] = '\0';
			if (conf_is_dynamic_dir(al->conf, comp))
				return true;
		}
		p += n;
	}
	return false;
}

/* The agent of the nearest dynamic directory at or above path (strictly
 * above when strict) that has one for op: "proc/sys/kernel" is served by
 * proc's agent.  Caller holds trie_mu. */
static const struct agent_file *dynamic_agent(struct agent_layer *al, const char *path, bool strict,
					      enum agent_op op)
{
	char p[PATH_MAX];

	if (str_copy(p, sizeof(p), path) < 0)
		return NULL;
	if (strict) {
		char *s = strrchr(p, '/');

		if (!s || s == p)
			return NULL;
		*s = '\0';
	}
	for (;;) {
		char *s = strrchr(p, '/');
		const struct agent_file *a;

		if (!s || s[1] == '\0')
			return NULL;
		if (conf_is_dynamic_dir(al->conf, s + 1) && (a = trie_find(al->trie, p, op)))
			return a;
		if (s == p)
			return NULL;
		*s = '\0';
	}
}

/* Caller holds trie_mu. */
static const struct agent_file *find_agent(struct agent_layer *al, const char *path, enum agent_op op)
{
	const struct agent_file *a;

	trie_refresh(al);
	if (!al->trie)
		return NULL;
	a = trie_find(al->trie, path, op);
	if (!a)
		a = dynamic_agent(al, path, op != AGENT_LIST, op);
	return a;
}

bool agent_exists(struct agent_layer *al, const char *path, enum agent_op op)
{
	bool found;

	pthread_mutex_lock(&al->trie_mu);
	found = find_agent(al, path, op) != NULL;
	pthread_mutex_unlock(&al->trie_mu);
	return found;
}

int agent_names(struct agent_layer *al, const char *dirpath,
		int (*fn)(const struct trie_entry *e, void *arg), void *arg)
{
	int r = 0;

	pthread_mutex_lock(&al->trie_mu);
	trie_refresh(al);
	if (al->trie)
		r = trie_list(al->trie, dirpath, fn, arg);
	pthread_mutex_unlock(&al->trie_mu);
	return r;
}

int agent_timeout_for(struct agent_layer *al, const char *path)
{
	return conf_timeout(al->conf, path[0] == '/' ? path + 1 : path);
}

/* The directory holding the nearest "lock" file at or above path's
 * directory in the backing store, or "" when there is none. */
static void find_lock(struct agent_layer *al, const char *path, char *key, size_t len)
{
	char dir[PATH_MAX], probe[PATH_MAX];
	struct stat st;

	key[0] = '\0';
	if (str_copy(dir, sizeof(dir), path) < 0)
		return;
	for (;;) {
		char *s = strrchr(dir, '/');

		if (!s)
			return;
		*s = '\0';
		if (str_printf(probe, sizeof(probe), "%s%s/lock", al->state_dir, dir) == 0 &&
		    lstat(probe, &st) == 0) {
			str_copy(key, len, dir[0] ? dir : "/");
			return;
		}
		if (!dir[0])
			return;
	}
}

/* ---- completion: log, audit, then the caller ---- */

struct call_ctx {
	agent_done_fn done;
	void *arg;
	enum agent_op op;
	enum agent_kind kind;
	uid_t uid;
	pid_t pid;
	char *path, *exec;
};

static void call_ctx_free(struct call_ctx *x)
{
	if (!x)
		return;
	free(x->path);
	free(x->exec);
	free(x);
}

/* Failures the agent reports itself are info; the layer's own verdicts
 * (timeout, cannot execute, killed) are warnings an administrator sees. */
static void call_done(void *arg, const struct agent_result *res)
{
	struct call_ctx *x = arg;
	char op[16];

	if (res->rc != 0)
		log_msg(res->rc >= AGENT_RC_TIMEOUT ? LOG_WARNING : LOG_INFO, __func__,
			"agent '%s' for '%s' (%s, %s): %d %s", x->exec, x->path, agent_op_name(x->op),
			agent_kind_name(x->kind), res->rc, res->message);
	snprintf(op, sizeof(op), "agent.%s", agent_op_name(x->op));
	auditlog(x->uid, x->pid, op, x->path, res->rc, "agent=%s via=%s ms=%.1f queued_ms=%ld bytes=%zu%s",
		  x->exec, agent_kind_name(x->kind), res->ms, res->queued_ms, res->out->len,
		  res->truncated ? " truncated" : "");
	x->done(x->arg, res);
	call_ctx_free(x);
}

void agent_fail_now(struct job *j, int rc, const char *fmt, ...)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct agent_result res;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_printf(&err, "%s\n", msg);
	memset(&res, 0, sizeof(res));
	res.rc = rc;
	res.out = &out;
	res.err = &err;
	res.message = msg;
	runner_job_done(j, &res);
	buf_release(&out);
	buf_release(&err);
}

/* ---- running ---- */

int agent_run(struct agent_layer *al, const struct agent_call *c)
{
	const struct agent_backend *be;
	struct agent_file *f = NULL;
	struct agent_request rq;
	struct agent_prep p;
	struct call_ctx *x = NULL;
	char file[PATH_MAX], lock[PATH_MAX];
	int r;

	/* a reference to the agent file's record: the trie may be rebuilt
	 * while the run is prepared */
	pthread_mutex_lock(&al->trie_mu);
	if (c->exec) {
		f = agent_file_classify(c->exec);
	} else {
		const struct agent_file *a = find_agent(al, c->path, c->op);

		if (a && agent_file_changed(a)) {
			/* edited in place: classify it again, now and for later runs */
			al->trie_dirty = true;
			a = find_agent(al, c->path, c->op);
		}
		if (a)
			f = agent_file_ref(a);
	}
	pthread_mutex_unlock(&al->trie_mu);
	if (!f)
		return -ENOENT;
	if (str_printf(file, sizeof(file), "%s%s", strcmp(al->mount, "/") ? al->mount : "", c->path) < 0) {
		r = -ENAMETOOLONG;
		goto out;
	}
	be = backends[f->kind];
	/* an IPMI file of a BMC that speaks Redfish (protocol=redfish) */
	if (f->kind == AGENT_KIND_IPMI && agent_redfish_wants(al, f, c->path))
		be = &agent_be_redfish;
	else if (!be->serves(al, f))
		be = &agent_be_local;
	find_lock(al, c->path, lock, sizeof(lock));
	x = calloc(1, sizeof(*x));
	if (!x || !(x->path = strdup(c->path)) || !(x->exec = strdup(f->exec))) {
		r = -ENOMEM;
		goto out;
	}
	x->done = c->done;
	x->arg = c->arg;
	x->op = c->op;
	x->kind = be == &agent_be_local ? AGENT_KIND_LOCAL : be == &agent_be_redfish ? AGENT_KIND_REDFISH : f->kind;
	x->uid = c->uid;
	x->pid = c->pid;

	memset(&rq, 0, sizeof(rq));
	rq.exec = f->exec;
	rq.file = file;
	rq.op = c->op;
	rq.input = c->input;
	rq.input_len = c->input_len;
	rq.lock_key = lock[0] ? lock : NULL;
	rq.timeout_s = agent_timeout_for(al, c->path);
	rq.output_max = (size_t)al->conf->agent_output_max;
	rq.done = call_done;
	rq.arg = x;
	rq.klass = be->klass;

	memset(&p, 0, sizeof(p));
	p.al = al;
	p.f = f;
	p.c = c;
	p.file = file;
	p.rq = &rq;
	r = be->prepare(&p);
	if (r == 0) {
		r = runner_submit(al->runner, &rq);
		if (r == 0)
			x = NULL;   /* transferred: call_done frees it */
	} else if (rq.data_free) {
		rq.data_free(rq.data);
	}
	agent_prep_release(&p);
out:
	call_ctx_free(x);
	agent_file_free(f);
	return r;
}

/* ---- life cycle ---- */

struct runner *agent_layer_runner(struct agent_layer *al)
{
	return al->runner;
}

int agent_layer_new(const struct agent_layer_config *cfg, struct agent_layer **ret)
{
	struct agent_layer *al = calloc(1, sizeof(*al));
	char *groups;
	int r = -ENOMEM;

	if (!al)
		return -ENOMEM;
	pthread_mutex_init(&al->trie_mu, NULL);
	al->conf = cfg->conf;
	al->inv = cfg->inv;
	al->ids = cfg->ids;
	al->mount = strdup(cfg->mount ? cfg->mount : "/");
	al->state_dir = strdup(cfg->state_dir ? cfg->state_dir : "/");
	al->bin_dir = strdup(cfg->bin_dir ? cfg->bin_dir : "/usr/sbin");
	if (!al->mount || !al->state_dir || !al->bin_dir)
		goto fail;
	if (asprintf(&groups, "%s/groups", al->state_dir) < 0)
		goto fail;
	r = group_attrs_new(groups, &al->groups);
	free(groups);
	if (r < 0)
		goto fail;
	if (trie_build(al->conf->agent_dir, &al->trie) < 0)
		log_warn("cannot scan agent_dir '%s'", al->conf->agent_dir);
	r = runner_new(al->conf->max_agents, &al->runner);
	if (r < 0) {
		log_err("cannot start the agent runner: %s", strerror(-r));
		goto fail;
	}
	for (int k = 0; k < AGENT_NKINDS; k++) {
		r = backends[k]->start ? backends[k]->start(al) : 0;
		if (r < 0)
			goto fail;
	}
	*ret = al;
	return 0;
fail:
	agent_layer_free(al);
	return r;
}

void agent_layer_free(struct agent_layer *al)
{
	if (!al)
		return;
	/* start nothing more, then the pools: their runs report "stopping"
	 * to a runner still there */
	if (al->runner)
		runner_drain(al->runner);
	for (int k = AGENT_NKINDS - 1; k >= 0; k--)
		if (backends[k]->stop)
			backends[k]->stop(al);
	runner_free(al->runner);
	trie_free(al->trie);
	group_attrs_free(al->groups);
	pthread_mutex_destroy(&al->trie_mu);
	free(al->mount);
	free(al->state_dir);
	free(al->bin_dir);
	free(al);
}
