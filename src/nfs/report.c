#include "nfs/report.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool exports_to_server(const struct nfs_plan *p, const char *host)
{
	for (size_t i = 0; i < p->nexports; i++)
		if (strcmp(p->exports[i].server, host) == 0)
			return true;
	return false;
}

/* True when client imports from server, counting each client once. */
static bool imports_from(const struct nfs_plan *p, const char *client,
			 const char *server)
{
	for (size_t i = 0; i < p->nimports; i++)
		if (strcmp(p->imports[i].client, client) == 0 &&
		    strcmp(p->imports[i].server, server) == 0)
			return true;
	return false;
}

static int one_server(const struct nfs_plan *p, const char *s, struct buf *b,
		      struct buf *spof)
{
	size_t nexp = 0, nmounts = 0, nclients = 0;
	struct buf names = BUF_INIT;
	int r = 0;

	for (size_t i = 0; i < p->nexports; i++)
		nexp += strcmp(p->exports[i].server, s) == 0;
	for (size_t i = 0; i < p->nimports; i++)
		nmounts += strcmp(p->imports[i].server, s) == 0;
	for (size_t k = 0; r >= 0 && k < p->nhosts; k++)
		if (imports_from(p, p->hosts[k].name, s)) {
			nclients++;
			r = buf_printf(&names, " %s", p->hosts[k].name);
		}
	if (r >= 0)
		r = buf_printf(b, "server %s exports %zu clients %zu mounts %zu\n",
			       s, nexp, nclients, nmounts);
	if (r >= 0 && nclients)
		r = buf_printf(spof, "spof %s %zu client%s lose%s a planned import:%s\n",
			       s, nclients, nclients == 1 ? "" : "s",
			       nclients == 1 ? "s" : "", buf_str(&names));
	buf_release(&names);
	return r;
}

int nfs_report(const struct nfs_plan *p, struct buf *out)
{
	struct buf spof = BUF_INIT;
	int r = 0;

	for (size_t k = 0; r >= 0 && k < p->nhosts; k++)
		if (exports_to_server(p, p->hosts[k].name))
			r = one_server(p, p->hosts[k].name, out, &spof);
	if (r >= 0)
		r = buf_append(out, spof.data, spof.len);
	buf_release(&spof);
	return r < 0 ? r : 0;
}
