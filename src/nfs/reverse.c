#include "nfs/reverse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nfs/client.h"
#include "nfs/plan.h"

/* The host of ref whose address is spec, or NULL. */
static const struct nfs_host *host_at(const struct nfs_plan *ref,
				      const char *spec)
{
	struct nfs_net want, have;
	int kind = nfs_client_kind(spec);

	if (kind == NFS_CK_NET) {
		if (nfs_net_parse(spec, &want) < 0 ||
		    want.prefix != (want.family == AF_INET6 ? 128u : 32u))
			return NULL;
	} else if (nfs_addr_parse(spec, &want) < 0) {
		return NULL;
	}
	for (size_t i = 0; i < ref->nhosts; i++) {
		const struct nfs_host *h = &ref->hosts[i];

		if (h->address && nfs_addr_parse(h->address, &have) == 0 &&
		    have.family == want.family &&
		    memcmp(have.addr, want.addr, want.family == AF_INET6 ?
			   16 : 4) == 0)
			return h;
	}
	return NULL;
}

static int rename_to(char **s, const struct nfs_plan *ref)
{
	const struct nfs_host *h = host_at(ref, *s);
	char *n;

	if (!h)
		return 0;
	n = strdup(h->name);
	if (!n)
		return -ENOMEM;
	free(*s);
	*s = n;
	return 0;
}

int nfs_plan_name_hosts(struct nfs_plan *q, const struct nfs_plan *ref)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < q->nexports; i++)
		for (size_t j = 0; r >= 0 && j < q->exports[i].nclients; j++)
			r = rename_to(&q->exports[i].clients[j].spec, ref);
	for (size_t i = 0; r >= 0 && i < q->nimports; i++)
		r = rename_to(&q->imports[i].server, ref);
	return r;
}

static int copy_host(struct nfs_plan *q, const struct nfs_host *h)
{
	struct nfs_host *n = nfs_plan_add_host(q);

	if (!n)
		return -ENOMEM;
	n->platform = h->platform;
	n->line = 0;
	n->name = strdup(h->name);
	n->address = h->address ? strdup(h->address) : NULL;
	if (!n->name || (h->address && !n->address))
		return -ENOMEM;
	n->has_products = h->has_products;
	for (size_t i = 0; i < h->nproducts; i++)
		if (nfs_strv_add(&n->products, &n->nproducts, h->products[i]) < 0)
			return -ENOMEM;
	return 0;
}

static int copy_netgroup(struct nfs_plan *q, const struct nfs_netgroup *g)
{
	struct nfs_netgroup *n = nfs_plan_add_netgroup(q);

	if (!n || !(n->name = strdup(g->name)))
		return -ENOMEM;
	for (size_t i = 0; i < g->nmembers; i++)
		if (nfs_strv_add(&n->members, &n->nmembers, g->members[i]) < 0)
			return -ENOMEM;
	return 0;
}

int nfs_reverse_draft(struct nfs_plan *q, const struct nfs_plan *ref,
		      struct buf *out)
{
	int r = nfs_plan_name_hosts(q, ref);

	for (size_t i = 0; r >= 0 && i < ref->nhosts; i++)
		if (!nfs_plan_host(q, ref->hosts[i].name))
			r = copy_host(q, &ref->hosts[i]);
	for (size_t i = 0; r >= 0 && i < ref->nnetgroups; i++)
		if (!nfs_plan_netgroup(q, ref->netgroups[i].name))
			r = copy_netgroup(q, &ref->netgroups[i]);
	if (r < 0)
		return r;
	nfs_plan_sort(q);
	r = buf_append_str(out, "# sysman: draft plan read from the live hosts "
			   "(services/nfs/reverse)\n");
	return r < 0 ? r : nfs_plan_print(q, out);
}
