#include "nfs/check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/client.h"
#include "nfs/opts.h"

struct ctx {
	const struct nfs_plan *p;
	struct nfs_catalog *cat;
	struct nfs_findings *out;
	const struct nfs_host *host;   /* for dependency callbacks */
	bool server;
};

static int add(struct nfs_findings *f, int sev, const char *rule,
	       unsigned line, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int add(struct nfs_findings *f, int sev, const char *rule,
	       unsigned line, const char *fix, const char *fmt, ...)
{
	struct nfs_finding *x;
	va_list ap;

	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 16;

		x = realloc(f->v, ncap * sizeof(*x));
		if (!x)
			return -ENOMEM;
		f->v = x;
		f->cap = ncap;
	}
	x = &f->v[f->n++];
	x->severity = sev;
	x->rule = rule;
	x->line = line;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
	snprintf(x->fix, sizeof(x->fix), "%s", fix);
	if (sev == NFS_SEV_ERROR)
		f->nerrors++;
	return 0;
}

static bool is_ancestor(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (strcmp(a, b) == 0 || strncmp(a, b, n) != 0)
		return false;
	return strcmp(a, "/") == 0 || b[n] == '/';
}

static int check_hosts(struct ctx *c)
{
	const struct nfs_plan *p = c->p;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < p->nexports; i++)
		if (!nfs_plan_host(p, p->exports[i].server))
			r = add(c->out, NFS_SEV_ERROR, "unknown-host",
				p->exports[i].line, "declare it with a host line",
				"export server '%s' is not a declared host",
				p->exports[i].server);
	for (size_t i = 0; r >= 0 && i < p->nimports; i++) {
		const struct nfs_import *im = &p->imports[i];

		if (!nfs_plan_host(p, im->client))
			r = add(c->out, NFS_SEV_ERROR, "unknown-host", im->line,
				"declare it with a host line",
				"import client '%s' is not a declared host",
				im->client);
		if (r >= 0 && !nfs_plan_host(p, im->server))
			r = add(c->out, NFS_SEV_ERROR, "unknown-host", im->line,
				"declare it with a host line",
				"import server '%s' is not a declared host",
				im->server);
	}
	return r;
}

/* Reports one option the platform's restriction refuses. */
static int check_opt(struct ctx *c, const char *service, int pf,
		     const struct nfs_kv *kv, unsigned line)
{
	const char *pfn = nfs_platform_name(pf);
	char why[128] = "", fix[192];
	int r = nfs_catalog_check(c->cat, service, pfn, kv->name, kv->value,
				  why, sizeof(why));

	if (r == 0 || r == -ENOPKG)
		return 0;
	if (r == -EIO)
		return r;
	if (strncmp(kv->name, "client_", 7) == 0) {
		snprintf(fix, sizeof(fix), "name the clients in a form %s "
			 "understands (host names work everywhere)", pfn);
		return add(c->out, NFS_SEV_ERROR, "option-not-supported", line,
			   fix, "%s cannot take a client given as %s%s%s", pfn,
			   kv->name + 7, kv->value[0] ? " like " : "",
			   kv->value);
	}
	if (r == -ENOENT) {
		snprintf(fix, sizeof(fix), "remove '%s'; %s does not support it",
			 kv->name, pfn);
		return add(c->out, NFS_SEV_ERROR, "option-not-supported", line,
			   fix, "option '%s' is not supported on %s", kv->name,
			   pfn);
	}
	snprintf(fix, sizeof(fix), "use a value %s", why);
	return add(c->out, NFS_SEV_ERROR, "option-not-supported", line, fix,
		   "%s=%s is not allowed on %s", kv->name, kv->value, pfn);
}

/* The form of a client spec as pseudo-parameters (client_network, ...)
 * so that the catalog says which forms a platform understands. */
static size_t client_form(const char *spec, struct nfs_kv *kv)
{
	size_t n = 0;

	switch (nfs_client_kind(spec)) {
	case NFS_CK_NET:
		kv[n].name = "client_network";
		kv[n++].value[0] = '\0';
		break;
	case NFS_CK_WILD:
		kv[n].name = "client_wildcard";
		snprintf(kv[n++].value, sizeof(kv[0].value), "%s", spec);
		break;
	case NFS_CK_NETGROUP:
		kv[n].name = "client_netgroup";
		kv[n++].value[0] = '\0';
		break;
	default:
		break;
	}
	if (strchr(spec, ':')) {
		kv[n].name = "client_ipv6";
		kv[n++].value[0] = '\0';
	}
	return n;
}

