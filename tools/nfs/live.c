/*
 * live.c - `nfs generated|deploy|reverse|report`: the live half of the
 * NFS service, driven by the agents of services/nfs/.
 *
 * Hosts are reached only through the mounted tree ($SYSMAN_ROOT or
 * --root): systems/servers/<host>/nfs/<file> are remote agents that the
 * daemon runs over its SSH pool.  A file's content is what its agent
 * printed and its .status says how the agent ended ("0", or "<rc>
 * <message>"); a dead mount (ENOTCONN) stops a deployment where it is,
 * for nfs_journal_recover() to finish after the daemon is back.
 */
#include "live.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include "nfs/catalog.h"
#include "nfs/deploy.h"
#include "nfs/diagnose.h"
#include "nfs/gen.h"
#include "nfs/journal.h"
#include "nfs/parse.h"
#include "nfs/plan.h"
#include "nfs/report.h"
#include "nfs/reverse.h"
#include "nfs/store.h"

#define DEFAULT_DB "/var/lib/sysman/sysman.db"

struct live {
	const char *root;              /* the mount */
	const char *db;
	struct nfs_catalog *cat;
	struct nfs_plan *plan;         /* for platforms while recovering */
	bool verbose;
};

/* ------------------------------------------------------------ the tree */

/* A dead mount answers ECONNABORTED, then ENOTCONN: both mean the
 * daemon is gone. */
static int dead_mount(int r)
{
	return r == -ECONNABORTED ? -ENOTCONN : r;
}

static int tree_path(const struct live *l, const char *host, const char *file,
		     const char *suffix, char *dst, size_t n)
{
	int k = snprintf(dst, n, "%s/systems/servers/%s/nfs/%s%s", l->root, host,
			 file, suffix);

	return k < 0 || (size_t)k >= n ? -ENAMETOOLONG : 0;
}

/* Reads the file's .status: 0, or -EIO (-ENOENT for rc 2) with the
 * message in msg. */
static int tree_status(const struct live *l, const char *host,
		       const char *file, char *msg, size_t n)
{
	struct buf b = BUF_INIT;
	char path[4096];
	long rc;
	char *end;
	int r = tree_path(l, host, file, ".status", path, sizeof(path));

	if (r >= 0)
		r = buf_read_file(&b, path);
	if (r < 0) {
		snprintf(msg, n, "cannot read %s.status: %s", file, strerror(-r));
		buf_release(&b);
		return dead_mount(r) == -ENOTCONN ? -ENOTCONN : -EIO;
	}
	rc = strtol(buf_str(&b), &end, 10);
	if (rc != 0) {
		snprintf(msg, n, "%s", *end == ' ' ? end + 1 : buf_str(&b));
		msg[strcspn(msg, "\n")] = '\0';
		r = rc == 2 ? -ENOENT : rc == 255 || rc == 124 ? -EHOSTUNREACH :
		    -EIO;
	}
	buf_release(&b);
	return r;
}

static int tree_read(const struct live *l, const char *host, const char *file,
		     struct buf *b, char *msg, size_t n)
{
	char path[4096];
	int r = tree_path(l, host, file, "", path, sizeof(path));

	if (r >= 0)
		r = buf_read_file(b, path);
	if (r < 0) {
		snprintf(msg, n, "cannot read %s of %s: %s", file, host, strerror(-r));
		return dead_mount(r);
	}
	return tree_status(l, host, file, msg, n);
}

static int tree_write(const struct live *l, const char *host, const char *file,
		      const char *text, char *msg, size_t n)
{
	char path[4096];
	size_t len = strlen(text);
	ssize_t w = 0;
	int fd, r = tree_path(l, host, file, "", path, sizeof(path));

	if (r < 0)
		return r;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(msg, n, "cannot open %s of %s: %s", file, host, strerror(-r));
		return dead_mount(r);
	}
	for (size_t off = 0; off < len; off += (size_t)w) {
		w = write(fd, text + off, len - off);
		if (w < 0) {
			r = -errno;
			break;
		}
	}
	if (close(fd) < 0 && r >= 0)
		r = -errno;
	if (r < 0) {
		snprintf(msg, n, "cannot write %s of %s: %s", file, host, strerror(-r));
		return dead_mount(r);
	}
	return tree_status(l, host, file, msg, n);
}

/* ------------------------------------------------------------ deploy ops */

static int op_get(void *arg, const char *host, const char *file,
		  struct buf *b, char *msg, size_t n)
{
	return tree_read(arg, host, file, b, msg, n);
}

static int op_put(void *arg, const char *host, const char *file,
		  const char *content, char *msg, size_t n)
{
	return tree_write(arg, host, file, content ? content : "-absent-\n", msg, n);
}

static int op_activate(void *arg, const char *host, int pf, char *msg,
		       size_t n)
{
	char in[32];

	snprintf(in, sizeof(in), "%s\n", nfs_platform_name(pf));
	return tree_write(arg, host, "activate", in, msg, n);
}

static int op_live(void *arg, const char *host, struct buf *b, char *msg,
		   size_t n)
{
	return tree_read(arg, host, "exports.live", b, msg, n);
}

static int op_probe(void *arg, const char *client, const char *address,
		    struct buf *b, char *msg, size_t n)
{
	char in[80];
	int r;

	snprintf(in, sizeof(in), "%s\n", address);
	r = tree_write(arg, client, "showmount", in, msg, n);
	return r < 0 ? r : tree_read(arg, client, "showmount", b, msg, n);
}

static void op_progress(void *arg, const char *host, const char *state,
			const char *detail)
{
	const struct live *l = arg;

	if (l->verbose)
		fprintf(stderr, "%s %s %s\n", host, state, detail);
}

static struct nfs_deploy_ops tree_ops(struct live *l)
{
	struct nfs_deploy_ops o = { l, 16, op_get, op_put, op_activate, op_live,
				    op_probe, op_progress };

