#include "nfs/deploy.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nfs/client.h"
#include "nfs/gen.h"
#include "nfs/journal.h"
#include "nfs/parse.h"
#include "nfs/plan.h"

#define MSG 256

/* ------------------------------------------------------------ merge */

/* True when line (len bytes) is one of gen's comment lines. */
static bool gen_comment(const char *gen, const char *line, size_t len)
{
	for (const char *s = gen; *s;) {
		size_t l = strcspn(s, "\n");

		if ((s[0] == '#' || s[0] == '*') && l == len &&
		    memcmp(s, line, len) == 0)
			return true;
		s += l + (s[l] == '\n');
	}
	return false;
}

/* The whitespace-separated field k (0-based) of a line, as "nfs" test. */
static bool field_is_nfs(const char *line, size_t len, int k)
{
	size_t i = 0, start, l;

	for (int f = 0; ; f++) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		if (start == i)
			return false;
		if (f == k) {
			l = i - start;
			return (l == 3 && memcmp(line + start, "nfs", 3) == 0) ||
			       (l == 4 && memcmp(line + start, "nfs4", 4) == 0);
		}
	}
}

static int merge_lines(const char *cur, const char *gen, int k,
		       struct buf *out)
{
	int r = buf_append_str(out, gen);

	for (const char *s = cur; r >= 0 && *s;) {
		size_t l = strcspn(s, "\n");

		if (!field_is_nfs(s, l, k) && !gen_comment(gen, s, l) &&
		    !(l == 0 && s[l] == '\0'))
			r = buf_append(out, s, l + (s[l] == '\n'));
		s += l + (s[l] == '\n');
	}
	if (r >= 0 && out->len && out->data[out->len - 1] != '\n')
		r = buf_append_str(out, "\n");
	return r;
}

/* AIX /etc/filesystems: stanzas "name:" then indented "key = value". */
static int merge_stanzas(const char *cur, const char *gen, struct buf *out)
{
	int r = buf_append_str(out, gen);
	const char *s = cur;

	while (r >= 0 && *s) {
		const char *st = s;
		bool nfs = false;
		size_t l = strcspn(s, "\n");

		if (l == 0 || gen_comment(gen, s, l) || s[0] == ' ' ||
		    s[0] == '\t') {
			s += l + (s[l] == '\n');   /* blank, our header, stray */
			continue;
		}
		if (s[0] == '*') {
			r = buf_append(out, s, l + (s[l] == '\n'));
			s += l + (s[l] == '\n');
			continue;
		}
		s += l + (s[l] == '\n');
		while (*s == ' ' || *s == '\t') {
			const char *v;

			l = strcspn(s, "\n");
			v = s + strspn(s, " \t");
			if (strncmp(v, "vfs", 3) == 0 && v < s + l) {
				v += 3 + strspn(v + 3, " \t");
				if (*v == '=' && field_is_nfs(v + 1, (size_t)(s + l - v - 1), 0))
					nfs = true;
			}
			s += l + (s[l] == '\n');
		}
		if (!nfs) {
			r = buf_append_str(out, "\n");
			if (r >= 0)
				r = buf_append(out, st, (size_t)(s - st));
			if (r >= 0 && out->data[out->len - 1] != '\n')
				r = buf_append_str(out, "\n");
		}
	}
	return r;
}

int nfs_merge_imports(int platform, const char *cur, const char *gen,
		      struct buf *out)
{
	switch (platform) {
	case NFS_PF_SOLARIS:
		return merge_lines(cur, gen, 3, out);
	case NFS_PF_AIX:
		return merge_stanzas(cur, gen, out);
	default:
		return merge_lines(cur, gen, 2, out);
	}
}

/* ------------------------------------------------------------ verify */

/* Checks one planned export against the parsed list l (NULL: absent). */
static int check_export(const struct nfs_plan *p, const struct nfs_export *e,
			const struct nfs_plan *live, const struct nfs_export *l,
			const char *client, char *why, size_t n)
{
	if (!l) {
		snprintf(why, n, "export %s not served%s%s (the server did not "
			 "load it)", e->path, client ? " to " : "",
			 client ? client : "");
		return -EPROTO;
	}
	for (size_t j = 0; !client && j < e->nclients; j++) {
		const struct nfs_client *c = &e->clients[j];
		const struct nfs_host *h = nfs_plan_host(p, c->spec);
		bool ok = false;

		if (c->deny || !h || !h->address)
			continue;   /* only plan hosts can be checked */
		for (size_t k = 0; !ok && k < l->nclients; k++)
			ok = nfs_client_matches(live, l->clients[k].spec, h->name,
						h->address);
		if (!ok) {
			snprintf(why, n, "client %s (%s) not allowed on %s",
				 h->name, h->address, e->path);
			return -EPROTO;
		}
	}
	return 0;
}

