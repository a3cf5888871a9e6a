#include "nfs_cli.h"
#include "live.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nfs/catalog.h"
#include "nfs/check.h"
#include "nfs/gen.h"
#include "nfs/parse.h"
#include "nfs/plan.h"
#include "nfs/store.h"
#include "nfs/topology.h"
#include "util/strutil.h"

#define DEFAULT_DB "/var/lib/sysman/sysman.db"
#define MAX_POS 4

struct args {
	const char *db, *host, *plan;
	const char *pos[MAX_POS];
	int npos;
};

static const char usage_text[] =
	"usage: nfs check PLAN\n"
	"       nfs generate PLAN OUTDIR\n"
	"       nfs parse FORMAT FILE [--host NAME] [--plan PLAN]\n"
	"       nfs topology PLAN\n"
	"       nfs dependencies [--db PATH]\n"
	"       nfs plan show|check [--db PATH]\n"
	"       nfs plan store FILE|- [--db PATH]\n"
	"       nfs generated [HOST [FILE]] [--db PATH]\n"
	"       nfs deploy show|now|dry-run|at ISO-TIME|cancel|run-due|host HOST\n"
	"                  [--db PATH] [--root MOUNT] [-v]\n"
	"       nfs reverse 1|show|accept [--db PATH] [--root MOUNT]\n"
	"       nfs report [--db PATH]\n"
	"       nfs observed [HOST [ITEM]] [--db PATH] [--root MOUNT]\n"
	"       nfs diagnosis [apply ID] [--db PATH] [--root MOUNT]\n"
	"formats: linux-exports linux-fstab ganesha solaris-dfstab "
	"solaris-vfstab\n         aix-exports aix-filesystems freebsd-exports "
	"freebsd-fstab\n         exportfs-v exportfs-s showmount-e proc-mounts "
	"rpcinfo-p\n";

static int usage(void)
{
	fputs(usage_text, stderr);
	return 2;
}