	return o;
}

/* ------------------------------------------------------------ runners */

/* "pid:starttime" of this process (field 22 of /proc/self/stat). */
static void runner_self(char *dst, size_t n)
{
	struct buf b = BUF_INIT;
	const char *s;
	unsigned long long start = 0;

	if (buf_read_file(&b, "/proc/self/stat") == 0 &&
	    (s = strrchr(buf_str(&b), ')'))) {
		for (int f = 2; f < 22 && s; f++)
			s = strchr(s + 1, ' ');
		if (s)
			start = strtoull(s + 1, NULL, 10);
	}
	buf_release(&b);
	snprintf(dst, n, "%d:%llu", (int)getpid(), start);
}

static bool runner_alive(const char *runner)
{
	char path[64], now[64];
	int pid = atoi(runner);
	struct buf b = BUF_INIT;
	const char *s;
	unsigned long long start = 0;
	bool alive = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (pid > 0 && buf_read_file(&b, path) == 0 &&
	    (s = strrchr(buf_str(&b), ')')) && s[1] == ' ' && s[2] != 'Z') {
		for (int f = 2; f < 22 && s; f++)
			s = strchr(s + 1, ' ');
		if (s)
			start = strtoull(s + 1, NULL, 10);
		snprintf(now, sizeof(now), "%d:%llu", pid, start);
		alive = strcmp(now, runner) == 0;
	}
	buf_release(&b);
	return alive;
}

static int restore(void *arg, const char *host, const char *name,
		   const char *old)
{
	struct live *l = arg;
	const struct nfs_host *h;
	char msg[256];

	if (name)
		return op_put(l, host, name, old, msg, sizeof(msg));
	h = l->plan ? nfs_plan_host(l->plan, host) : NULL;
	if (!h)
		return 0;
	for (size_t i = 0; i < l->plan->nexports; i++)
		if (strcmp(l->plan->exports[i].server, host) == 0)
			return op_activate(l, host, h->platform, msg, sizeof(msg));
	return 0;
}

/* ------------------------------------------------------------ helpers */

static int stored_plan(struct live *l, struct buf *text, struct nfs_plan **ret)
{
	struct nfs_error err = { 0 };
	int r = nfs_store_get(l->cat, text);

	if (r == -ENOENT) {
		fprintf(stderr, "no plan is stored\n");
		return -ENOENT;
	}
	if (r >= 0)
		r = nfs_plan_parse(buf_str(text), text->len, ret, &err);
	if (r < 0)
		fprintf(stderr, "the stored plan does not parse: line %u: %s\n",
			err.line, err.msg);
	return r;
}

/* Parses "YYYY-MM-DDTHH:MM[:SS][Z|+hh:mm|-hh:mm]" (no zone: UTC). */
static int parse_iso(const char *s, time_t *ret)
{
	struct tm tm = { 0 };
	const char *e = strptime(s, "%Y-%m-%dT%H:%M", &tm);
	long off = 0;
	int hh, mm;
	time_t t;

	if (!e)
		return -EINVAL;
	if (*e == ':') {
		e = strptime(e, ":%S", &tm);
		if (!e)
			return -EINVAL;
	}
	if (*e == 'Z') {
		e++;
	} else if ((*e == '+' || *e == '-') && sscanf(e + 1, "%2d:%2d", &hh, &mm) == 2) {
		off = (hh * 3600L + mm * 60L) * (*e == '-' ? -1 : 1);
		e += 6;
	}
	if (*e != '\0' && *e != '\n')
		return -EINVAL;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret = t - off;
	return 0;
}

static void print_journal(struct live *l)
{
	struct buf b = BUF_INIT;

	if (nfs_journal_print(l->cat, &b) >= 0)
		fwrite(buf_str(&b), 1, b.len, stdout);
	buf_release(&b);
}

static int recover(struct live *l)
{
	struct buf text = BUF_INIT;
	struct nfs_error err = { 0 };
	int r;

	if (nfs_store_get(l->cat, &text) >= 0)
		nfs_plan_parse(buf_str(&text), text.len, &l->plan, &err);
	buf_release(&text);
	r = nfs_journal_recover(l->cat, runner_alive, restore, l);
	if (r > 0)
		fprintf(stderr, "nfs: %d interrupted deployment(s) recovered\n", r);
	return r;
}

/* Runs deployment id of the plan text. */
static int run(struct live *l, long long id, const char *text, const char *only,
	       bool force, bool dry)
{
	struct nfs_plan *p = NULL;
	struct nfs_error err = { 0 };
	struct nfs_deploy_ops ops = tree_ops(l);
	int r = nfs_plan_parse(text, strlen(text), &p, &err);

	if (r < 0) {
		nfs_journal_finish(l->cat, id, "failed");
		fprintf(stderr, "the plan does not parse: line %u: %s\n", err.line,
			err.msg);
		return r;
	}
	r = nfs_deploy_run(l->cat, id, p, &ops, only, force, dry);
	nfs_plan_free(p);
	if (r == -ENOTCONN)
		fprintf(stderr, "the Sysman mount went away: deployment %lld "
			"stopped, to be recovered\n", id);
	return r;
}

/* ------------------------------------------------------------ commands */

static int deploy_start(struct live *l, const char *mode, const char *only,
			bool force)
{
	struct buf text = BUF_INIT;
	struct nfs_plan *p = NULL;
	char runner[64];
	long long id = 0;
	int r = stored_plan(l, &text, &p);

	nfs_plan_free(p);
	runner_self(runner, sizeof(runner));
	if (r >= 0)
		r = nfs_journal_start(l->cat, only ? "host" : mode, 0, buf_str(&text),
				      runner, &id);
	if (r == -EBUSY)
		fprintf(stderr, "another deployment is running\n");
	if (r >= 0)
		r = run(l, id, buf_str(&text), only, force, strcmp(mode, "dry-run") == 0);
	buf_release(&text);
	if (r >= 0 && !only)
		print_journal(l);
	if (r == 1)
		fprintf(stderr, "deployment %lld: some hosts failed\n", id);
	return r;
}

