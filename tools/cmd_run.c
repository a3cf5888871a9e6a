/* sysman run: a command on every member of a node set, through the tree:
 * writes systems/servers/<name>/command, waits, prints gathered output. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gather.h"
#include "special/status.h"
#include "util/buf.h"
#include "util/nodeset.h"

#define RUN_READ_MAX (16u * 1024u * 1024u)
#define RUN_THREADS 64
#define RC_TIMEOUT 124

struct run_job {
	const char *root;
	const char *cmd;                /* with its newline */
	char **names;
	struct gather_item *items;      /* filled under lock, unless timed out */
	bool *done;
	size_t n, ndone;
	bool timed_out;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void run_usage(FILE *f)
{
	fprintf(f,
		"Usage: sysman run -w NODESET [-b|-L] [-t TIMEOUT] [--root DIR] CMD...\n"
		"Run CMD on every server of NODESET through the tree: write it into each\n"
		"DIR/systems/servers/<name>/command (all at once), wait, read the outputs\n"
		"and command.status, and print the output gathered as clush -b does.\n"
		"@name in NODESET is the group DIR/groups/name.\n\n"
		"  -w, --nodes NODESET  the servers (may be repeated)\n"
		"  -b, --gather         identical outputs once under their node set (default)\n"
		"  -L, --lines          \"name: line\" for every output line, in name order\n"
		"  -t, --timeout SECS   stop waiting after SECS; servers that did not answer\n"
		"                       are reported with rc 124\n"
		"      --root DIR       the tree (default $SYSMAN_ROOT or /sysman)\n"
		"  -h, --help           show this help\n\n"
		"Non-zero exit codes are reported on stderr, folded.  Exit status: the\n"
		"worst rc of the servers (0 if all succeeded), 1 for a server that does\n"
		"not exist or a file that cannot be written or read, 2 on a usage error\n"
		"or a malformed node set.\n");
}

static char *server_file(const struct run_job *job, size_t i, const char *file)
{
	char *p = NULL;

	if (asprintf(&p, "%s/systems/servers/%s/%s", job->root, job->names[i], file) < 0)
		return NULL;
	return p;
}

static int write_all(const char *path, const char *data)
{
	size_t len = strlen(data), off = 0;
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static void finish(struct run_job *job, size_t i, struct gather_item *res)
{
	pthread_mutex_lock(&job->lock);
	if (!job->timed_out) {
		job->items[i].data = res->data;
		job->items[i].len = res->len;
		job->items[i].rc = res->rc;
		job->items[i].msg = res->msg;
		res->data = res->msg = NULL;
	}
	job->done[i] = true;
	job->ndone++;
	pthread_cond_signal(&job->cond);
	pthread_mutex_unlock(&job->lock);
	free(res->data);
	free(res->msg);
}

static void fail_item(struct gather_item *res, int r)
{
	res->rc = 1;
	res->msg = strdup(r == -ENOENT ? "no such server" : strerror(-r));
}

static void start_one(size_t i, void *arg)
{
	struct run_job *job = arg;
	char *path = server_file(job, i, "command");
	struct gather_item res = { NULL, NULL, 0, 0, NULL };
	int r = path ? write_all(path, job->cmd) : -ENOMEM;

	free(path);
	if (r < 0) {
		fail_item(&res, r);
		finish(job, i, &res);
	}
}

static void collect_one(size_t i, void *arg)
{
	struct run_job *job = arg;
	struct gather_item res = { NULL, NULL, 0, 0, NULL };
	char *path, *spath, msg[STATUS_MSG_MAX + 1];
	struct buf b;
	int r, rc;

	if (job->done[i])   /* failed to start; only this thread's index */
		return;
	path = server_file(job, i, "command");
	spath = server_file(job, i, "command.status");
	buf_init(&b, RUN_READ_MAX);
	r = path && spath ? buf_read_file(&b, path) : -ENOMEM;
	if (r < 0 && r != -E2BIG) {
		fail_item(&res, r);
		goto out;
	}
	res.len = b.len;
	res.data = buf_steal(&b);
	buf_init(&b, 4096);
	r = buf_read_file(&b, spath);
	if (r == 0 && status_parse(buf_str(&b), &rc, msg, sizeof(msg)) == 0) {
		res.rc = rc;
		res.msg = msg[0] ? strdup(msg) : NULL;
	} else {
		res.rc = 1;
		res.msg = strdup(r < 0 ? strerror(-r) : "malformed command.status");
	}
out:
	buf_release(&b);
	free(path);
	free(spath);
	finish(job, i, &res);
}

static void *collect_all(void *arg)
{
	struct run_job *job = arg;

	gather_parallel(job->n, RUN_THREADS, collect_one, job);
	return NULL;
}

/* Waits for every server, or until the deadline (timeout 0: none). */
static void wait_all(struct run_job *job, double timeout)
{
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += (time_t)timeout;
	dl.tv_nsec += (long)((timeout - (double)(time_t)timeout) * 1e9);
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&job->lock);
	while (job->ndone < job->n) {
		if (!timeout) {
			pthread_cond_wait(&job->cond, &job->lock);
		} else if (pthread_cond_timedwait(&job->cond, &job->lock, &dl) == ETIMEDOUT) {
			job->timed_out = true;
			for (size_t i = 0; i < job->n; i++) {
				if (job->done[i])
					continue;
				job->items[i].rc = RC_TIMEOUT;
				if (asprintf(&job->items[i].msg, "no answer within %gs", timeout) < 0)
					job->items[i].msg = NULL;
			}
			break;
		}
	}
	pthread_mutex_unlock(&job->lock);
}

