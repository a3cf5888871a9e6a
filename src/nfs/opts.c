#include "nfs/opts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/strutil.h"

/* Compares the name part of opt[0..len) with name. */
static bool name_is(const char *opt, size_t nlen, const char *name)
{
	return strlen(name) == nlen && memcmp(opt, name, nlen) == 0;
}

/* Parses an unsigned decimal value of at most 10 digits. */
static int parse_num(const char *s, size_t len, unsigned long max,
		     unsigned long *ret)
{
	char tmp[16];
	long v;

	if (len == 0 || len >= sizeof(tmp) || len > 10)
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (tmp[0] == '-' || tmp[0] == '+')
		return -EINVAL;
	if (parse_long(tmp, 0, (long)max, &v) < 0)
		return -EINVAL;
	*ret = (unsigned long)v;
	return 0;
}

int nfs_sec_list_parse(struct nfs_xopts *o, const char *s, size_t len)
{
	unsigned n = 0;
	size_t i = 0;

	while (i <= len) {
		size_t j = i;
		char tmp[8];
		int sec;

		while (j < len && s[j] != ':')
			j++;
		if (j == i || j - i >= sizeof(tmp) || n >= NFS_MAX_SEC)
			return -EINVAL;
		memcpy(tmp, s + i, j - i);
		tmp[j - i] = '\0';
		sec = nfs_sec_parse(tmp);
		if (sec < 0)
			return -EINVAL;
		for (unsigned k = 0; k < n; k++)
			if (o->sec[k] == sec)
				return -EINVAL;
		o->sec[n++] = (unsigned char)sec;
		i = j + 1;
	}
	o->nsec = n;
	o->set |= NFS_XO_SEC;
	return 0;
}

static int xopt_flag(struct nfs_xopts *o, const char *opt, size_t len)
{
	static const struct { const char *n; unsigned bit; int v; } t[] = {
		{ "rw", NFS_XO_ACCESS, 1 }, { "ro", NFS_XO_ACCESS, 0 },
		{ "root_squash", NFS_XO_SQUASH, NFS_SQ_ROOT },
		{ "no_root_squash", NFS_XO_SQUASH, NFS_SQ_NONE },
		{ "all_squash", NFS_XO_SQUASH, NFS_SQ_ALL },
		{ "sync", NFS_XO_SYNC, 0 }, { "async", NFS_XO_SYNC, 1 },
		{ "subtree_check", NFS_XO_SUBTREE, 1 },
		{ "no_subtree_check", NFS_XO_SUBTREE, 0 },
		{ "secure", NFS_XO_SECURE, 0 }, { "insecure", NFS_XO_SECURE, 1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!name_is(opt, len, t[i].n))
			continue;
		switch (t[i].bit) {
		case NFS_XO_ACCESS: o->rw = t[i].v; break;
		case NFS_XO_SQUASH: o->squash = t[i].v; break;
		case NFS_XO_SYNC: o->async = t[i].v; break;
		case NFS_XO_SUBTREE: o->subtree_check = t[i].v; break;
		default: o->insecure = t[i].v; break;
		}
		o->set |= t[i].bit;
		return 0;
	}
	return -ENOENT;
}

int nfs_xopt_apply(struct nfs_xopts *o, const char *opt, size_t len)
{
	const char *eq = memchr(opt, '=', len);
	size_t nlen = eq ? (size_t)(eq - opt) : len;
	const char *v = eq ? eq + 1 : NULL;
	size_t vlen = eq ? len - nlen - 1 : 0;

	if (!eq)
		return xopt_flag(o, opt, len);
	if (name_is(opt, nlen, "anonuid")) {
		if (parse_num(v, vlen, 4294967295ul, &o->anonuid) < 0)
			return -EINVAL;
		o->set |= NFS_XO_ANONUID;
		return 0;
	}
	if (name_is(opt, nlen, "anongid")) {
		if (parse_num(v, vlen, 4294967295ul, &o->anongid) < 0)
			return -EINVAL;
		o->set |= NFS_XO_ANONGID;
		return 0;
	}
	if (name_is(opt, nlen, "sec"))
		return nfs_sec_list_parse(o, v, vlen);
	return -ENOENT;
}

