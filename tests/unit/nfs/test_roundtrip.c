/* Property: parse(generate(plan)) gives back the plan's NFS objects, for
 * random plans on every platform (seeded, so a failure reproduces). */
#include "helpers.h"

#include <stdint.h>

#include "nfs/catalog.h"
#include "nfs/client.h"
#include "nfs/gen.h"
#include "nfs/opts.h"
#include "nfs/parse.h"
#include "nfs/reverse.h"

#define SEED 0x5eed2026u
#define ATTEMPTS 6000
#define WANT_TOTAL 1000
#define WANT_PER_PLATFORM 100

static uint64_t rng = SEED;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static bool chance(unsigned percent)
{
	return rnd(100) < percent;
}

/* Options the catalog allows, per platform and service. */
struct param {
	char name[32], kind[8], spec[64];
};

struct params {
	struct param v[32];
	size_t n;
};

static struct params xparams[NFS_PF_COUNT], mparams[NFS_PF_COUNT];

static int add_param(void *arg, const char *name, const char *kind,
		     const char *spec)
{
	struct params *p = arg;

	if (p->n < 32) {
		snprintf(p->v[p->n].name, 32, "%s", name);
		snprintf(p->v[p->n].kind, 8, "%s", kind);
		snprintf(p->v[p->n].spec, 64, "%s", spec);
		p->n++;
	}
	return 0;
}

/* A random allowed value of a parameter into dst ("" for flags). */
static void random_value(const struct param *p, char *dst, size_t n)
{
	char items[8][16];
	size_t k = 0;

	dst[0] = '\0';
	if (strcmp(p->kind, "range") == 0) {
		snprintf(dst, n, "%u", strcmp(p->name, "timeo") == 0 ?
			 1 + rnd(600) : strcmp(p->name, "retrans") == 0 ?
			 rnd(10) : rnd(70000));
	} else if (strcmp(p->kind, "enum") == 0) {
		for (const char *s = p->spec; *s && k < 8;) {
			size_t l = strcspn(s, ",");

			snprintf(items[k++], 16, "%.*s", (int)l, s);
			s += l + (s[l] == ',');
		}
		snprintf(dst, n, "%s", items[rnd((unsigned)k)]);
		if (strcmp(p->name, "sec") == 0 && k > 1 && chance(30)) {
			size_t j = rnd((unsigned)k);

			if (strcmp(items[j], dst) != 0)
				snprintf(dst + strlen(dst), n - strlen(dst),
					 ":%s", items[j]);
		}
	}
}

static const char *const specs_simple[] = {
	"c0", "c1", "c2", "c3", "10.1.2.3", "@ng0", "@ng1", "*",
};
static const char *const specs_any[] = {
	"c0", "c1", "10.1.2.3", "@ng0", "*", "10.1.0.0/16",
	"10.2.0.0/255.255.0.0", "fd00:1::/64", "*.lab", "node?", "c2.lab",
};
static const char *const paths[] = {
	"/export/a", "/export/a/b", "/srv/with space", "/data/x_1", "/home",
};

/* Appends random export options allowed on pf; uniform ones are fixed
 * per export so share-level platforms can express them. */
static void random_xopts(struct buf *b, int pf, const char *uniform,
			 bool *deny)
{
	const struct params *ps = &xparams[pf];
	bool first = true;

	for (size_t i = 0; i < ps->n; i++) {
		const struct param *p = &ps->v[i];
		char v[64];

		if (!chance(25) || strncmp(p->name, "client_", 7) == 0)
			continue;
		if (strcmp(p->name, "deny") == 0) {
			*deny = chance(30);
			continue;
		}
		if (uniform && (!strcmp(p->name, "anonuid") ||
				!strcmp(p->name, "anongid") ||
				!strcmp(p->name, "sec")))
			continue;
		random_value(p, v, sizeof(v));
		buf_printf(b, "%s%s%s%s", first ? "" : ",", p->name,
			   v[0] ? "=" : "", v);
		first = false;
	}
	if (uniform && uniform[0])
		buf_printf(b, "%s%s", first ? "" : ",", uniform);
}