static char *join_args(char **argv, int argc)
{
	struct buf b;
	char *s;

	buf_init(&b, 1024 * 1024);
	for (int i = 0; i < argc; i++)
		buf_printf(&b, "%s%s", i ? " " : "", argv[i]);
	buf_append_str(&b, "\n");
	if (b.truncated) {
		buf_release(&b);
		return NULL;
	}
	s = buf_steal(&b);
	buf_release(&b);
	return s;
}

static int run_parse_args(int argc, char **argv, char ***sets, int *nsets, bool *lines,
			  double *timeout, const char **root)
{
	static const struct option lo[] = {
		{ "nodes", required_argument, NULL, 'w' },
		{ "gather", no_argument, NULL, 'b' },
		{ "lines", no_argument, NULL, 'L' },
		{ "timeout", required_argument, NULL, 't' },
		{ "root", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+w:bLt:h", lo, NULL)) != -1) {
		switch (c) {
		case 'w':
			(*sets)[(*nsets)++] = optarg;
			break;
		case 'b': *lines = false; break;
		case 'L': *lines = true; break;
		case 't':
			errno = 0;
			*timeout = strtod(optarg, &end);
			if (errno || end == optarg || *end || *timeout < 0 || *timeout > 1e6) {
				cli_err("run: bad timeout '%s'", optarg);
				return CLI_USAGE;
			}
			break;
		case 'R': *root = optarg; break;
		case 'h': run_usage(stdout); return -1;
		default: run_usage(stderr); return CLI_USAGE;
		}
	}
	if (!*nsets || optind == argc) {
		cli_err("run: %s is needed", *nsets ? "a command" : "-w NODESET");
		run_usage(stderr);
		return CLI_USAGE;
	}
	return CLI_OK;
}

int cmd_run(int argc, char **argv)
{
	static struct run_job job;   /* reachable from threads left after -t */
	char **sets = calloc((size_t)argc + 1, sizeof(*sets));
	struct nodeset *ns = NULL;
	pthread_t collector;
	double timeout = 0;
	bool lines = false;
	int nsets = 0, rc, n;

	memset(&job, 0, sizeof(job));
	job.root = cli_default_root();
	if (!sets)
		return CLI_FAIL;
	rc = run_parse_args(argc, argv, &sets, &nsets, &lines, &timeout, &job.root);
	if (rc != CLI_OK) {
		free(sets);
		return rc < 0 ? CLI_OK : rc;
	}
	rc = cli_nodeset_parse("run", job.root, sets, nsets, &ns);
	free(sets);
	if (rc != CLI_OK)
		return rc;
	n = nodeset_names(ns, &job.names);
	nodeset_free(ns);
	job.cmd = join_args(argv + optind, argc - optind);
	if (n < 0 || !job.cmd) {
		cli_err("run: %s", strerror(n < 0 ? -n : E2BIG));
		return CLI_FAIL;
	}
	job.n = (size_t)n;
	job.items = calloc(job.n ? job.n : 1, sizeof(*job.items));
	job.done = calloc(job.n ? job.n : 1, sizeof(*job.done));
	pthread_mutex_init(&job.lock, NULL);
	pthread_cond_init(&job.cond, NULL);
	for (size_t i = 0; job.items && i < job.n; i++)
		job.items[i].node = strdup(job.names[i]);
	/* every command is started before any output is awaited */
	if (!job.items || !job.done || gather_parallel(job.n, RUN_THREADS, start_one, &job) < 0 ||
	    pthread_create(&collector, NULL, collect_all, &job) != 0) {
		cli_err("run: %s", strerror(ENOMEM));
		return CLI_FAIL;
	}
	wait_all(&job, timeout);
	pthread_mutex_lock(&job.lock);
	if (gather_print(job.items, job.n, lines, stdout) < 0)
		cli_err("run: %s", strerror(ENOMEM));
	rc = gather_report(job.items, job.n, "run");
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err("write error: %s", strerror(errno));
		rc = rc ? rc : CLI_FAIL;
	}
	if (job.timed_out) {
		/* readers still wait in the tree: leave them to the exit */
		pthread_mutex_unlock(&job.lock);
		return rc;
	}
	pthread_mutex_unlock(&job.lock);
	pthread_join(collector, NULL);
	gather_items_free(job.items, job.n);
	free(job.done);
	free(job.names);
	free((char *)job.cmd);
	return rc;
}
