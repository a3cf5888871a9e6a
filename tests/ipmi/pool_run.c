/*
 * pool_run.c - sysman-ipmipool-run: drives the IPMI pool (src/ipmi)
 * from a script on stdin, for the component tests, the bench and manual
 * checks.
 *
 *   sysman-ipmipool-run [-t TIMEOUT_MS] [-j THREADS] [-C CIPHER]
 *                       [-i IDLE_S] [-p PORT] < SCRIPT
 *
 * Script lines (credentials come only from stdin, never argv):
 *   user NAME            user for the following requests
 *   password SECRET      password for the following requests
 *   OP HOST[:PORT]...    OP is status, on, off, cycle, reset or soft: one
 *                        request per HOST, all submitted at once; prints
 *                        "HOST: RC TEXT" per request in order (RC is 0 or
 *                        -ENAME; TEXT is "on"/"off" or the error message)
 *   read PROP HOST[:PORT]...   PROP is power, bootorder, temperature,
 *                        temperature_mp, sensors, eventlog or fru: one read
 *                        per HOST, all submitted at once; prints "HOST: RC
 *                        TEXT" per request in order, TEXT being the file's
 *                        content with backslash and newline escaped as \\
 *                        and \n on success, else the message
 *   write PROP HOST[:PORT] [VALUE]   writes the rest of the line (may be
 *                        empty) to PROP of one BMC; prints as read does
 *   stats                prints "stats opens=N open_fails=N reopens=N
 *                        commands=N keepalives=N closes=N sdr_fetches=N
 *                        sessions=N queued=N"
 *   sleep SECONDS        waits
 * Every line's output ends with ". MS" (its wall time in milliseconds),
 * flushed, so a driver can read the answer to each line.  Exit status: 0
 * at the end of the script, 2 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ipmi/pool.h"
#include "util/latch.h"
#include "util/strutil.h"

#define MAX_BATCH 4096

struct slot {
	const char *host;
	bool escape;           /* print the text escaped (else its first line) */
	int rc;
	char *text;
	struct latch *latch;
};

/* text with '\\' and newlines escaped, or only up to the first newline */
static char *show(const char *text, size_t len, bool escape)
{
	char *out = malloc(2 * len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n' && !escape)
			break;
		if (escape && (text[i] == '\\' || text[i] == '\n')) {
			*o++ = '\\';
			*o++ = text[i] == '\n' ? 'n' : '\\';
		} else {
			*o++ = text[i];
		}
	}
	*o = '\0';
	return out;
}