int nfs_verify_listed(const struct nfs_plan *p, const char *host,
		      const char *client, const char *text, char *why,
		      size_t n)
{
	const struct nfs_host *srv = nfs_plan_host(p, host);
	const struct nfs_host *ch = client ? nfs_plan_host(p, client) : NULL;
	struct nfs_plan *live = NULL;
	struct nfs_error err = { 0 };
	const char *body = strchr(text, '\n');
	int fmt, r;

	if (strncmp(text, "# showmount-e\n", 14) == 0)
		fmt = NFS_FMT_SHOWMOUNT_E;
	else if (strncmp(text, "# exportfs-v\n", 13) == 0)
		fmt = NFS_FMT_EXPORTFS_V;
	else
		return 1;
	if (!srv || (client && !ch))
		return -EINVAL;
	body++;
	live = nfs_plan_new();
	if (!live)
		return -ENOMEM;
	r = nfs_parse(fmt, body, strlen(body), host, NULL, live, NULL, &err);
	if (r < 0) {
		snprintf(why, n, "cannot read the export list: line %u: %s",
			 err.line, err.msg);
		r = -EPROTO;
	}
	for (size_t i = 0; r >= 0 && i < p->nexports; i++) {
		const struct nfs_export *e = &p->exports[i];

		if (strcmp(e->server, host) != 0 ||
		    (ch && nfs_export_match(p, e, srv->platform, ch->name,
					    ch->address) < 0))
			continue;
		r = check_export(p, e, live, nfs_plan_export(live, host, e->path),
				 client, why, n);
	}
	nfs_plan_free(live);
	return r;
}

/* ------------------------------------------------------------ run */

struct run {
	struct nfs_catalog *cat;
	long long id;
	const struct nfs_plan *p;
	const struct nfs_deploy_ops *ops;
	pthread_mutex_t lock;          /* guards the journal and progress */
	const struct nfs_gen_out *prev; /* of the last done deployment, or NULL */
	long long prev_id;
	bool *settled;                 /* per plan host: unchanged, not visited */
};

/* True when the last done deployment generated exactly these files for
 * host: it holds them already (a hand edit since is drift, which the
 * diagnosis finds), so it is not even read. */
static bool as_deployed(const struct run *x, const char *host,
			const struct nfs_gen_out *out)
{
	size_t a = 0, b = 0;

	if (!x->prev)
		return false;
	for (size_t i = 0; i < out->n; i++) {
		bool same = false;

		if (strcmp(out->v[i].host, host) != 0)
			continue;
		a++;
		for (size_t k = 0; !same && k < x->prev->n; k++)
			same = strcmp(x->prev->v[k].host, host) == 0 &&
			       strcmp(x->prev->v[k].name, out->v[i].name) == 0 &&
			       strcmp(buf_str(&x->prev->v[k].content),
				      buf_str(&out->v[i].content)) == 0;
		if (!same)
			return false;
	}
	for (size_t k = 0; k < x->prev->n; k++)
		b += strcmp(x->prev->v[k].host, host) == 0;
	return a == b;
}

static int state(struct run *x, const char *host, const char *st,
		 const char *detail)
{
	int r;

	pthread_mutex_lock(&x->lock);
	if (x->ops->progress)
		x->ops->progress(x->ops->arg, host, st, detail ? detail : "");
	r = nfs_journal_host(x->cat, x->id, host, st, detail);
	pthread_mutex_unlock(&x->lock);
	return r;
}

static int journal_file(struct run *x, const char *host, const char *name,
			const char *old, const char *new_text)
{
	int r;

	pthread_mutex_lock(&x->lock);
	r = nfs_journal_file(x->cat, x->id, host, name, old, new_text);
	pthread_mutex_unlock(&x->lock);
	return r;
}

struct hfile {
	const char *name;
	char *old;                     /* NULL: absent */
	char *new_text;
};

static bool is_server(const struct nfs_plan *p, const char *host)
{
	for (size_t i = 0; i < p->nexports; i++)
		if (strcmp(p->exports[i].server, host) == 0)
			return true;
	return false;
}

/* Writes back the old files and activates; 0 or -errno. */
static int roll_back(struct run *x, const struct nfs_host *h,
		     struct hfile *f, size_t nf, char *msg)
{
	int r = 0;