static int deploy_at(struct live *l, const char *when)
{
	struct buf text = BUF_INIT;
	struct nfs_plan *p = NULL;
	time_t t;
	long long id;
	int r;

	if (parse_iso(when, &t) < 0) {
		fprintf(stderr, "bad time '%s': want YYYY-MM-DDTHH:MM:SS[Z|+hh:mm]\n",
			when);
		return -EINVAL;
	}
	if (t < time(NULL)) {
		fprintf(stderr, "the time %s is in the past\n", when);
		return -EINVAL;
	}
	r = stored_plan(l, &text, &p);
	nfs_plan_free(p);
	if (r >= 0)
		r = nfs_journal_start(l->cat, "at", t, buf_str(&text), "", &id);
	buf_release(&text);
	if (r >= 0)
		print_journal(l);
	return r;
}

static int deploy_due(struct live *l)
{
	struct buf text = BUF_INIT;
	char runner[64];
	long long id;
	int r;

	runner_self(runner, sizeof(runner));
	r = nfs_journal_claim_due(l->cat, time(NULL), runner, &id);
	if (r <= 0)
		return r;
	r = nfs_journal_plan(l->cat, id, &text);
	if (r >= 0)
		r = run(l, id, buf_str(&text), NULL, false, false);
	buf_release(&text);
	return r < 0 ? r : 0;
}

/* Waits for scheduled deployments and runs each at its time, as long as
 * any is scheduled.  One waiter per database (a flock beside it); the
 * waiter outlives a daemon restart, and leaves a deployment scheduled
 * when the mount is not there at its time. */
static int deploy_wait(struct live *l, const char *db)
{
	char lock[4096], probe[4096];
	time_t due;
	int fd, r;

	snprintf(lock, sizeof(lock), "%s.nfs-at.lock", db);
	snprintf(probe, sizeof(probe), "%s/systems/servers", l->root);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (fd >= 0)
			close(fd);
		return 0;               /* another waiter has it */
	}
	/* who waits, for whoever must stop it (tests, an uninstall) */
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%d\n", (int)getpid());
	while ((r = nfs_journal_next_due(l->cat, &due)) == 1) {
		time_t now = time(NULL);
		struct stat st;

		if (stat(db, &st) < 0)
			break;             /* the database was removed */

		if (due > now) {
			sleep(due - now > 5 ? 5 : (unsigned)(due - now));
			continue;
		}
		if (stat(probe, &st) < 0) {
			sleep(1);          /* no daemon now: try again */
			continue;
		}
		r = deploy_due(l);
		if (r < 0 && r != -EBUSY)
			break;
		if (r == 0)
			sleep(1);          /* one is running: wait for it */
	}
	close(fd);
	return r < 0 ? r : 0;
}

static int cmd_deploy(struct live *l, int argc, char **argv)
{
	const char *what = argc > 0 ? argv[0] : "show";
	int r;

	if (recover(l) < 0)
		fprintf(stderr, "nfs: recovery failed\n");
	if (strcmp(what, "show") == 0) {
		print_journal(l);
		return 0;
	}
	if (strcmp(what, "run-due") == 0)
		return deploy_due(l);
	if (strcmp(what, "wait") == 0)
		return deploy_wait(l, l->db);
	if (strcmp(what, "now") == 0 || strcmp(what, "dry-run") == 0)
		return deploy_start(l, what, NULL, false);
	if (strcmp(what, "host") == 0 && argc == 2)
		return deploy_start(l, "now", argv[1], true);
	if (strcmp(what, "at") == 0 && argc == 2)
		return deploy_at(l, argv[1]);
	if (strcmp(what, "cancel") == 0) {
		r = nfs_journal_cancel(l->cat);
		if (r >= 0)
			printf("%d scheduled deployment(s) cancelled\n", r);
		return r;
	}
	fprintf(stderr, "deploy: write now, dry-run, at <ISO-8601 time> or cancel\n");
	return -EINVAL;
}

/* generated [HOST [FILE]]: hosts ("h/"), a host's files, or a file. */
static int cmd_generated(struct live *l, int argc, char **argv)
{
	struct buf text = BUF_INIT;
	struct nfs_plan *p = NULL;
	struct nfs_gen_out out = NFS_GEN_OUT_INIT;
	struct nfs_error err = { 0 };
	int r = stored_plan(l, &text, &p), found = 0;

	if (r == -ENOENT && argc == 0)
		r = 0;                   /* no plan: nothing generated */
	if (r >= 0 && p)
		r = nfs_generate(p, &out, &err);
	if (r == -ENOTSUP)
		fprintf(stderr, "line %u: %s\n", err.line, err.msg);
	for (size_t i = 0; r >= 0 && i < out.n; i++) {
		const struct nfs_gen_file *f = &out.v[i];

		if (argc == 0 && (i == 0 || strcmp(out.v[i - 1].host, f->host)))
			printf("%s/\n", f->host);
		if (argc == 1 && strcmp(f->host, argv[0]) == 0)
			printf("%s\n", f->name), found = 1;
		if (argc == 2 && strcmp(f->host, argv[0]) == 0 &&
		    strcmp(f->name, argv[1]) == 0) {
			fwrite(buf_str(&f->content), 1, f->content.len, stdout);
			found = 1;
		}
	}
	if (r >= 0 && argc > 0 && !found) {
		fprintf(stderr, "no generated file %s%s%s\n", argv[0],
			argc > 1 ? "/" : "", argc > 1 ? argv[1] : "");
		r = -ENOENT;
	}
	nfs_gen_out_release(&out);
	nfs_plan_free(p);
	buf_release(&text);
	return r;
}

