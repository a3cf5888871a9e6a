#include "nfs/parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/client.h"
#include "nfs/opts.h"
#include "nfs/parse_priv.h"
#include "util/strutil.h"

static const char *const format_names[NFS_FMT_COUNT] = {
	"linux-exports", "linux-fstab", "ganesha", "solaris-dfstab",
	"solaris-vfstab", "aix-exports", "aix-filesystems", "freebsd-exports",
	"freebsd-fstab", "exportfs-v", "exportfs-s", "showmount-e",
	"proc-mounts", "rpcinfo-p",
};

const char *nfs_format_name(int fmt)
{
	return fmt >= 0 && fmt < NFS_FMT_COUNT ? format_names[fmt] : NULL;
}

int nfs_format_parse(const char *name)
{
	for (int i = 0; i < NFS_FMT_COUNT; i++)
		if (strcmp(name, format_names[i]) == 0)
			return i;
	return -EINVAL;
}

int nfs_format_of(int pf, int which)
{
	static const int map[NFS_PF_COUNT][2] = {
		[NFS_PF_LINUX] = { NFS_FMT_LINUX_EXPORTS, NFS_FMT_LINUX_FSTAB },
		[NFS_PF_GANESHA] = { NFS_FMT_GANESHA, -ENOENT },
		[NFS_PF_SOLARIS] = { NFS_FMT_SOLARIS_DFSTAB,
				     NFS_FMT_SOLARIS_VFSTAB },
		[NFS_PF_AIX] = { NFS_FMT_AIX_EXPORTS, NFS_FMT_AIX_FILESYSTEMS },
		[NFS_PF_FREEBSD] = { NFS_FMT_FREEBSD_EXPORTS,
				     NFS_FMT_FREEBSD_FSTAB },
	};

	if (pf < 0 || pf >= NFS_PF_COUNT || which < 0 || which > 1)
		return -ENOENT;
	return map[pf][which];
}

int nfs_parse(int fmt, const char *text, size_t len, const char *host,
	      const struct nfs_plan *known, struct nfs_plan *into,
	      struct nfs_rpcs *rpcs, struct nfs_error *err)
{
	struct nfs_pctx c = { host, known, into, rpcs, err, text, len };

	switch (fmt) {
	case NFS_FMT_LINUX_EXPORTS:
	case NFS_FMT_EXPORTFS_S: return nfs_parse_linux_exports(&c);
	case NFS_FMT_EXPORTFS_V: return nfs_parse_exportfs_v(&c);
	case NFS_FMT_LINUX_FSTAB: return nfs_parse_mounts(&c, false);
	case NFS_FMT_PROC_MOUNTS: return nfs_parse_mounts(&c, true);
	case NFS_FMT_SHOWMOUNT_E: return nfs_parse_showmount(&c);
	case NFS_FMT_RPCINFO_P: return nfs_parse_rpcinfo(&c);
	case NFS_FMT_GANESHA: return nfs_parse_ganesha(&c);
	case NFS_FMT_SOLARIS_DFSTAB: return nfs_parse_solaris_dfstab(&c);
	case NFS_FMT_SOLARIS_VFSTAB: return nfs_parse_solaris_vfstab(&c);
	case NFS_FMT_AIX_EXPORTS: return nfs_parse_aix_exports(&c);
	case NFS_FMT_AIX_FILESYSTEMS: return nfs_parse_aix_filesystems(&c);
	case NFS_FMT_FREEBSD_EXPORTS: return nfs_parse_freebsd_exports(&c);
	case NFS_FMT_FREEBSD_FSTAB: return nfs_parse_freebsd_fstab(&c);
	default: return -EINVAL;
	}
}

