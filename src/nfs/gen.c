#include "nfs/gen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/client.h"
#include "nfs/gen_priv.h"
#include "nfs/opts.h"

static const struct {
	const char *names[2];
	nfs_gen_fn fn[2];
} platforms[NFS_PF_COUNT] = {
	[NFS_PF_LINUX] = { { "exports", "fstab" },
			   { nfs_gen_linux_exports, nfs_gen_linux_fstab } },
	[NFS_PF_GANESHA] = { { "ganesha.conf", NULL },
			     { nfs_gen_ganesha, NULL } },
	[NFS_PF_SOLARIS] = { { "dfstab", "vfstab" },
			     { nfs_gen_solaris_dfstab, nfs_gen_solaris_vfstab } },
	[NFS_PF_AIX] = { { "exports", "filesystems" },
			 { nfs_gen_aix_exports, nfs_gen_aix_filesystems } },
	[NFS_PF_FREEBSD] = { { "exports", "fstab" },
			     { nfs_gen_freebsd_exports, nfs_gen_freebsd_fstab } },
};

const char *nfs_gen_filename(int pf, int which)
{
	if (pf < 0 || pf >= NFS_PF_COUNT || which < 0 || which > 1)
		return NULL;
	return platforms[pf].names[which];
}

int nfs_gen_fail(struct nfs_error *err, unsigned line, int pf,
		 const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	nfs_error_set(err, line, 0, "%s cannot express %s",
		      nfs_platform_name(pf), msg);
	return -ENOTSUP;
}

int nfs_gen_refuse(const struct nfs_export *e, int pf, unsigned mask,
		   struct nfs_error *err)
{
	struct nfs_kv kv[NFS_MAX_KV];

	for (size_t i = 0; i < e->nclients; i++) {
		struct nfs_xopts o = e->clients[i].opts;
		size_t n;

		o.set &= mask;
		n = nfs_xopts_list(&o, kv);
		if (n)
			return nfs_gen_fail(err, e->line, pf,
				"option '%s' (client '%s' of %s)", kv[0].name,
				e->clients[i].spec, e->path);
	}
	return 0;
}

int nfs_gen_refuse_deny(const struct nfs_export *e, int pf,
			struct nfs_error *err)
{
	for (size_t i = 0; i < e->nclients; i++)
		if (e->clients[i].deny)
			return nfs_gen_fail(err, e->line, pf,
				"deny entry '-%s' (of %s)", e->clients[i].spec,
				e->path);
	return 0;
}

int nfs_gen_uniform(const struct nfs_export *e, int pf, bool with_gid,
		    bool *anon_set, bool *sec_set, struct nfs_error *err)
{
	const struct nfs_client *first = NULL;
	struct nfs_xopts a, b;

	*anon_set = *sec_set = false;
	for (size_t i = 0; i < e->nclients; i++) {
		const struct nfs_client *c = &e->clients[i];

		if (c->deny)
			continue;
		*anon_set |= (c->opts.set & (NFS_XO_ANONUID |
			      (with_gid ? NFS_XO_ANONGID : 0))) != 0;
		*sec_set |= (c->opts.set & NFS_XO_SEC) != 0;
		if (!first) {
			first = c;
			continue;
		}
		a = first->opts;
		b = c->opts;
		nfs_xopts_normalize(&a);
		nfs_xopts_normalize(&b);
		if (a.anonuid != b.anonuid ||
		    (with_gid && a.anongid != b.anongid))
			return nfs_gen_fail(err, e->line, pf,
				"a different anonymous id per client (%s)",
				e->path);
		if (a.nsec != b.nsec || memcmp(a.sec, b.sec, a.nsec))
			return nfs_gen_fail(err, e->line, pf,
				"a different sec per client (%s)", e->path);
	}
	return 0;
}

