#include "nfs/model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const platform_names[NFS_PF_COUNT] = {
	"linux", "ganesha", "solaris", "aix", "freebsd",
};

static const char *const sec_names[NFS_SEC_COUNT] = {
	"sys", "krb5", "krb5i", "krb5p",
};

const char *nfs_platform_name(int pf)
{
	if (pf < 0 || pf >= NFS_PF_COUNT)
		return NULL;
	return platform_names[pf];
}

int nfs_platform_parse(const char *s)
{
	for (int i = 0; i < NFS_PF_COUNT; i++)
		if (strcmp(s, platform_names[i]) == 0)
			return i;
	return -EINVAL;
}

const char *nfs_sec_name(int sec)
{
	if (sec < 0 || sec >= NFS_SEC_COUNT)
		return NULL;
	return sec_names[sec];
}

int nfs_sec_parse(const char *s)
{
	for (int i = 0; i < NFS_SEC_COUNT; i++)
		if (strcmp(s, sec_names[i]) == 0)
			return i;
	return -EINVAL;
}

int nfs_error_set(struct nfs_error *err, unsigned line, unsigned col,
		  const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -EINVAL;
	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

struct nfs_plan *nfs_plan_new(void)
{
	return calloc(1, sizeof(struct nfs_plan));
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void nfs_plan_free(struct nfs_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nhosts; i++) {
		free(p->hosts[i].name);
		free(p->hosts[i].address);
		strv_free(p->hosts[i].products, p->hosts[i].nproducts);
	}
	for (size_t i = 0; i < p->nnetgroups; i++) {
		free(p->netgroups[i].name);
		strv_free(p->netgroups[i].members, p->netgroups[i].nmembers);
	}
	for (size_t i = 0; i < p->nexports; i++) {
		struct nfs_export *e = &p->exports[i];

		free(e->server);
		free(e->path);
		for (size_t j = 0; j < e->nclients; j++)
			free(e->clients[j].spec);
		free(e->clients);
	}
	for (size_t i = 0; i < p->nimports; i++) {
		free(p->imports[i].client);
		free(p->imports[i].mountpoint);
		free(p->imports[i].server);
		free(p->imports[i].path);
	}
	free(p->hosts);
	free(p->netgroups);
	free(p->exports);
	free(p->imports);
	free(p);
}

/* Grows *arr to hold n+1 elements; returns the new element or NULL. */
static void *grow(void *arrp, size_t *n, size_t *cap, size_t size)
{
	void **arr = arrp;
	char *p;

	if (*n >= NFS_MAX_OBJECTS)
		return NULL;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;

		p = realloc(*arr, ncap * size);
		if (!p)
			return NULL;
		*arr = p;
		*cap = ncap;
	}
	p = (char *)*arr + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}

struct nfs_host *nfs_plan_add_host(struct nfs_plan *p)
{
	return grow(&p->hosts, &p->nhosts, &p->caphosts, sizeof(*p->hosts));
}

struct nfs_netgroup *nfs_plan_add_netgroup(struct nfs_plan *p)
{
	return grow(&p->netgroups, &p->nnetgroups, &p->capnetgroups,
		    sizeof(*p->netgroups));
}

struct nfs_export *nfs_plan_add_export(struct nfs_plan *p)
{
	return grow(&p->exports, &p->nexports, &p->capexports,
		    sizeof(*p->exports));
}

struct nfs_import *nfs_plan_add_import(struct nfs_plan *p)
{
	return grow(&p->imports, &p->nimports, &p->capimports,
		    sizeof(*p->imports));
}

struct nfs_client *nfs_export_add_client(struct nfs_export *e,
					 const char *spec, bool deny,
					 const struct nfs_xopts *o)
{
	struct nfs_client *v, *c;
	char *s;

	if (e->nclients >= NFS_MAX_OBJECTS)
		return NULL;
	s = strdup(spec);
	if (!s)
		return NULL;
	v = realloc(e->clients, (e->nclients + 1) * sizeof(*v));
	if (!v) {
		free(s);
		return NULL;
	}
	e->clients = v;
	c = &v[e->nclients++];
	c->spec = s;
	c->deny = deny;
	c->opts = *o;
	return c;
}

int nfs_strv_add(char ***arr, size_t *n, const char *s)
{
	char **v;
	char *d;

	if (*n >= NFS_MAX_OBJECTS)
		return -E2BIG;
	d = strdup(s);
	if (!d)
		return -ENOMEM;
	v = realloc(*arr, (*n + 1) * sizeof(*v));
	if (!v) {
		free(d);
		return -ENOMEM;
	}
	v[(*n)++] = d;
	*arr = v;
	return 0;
}

const struct nfs_host *nfs_plan_host(const struct nfs_plan *p,
				     const char *name)
{
	for (size_t i = 0; i < p->nhosts; i++)
		if (strcmp(p->hosts[i].name, name) == 0)
			return &p->hosts[i];
	return NULL;
}