struct nfs_export *nfs_pctx_export(struct nfs_pctx *c, const char *path,
				   unsigned line)
{
	struct nfs_export *e;

	if (path[0] != '/') {
		nfs_error_set(c->err, line, 1, "want an absolute path, not '%s'",
			      path);
		return NULL;
	}
	for (size_t i = 0; i < c->into->nexports; i++) {
		e = &c->into->exports[i];
		if (strcmp(e->server, c->host) == 0 && strcmp(e->path, path) == 0)
			return e;
	}
	e = nfs_plan_add_export(c->into);
	if (!e) {
		nfs_error_set(c->err, line, 1, "out of memory or too many exports");
		return NULL;
	}
	e->line = line;
	e->server = strdup(c->host);
	e->path = strdup(path);
	if (!e->server || !e->path) {
		free(e->server);
		free(e->path);
		c->into->nexports--;
		nfs_error_set(c->err, line, 1, "out of memory");
		return NULL;
	}
	return e;
}

struct nfs_client *nfs_pctx_client(struct nfs_pctx *c, struct nfs_export *e,
				   const char *spec, bool bare_netgroups,
				   unsigned line, unsigned col)
{
	static const struct nfs_xopts none;
	char canon[300];

	if (bare_netgroups && c->known && spec[0] != '@' &&
	    nfs_plan_netgroup(c->known, spec)) {
		if (str_printf(canon, sizeof(canon), "@%s", spec) < 0)
			return NULL;
	} else if (nfs_client_canon(spec, canon, sizeof(canon)) < 0) {
		nfs_error_set(c->err, line, col, "client name too long");
		return NULL;
	}
	if (nfs_client_kind(canon) < 0) {
		nfs_error_set(c->err, line, col, "bad client '%s'", spec);
		return NULL;
	}
	for (size_t i = 0; i < e->nclients; i++)
		if (strcmp(e->clients[i].spec, canon) == 0)
			return &e->clients[i];
	return nfs_export_add_client(e, canon, false, &none);
}

struct nfs_import *nfs_pctx_import(struct nfs_pctx *c, const char *dev,
				   const char *mountpoint, unsigned line,
				   unsigned col)
{
	const char *colon = strstr(dev, ":/");
	struct nfs_import *im;
	char name[256];
	const char *srv = dev;
	size_t slen;

	if (!colon || colon == dev || mountpoint[0] != '/') {
		nfs_error_set(c->err, line, col, "want server:/path and an "
			      "absolute mount point, not '%s' '%s'", dev,
			      mountpoint);
		return NULL;
	}
	slen = (size_t)(colon - dev);
	if (dev[0] == '[' && colon[-1] == ']' && slen > 2) {
		srv++;
		slen -= 2;
	}
	if (slen >= sizeof(name) || (memcpy(name, srv, slen), name[slen] = '\0',
	    nfs_client_kind(name) != NFS_CK_HOST)) {
		nfs_error_set(c->err, line, col, "bad server name in '%s'", dev);
		return NULL;
	}
	im = nfs_plan_add_import(c->into);
	if (!im) {
		nfs_error_set(c->err, line, col, "out of memory or too many imports");
		return NULL;
	}
	im->line = line;
	im->client = strdup(c->host);
	im->server = strndup(srv, slen);
	im->path = strdup(colon + 1);
	im->mountpoint = strdup(mountpoint);
	if (!im->client || !im->server || !im->path || !im->mountpoint) {
		nfs_error_set(c->err, line, col, "out of memory");
		return NULL;
	}
	return im;
}

static bool in_table(const char *const *t, const char *opt, size_t len)
{
	const char *eq = memchr(opt, '=', len);
	size_t nlen = eq ? (size_t)(eq - opt) : len;

	for (; *t; t++) {
		size_t tl = strlen(*t);
		bool withval = tl && (*t)[tl - 1] == '=';

		if (withval ? (eq && nlen == tl - 1 &&
			       memcmp(opt, *t, nlen) == 0)
			    : (!eq && len == tl && memcmp(opt, *t, len) == 0))
			return true;
	}
	return false;
}

