/* File and command-output parsers: golden outputs for every format,
 * normalisation (planned == observed), errors with line and column. */
#include "helpers.h"

#include "nfs/parse.h"

static const char known_text[] = "netgroup build c1 c3\nnetgroup trusted t1\n";

struct golden {
	const char *in;                /* tests/golden/nfs/parse/<in>.in */
	const char *format;
	const char *host;
};

static const struct golden goldens[] = {
	{ "linux-exports", "linux-exports", "lnx" },
	{ "linux-fstab", "linux-fstab", "c1" },
	{ "ganesha", "ganesha", "gsh" },
	{ "solaris-dfstab", "solaris-dfstab", "sol" },
	{ "solaris-vfstab", "solaris-vfstab", "c2" },
	{ "aix-exports", "aix-exports", "aix" },
	{ "aix-filesystems", "aix-filesystems", "c3" },
	{ "freebsd-exports", "freebsd-exports", "bsd" },
	{ "freebsd-fstab", "freebsd-fstab", "c4" },
	{ "exportfs-v", "exportfs-v", "lnx" },
	{ "exportfs-v-old", "exportfs-v", "lnx" },
	{ "exportfs-s", "exportfs-s", "lnx" },
	{ "showmount-e", "showmount-e", "lnx" },
	{ "proc-mounts", "proc-mounts", "c1" },
	{ "rpcinfo-p", "rpcinfo-p", "lnx" },
};

/* Parses a golden input into a new plan (and its printed form). */
static struct nfs_plan *parse_golden(const struct golden *g, struct buf *out)
{
	struct nfs_plan *known = plan_of(known_text), *p = nfs_plan_new();
	struct nfs_rpcs rpcs = { NULL, 0, 0 };
	struct nfs_error err = { 0 };
	struct buf in = BUF_INIT;
	char rel[256];
	int r;

	snprintf(rel, sizeof(rel), "parse/%s.in", g->in);
	golden_read(rel, &in);
	r = nfs_parse(nfs_format_parse(g->format), buf_str(&in), in.len,
		      g->host, known, p, &rpcs, &err);
	if (r < 0)
		fail_msg("%s: r=%d line %u col %u: %s", g->in, r, err.line,
			 err.col, err.msg);
	if (out) {
		assert_int_equal(nfs_plan_print(p, out), 0);
		assert_int_equal(nfs_rpcs_print(&rpcs, out), 0);
	}
	nfs_rpcs_release(&rpcs);
	nfs_plan_free(known);
	buf_release(&in);
	return p;
}

static void test_golden_outputs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		struct buf out = BUF_INIT;
		char rel[256];

		nfs_plan_free(parse_golden(&goldens[i], &out));
		snprintf(rel, sizeof(rel), "parse/%s.out", goldens[i].in);
		golden_check(rel, buf_str(&out), out.len);
		buf_release(&out);
	}
}

static void assert_same_exports(const struct nfs_plan *a,
				const struct nfs_plan *b)
{
	assert_int_equal(a->nexports, b->nexports);
	for (size_t i = 0; i < a->nexports; i++) {
		const struct nfs_export *x = &a->exports[i], *y = &b->exports[i];

		assert_string_equal(x->path, y->path);
		assert_int_equal(x->nclients, y->nclients);
		for (size_t j = 0; j < x->nclients; j++) {
			assert_string_equal(x->clients[j].spec,
					    y->clients[j].spec);
			if (!nfs_xopts_equal(&x->clients[j].opts,
					     &y->clients[j].opts))
				fail_msg("%s %s differ", x->path,
					 x->clients[j].spec);
		}
	}
}

static void test_exportfs_v_both_forms_agree(void **state)
{
	struct nfs_plan *a = parse_golden(&goldens[9], NULL);
	struct nfs_plan *b = parse_golden(&goldens[10], NULL);

	(void)state;
	nfs_plan_sort(a);
	nfs_plan_sort(b);
	assert_same_exports(a, b);
	/* the old form's repeated sec= adds flavours */
	assert_string_equal(b->exports[2].path, "/srv/krb");
	assert_int_equal(b->exports[2].clients[0].opts.nsec, 2);
	nfs_plan_free(a);
	nfs_plan_free(b);
}