static void random_export(struct buf *b, int pf, const char *path)
{
	bool simple = chance(50);
	char uniform[96] = "";
	unsigned n = 1 + rnd(4);
	const char *used[4];
	unsigned nused = 0;

	if (chance(60)) {
		for (size_t i = 0; i < xparams[pf].n; i++) {
			const struct param *p = &xparams[pf].v[i];
			char v[64];

			if ((strcmp(p->name, "anonuid") && strcmp(p->name, "sec")
			     && strcmp(p->name, "anongid")) || chance(50))
				continue;
			random_value(p, v, sizeof(v));
			snprintf(uniform + strlen(uniform), sizeof(uniform) -
				 strlen(uniform), "%s%s=%s", uniform[0] ? "," :
				 "", p->name, v);
		}
	}
	buf_printf(b, "export srv:\"%s\"", path);
	for (unsigned i = 0; i < n; i++) {
		const char *s = simple ? specs_simple[rnd(8)] : specs_any[rnd(11)];
		bool dup = false, deny = false;
		struct buf o = BUF_INIT;

		for (unsigned j = 0; j < nused; j++)
			dup |= strcmp(used[j], s) == 0;
		if (dup)
			continue;
		used[nused++] = s;
		random_xopts(&o, pf, chance(60) ? uniform : NULL, &deny);
		buf_printf(b, " %s%s%s%s%s", deny ? "-" : "", s,
			   o.len ? "(" : "", buf_str(&o), o.len ? ")" : "");
		buf_release(&o);
	}
	buf_append_str(b, "\n");
}

static void random_import(struct buf *b, int pf, unsigned k,
			  const char *path)
{
	const struct params *ps = &mparams[pf];
	bool first = true;

	buf_printf(b, "import c%u:\"/mnt/%s%u\" srv:\"%s\" ", rnd(4),
		   chance(10) ? "sp ace" : "m", k, path);
	for (size_t i = 0; i < ps->n; i++) {
		char v[64];

		if (!chance(25))
			continue;
		random_value(&ps->v[i], v, sizeof(v));
		buf_printf(b, "%s%s%s%s", first ? "" : ",", ps->v[i].name,
			   v[0] ? "=" : "", v);
		first = false;
	}
	buf_append_str(b, "\n");
}

static char *random_plan(int spf, int cpf)
{
	struct buf b = BUF_INIT;
	unsigned nexp = 1 + rnd(3), nimp = rnd(4);
	bool used[5] = { false };

	buf_printf(&b, "host srv address=10.9.9.9 platform=%s\n",
		   nfs_platform_name(spf));
	for (unsigned i = 0; i < 4; i++)
		buf_printf(&b, "host c%u address=10.1.2.%u platform=%s\n", i,
			   i + 1, nfs_platform_name(cpf));
	buf_append_str(&b, "netgroup ng0 c0 c1\nnetgroup ng1 c2 @ng0\n");
	for (unsigned i = 0; i < nexp; i++) {
		unsigned k = rnd(5);

		if (!used[k])
			random_export(&b, spf, paths[k]);
		used[k] = true;
	}
	for (unsigned i = 0; i < nimp; i++)
		random_import(&b, cpf, i, paths[rnd(5)]);
	return buf_steal(&b);
}

/* Parses every generated file back into one plan. */
static struct nfs_plan *parse_back(const struct nfs_plan *p,
				   const struct nfs_gen_out *out,
				   const char *text)
{
	struct nfs_plan *q = nfs_plan_new();

	for (size_t i = 0; i < out->n; i++) {
		const struct nfs_gen_file *f = &out->v[i];
		const struct nfs_host *h = nfs_plan_host(p, f->host);
		int which = strcmp(f->name, nfs_gen_filename(h->platform, 0)) != 0;
		struct nfs_error err = { 0 };
		int fmt = nfs_format_of(h->platform, which);

		if (nfs_parse(fmt, buf_str(&f->content), f->content.len,
			      f->host, p, q, NULL, &err) < 0)
			fail_msg("%s/%s does not parse: line %u col %u: %s\n"
				 "plan:\n%s\nfile:\n%s", f->host, f->name,
				 err.line, err.col, err.msg, text,
				 buf_str(&f->content));
	}
	/* ganesha files name plan hosts by address */
	assert_int_equal(nfs_plan_name_hosts(q, p), 0);
	return q;
}

static bool same_objects(struct nfs_plan *a, struct nfs_plan *b)
{
	char ca[300];

	/* normalisation: a plan host's address means that host (as the
	 * parsed-back side is named by parse_back()) */
	assert_int_equal(nfs_plan_name_hosts(a, a), 0);
	for (size_t i = 0; i < a->nexports; i++)
		for (size_t j = 0; j < a->exports[i].nclients; j++) {
			struct nfs_client *c = &a->exports[i].clients[j];

			nfs_client_canon(c->spec, ca, sizeof(ca));
			free(c->spec);
			c->spec = strdup(ca);
		}
	nfs_plan_sort(a);
	nfs_plan_sort(b);
	if (a->nexports != b->nexports || a->nimports != b->nimports)
		return false;
	for (size_t i = 0; i < a->nexports; i++) {
		const struct nfs_export *x = &a->exports[i], *y = &b->exports[i];

		if (strcmp(x->path, y->path) || x->nclients != y->nclients)
			return false;
		for (size_t j = 0; j < x->nclients; j++) {
			const struct nfs_client *p = &x->clients[j];
			const struct nfs_client *q = &y->clients[j];

			if (strcmp(p->spec, q->spec) || p->deny != q->deny ||
			    (!p->deny && !nfs_xopts_equal(&p->opts, &q->opts)))
				return false;
		}
	}
	for (size_t i = 0; i < a->nimports; i++) {
		const struct nfs_import *x = &a->imports[i], *y = &b->imports[i];

		if (strcmp(x->client, y->client) || strcmp(x->mountpoint,
		    y->mountpoint) || strcmp(x->server, y->server) ||
		    strcmp(x->path, y->path) ||
		    !nfs_mopts_equal(&x->opts, &y->opts))
			return false;
	}
	return true;
}