static int check_export_opts(struct ctx *c, const struct nfs_export *e,
			     int pf)
{
	struct nfs_kv kv[NFS_MAX_KV + 3];
	int r = 0;

	for (size_t i = 0; r >= 0 && i < e->nclients; i++) {
		size_t n = nfs_xopts_list(&e->clients[i].opts, kv);

		if (e->clients[i].deny) {
			kv[n].name = "deny";
			kv[n++].value[0] = '\0';
		}
		n += client_form(e->clients[i].spec, kv + n);
		for (size_t k = 0; r >= 0 && k < n; k++)
			r = check_opt(c, NFS_SVC_SERVER, pf, &kv[k], e->line);
	}
	return r;
}

static int check_options(struct ctx *c)
{
	const struct nfs_plan *p = c->p;
	struct nfs_kv kv[NFS_MAX_KV];
	int r = 0;

	for (size_t i = 0; r >= 0 && i < p->nexports; i++) {
		const struct nfs_host *h = nfs_plan_host(p, p->exports[i].server);

		if (h)
			r = check_export_opts(c, &p->exports[i], h->platform);
	}
	for (size_t i = 0; r >= 0 && i < p->nimports; i++) {
		const struct nfs_import *im = &p->imports[i];
		const struct nfs_host *h = nfs_plan_host(p, im->client);
		const char *pfn = h ? nfs_platform_name(h->platform) : NULL;
		char prod[64];
		size_t n;

		if (!h)
			continue;
		r = nfs_catalog_product(c->cat, NFS_SVC_CLIENT, pfn, prod,
					sizeof(prod));
		if (r == -ENOPKG) {
			r = add(c->out, NFS_SEV_ERROR, "option-not-supported",
				im->line, "import on a host of another platform",
				"%s has no NFS client product; '%s' cannot import",
				pfn, im->client);
			continue;
		}
		n = nfs_mopts_list(&im->opts, kv);
		for (size_t k = 0; r >= 0 && k < n; k++)
			r = check_opt(c, NFS_SVC_CLIENT, h->platform, &kv[k],
				      im->line);
	}
	return r;
}

static int check_import(struct ctx *c, const struct nfs_import *im)
{
	const struct nfs_plan *p = c->p;
	const struct nfs_host *srv = nfs_plan_host(p, im->server);
	const struct nfs_host *cli = nfs_plan_host(p, im->client);
	const struct nfs_export *e;
	int m;

	if (!srv || !cli)
		return 0;
	e = nfs_plan_export_covering(p, im->server, im->path);
	if (!e)
		return add(c->out, NFS_SEV_ERROR, "not-exported", im->line,
			   "add an export line for it or fix the path",
			   "'%s' imports %s:%s, which %s does not export",
			   im->client, im->server, im->path, im->server);
	m = nfs_export_match(p, e, srv->platform, cli->name, cli->address);
	if (m < 0)
		return add(c->out, NFS_SEV_ERROR, "client-not-allowed", im->line,
			   "add the client to the export's client list",
			   "client '%s' is not allowed by any client spec of "
			   "%s:%s (line %u)", im->client, im->server, im->path,
			   e->line);
	if (e->clients[m].opts.rw || im->opts.ro)
		return 0;
	/* an explicit rw is an error; the default (rw) only a warning */
	if (im->opts.set & NFS_MO_ACCESS)
		return add(c->out, NFS_SEV_ERROR, "rw-on-ro", im->line,
			   "mount it ro, or export it rw to this client",
			   "'%s' mounts %s:%s rw but it is exported ro to it "
			   "(spec '%s', line %u)", im->client, im->server,
			   im->path, e->clients[m].spec, e->line);
	return add(c->out, NFS_SEV_WARNING, "rw-on-ro", im->line,
		   "add ro to the mount options",
		   "'%s' mounts %s:%s read-write by default but it is exported "
		   "ro to it (spec '%s', line %u)", im->client, im->server,
		   im->path, e->clients[m].spec, e->line);
}