	for (size_t i = 0; i < nf; i++) {
		int q = x->ops->put(x->ops->arg, h->name, f[i].name, f[i].old,
				    msg, MSG);

		if (q < 0 && r >= 0)
			r = q;
	}
	if (r >= 0 && is_server(x->p, h->name))
		r = x->ops->activate(x->ops->arg, h->name, h->platform, msg, MSG);
	return r;
}

/* True when some export of server lets the plan host c mount it. */
static bool may_mount(const struct nfs_plan *p, const struct nfs_host *srv,
		      const struct nfs_host *c)
{
	for (size_t i = 0; i < p->nexports; i++)
		if (strcmp(p->exports[i].server, srv->name) == 0 &&
		    nfs_export_match(p, &p->exports[i], srv->platform, c->name,
				     c->address) >= 0)
			return true;
	return false;
}

/* A server's live state against the plan: ganesha through the eyes of
 * every planned client host that answers, others from their own list. */
#define VERIFY_TRIES 15

static int verify_server(struct run *x, const struct nfs_host *h, char *msg)
{
	struct buf b = BUF_INIT;
	char m2[MSG];
	int r = 0;

	if (h->platform == NFS_PF_GANESHA && h->address) {
		for (size_t k = 0; r >= 0 && k < x->p->nhosts; k++) {
			const struct nfs_host *c = &x->p->hosts[k];

			if (c == h || !c->address || !may_mount(x->p, h, c))
				continue;
			/* a reload is asynchronous (SIGHUP; systemctl returns
			 * at once): a list without the export is asked again
			 * for up to VERIFY_TRIES * 0.2 s before it counts */
			for (int t = 0; t < VERIFY_TRIES; t++) {
				if (t > 0)
					nanosleep(&(struct timespec){ 0, 200000000L }, NULL);
				buf_reset(&b);
				if (x->ops->probe(x->ops->arg, c->name, h->address, &b,
						  m2, sizeof(m2)) < 0) {
					r = 1;     /* that client cannot tell */
					break;
				}
				r = nfs_verify_listed(x->p, h->name, c->name,
						      buf_str(&b), msg, MSG);
				if (r != -EPROTO)
					break;
			}
			if (r == 1)
				r = 0;
		}
		buf_release(&b);
		return r > 0 ? 0 : r;
	}
	r = x->ops->live(x->ops->arg, h->name, &b, msg, MSG);
	if (r >= 0)
		r = nfs_verify_listed(x->p, h->name, NULL, buf_str(&b), msg, MSG);
	buf_release(&b);
	return r > 0 ? 0 : r;
}

/* Verifies a host: the files read back, and a server's live list. */
static int verify(struct run *x, const struct nfs_host *h, struct hfile *f,
		  size_t nf, char *msg)
{
	struct buf b = BUF_INIT;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < nf; i++) {
		buf_reset(&b);
		r = x->ops->get(x->ops->arg, h->name, f[i].name, &b, msg, MSG);
		if (r >= 0 && strcmp(buf_str(&b), f[i].new_text) != 0) {
			snprintf(msg, MSG, "%s reads back different", f[i].name);
			r = -EPROTO;
		}
	}
	if (r >= 0 && is_server(x->p, h->name))
		r = verify_server(x, h, msg);
	buf_release(&b);
	return r;
}

static void hfiles_free(struct hfile *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].old);
		free(f[i].new_text);
	}
}