int nfs_vers_parse(const char *s, size_t len)
{
	static const struct { const char *n; int v; } t[] = {
		{ "3", 30 }, { "4", 40 }, { "4.0", 40 }, { "4.1", 41 },
		{ "4.2", 42 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (name_is(s, len, t[i].n))
			return t[i].v;
	return -EINVAL;
}

const char *nfs_vers_name(int vers)
{
	switch (vers) {
	case 30: return "3";
	case 40: return "4";
	case 41: return "4.1";
	case 42: return "4.2";
	default: return "?";
	}
}

static int mopt_flag(struct nfs_mopts *o, const char *opt, size_t len)
{
	static const struct { const char *n; unsigned bit; bool v; } t[] = {
		{ "rw", NFS_MO_ACCESS, false }, { "ro", NFS_MO_ACCESS, true },
		{ "hard", NFS_MO_HARD, false }, { "soft", NFS_MO_HARD, true },
		{ "fg", NFS_MO_BG, false }, { "bg", NFS_MO_BG, true },
		{ "nosuid", NFS_MO_NOSUID, true },
		{ "noexec", NFS_MO_NOEXEC, true },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!name_is(opt, len, t[i].n))
			continue;
		switch (t[i].bit) {
		case NFS_MO_ACCESS: o->ro = t[i].v; break;
		case NFS_MO_HARD: o->soft = t[i].v; break;
		case NFS_MO_BG: o->bg = t[i].v; break;
		case NFS_MO_NOSUID: o->nosuid = t[i].v; break;
		default: o->noexec = t[i].v; break;
		}
		o->set |= t[i].bit;
		return 0;
	}
	return -ENOENT;
}

int nfs_mopt_apply(struct nfs_mopts *o, const char *opt, size_t len)
{
	const char *eq = memchr(opt, '=', len);
	size_t nlen = eq ? (size_t)(eq - opt) : len;
	const char *v = eq ? eq + 1 : NULL;
	size_t vlen = eq ? len - nlen - 1 : 0;
	unsigned long n;
	int vers;

	if (!eq)
		return mopt_flag(o, opt, len);
	if (name_is(opt, nlen, "vers")) {
		vers = nfs_vers_parse(v, vlen);
		if (vers < 0)
			return -EINVAL;
		o->vers = vers;
		o->set |= NFS_MO_VERS;
		return 0;
	}
	if (name_is(opt, nlen, "proto")) {
		if (name_is(v, vlen, "tcp"))
			o->udp = false;
		else if (name_is(v, vlen, "udp"))
			o->udp = true;
		else
			return -EINVAL;
		o->set |= NFS_MO_PROTO;
		return 0;
	}
	if (name_is(opt, nlen, "timeo") || name_is(opt, nlen, "retrans")) {
		if (parse_num(v, vlen, 1000000ul, &n) < 0)
			return -EINVAL;
		if (opt[0] == 't') {
			o->timeo = (long)n;
			o->set |= NFS_MO_TIMEO;
		} else {
			o->retrans = (long)n;
			o->set |= NFS_MO_RETRANS;
		}
		return 0;
	}
	return -ENOENT;
}

void nfs_sec_format(const struct nfs_xopts *o, char *dst, size_t n)
{
	size_t off = 0;

	dst[0] = '\0';
	for (unsigned i = 0; i < o->nsec && off < n; i++) {
		int w = snprintf(dst + off, n - off, "%s%s", i ? ":" : "",
				 nfs_sec_name(o->sec[i]));
		if (w < 0)
			return;
		off += (size_t)w;
	}
}

static void kv_add(struct nfs_kv *kv, size_t *n, const char *name,
		   const char *fmt, unsigned long v)
{
	kv[*n].name = name;
	kv[*n].value[0] = '\0';
	if (fmt)
		snprintf(kv[*n].value, sizeof(kv[*n].value), fmt, v);
	(*n)++;
}

size_t nfs_xopts_list(const struct nfs_xopts *o, struct nfs_kv *kv)
{
	static const char *const sq[] = { "root_squash", "no_root_squash",
					  "all_squash" };
	size_t n = 0;

	if (o->set & NFS_XO_ACCESS)
		kv_add(kv, &n, o->rw ? "rw" : "ro", NULL, 0);
	if (o->set & NFS_XO_SYNC)
		kv_add(kv, &n, o->async ? "async" : "sync", NULL, 0);
	if (o->set & NFS_XO_SQUASH)
		kv_add(kv, &n, sq[o->squash], NULL, 0);
	if (o->set & NFS_XO_ANONUID)
		kv_add(kv, &n, "anonuid", "%lu", o->anonuid);
	if (o->set & NFS_XO_ANONGID)
		kv_add(kv, &n, "anongid", "%lu", o->anongid);
	if (o->set & NFS_XO_SEC) {
		kv_add(kv, &n, "sec", NULL, 0);
		nfs_sec_format(o, kv[n - 1].value, sizeof(kv[n - 1].value));
	}
	if (o->set & NFS_XO_SUBTREE)
		kv_add(kv, &n, o->subtree_check ? "subtree_check" :
		       "no_subtree_check", NULL, 0);
	if (o->set & NFS_XO_SECURE)
		kv_add(kv, &n, o->insecure ? "insecure" : "secure", NULL, 0);
	return n;
}

size_t nfs_mopts_list(const struct nfs_mopts *o, struct nfs_kv *kv)
{
	size_t n = 0;

	if (o->set & NFS_MO_ACCESS)
		kv_add(kv, &n, o->ro ? "ro" : "rw", NULL, 0);
	if (o->set & NFS_MO_HARD)
		kv_add(kv, &n, o->soft ? "soft" : "hard", NULL, 0);
	if (o->set & NFS_MO_BG)
		kv_add(kv, &n, o->bg ? "bg" : "fg", NULL, 0);
	if (o->set & NFS_MO_VERS) {
		kv_add(kv, &n, "vers", NULL, 0);
		snprintf(kv[n - 1].value, sizeof(kv[n - 1].value), "%s",
			 nfs_vers_name(o->vers));
	}
	if (o->set & NFS_MO_PROTO) {
		kv_add(kv, &n, "proto", NULL, 0);
		snprintf(kv[n - 1].value, sizeof(kv[n - 1].value), "%s",
			 o->udp ? "udp" : "tcp");
	}
	if (o->set & NFS_MO_TIMEO)
		kv_add(kv, &n, "timeo", "%lu", (unsigned long)o->timeo);
	if (o->set & NFS_MO_RETRANS)
		kv_add(kv, &n, "retrans", "%lu", (unsigned long)o->retrans);
	if (o->set & NFS_MO_NOSUID)
		kv_add(kv, &n, "nosuid", NULL, 0);
	if (o->set & NFS_MO_NOEXEC)
		kv_add(kv, &n, "noexec", NULL, 0);
	return n;
}

int nfs_kv_format(struct buf *b, const struct nfs_kv *kv, size_t n)
{
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i++) {
		r = buf_printf(b, "%s%s%s%s", i ? "," : "", kv[i].name,
			       kv[i].value[0] ? "=" : "", kv[i].value);
	}
	return r < 0 ? r : 0;
}
