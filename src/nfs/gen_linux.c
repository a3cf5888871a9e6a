/* Linux: exports(5) and the NFS lines of fstab(5). */
#include <errno.h>
#include <string.h>

#include "nfs/gen_priv.h"
#include "nfs/lex.h"
#include "nfs/opts.h"

static bool same_kv(const struct nfs_kv *a, size_t na, const struct nfs_kv *b,
		    size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].name, b[i].name) || strcmp(a[i].value,
							   b[i].value))
			return false;
	return true;
}

/* True when every client has the same non-empty options, so the line can
 * use exports(5)'s "-options" default form. */
static bool common_opts(const struct nfs_export *e, struct nfs_kv *kv,
			size_t *n)
{
	struct nfs_kv other[NFS_MAX_KV];

	*n = nfs_xopts_list(&e->clients[0].opts, kv);
	if (e->nclients < 2 || *n == 0)
		return false;
	for (size_t i = 1; i < e->nclients; i++) {
		size_t m = nfs_xopts_list(&e->clients[i].opts, other);

		if (!same_kv(kv, *n, other, m))
			return false;
	}
	return true;
}

static int export_line(const struct nfs_export *e, struct buf *b)
{
	struct nfs_kv kv[NFS_MAX_KV];
	size_t n;
	bool common = common_opts(e, kv, &n);
	int r = buf_printf(b, strpbrk(e->path, " \t") ? "\"%s\"" : "%s",
			   e->path);

	if (r >= 0 && common) {
		r = buf_append_str(b, " -");
		if (r >= 0)
			r = nfs_kv_format(b, kv, n);
	}
	for (size_t i = 0; r >= 0 && i < e->nclients; i++) {
		r = buf_printf(b, " %s", e->clients[i].spec);
		n = common ? 0 : nfs_xopts_list(&e->clients[i].opts, kv);
		if (r >= 0 && n) {
			r = buf_append_str(b, "(");
			if (r >= 0)
				r = nfs_kv_format(b, kv, n);
			if (r >= 0)
				r = buf_append_str(b, ")");
		}
	}
	return r < 0 ? r : buf_append_str(b, "\n");
}

int nfs_gen_linux_exports(const struct nfs_plan *p, const char *host,
			  struct buf *b, struct nfs_error *err)
{
	int r = buf_append_str(b, "# " NFS_GEN_HEADER "\n");

	for (size_t i = 0; r >= 0 && i < p->nexports; i++) {
		const struct nfs_export *e = &p->exports[i];

		if (strcmp(e->server, host) != 0)
			continue;
		r = nfs_gen_refuse_deny(e, NFS_PF_LINUX, err);
		if (r >= 0 && e->nclients == 0)   /* would export to everyone */
			r = nfs_gen_fail(err, e->line, NFS_PF_LINUX,
					 "an export without clients (%s)", e->path);
		if (r >= 0 && strpbrk(e->path, "\"\\#\n"))
			r = nfs_gen_fail(err, e->line, NFS_PF_LINUX,
					 "the path '%s'", e->path);
		if (r >= 0)
			r = export_line(e, b);
	}
	return r < 0 ? r : 0;
}

/* One fstab line; shared with FreeBSD's writer through the options. */
static int fstab_line(const struct nfs_import *im, struct buf *b)
{
	struct nfs_kv kv[NFS_MAX_KV];
	size_t n = nfs_mopts_list(&im->opts, kv);
	int r = buf_printf(b, "%s:", im->server);

	if (r >= 0)
		r = nfs_octal_escape(b, im->path);
	if (r >= 0)
		r = buf_append_str(b, " ");
	if (r >= 0)
		r = nfs_octal_escape(b, im->mountpoint);
	if (r >= 0)
		r = buf_append_str(b, " nfs ");
	if (r >= 0)
		r = n ? nfs_kv_format(b, kv, n) : buf_append_str(b, "defaults");
	return r < 0 ? r : buf_append_str(b, " 0 0\n");
}

int nfs_gen_linux_fstab(const struct nfs_plan *p, const char *host,
			struct buf *b, struct nfs_error *err)
{
	int r = buf_append_str(b, "# " NFS_GEN_HEADER "\n");

	for (size_t i = 0; r >= 0 && i < p->nimports; i++)
		if (strcmp(p->imports[i].client, host) == 0)
			r = fstab_line(&p->imports[i], b);
	return r < 0 ? r : 0;
}