/* Deploys one host: returns 0 deployed/unchanged, 1 failed, -errno. */
static int one_host(struct run *x, const struct nfs_host *h,
		    const struct nfs_gen_out *out, bool force, bool dry_run)
{
	struct hfile f[2] = { { 0 } };
	size_t nf = 0;
	char msg[MSG] = "", detail[MSG + 64];
	bool changed = false;
	struct buf b = BUF_INIT;
	int r = 0, q;

	for (size_t i = 0; r >= 0 && i < out->n && nf < 2; i++) {
		const struct nfs_gen_file *g = &out->v[i];
		bool import = nfs_gen_filename(h->platform, 1) &&
			      strcmp(g->name, nfs_gen_filename(h->platform, 1)) == 0;

		if (strcmp(g->host, h->name) != 0)
			continue;
		buf_reset(&b);
		q = x->ops->get(x->ops->arg, h->name, g->name, &b, msg, MSG);
		if (q == -ENOTCONN) {
			r = q;
			break;
		}
		if (q < 0 && q != -ENOENT) {
			snprintf(detail, sizeof(detail), "unreachable, nothing "
				 "changed: %s", msg);
			r = state(x, h->name, "failed", detail);
			hfiles_free(f, nf);
			buf_release(&b);
			return r < 0 ? r : 1;
		}
		f[nf].name = g->name;
		f[nf].old = q == -ENOENT ? NULL : strdup(buf_str(&b));
		if (import) {
			struct buf m = BUF_INIT;

			r = nfs_merge_imports(h->platform, q == -ENOENT ? "" :
					      buf_str(&b), buf_str(&g->content), &m);
			f[nf].new_text = buf_steal(&m);
			buf_release(&m);
		} else {
			f[nf].new_text = strdup(buf_str(&g->content));
		}
		if (!f[nf].new_text || (q != -ENOENT && !f[nf].old))
			r = -ENOMEM;
		if (r >= 0 && (!f[nf].old || strcmp(f[nf].old, f[nf].new_text)))
			changed = true;
		nf++;
	}
	buf_release(&b);
	if (r < 0)
		goto out;
	if (!changed && !force) {
		r = state(x, h->name, "unchanged", "");
		goto out;
	}
	if (dry_run) {
		snprintf(detail, sizeof(detail), "would change %s%s%s", f[0].name,
			 nf > 1 ? " " : "", nf > 1 ? f[1].name : "");
		r = state(x, h->name, "would-change", detail);
		goto out;
	}
	for (size_t i = 0; r >= 0 && i < nf; i++)
		r = journal_file(x, h->name, f[i].name, f[i].old, f[i].new_text);
	if (r >= 0)
		r = state(x, h->name, "propagating", "");
	q = 0;
	for (size_t i = 0; r >= 0 && q >= 0 && i < nf; i++)
		q = x->ops->put(x->ops->arg, h->name, f[i].name, f[i].new_text,
				msg, MSG);
	if (r >= 0 && q >= 0 && is_server(x->p, h->name)) {
		r = state(x, h->name, "activating", "");
		if (r >= 0)
			q = x->ops->activate(x->ops->arg, h->name, h->platform,
					     msg, MSG);
	}
	if (r >= 0 && q >= 0) {
		r = state(x, h->name, "verifying", "");
		if (r >= 0)
			q = verify(x, h, f, nf, msg);
	}
	if (r >= 0 && q == -ENOTCONN)
		r = q;                 /* no way to reach anyone: stop here */
	if (r < 0)
		goto out;
	if (q >= 0) {
		r = state(x, h->name, "deployed", "");
		goto out;
	}
	snprintf(detail, sizeof(detail), "%s", msg);
	r = state(x, h->name, "rolling-back", detail);
	q = r < 0 ? r : roll_back(x, h, f, nf, msg);
	if (r >= 0 && q == -ENOTCONN)
		r = q;                 /* left rolling-back, for recovery */
	if (r >= 0) {
		char d2[sizeof(detail) + MSG + 32];

		if (q < 0)
			snprintf(d2, sizeof(d2), "%s; rollback failed too: %s",
				 detail, msg);
		else
			snprintf(d2, sizeof(d2), "%s; old files put back", detail);
		r = state(x, h->name, q < 0 ? "failed" : "rolled-back", d2);
	}
	r = r < 0 ? r : 1;
out:
	hfiles_free(f, nf);
	return r;
}

/* True when a server of one of client's imports failed. */
static const char *failed_server(const struct nfs_plan *p, const char *client,
				 const bool *failed)
{
	for (size_t i = 0; i < p->nimports; i++) {
		const struct nfs_import *im = &p->imports[i];

		if (strcmp(im->client, client) != 0)
			continue;
		for (size_t k = 0; k < p->nhosts; k++)
			if (failed[k] && strcmp(p->hosts[k].name, im->server) == 0)
				return im->server;
	}
	return NULL;
}

/* One pass (servers or clients) over the hosts, ops->parallel at a time:
 * a worker takes the next host until none is left. */
struct pass {
	struct run *x;
	const struct nfs_gen_out *out;
	const char *only;
	bool force, dry_run, servers;
	bool *failed;                  /* per plan host, under lock */
	size_t next;                   /* under lock */
	int nfail, r;                  /* under lock */
};

