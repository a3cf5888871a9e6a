/* The stored plan: accept, reject (old plan kept), atomic under kill -9. */
#include "helpers.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nfs/catalog.h"
#include "nfs/store.h"

#define GOOD "host s address=10.0.0.1 platform=linux\n" \
	     "host c address=10.0.0.2 platform=linux\n" \
	     "# keep this comment\n" \
	     "export s:/x c(rw,no_root_squash)\nimport c:/m s:/x rw,vers=4.1\n"

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

static void assert_stored(struct nfs_catalog *c, const char *want)
{
	struct buf b = BUF_INIT;

	assert_int_equal(nfs_store_get(c, &b), 0);
	assert_string_equal(buf_str(&b), want);
	buf_release(&b);
}

static void test_store_and_reject(void **state)
{
	struct nfs_catalog *c = NULL;
	struct buf why = BUF_INIT, b = BUF_INIT;
	const char *bad_parse = GOOD "export s:/y c(rw,frob)\n";
	const char *bad_check = GOOD "import c:/m s:/x\n";
	const char *warn = GOOD "export s:/unused c\n";

	(void)state;
	assert_int_equal(nfs_catalog_open(":memory:", &c), 0);
	assert_int_equal(nfs_store_get(c, &b), -ENOENT);
	assert_int_equal(nfs_store_put(c, GOOD, strlen(GOOD), &why), 0);
	assert_string_equal(buf_str(&why), "");
	assert_stored(c, GOOD);
	assert_int_equal(scalar(c, "SELECT count(*) FROM nfs_export"), 1);
	assert_int_equal(scalar(c, "SELECT count(*) FROM nfs_export_client "
				"WHERE spec = 'c' AND options = "
				"'rw,no_root_squash'"), 1);
	assert_int_equal(scalar(c, "SELECT count(*) FROM nfs_import"), 1);
	assert_int_equal(scalar(c, "SELECT count(*) FROM cm_configured_value v"
		" JOIN cm_host h ON h.id = v.host_id JOIN cm_parameter p ON "
		"p.id = v.parameter_id WHERE h.name = 'c' AND p.name = 'vers' "
		"AND v.value = '4.1'"), 1);

	/* a parse error names line and column; the old plan stays */
	assert_int_equal(nfs_store_put(c, bad_parse, strlen(bad_parse), &why),
			 -EINVAL);
	assert_non_null(strstr(buf_str(&why), "line 6: column 18:"));
	assert_stored(c, GOOD);
	/* an error-level finding rejects too */
	buf_reset(&why);
	assert_int_equal(nfs_store_put(c, bad_check, strlen(bad_check), &why),
			 -EINVAL);
	assert_non_null(strstr(buf_str(&why),
			       "error mountpoint-conflict line 6:"));
	assert_stored(c, GOOD);
	assert_int_equal(scalar(c, "SELECT count(*) FROM nfs_import"), 1);
	/* warnings do not */
	buf_reset(&why);
	assert_int_equal(nfs_store_put(c, warn, strlen(warn), &why), 0);
	assert_non_null(strstr(buf_str(&why), "warning unused-export line 6"));
	assert_stored(c, warn);
	assert_int_equal(scalar(c, "SELECT count(*) FROM nfs_export"), 2);
	/* a host that left the plan leaves cm_host */
	buf_reset(&why);
	assert_int_equal(scalar(c, "SELECT count(*) FROM cm_host"), 2);
	assert_int_equal(nfs_store_put(c, "host s platform=aix\n", 20, &why),
			 0);
	assert_int_equal(scalar(c, "SELECT count(*) FROM cm_host"), 1);
	assert_int_equal(scalar(c, "SELECT count(*) FROM cm_host h JOIN "
				"cm_platform p ON p.id = h.platform_id WHERE "
				"h.name = 's' AND p.name = 'aix'"), 1);
	assert_int_equal(scalar(c, "SELECT count(*) FROM nfs_export"), 0);
	buf_release(&why);
	nfs_catalog_close(c);
}

