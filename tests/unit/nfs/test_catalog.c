/* The catalog: migrations, pragmas, seed rows, restrictions, and a second
 * service added as rows only. */
#include "helpers.h"

#include <sqlite3.h>
#include <unistd.h>

#include "nfs/catalog.h"

static char dbpath[] = "/tmp/test-nfs-catalog-XXXXXX";

static long long scalar(struct nfs_catalog *c, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(nfs_catalog_db(c), sql, -1, &st,
					    NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_migrations_and_pragmas(void **state)
{
	struct nfs_catalog *c = NULL;
	sqlite3 *db;
	int fd = mkstemp(dbpath);
	long long rows;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	/* the daemon's own tables and version row are already there */
	assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE schema_version("
		"component TEXT PRIMARY KEY, version INT);"
		"INSERT INTO schema_version VALUES('daemon', 3);"
		"CREATE TABLE devices(id INTEGER PRIMARY KEY, name TEXT);",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(nfs_catalog_open(dbpath, &c), 0);
	assert_int_equal(nfs_catalog_version(c), nfs_catalog_latest());
	assert_int_equal(scalar(c, "SELECT version FROM schema_version "
				"WHERE component = 'daemon'"), 3);
	assert_int_equal(scalar(c, "PRAGMA foreign_keys"), 1);
	assert_int_equal(scalar(c, "SELECT count(*) FROM pragma_journal_mode"
				" WHERE journal_mode = 'wal'"), 1);
	assert_int_equal(scalar(c, "SELECT count(*) FROM cm_platform"), 5);
	rows = scalar(c, "SELECT count(*) FROM cm_restriction");
	assert_true(rows > 50);
	nfs_catalog_close(c);

	/* reopening migrates nothing and seeds nothing twice */
	assert_int_equal(nfs_catalog_open(dbpath, &c), 0);
	assert_int_equal(scalar(c, "SELECT count(*) FROM cm_restriction"),
			 rows);
	/* an older database is migrated forward: make this one look like
	 * version 2 (before the client_* parameters) and reopen */
	assert_int_equal(sqlite3_exec(nfs_catalog_db(c),
		"DELETE FROM cm_parameter WHERE name LIKE 'client_%';"
		"DROP TABLE nfs_deploy_file; DROP TABLE nfs_deploy_host;"
		"DROP TABLE nfs_deployment; DROP TABLE nfs_observation;"
		"DROP TABLE nfs_draft; DROP TABLE nfs_audit;"
		"UPDATE schema_version SET version = 2 WHERE component = 'nfs'",
		NULL, NULL, NULL), SQLITE_OK);
	assert_true(scalar(c, "SELECT count(*) FROM cm_restriction") < rows);
	nfs_catalog_close(c);
	assert_int_equal(nfs_catalog_open(dbpath, &c), 0);
	assert_int_equal(nfs_catalog_version(c), nfs_catalog_latest());
	assert_int_equal(scalar(c, "SELECT count(*) FROM nfs_deployment"), 0);
	assert_int_equal(scalar(c, "SELECT count(*) FROM cm_restriction"),
			 rows);
	/* foreign keys are enforced */
	assert_int_not_equal(sqlite3_exec(nfs_catalog_db(c), "INSERT INTO "
		"cm_host(name, platform_id) VALUES('x', 999)", NULL, NULL,
		NULL), SQLITE_OK);
	/* a schema newer than this build is refused */
	assert_int_equal(sqlite3_exec(nfs_catalog_db(c), "UPDATE "
		"schema_version SET version = 99 WHERE component = 'nfs'",
		NULL, NULL, NULL), SQLITE_OK);
	nfs_catalog_close(c);
	c = NULL;
	assert_int_equal(nfs_catalog_open(dbpath, &c), -EPROTO);
	assert_null(c);
	unlink(dbpath);
}

static void test_nfs_restrictions(void **state)
{
	struct nfs_catalog *c = NULL;
	char why[128], name[64];

	(void)state;
	assert_int_equal(nfs_catalog_open(":memory:", &c), 0);
	for (int pf = 0; pf < NFS_PF_COUNT; pf++)
		assert_int_equal(nfs_catalog_product(c, NFS_SVC_SERVER,
			nfs_platform_name(pf), name, sizeof(name)), 0);
	assert_int_equal(nfs_catalog_product(c, NFS_SVC_CLIENT, "ganesha",
					     name, sizeof(name)), -ENOPKG);
	assert_int_equal(nfs_catalog_check(c, NFS_SVC_SERVER, "linux",
		"anonuid", "70000", why, sizeof(why)), 0);
	assert_int_equal(nfs_catalog_check(c, NFS_SVC_SERVER, "linux",
		"anonuid", "-1", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "range"));
	assert_int_equal(nfs_catalog_check(c, NFS_SVC_SERVER, "linux", "sec",
		"krb5:sys", why, sizeof(why)), 0);
	assert_int_equal(nfs_catalog_check(c, NFS_SVC_SERVER, "linux", "sec",
		"dh", why, sizeof(why)), -EINVAL);
	assert_int_equal(nfs_catalog_check(c, NFS_SVC_SERVER, "solaris",
		"subtree_check", "", why, sizeof(why)), -ENOENT);
	assert_int_equal(nfs_catalog_check(c, NFS_SVC_CLIENT, "solaris",
		"vers", "4.1", why, sizeof(why)), -EINVAL);
	assert_int_equal(nfs_catalog_check(c, NFS_SVC_CLIENT, "freebsd",
		"vers", "4.1", why, sizeof(why)), 0);
	assert_int_equal(nfs_catalog_check(c, NFS_SVC_CLIENT, "aix",
		"noexec", "", why, sizeof(why)), -ENOENT);
	nfs_catalog_close(c);
}

struct deps {
	char list[512];
};

static int collect(void *arg, const char *product, const char *dep,
		   const char *wp, const char *wv)
{
	struct deps *d = arg;
	size_t n = strlen(d->list);

	snprintf(d->list + n, sizeof(d->list) - n, "%s>%s%s%s%s%s;", product,
		 dep, wp ? "[" : "", wp ? wp : "", wv ? wv : "", wp ? "]" : "");
	return 0;
}

static void test_dependencies(void **state)
{
	struct nfs_catalog *c = NULL;
	struct deps d = { "" };

	(void)state;
	assert_int_equal(nfs_catalog_open(":memory:", &c), 0);
	assert_int_equal(nfs_catalog_deps(c, NFS_SVC_SERVER, "linux", collect,
					  &d), 0);
	assert_string_equal(d.list, "nfsd>mountd;nfsd>rpcbind[vers3];"
			    "nfsd>statd[vers3];");
	d.list[0] = '\0';
	assert_int_equal(nfs_catalog_deps(c, NFS_SVC_SERVER, "freebsd",
					  collect, &d), 0);
	assert_string_equal(d.list, "nfsd>mountd;nfsd>rpc.lockd[vers3];"
			    "nfsd>rpc.statd[vers3];nfsd>rpcbind;");
	nfs_catalog_close(c);
}

/* HTTP as rows: no code knows about it. */
static const char http_rows[] =
	"INSERT INTO cm_service(name) VALUES('http'), ('tls');"
	"INSERT INTO cm_product(service_id, name, version) SELECT id, "
	" 'apache2', '2.4' FROM cm_service WHERE name = 'http';"
	"INSERT INTO cm_product(service_id, name, version) SELECT id, "
	" 'openssl', '3' FROM cm_service WHERE name = 'tls';"
	"INSERT INTO cm_product_platform SELECT pr.id, pl.id FROM cm_product pr,"
	" cm_platform pl WHERE pr.name IN ('apache2', 'openssl') AND "
	" pl.name IN ('linux', 'freebsd');"
	"INSERT INTO cm_product_dep(product_id, depends_on) SELECT a.id, b.id "
	" FROM cm_product a, cm_product b WHERE a.name = 'apache2' AND "
	" b.name = 'openssl';"
	"INSERT INTO cm_parameter(service_id, name) SELECT id, p.column1 FROM "
	" cm_service, (VALUES ('Listen'), ('ServerTokens'), ('KeepAlive'),"
	" ('DocumentRoot')) p WHERE name = 'http';"
	"INSERT INTO cm_restriction(parameter_id, product_id, platform_id, kind,"
	" spec) SELECT pa.id, pr.id, pl.id, r.column2, r.column3 FROM (VALUES"
	" ('Listen', 'range', '1-65535', 'linux'),"
	" ('Listen', 'range', '1-65535', 'freebsd'),"
	" ('ServerTokens', 'enum', 'Full,OS,Minor,Prod', 'linux'),"
	" ('KeepAlive', 'flag', '', 'linux'),"
	" ('DocumentRoot', 'regex', '^/[^ ]*$', 'linux')) r"
	" JOIN cm_parameter pa ON pa.name = r.column1"
	" JOIN cm_product pr ON pr.name = 'apache2'"
	" JOIN cm_platform pl ON pl.name = r.column4;";

static void test_second_service_is_rows(void **state)
{
	struct nfs_catalog *c = NULL;
	struct deps d = { "" };
	char why[128], name[64];

	(void)state;
	assert_int_equal(nfs_catalog_open(":memory:", &c), 0);
	assert_int_equal(sqlite3_exec(nfs_catalog_db(c), http_rows, NULL, NULL,
				      NULL), SQLITE_OK);
	assert_int_equal(nfs_catalog_product(c, "http", "freebsd", name,
					     sizeof(name)), 0);
	assert_string_equal(name, "apache2");
	assert_int_equal(nfs_catalog_product(c, "http", "aix", name,
					     sizeof(name)), -ENOPKG);
	assert_int_equal(nfs_catalog_check(c, "http", "linux", "Listen", "8080",
					   why, sizeof(why)), 0);
	assert_int_equal(nfs_catalog_check(c, "http", "linux", "Listen",
					   "70000", why, sizeof(why)), -EINVAL);
	assert_int_equal(nfs_catalog_check(c, "http", "linux", "ServerTokens",
					   "Prod", why, sizeof(why)), 0);
	assert_int_equal(nfs_catalog_check(c, "http", "linux", "ServerTokens",
					   "All", why, sizeof(why)), -EINVAL);
	assert_int_equal(nfs_catalog_check(c, "http", "linux", "DocumentRoot",
					   "/var/www", why, sizeof(why)), 0);
	assert_int_equal(nfs_catalog_check(c, "http", "linux", "DocumentRoot",
					   "www", why, sizeof(why)), -EINVAL);
	assert_int_equal(nfs_catalog_check(c, "http", "freebsd", "KeepAlive",
					   "", why, sizeof(why)), -ENOENT);
	assert_int_equal(nfs_catalog_deps(c, "http", "linux", collect, &d), 0);
	assert_string_equal(d.list, "apache2>openssl;");
	/* NFS is unaffected */
	assert_int_equal(nfs_catalog_check(c, NFS_SVC_SERVER, "linux", "rw",
					   "", why, sizeof(why)), 0);
	nfs_catalog_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_and_pragmas),
		cmocka_unit_test(test_nfs_restrictions),
		cmocka_unit_test(test_dependencies),
		cmocka_unit_test(test_second_service_is_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
