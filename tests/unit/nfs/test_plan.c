/* The plan language: statements, quoting, continuation, errors. */
#include "helpers.h"

#include "nfs/client.h"
#include "nfs/opts.h"

static void test_parse_all_statements(void **state)
{
	const char *text =
		"# a comment\n"
		"host s1 address=10.0.0.1 platform=linux products=nfsd,mountd\n"
		"host c1 address=fd00::1 platform=freebsd   # inline comment\n"
		"netgroup staff c1 @other\n"
		"export s1:\"/srv/with space\" c1(rw,no_root_squash) \\\n"
		"    10.0.0.0/24(ro,sec=krb5:sys) -bad *\n"
		"import c1:/mnt s1:/srv/data ro,vers=4.0,timeo=30\n";
	struct nfs_plan *p = plan_of(text);
	const struct nfs_export *e;

	(void)state;
	assert_int_equal(p->nhosts, 2);
	assert_string_equal(p->hosts[0].address, "10.0.0.1");
	assert_int_equal(p->hosts[0].platform, NFS_PF_LINUX);
	assert_int_equal(p->hosts[0].nproducts, 2);
	assert_string_equal(p->hosts[0].products[1], "mountd");
	assert_int_equal(p->hosts[1].platform, NFS_PF_FREEBSD);
	assert_int_equal(p->hosts[1].line, 3);
	assert_int_equal(p->netgroups[0].nmembers, 2);
	e = &p->exports[0];
	assert_string_equal(e->path, "/srv/with space");
	assert_int_equal(e->line, 5);
	assert_int_equal(e->nclients, 4);
	assert_true(e->clients[0].opts.rw);
	assert_int_equal(e->clients[0].opts.squash, NFS_SQ_NONE);
	assert_int_equal(e->clients[1].opts.nsec, 2);
	assert_int_equal(e->clients[1].opts.sec[0], NFS_SEC_KRB5);
	assert_true(e->clients[2].deny);
	assert_string_equal(e->clients[2].spec, "bad");
	assert_string_equal(e->clients[3].spec, "*");
	assert_int_equal(p->imports[0].opts.vers, 40);
	assert_int_equal(p->imports[0].opts.timeo, 30);
	assert_int_equal(p->imports[0].line, 7);
	nfs_plan_free(p);
}

static void test_print_is_canonical_and_reparses(void **state)
{
	const char *text =
		"host s1 address=10.0.0.1 platform=linux\n"
		"host c1 platform=linux\n"
		"netgroup g c1\n"
		"export s1:\"/a b\" c1(no_root_squash,rw) @g\n"
		"import c1:/m s1:\"/a b\" vers=4.0,ro\n";
	const char *want =
		"host s1 address=10.0.0.1 platform=linux\n"
		"host c1 platform=linux\n"
		"netgroup g c1\n"
		"export s1:\"/a b\" c1(rw,no_root_squash) @g\n"
		"import c1:/m s1:\"/a b\" ro,vers=4\n";
	struct nfs_plan *p = plan_of(text), *q;
	struct buf b = BUF_INIT, b2 = BUF_INIT;

	(void)state;
	assert_int_equal(nfs_plan_print(p, &b), 0);
	assert_string_equal(buf_str(&b), want);
	q = plan_of(buf_str(&b));
	assert_int_equal(nfs_plan_print(q, &b2), 0);
	assert_string_equal(buf_str(&b2), want);
	buf_release(&b);
	buf_release(&b2);
	nfs_plan_free(p);
	nfs_plan_free(q);
}

struct bad {
	const char *text;
	unsigned line, col;
	const char *needle;
};