/* A big plan with n exports, each imported. */
static char *big_plan(unsigned n)
{
	struct buf b = BUF_INIT;

	buf_append_str(&b, "host s platform=linux\nhost c platform=linux\n");
	for (unsigned i = 0; i < n; i++)
		buf_printf(&b, "export s:/e%u c(rw,sync,anonuid=%u)\n"
			   "import c:/m%u s:/e%u rw,hard,vers=4.2\n", i, i, i, i);
	return buf_steal(&b);
}

/* In the child: SIGKILL itself after kill_after row changes of the store
 * transaction, or (kill_after == 0) when it is about to commit. */
static long kill_after;

static void die_on_update(void *arg, int op, const char *db,
			  const char *table, sqlite3_int64 rowid)
{
	(void)arg, (void)op, (void)db, (void)table, (void)rowid;
	if (--kill_after == 0)
		raise(SIGKILL);
}

static int die_on_commit(void *arg)
{
	(void)arg;
	raise(SIGKILL);
	return 0;
}

/* Forks a child that stores plan into path and is killed at the given
 * point; returns true if it was killed, false if it finished. */
static bool store_in_child(const char *path, const char *plan, long when)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct nfs_catalog *cc = NULL;

		if (nfs_catalog_open(path, &cc) < 0)
			_exit(3);
		kill_after = when;
		if (when == 0)
			sqlite3_commit_hook(nfs_catalog_db(cc), die_on_commit,
					    NULL);
		else
			sqlite3_update_hook(nfs_catalog_db(cc), die_on_update,
					    NULL);
		_exit(nfs_store_put(cc, plan, strlen(plan), NULL) == 0 ? 0 : 4);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st)) {
		assert_int_equal(WTERMSIG(st), SIGKILL);
		return true;
	}
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	return false;
}

/* kill -9 at many points inside the store transaction (after the n-th
 * row change, and just before COMMIT): the database then holds the old
 * plan with its objects; a store that runs to the end holds the new. */
static void test_kill_9_mid_store(void **state)
{
	static const long points[] = { 0, 1, 2, 5, 50, 401, 1200, 2500, 3500,
				       1000000 };
	char path[] = "/tmp/test-nfs-store-XXXXXX";
	char *plans[2] = { big_plan(3), big_plan(400) };
	unsigned killed = 0, finished = 0;
	struct nfs_catalog *c = NULL;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		struct buf b = BUF_INIT;
		bool was_killed;
		int want;

		assert_int_equal(nfs_catalog_open(path, &c), 0);
		assert_int_equal(nfs_store_put(c, plans[0], strlen(plans[0]),
					       NULL), 0);
		nfs_catalog_close(c);
		was_killed = store_in_child(path, plans[1], points[i]);
		killed += was_killed;
		finished += !was_killed;
		want = was_killed ? 0 : 1;
		assert_int_equal(nfs_catalog_open(path, &c), 0);
		assert_int_equal(nfs_store_get(c, &b), 0);
		assert_string_equal(buf_str(&b), plans[want]);
		assert_int_equal(scalar(c, "SELECT count(*) FROM nfs_export"),
				 want ? 400 : 3);
		assert_int_equal(scalar(c, "SELECT count(*) FROM "
					"nfs_export_client"), want ? 400 : 3);
		assert_int_equal(scalar(c, "SELECT count(*) FROM nfs_import"),
				 want ? 400 : 3);
		assert_int_equal(scalar(c, "SELECT count(*) FROM "
					"cm_configured_value WHERE value = "
					"'4.2'"), want ? 400 : 3);
		buf_release(&b);
		nfs_catalog_close(c);
	}
	printf("kill -9 inside the store: %u killed (old plan kept), %u "
	       "finished (new plan)\n", killed, finished);
	free(plans[0]);
	free(plans[1]);
	unlink(path);
	for (int i = 0; i < 2; i++) {
		char side[64];

		snprintf(side, sizeof(side), "%s-%s", path, i ? "shm" : "wal");
		unlink(side);
	}
	/* the big points must not all have been past the end */
	assert_true(killed >= 8);
	assert_int_equal(finished, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_and_reject),
		cmocka_unit_test(test_kill_9_mid_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