int nfs_gen_net(const char *spec, char *addr, size_t n, unsigned *prefix,
		int *family)
{
	struct nfs_net net;

	if (nfs_net_parse(spec, &net) < 0)
		return -EINVAL;
	if (!inet_ntop(net.family, net.addr, addr, (socklen_t)n))
		return -EINVAL;
	*prefix = net.prefix;
	*family = net.family;
	return 0;
}

bool nfs_gen_plain_path(const char *path)
{
	return !strpbrk(path, " \t\n\"\\#");
}

int nfs_gen_mount_refuse(const struct nfs_import *im, int pf, unsigned mask,
			 bool vers41, struct nfs_error *err)
{
	struct nfs_mopts o = im->opts;
	struct nfs_kv kv[NFS_MAX_KV];

	if (!nfs_gen_plain_path(im->path) ||
	    !nfs_gen_plain_path(im->mountpoint))
		return nfs_gen_fail(err, im->line, pf,
			"a path with blanks or quotes (%s on %s)", im->path,
			im->mountpoint);
	if (!vers41 && (o.set & NFS_MO_VERS) && o.vers > 40)
		return nfs_gen_fail(err, im->line, pf, "option 'vers=%s'",
				    nfs_vers_name(o.vers));
	o.set &= mask;
	if (nfs_mopts_list(&o, kv))
		return nfs_gen_fail(err, im->line, pf, "option '%s'",
				    kv[0].name);
	return 0;
}

static int run(const struct nfs_plan *p, const char *host, int pf,
	       int which, struct buf *b, struct nfs_error *err)
{
	bool has = false;

	if (pf < 0 || pf >= NFS_PF_COUNT)
		return -EINVAL;
	if (platforms[pf].fn[which])
		return platforms[pf].fn[which](p, host, b, err);
	for (size_t i = 0; i < p->nimports && !has; i++)
		has = strcmp(p->imports[i].client, host) == 0;
	if (has)
		return nfs_gen_fail(err, 0, pf, "imports (host '%s' has no "
				    "NFS client on this platform)", host);
	return 0;
}

int nfs_gen_exports(const struct nfs_plan *p, const char *server, int pf,
		    struct buf *b, struct nfs_error *err)
{
	return run(p, server, pf, 0, b, err);
}

int nfs_gen_imports(const struct nfs_plan *p, const char *client, int pf,
		    struct buf *b, struct nfs_error *err)
{
	return run(p, client, pf, 1, b, err);
}

static struct nfs_gen_file *add_file(struct nfs_gen_out *out,
				     const char *host, const char *name)
{
	struct nfs_gen_file *f;

	if (out->n == out->cap) {
		size_t ncap = out->cap ? out->cap * 2 : 8;

		f = realloc(out->v, ncap * sizeof(*f));
		if (!f)
			return NULL;
		out->v = f;
		out->cap = ncap;
	}
	f = &out->v[out->n];
	f->host = strdup(host);
	if (!f->host)
		return NULL;
	f->name = name;
	buf_init(&f->content, 0);
	out->n++;
	return f;
}

int nfs_generate(const struct nfs_plan *p, struct nfs_gen_out *out,
		 struct nfs_error *err)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < p->nhosts; i++) {
		const struct nfs_host *h = &p->hosts[i];

		for (int w = 0; r >= 0 && w < 2; w++) {
			struct nfs_gen_file *f;

			if (!platforms[h->platform].names[w]) {
				r = run(p, h->name, h->platform, w, NULL, err);
				continue;
			}
			f = add_file(out, h->name, platforms[h->platform].names[w]);
			if (!f)
				return -ENOMEM;
			r = run(p, h->name, h->platform, w, &f->content, err);
		}
	}
	return r;
}

void nfs_gen_out_release(struct nfs_gen_out *out)
{
	if (!out)
		return;
	for (size_t i = 0; i < out->n; i++) {
		free(out->v[i].host);
		buf_release(&out->v[i].content);
	}
	free(out->v);
	out->v = NULL;
	out->n = out->cap = 0;
}