static void *pass_worker(void *arg)
{
	struct pass *ps = arg;
	struct run *x = ps->x;
	const struct nfs_plan *p = x->p;

	for (;;) {
		const struct nfs_host *h;
		const char *srv = NULL;
		char d[300];
		size_t k;
		int r;

		pthread_mutex_lock(&x->lock);
		while (ps->next < p->nhosts && ps->r >= 0 &&
		       ((ps->only && strcmp(p->hosts[ps->next].name, ps->only)) ||
			x->settled[ps->next] ||
			is_server(p, p->hosts[ps->next].name) != ps->servers))
			ps->next++;
		k = ps->next++;
		if (k >= p->nhosts || ps->r < 0) {
			pthread_mutex_unlock(&x->lock);
			return NULL;
		}
		h = &p->hosts[k];
		if (!ps->servers)
			srv = failed_server(p, h->name, ps->failed);
		pthread_mutex_unlock(&x->lock);
		if (srv) {
			snprintf(d, sizeof(d), "its server %s failed", srv);
			r = state(x, h->name, "skipped", d);
			r = r < 0 ? r : 1;
		} else {
			r = one_host(x, h, ps->out, ps->force, ps->dry_run);
		}
		pthread_mutex_lock(&x->lock);
		if (r == 1) {
			ps->failed[k] = true;
			ps->nfail++;
		} else if (r < 0 && ps->r >= 0) {
			ps->r = r;
		}
		pthread_mutex_unlock(&x->lock);
	}
}

static int run_pass(struct pass *ps, unsigned parallel)
{
	pthread_t t[NFS_DEPLOY_MAX_PARALLEL];
	unsigned n = 0;

	if (parallel > NFS_DEPLOY_MAX_PARALLEL)
		parallel = NFS_DEPLOY_MAX_PARALLEL;
	ps->next = 0;
	for (unsigned i = 1; i < parallel; i++)
		if (pthread_create(&t[n], NULL, pass_worker, ps) == 0)
			n++;
	pass_worker(ps);
	for (unsigned i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return ps->r;
}

int nfs_deploy_run(struct nfs_catalog *c, long long id,
		   const struct nfs_plan *p, const struct nfs_deploy_ops *ops,
		   const char *only, bool force, bool dry_run)
{
	struct run x = { c, id, p, ops, PTHREAD_MUTEX_INITIALIZER, NULL, 0,
			 calloc(p->nhosts + 1, sizeof(bool)) };
	char detail[64];
	bool began;
	struct nfs_gen_out out = NFS_GEN_OUT_INIT, prev = NFS_GEN_OUT_INIT;
	struct nfs_error err = { 0 };
	bool *failed = calloc(p->nhosts + 1, sizeof(bool));
	struct pass ps = { &x, &out, only, force, dry_run, true, failed, 0, 0, 0 };
	int r = failed && x.settled ? nfs_generate(p, &out, &err) : -ENOMEM;
	struct buf text = BUF_INIT;
	struct nfs_plan *pp = NULL;

	/* hosts whose files the plan does not change are not contacted */
	if (r >= 0 && nfs_journal_last_done(c, id, &text, &x.prev_id) == 0 &&
	    nfs_plan_parse(buf_str(&text), text.len, &pp, &err) == 0 &&
	    nfs_generate(pp, &prev, &err) == 0)
		x.prev = &prev;
	nfs_plan_free(pp);
	buf_release(&text);

	snprintf(detail, sizeof(detail), "as deployment %lld left it", x.prev_id);
	began = r >= 0 && nfs_journal_batch(c, false) == 0;
	if (r >= 0 && !began)
		r = -EIO;
	for (size_t k = 0; r >= 0 && k < p->nhosts; k++) {
		if (only && strcmp(p->hosts[k].name, only) != 0)
			continue;
		x.settled[k] = !force && as_deployed(&x, p->hosts[k].name, &out);
		r = state(&x, p->hosts[k].name, x.settled[k] ? "unchanged" :
			  "pending", x.settled[k] ? detail : "");
	}
	if (began && nfs_journal_batch(c, true) < 0 && r >= 0)
		r = -EIO;
	/* servers, verified, then clients */
	if (r >= 0)
		r = run_pass(&ps, ops->parallel);
	ps.servers = false;
	if (r >= 0)
		r = run_pass(&ps, ops->parallel);
	if (r >= 0)
		r = nfs_journal_finish(c, id, ps.nfail ? "partial" : "done");
	else if (r != -ENOTCONN)
		nfs_journal_finish(c, id, "failed");
	/* -ENOTCONN: the caller lost its way to the hosts (the daemon died);
	 * the deployment stays running for nfs_journal_recover() */
	nfs_gen_out_release(&out);
	nfs_gen_out_release(&prev);
	free(x.settled);
	free(failed);
	return r < 0 ? r : ps.nfail > 0;
}
