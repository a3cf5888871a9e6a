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

/* The export file of a server against the plan: unplanned and missing
 * exports (by path), else drift. */
static int exports(const struct nfs_plan *p, const struct nfs_host *h,
		   const char *name, const char *have, const char *want,
		   struct nfs_diags *d)
{
	struct nfs_plan *q = nfs_plan_new();
	struct nfs_error err = { 0 };
	char subj[300];
	int r = q ? 0 : -ENOMEM, found = 0;

	if (r >= 0 && have && nfs_parse(nfs_format_of(h->platform, 0), have,
					strlen(have), h->name, p, q, NULL, &err) < 0) {
		snprintf(subj, sizeof(subj), "%s %s", h->name, name);
		r = add(d, "config-drift", NFS_ACT_REDEPLOY, h->name, NULL, subj,
			"%s does not parse (line %u: %s)", name, err.line, err.msg);
		nfs_plan_free(q);
		return r;
	}
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
	if (r >= 0 && !found && (!have || strcmp(have, want) != 0)) {
		snprintf(subj, sizeof(subj), "%s %s", h->name, name);
		r = add(d, "config-drift", NFS_ACT_REDEPLOY, h->name, NULL, subj,
			"%s differs from generated/%s/%s", name, h->name, name);
	}
	nfs_plan_free(q);
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

int nfs_diagnose(const struct nfs_plan *p, const struct nfs_obs *obs,
		 size_t nobs, struct nfs_diags *out)
{
	struct nfs_gen_out gen = NFS_GEN_OUT_INIT;
	struct nfs_error err = { 0 };
	int r = nfs_generate(p, &gen, &err);

	for (size_t i = 0; r >= 0 && i < nobs; i++)
		r = one(p, &gen, &obs[i], out);
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
