#include "nfs/diagnose.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/deploy.h"
#include "nfs/gen.h"
#include "nfs/parse.h"
#include "nfs/plan.h"

static int add(struct nfs_diags *d, const char *rule, int action,
	       const char *host, const char *arg, const char *subject,
	       const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static int add(struct nfs_diags *d, const char *rule, int action,
	       const char *host, const char *arg, const char *subject,
	       const char *fmt, ...)
{
	struct nfs_diag *x;
	uint32_t h = 2166136261u;
	va_list ap;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct nfs_diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	x = &d->v[d->n++];
	memset(x, 0, sizeof(*x));
	x->rule = rule;
	x->action = action;
	snprintf(x->host, sizeof(x->host), "%s", host);
	snprintf(x->arg, sizeof(x->arg), "%s", arg ? arg : "");
	snprintf(x->subject, sizeof(x->subject), "%s", subject);
	va_start(ap, fmt);
	vsnprintf(x->evidence, sizeof(x->evidence), fmt, ap);
	va_end(ap);
	for (const char *s = rule; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	for (const char *s = subject; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	snprintf(x->id, sizeof(x->id), "d%06x", h & 0xffffff);
	/* restoring the plan on a host cannot lose data; withdrawing an
	 * export someone uses (unplanned-export) can fail writes in flight */
	x->safe = action == NFS_ACT_RESTART ||
		  (action == NFS_ACT_REDEPLOY && strcmp(rule, "unplanned-export") != 0);
	return 0;
}

static int daemons(const struct nfs_obs *o, struct nfs_diags *d)
{
	char unit[64], state[32], subj[160];
	int r = 0;

	for (const char *s = o->daemons; r >= 0 && s && *s;) {
		size_t l = strcspn(s, "\n");

		if (s[0] != '#' && sscanf(s, "%63s %31s", unit, state) == 2 &&
		    strcmp(state, "active") != 0) {
			snprintf(subj, sizeof(subj), "%s %s", o->host, unit);
			r = add(d, "daemon-down", NFS_ACT_RESTART, o->host, unit,
				subj, "%s is %s", unit, state);
		}
		s += l + (s[l] == '\n');
	}
	return r;
}

/* A client spec that is a plan host's address means that host: the
 * generators write names or addresses by platform, a host file may hold
 * either. */
static const char *canon(const struct nfs_plan *p, const char *spec)
{
	for (size_t i = 0; i < p->nhosts; i++)
		if (p->hosts[i].address && strcmp(p->hosts[i].address, spec) == 0)
			return p->hosts[i].name;
	return spec;
}

static bool same_clients(const struct nfs_plan *p, const struct nfs_export *a,
			 const struct nfs_export *b)
{
	if (a->nclients != b->nclients)
		return false;
	for (size_t i = 0; i < a->nclients; i++) {
		bool found = false;

		for (size_t k = 0; !found && k < b->nclients; k++)
			found = strcmp(canon(p, a->clients[i].spec),
				       canon(p, b->clients[k].spec)) == 0 &&
				a->clients[i].deny == b->clients[k].deny &&
				nfs_xopts_equal(&a->clients[i].opts, &b->clients[k].opts);
		if (!found)
			return false;
	}
	return true;
}

/* The clients and options of an export, as the plan writes them. */
static void clients_text(const struct nfs_export *e, char *dst, size_t n)
{
	struct buf b = BUF_INIT;
	const char *s;

	if (nfs_export_print(e, &b) < 0) {
		snprintf(dst, n, "?");
	} else {
		s = buf_str(&b);
		for (int w = 0; w < 2; w++) {  /* past "export server:path " */
			s += strcspn(s, " ");
			s += *s == ' ';
		}
		snprintf(dst, n, "%.*s", (int)strcspn(s, "\n"), s);
	}
	buf_release(&b);
}

/* Exports present in both files whose clients or options differ.  Both
 * files go through the same parser, so a client the generator wrote as
 * an address compares with what the host has as written. */
static int differs(const struct nfs_plan *p, const struct nfs_host *h,
		   const char *name,
		   const struct nfs_plan *have, const struct nfs_plan *want,
		   struct nfs_diags *d, int *found)
{
	char subj[300], live[120], plan[120];
	int r = 0;

	for (size_t i = 0; r >= 0 && i < want->nexports; i++) {
		const struct nfs_export *w = &want->exports[i];
		const struct nfs_export *x = nfs_plan_export(have, h->name, w->path);

		if (!x || same_clients(p, x, w))
			continue;
		clients_text(x, live, sizeof(live));
		clients_text(w, plan, sizeof(plan));
		snprintf(subj, sizeof(subj), "%s:%s", h->name, w->path);
		r = add(d, "export-differs", NFS_ACT_REDEPLOY, h->name, NULL, subj,
			"%s has %s, the plan %s", name, live, plan);
		(*found)++;
	}
	return r;
}

/* The export file of a server against the plan: unplanned, missing and
 * differing exports, else drift. */
static int exports(const struct nfs_plan *p, const struct nfs_host *h,
		   const char *name, const char *have, const char *want,
		   struct nfs_diags *d)
{
	struct nfs_plan *q = nfs_plan_new(), *qw = nfs_plan_new();
	struct nfs_error err = { 0 };
	char subj[300];
	int r = q && qw ? 0 : -ENOMEM, found = 0;

	if (r >= 0 && have && nfs_parse(nfs_format_of(h->platform, 0), have,
					strlen(have), h->name, p, q, NULL, &err) < 0) {
		snprintf(subj, sizeof(subj), "%s %s", h->name, name);
		r = add(d, "config-drift", NFS_ACT_REDEPLOY, h->name, NULL, subj,
			"%s does not parse (line %u: %s)", name, err.line, err.msg);
		nfs_plan_free(q);
		nfs_plan_free(qw);
		return r;
	}
	if (r >= 0 && nfs_parse(nfs_format_of(h->platform, 0), want, strlen(want),
				h->name, p, qw, NULL, &err) < 0)
		nfs_plan_free(qw), qw = NULL;   /* ours: cannot happen */
	for (size_t i = 0; r >= 0 && q && i < q->nexports; i++)
		if (!nfs_plan_export(p, h->name, q->exports[i].path)) {
			snprintf(subj, sizeof(subj), "%s:%s", h->name, q->exports[i].path);
			r = add(d, "unplanned-export", NFS_ACT_REDEPLOY, h->name, NULL,
				subj, "%s exports it, the plan does not", name);
			found++;
		}
	for (size_t i = 0; r >= 0 && i < p->nexports; i++)
		if (strcmp(p->exports[i].server, h->name) == 0 &&
		    !nfs_plan_export(q, h->name, p->exports[i].path)) {
			snprintf(subj, sizeof(subj), "%s:%s", h->name, p->exports[i].path);
			r = add(d, "export-missing", NFS_ACT_REDEPLOY, h->name, NULL,
				subj, "planned, not in %s", name);
			found++;
		}
	if (r >= 0 && have && qw)
		r = differs(p, h, name, q, qw, d, &found);
	if (r >= 0 && !found && (!have || strcmp(have, want) != 0)) {
		snprintf(subj, sizeof(subj), "%s %s", h->name, name);
		r = add(d, "config-drift", NFS_ACT_REDEPLOY, h->name, NULL, subj,
			"%s differs from generated/%s/%s", name, h->name, name);
	}
	nfs_plan_free(q);
	nfs_plan_free(qw);
	return r;
}

static bool has_imports(const struct nfs_plan *p, const char *host)
{
	for (size_t i = 0; i < p->nimports; i++)
		if (strcmp(p->imports[i].client, host) == 0)
			return true;
	return false;
}

static int one(const struct nfs_plan *p, const struct nfs_gen_out *out,
	       const struct nfs_obs *o, struct nfs_diags *d)
{
	const struct nfs_host *h = nfs_plan_host(p, o->host);
	char subj[200];
	int r = 0;

	if (!h)
		return 0;
	if (!o->reachable)
		return add(d, "host-unreachable", NFS_ACT_ADMIN, h->name, NULL,
			   h->name, "%s", o->why ? o->why : "no answer");
	/* the NFS daemons matter on servers; a client needs none running */
	for (size_t i = 0; i < p->nexports; i++)
		if (strcmp(p->exports[i].server, h->name) == 0) {
			r = daemons(o, d);
			break;
		}
	for (size_t i = 0; r >= 0 && i < out->n; i++) {
		const struct nfs_gen_file *g = &out->v[i];
		const char *have = NULL;
		bool import = nfs_gen_filename(h->platform, 1) &&
			      strcmp(g->name, nfs_gen_filename(h->platform, 1)) == 0;
		struct buf m = BUF_INIT;

		if (strcmp(g->host, h->name) != 0)
			continue;
		for (size_t k = 0; k < o->nfiles; k++)
			if (strcmp(o->files[k].name, g->name) == 0)
				have = o->files[k].content;
		if (!import) {
			r = exports(p, h, g->name, have, buf_str(&g->content), d);
			continue;
		}
		/* a host the plan gives no import: drift only if it mounts */
		r = nfs_merge_imports(h->platform, have ? have : "",
				      has_imports(p, h->name) ?
				      buf_str(&g->content) : "", &m);
		if (r >= 0 && !has_imports(p, h->name) && have &&
		    strcmp(have, buf_str(&m)) == 0) {
			buf_release(&m);
			continue;
		}
		if (r >= 0 && !has_imports(p, h->name) && !have) {
			buf_release(&m);
			continue;
		}
		if (r >= 0 && (!have || strcmp(have, buf_str(&m)) != 0)) {
			snprintf(subj, sizeof(subj), "%s %s", h->name, g->name);
			r = add(d, "config-drift", NFS_ACT_REDEPLOY, h->name, NULL,
				subj, "the NFS entries of %s differ from the plan",
				g->name);
		}
		buf_release(&m);
	}
	return r;
}

/* A client that cannot reach its import: the server's own findings
 * come first in the evidence, they are what to check. */
static int cannot_access(const struct nfs_obs *o, struct nfs_diags *d)
{
	char subj[200], seen[160];
	int r = 0;

	for (size_t i = 0; r >= 0 && i < o->naccess; i++) {
		const struct nfs_access *a = &o->access[i];
		size_t n = d->n, len = 0;

		if (a->ok)
			continue;
		seen[0] = '\0';
		for (size_t k = 0; k < n && len < sizeof(seen) - 20; k++)
			if (strcmp(d->v[k].host, a->server) == 0 &&
			    d->v[k].action != NFS_ACT_CHECK_SERVER)
				len += (size_t)snprintf(seen + len, sizeof(seen) - len,
						"%s%s %s", len ? ", " : "",
						d->v[k].id, d->v[k].rule);
		snprintf(subj, sizeof(subj), "%s:%s", o->host, a->mountpoint);
		r = add(d, "client-cannot-access", NFS_ACT_CHECK_SERVER, a->server,
			o->host, subj, "%s:%s: %s; server %s: %s", a->server, a->path,
			a->detail ? a->detail : "refused", a->server,
			len ? seen : "no finding");
		if (r >= 0)
			snprintf(d->v[d->n - 1].path, sizeof(d->v[0].path), "%s", a->path);
	}
	return r;
}

int nfs_diagnose(const struct nfs_plan *p, const struct nfs_obs *obs,
		 size_t nobs, struct nfs_diags *out)
{
	struct nfs_gen_out gen = NFS_GEN_OUT_INIT;
	struct nfs_error err = { 0 };
	int r = nfs_generate(p, &gen, &err);

	for (size_t i = 0; r >= 0 && i < nobs; i++)
		r = one(p, &gen, &obs[i], out);
	for (size_t i = 0; r >= 0 && i < nobs; i++)
		if (obs[i].reachable)
			r = cannot_access(&obs[i], out);
	nfs_gen_out_release(&gen);
	return r;
}

void nfs_diags_release(struct nfs_diags *d)
{
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

int nfs_diags_print(const struct nfs_diags *d, struct buf *b)
{
	char act[160];
	int r = 0;

	for (size_t i = 0; r >= 0 && i < d->n; i++) {
		const struct nfs_diag *x = &d->v[i];

		if (x->action == NFS_ACT_RESTART)
			snprintf(act, sizeof(act), "restart %s on %s", x->arg, x->host);
		else if (x->action == NFS_ACT_REDEPLOY)
			snprintf(act, sizeof(act), "redeploy %s", x->host);
		else if (x->action == NFS_ACT_CHECK_SERVER)
			snprintf(act, sizeof(act), "check %s first, then tell the admin",
				 x->host);
		else
			snprintf(act, sizeof(act), "tell the admin");
		r = buf_printf(b, "%s %s %s: %s -> %s\n", x->id, x->rule,
			       x->subject, x->evidence, act);
	}
	if (r >= 0 && d->n == 0)
		r = buf_append_str(b, "no findings\n");
	return r;
}

const struct nfs_diag *nfs_diags_find(const struct nfs_diags *d,
				      const char *id)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].id, id) == 0)
			return &d->v[i];
	return NULL;
}