static int parse_args(int argc, char **argv, int first, struct args *a)
{
	for (int i = first; i < argc; i++) {
		const char **dst = NULL;

		if (strcmp(argv[i], "--db") == 0)
			dst = &a->db;
		else if (strcmp(argv[i], "--host") == 0)
			dst = &a->host;
		else if (strcmp(argv[i], "--plan") == 0)
			dst = &a->plan;
		if (dst) {
			if (++i >= argc)
				return -EINVAL;
			*dst = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			return -EINVAL;
		} else if (a->npos < MAX_POS) {
			a->pos[a->npos++] = argv[i];
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static int read_input(const char *path, struct buf *b)
{
	ssize_t n;
	int r;

	if (strcmp(path, "-") == 0) {
		do
			n = buf_read_fd(b, STDIN_FILENO);
		while (n > 0);
		r = n < 0 ? (int)n : b->truncated ? -E2BIG : 0;
	} else {
		r = buf_read_file(b, path);
	}
	if (r == -E2BIG)
		fprintf(stderr, "nfs: '%s' is larger than %u bytes\n", path,
			BUF_DEFAULT_MAX);
	else if (r < 0)
		fprintf(stderr, "nfs: cannot read '%s': %s\n", path,
			strerror(-r));
	return r;
}

static void put(const struct buf *b, FILE *f)
{
	fwrite(buf_str(b), 1, b->len, f);
	fflush(f);
}

/* Reads and parses a plan file; reports a parse error on stderr. */
static int load_plan(const char *path, struct nfs_plan **ret)
{
	struct nfs_error err = { 0 };
	struct buf b = BUF_INIT;
	int r = read_input(path, &b);

	if (r < 0)
		goto out;
	r = nfs_plan_parse(buf_str(&b), b.len, ret, &err);
	if (r == -EINVAL || r == -E2BIG)
		fprintf(stderr, "%s: line %u: column %u: %s\n", path, err.line,
			err.col, err.msg);
	else if (r == -ENOMEM)
		fprintf(stderr, "nfs: out of memory\n");
out:
	buf_release(&b);
	return r;
}

/* The database to use: --db, $SYSMAN_DB, else fallback. */
static const char *db_path(const struct args *a, const char *fallback)
{
	const char *env = getenv("SYSMAN_DB");

	if (a->db)
		return a->db;
	return env && *env ? env : fallback;
}

static int open_catalog(const char *path, struct nfs_catalog **ret)
{
	int r = nfs_catalog_open(path, ret);

	if (r < 0)
		fprintf(stderr, "nfs: cannot open database '%s': %s\n", path,
			r == -EPROTO ? "schema is newer than this program" :
			strerror(-r));
	return r;
}

/* Checks a parsed plan, printing findings; returns the error count or
 * -errno. */
static int run_check(struct nfs_catalog *cat, const struct nfs_plan *p)
{
	struct nfs_findings f = NFS_FINDINGS_INIT;
	struct buf b = BUF_INIT;
	int r = nfs_check(p, cat, &f);

	if (r >= 0 && nfs_findings_print(&f, &b) >= 0)
		put(&b, stdout);
	if (r >= 0)
		r = (int)f.nerrors;
	else
		fprintf(stderr, "nfs: check failed: %s\n", strerror(-r));
	buf_release(&b);
	nfs_findings_release(&f);
	return r;
}

static int cmd_check(const struct args *a)
{
	struct nfs_catalog *cat = NULL;
	struct nfs_plan *p = NULL;
	int r;

	if (a->npos != 1)
		return usage();
	r = load_plan(a->pos[0], &p);
	if (r >= 0)
		r = open_catalog(db_path(a, ":memory:"), &cat);
	if (r >= 0)
		r = run_check(cat, p);
	nfs_catalog_close(cat);
	nfs_plan_free(p);
	return r == 0 ? 0 : 1;
}

static int mkdirs(char *path)
{
	for (char *s = path + 1; ; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*s = c;
			return -errno;
		}
		*s = c;
		if (!c)
			return 0;
	}
}

/* Writes content to dir/name through a temporary file and rename(2). */
static int write_file(const char *dir, const char *name, const struct buf *b)
{
	char path[4096], tmp[4200];
	int fd, r = 0;

	if (str_printf(path, sizeof(path), "%s/%s", dir, name) < 0 ||
	    str_printf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) < 0)
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < b->len && r == 0;) {
		ssize_t n = write(fd, buf_str(b) + off, b->len - off);

		if (n < 0 && errno != EINTR)
			r = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static int write_outputs(const char *outdir, const struct nfs_gen_out *out)
{
	char dir[4096];
	int r = 0;

	for (size_t i = 0; r >= 0 && i < out->n; i++) {
		const struct nfs_gen_file *f = &out->v[i];

		r = str_printf(dir, sizeof(dir), "%s/%s", outdir, f->host);
		if (r >= 0)
			r = mkdirs(dir);
		if (r >= 0)
			r = write_file(dir, f->name, &f->content);
		if (r < 0)
			fprintf(stderr, "nfs: cannot write '%s/%s': %s\n", dir,
				f->name, strerror(-r));
		else
			printf("wrote %s/%s\n", dir, f->name);
	}
	return r;
}

static int cmd_generate(const struct args *a)
{
	struct nfs_gen_out out = NFS_GEN_OUT_INIT;
	struct nfs_findings f = NFS_FINDINGS_INIT;
	struct nfs_error err = { 0 };
	struct nfs_catalog *cat = NULL;
	struct nfs_plan *p = NULL;
	int r;

	if (a->npos != 2)
		return usage();
	r = load_plan(a->pos[0], &p);
	if (r >= 0)
		r = open_catalog(db_path(a, ":memory:"), &cat);
	if (r >= 0)
		r = nfs_check(p, cat, &f);
	if (r >= 0 && f.nerrors) {
		fprintf(stderr, "nfs: the plan has %zu error(s); see "
			"'nfs check %s'\n", f.nerrors, a->pos[0]);
		r = -EINVAL;
	}
	if (r >= 0) {
		r = nfs_generate(p, &out, &err);
		if (r < 0)
			fprintf(stderr, "nfs: line %u: %s\n", err.line,
				r == -ENOTSUP ? err.msg : strerror(-r));
	}
	if (r >= 0)
		r = write_outputs(a->pos[1], &out);
	nfs_gen_out_release(&out);
	nfs_findings_release(&f);
	nfs_catalog_close(cat);
	nfs_plan_free(p);
	return r < 0 ? 1 : 0;
}

static int cmd_parse(const struct args *a)
{
	struct nfs_plan *known = NULL, *p = nfs_plan_new();
	struct nfs_rpcs rpcs = { NULL, 0, 0 };
	struct nfs_error err = { 0 };
	struct buf in = BUF_INIT, out = BUF_INIT;
	int fmt = a->npos == 2 ? nfs_format_parse(a->pos[0]) : -EINVAL;
	int r;

	if (fmt < 0 || !p) {
		nfs_plan_free(p);
		return usage();
	}
	r = a->plan ? load_plan(a->plan, &known) : 0;
	if (r >= 0)
		r = read_input(a->pos[1], &in);
	if (r >= 0) {
		r = nfs_parse(fmt, buf_str(&in), in.len, a->host ? a->host :
			      "local", known, p, &rpcs, &err);
		if (r == -EINVAL)
			fprintf(stderr, "%s: line %u: column %u: %s\n",
				a->pos[1], err.line, err.col, err.msg);
	}
	if (r >= 0)
		r = nfs_plan_print(p, &out);
	if (r >= 0)
		r = nfs_rpcs_print(&rpcs, &out);
	if (r >= 0)
		put(&out, stdout);
	buf_release(&in);
	buf_release(&out);
	nfs_rpcs_release(&rpcs);
	nfs_plan_free(known);
	nfs_plan_free(p);
	return r < 0 ? 1 : 0;
}

static int cmd_topology(const struct args *a)
{
	struct nfs_plan *p = NULL;
	struct buf b = BUF_INIT;
	int r;

	if (a->npos != 1)
		return usage();
	r = load_plan(a->pos[0], &p);
	if (r >= 0)
		r = nfs_topology_dot(p, &b);
	if (r >= 0)
		put(&b, stdout);
	buf_release(&b);
	nfs_plan_free(p);
	return r < 0 ? 1 : 0;
}

static int cmd_dependencies(const struct args *a)
{
	struct nfs_catalog *cat = NULL;
	struct buf b = BUF_INIT;
	int r;

	if (a->npos != 0)
		return usage();
	r = open_catalog(db_path(a, ":memory:"), &cat);
	if (r >= 0)
		r = nfs_dependencies_dot(cat, &b);
	if (r >= 0)
		put(&b, stdout);
	buf_release(&b);
	nfs_catalog_close(cat);
	return r < 0 ? 1 : 0;
}

/* Prints the lines of why to stderr: errors first, prefixed, so the first
 * line (the agent's .status) names the first error and its line. */
static void print_rejection(const struct buf *why)
{
	const char *s = buf_str(why);

	for (int pass = 0; pass < 2; pass++) {
		for (const char *l = s; *l;) {
			size_t n = strcspn(l, "\n");
			bool err = strncmp(l, "warning", 7) != 0;

			if (err == (pass == 0))
				fprintf(stderr, "%s%.*s\n", err ?
					"plan rejected: " : "", (int)n, l);
			l += n + (l[n] == '\n');
		}
	}
}

static int plan_store(struct nfs_catalog *cat, const char *file)
{
	struct buf in = BUF_INIT, why = BUF_INIT;
	int r = read_input(file, &in);

	if (r >= 0) {
		r = nfs_store_put(cat, buf_str(&in), in.len, &why);
		if (r == -EINVAL)
			print_rejection(&why);
		else if (r < 0)
			fprintf(stderr, "nfs: cannot store the plan: %s (%s)\n",
				strerror(-r), nfs_catalog_errmsg(cat));
		else
			fputs(buf_str(&why), stderr);   /* warnings */
	}
	buf_release(&in);
	buf_release(&why);
	return r < 0 ? 1 : 0;
}

static int plan_show_check(struct nfs_catalog *cat, bool check)
{
	struct nfs_error err = { 0 };
	struct nfs_plan *p = NULL;
	struct buf b = BUF_INIT;
	int r = nfs_store_get(cat, &b);

	if (r == -ENOENT)
		r = 0;                  /* no plan yet: an empty one */
	if (r >= 0 && !check)
		put(&b, stdout);
	if (r >= 0 && check) {
		r = nfs_plan_parse(buf_str(&b), b.len, &p, &err);
		if (r == -EINVAL)
			fprintf(stderr, "stored plan: line %u: column %u: %s\n",
				err.line, err.col, err.msg);
		if (r >= 0)
			r = run_check(cat, p) > 0 ? -EINVAL : 0;
	}
	if (r < 0 && r != -EINVAL)
		fprintf(stderr, "nfs: cannot read the plan: %s\n", strerror(-r));
	nfs_plan_free(p);
	buf_release(&b);
	return r < 0 ? 1 : 0;
}

static int cmd_plan(const struct args *a)
{
	struct nfs_catalog *cat = NULL;
	const char *sub = a->npos ? a->pos[0] : "";
	bool store = strcmp(sub, "store") == 0;
	int r;

	if (a->npos != 1 + store || (!store && strcmp(sub, "show") &&
				     strcmp(sub, "check")))
		return usage();
	if (open_catalog(db_path(a, DEFAULT_DB), &cat) < 0)
		return 1;
	if (store)
		r = plan_store(cat, a->pos[1]);
	else
		r = plan_show_check(cat, strcmp(sub, "check") == 0);
	nfs_catalog_close(cat);
	return r;
}

int nfs_cli_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const struct args *a);
	} cmds[] = {
		{ "check", cmd_check }, { "generate", cmd_generate },
		{ "parse", cmd_parse }, { "topology", cmd_topology },
		{ "dependencies", cmd_dependencies },
		{ "plan", cmd_plan },
	};
	struct args a = { 0 };

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)
		return argc < 2 ? usage() : (fputs(usage_text, stdout), 0);
	if (strcmp(argv[1], "deploy") == 0 || strcmp(argv[1], "generated") == 0 ||
	    strcmp(argv[1], "reverse") == 0 || strcmp(argv[1], "report") == 0 ||
	    strcmp(argv[1], "observed") == 0 || strcmp(argv[1], "diagnosis") == 0)
		return nfs_live_main(argc, argv);
	if (parse_args(argc, argv, 2, &a) < 0)
		return usage();
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(&a);
	return usage();
}