static void test_planned_equals_observed(void **state)
{
	struct nfs_plan *plan = plan_of(
		"export lnx:/srv/home 192.0.2.0/24(rw,sync,no_subtree_check) "
		"c2(ro,root_squash)\n"
		"export lnx:/srv/a/very/long/path/name/that/wraps *(insecure,"
		"all_squash)\n"
		"export lnx:/srv/krb @build(rw,no_root_squash,sec=krb5:krb5i)\n"
		"import c1:/home lnx:/srv/home vers=4.2\n"
		"import c1:\"/mnt/odd path\" lnx:\"/srv/odd path\" rw,vers=4.1\n"
		"import c1:/mnt/pub lnx:/srv/pub ro,soft,vers=3,proto=udp,"
		"nosuid,noexec\n");
	struct nfs_plan *v = parse_golden(&goldens[9], NULL);
	struct nfs_plan *m = parse_golden(&goldens[13], NULL);
	struct nfs_plan *pe = nfs_plan_new();

	(void)state;
	/* compare the exports part */
	pe->exports = plan->exports;
	pe->nexports = plan->nexports;
	nfs_plan_sort(pe);
	nfs_plan_sort(v);
	assert_same_exports(pe, v);
	pe->exports = NULL;
	pe->nexports = 0;
	assert_int_equal(m->nimports, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(m->imports[i].mountpoint,
				    plan->imports[i].mountpoint);
		if (!nfs_mopts_equal(&m->imports[i].opts, &plan->imports[i].opts))
			fail_msg("import %zu differs", i);
	}
	/* and a real difference is seen */
	plan->imports[0].opts.vers = 41;
	assert_false(nfs_mopts_equal(&m->imports[0].opts,
				     &plan->imports[0].opts));
	nfs_plan_free(pe);
	nfs_plan_free(plan);
	nfs_plan_free(v);
	nfs_plan_free(m);
}

struct bad {
	const char *format, *text;
	unsigned line, col;
	const char *needle;
};

static void test_errors_name_line_and_column(void **state)
{
	static const struct bad cases[] = {
		{ "linux-exports", "relative c(rw)\n", 1, 1, "absolute" },
		{ "linux-exports", "# c\n/x c(rw,frob)\n", 2, 9, "frob" },
		{ "linux-exports", "/x c(rw\n", 1, 4, "missing ')'" },
		{ "linux-exports", "/x 10.0.0.0/40(rw)\n", 1, 4, "bad client" },
		{ "linux-fstab", "s:/x /m nfs rw,frob 0 0\n", 1, 16, "frob" },
		{ "linux-fstab", "nocolon /m nfs rw 0 0\n", 1, 1, "server:/path" },
		{ "ganesha", "EXPORT {\n Path = /x;\n CLIENT { Clients = a;"
		  " Access_Type = Maybe; }\n}\n", 3, 24, "Access_Type" },
		{ "ganesha", "EXPORT {\n Path = /x;\n", 3, 1, "missing '}'" },
		{ "ganesha", "EXPORT { Clients = a; }\n", 1, 1, "without Path" },
		{ "ganesha", "EXPORT { Path = \"/x; }\n", 1, 17, "unterminated" },
		{ "solaris-dfstab", "share -F nfs -o rw=a,bogus /x\n", 1, 22,
		  "bogus" },
		{ "solaris-dfstab", "mount /x\n", 1, 1, "share" },
		{ "solaris-vfstab", "s:/x - /m nfs - yes\n", 1, 1, "7 columns" },
		{ "aix-exports", "/x -rw=a,frob\n", 1, 10, "frob" },
		{ "aix-filesystems", "\tdev = /x\n", 1, 1, "outside" },
		{ "aix-filesystems", "/m:\n\tvfs = nfs\n", 1, 1, "nodename" },
		{ "freebsd-exports", "/x -frob h\n", 1, 4, "frob" },
		{ "freebsd-exports", "/x -network 10.0.0.0 h\n", 1, 1, "mask" },
		{ "freebsd-fstab", "s:/x /m nfs rw,frob 0 0\n", 1, 16, "frob" },
		{ "exportfs-v", "\t\th(rw)\n", 1, 3, "before any path" },
		{ "showmount-e", "Export list for x:\nnot-a-path a\n", 2, 1,
		  "absolute" },
		{ "rpcinfo-p", "program vers proto port\n1 x tcp 2\n", 2, 1,
		  "program" },
		{ "proc-mounts", "s:/x /m nfs rw,vers=9 0 0\n", 1, 16, "vers" },
	};
	struct nfs_plan *known = plan_of(known_text);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nfs_rpcs rpcs = { NULL, 0, 0 };
		struct nfs_error err = { 0 };
		struct nfs_plan *p = nfs_plan_new();
		int r = nfs_parse(nfs_format_parse(cases[i].format),
				  cases[i].text, strlen(cases[i].text), "h",
				  known, p, &rpcs, &err);

		if (r != -EINVAL || err.line != cases[i].line ||
		    err.col != cases[i].col || !strstr(err.msg, cases[i].needle))
			fail_msg("case %zu (%s): r=%d line %u col %u msg '%s'",
				 i, cases[i].format, r, err.line, err.col,
				 err.msg);
		nfs_rpcs_release(&rpcs);
		nfs_plan_free(p);
	}
	nfs_plan_free(known);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_outputs),
		cmocka_unit_test(test_exportfs_v_both_forms_agree),
		cmocka_unit_test(test_planned_equals_observed),
		cmocka_unit_test(test_errors_name_line_and_column),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