/* One host as reverse reads it: its host line and its two files. */
struct rev_slot {
	const char *host;
	int pf;                        /* -1: host line unread or unknown */
	int r[4];                      /* host, export file, import file, live list */
	struct buf b[4];
	char msg[4][256];
};

/* Takes file name's content out of a config answer (agent config.read:
 * "# sysman-files <names>", then "# sysman-file <name>" sections of
 * "|<line>" lines) into b: 0, or -ENOENT when the host has no such file. */
static int config_file(const char *text, const char *name, struct buf *b)
{
	const char *s = strstr(text, "\n# sysman-files"), *e;
	size_t nl = strlen(name);
	bool listed = false;
	int r = 0;

	if (!s)
		return -ENOENT;
	s += strlen("\n# sysman-files");
	for (e = s + strcspn(s, "\n"); s < e; s += strcspn(s, " \n")) {
		s += strspn(s, " ");
		if (strncmp(s, name, nl) == 0 && (s[nl] == ' ' || s[nl] == '\n'))
			listed = true;
	}
	if (!listed)
		return -ENOENT;
	for (s = e; *s; s += strcspn(s, "\n")) {
		s += *s == '\n';
		if (strncmp(s, "# sysman-file ", 14) == 0 &&
		    strncmp(s + 14, name, nl) == 0 && s[14 + nl] == '\n')
			break;
	}
	if (!*s)
		return 0;                  /* listed, empty: awk printed nothing */
	for (s += strcspn(s, "\n"); r >= 0 && s[0] == '\n' && s[1] == '|'; ) {
		size_t len = strcspn(s + 2, "\n");

		r = buf_append(b, s + 2, len);
		if (r >= 0)
			r = buf_append_str(b, "\n");
		s += 2 + len;
	}
	return r < 0 ? -ENOMEM : 0;
}

/* Reads one host's files, one remote agent run (no parsing: this runs
 * on a worker thread). */
static void reverse_fetch(struct live *l, struct rev_slot *s)
{
	char pfname[32] = "";
	const char *pl;
	struct buf all = BUF_INIT;

	s->pf = -1;
	s->r[0] = tree_read(l, s->host, "config", &all, s->msg[0],
			    sizeof(s->msg[0]));
	if (s->r[0] >= 0 && all.len == 0) {
		snprintf(s->msg[0], sizeof(s->msg[0]), "config: an empty answer");
		s->r[0] = -EIO;
	}
	if (s->r[0] >= 0)
		s->r[0] = buf_printf(&s->b[0], "%.*s\n",
				     (int)strcspn(buf_str(&all), "\n"),
				     buf_str(&all)) < 0 ? -ENOMEM : 0;
	if (s->r[0] < 0)
		goto out;
	pl = strstr(buf_str(&s->b[0]), "platform=");
	if (!pl || sscanf(pl + 9, "%31[a-z]", pfname) != 1 ||
	    (s->pf = nfs_platform_parse(pfname)) < 0) {
		s->pf = -1;
		goto out;
	}
	for (int which = 0; which < 2; which++) {
		const char *name = nfs_gen_filename(s->pf, which);

		s->r[1 + which] = name ? config_file(buf_str(&all), name,
						     &s->b[1 + which]) : -ENOENT;
	}
	s->r[3] = config_file(buf_str(&all), "exports.live", &s->b[3]);
out:
	buf_release(&all);
}

/* Records what reverse read of a host as its observations (the
 * monitoring table): its files as config/<file>, its live list as
 * exports; a host that did not answer keeps its last good ones. */
static void reverse_observed(struct live *l, const struct rev_slot *s)
{
	char item[64];

	if (s->r[0] < 0) {
		nfs_observation_put(l->cat, s->host, "exports", -s->r[0], s->msg[0], NULL);
		return;
	}
	nfs_observation_put(l->cat, s->host, "exports", 0, NULL, buf_str(&s->b[3]));
	for (int which = 0; s->pf >= 0 && which < 2; which++) {
		const char *name = nfs_gen_filename(s->pf, which);

		if (!name)
			continue;
		snprintf(item, sizeof(item), "config/%s", name);
		nfs_observation_put(l->cat, s->host, item, 0, NULL,
				    buf_str(&s->b[1 + which]));
	}
}

/* Parses one fetched host into q, its host line into hosts. */
static void reverse_parse(struct rev_slot *s, struct buf *hosts,
			  struct nfs_plan *q, struct buf *notes)
{
	if (s->r[0] < 0) {
		buf_printf(notes, "# %s: not read: %s\n", s->host, s->msg[0]);
		return;
	}
	buf_append(hosts, s->b[0].data, s->b[0].len);
	if (s->pf < 0) {
		buf_printf(notes, "# %s: unknown platform\n", s->host);
		return;
	}
	for (int which = 0; which < 2; which++) {
		const char *name = nfs_gen_filename(s->pf, which);
		struct buf *b = &s->b[1 + which];
		struct nfs_error err = { 0 };

		if (!name || s->r[1 + which] == -ENOENT)
			continue;
		if (s->r[1 + which] < 0) {
			buf_printf(notes, "# %s: %s not read: %s\n", s->host, name,
				   s->msg[1 + which]);
			continue;
		}
		if (nfs_parse(nfs_format_of(s->pf, which), buf_str(b), b->len,
			      s->host, NULL, q, NULL, &err) < 0)
			buf_printf(notes, "# %s: %s line %u: %s\n", s->host, name,
				   err.line, err.msg);
	}
}

struct rev_pool {
	struct live *l;
	struct rev_slot *v;
	size_t n, next;                /* next: taken with __atomic ops */
};

static void *reverse_worker(void *arg)
{
	struct rev_pool *pool = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&pool->next, 1, __ATOMIC_RELAXED)) < pool->n)
		reverse_fetch(pool->l, &pool->v[i]);
	return NULL;
}