const struct nfs_netgroup *nfs_plan_netgroup(const struct nfs_plan *p,
					     const char *name)
{
	for (size_t i = 0; i < p->nnetgroups; i++)
		if (strcmp(p->netgroups[i].name, name) == 0)
			return &p->netgroups[i];
	return NULL;
}

const struct nfs_export *nfs_plan_export(const struct nfs_plan *p,
					 const char *server, const char *path)
{
	for (size_t i = 0; i < p->nexports; i++)
		if (strcmp(p->exports[i].server, server) == 0 &&
		    strcmp(p->exports[i].path, path) == 0)
			return &p->exports[i];
	return NULL;
}

bool nfs_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[0] == '/';
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

const struct nfs_export *nfs_plan_export_covering(const struct nfs_plan *p,
						  const char *server, const char *path)
{
	const struct nfs_export *best = NULL;

	for (size_t i = 0; i < p->nexports; i++) {
		const struct nfs_export *e = &p->exports[i];

		if (strcmp(e->server, server) == 0 && nfs_path_within(path, e->path) &&
		    (!best || strlen(e->path) > strlen(best->path)))
			best = e;
	}
	return best;
}

void nfs_xopts_normalize(struct nfs_xopts *o)
{
	if (!(o->set & NFS_XO_ACCESS))
		o->rw = false;
	if (!(o->set & NFS_XO_SQUASH))
		o->squash = NFS_SQ_ROOT;
	if (!(o->set & NFS_XO_ANONUID))
		o->anonuid = 65534;
	if (!(o->set & NFS_XO_ANONGID))
		o->anongid = 65534;
	if (!(o->set & NFS_XO_SEC) || o->nsec == 0) {
		o->sec[0] = NFS_SEC_SYS;
		o->nsec = 1;
	}
	if (!(o->set & NFS_XO_SYNC))
		o->async = false;
	if (!(o->set & NFS_XO_SUBTREE))
		o->subtree_check = false;
	if (!(o->set & NFS_XO_SECURE))
		o->insecure = false;
}

void nfs_mopts_normalize(struct nfs_mopts *o)
{
	if (!(o->set & NFS_MO_ACCESS))
		o->ro = false;
	if (!(o->set & NFS_MO_HARD))
		o->soft = false;
	if (!(o->set & NFS_MO_BG))
		o->bg = false;
	if (!(o->set & NFS_MO_PROTO))
		o->udp = false;
	if (!(o->set & NFS_MO_NOSUID))
		o->nosuid = false;
	if (!(o->set & NFS_MO_NOEXEC))
		o->noexec = false;
	if (!(o->set & NFS_MO_VERS))
		o->vers = 0;
	if (!(o->set & NFS_MO_TIMEO))
		o->timeo = 0;
	if (!(o->set & NFS_MO_RETRANS))
		o->retrans = 0;
}

bool nfs_xopts_equal(const struct nfs_xopts *a, const struct nfs_xopts *b)
{
	struct nfs_xopts x = *a, y = *b;

	nfs_xopts_normalize(&x);
	nfs_xopts_normalize(&y);
	return x.rw == y.rw && x.squash == y.squash &&
	       x.anonuid == y.anonuid && x.anongid == y.anongid &&
	       x.nsec == y.nsec && memcmp(x.sec, y.sec, x.nsec) == 0 &&
	       x.async == y.async && x.subtree_check == y.subtree_check &&
	       x.insecure == y.insecure;
}

bool nfs_mopts_equal(const struct nfs_mopts *a, const struct nfs_mopts *b)
{
	struct nfs_mopts x = *a, y = *b;

	nfs_mopts_normalize(&x);
	nfs_mopts_normalize(&y);
	return x.ro == y.ro && x.soft == y.soft && x.bg == y.bg &&
	       x.udp == y.udp && x.nosuid == y.nosuid &&
	       x.noexec == y.noexec && x.vers == y.vers &&
	       x.timeo == y.timeo && x.retrans == y.retrans;
}

static int cmp_client(const void *a, const void *b)
{
	const struct nfs_client *x = a, *y = b;
	int r = strcmp(x->spec, y->spec);

	return r ? r : (int)x->deny - (int)y->deny;
}

static int cmp_export(const void *a, const void *b)
{
	const struct nfs_export *x = a, *y = b;
	int r = strcmp(x->server, y->server);

	return r ? r : strcmp(x->path, y->path);
}

static int cmp_import(const void *a, const void *b)
{
	const struct nfs_import *x = a, *y = b;
	int r = strcmp(x->client, y->client);

	return r ? r : strcmp(x->mountpoint, y->mountpoint);
}

void nfs_plan_sort(struct nfs_plan *p)
{
	for (size_t i = 0; i < p->nexports; i++)
		if (p->exports[i].nclients > 1)
			qsort(p->exports[i].clients, p->exports[i].nclients,
			      sizeof(struct nfs_client), cmp_client);
	if (p->nexports > 1)
		qsort(p->exports, p->nexports, sizeof(*p->exports), cmp_export);
	if (p->nimports > 1)
		qsort(p->imports, p->nimports, sizeof(*p->imports), cmp_import);
}
