/* Deployment, journal and recovery against fake hosts held in memory. */
#include "helpers.h"

#include "nfs/catalog.h"
#include "nfs/deploy.h"
#include "nfs/diagnose.h"
#include "nfs/gen.h"
#include "nfs/journal.h"

static const char PLAN[] =
	"host srv address=10.0.0.1 platform=ganesha\n"
	"host lx address=10.0.0.2 platform=linux\n"
	"host c1 address=10.0.0.11 platform=linux\n"
	"host c2 address=10.0.0.12 platform=solaris\n"
	"export srv:/srv/a c1(rw) c2(ro)\n"
	"export lx:/home c1(rw)\n"
	"import c1:/a srv:/srv/a rw\n"
	"import c2:/a srv:/srv/a ro\n"
	"import c1:/home lx:/home rw\n";

#define NFILES 16

struct fake {
	struct { char host[16], name[32]; char *text; } f[NFILES];
	size_t n;
	char down[16];                 /* a host that cannot be reached */
	char bad_activate[16];         /* a host whose activation fails */
	int bad_left;                  /* ... this many times */
	bool ganesha_loads;            /* the ganesha server loads its file */
	unsigned activations, puts, probes;
};

static char **slot(struct fake *k, const char *host, const char *name)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->f[i].host, host) && !strcmp(k->f[i].name, name))
			return &k->f[i].text;
	assert_true(k->n < NFILES);
	snprintf(k->f[k->n].host, 16, "%s", host);
	snprintf(k->f[k->n].name, 32, "%s", name);
	return &k->f[k->n++].text;
}

static int f_get(void *arg, const char *host, const char *file, struct buf *b,
		 char *msg, size_t n)
{
	struct fake *k = arg;
	char **t;

	if (!strcmp(host, k->down))
		return snprintf(msg, n, "connection timed out"), -ETIMEDOUT;
	t = slot(k, host, file);
	return *t ? buf_append_str(b, *t) : -ENOENT;
}

static int f_put(void *arg, const char *host, const char *file,
		 const char *content, char *msg, size_t n)
{
	struct fake *k = arg;
	char **t;

	if (!strcmp(host, k->down))
		return snprintf(msg, n, "connection timed out"), -ETIMEDOUT;
	t = slot(k, host, file);
	free(*t);
	*t = content ? strdup(content) : NULL;
	k->puts++;
	return 0;
}

static int f_activate(void *arg, const char *host, int pf, char *msg,
		      size_t n)
{
	struct fake *k = arg;

	(void)pf;
	k->activations++;
	if (!strcmp(host, k->bad_activate) && k->bad_left-- > 0)
		return snprintf(msg, n, "exportfs: failed"), -EIO;
	return 0;
}

static int f_live(void *arg, const char *host, struct buf *b, char *msg,
		  size_t n)
{
	(void)arg;
	(void)msg;
	(void)n;
	if (strcmp(host, "lx") == 0)
		return buf_append_str(b, "# exportfs-v\n/home 10.0.0.11(rw)\n");
	return buf_append_str(b, "");
}

/* ganesha shows a client only what it may mount */
static int f_probe(void *arg, const char *client, const char *address,
		   struct buf *b, char *msg, size_t n)
{
	struct fake *k = arg;

	(void)msg;
	(void)n;
	k->probes++;
	assert_string_equal(address, "10.0.0.1");
	if (!k->ganesha_loads)
		return buf_append_str(b, "# showmount-e\nExport list for 10.0.0.1:\n");
	return buf_printf(b, "# showmount-e\nExport list for 10.0.0.1:\n"
			  "/srv/a %s/32\n", strcmp(client, "c1") ? "10.0.0.12" :
			  "10.0.0.11");
}

static struct nfs_deploy_ops ops_of(struct fake *k)
{
	struct nfs_deploy_ops o = { k, 1, f_get, f_put, f_activate, f_live,
				    f_probe, NULL };

	return o;
}

static void fake_free(struct fake *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->f[i].text);
}

static char *deploy(struct nfs_catalog *c, struct fake *k, int want,
		    bool dry)
{
	struct nfs_plan *p = plan_of(PLAN);
	struct nfs_deploy_ops o = ops_of(k);
	struct buf b = BUF_INIT;
	long long id;

	assert_int_equal(nfs_journal_start(c, dry ? "dry-run" : "now", 0, PLAN,
					   "1:1", &id), 0);
	assert_int_equal(nfs_deploy_run(c, id, p, &o, NULL, false, dry), want);
	assert_int_equal(nfs_journal_print(c, &b), 0);
	nfs_plan_free(p);
	return buf_steal(&b);
}