static int check_imports(struct ctx *c)
{
	const struct nfs_plan *p = c->p;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < p->nimports; i++) {
		const struct nfs_import *im = &p->imports[i];

		r = check_import(c, im);
		for (size_t j = 0; r >= 0 && j < i; j++) {
			const struct nfs_import *o = &p->imports[j];

			if (strcmp(o->client, im->client) == 0 &&
			    strcmp(o->mountpoint, im->mountpoint) == 0) {
				r = add(c->out, NFS_SEV_ERROR,
					"mountpoint-conflict", im->line,
					"use another mount point",
					"'%s' already mounts something on %s "
					"(line %u)", im->client, im->mountpoint,
					o->line);
				break;
			}
		}
	}
	return r;
}

static int check_exports(struct ctx *c)
{
	const struct nfs_plan *p = c->p;
	bool *used = calloc(p->nexports ? p->nexports : 1, sizeof(*used));
	int r = 0;

	if (!used)
		return -ENOMEM;
	/* an export is used by the imports it is the covering export of */
	for (size_t j = 0; j < p->nimports; j++) {
		const struct nfs_export *e = nfs_plan_export_covering(p, p->imports[j].server,
								       p->imports[j].path);

		if (e)
			used[e - p->exports] = true;
	}
	for (size_t i = 0; r >= 0 && i < p->nexports; i++) {
		const struct nfs_export *e = &p->exports[i];

		if (!used[i])
			r = add(c->out, NFS_SEV_WARNING, "unused-export", e->line,
				"add an import or remove the export",
				"nobody imports %s:%s", e->server, e->path);
	}
	free(used);
	return r;
}

/* duplicate-host within one export, and (FreeBSD) within one tree. */
static int check_duplicates(struct ctx *c, const struct nfs_export *e,
			    const struct nfs_export *o)
{
	for (size_t i = 0; i < e->nclients; i++) {
		size_t lim = o == e ? i : o->nclients;

		for (size_t j = 0; j < lim; j++)
			if (strcmp(e->clients[i].spec, o->clients[j].spec) == 0)
				return add(c->out, NFS_SEV_ERROR,
					"duplicate-host", e->line,
					"list each client once per file system",
					"client '%s' is listed twice for %s%s%s",
					e->clients[i].spec, e->path,
					o == e ? "" : " and ",
					o == e ? "" : o->path);
	}
	return 0;
}

static int check_platform_limits(struct ctx *c)
{
	const struct nfs_plan *p = c->p;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < p->nexports; i++) {
		const struct nfs_export *e = &p->exports[i];
		const struct nfs_host *h = nfs_plan_host(p, e->server);

		r = check_duplicates(c, e, e);
		for (size_t j = 0; r >= 0 && h && j < p->nexports; j++) {
			const struct nfs_export *o = &p->exports[j];

			if (strcmp(o->server, e->server) != 0 ||
			    !is_ancestor(o->path, e->path))
				continue;
			if (h->platform == NFS_PF_AIX)
				r = add(c->out, NFS_SEV_ERROR, "nested-export",
					e->line, "export only the parent or put "
					"the child in its own file system",
					"aix cannot export %s and its parent %s "
					"(line %u) in one file system", e->path,
					o->path, o->line);
			else if (h->platform == NFS_PF_FREEBSD)
				r = check_duplicates(c, e, o);
		}
	}
	return r;
}

static bool has_product(const struct nfs_host *h, const char *name)
{
	for (size_t i = 0; i < h->nproducts; i++)
		if (strcmp(h->products[i], name) == 0)
			return true;
	return false;
}

/* Is the dependency's condition (vers=3) true for c->host? */
static bool condition_holds(struct ctx *c, const char *wp, const char *wv)
{
	const struct nfs_plan *p = c->p;

	if (!wp)
		return true;
	if (strcmp(wp, "vers") != 0)
		return false;
	for (size_t i = 0; i < p->nimports; i++) {
		const struct nfs_import *im = &p->imports[i];
		const char *who = c->server ? im->server : im->client;

		if (strcmp(who, c->host->name) == 0 &&
		    (im->opts.set & NFS_MO_VERS) &&
		    strcmp(nfs_vers_name(im->opts.vers), wv) == 0)
			return true;
	}
	return false;
}