static void on_done(void *arg, const struct ipmi_result *res)
{
	struct slot *s = arg;

	s->rc = res->rc;
	s->text = res->rc == 0 ? show(res->text, res->text_len, s->escape) : strdup(res->message);
	latch_count_down(s->latch);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool power_word(const char *w)
{
	static const char *const words[] = { "status", "on", "off", "cycle", "reset", "soft" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(w, words[i]) == 0)
			return true;
	return false;
}

/* Runs rq on every host of the line (strtok_r state in save); hosts is
 * 1 for a write (the rest of the line is its value). */
static void batch(struct ipmi_pool *p, const struct ipmi_request *rq, bool escape, char *save,
		  const char *user, const char *password)
{
	struct slot *slots = calloc(MAX_BATCH, sizeof(*slots));
	struct latch l;
	char host[256], tmp[64];
	size_t n = 0;
	char *w;

	if (!slots) {
		printf("error: out of memory\n");
		return;
	}
	while ((w = strtok_r(NULL, " \t", &save)) && n < MAX_BATCH) {
		slots[n].host = w;
		slots[n].escape = escape;
		slots[n].latch = &l;
		n++;
	}
	latch_init(&l, n);
	for (size_t i = 0; i < n; i++) {
		struct ipmi_target t = { .user = user, .password = password };
		char *colon;
		int r;

		str_copy(host, sizeof(host), slots[i].host);
		colon = strchr(host, ':');
		if (colon) {
			*colon = '\0';
			if (parse_int(colon + 1, 1, 65535, &t.port) < 0)
				t.port = 0;
		}
		t.host = host;
		r = ipmi_pool_submit(p, &t, rq, on_done, &slots[i]);
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
	fprintf(stderr, "usage: sysman-ipmipool-run [-t TIMEOUT_MS] [-j THREADS] [-C CIPHER] "
			"[-i IDLE_S] [-p PORT] < SCRIPT\n");
}

int main(int argc, char **argv)
{
	struct ipmi_pool_config cfg = { 0 };
	char line[65536], user[64] = "admin", password[64] = "", msg[256];
	struct ipmi_pool *p;
	int c;

	while ((c = getopt(argc, argv, "t:j:C:i:p:h")) != -1) {
		int *field = c == 't' ? &cfg.timeout_ms : c == 'j' ? &cfg.threads :
			     c == 'C' ? &cfg.cipher_suite : c == 'i' ? &cfg.idle_s :
			     c == 'p' ? &cfg.port : NULL;

		if (!field || parse_int(optarg, -1, 3600000, field) < 0) {
			usage();
			return 2;
		}
	}
	if (optind != argc) {
		usage();
		return 2;
	}
	p = ipmi_pool_new(&cfg);
	if (!p) {
		fprintf(stderr, "sysman-ipmipool-run: cannot start the pool: %s\n", strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		double t0 = now_ms();
		char *save = NULL, *cmd;

		line[strcspn(line, "\r\n")] = '\0';
		cmd = strtok_r(line, " \t", &save);
		if (!cmd || cmd[0] == '#') {
			continue;
		} else if (strcmp(cmd, "user") == 0 || strcmp(cmd, "password") == 0) {
			const char *v = strtok_r(NULL, "", &save);

			str_copy(cmd[0] == 'u' ? user : password, sizeof(user), v ? v : "");
		} else if (strcmp(cmd, "stats") == 0) {
			struct ipmi_pool_stats st;

			ipmi_pool_stats(p, &st);
			printf("stats opens=%lu open_fails=%lu reopens=%lu commands=%lu keepalives=%lu "
			       "closes=%lu sdr_fetches=%lu sessions=%u queued=%u\n", st.opens,
			       st.open_fails, st.reopens, st.commands, st.keepalives, st.closes,
			       st.sdr_fetches, st.sessions, st.queued);
		} else if (strcmp(cmd, "sleep") == 0) {
			const char *v = strtok_r(NULL, " \t", &save);
			double s = v ? strtod(v, NULL) : 0;

			if (s > 0)
				nanosleep(&(struct timespec){ (time_t)s, (long)((s - (time_t)s) * 1e9) }, NULL);
		} else if (power_word(cmd)) {
			struct ipmi_request rq = { .prop = IPMI_PROP_POWER, .write = strcmp(cmd, "status") != 0,
						   .input = cmd, .input_len = strlen(cmd) };

			batch(p, &rq, false, save, user, password);
		} else if (strcmp(cmd, "read") == 0 || strcmp(cmd, "write") == 0) {
			struct ipmi_request rq = { .write = cmd[0] == 'w' };
			const char *prop = strtok_r(NULL, " \t", &save);
			char *host = NULL;

			if (!prop || ipmi_prop_lookup(prop, &rq.prop) < 0) {
				printf("error: unknown property '%s'\n", prop ? prop : "");
			} else if (!rq.write) {
				batch(p, &rq, true, save, user, password);
			} else if (!(host = strtok_r(NULL, " \t", &save))) {
				printf("error: write needs a host\n");
			} else {
				rq.input = save ? save : "";
				rq.input_len = strlen(rq.input);
				if (ipmi_request_check(&rq, msg, sizeof(msg)) < 0) {
					char tmp[64];

					printf("%s: %s %s\n", host,
					       str_rc_name(ipmi_request_check(&rq, NULL, 0), tmp, sizeof(tmp)),
					       msg);
				} else {
					char one[300];

					snprintf(one, sizeof(one), " %s", host);
					batch(p, &rq, true, one, user, password);
				}
			}
		} else {
			printf("error: unknown command '%s'\n", cmd);
		}
		printf(". %.1f\n", now_ms() - t0);
		fflush(stdout);
	}
	ipmi_pool_free(p);
	sodium_memzero(password, sizeof(password));
	sodium_memzero(line, sizeof(line));
	return 0;
}
