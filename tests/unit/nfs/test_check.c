/* The consistency checker: every rule, positive and negative. */
#include "helpers.h"

#include "nfs/catalog.h"
#include "nfs/check.h"

static struct nfs_catalog *cat;

static int setup(void **state)
{
	(void)state;
	return nfs_catalog_open(":memory:", &cat);
}

static int teardown(void **state)
{
	(void)state;
	nfs_catalog_close(cat);
	return 0;
}

#define HOSTS "host s address=10.0.0.1 platform=linux\n" \
	      "host c address=10.0.1.5 platform=linux\n"

/* Number of findings of rule for the plan; *line gets the first's line. */
static size_t count(const char *text, const char *rule, unsigned *line)
{
	struct nfs_findings f = NFS_FINDINGS_INIT;
	struct nfs_plan *p = plan_of(text);
	size_t n;

	assert_int_equal(nfs_check(p, cat, &f), 0);
	n = nfs_findings_count(&f, rule);
	for (size_t i = 0; line && i < f.n; i++)
		if (strcmp(f.v[i].rule, rule) == 0) {
			*line = f.v[i].line;
			break;
		}
	nfs_findings_release(&f);
	nfs_plan_free(p);
	return n;
}

static void test_unused_export(void **state)
{
	unsigned line = 0;
	struct nfs_findings f = NFS_FINDINGS_INIT;
	struct nfs_plan *p = plan_of(HOSTS "export s:/x c(rw)\n");

	(void)state;
	assert_int_equal(nfs_check(p, cat, &f), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].severity, NFS_SEV_WARNING);
	assert_int_equal(f.nerrors, 0);
	nfs_findings_release(&f);
	nfs_plan_free(p);
	assert_int_equal(count(HOSTS "export s:/x c(rw)\n", "unused-export",
			       &line), 1);
	assert_int_equal(line, 3);
	assert_int_equal(count(HOSTS "export s:/x c(rw)\nimport c:/m s:/x\n",
			       "unused-export", NULL), 0);
}

static void test_not_exported(void **state)
{
	(void)state;
	assert_int_equal(count(HOSTS "export s:/x c\nimport c:/m s:/y\n",
			       "not-exported", NULL), 1);
	assert_int_equal(count(HOSTS "export s:/x c\nimport c:/m s:/x\n",
			       "not-exported", NULL), 0);
	/* a subdirectory of an export may be mounted; a name that merely
	 * starts like the export may not */
	assert_int_equal(count(HOSTS "export s:/x c\nimport c:/m s:/x/sub/dir\n",
			       "not-exported", NULL), 0);
	assert_int_equal(count(HOSTS "export s:/x c\nimport c:/m s:/x/sub/dir\n",
			       "unused-export", NULL), 0);
	assert_int_equal(count(HOSTS "export s:/x c\nimport c:/m s:/xy\n",
			       "not-exported", NULL), 1);
	assert_int_equal(count(HOSTS "export s:/ c\nimport c:/m s:/any/where\n",
			       "not-exported", NULL), 0);
}

static void test_path_within(void **state)
{
	(void)state;
	assert_true(nfs_path_within("/x", "/x"));
	assert_true(nfs_path_within("/x/y", "/x"));
	assert_true(nfs_path_within("/x/y", "/x/"));
	assert_true(nfs_path_within("/x", "/"));
	assert_false(nfs_path_within("/xy", "/x"));
	assert_false(nfs_path_within("/", "/x"));
	assert_false(nfs_path_within("relative", "/"));
}

static size_t allowed(const char *pf, const char *caddr, const char *specs)
{
	char text[1024];

	snprintf(text, sizeof(text), "host s address=10.0.0.1 platform=%s\n"
		 "host c.lab address=%s platform=linux\n"
		 "netgroup g x c.lab\n"
		 "export s:/x %s\nimport c.lab:/m s:/x\n", pf, caddr, specs);
	return count(text, "client-not-allowed", NULL);
}

