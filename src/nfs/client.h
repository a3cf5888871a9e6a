/*
 * client.h - client specifications of an export and which one applies.
 *
 * A spec is one of: "*" (anyone), a host name or address, "addr/len" or
 * "addr/mask" (IPv4 or IPv6), a wildcard ("*.lab", "node?"), "@netgroup".
 * Matching follows the server's platform: Linux picks by precedence
 * (host > network > wildcard > netgroup > anonymous, first in each class);
 * every other platform takes the first matching entry in order, and a
 * matching deny entry ("-spec", Solaris) refuses the client.
 */
#ifndef SYSMAN_NFS_CLIENT_H
#define SYSMAN_NFS_CLIENT_H

#include <stdbool.h>

#include "nfs/model.h"

enum nfs_client_kind {
	NFS_CK_HOST, NFS_CK_NET, NFS_CK_WILD, NFS_CK_NETGROUP, NFS_CK_ANY,
};

struct nfs_net {
	int family;                    /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefix;
};

/* Classifies a spec; returns its kind or -EINVAL when malformed. */
int nfs_client_kind(const char *spec);
/* Parses "addr/len" or "addr/dotted-mask"; 0 or -EINVAL (also for a
 * non-contiguous mask). */
int nfs_net_parse(const char *spec, struct nfs_net *ret);
/* Parses a bare address into a /32 or /128 net; 0 or -EINVAL. */
int nfs_addr_parse(const char *addr, struct nfs_net *ret);
/* Dotted mask of an IPv4 prefix length into dst (16 bytes). */
void nfs_mask_format(unsigned prefix, char *dst, unsigned long n);

/* Writes spec in canonical form to dst (size n): networks as
 * "addr/len" with the address as inet_ntop prints it, anything else as
 * is.  0, or -ENAMETOOLONG. */
int nfs_client_canon(const char *spec, char *dst, unsigned long n);

/* True when the host (name, address; address may be NULL) matches spec;
 * netgroups are resolved through the plan's netgroup statements. */
bool nfs_client_matches(const struct nfs_plan *p, const char *spec,
			const char *name, const char *address);

/* Index of the client entry of e that applies to the host on a server of
 * the given platform; -1 when none does or a deny entry applies. */
int nfs_export_match(const struct nfs_plan *p, const struct nfs_export *e,
		     int platform, const char *name, const char *address);

#endif
