/*
 * test_ipmipool.c - unit tests of src/ipmi that need no BMC: power words,
 * config and argument checks, and the pool's behaviour against a loopback
 * UDP socket that never answers (timeout bound, requests queued behind a
 * failed open answered together, limits checked before the network,
 * shutdown).  The tests against real ipmi_sim BMCs are in
 * tests/ipmi/test_pool.py.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipmi/format.h"
#include "ipmi/pool.h"

static const struct ipmi_request power_read = { .prop = IPMI_PROP_POWER };
static const struct ipmi_request power_on = { .prop = IPMI_PROP_POWER, .write = true,
					      .input = "on\n", .input_len = 3 };
static const struct ipmi_request power_off = { .prop = IPMI_PROP_POWER, .write = true,
					       .input = "off", .input_len = 3 };

/* A bound loopback UDP socket that never answers; *port gets its port. */
static int silent_bmc(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct waitset {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int left;
};

struct answer {
	struct waitset *ws;
	int rc;
	char message[256];
	double at;
};

static void on_done(void *arg, const struct ipmi_result *res)
{
	struct answer *a = arg;

	a->rc = res->rc;
	snprintf(a->message, sizeof(a->message), "%s", res->message);
	a->at = now_ms();
	pthread_mutex_lock(&a->ws->mu);
	a->ws->left--;
	pthread_cond_broadcast(&a->ws->cond);
	pthread_mutex_unlock(&a->ws->mu);
}

static void wait_all(struct waitset *ws)
{
	pthread_mutex_lock(&ws->mu);
	while (ws->left > 0)
		pthread_cond_wait(&ws->cond, &ws->mu);
	pthread_mutex_unlock(&ws->mu);
}

static void test_power_words(void **state)
{
	enum ipmi_op op;

	(void)state;
	assert_int_equal(ipmi_power_parse("on", &op), 0);
	assert_int_equal(op, IPMI_POWER_ON);
	assert_int_equal(ipmi_power_parse("OFF", &op), 0);
	assert_int_equal(op, IPMI_POWER_OFF);
	assert_int_equal(ipmi_power_parse("1", &op), 0);
	assert_int_equal(op, IPMI_POWER_ON);
	assert_int_equal(ipmi_power_parse("0", &op), 0);
	assert_int_equal(op, IPMI_POWER_OFF);
	assert_int_equal(ipmi_power_parse("Cycle", &op), 0);
	assert_int_equal(op, IPMI_POWER_CYCLE);
	assert_int_equal(ipmi_power_parse("reset", &op), 0);
	assert_int_equal(ipmi_power_parse("soft", &op), 0);
	assert_int_equal(op, IPMI_POWER_SOFT);
	assert_int_equal(ipmi_power_parse("maybe", &op), -EINVAL);
	assert_int_equal(ipmi_power_parse("", &op), -EINVAL);
	assert_int_equal(ipmi_power_parse("status", &op), -EINVAL);
	assert_int_equal(ipmi_power_parse(NULL, &op), -EINVAL);
	assert_string_equal(ipmi_power_word(IPMI_POWER_STATUS, 1), "on");
	assert_string_equal(ipmi_power_word(IPMI_POWER_STATUS, 0), "off");
	assert_string_equal(ipmi_power_word(IPMI_POWER_CYCLE, 0), "on");
	assert_string_equal(ipmi_power_word(IPMI_POWER_RESET, 0), "on");
	assert_string_equal(ipmi_power_word(IPMI_POWER_SOFT, 1), "off");
}

static void test_config_checks(void **state)
{
	static const struct ipmi_pool_config bad[] = {
		{ .threads = -1 }, { .threads = 100000 }, { .timeout_ms = 10 },
		{ .cipher_suite = 18 }, { .cipher_suite = -2 }, { .port = 70000 },
	};
	struct ipmi_pool_config ok = { .threads = 2, .timeout_ms = 500 };
	struct ipmi_pool *p;

	(void)state;
	errno = 0;
	assert_null(ipmi_pool_new(NULL));
	assert_int_equal(errno, EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_null(ipmi_pool_new(&bad[i]));
		assert_int_equal(errno, EINVAL);
	}
	p = ipmi_pool_new(&ok);
	assert_non_null(p);
	ipmi_pool_free(p);
	ipmi_pool_free(NULL);
}

static void test_submit_argument_checks(void **state)
{
	struct ipmi_pool_config cfg = { .threads = 1, .timeout_ms = 500 };
	struct ipmi_pool *p = ipmi_pool_new(&cfg);
	struct ipmi_target t = { .host = "127.0.0.1", .user = "admin", .password = "pw" };
	struct ipmi_target bad[] = {
		{ .host = NULL, .user = "admin" }, { .host = "", .user = "admin" },
		{ .host = "a b", .user = "admin" }, { .host = "127.0.0.1", .user = NULL },
		{ .host = "127.0.0.1", .user = "a\nb" }, { .host = "127.0.0.1", .port = 65536, .user = "u" },
	};
	struct ipmi_request bad_prop = { 0 }, bad_value = { .prop = IPMI_PROP_POWER, .write = true,
							    .input = "maybe", .input_len = 5 };
	struct ipmi_request no_write = { .prop = IPMI_PROP_SENSORS, .write = true, .input = "x",
					 .input_len = 1 };
	struct ipmi_pool_stats st;

	(void)state;
	assert_non_null(p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ipmi_pool_submit(p, &bad[i], &power_read, on_done, NULL), -EINVAL);
	bad_prop.prop = (enum ipmi_prop)42;
	assert_int_equal(ipmi_pool_submit(p, &t, &bad_prop, on_done, NULL), -EINVAL);
	assert_int_equal(ipmi_pool_submit(p, &t, &bad_value, on_done, NULL), -EINVAL);
	assert_int_equal(ipmi_pool_submit(p, &t, &no_write, on_done, NULL), -EINVAL);
	assert_int_equal(ipmi_pool_submit(p, &t, NULL, on_done, NULL), -EINVAL);
	assert_int_equal(ipmi_pool_submit(p, &t, &power_read, NULL, NULL), -EINVAL);
	assert_int_equal(ipmi_pool_submit(NULL, &t, &power_read, on_done, NULL), -EINVAL);
	ipmi_pool_stats(p, &st);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.opens + st.open_fails, 0);
	ipmi_pool_free(p);
}

