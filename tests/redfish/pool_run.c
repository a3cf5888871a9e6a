/*
 * pool_run.c - sysman-rfpool-run: drives the Redfish pool (src/redfish)
 * from a script on stdin, for the component tests and manual checks.
 *
 *   sysman-rfpool-run [-t TIMEOUT_MS] [-p PORT] [-k] [-c CAFILE] < SCRIPT
 *
 * -k: TLS not verified (redfish_verify = no).  Script lines (credentials
 * come only from stdin, never argv):
 *   user NAME | password SECRET    for the following requests
 *   read PROP HOST[:PORT]...       PROP power, temperature or fru: one
 *                                  read per HOST, all submitted at once
 *   write PROP HOST[:PORT] VALUE   one write
 *   stats                          "stats logins=N login_fails=N
 *                                  relogins=N http=N retries=N requests=N bmcs=N"
 * A request prints "HOST: RC TEXT" (RC 0 or -ENAME; TEXT the content with
 * \\ and \n escaped, or the message); every line's output ends with
 * ". MS", flushed.  Exit status 0, 2 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "redfish/pool.h"
#include "util/latch.h"
#include "util/strutil.h"

#define MAX_BATCH 4096

struct slot {
	const char *host;
	int rc;
	char *text;
	struct latch *latch;
};

static char *show(const char *text, size_t len)
{
	char *out = malloc(2 * len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\\' || text[i] == '\n') {
			*o++ = '\\';
			*o++ = text[i] == '\n' ? 'n' : '\\';
		} else {
			*o++ = text[i];
		}
	}
	*o = '\0';
	return out;
}

static void on_done(void *arg, const struct rf_result *res)
{
	struct slot *s = arg;

	s->rc = res->rc;
	s->text = res->rc == 0 ? show(res->text, res->text_len) : strdup(res->message);
	latch_count_down(s->latch);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void batch(struct rf_pool *p, const struct rf_request *rq, char **hosts, size_t n,
		  const char *user, const char *password)
{
	struct slot *slots = calloc(n ? n : 1, sizeof(*slots));
	struct latch l;
	char host[256], tmp[64];

	if (!slots) {
		printf("error: out of memory\n");
		return;
	}
	latch_init(&l, n);
	for (size_t i = 0; i < n; i++) {
		struct rf_target t = { .user = user, .password = password, .verify = -1 };
		char *colon;
		int r;

		slots[i].host = hosts[i];
		slots[i].latch = &l;
		str_copy(host, sizeof(host), hosts[i]);
		colon = strchr(host, ':');
		if (colon) {
			*colon = '\0';
			if (parse_int(colon + 1, 1, 65535, &t.port) < 0)
				t.port = 0;
		}
		t.host = host;
		r = rf_pool_submit(p, &t, rq, on_done, &slots[i]);
		if (r < 0) {
			slots[i].rc = r;
			slots[i].text = strdup("submit refused");
			latch_count_down(&l);
		}
	}
	latch_wait(&l);
	latch_destroy(&l);
	for (size_t i = 0; i < n; i++) {
		printf("%s: %s %s\n", slots[i].host, str_rc_name(slots[i].rc, tmp, sizeof(tmp)),
		       slots[i].text ? slots[i].text : "");
		free(slots[i].text);
	}
	free(slots);
}

static void usage(void)
{
	fprintf(stderr, "usage: sysman-rfpool-run [-t TIMEOUT_MS] [-p PORT] [-k] [-c CAFILE] < SCRIPT\n");
}

int main(int argc, char **argv)
{
	struct rf_pool_config cfg = { .verify = true };
	static char line[65536];
	char user[64] = "admin", password[64] = "", msg[256];
	char *hosts[MAX_BATCH];
	struct rf_pool *p;
	int c;

	while ((c = getopt(argc, argv, "t:p:kc:h")) != -1) {
		if (c == 't' && parse_int(optarg, 1, 3600000, &cfg.timeout_ms) == 0)
			continue;
		if (c == 'p' && parse_int(optarg, 1, 65535, &cfg.port) == 0)
			continue;
		if (c == 'k') {
			cfg.verify = false;
			continue;
		}
		if (c == 'c') {
			cfg.cafile = optarg;
			continue;
		}
		usage();
		return 2;
	}
	if (optind != argc) {
		usage();
		return 2;
	}
	p = rf_pool_new(&cfg);
	if (!p) {
		fprintf(stderr, "sysman-rfpool-run: cannot start the pool: %s\n", strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		double t0 = now_ms();
		char *save = NULL, *cmd, *w;
		struct rf_request rq = { 0 };
		size_t n = 0;

		line[strcspn(line, "\r\n")] = '\0';
		cmd = strtok_r(line, " \t", &save);
		if (!cmd || cmd[0] == '#')
			continue;
		if (strcmp(cmd, "user") == 0 || strcmp(cmd, "password") == 0) {
			const char *v = strtok_r(NULL, "", &save);

			str_copy(cmd[0] == 'u' ? user : password, sizeof(user), v ? v : "");
		} else if (strcmp(cmd, "stats") == 0) {
			struct rf_pool_stats st;

			rf_pool_stats(p, &st);
			printf("stats logins=%lu login_fails=%lu relogins=%lu http=%lu retries=%lu "
			       "requests=%lu bmcs=%u\n", st.logins, st.login_fails, st.relogins, st.http,
			       st.retries, st.requests, st.bmcs);
		} else if (strcmp(cmd, "read") == 0 || strcmp(cmd, "write") == 0) {
			const char *prop = strtok_r(NULL, " \t", &save);

			rq.write = cmd[0] == 'w';
			if (!prop || rf_prop_lookup(prop, &rq.prop) < 0) {
				printf("error: no property '%s'\n", prop ? prop : "");
			} else if (rq.write) {
				char *h = strtok_r(NULL, " \t", &save), *v = strtok_r(NULL, "", &save);

				rq.input = v ? v : "";
				rq.input_len = strlen(rq.input);
				if (rf_request_check(&rq, msg, sizeof(msg)) < 0)
					printf("error: %s\n", msg);
				else if (h)
					batch(p, &rq, &h, 1, user, password);
			} else {
				while ((w = strtok_r(NULL, " \t", &save)) && n < MAX_BATCH)
					hosts[n++] = w;
				batch(p, &rq, hosts, n, user, password);
			}
		} else {
			printf("error: unknown command '%s'\n", cmd);
		}
		printf(". %.0f\n", now_ms() - t0);
		fflush(stdout);
	}
	sodium_memzero(password, sizeof(password));
	rf_pool_free(p);
	return 0;
}