static void test_client_not_allowed(void **state)
{
	(void)state;
	assert_int_equal(allowed("linux", "10.0.1.5", "10.9.0.0/16"), 1);
	assert_int_equal(allowed("linux", "10.0.1.5", "c.lab"), 0);
	assert_int_equal(allowed("linux", "10.0.1.5", "10.0.1.5"), 0);
	assert_int_equal(allowed("linux", "10.0.1.5", "10.0.0.0/16"), 0);
	assert_int_equal(allowed("linux", "10.0.1.5", "10.0.0.0/255.255.0.0"),
			 0);
	assert_int_equal(allowed("linux", "10.0.1.5", "10.0.0.0/255.255.255.0"),
			 1);
	assert_int_equal(allowed("linux", "fd00::5", "fd00::/64"), 0);
	assert_int_equal(allowed("linux", "fd00::5", "fd01::/64"), 1);
	assert_int_equal(allowed("linux", "10.0.1.5", "*.lab"), 0);
	assert_int_equal(allowed("linux", "10.0.1.5", "*.org"), 1);
	assert_int_equal(allowed("linux", "10.0.1.5", "@g"), 0);
	assert_int_equal(allowed("linux", "10.0.1.5", "@nog"), 1);
	assert_int_equal(allowed("linux", "10.0.1.5", "*"), 0);
	/* Solaris: first match, '-' denies */
	assert_int_equal(allowed("solaris", "10.0.1.5", "-c.lab @g"), 1);
	assert_int_equal(allowed("solaris", "10.0.1.5", "@g -c.lab"), 0);
	assert_int_equal(allowed("solaris", "10.0.1.5", "-x @g"), 0);
}

static void test_rw_on_ro(void **state)
{
	struct nfs_findings f = NFS_FINDINGS_INIT;
	struct nfs_plan *p;

	(void)state;
	assert_int_equal(count(HOSTS "export s:/x c(ro)\nimport c:/m s:/x rw\n",
			       "rw-on-ro", NULL), 1);
	/* the neutral default access of an export is ro */
	assert_int_equal(count(HOSTS "export s:/x c\nimport c:/m s:/x rw\n",
			       "rw-on-ro", NULL), 1);
	assert_int_equal(count(HOSTS "export s:/x c(ro)\nimport c:/m s:/x ro\n",
			       "rw-on-ro", NULL), 0);
	/* mounting without ro is rw by default: a warning, not an error */
	p = plan_of(HOSTS "export s:/x c(ro)\nimport c:/m s:/x hard\n");
	assert_int_equal(nfs_check(p, cat, &f), 0);
	assert_int_equal(nfs_findings_count(&f, "rw-on-ro"), 1);
	assert_int_equal(f.nerrors, 0);
	nfs_findings_release(&f);
	nfs_plan_free(p);
	assert_int_equal(count(HOSTS "export s:/x c(rw)\nimport c:/m s:/x rw\n",
			       "rw-on-ro", NULL), 0);
	/* Linux precedence: the host entry (ro) beats the network (rw) */
	assert_int_equal(count(HOSTS "export s:/x 10.0.1.0/24(rw) c(ro)\n"
			       "import c:/m s:/x rw\n", "rw-on-ro", NULL), 1);
	/* ... while first match on Solaris takes the network */
	assert_int_equal(count("host s address=10.0.0.1 platform=solaris\n"
			       "host c address=10.0.1.5 platform=linux\n"
			       "export s:/x 10.0.1.0/24(rw) c(ro)\n"
			       "import c:/m s:/x rw\n", "rw-on-ro", NULL), 0);
}