static void test_deploy_then_unchanged(void **state)
{
	struct nfs_catalog *c = NULL;
	struct fake k = { .ganesha_loads = true };
	char *s;

	(void)state;
	assert_int_equal(nfs_catalog_open(":memory:", &c), 0);
	/* c1 has a local fstab entry that must survive */
	*slot(&k, "c1", "fstab") = strdup("/dev/sda1 / ext4 defaults 0 1\n"
					   "old:/x /x nfs rw 0 0\n");
	s = deploy(c, &k, 0, true);
	assert_non_null(strstr(s, "srv would-change would change ganesha.conf"));
	assert_int_equal(k.puts, 0);
	free(s);
	s = deploy(c, &k, 0, false);
	assert_non_null(strstr(s, "deployment 2 now done\n"));
	assert_non_null(strstr(s, "srv deployed"));
	assert_non_null(strstr(s, "c2 deployed"));
	/* servers come first */
	assert_true(strstr(s, "lx deployed") < strstr(s, "c1 deployed"));
	free(s);
	assert_non_null(strstr(*slot(&k, "srv", "ganesha.conf"),
			       "Clients = 10.0.0.11;"));
	assert_int_equal(k.probes, 2);             /* srv seen by c1 and c2 */
	assert_non_null(strstr(*slot(&k, "c1", "fstab"), "/dev/sda1 / ext4"));
	assert_null(strstr(*slot(&k, "c1", "fstab"), "old:/x"));
	assert_non_null(strstr(*slot(&k, "c1", "fstab"), "srv:/srv/a /a nfs"));
	/* the same plan again touches nothing */
	k.puts = 0;
	k.activations = 0;
	s = deploy(c, &k, 0, false);
	assert_non_null(strstr(s, "c1 unchanged"));
	assert_non_null(strstr(s, "srv unchanged"));
	assert_int_equal(k.puts, 0);
	assert_int_equal(k.activations, 0);
	free(s);
	fake_free(&k);
	nfs_catalog_close(c);
}

static void test_failures_roll_back_one_host(void **state)
{
	struct nfs_catalog *c = NULL;
	struct fake k = { .ganesha_loads = true };
	char *s;

	(void)state;
	assert_int_equal(nfs_catalog_open(":memory:", &c), 0);
	snprintf(k.down, sizeof(k.down), "c2");
	snprintf(k.bad_activate, sizeof(k.bad_activate), "lx");
	k.bad_left = 1;
	*slot(&k, "lx", "exports") = strdup("/old 10.0.0.9(ro)\n");
	s = deploy(c, &k, 1, false);
	assert_non_null(strstr(s, "deployment 1 now partial\n"));
	assert_non_null(strstr(s, "c2 failed unreachable, nothing changed: "
			       "connection timed out"));
	assert_non_null(strstr(s, "lx rolled-back exportfs: failed; old files "
			       "put back"));
	assert_non_null(strstr(s, "srv deployed"));
	/* c1 imports from lx, which failed */
	assert_non_null(strstr(s, "c1 skipped its server lx failed"));
	assert_string_equal(*slot(&k, "lx", "exports"), "/old 10.0.0.9(ro)\n");
	free(s);
	fake_free(&k);
	nfs_catalog_close(c);
}

static void test_verify_catches_an_unloaded_export(void **state)
{
	struct nfs_catalog *c = NULL;
	struct fake k = { .ganesha_loads = false };
	char *s;

	(void)state;
	assert_int_equal(nfs_catalog_open(":memory:", &c), 0);
	s = deploy(c, &k, 1, false);
	assert_non_null(strstr(s, "srv rolled-back export /srv/a not served to c1"));
	/* the file did not exist before: rolled back = removed again */
	assert_null(*slot(&k, "srv", "ganesha.conf"));
	free(s);
	fake_free(&k);
	nfs_catalog_close(c);
}

static bool dead(const char *runner)
{
	(void)runner;
	return false;
}

static int restored;

static int restore(void *arg, const char *host, const char *name,
		   const char *old)
{
	struct fake *k = arg;

	if (name) {
		char **t = slot(k, host, name);

		free(*t);
		*t = old ? strdup(old) : NULL;
	} else {
		restored++;
	}
	return 0;
}

