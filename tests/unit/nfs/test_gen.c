/* Generators: byte-exact golden files for every platform, and an error
 * naming platform and option for what a platform cannot express. */
#include "helpers.h"

#include "nfs/gen.h"

static void test_golden_files(void **state)
{
	static const char *const want[] = {
		"lnx/exports", "lnx/fstab", "gsh/ganesha.conf", "sol/dfstab",
		"sol/vfstab", "aix/exports", "aix/filesystems", "bsd/exports",
		"bsd/fstab", "c1/exports", "c1/fstab", "c2/dfstab", "c2/vfstab",
		"c3/exports", "c3/filesystems", "c4/exports", "c4/fstab",
	};
	struct nfs_gen_out out = NFS_GEN_OUT_INIT;
	struct nfs_error err = { 0 };
	struct buf text = BUF_INIT;
	struct nfs_plan *p;

	(void)state;
	golden_read("plan.txt", &text);
	p = plan_of(buf_str(&text));
	if (nfs_generate(p, &out, &err) < 0)
		fail_msg("generate: line %u: %s", err.line, err.msg);
	assert_int_equal(out.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < out.n; i++) {
		char rel[256];

		snprintf(rel, sizeof(rel), "%s/%s", out.v[i].host, out.v[i].name);
		assert_string_equal(rel, want[i]);
		snprintf(rel, sizeof(rel), "gen/%s/%s", out.v[i].host,
			 out.v[i].name);
		golden_check(rel, buf_str(&out.v[i].content),
			     out.v[i].content.len);
	}
	nfs_gen_out_release(&out);
	nfs_plan_free(p);
	buf_release(&text);
}

struct refusal {
	const char *plan;
	const char *msg;
};

static void test_cannot_express(void **state)
{
#define S(pf) "host s platform=" pf "\nhost c platform=linux\n"
#define C(pf) "host s platform=linux\nhost c platform=" pf "\n" \
	      "export s:/x c\n"
	static const struct refusal cases[] = {
		{ S("linux") "export s:/x -c *", "linux cannot express deny "
		  "entry '-c'" },
		{ S("ganesha") "export s:/x c(rw,sync)",
		  "ganesha cannot express option 'sync'" },
		{ S("ganesha") "export s:/x c(subtree_check)",
		  "ganesha cannot express option 'subtree_check'" },
		{ S("solaris") "export s:/x c(all_squash)",
		  "solaris cannot express option 'all_squash'" },
		{ S("solaris") "export s:/x c(async)",
		  "solaris cannot express option 'async'" },
		{ S("solaris") "export s:/x c(anongid=5)",
		  "solaris cannot express option 'anongid'" },
		{ S("solaris") "export s:/x node?(rw)",
		  "solaris cannot express the client 'node?'" },
		{ S("solaris") "export s:/x c(anonuid=1) d(anonuid=2)",
		  "solaris cannot express a different anonymous id" },
		{ S("solaris") "export s:/x c(sec=krb5) d",
		  "solaris cannot express a different sec" },
		{ S("solaris") "export s:/x -c *(rw)",
		  "solaris cannot express deny entries beside everyone" },
		{ S("aix") "export s:/x 10.0.0.0/8(rw)",
		  "aix cannot express the client '10.0.0.0/8'" },
		{ S("aix") "export s:/x c(insecure)",
		  "aix cannot express option 'insecure'" },
		{ S("aix") "export s:/x *(rw) c(ro)",
		  "aix cannot express client 'c' beside everyone rw" },
		{ S("aix") "export s:\"/a b\" c",
		  "aix cannot express the path '/a b'" },
		{ S("freebsd") "export s:/x *.lab(rw)",
		  "freebsd cannot express the client '*.lab'" },
		{ S("freebsd") "export s:/x c(no_root_squash,anonuid=3)",
		  "freebsd cannot express an anonymous id with no_root_squash" },
		{ S("freebsd") "export s:/x c(no_subtree_check)",
		  "freebsd cannot express option 'no_subtree_check'" },
		{ C("ganesha") "import c:/m s:/x",
		  "ganesha cannot express imports" },
		{ C("solaris") "import c:/m s:/x vers=4.1",
		  "solaris cannot express option 'vers=4.1'" },
		{ C("aix") "import c:/m s:/x vers=4.2",
		  "aix cannot express option 'vers=4.2'" },
		{ C("aix") "import c:/m s:/x noexec",
		  "aix cannot express option 'noexec'" },
		{ C("aix") "import c:\"/m n\" s:/x",
		  "aix cannot express a path with blanks" },
		{ C("freebsd") "import c:\"/m n\" s:/x",
		  "freebsd cannot express a path with blanks" },
	};
#undef S
#undef C

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nfs_gen_out out = NFS_GEN_OUT_INIT;
		struct nfs_error err = { 0 };
		struct nfs_plan *p = plan_of(cases[i].plan);
		int r = nfs_generate(p, &out, &err);

		if (r != -ENOTSUP || !strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: r=%d msg '%s', want '%s'", i, r,
				 err.msg, cases[i].msg);
		nfs_gen_out_release(&out);
		nfs_plan_free(p);
	}
}

static void test_error_names_plan_line(void **state)
{
	struct nfs_gen_out out = NFS_GEN_OUT_INIT;
	struct nfs_error err = { 0 };
	struct nfs_plan *p = plan_of("host s platform=solaris\n\n# x\n"
				     "export s:/ok c\nexport s:/x c(async)\n");

	(void)state;
	assert_int_equal(nfs_generate(p, &out, &err), -ENOTSUP);
	assert_int_equal(err.line, 5);
	nfs_gen_out_release(&out);
	nfs_plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_files),
		cmocka_unit_test(test_cannot_express),
		cmocka_unit_test(test_error_names_plan_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
