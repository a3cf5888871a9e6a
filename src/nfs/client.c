#include "nfs/client.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/strutil.h"

#define NETGROUP_DEPTH 16

static bool valid_name(const char *s)
{
	/* a leading '-' would read as a deny entry, '.' as a domain */
	if (!*s || !(isalnum((unsigned char)*s) || *s == ':' || *s == '_'))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789.-_:") == strlen(s);
}

int nfs_addr_parse(const char *addr, struct nfs_net *ret)
{
	struct nfs_net n;

	memset(&n, 0, sizeof(n));
	if (inet_pton(AF_INET, addr, n.addr) == 1) {
		n.family = AF_INET;
		n.prefix = 32;
	} else if (inet_pton(AF_INET6, addr, n.addr) == 1) {
		n.family = AF_INET6;
		n.prefix = 128;
	} else {
		return -EINVAL;
	}
	*ret = n;
	return 0;
}

/* Converts a dotted IPv4 mask to a prefix length; -EINVAL if not
 * contiguous. */
static int mask_to_prefix(const char *s, unsigned *ret)
{
	unsigned char m[4];
	unsigned long v;
	unsigned len = 0;

	if (inet_pton(AF_INET, s, m) != 1)
		return -EINVAL;
	v = ((unsigned long)m[0] << 24) | ((unsigned long)m[1] << 16) |
	    ((unsigned long)m[2] << 8) | m[3];
	while (len < 32 && (v & (0x80000000ul >> len)))
		len++;
	if (len < 32 && (v & (0xfffffffful >> len)))
		return -EINVAL;
	*ret = len;
	return 0;
}

void nfs_mask_format(unsigned prefix, char *dst, unsigned long n)
{
	unsigned long v = prefix >= 32 ? 0xfffffffful :
			  prefix ? (0xfffffffful << (32 - prefix)) & 0xfffffffful : 0;

	snprintf(dst, n, "%lu.%lu.%lu.%lu", (v >> 24) & 255, (v >> 16) & 255,
		 (v >> 8) & 255, v & 255);
}

int nfs_net_parse(const char *spec, struct nfs_net *ret)
{
	const char *slash = strchr(spec, '/');
	char addr[64];
	struct nfs_net n;
	int plen;

	if (!slash || (size_t)(slash - spec) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, spec, (size_t)(slash - spec));
	addr[slash - spec] = '\0';
	if (nfs_addr_parse(addr, &n) < 0)
		return -EINVAL;
	if (strchr(slash + 1, '.')) {
		if (n.family != AF_INET || mask_to_prefix(slash + 1,
							  &n.prefix) < 0)
			return -EINVAL;
	} else {
		if (parse_int(slash + 1, 0, (int)n.prefix, &plen) < 0)
			return -EINVAL;
		n.prefix = (unsigned)plen;
	}
	*ret = n;
	return 0;
}

int nfs_client_kind(const char *spec)
{
	struct nfs_net n;

	if (strcmp(spec, "*") == 0)
		return NFS_CK_ANY;
	if (spec[0] == '@')
		return valid_name(spec + 1) ? NFS_CK_NETGROUP : -EINVAL;
	if (strchr(spec, '/'))
		return nfs_net_parse(spec, &n) == 0 ? NFS_CK_NET : -EINVAL;
	if (strpbrk(spec, "*?[")) {
		if (strspn(spec, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
			   "TUVWXYZ0123456789.-_*?[]!") != strlen(spec))
			return -EINVAL;
		return NFS_CK_WILD;
	}
	return valid_name(spec) ? NFS_CK_HOST : -EINVAL;
}

static bool net_contains(const struct nfs_net *net, const struct nfs_net *a)
{
	unsigned full = net->prefix / 8, rest = net->prefix % 8;

	if (net->family != a->family)
		return false;
	if (memcmp(net->addr, a->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((net->addr[full] ^ a->addr[full]) &
		(unsigned char)(0xff << (8 - rest))) == 0;
}

static bool in_netgroup(const struct nfs_plan *p, const char *group,
			const char *name, int depth)
{
	const struct nfs_netgroup *ng = nfs_plan_netgroup(p, group);

	if (!ng || depth > NETGROUP_DEPTH)
		return false;
	for (size_t i = 0; i < ng->nmembers; i++) {
		const char *m = ng->members[i];

		if (m[0] == '@') {
			if (in_netgroup(p, m + 1, name, depth + 1))
				return true;
		} else if (nfs_plan_netgroup(p, m)) {
			if (in_netgroup(p, m, name, depth + 1))
				return true;
		} else if (strcasecmp(m, name) == 0) {
			return true;
		}
	}
	return false;
}

bool nfs_client_matches(const struct nfs_plan *p, const char *spec,
			const char *name, const char *address)
{
	struct nfs_net net, a;

	switch (nfs_client_kind(spec)) {
	case NFS_CK_ANY:
		return true;
	case NFS_CK_NETGROUP:
		return in_netgroup(p, spec + 1, name, 0);
	case NFS_CK_WILD:
		return fnmatch(spec, name, FNM_CASEFOLD) == 0;
	case NFS_CK_NET:
		return address && nfs_net_parse(spec, &net) == 0 &&
		       nfs_addr_parse(address, &a) == 0 &&
		       net_contains(&net, &a);
	case NFS_CK_HOST:
		if (strcasecmp(spec, name) == 0)
			return true;
		if (address && nfs_addr_parse(spec, &net) == 0 &&
		    nfs_addr_parse(address, &a) == 0)
			return net.family == a.family &&
			       memcmp(net.addr, a.addr, 16) == 0;
		return false;
	default:
		return false;
	}
}

int nfs_export_match(const struct nfs_plan *p, const struct nfs_export *e,
		     int platform, const char *name, const char *address)
{
	int best = -1, best_kind = NFS_CK_ANY + 1;

	for (size_t i = 0; i < e->nclients; i++) {
		const struct nfs_client *c = &e->clients[i];
		int kind;

		if (!nfs_client_matches(p, c->spec, name, address))
			continue;
		if (platform != NFS_PF_LINUX)
			return c->deny ? -1 : (int)i;
		kind = nfs_client_kind(c->spec);
		if (kind < best_kind) {
			best_kind = kind;
			best = (int)i;
		}
	}
	if (best >= 0 && e->clients[best].deny)
		return -1;
	return best;
}

int nfs_client_canon(const char *spec, char *dst, unsigned long n)
{
	char addr[INET6_ADDRSTRLEN];
	struct nfs_net net;

	if (nfs_client_kind(spec) != NFS_CK_NET || nfs_net_parse(spec, &net) ||
	    !inet_ntop(net.family, net.addr, addr, sizeof(addr)))
		return str_copy(dst, n, spec);
	return str_printf(dst, n, "%s/%u", addr, net.prefix);
}