static void test_mountpoint_conflict(void **state)
{
	unsigned line = 0;

	(void)state;
	assert_int_equal(count(HOSTS "export s:/x c\nexport s:/y c\n"
			       "import c:/m s:/x\nimport c:/m s:/y\n",
			       "mountpoint-conflict", &line), 1);
	assert_int_equal(line, 6);
	assert_int_equal(count(HOSTS "export s:/x c\nexport s:/y c\n"
			       "import c:/m s:/x\nimport c:/n s:/y\n",
			       "mountpoint-conflict", NULL), 0);
	assert_int_equal(count(HOSTS "host d platform=linux\nexport s:/x c d\n"
			       "import c:/m s:/x\nimport d:/m s:/x\n",
			       "mountpoint-conflict", NULL), 0);
}

static void test_option_not_supported(void **state)
{
	(void)state;
	assert_int_equal(count("host s platform=solaris\nhost c platform=linux\n"
			       "export s:/x c(rw,subtree_check)\n",
			       "option-not-supported", NULL), 1);
	assert_int_equal(count("host s platform=solaris\nhost c platform=linux\n"
			       "export s:/x c(rw,no_root_squash,anonuid=7)\n",
			       "option-not-supported", NULL), 0);
	assert_int_equal(count("host s platform=linux\nhost c platform=solaris\n"
			       "export s:/x c\nimport c:/m s:/x vers=4.2\n",
			       "option-not-supported", NULL), 1);
	assert_int_equal(count("host s platform=linux\nhost c platform=solaris\n"
			       "export s:/x c\nimport c:/m s:/x vers=4\n",
			       "option-not-supported", NULL), 0);
	assert_int_equal(count("host s platform=linux\nhost c platform=aix\n"
			       "export s:/x c\nimport c:/m s:/x noexec\n",
			       "option-not-supported", NULL), 1);
	assert_int_equal(count(HOSTS "export s:/x -c *\n",
			       "option-not-supported", NULL), 1);
	assert_int_equal(count("host s platform=ganesha\nhost c platform=linux\n"
			       "export s:/x c(rw,sync)\n",
			       "option-not-supported", NULL), 1);
	assert_int_equal(count("host s platform=linux\nhost c platform=ganesha\n"
			       "export s:/x c\nimport c:/m s:/x\n",
			       "option-not-supported", NULL), 1);
	/* forms of client specs, from the catalog too */
	assert_int_equal(count("host s platform=aix\nexport s:/x 10.0.0.0/8 "
			       "*.lab @g fd00::1\n", "option-not-supported",
			       NULL), 3);
	assert_int_equal(count("host s platform=aix\nexport s:/x h1 10.0.0.1 "
			       "g * \n", "option-not-supported", NULL), 0);
	assert_int_equal(count("host s platform=solaris\nexport s:/x *.lab "
			       "node? 10.0.0.0/8\n", "option-not-supported",
			       NULL), 1);
	assert_int_equal(count("host s platform=freebsd\nexport s:/x *.lab "
			       "fd00::/64 @g\n", "option-not-supported",
			       NULL), 1);
	assert_int_equal(count(HOSTS "export s:/x *.lab node? fd00::/64 @g "
			       "10.0.0.0/255.0.0.0\n", "option-not-supported",
			       NULL), 0);
	assert_int_equal(count(HOSTS "export s:/x c(rw,async,no_root_squash,"
			       "anonuid=1,anongid=2,sec=krb5p:sys,insecure,"
			       "subtree_check)\nimport c:/m s:/x rw,soft,bg,"
			       "vers=4.2,proto=udp,timeo=10,retrans=3,nosuid,"
			       "noexec\n", "option-not-supported", NULL), 0);
}

static void test_nested_export(void **state)
{
	(void)state;
	assert_int_equal(count("host s platform=aix\nhost c platform=aix\n"
			       "export s:/a c\nexport s:/a/b c\n",
			       "nested-export", NULL), 1);
	assert_int_equal(count("host s platform=aix\nhost c platform=aix\n"
			       "export s:/a c\nexport s:/ab c\n",
			       "nested-export", NULL), 0);
	assert_int_equal(count(HOSTS "export s:/a c\nexport s:/a/b c\n",
			       "nested-export", NULL), 0);
}