/* True when, once addresses of plan hosts are read as the hosts, one
 * export names a client twice ("c2" and c2's address): only the first
 * entry can apply, and a file naming hosts by address (ganesha) holds
 * the same client twice, which no parser keeps apart. */
static bool names_a_client_twice(const struct nfs_plan *p)
{
	for (size_t i = 0; i < p->nexports; i++) {
		const struct nfs_export *e = &p->exports[i];

		for (size_t j = 0; j < e->nclients; j++) {
			const struct nfs_host *a = nfs_plan_host(p, e->clients[j].spec);

			for (size_t k = 0; k < e->nclients; k++) {
				const char *o = e->clients[k].spec;

				if (k != j && a && a->address &&
				    strcmp(o, a->address) == 0)
					return true;
			}
		}
	}
	return false;
}

static void test_roundtrip_random_plans(void **state)
{
	static const int cpfs[] = { NFS_PF_LINUX, NFS_PF_SOLARIS, NFS_PF_AIX,
				    NFS_PF_FREEBSD };
	struct nfs_catalog *cat = NULL;
	unsigned ok = 0, per_server[NFS_PF_COUNT] = { 0 };
	unsigned per_client[NFS_PF_COUNT] = { 0 }, refused = 0;

	(void)state;
	assert_int_equal(nfs_catalog_open(":memory:", &cat), 0);
	for (int pf = 0; pf < NFS_PF_COUNT; pf++) {
		nfs_catalog_params(cat, NFS_SVC_SERVER, nfs_platform_name(pf),
				   add_param, &xparams[pf]);
		nfs_catalog_params(cat, NFS_SVC_CLIENT, nfs_platform_name(pf),
				   add_param, &mparams[pf]);
	}
	for (unsigned n = 0; n < ATTEMPTS; n++) {
		int spf = (int)rnd(NFS_PF_COUNT), cpf = cpfs[rnd(4)];
		char *text = random_plan(spf, cpf);
		struct nfs_gen_out out = NFS_GEN_OUT_INIT;
		struct nfs_error err = { 0 };
		struct nfs_plan *p = plan_of(text), *q;
		int r = nfs_generate(p, &out, &err);

		if (r == -ENOTSUP || names_a_client_twice(p)) {
			refused++;
		} else {
			assert_int_equal(r, 0);
			q = parse_back(p, &out, text);
			if (!same_objects(p, q)) {
				struct buf got = BUF_INIT;

				nfs_plan_print(q, &got);
				fail_msg("round trip %u differs (seed %#x)\nplan:\n"
					 "%s\nparsed back:\n%s", n, SEED, text,
					 buf_str(&got));
			}
			ok++;
			per_server[spf]++;
			per_client[cpf] += p->nimports > 0;
			nfs_plan_free(q);
		}
		nfs_gen_out_release(&out);
		nfs_plan_free(p);
		free(text);
	}
	printf("round trips: %u ok, %u refused by a platform or naming a "
	       "client twice\n", ok, refused);
	assert_true(ok >= WANT_TOTAL);
	for (int pf = 0; pf < NFS_PF_COUNT; pf++) {
		printf("  server %s: %u, client %s: %u\n", nfs_platform_name(pf),
		       per_server[pf], nfs_platform_name(pf), per_client[pf]);
		assert_true(per_server[pf] >= WANT_PER_PLATFORM);
		if (pf != NFS_PF_GANESHA)
			assert_true(per_client[pf] >= WANT_PER_PLATFORM);
	}
	nfs_catalog_close(cat);
}

/* The golden plan's own files round-trip too. */
static void test_roundtrip_golden_plan(void **state)
{
	struct nfs_gen_out out = NFS_GEN_OUT_INIT;
	struct nfs_error err = { 0 };
	struct buf text = BUF_INIT;
	struct nfs_plan *p, *q;

	(void)state;
	golden_read("plan.txt", &text);
	p = plan_of(buf_str(&text));
	assert_int_equal(nfs_generate(p, &out, &err), 0);
	q = parse_back(p, &out, buf_str(&text));
	assert_true(same_objects(p, q));
	nfs_plan_free(q);
	nfs_gen_out_release(&out);
	nfs_plan_free(p);
	buf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_golden_plan),
		cmocka_unit_test(test_roundtrip_random_plans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
