/* discover_master: manual, prompted and periodic discovery (DESIGN §8). */
#include "fs/special.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/inventory.h"
#include "special/dline.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/strutil.h"

#define DISCOVER_DEPTH_MAX 4
#define FIELD_MAX 256

struct batch {
	struct sysman *sm;
	fuse_req_t req;           /* NULL for periodic discovery */
	size_t write_size;        /* > 0: req is a write */
	pthread_mutex_t mu;       /* guards the counters */
	int pending, refused, found, added;
	char err[512];
	uid_t uid;
	pid_t pid;
};

struct pending_line {
	struct batch *b;
	struct dline d;
	int depth;
};

static int find_discover_agent(struct sysman *sm, const char *name, char *out, size_t len)
{
	char roots[PATH_MAX], *save = NULL, *root;

	if (str_copy(roots, sizeof(roots), sm->conf.agent_dir) < 0)
		return 0;
	for (root = strtok_r(roots, ":", &save); root; root = strtok_r(NULL, ":", &save))
		if (str_printf(out, len, "%s/_discover/%s", root, name) == 0 && access(out, F_OK) == 0)
			return 1;
	return 0;
}

static bool line_blank(const char *l)
{
	while (isspace((unsigned char)*l))
		l++;
	return !*l || *l == '#';
}

static bool line_is_prompt(const char *l)
{
	char c[16];

	if (str_copy(c, sizeof(c), l) < 0)
		return false;
	return strcmp(str_strip(c), "1") == 0;
}

static int set_cb(char *l, void *arg)
{
	struct dline *d = arg;
	const char *w = dline_set_words(l);
	char copy[1024], *save = NULL;

	if (!w || str_copy(copy, sizeof(copy), w) < 0)
		return 0;
	for (char *t = strtok_r(copy, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save))
		if (dline_attrs_put(d->attrs, sizeof(d->attrs), t) < 0)
			log_warn("discovery of %s %s: ignored bad attribute '%.64s' from its agent",
				 d->kind, d->addr, t);
	return 0;
}

int discover_check_line(struct sysman *sm, const char *line, char *why, size_t whylen)
{
	struct dline d;

	if (line_blank(line) || line_is_prompt(line))
		return 0;
	if (dline_parse(line, &d, why, whylen) < 0)
		return -EINVAL;
	if (!conf_kind_place(&sm->conf, d.kind)) {
		snprintf(why, whylen, "unknown kind '%s' (known: server, bmc, chassis, switch and the [kinds] section)",
			 d.kind);
		return -EINVAL;
	}
	return 0;
}

/* ---- batches ---- */