#define REVERSE_PARALLEL 32

/* Reads every server device, REVERSE_PARALLEL at a time (each read is a
 * remote agent over the daemon's SSH pool: the hosts answer in
 * parallel), then parses them in directory order. */
static int reverse_fetch_all(struct live *l, struct rev_slot *v, size_t n)
{
	struct rev_pool pool = { l, v, n, 0 };
	pthread_t t[REVERSE_PARALLEL];
	size_t nt = 0;

	while (nt < REVERSE_PARALLEL && nt < n &&
	       pthread_create(&t[nt], NULL, reverse_worker, &pool) == 0)
		nt++;
	reverse_worker(&pool);         /* this thread works too */
	for (size_t i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static int reverse_run(struct live *l)
{
	char dir[4096];
	struct buf hosts = BUF_INIT, notes = BUF_INIT, draft = BUF_INIT;
	struct nfs_plan *q = nfs_plan_new(), *ref = NULL;
	struct nfs_error err = { 0 };
	struct rev_slot *v = NULL;
	char **names = NULL;
	size_t n = 0;
	DIR *d;
	struct dirent *e;
	int r = q ? 0 : -ENOMEM;

	snprintf(dir, sizeof(dir), "%s/systems/servers", l->root);
	d = opendir(dir);
	if (!d) {
		r = -errno;
		fprintf(stderr, "cannot list %s: %s\n", dir, strerror(-r));
	}
	while (r >= 0 && d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			r = nfs_strv_add(&names, &n, e->d_name);
	if (d)
		closedir(d);
	v = r >= 0 ? calloc(n + 1, sizeof(*v)) : NULL;
	if (r >= 0 && !v)
		r = -ENOMEM;
	for (size_t i = 0; r >= 0 && i < n; i++)
		v[i].host = names[i];
	if (r >= 0)
		r = reverse_fetch_all(l, v, n);
	if (r >= 0 && nfs_journal_batch(l->cat, false) < 0)
		fprintf(stderr, "nfs: observations not recorded in one transaction\n");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		reverse_parse(&v[i], &hosts, q, &notes);
		reverse_observed(l, &v[i]);
	}
	if (r >= 0)
		nfs_journal_batch(l->cat, true);
	if (r >= 0)
		r = nfs_plan_parse(buf_str(&hosts), hosts.len, &ref, &err);
	if (r == -EINVAL)
		fprintf(stderr, "a host line does not parse: %s\n", err.msg);
	if (r >= 0)
		r = nfs_reverse_draft(q, ref, &draft);
	if (r >= 0)
		r = buf_append(&draft, notes.data, notes.len);
	if (r >= 0)
		r = nfs_draft_put(l->cat, buf_str(&draft));
	if (r >= 0)
		fwrite(buf_str(&draft), 1, draft.len, stdout);
	for (size_t i = 0; v && i < n; i++)
		for (int k = 0; k < 4; k++)
			buf_release(&v[i].b[k]);
	free(v);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	nfs_plan_free(q);
	nfs_plan_free(ref);
	buf_release(&hosts);
	buf_release(&notes);
	buf_release(&draft);
	return r;
}

static int cmd_reverse(struct live *l, int argc, char **argv)
{
	struct buf b = BUF_INIT, why = BUF_INIT;
	const char *what = argc > 0 ? argv[0] : "show";
	int r;

	if (strcmp(what, "1") == 0 || strcmp(what, "run") == 0)
		return reverse_run(l);
	if (strcmp(what, "show") != 0 && strcmp(what, "accept") != 0) {
		fprintf(stderr, "reverse: write 1 (read the hosts) or accept\n");
		return -EINVAL;
	}
	r = nfs_draft_get(l->cat, &b);
	if (r == -ENOENT && strcmp(what, "show") == 0)
		r = 0;
	else if (r == -ENOENT)
		fprintf(stderr, "no draft: write 1 to reverse first\n");
	if (r >= 0 && strcmp(what, "show") == 0)
		fwrite(buf_str(&b), 1, b.len, stdout);
	if (r >= 0 && strcmp(what, "accept") == 0) {
		r = nfs_store_put(l->cat, buf_str(&b), b.len, &why);
		fputs(buf_str(&why), stderr);
		if (r >= 0) {
			nfs_audit(l->cat, "reverse accept", "plan", "stored");
			printf("the draft is the plan\n");
		}
	}
	buf_release(&b);
	buf_release(&why);
	return r;
}

static int cmd_report(struct live *l)
{
	struct buf text = BUF_INIT, out = BUF_INIT;
	struct nfs_plan *p = NULL;
	int r = stored_plan(l, &text, &p);

	if (r >= 0)
		r = nfs_report(p, &out);
	if (r >= 0)
		fwrite(buf_str(&out), 1, out.len, stdout);
	nfs_plan_free(p);
	buf_release(&text);
	buf_release(&out);
	return r;
}

/* ------------------------------------------------------------ monitoring */

/* Whether client reaches server:path, probed from the client with
 * libnfs (its access agent): 0 yes, -ENOENT nothing can tell (no libnfs
 * there, or the server has no address), else -errno with why. */
static int probe_access(struct live *l, const struct nfs_plan *p,
			const char *client, const char *server,
			const char *path, char *why, size_t n)
{
	const struct nfs_host *s = nfs_plan_host(p, server);
	char in[4200];

	const char *addr = s ? s->address : NULL;

	if (!addr && server[strspn(server, "0123456789abcdefABCDEF.:")] == '\0')
		addr = server;                 /* written as an address */
	if (!addr) {
		snprintf(why, n, "%s has no address in the plan", server);
		return -ENOENT;
	}
	snprintf(in, sizeof(in), "%s %s\n", addr, path);
	return tree_write(l, client, "access", in, why, n);
}

/* Observes one item of a host now (exports, daemons, config/<file>) and
 * records it.  Returns 0 with the content in b, -ENOENT (a config file
 * that does not exist), or -errno with why. */
static int observe(struct live *l, const char *host, const char *item,
		   struct buf *b, char *why, size_t n)
{
	const char *file = strcmp(item, "exports") == 0 ? "exports.live" :
			   strncmp(item, "config/", 7) == 0 ? item + 7 : item;
	int r = tree_read(l, host, file, b, why, n);

	if (r == -ENOENT)
		nfs_observation_put(l->cat, host, item, 0, NULL, "");
	else
		nfs_observation_put(l->cat, host, item, r < 0 ? -r : 0, why,
				    r < 0 ? NULL : buf_str(b));
	return r;
}

/*
 * mounts: the NFS imports of the host's import file (fstab, vfstab,
 * filesystems), each probed from the host with libnfs: there is no
 * kernel NFS client to ask what is mounted, so what a client can reach
 * is what it would have mounted.  One line an import:
 *   <mountpoint> <server>:<path> accessible|inaccessible|unproven [<why>]
 */
static int observe_mounts(struct live *l, const struct nfs_plan *p,
			  const char *host, struct buf *b, char *why, size_t n)
{
	const struct nfs_host *h = nfs_plan_host(p, host);
	const char *file = h ? nfs_gen_filename(h->platform, 1) : NULL;
	struct nfs_plan *q = NULL;
	struct nfs_error err = { 0 };
	struct buf f = BUF_INIT;
	int r;

	if (!h) {
		snprintf(why, n, "%s is not a plan host", host);
		return -ENOENT;
	}
	if (!file)
		return buf_printf(b, "# %s: a %s host imports nothing\n", host,
				  nfs_platform_name(h->platform));
	r = tree_read(l, host, file, &f, why, n);
	if (r == -ENOENT) {
		buf_reset(&f);
		r = 0;                     /* no file: no imports */
	}
	q = r >= 0 ? nfs_plan_new() : NULL;
	if (r >= 0 && !q)
		r = -ENOMEM;
	if (r >= 0 && nfs_parse(nfs_format_of(h->platform, 1), buf_str(&f), f.len,
				host, p, q, NULL, &err) < 0) {
		snprintf(why, n, "%s does not parse: line %u: %.160s", file, err.line,
			 err.msg);
		r = -EINVAL;
	}
	if (r >= 0)
		r = buf_printf(b, "# %s: %zu NFS imports, each probed with libnfs "
			       "from %s\n", file, q->nimports, host);
	for (size_t i = 0; r >= 0 && i < q->nimports; i++) {
		const struct nfs_import *im = &q->imports[i];
		char msg[256] = "";
		int k = probe_access(l, p, host, im->server, im->path, msg,
				     sizeof(msg));

		if (k == -ENOTCONN) {
			r = k;
			snprintf(why, n, "%s", msg);
			break;
		}
		r = buf_printf(b, "%s %s:%s %s%s%s\n", im->mountpoint, im->server,
			       im->path, k == 0 ? "accessible" : k == -ENOENT ?
			       "unproven" : "inaccessible", k == 0 ? "" : " ",
			       k == 0 ? "" : msg);
	}
	nfs_plan_free(q);
	buf_release(&f);
	return r;
}

/* observed/<host>/<item>: observed now; when the host does not answer,
 * the last good observation marked incomplete, with its age. */
static int cmd_observed(struct live *l, int argc, char **argv)
{
	struct buf b = BUF_INIT, text = BUF_INIT;
	struct nfs_plan *p = NULL;
	char why[256] = "";
	time_t at;
	int r;

	if (argc < 2) {                /* the listing */
		r = stored_plan(l, &text, &p);
		for (size_t i = 0; r >= 0 && i < p->nhosts; i++) {
			const struct nfs_host *h = &p->hosts[i];

			if (argc == 0)
				printf("%s/\n", h->name);
			else if (strcmp(argv[0], h->name) == 0)
				printf("exports\ndaemons\nmounts\nconfig/\n");
			else if (strncmp(argv[0], h->name, strlen(h->name)) == 0 &&
				 strcmp(argv[0] + strlen(h->name), "/config") == 0)
				for (int w = 0; w < 2; w++)
					if (nfs_gen_filename(h->platform, w))
						printf("%s\n", nfs_gen_filename(h->platform, w));
		}
		nfs_plan_free(p);
		buf_release(&text);
		return r;
	}
	if (strcmp(argv[1], "mounts") == 0) {
		r = stored_plan(l, &text, &p);
		if (r >= 0)
			r = observe_mounts(l, p, argv[0], &b, why, sizeof(why));
		nfs_plan_free(p);
		buf_release(&text);
		nfs_observation_put(l->cat, argv[0], argv[1], r < 0 ? -r : 0, why,
				    r < 0 ? NULL : buf_str(&b));
	} else {
		r = observe(l, argv[0], argv[1], &b, why, sizeof(why));
	}
	if (r >= 0 || r == -ENOENT) {
		fwrite(buf_str(&b), 1, b.len, stdout);
		buf_release(&b);
		return 0;
	}
	buf_reset(&b);
	if (nfs_observation_good(l->cat, argv[0], argv[1], &b, &at) == 0) {
		printf("# incomplete: %s; last good observation %lds ago\n", why,
		       (long)(time(NULL) - at));
		fwrite(buf_str(&b), 1, b.len, stdout);
	} else {
		printf("# incomplete: %s; never observed\n", why);
	}
	fprintf(stderr, "%s: incomplete: %s\n", argv[0], why);
	buf_release(&b);
	return -EHOSTUNREACH;
}

struct obs_slot {
	struct nfs_obs o;
	struct buf daemons, files[NFS_OBS_FILES];
	char why[256];
	struct nfs_access *access;     /* the host's imports probed */
	char (*detail)[160];
};

/* Probes every planned import of a reachable client. */
static int probe_imports(struct live *l, const struct nfs_plan *p,
			 struct obs_slot *s)
{
	s->access = calloc(p->nimports + 1, sizeof(*s->access));
	s->detail = calloc(p->nimports + 1, sizeof(*s->detail));
	if (!s->access || !s->detail)
		return -ENOMEM;
	for (size_t i = 0; i < p->nimports; i++) {
		const struct nfs_import *im = &p->imports[i];
		struct nfs_access *a = &s->access[s->o.naccess];
		char *why = s->detail[s->o.naccess];
		int r;

		if (strcmp(im->client, s->o.host) != 0)
			continue;
		r = probe_access(l, p, im->client, im->server, im->path, why,
				 sizeof(s->detail[0]));
		if (r == -ENOENT)
			continue;              /* unproven: no finding */
		*a = (struct nfs_access){ im->mountpoint, im->server, im->path,
					  r >= 0, why };
		s->o.naccess++;
	}
	s->o.access = s->access;
	return 0;
}

static void observe_host(struct live *l, const struct nfs_host *h,
			 struct obs_slot *s)
{
	char item[64];
	int r;

	s->o.host = h->name;
	s->o.reachable = true;
	r = observe(l, h->name, "daemons", &s->daemons, s->why, sizeof(s->why));
	if (r < 0 && r != -ENOENT) {
		s->o.reachable = false;
		s->o.why = s->why;
		return;
	}
	s->o.daemons = buf_str(&s->daemons);
	for (int w = 0; w < 2; w++) {
		const char *name = nfs_gen_filename(h->platform, w);
		size_t k = s->o.nfiles;

		if (!name || k >= NFS_OBS_FILES)
			continue;
		snprintf(item, sizeof(item), "config/%s", name);
		r = observe(l, h->name, item, &s->files[k], s->why, sizeof(s->why));
		if (r < 0 && r != -ENOENT) {
			s->o.reachable = false;
			s->o.why = s->why;
			return;
		}
		s->o.files[k].name = name;
		s->o.files[k].content = r == -ENOENT ? NULL : buf_str(&s->files[k]);
		s->o.nfiles++;
	}
}

static int diagnose_all(struct live *l, struct nfs_plan *p, struct nfs_diags *d)
{
	struct obs_slot *slots = calloc(p->nhosts + 1, sizeof(*slots));
	struct nfs_obs *obs = calloc(p->nhosts + 1, sizeof(*obs));
	int r = slots && obs ? 0 : -ENOMEM;

	for (size_t i = 0; r >= 0 && i < p->nhosts; i++) {
		observe_host(l, &p->hosts[i], &slots[i]);
		if (slots[i].o.reachable)
			r = probe_imports(l, p, &slots[i]);
		obs[i] = slots[i].o;
	}
	if (r >= 0)
		r = nfs_diagnose(p, obs, p->nhosts, d);
	for (size_t i = 0; slots && i < p->nhosts; i++) {
		buf_release(&slots[i].daemons);
		for (int k = 0; k < NFS_OBS_FILES; k++)
			buf_release(&slots[i].files[k]);
		free(slots[i].access);
		free(slots[i].detail);
	}
	free(slots);
	free(obs);
	return r;
}

static int apply(struct live *l, const struct nfs_plan *p,
		 const struct nfs_diags *d, const struct nfs_diag *x, bool *done);

/* client-cannot-access: the server's own findings are applied first,
 * then the client probes again; if it still cannot, the admin must. */
static int check_server(struct live *l, const struct nfs_plan *p,
			const struct nfs_diags *d, const struct nfs_diag *x,
			bool *done, char *msg, size_t n)
{
	int r = 0;

	for (size_t i = 0; i < d->n; i++)
		if (&d->v[i] != x && strcmp(d->v[i].host, x->host) == 0 &&
		    d->v[i].action != NFS_ACT_CHECK_SERVER &&
		    d->v[i].action != NFS_ACT_ADMIN &&
		    apply(l, p, d, &d->v[i], done) < 0)
			r = -EIO;
	if (probe_access(l, p, x->arg, x->host, x->path, msg, n) == 0)
		return 0;
	snprintf(msg + strlen(msg), n - strlen(msg), "%s%s still cannot access "
		 "%s:%s: tell the admin", *msg ? "; " : "", x->arg, x->host, x->path);
	return r < 0 ? r : -EHOSTUNREACH;
}

/*
 * Runs the action of finding x and audits it.  done (NULL, or one flag a
 * finding of d) marks what ran: a host is redeployed and a daemon
 * restarted once, however many findings propose it.
 */
static int apply(struct live *l, const struct nfs_plan *p,
		 const struct nfs_diags *d, const struct nfs_diag *x, bool *done)
{
	char msg[512] = "", in[80];
	size_t me = (size_t)(x - d->v);
	int r;

	for (size_t i = 0; done && i < d->n; i++)
		if (done[i] && d->v[i].action == x->action &&
		    x->action != NFS_ACT_CHECK_SERVER &&
		    strcmp(d->v[i].host, x->host) == 0 &&
		    strcmp(d->v[i].arg, x->arg) == 0) {
			done[me] = true;
			printf("%s: ran already for %s\n", x->id, d->v[i].id);
			return 0;
		}
	if (done)
		done[me] = true;
	if (x->action == NFS_ACT_CHECK_SERVER) {
		r = check_server(l, p, d, x, done, msg, sizeof(msg));
	} else if (x->action == NFS_ACT_RESTART) {
		snprintf(in, sizeof(in), "%s\n", x->arg);
		r = tree_write(l, x->host, "restart", in, msg, sizeof(msg));
	} else if (x->action == NFS_ACT_REDEPLOY) {
		r = deploy_start(l, "now", x->host, true);
		if (r == 1) {
			snprintf(msg, sizeof(msg), "the redeploy of %s failed", x->host);
			r = -EIO;
		}
	} else {
		snprintf(msg, sizeof(msg), "nothing to run: tell the admin");
		r = -EPERM;
	}
	nfs_audit(l->cat, x->rule, x->subject, r < 0 ? msg : "applied");
	if (r < 0)
		fprintf(stderr, "%s: %s\n", x->id, msg);
	else
		printf("%s applied: %s %s\n", x->id, x->rule, x->subject);
	return r;
}

/*
 * auto_correct (sysman.conf, $SYSMAN_CONF_auto_correct): after a
 * diagnosis, off applies nothing, safe the actions that cannot lose data
 * (restart a daemon, redeploy the plan to a host), all every proposed
 * action.  Each is audited by apply(); one line of output each.
 */
static void auto_correct(struct live *l, const struct nfs_plan *p,
			 const struct nfs_diags *d)
{
	const char *mode = getenv("SYSMAN_CONF_auto_correct");
	bool all, *done;

	if (!mode || !*mode || strcmp(mode, "off") == 0)
		return;
	all = strcmp(mode, "all") == 0;
	if (!all && strcmp(mode, "safe") != 0) {
		fprintf(stderr, "auto_correct: '%s' is not off, safe or all\n", mode);
		return;
	}
	done = calloc(d->n + 1, sizeof(*done));
	if (!done)
		return;
	for (size_t i = 0; i < d->n; i++) {
		const struct nfs_diag *x = &d->v[i];

		if (done[i] || x->action == NFS_ACT_ADMIN || !(all || x->safe))
			continue;
		printf("# auto_correct=%s: ", mode);
		fflush(stdout);
		if (apply(l, p, d, x, done) < 0)
			printf("%s failed\n", x->id);
		fflush(stdout);
	}
	free(done);
}

static int cmd_diagnosis(struct live *l, int argc, char **argv)
{
	struct buf text = BUF_INIT, out = BUF_INIT;
	struct nfs_plan *p = NULL;
	struct nfs_diags d = { 0 };
	const struct nfs_diag *x;
	int r;

	if (argc > 0 && !(strcmp(argv[0], "apply") == 0 && argc == 2)) {
		fprintf(stderr, "diagnosis: write apply <id>\n");
		return -EINVAL;
	}
	r = stored_plan(l, &text, &p);
	if (r >= 0)
		r = diagnose_all(l, p, &d);
	if (r >= 0 && argc == 0) {
		r = nfs_diags_print(&d, &out);
		fwrite(buf_str(&out), 1, out.len, stdout);
		fflush(stdout);
		if (r >= 0)
			auto_correct(l, p, &d);
	} else if (r >= 0) {
		x = nfs_diags_find(&d, argv[1]);
		if (!x) {
			fprintf(stderr, "no finding '%s'\n", argv[1]);
			r = -EINVAL;
		} else {
			r = apply(l, p, &d, x, NULL);
		}
	}
	nfs_diags_release(&d);
	nfs_plan_free(p);
	buf_release(&text);
	buf_release(&out);
	return r;
}

/*
 * Puts the rest of this process in a session of its own and returns 0
 * there; returns 1 in the caller once that is done (it should exit).
 * The agent that starts a waiter exits at once, and its runner then
 * kills the agent's whole process group: a `setsid cmd &` in the agent
 * could be killed before it had left the group, so the agent waits for
 * this handshake instead.  Called before the database is opened: a
 * SQLite connection must not cross a fork.
 */
static int detach(void)
{
	int p[2], r;
	ssize_t n;
	char c = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid > 0) {
		close(p[1]);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		close(p[0]);
		return n == 1 ? 1 : -ECHILD;
	}
	close(p[0]);
	if (setsid() < 0 || chdir("/") < 0)
		_exit(1);
	n = write(p[1], "x", 1);
	close(p[1]);
	return n == 1 ? 0 : -EIO;
}

int nfs_live_main(int argc, char **argv)
{
	struct live l = { 0 };
	const char *db = getenv("SYSMAN_DB");
	char *pos[4];
	int npos = 0, r;

	l.root = getenv("SYSMAN_ROOT");
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db = argv[++i];
		else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc)
			l.root = argv[++i];
		else if (strcmp(argv[i], "-v") == 0)
			l.verbose = true;
		else if (npos < 4)
			pos[npos++] = argv[i];
		else
			return 2;
	}
	if (!db || !*db)
		db = DEFAULT_DB;
	l.db = db;
	if (!l.root || !*l.root)
		l.root = "/sysman";
	if (strcmp(argv[1], "deploy") == 0 && npos == 1 &&
	    strcmp(pos[0], "wait") == 0) {
		r = detach();
		if (r != 0)
			return r > 0 ? 0 : 1;
	}
	r = nfs_catalog_open(db, &l.cat);
	if (r < 0) {
		fprintf(stderr, "nfs: cannot open database '%s': %s\n", db,
			strerror(-r));
		return 1;
	}
	if (strcmp(argv[1], "deploy") == 0)
		r = cmd_deploy(&l, npos, pos);
	else if (strcmp(argv[1], "generated") == 0 && npos <= 2)
		r = cmd_generated(&l, npos, pos);
	else if (strcmp(argv[1], "reverse") == 0)
		r = cmd_reverse(&l, npos, pos);
	else if (strcmp(argv[1], "report") == 0)
		r = cmd_report(&l);
	else if (strcmp(argv[1], "observed") == 0)
		r = cmd_observed(&l, npos, pos);
	else if (strcmp(argv[1], "diagnosis") == 0)
		r = cmd_diagnosis(&l, npos, pos);
	else
		r = -EINVAL;
	nfs_plan_free(l.plan);
	nfs_catalog_close(l.cat);
	/* exit status: 0 ok, 1 some host failed, 22 bad input, else 1 */
	return r >= 0 ? (r == 1 ? 1 : 0) : r == -EINVAL ? 22 : r == -ENOENT ? 2 : 1;
}
