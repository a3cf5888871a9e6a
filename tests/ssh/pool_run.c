/*
 * run.c - sysman-sshpool-run: run one command on many hosts through the
 * pool, a cold round then warm rounds, for manual tests and benchmarks.
 *
 *   sysman-sshpool-run [-k KEY] [-K KNOWN_HOSTS] [-u USER] [-p PORT]
 *       [-t TIMEOUT] [-C CONNECT_TIMEOUT] [-P strict|accept-new]
 *       [-n PER_HOST] [-r ROUNDS] [-m MAX_CONNECTING] [-j THREADS]
 *       [-o OUTPUT_MAX] [-s SLEEP] [-a KEEPALIVE] [-W] [-q] [-v] -c CMD HOST...
 *
 * -W takes the password from $SYSMAN_PASSWORD (never from argv).  Per
 * command it prints "HOST: RC EXIT FIRST-LINE" on stdout (RC is 0 or
 * -ENAME; the text is the first output line, or the error message), and
 * per round a timing line on stderr.  -s sleeps between rounds (tests
 * break sessions meanwhile); " (output truncated)" marks output cut at
 * OUTPUT_MAX.  Exit status: 0 if every command ran
 * (rc 0), 1 otherwise, 2 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ssh/pool.h"
#include "util/latch.h"
#include "util/log.h"
#include "util/strutil.h"

struct slot {
	const char *host;
	int rc, exit_status;
	bool truncated;
	char *line;
	struct latch *round;
};

static void on_done(void *arg, const struct ssh_result *res)
{
	struct slot *s = arg;
	const char *text = res->rc == 0 ? buf_str(res->out) : res->message;
	size_t n = strcspn(text, "\n");

	s->rc = res->rc;
	s->exit_status = res->exit_status;
	s->truncated = res->out->truncated;
	s->line = strndup(text, n);
	latch_count_down(s->round);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs one round; returns the number of failed commands. */
static size_t run_round(struct ssh_pool *pool, struct ssh_target *t,
			char **hosts, size_t nhosts, int per_host,
			const char *cmd, int timeout, bool quiet, int no)
{
	size_t total = nhosts * (size_t)per_host, failed = 0;
	struct slot *slots = calloc(total, sizeof(*slots));
	struct latch rd;
	double t0 = now_s(), dt;
	char tmp[64];

	if (!slots)
		return total;
	latch_init(&rd, total);
	for (size_t i = 0; i < total; i++) {
		struct slot *s = &slots[i];
		int r;

		s->host = hosts[i / (size_t)per_host];
		s->round = &rd;
		t->host = s->host;
		r = ssh_pool_exec(pool, t, cmd, timeout, on_done, s);
		if (r < 0) {
			s->rc = r;
			s->line = strdup(strerror(-r));
			latch_count_down(&rd);
		}
	}
	latch_wait(&rd);
	dt = now_s() - t0;
	for (size_t i = 0; i < total; i++) {
		if (slots[i].rc != 0)
			failed++;
		if (!quiet || slots[i].rc != 0)
			printf("%s: %s %d %s%s\n", slots[i].host,
			       str_rc_name(slots[i].rc, tmp, sizeof(tmp)),
			       slots[i].exit_status,
			       slots[i].line ? slots[i].line : "",
			       slots[i].truncated ? " (output truncated)" : "");
		free(slots[i].line);
	}
	fflush(stdout);
	fprintf(stderr, "round %d (%s): %zu commands on %zu hosts in %.3f s, "
		"%zu failed, %lu connects so far\n", no,
		no == 1 ? "cold" : "warm", total, nhosts, dt, failed,
		ssh_pool_connects(pool));
	latch_destroy(&rd);
	free(slots);
	return failed;
}