static void test_errors_name_line_and_column(void **state)
{
	static const struct bad cases[] = {
		{ "frob x\n", 1, 1, "unknown statement" },
		{ "host a platform=linux\nhost b platform=vms\n", 2, 8,
		  "bad host attribute" },
		{ "host a platform=linux\nhost a platform=aix\n", 2, 6,
		  "already declared" },
		{ "\n\nexport s:/x c(rw,bogus)\n", 3, 18, "bogus" },
		{ "export s:relative c\n", 1, 8, "absolute" },
		{ "export s:/x 10.0.0.0/33(rw)\n", 1, 13, "bad client" },
		{ "export s:/x 10.0.0.0/255.0.255.0\n", 1, 13, "bad client" },
		{ "export s:/x c(rw\n", 1, 13, "missing ')'" },
		{ "import c:/m s:/x vers=5\n", 1, 18, "vers=5" },
		{ "import c:/m s:/x rw,timeo=abc\n", 1, 21, "timeo" },
		{ "export s:\"/x c\n", 1, 8, "unterminated quote" },
		{ "host a\n", 1, 1, "needs platform" },
		{ "export s:/x c\nexport s:/x d\n", 2, 8, "already exported" },
		{ "export s:/x c(anonuid=-1)\n", 1, 15, "anonuid" },
		{ "export s:/x c(sec=krb5:krb5)\n", 1, 15, "sec" },
		/* printed bare, a '\\' could end up before a newline */
		{ "host a platform=linux products=nfsd,x\\y\n", 1, 23,
		  "bad product name" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nfs_error err = { 0 };
		struct nfs_plan *p = NULL;
		int r = nfs_plan_parse(cases[i].text, strlen(cases[i].text), &p,
				       &err);

		if (r != -EINVAL || err.line != cases[i].line ||
		    err.col != cases[i].col || !strstr(err.msg, cases[i].needle))
			fail_msg("case %zu: r=%d line %u col %u msg '%s'", i, r,
				 err.line, err.col, err.msg);
		assert_null(p);
	}
}

static void test_client_kinds_and_matching(void **state)
{
	struct nfs_plan *p = plan_of("netgroup a n1 @b\nnetgroup b n2 @a\n");
	struct nfs_net n;

	(void)state;
	assert_int_equal(nfs_client_kind("*"), NFS_CK_ANY);
	assert_int_equal(nfs_client_kind("h1.lab"), NFS_CK_HOST);
	assert_int_equal(nfs_client_kind("10.1.2.3"), NFS_CK_HOST);
	assert_int_equal(nfs_client_kind("10.0.0.0/8"), NFS_CK_NET);
	assert_int_equal(nfs_client_kind("fd00::/64"), NFS_CK_NET);
	assert_int_equal(nfs_client_kind("*.lab"), NFS_CK_WILD);
	assert_int_equal(nfs_client_kind("node?"), NFS_CK_WILD);
	assert_int_equal(nfs_client_kind("@ng"), NFS_CK_NETGROUP);
	assert_true(nfs_client_kind("a b") < 0);
	assert_int_equal(nfs_net_parse("10.0.0.0/255.255.240.0", &n), 0);
	assert_int_equal(n.prefix, 20);
	assert_true(nfs_client_matches(p, "10.0.0.0/20", "x", "10.0.15.255"));
	assert_false(nfs_client_matches(p, "10.0.0.0/20", "x", "10.0.16.0"));
	assert_true(nfs_client_matches(p, "fd00::/64", "x", "fd00::42"));
	assert_false(nfs_client_matches(p, "fd00::/64", "x", "fd01::42"));
	assert_false(nfs_client_matches(p, "fd00::/64", "x", "10.0.0.1"));
	assert_true(nfs_client_matches(p, "*.lab", "n1.lab", NULL));
	assert_false(nfs_client_matches(p, "*.lab", "n1.lab.org", NULL));
	assert_true(nfs_client_matches(p, "node?", "node7", NULL));
	assert_false(nfs_client_matches(p, "node?", "node17", NULL));
	/* netgroups nest, and a cycle terminates */
	assert_true(nfs_client_matches(p, "@a", "n2", NULL));
	assert_false(nfs_client_matches(p, "@a", "n3", NULL));
	assert_true(nfs_client_matches(p, "10.0.0.7", "other", "10.0.0.7"));
	nfs_plan_free(p);
}

static void test_linux_precedence_and_first_match(void **state)
{
	struct nfs_plan *p = plan_of(
		"netgroup g h1\n"
		"export s:/x @g(ro) *.lab(ro) 10.0.0.0/24(ro) h1.lab(rw) *(ro)\n"
		"export s:/y -h1.lab h1.lab(rw) *(ro)\n");
	const struct nfs_export *e = &p->exports[0];

	(void)state;
	/* Linux: host beats network beats wildcard beats netgroup */
	assert_int_equal(nfs_export_match(p, e, NFS_PF_LINUX, "h1.lab",
					  "10.0.0.5"), 3);
	assert_int_equal(nfs_export_match(p, e, NFS_PF_LINUX, "h2.lab",
					  "10.0.0.5"), 2);
	assert_int_equal(nfs_export_match(p, e, NFS_PF_LINUX, "h2.lab",
					  "10.9.0.5"), 1);
	assert_int_equal(nfs_export_match(p, e, NFS_PF_LINUX, "h9",
					  "10.9.0.5"), 4);
	/* everyone else: first match in order */
	assert_int_equal(nfs_export_match(p, e, NFS_PF_SOLARIS, "h1.lab",
					  "10.0.0.5"), 1);
	/* Solaris deny entry first wins */
	assert_int_equal(nfs_export_match(p, &p->exports[1], NFS_PF_SOLARIS,
					  "h1.lab", NULL), -1);
	assert_int_equal(nfs_export_match(p, &p->exports[1], NFS_PF_SOLARIS,
					  "h2.lab", NULL), 2);
	nfs_plan_free(p);
}

static void test_crlf_and_blanks(void **state)
{
	struct nfs_plan *p = plan_of("host a platform=linux\r\n"
				     "export\ta:/x\fb(rw)\r\n"
				     "  # only a comment\r\n\r\n");

	(void)state;
	assert_int_equal(p->nhosts, 1);
	assert_int_equal(p->nexports, 1);
	assert_string_equal(p->exports[0].path, "/x");
	assert_string_equal(p->exports[0].clients[0].spec, "b");
	assert_int_equal(p->exports[0].line, 2);
	nfs_plan_free(p);
}

static void test_control_characters_refused(void **state)
{
	const char text[] = "export a:\"/x\001y\" b\n";
	struct nfs_error err = { 0 };
	struct nfs_plan *p = NULL;

	(void)state;
	assert_int_equal(nfs_plan_parse(text, strlen(text), &p, &err), -EINVAL);
	assert_int_equal(err.col, 8);
	assert_non_null(strstr(err.msg, "control character"));
}

static void test_nul_byte_refused(void **state)
{
	static const char text[] = "host a platform=linux products=nfsd\0x\n";
	struct nfs_error err = { 0 };
	struct nfs_plan *p = NULL;

	(void)state;
	assert_int_equal(nfs_plan_parse(text, sizeof(text) - 1, &p, &err),
			 -EINVAL);
	assert_int_equal(err.line, 1);
	assert_non_null(strstr(err.msg, "NUL byte"));
}

static void test_option_normalisation(void **state)
{
	struct nfs_xopts a = { 0 }, b = { 0 };
	struct nfs_mopts m = { 0 }, n = { 0 };
	const char *defaults[] = { "ro", "sync", "root_squash",
		"no_subtree_check", "secure", "anonuid=65534", "anongid=65534",
		"sec=sys" };

	(void)state;
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		assert_int_equal(nfs_xopt_apply(&b, defaults[i],
						strlen(defaults[i])), 0);
	assert_true(nfs_xopts_equal(&a, &b));
	assert_int_equal(nfs_xopt_apply(&b, "rw", 2), 0);
	assert_false(nfs_xopts_equal(&a, &b));
	assert_int_equal(nfs_mopt_apply(&m, "vers=4", 6), 0);
	assert_int_equal(nfs_mopt_apply(&n, "vers=4.0", 8), 0);
	assert_true(nfs_mopts_equal(&m, &n));
	assert_int_equal(nfs_mopt_apply(&n, "vers=4.1", 8), 0);
	assert_false(nfs_mopts_equal(&m, &n));
	assert_int_equal(nfs_xopt_apply(&a, "frob", 4), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_all_statements),
		cmocka_unit_test(test_print_is_canonical_and_reparses),
		cmocka_unit_test(test_errors_name_line_and_column),
		cmocka_unit_test(test_client_kinds_and_matching),
		cmocka_unit_test(test_linux_precedence_and_first_match),
		cmocka_unit_test(test_crlf_and_blanks),
		cmocka_unit_test(test_control_characters_refused),
		cmocka_unit_test(test_nul_byte_refused),
		cmocka_unit_test(test_option_normalisation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