static void test_recover_interrupted(void **state)
{
	struct nfs_catalog *c = NULL;
	struct fake k = { 0 };
	struct buf b = BUF_INIT;
	long long id, id2;

	(void)state;
	assert_int_equal(nfs_catalog_open(":memory:", &c), 0);
	assert_int_equal(nfs_journal_start(c, "now", 0, PLAN, "1:1", &id), 0);
	/* only one runs at a time */
	assert_int_equal(nfs_journal_start(c, "now", 0, PLAN, "2:2", &id2), -EBUSY);
	assert_int_equal(nfs_journal_host(c, id, "srv", "deployed", ""), 0);
	assert_int_equal(nfs_journal_host(c, id, "lx", "activating", ""), 0);
	assert_int_equal(nfs_journal_host(c, id, "c1", "pending", ""), 0);
	assert_int_equal(nfs_journal_file(c, id, "lx", "exports", "/old *(ro)\n",
					  "/home 10.0.0.11(rw)\n"), 0);
	*slot(&k, "lx", "exports") = strdup("/home 10.0.0.11(rw)\n");
	assert_int_equal(nfs_journal_recover(c, dead, restore, &k), 1);
	assert_int_equal(restored, 1);
	assert_string_equal(*slot(&k, "lx", "exports"), "/old *(ro)\n");
	assert_int_equal(nfs_journal_print(c, &b), 0);
	assert_non_null(strstr(buf_str(&b), "deployment 1 now interrupted\n"));
	assert_non_null(strstr(buf_str(&b), "srv deployed"));
	assert_non_null(strstr(buf_str(&b), "lx rolled-back interrupted; old files put back"));
	assert_non_null(strstr(buf_str(&b), "c1 interrupted not reached"));
	/* nothing left to recover */
	assert_int_equal(nfs_journal_recover(c, dead, restore, &k), 0);
	buf_release(&b);
	fake_free(&k);
	nfs_catalog_close(c);
}

static void test_schedule_runs_once(void **state)
{
	struct nfs_catalog *c = NULL;
	struct buf b = BUF_INIT;
	long long id, got = 0;

	(void)state;
	assert_int_equal(nfs_catalog_open(":memory:", &c), 0);
	assert_int_equal(nfs_journal_start(c, "at", 1000, PLAN, "", &id), 0);
	assert_int_equal(nfs_journal_claim_due(c, 999, "1:1", &got), 0);
	assert_int_equal(nfs_journal_print(c, &b), 0);
	assert_non_null(strstr(buf_str(&b), "scheduled due 1970-01-01T00:16:40Z"));
	assert_int_equal(nfs_journal_claim_due(c, 1000, "1:1", &got), 1);
	assert_int_equal(got, id);
	assert_int_equal(nfs_journal_finish(c, id, "done"), 0);
	assert_int_equal(nfs_journal_claim_due(c, 5000, "1:1", &got), 0);
	assert_int_equal(nfs_journal_start(c, "at", 2000, PLAN, "", &id), 0);
	assert_int_equal(nfs_journal_cancel(c), 1);
	assert_int_equal(nfs_journal_claim_due(c, 5000, "1:1", &got), 0);
	buf_release(&b);
	nfs_catalog_close(c);
}

static void test_merge_imports_idempotent(void **state)
{
	static const char gen[] = "# sysman: generated\nsrv:/a /a nfs rw 0 0\n";
	static const char cur[] = "/dev/sda1 / ext4 defaults 0 1\n"
				  "old:/x /x nfs4 rw 0 0\n# keep me\n";
	static const char agen[] = "* sysman: generated\n\n/a:\n\tdev = \"/a\"\n"
				   "\tvfs = nfs\n\tnodename = srv\n";
	static const char acur[] = "/:\n\tdev = /dev/hd4\n\tvfs = jfs2\n\n"
				   "/x:\n\tdev = \"/x\"\n\tvfs = nfs\n";
	struct buf a = BUF_INIT, b = BUF_INIT;

	(void)state;
	assert_int_equal(nfs_merge_imports(NFS_PF_LINUX, cur, gen, &a), 0);
	assert_string_equal(buf_str(&a), "# sysman: generated\nsrv:/a /a nfs rw 0 0\n"
			    "/dev/sda1 / ext4 defaults 0 1\n# keep me\n");
	assert_int_equal(nfs_merge_imports(NFS_PF_LINUX, buf_str(&a), gen, &b), 0);
	assert_string_equal(buf_str(&a), buf_str(&b));
	buf_reset(&a);
	buf_reset(&b);
	assert_int_equal(nfs_merge_imports(NFS_PF_AIX, acur, agen, &a), 0);
	assert_non_null(strstr(buf_str(&a), "vfs = jfs2"));
	assert_null(strstr(buf_str(&a), "/x:"));
	assert_int_equal(nfs_merge_imports(NFS_PF_AIX, buf_str(&a), agen, &b), 0);
	assert_string_equal(buf_str(&a), buf_str(&b));
	buf_release(&a);
	buf_release(&b);
}