static void test_duplicate_host(void **state)
{
	(void)state;
	assert_int_equal(count("host s platform=freebsd\nhost c platform=linux\n"
			       "export s:/a c(ro)\nexport s:/a/b c(rw)\n",
			       "duplicate-host", NULL), 1);
	assert_int_equal(count("host s platform=freebsd\nhost c platform=linux\n"
			       "export s:/a c(ro)\nexport s:/b c(rw)\n",
			       "duplicate-host", NULL), 0);
	assert_int_equal(count(HOSTS "export s:/a c(ro)\nexport s:/a/b c(rw)\n",
			       "duplicate-host", NULL), 0);
	assert_int_equal(count(HOSTS "export s:/a c(ro) c(rw)\n",
			       "duplicate-host", NULL), 1);
}

static size_t deps(const char *server, const char *vers)
{
	char text[512];

	snprintf(text, sizeof(text), "host s %s\n"
		 "host c address=10.0.1.5 platform=linux\n"
		 "export s:/x c\nimport c:/m s:/x vers=%s\n", server, vers);
	return count(text, "missing-dependency", NULL);
}

static void test_missing_dependency(void **state)
{
	(void)state;
	/* Linux nfsd always needs mountd */
	assert_int_equal(deps("platform=linux products=nfsd", "4"), 1);
	assert_int_equal(deps("platform=linux products=nfsd,mountd", "4"), 0);
	/* v3 adds rpcbind and statd */
	assert_int_equal(deps("platform=linux products=nfsd,mountd", "3"), 2);
	assert_int_equal(deps("platform=linux products=nfsd,mountd,rpcbind,"
			      "statd", "3"), 0);
	/* the server product itself */
	assert_int_equal(deps("platform=linux products=mountd", "4"), 1);
	assert_int_equal(deps("platform=aix products=nfsd,portmap,rpc.mountd",
			      "3"), 2);
	assert_int_equal(deps("platform=aix products=nfsd,portmap,rpc.mountd",
			      "4"), 0);
	/* no products= means not managed: nothing to check */
	assert_int_equal(deps("platform=linux", "3"), 0);
}

static void test_unknown_host(void **state)
{
	(void)state;
	assert_int_equal(count("host c platform=linux\nexport s:/x c\n",
			       "unknown-host", NULL), 1);
	assert_int_equal(count("host s platform=linux\nexport s:/x c\n"
			       "import c:/m s:/x\n", "unknown-host", NULL), 1);
	assert_int_equal(count(HOSTS "export s:/x c\nimport c:/m s:/x\n",
			       "unknown-host", NULL), 0);
}

static void test_report_format(void **state)
{
	struct nfs_findings f = NFS_FINDINGS_INIT;
	struct nfs_plan *p = plan_of(HOSTS "export s:/x c(ro)\n"
				     "import c:/m s:/x rw\n");
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(nfs_check(p, cat, &f), 0);
	assert_int_equal(nfs_findings_print(&f, &b), 0);
	assert_string_equal(buf_str(&b), "error rw-on-ro line 4: 'c' mounts "
		"s:/x rw but it is exported ro to it (spec 'c', line 3) (fix: "
		"mount it ro, or export it rw to this client)\n");
	buf_release(&b);
	nfs_findings_release(&f);
	nfs_plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unused_export),
		cmocka_unit_test(test_not_exported),
		cmocka_unit_test(test_path_within),
		cmocka_unit_test(test_client_not_allowed),
		cmocka_unit_test(test_rw_on_ro),
		cmocka_unit_test(test_mountpoint_conflict),
		cmocka_unit_test(test_option_not_supported),
		cmocka_unit_test(test_nested_export),
		cmocka_unit_test(test_duplicate_host),
		cmocka_unit_test(test_missing_dependency),
		cmocka_unit_test(test_unknown_host),
		cmocka_unit_test(test_report_format),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
