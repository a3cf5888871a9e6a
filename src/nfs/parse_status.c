/* Live state: showmount -e, rpcinfo -p, /proc/mounts, Linux fstab. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/parse_priv.h"
#include "nfs/opts.h"
#include "util/strutil.h"

int nfs_parse_showmount(struct nfs_pctx *c)
{
	struct nfs_lex lx;
	int r;

	nfs_lex_init(&lx, c->text, c->len, NFS_LEX_OCTAL);
	while ((r = nfs_lex_next(&lx, c->err)) > 0) {
		struct nfs_export *e;

		if (strcmp(lx.tok[0].s, "Export") == 0)
			continue;         /* "Export list for host:" */
		if (lx.tok[0].s[0] != '/') {
			r = nfs_error_set(c->err, lx.lineno, lx.tok[0].col,
					  "want an absolute path, not '%s'",
					  lx.tok[0].s);
			break;
		}
		e = nfs_pctx_export(c, lx.tok[0].s, lx.lineno);
		if (!e) {
			r = -EINVAL;
			break;
		}
		for (size_t i = 1; r >= 0 && i < lx.ntok; i++) {
			for (char *q = lx.tok[i].s, *n; r >= 0 && q; q = n) {
				const char *spec = q;

				n = strchr(q, ',');
				if (n)
					*n++ = '\0';
				if (!*q)
					continue;
				if (strcmp(q, "(everyone)") == 0 ||
				    strcmp(q, "<anon clnt>") == 0)
					spec = "*";
				if (!nfs_pctx_client(c, e, spec, true, lx.lineno,
						     lx.tok[i].col))
					r = -EINVAL;
			}
		}
		if (r < 0)
			break;
	}
	nfs_lex_release(&lx);
	return r < 0 ? r : 0;
}

static int add_rpc(struct nfs_pctx *c, struct nfs_tok *t, unsigned line)
{
	struct nfs_rpc *x;
	long prog, vers, port;

	if (parse_long(t[0].s, 0, 0xffffffffl, &prog) < 0 ||
	    parse_long(t[1].s, 0, 0xffff, &vers) < 0 ||
	    parse_long(t[3].s, 0, 65535, &port) < 0)
		return nfs_error_set(c->err, line, t[0].col,
				     "want: program vers proto port [service]");
	if (!c->rpcs)
		return 0;
	if (c->rpcs->n == c->rpcs->cap) {
		size_t ncap = c->rpcs->cap ? c->rpcs->cap * 2 : 16;

		x = realloc(c->rpcs->v, ncap * sizeof(*x));
		if (!x)
			return -ENOMEM;
		c->rpcs->v = x;
		c->rpcs->cap = ncap;
	}
	x = &c->rpcs->v[c->rpcs->n++];
	memset(x, 0, sizeof(*x));
	x->program = (unsigned long)prog;
	x->vers = (unsigned)vers;
	x->port = (unsigned)port;
	str_copy(x->proto, sizeof(x->proto), t[2].s);
	return 0;
}

int nfs_parse_rpcinfo(struct nfs_pctx *c)
{
	struct nfs_lex lx;
	int r;

	nfs_lex_init(&lx, c->text, c->len, 0);
	while ((r = nfs_lex_next(&lx, c->err)) > 0) {
		if (strcmp(lx.tok[0].s, "program") == 0)
			continue;
		if (lx.ntok < 4 || lx.ntok > 5) {
			r = nfs_error_set(c->err, lx.lineno, 1,
				"want: program vers proto port [service]");
			break;
		}
		r = add_rpc(c, lx.tok, lx.lineno);
		if (r < 0)
			break;
		if (lx.ntok == 5 && c->rpcs)
			str_copy(c->rpcs->v[c->rpcs->n - 1].service,
				 sizeof(c->rpcs->v[0].service), lx.tok[4].s);
	}
	nfs_lex_release(&lx);
	return r < 0 ? r : 0;
}

/* The kernel prints its defaults in /proc/mounts; drop those that are
 * the planned defaults too, so planned and observed compare equal. */
static void drop_kernel_defaults(struct nfs_mopts *o)
{
	if (o->timeo == (o->udp ? 11 : 600))
		o->set &= ~(unsigned)NFS_MO_TIMEO;
	if (o->retrans == (o->udp ? 3 : 2))
		o->set &= ~(unsigned)NFS_MO_RETRANS;
	if ((o->set & NFS_MO_PROTO) && !o->udp)
		o->set &= ~(unsigned)NFS_MO_PROTO;
	if ((o->set & NFS_MO_HARD) && !o->soft)
		o->set &= ~(unsigned)NFS_MO_HARD;
	if ((o->set & NFS_MO_ACCESS) && !o->ro)
		o->set &= ~(unsigned)NFS_MO_ACCESS;
}

/* fstab(5) and /proc/mounts: dev mountpoint type options [freq pass]. */
int nfs_parse_mounts(struct nfs_pctx *c, bool proc)
{
	struct nfs_lex lx;
	int r;

	nfs_lex_init(&lx, c->text, c->len, NFS_LEX_HASH | NFS_LEX_OCTAL);
	while ((r = nfs_lex_next(&lx, c->err)) > 0) {
		const char *type = lx.ntok > 2 ? lx.tok[2].s : "";
		struct nfs_import *im;

		if (strcmp(type, "nfs") != 0 && strcmp(type, "nfs4") != 0)
			continue;
		if (lx.ntok < 4 || lx.ntok > 6) {
			r = nfs_error_set(c->err, lx.lineno, 1, "want: server:"
				"/path mountpoint nfs options [freq pass]");
			break;
		}
		im = nfs_pctx_import(c, lx.tok[0].s, lx.tok[1].s, lx.lineno,
				     lx.tok[0].col);
		r = im ? nfs_mount_opts(c, &im->opts, lx.tok[3].s, lx.lineno,
					lx.tok[3].col) : -EINVAL;
		if (r < 0)
			break;
		if (type[3] == '4' && !(im->opts.set & NFS_MO_VERS)) {
			im->opts.vers = 40;
			im->opts.set |= NFS_MO_VERS;
		}
		if (proc)
			drop_kernel_defaults(&im->opts);
	}
	nfs_lex_release(&lx);
	return r < 0 ? r : 0;
}