static void test_diagnose_rules(void **state)
{
	struct nfs_plan *p = plan_of(PLAN);
	struct nfs_gen_out gen = NFS_GEN_OUT_INIT;
	struct nfs_error err = { 0 };
	struct nfs_diags d = { 0 };
	struct buf b = BUF_INIT;
	struct nfs_obs obs[3] = { { 0 } };
	const char *lx_exports = "/home 10.0.0.11(rw)\n/extra *(ro)\n";
	const char *srv_conf;
	char id[8];

	(void)state;
	assert_int_equal(nfs_generate(p, &gen, &err), 0);
	srv_conf = buf_str(&gen.v[0].content);      /* srv: ganesha.conf */
	assert_string_equal(gen.v[0].name, "ganesha.conf");
	obs[0] = (struct nfs_obs){ .host = "srv", .reachable = true,
		.daemons = "nfs-ganesha inactive\nrpcbind active\n# rpc\n",
		.files = { { "ganesha.conf", srv_conf } }, .nfiles = 1 };
	obs[1] = (struct nfs_obs){ .host = "lx", .reachable = true,
		.daemons = "rpcbind active\n",
		.files = { { "exports", lx_exports } }, .nfiles = 1 };
	obs[2] = (struct nfs_obs){ .host = "c2", .reachable = false,
		.daemons = "rpcbind inactive\n",     /* a client: not a finding */
		.why = "connection timed out" };
	assert_int_equal(nfs_diagnose(p, obs, 3, &d), 0);
	assert_int_equal(nfs_diags_print(&d, &b), 0);
	assert_non_null(strstr(buf_str(&b), " daemon-down srv nfs-ganesha: "
		"nfs-ganesha is inactive -> restart nfs-ganesha on srv\n"));
	assert_non_null(strstr(buf_str(&b), " unplanned-export lx:/extra: "
		"exports exports it, the plan does not -> redeploy lx\n"));
	assert_non_null(strstr(buf_str(&b), " host-unreachable c2: "
		"connection timed out -> tell the admin\n"));
	assert_null(strstr(buf_str(&b), "config-drift srv"));
	assert_int_equal(d.n, 3);
	/* ids are stable and found again */
	snprintf(id, sizeof(id), "%s", d.v[0].id);
	nfs_diags_release(&d);
	assert_int_equal(nfs_diagnose(p, obs, 3, &d), 0);
	assert_non_null(nfs_diags_find(&d, id));
	assert_null(nfs_diags_find(&d, "d000000"));
	nfs_diags_release(&d);
	/* a hand edit of the served file is drift */
	obs[0].files[0].content = "EXPORT { Export_Id = 1; Path = \"/srv/a\"; "
		"Pseudo = \"/srv/a\"; FSAL { Name = VFS; } CLIENT { Clients = "
		"10.0.0.99; Access_Type = RW; } }\n";
	buf_reset(&b);
	assert_int_equal(nfs_diagnose(p, obs, 1, &d), 0);
	assert_int_equal(nfs_diags_print(&d, &b), 0);
	assert_non_null(strstr(buf_str(&b), " export-differs srv:/srv/a: "
		"ganesha.conf has 10.0.0.99(rw), the plan 10.0.0.11(rw) 10.0.0.12(ro) "
		"-> redeploy srv\n"));
	nfs_diags_release(&d);
	/* a client that cannot reach its import names the server's findings */
	buf_reset(&b);
	{
		struct nfs_access acc = { "/a", "srv", "/srv/a", false,
					  "MNT3ERR_ACCES" };

		obs[1] = (struct nfs_obs){ .host = "c1", .reachable = true,
			.access = &acc, .naccess = 1 };
		assert_int_equal(nfs_diagnose(p, obs, 2, &d), 0);
	}
	assert_int_equal(nfs_diags_print(&d, &b), 0);
	assert_non_null(strstr(buf_str(&b), " client-cannot-access c1:/a: "
		"srv:/srv/a: MNT3ERR_ACCES; server srv: "));
	assert_non_null(strstr(buf_str(&b), " export-differs -> check srv first, "
		"then tell the admin\n"));
	assert_false(d.v[d.n - 1].safe);
	assert_true(d.v[0].safe);
	nfs_diags_release(&d);
	buf_release(&b);
	nfs_gen_out_release(&gen);
	nfs_plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deploy_then_unchanged),
		cmocka_unit_test(test_failures_roll_back_one_host),
		cmocka_unit_test(test_verify_catches_an_unloaded_export),
		cmocka_unit_test(test_recover_interrupted),
		cmocka_unit_test(test_schedule_runs_once),
		cmocka_unit_test(test_merge_imports_idempotent),
		cmocka_unit_test(test_diagnose_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