static void usage(void)
{
	fprintf(stderr, "usage: sysman-sshpool-run [-k KEY] [-K KNOWN_HOSTS] "
		"[-u USER] [-p PORT] [-t TIMEOUT] [-C CONNECT_TIMEOUT]\n"
		"       [-P strict|accept-new] [-n PER_HOST] [-r ROUNDS] "
		"[-m MAX_CONNECTING] [-j THREADS]\n"
		"       [-o OUTPUT_MAX] [-s SLEEP] [-a KEEPALIVE] [-W] [-q] [-v] -c CMD HOST...\n");
}

static int parse_opt_int(const char *s, int min, int max, int *ret)
{
	if (parse_int(s, min, max, ret) < 0) {
		fprintf(stderr, "sysman-sshpool-run: bad number '%s'\n", s);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ssh_pool_config cfg = { .known_hosts = "known_hosts" };
	struct ssh_target t = { .user = "root" };
	const char *cmd = NULL;
	int timeout = 0, per_host = 1, rounds = 2, pause = 0, omax = 0, c, r = 0;
	bool quiet = false;
	size_t failed = 0;
	struct ssh_pool *pool;

	signal(SIGPIPE, SIG_IGN);
	log_setup("sysman-sshpool-run", LOG_NOTICE, false);
	while ((c = getopt(argc, argv, "k:K:u:p:t:C:P:n:r:m:j:o:s:a:Wqvc:h")) != -1) {
		switch (c) {
		case 'k': cfg.key_path = optarg; break;
		case 'K': cfg.known_hosts = optarg; break;
		case 'u': t.user = optarg; break;
		case 'p': r = parse_opt_int(optarg, 1, 65535, &t.port); break;
		case 't': r = parse_opt_int(optarg, -1, 86400, &timeout); break;
		case 'C': r = parse_opt_int(optarg, 1, 3600,
					    &cfg.connect_timeout_s); break;
		case 'n': r = parse_opt_int(optarg, 1, 100000, &per_host); break;
		case 'r': r = parse_opt_int(optarg, 1, 1000, &rounds); break;
		case 'm': r = parse_opt_int(optarg, 1, 100000,
					    &cfg.max_connecting); break;
		case 'j': r = parse_opt_int(optarg, 1, 64, &cfg.threads); break;
		case 'o': r = parse_opt_int(optarg, 1, 1 << 28, &omax); break;
		case 's': r = parse_opt_int(optarg, 0, 3600, &pause); break;
		case 'a': r = parse_opt_int(optarg, 1, 3600, &cfg.keepalive_s);
			break;
		case 'W': t.password = getenv("SYSMAN_PASSWORD"); break;
		case 'q': quiet = true; break;
		case 'v': log_setup(NULL, LOG_DEBUG, false); break;
		case 'c': cmd = optarg; break;
		case 'P':
			if (strcmp(optarg, "strict") == 0)
				cfg.host_key_policy = SSH_POLICY_STRICT;
			else if (strcmp(optarg, "accept-new") == 0)
				cfg.host_key_policy = SSH_POLICY_ACCEPT_NEW;
			else
				r = -EINVAL;
			break;
		default:
			usage();
			return c == 'h' ? 0 : 2;
		}
		if (r < 0) {
			usage();
			return 2;
		}
	}
	if (!cmd || optind >= argc) {
		usage();
		return 2;
	}
	cfg.output_max = (size_t)omax;
	pool = ssh_pool_new(&cfg);
	if (!pool) {
		fprintf(stderr, "sysman-sshpool-run: cannot create pool: %s\n",
			strerror(errno));
		return 1;
	}
	for (int i = 1; i <= rounds; i++) {
		if (i > 1 && pause > 0) {
			fprintf(stderr, "sleeping %d s\n", pause);
			sleep((unsigned)pause);
		}
		failed += run_round(pool, &t, argv + optind,
				    (size_t)(argc - optind), per_host, cmd,
				    timeout, quiet, i);
	}
	ssh_pool_free(pool);
	return failed ? 1 : 0;
}