static void batch_put(struct batch *b)
{
	struct sysman *sm = b->sm;
	char msg[700];
	bool last;

	pthread_mutex_lock(&b->mu);
	last = --b->pending == 0;
	pthread_mutex_unlock(&b->mu);
	if (!last)
		return;
	if (b->refused) {
		snprintf(msg, sizeof(msg), "%s", b->err);
		sm_write_status(sm, "/discover_master", EINVAL, msg);
		log_warn("discover_master: %s", b->err);
	} else {
		snprintf(msg, sizeof(msg), "discovered %d device%s (%d new)", b->found,
			 b->found == 1 ? "" : "s", b->added);
		sm_write_status(sm, "/discover_master", 0, msg);
		log_notice("discovery: %s", msg);
	}
	if (b->req && b->refused)
		fuse_reply_err(b->req, EINVAL);
	else if (b->req && b->write_size)
		fuse_reply_write(b->req, b->write_size);
	else if (b->req)
		fuse_reply_err(b->req, 0);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

static void add_device(struct batch *b, const struct dline *d)
{
	struct sysman *sm = b->sm;
	char path[PATH_MAX];
	struct device dev;
	const char *leaf = d->name[0] ? d->name : d->addr;
	int r;

	if (d->parent[0])
		r = str_printf(path, sizeof(path), "/%s/%s", d->parent, leaf);
	else
		r = str_printf(path, sizeof(path), "/%s/%s", conf_kind_place(&sm->conf, d->kind), leaf);
	if (r < 0)
		return;
	r = backing_mkdirs(sm, path, 0755);
	if (r < 0) {
		log_warn("cannot create '%s': %s", path, strerror(-r));
		return;
	}
	dev.path = path;
	dev.kind = (char *)d->kind;
	dev.address = (char *)d->addr;
	dev.name = (char *)d->name;
	dev.attrs = (char *)d->attrs;
	r = inventory_put(sm->inv, &dev);
	pthread_mutex_lock(&b->mu);
	b->found++;
	if (r > 0)
		b->added++;
	pthread_mutex_unlock(&b->mu);
	if (r > 0)
		log_info("discovered %s %s at '%s'", d->kind, d->addr, path);
}

static void discover_line(struct batch *b, const char *line, int depth);

struct line_ctx {
	struct batch *b;
	int depth;
	bool skip_prompts;     /* agents' output: "name? ..." lines are prompts */
};

static int line_cb(char *l, void *arg)
{
	struct line_ctx *c = arg;

	if (!line_blank(l) && !(c->skip_prompts && (line_is_prompt(l) || dline_set_words(l))))
		discover_line(c->b, l, c->depth);
	return 0;
}

static void each_output_line(struct batch *b, const struct buf *out, int depth)
{
	struct line_ctx c = { b, depth, true };

	str_each_line(buf_str(out), 2048, line_cb, &c);
}

static void kind_done(struct sysman *sm, const struct sm_run_opts *o,
		      const struct agent_result *res, void *arg)
{
	struct pending_line *pl = arg;
	struct batch *b = pl->b;

	(void)sm;
	(void)o;
	if (res->rc != 0) {
		pthread_mutex_lock(&b->mu);
		if (pl->depth == 0)
			b->refused++;
		if (!b->err[0])
			snprintf(b->err, sizeof(b->err), "%s %s refused: %s", pl->d.kind, pl->d.addr,
				 res->message[0] ? res->message : "discovery agent failed");
		pthread_mutex_unlock(&b->mu);
	} else {
		str_each_line(buf_str(res->out), 2048, set_cb, &pl->d);
		add_device(b, &pl->d);
		if (pl->depth < DISCOVER_DEPTH_MAX)
			each_output_line(b, res->out, pl->depth + 1);
	}
	free(pl);
	batch_put(b);
}

static void scan_done(struct sysman *sm, const struct sm_run_opts *o,
		      const struct agent_result *res, void *arg)
{
	struct batch *b = arg;

	(void)sm;
	(void)o;
	if (res->rc != 0) {
		pthread_mutex_lock(&b->mu);
		if (!b->err[0])
			snprintf(b->err, sizeof(b->err), "scan failed: %s", res->message);
		pthread_mutex_unlock(&b->mu);
		log_warn("discovery scan failed: %d %s", res->rc, res->message);
	}
	each_output_line(b, res->out, 1);
	batch_put(b);
}

static int submit(struct batch *b, const char *exec, const char *input, const char *const *env,
		  void (*after)(struct sysman *, const struct sm_run_opts *, const struct agent_result *, void *),
		  void *arg)
{
	struct sm_run_opts o;
	int r;

	memset(&o, 0, sizeof(o));
	o.path = "/discover_master";
	o.exec = exec;
	o.op = AGENT_WRITE;
	o.input = input;
	o.input_len = input ? strlen(input) : 0;
	o.uid = b->uid;
	o.pid = b->pid;
	o.raw = true;
	o.extra_env = env;
	o.after = after;
	o.after_arg = arg;
	pthread_mutex_lock(&b->mu);
	b->pending++;
	pthread_mutex_unlock(&b->mu);
	r = sm_run_agent(b->sm, &o);
	if (r < 0) {
		pthread_mutex_lock(&b->mu);
		b->pending--;
		pthread_mutex_unlock(&b->mu);
	}
	return r;
}

static void discover_line(struct batch *b, const char *line, int depth)
{
	struct sysman *sm = b->sm;
	char exec[PATH_MAX], why[256], input[2048];
	char e_addr[FIELD_MAX + 32], e_kind[96], e_name[FIELD_MAX + 32];
	const char *env[4];
	struct pending_line *pl;

	if (line_is_prompt(line)) {
		if (!find_discover_agent(sm, "scan", exec, sizeof(exec))) {
			log_warn("discovery: no scan agent in agent_dir '%s'", sm->conf.agent_dir);
			pthread_mutex_lock(&b->mu);
			if (!b->err[0])
				str_copy(b->err, sizeof(b->err), "no _discover/scan agent");
			pthread_mutex_unlock(&b->mu);
			return;
		}
		if (submit(b, exec, NULL, NULL, scan_done, b) < 0)
			log_err("cannot start discovery scan");
		return;
	}
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return;
	pl->b = b;
	pl->depth = depth;
	if (dline_parse(line, &pl->d, why, sizeof(why)) < 0 || !conf_kind_place(&sm->conf, pl->d.kind)) {
		log_warn("discovery: ignoring line '%.100s': %s", line,
			 pl->d.kind[0] && !conf_kind_place(&sm->conf, pl->d.kind) ? "unknown kind" : why);
		free(pl);
		return;
	}
	if (!find_discover_agent(sm, pl->d.kind, exec, sizeof(exec))) {
		/* no agent to vet it: trust the line */
		add_device(b, &pl->d);
		free(pl);
		return;
	}
	snprintf(input, sizeof(input), "%s%s%s%s%s", pl->d.addr, pl->d.name[0] ? " " : "", pl->d.name,
		 pl->d.attrs[0] ? " " : "", pl->d.attrs);
	snprintf(e_addr, sizeof(e_addr), "SYSMAN_ADDRESS=%s", pl->d.addr);
	snprintf(e_kind, sizeof(e_kind), "SYSMAN_KIND=%s", pl->d.kind);
	snprintf(e_name, sizeof(e_name), "SYSMAN_NAME=%s", pl->d.name);
	env[0] = e_addr;
	env[1] = e_kind;
	env[2] = e_name;
	env[3] = NULL;
	if (submit(b, exec, input, env, kind_done, pl) < 0) {
		log_err("cannot start discovery agent '%s'", exec);
		free(pl);
	}
}

void discover_run(struct sysman *sm, fuse_req_t req, const char *text, size_t write_size,
		  uid_t uid, pid_t pid)
{
	struct batch *b = calloc(1, sizeof(*b));
	const char *p = text;

	if (!b) {
		if (req)
			fuse_reply_err(req, ENOMEM);
		return;
	}
	b->sm = sm;
	b->req = req;
	b->write_size = write_size;
	b->uid = uid;
	b->pid = pid;
	b->pending = 1;  /* held until every line is submitted */
	pthread_mutex_init(&b->mu, NULL);
	{
		struct line_ctx c = { b, 0, false };

		str_each_line(p, 2048, line_cb, &c);
	}
	batch_put(b);
}

static int restore_one(const struct device *d, void *arg)
{
	struct sysman *sm = arg;

	if (backing_mkdirs(sm, d->path, 0755) < 0)
		log_warn("cannot recreate device directory '%s'", d->path);
	return 0;
}

int discover_restore(struct sysman *sm)
{
	return inventory_each(sm->inv, restore_one, sm);
}