static int dep_cb(void *arg, const char *product, const char *dep,
		  const char *wp, const char *wv)
{
	struct ctx *c = arg;
	char fix[192];

	if (has_product(c->host, dep) || !condition_holds(c, wp, wv))
		return 0;
	snprintf(fix, sizeof(fix), "add %s to products= of host %s", dep,
		 c->host->name);
	return add(c->out, NFS_SEV_ERROR, "missing-dependency", c->host->line,
		   fix, "%s on '%s' needs %s%s%s%s%s%s", product, c->host->name,
		   dep, wp ? " (for " : "", wp ? wp : "", wp ? "=" : "",
		   wp ? wv : "", wp ? ")" : "");
}

static int check_host_deps(struct ctx *c, const struct nfs_host *h,
			   bool server)
{
	const char *svc = server ? NFS_SVC_SERVER : NFS_SVC_CLIENT;
	const char *pfn = nfs_platform_name(h->platform);
	char prod[64], fix[192];
	int r;

	r = nfs_catalog_product(c->cat, svc, pfn, prod, sizeof(prod));
	if (r == -ENOPKG)
		return 0;
	if (r < 0)
		return r;
	if (!has_product(h, prod)) {
		snprintf(fix, sizeof(fix), "add %s to products= of host %s",
			 prod, h->name);
		r = add(c->out, NFS_SEV_ERROR, "missing-dependency", h->line, fix,
			"'%s' %s but does not run %s", h->name,
			server ? "exports" : "imports", prod);
		if (r < 0)
			return r;
	}
	c->host = h;
	c->server = server;
	r = nfs_catalog_deps(c->cat, svc, pfn, dep_cb, c);
	return r == -ENOPKG ? 0 : r;
}

static int check_deps(struct ctx *c)
{
	const struct nfs_plan *p = c->p;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < p->nhosts; i++) {
		const struct nfs_host *h = &p->hosts[i];
		bool exports = false, imports = false;

		if (!h->has_products)
			continue;
		for (size_t j = 0; j < p->nexports; j++)
			exports |= strcmp(p->exports[j].server, h->name) == 0;
		for (size_t j = 0; j < p->nimports; j++)
			imports |= strcmp(p->imports[j].client, h->name) == 0;
		if (exports)
			r = check_host_deps(c, h, true);
		if (r >= 0 && imports)
			r = check_host_deps(c, h, false);
	}
	return r;
}

/* Stable insertion sort by line, so rule order stays within a line. */
static void sort_by_line(struct nfs_finding *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct nfs_finding tmp = v[i];
		size_t j = i;

		while (j > 0 && v[j - 1].line > tmp.line) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = tmp;
	}
}

int nfs_check(const struct nfs_plan *p, struct nfs_catalog *cat,
	      struct nfs_findings *out)
{
	struct ctx c = { .p = p, .cat = cat, .out = out };
	int (*const rules[])(struct ctx *) = {
		check_hosts, check_options, check_imports, check_exports,
		check_platform_limits, check_deps,
	};
	size_t first = out->n;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < sizeof(rules) / sizeof(rules[0]); i++)
		r = rules[i](&c);
	if (r < 0)
		return r;
	if (out->n > first)
		sort_by_line(out->v + first, out->n - first);
	return 0;
}

void nfs_findings_release(struct nfs_findings *f)
{
	if (!f)
		return;
	free(f->v);
	f->v = NULL;
	f->n = f->cap = f->nerrors = 0;
}

int nfs_findings_print(const struct nfs_findings *f, struct buf *b)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < f->n; i++) {
		const struct nfs_finding *x = &f->v[i];

		r = buf_printf(b, "%s %s line %u: %s (fix: %s)\n",
			       x->severity == NFS_SEV_ERROR ? "error" : "warning",
			       x->rule, x->line, x->msg, x->fix);
	}
	return r < 0 ? r : 0;
}

size_t nfs_findings_count(const struct nfs_findings *f, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += strcmp(f->v[i].rule, rule) == 0;
	return n;
}