int nfs_linux_xopt(struct nfs_pctx *c, struct nfs_xopts *o, const char *opt,
		   size_t len, unsigned line, unsigned col)
{
	static const char *const ignore[] = {
		"wdelay", "no_wdelay", "hide", "nohide", "crossmnt",
		"nocrossmnt", "no_all_squash", "mp", "mountpoint", "mp=",
		"mountpoint=", "fsid=", "refer=", "replicas=", "acl", "no_acl",
		"pnfs", "no_pnfs", "security_label", "no_security_label",
		"insecure_locks", "secure_locks", "no_auth_nlm", "auth_nlm",
		"nordirplus", "xprtsec=", "root_id=", NULL,
	};
	struct nfs_xopts tmp = *o;

	if (len > 4 && memcmp(opt, "sec=", 4) == 0 && (o->set & NFS_XO_SEC)) {
		/* the old exportfs -v form repeats sec= per flavour */
		tmp.nsec = 0;
		if (nfs_sec_list_parse(&tmp, opt + 4, len - 4) == 0) {
			for (unsigned i = 0; i < tmp.nsec; i++) {
				bool have = memchr(o->sec, tmp.sec[i], o->nsec);

				if (!have && o->nsec < NFS_MAX_SEC)
					o->sec[o->nsec++] = tmp.sec[i];
			}
			return 0;
		}
	}
	if (nfs_xopt_apply(o, opt, len) == 0 || in_table(ignore, opt, len))
		return 0;
	return nfs_error_set(c->err, line, col, "unknown export option '%.*s'",
			     (int)len, opt);
}

bool nfs_mount_ignorable(const char *opt, size_t len)
{
	static const char *const ignore[] = {
		"defaults", "auto", "noauto", "user", "nouser", "users",
		"owner", "_netdev", "relatime", "noatime", "atime",
		"nodiratime", "diratime", "strictatime", "lazytime", "intr",
		"nointr", "suid", "dev", "nodev", "exec", "async", "sync",
		"late", "noac", "ac", "fsc", "nofsc", "lock", "nolock", "cto",
		"nocto", "rdirplus", "nordirplus", "sharecache", "nosharecache",
		"resvport", "noresvport", "nolockd", "lockd", "quota", "noquota",
		"xattr", "noxattr", "grpid", "rsize=", "wsize=", "acregmin=",
		"acregmax=", "acdirmin=", "acdirmax=", "actimeo=", "addr=",
		"clientaddr=", "local_lock=", "namlen=", "sec=", "mountaddr=",
		"mountport=", "mountproto=", "mountvers=", "port=",
		"lookupcache=", "nconnect=", "readahead=", "comment=",
		"retry=", "fsc=", "max_connect=", "write=", "xprtsec=",
		"softreval", "nosoftreval", "softerr", NULL,
	};

	if (len > 2 && memcmp(opt, "x-", 2) == 0)
		return true;
	return in_table(ignore, opt, len);
}

int nfs_mount_opts(struct nfs_pctx *c, struct nfs_mopts *o, const char *list,
		   unsigned line, unsigned col)
{
	for (const char *q = list; *q;) {
		size_t n = strcspn(q, ",");
		char tmp[16];

		if (n > 8 && memcmp(q, "nfsvers=", 8) == 0 &&
		    n - 3 < sizeof(tmp)) {
			/* nfsvers= is nfs(5)'s other spelling of vers= */
			memcpy(tmp, q + 3, n - 3);
			if (nfs_mopt_apply(o, tmp, n - 3) < 0)
				goto bad;
		} else if (n && nfs_mopt_apply(o, q, n) < 0 &&
			   !nfs_mount_ignorable(q, n)) {
			goto bad;
		}
		q += n + (q[n] == ',');
		continue;
bad:
		return nfs_error_set(c->err, line, col + (unsigned)(q - list),
				     "unknown or bad mount option '%.*s'",
				     (int)n, q);
	}
	return 0;
}

void nfs_rpcs_release(struct nfs_rpcs *r)
{
	if (!r)
		return;
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

int nfs_rpcs_print(const struct nfs_rpcs *r, struct buf *b)
{
	int rc = 0;

	for (size_t i = 0; rc >= 0 && i < r->n; i++)
		rc = buf_printf(b, "# rpc %lu %u %s %u %s\n", r->v[i].program,
				r->v[i].vers, r->v[i].proto, r->v[i].port,
				r->v[i].service);
	return rc < 0 ? rc : 0;
}