/* User and password lengths are checked before anything is sent. */
static void test_limits_before_network(void **state)
{
	struct ipmi_pool_config cfg = { .threads = 2, .timeout_ms = 5000 };
	struct ipmi_pool *p = ipmi_pool_new(&cfg);
	struct waitset ws = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 2 };
	struct answer a[2] = { { .ws = &ws }, { .ws = &ws } };
	int port, fd = silent_bmc(&port);
	struct ipmi_target t1 = { .host = "127.0.0.1", .port = port,
				  .user = "a-user-name-of-17b", .password = "pw" };
	struct ipmi_target t2 = { .host = "127.0.0.1", .port = port, .user = "admin",
				  .password = "a-password-of-21-byte" };
	double t0 = now_ms();

	(void)state;
	assert_non_null(p);
	assert_int_equal(ipmi_pool_submit(p, &t1, &power_read, on_done, &a[0]), 0);
	assert_int_equal(ipmi_pool_submit(p, &t2, &power_on, on_done, &a[1]), 0);
	wait_all(&ws);
	assert_true(now_ms() - t0 < 1000);
	assert_int_equal(a[0].rc, -EINVAL);
	assert_non_null(strstr(a[0].message, "longer than 16 bytes"));
	assert_int_equal(a[1].rc, -EINVAL);
	assert_non_null(strstr(a[1].message, "longer than 20 bytes"));
	assert_null(strstr(a[1].message, t2.password));
	ipmi_pool_free(p);
	close(fd);
}

/* A BMC that never answers: -ETIMEDOUT within about 1.14 T; the
 * requests queued behind the failed open get the same answer at once
 * instead of waiting T each; a BMC elsewhere is not held up. */
static void test_timeout_and_queued_behind(void **state)
{
	struct ipmi_pool_config cfg = { .threads = 4, .timeout_ms = 700 };
	struct ipmi_pool *p = ipmi_pool_new(&cfg);
	struct waitset ws = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 5 };
	struct answer a[5];
	int port, fd = silent_bmc(&port);
	struct ipmi_target t = { .host = "127.0.0.1", .port = port, .user = "admin", .password = "pw" };
	struct ipmi_pool_stats st;
	char want[128];
	double t0 = now_ms();

	(void)state;
	assert_non_null(p);
	for (int i = 0; i < 5; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].ws = &ws;
		assert_int_equal(ipmi_pool_submit(p, &t, i ? &power_off : &power_read, on_done, &a[i]),
				 0);
	}
	wait_all(&ws);
	snprintf(want, sizeof(want), "BMC 127.0.0.1:%d not responding", port);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(a[i].rc, -ETIMEDOUT);
		assert_string_equal(a[i].message, want);
		assert_true(a[i].at - t0 >= 600);
		assert_true(a[i].at - t0 < 1300);
	}
	ipmi_pool_stats(p, &st);
	assert_int_equal(st.open_fails, 1);
	assert_int_equal(st.sessions, 0);
	ipmi_pool_free(p);
	close(fd);
}

/* Freeing the pool fails what is queued with -ESHUTDOWN at once and lets
 * the running request finish. */
static void test_shutdown_fails_queued(void **state)
{
	struct ipmi_pool_config cfg = { .threads = 1, .timeout_ms = 600 };
	struct ipmi_pool *p = ipmi_pool_new(&cfg);
	struct waitset ws = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 3 };
	struct answer a[3];
	int port[3], fd[3];
	double t0;

	(void)state;
	assert_non_null(p);
	for (int i = 0; i < 3; i++) {
		struct ipmi_target t = { .host = "127.0.0.1", .user = "admin", .password = "pw" };

		fd[i] = silent_bmc(&port[i]);
		t.port = port[i];
		memset(&a[i], 0, sizeof(a[i]));
		a[i].ws = &ws;
		assert_int_equal(ipmi_pool_submit(p, &t, &power_read, on_done, &a[i]), 0);
	}
	usleep(100 * 1000);    /* the one worker has taken the first */
	t0 = now_ms();
	ipmi_pool_free(p);
	assert_int_equal(ws.left, 0);
	assert_true(now_ms() - t0 < 1500);
	assert_int_equal(a[0].rc, -ETIMEDOUT);
	assert_int_equal(a[1].rc, -ESHUTDOWN);
	assert_int_equal(a[2].rc, -ESHUTDOWN);
	for (int i = 0; i < 3; i++)
		close(fd[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power_words),
		cmocka_unit_test(test_config_checks),
		cmocka_unit_test(test_submit_argument_checks),
		cmocka_unit_test(test_limits_before_network),
		cmocka_unit_test(test_timeout_and_queued_behind),
		cmocka_unit_test(test_shutdown_fails_queued),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
