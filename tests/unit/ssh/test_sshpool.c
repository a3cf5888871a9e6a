/*
 * test_sshpool.c - unit tests of src/ssh that need no sshd: policy and
 * helper functions, config and argument checks, and the pool's behaviour
 * against loopback sockets that refuse or never answer (connect errors,
 * connect timeout, back-off, bounded handshakes, shutdown, deadlock guard).
 * The tests against a real sshd are in tests/ssh/test_pool.sh.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ssh/pool.h"
#include "ssh/pool_int.h"

static const struct ssh_pool_config base_cfg = {
	.known_hosts = "/nonexistent/sysman-test-known_hosts",
	.connect_timeout_s = 1,
	.command_timeout_s = 5,
};

/* A listening loopback socket that never accepts: TCP connects, SSH never
 * answers.  Returns the fd; *port gets its port. */
static int silent_listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 64), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int closed_port(void)
{
	int port, fd = silent_listener(&port);

	close(fd);
	return port;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_hostkey_decide(void **state)
{
	(void)state;
	assert_int_equal(hostkey_decide(SSH_KNOWN_HOSTS_OK, SSH_POLICY_STRICT), 0);
	assert_int_equal(hostkey_decide(SSH_KNOWN_HOSTS_OK,
					SSH_POLICY_ACCEPT_NEW), 0);
	assert_int_equal(hostkey_decide(SSH_KNOWN_HOSTS_UNKNOWN,
					SSH_POLICY_ACCEPT_NEW), 1);
	assert_int_equal(hostkey_decide(SSH_KNOWN_HOSTS_NOT_FOUND,
					SSH_POLICY_ACCEPT_NEW), 1);
	assert_int_equal(hostkey_decide(SSH_KNOWN_HOSTS_UNKNOWN,
					SSH_POLICY_STRICT), -EKEYREJECTED);
	assert_int_equal(hostkey_decide(SSH_KNOWN_HOSTS_NOT_FOUND,
					SSH_POLICY_STRICT), -EKEYREJECTED);
	assert_int_equal(hostkey_decide(SSH_KNOWN_HOSTS_CHANGED,
					SSH_POLICY_ACCEPT_NEW), -EKEYREJECTED);
	assert_int_equal(hostkey_decide(SSH_KNOWN_HOSTS_OTHER,
					SSH_POLICY_ACCEPT_NEW), -EKEYREJECTED);
	assert_int_equal(hostkey_decide(SSH_KNOWN_HOSTS_ERROR,
					SSH_POLICY_ACCEPT_NEW), -EIO);
}

static void test_signal_number(void **state)
{
	(void)state;
	assert_int_equal(ssh_signal_number("KILL"), 9);
	assert_int_equal(ssh_signal_number("SIGTERM"), 15);
	assert_int_equal(ssh_signal_number("NOPE"), 0);
	assert_int_equal(ssh_signal_number(NULL), 0);
}

static void test_jlist(void **state)
{
	struct job a = { 0 }, b = { 0 }, c = { 0 };
	struct jlist l = { 0 };

	(void)state;
	jlist_push(&l, &a);
	jlist_push(&l, &b);
	jlist_unshift(&l, &c);          /* c a b */
	assert_int_equal(l.n, 3);
	jlist_remove(&l, &a);           /* c b */
	assert_ptr_equal(l.head, &c);
	assert_ptr_equal(l.tail, &b);
	assert_ptr_equal(jlist_pop(&l), &c);
	assert_ptr_equal(jlist_pop(&l), &b);
	assert_null(jlist_pop(&l));
	assert_int_equal(l.n, 0);
	assert_null(l.tail);
}

static void test_host_key(void **state)
{
	char k[SSH_HOST_KEY_MAX], small[8];

	(void)state;
	assert_int_equal(ssh_host_key(k, sizeof(k), "root", "10.0.0.1", 22), 0);
	assert_string_equal(k, "root@10.0.0.1:22");
	assert_int_equal(ssh_host_key(small, sizeof(small), "root", "h", 22),
			 -ENAMETOOLONG);
}

static void test_config_checks(void **state)
{
	struct ssh_pool_config cfg = base_cfg;

	(void)state;
	cfg.known_hosts = NULL;
	errno = 0;
	assert_null(ssh_pool_new(&cfg));
	assert_int_equal(errno, EINVAL);

	cfg = base_cfg;
	cfg.host_key_policy = 7;
	assert_null(ssh_pool_new(&cfg));
	assert_int_equal(errno, EINVAL);

	cfg = base_cfg;
	cfg.key_path = "/nonexistent/sysman-test-key";
	assert_null(ssh_pool_new(&cfg));
	assert_int_equal(errno, ENOENT);
}

static void never_called(void *arg, const struct ssh_result *res)
{
	(void)arg;
	(void)res;
	fail_msg("done called for a rejected command");
}

static void test_exec_argument_checks(void **state)
{
	struct ssh_pool *p = ssh_pool_new(&base_cfg);
	struct ssh_target t = { .host = "127.0.0.1" };
	static const char *const bad_hosts[] = {
		"", "a b", "u@h", "-oProxyCommand=x", "a/b",
	};

	(void)state;
	assert_non_null(p);
	for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(*bad_hosts); i++) {
		t.host = bad_hosts[i];
		assert_int_equal(ssh_pool_exec(p, &t, "true", 0, never_called,
					       NULL), -EINVAL);
	}
	t.host = "127.0.0.1";
	assert_int_equal(ssh_pool_exec(p, &t, "", 0, never_called, NULL),
			 -EINVAL);
	assert_int_equal(ssh_pool_exec(p, &t, NULL, 0, never_called, NULL),
			 -EINVAL);
	t.port = 70000;
	assert_int_equal(ssh_pool_exec(p, &t, "true", 0, never_called, NULL),
			 -EINVAL);
	t.port = 0;
	t.user = "a b";
	assert_int_equal(ssh_pool_exec(p, &t, "true", 0, never_called, NULL),
			 -EINVAL);
	ssh_pool_free(p);
	ssh_pool_free(NULL);
}

static void test_connection_refused_and_backoff(void **state)
{
	struct ssh_pool *p = ssh_pool_new(&base_cfg);
	struct ssh_target t = { .host = "127.0.0.1", .port = closed_port() };
	struct ssh_result_owned r = SSH_RESULT_OWNED_INIT;

	(void)state;
	assert_non_null(p);
	assert_int_equal(ssh_pool_exec_sync(p, &t, "true", 0, &r), 0);
	assert_int_equal(r.rc, -ECONNREFUSED);
	assert_non_null(strstr(r.message, "cannot connect"));
	ssh_result_owned_release(&r);

	/* within the back-off: same error at once, no new connection */
	assert_int_equal(ssh_pool_exec_sync(p, &t, "true", 0, &r), 0);
	assert_int_equal(r.rc, -ECONNREFUSED);
	assert_non_null(strstr(r.message, "previous attempt failed"));
	assert_int_equal(ssh_pool_connects(p), 1);
	ssh_result_owned_release(&r);
	ssh_pool_free(p);
}

static void test_connect_timeout(void **state)
{
	struct ssh_pool *p = ssh_pool_new(&base_cfg);
	struct ssh_target t = { .host = "127.0.0.1" };
	struct ssh_result_owned r = SSH_RESULT_OWNED_INIT;
	int fd = silent_listener(&t.port);
	double t0 = now_s(), dt;

	(void)state;
	assert_non_null(p);
	assert_int_equal(ssh_pool_exec_sync(p, &t, "true", 30, &r), 0);
	dt = now_s() - t0;
	assert_int_equal(r.rc, -ETIMEDOUT);
	assert_non_null(strstr(r.message, "ssh handshake"));
	assert_true(dt >= 0.9 && dt < 2.5);
	ssh_result_owned_release(&r);
	ssh_pool_free(p);
	close(fd);
}

struct counter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int left, rc_seen[4];
};

static void count_done(void *arg, const struct ssh_result *res)
{
	struct counter *c = arg;

	pthread_mutex_lock(&c->lock);
	if (res->rc == -ETIMEDOUT)
		c->rc_seen[0]++;
	else if (res->rc == -ESHUTDOWN)
		c->rc_seen[1]++;
	else
		c->rc_seen[2]++;
	c->left--;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void test_bounded_handshakes(void **state)
{
	struct ssh_pool_config cfg = base_cfg;
	struct counter c = { PTHREAD_MUTEX_INITIALIZER,
			     PTHREAD_COND_INITIALIZER, 5, { 0 } };
	struct ssh_target t = { .host = "127.0.0.1" };
	struct ssh_pool *p;
	int fds[5];
	double t0 = now_s(), dt;

	(void)state;
	cfg.max_connecting = 2;
	p = ssh_pool_new(&cfg);
	assert_non_null(p);
	for (int i = 0; i < 5; i++) {
		fds[i] = silent_listener(&t.port);
		assert_int_equal(ssh_pool_exec(p, &t, "true", 30, count_done,
					       &c), 0);
	}
	usleep(300 * 1000);
	assert_int_equal(ssh_pool_connects(p), 2);   /* the rest queue */
	pthread_mutex_lock(&c.lock);
	while (c.left > 0)
		pthread_cond_wait(&c.cond, &c.lock);
	pthread_mutex_unlock(&c.lock);
	dt = now_s() - t0;
	assert_int_equal(c.rc_seen[0], 5);
	assert_true(dt >= 2.8 && dt < 4.5);          /* 3 waves of 1 s */
	ssh_pool_free(p);
	for (int i = 0; i < 5; i++)
		close(fds[i]);
}

static void test_shutdown_fails_queued(void **state)
{
	struct ssh_pool_config cfg = base_cfg;
	struct counter c = { PTHREAD_MUTEX_INITIALIZER,
			     PTHREAD_COND_INITIALIZER, 3, { 0 } };
	struct ssh_target t = { .host = "127.0.0.1" };
	struct ssh_pool *p;
	int fd = silent_listener(&t.port);

	(void)state;
	cfg.connect_timeout_s = 30;
	p = ssh_pool_new(&cfg);
	assert_non_null(p);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ssh_pool_exec(p, &t, "true", 0, count_done,
					       &c), 0);
	usleep(100 * 1000);
	ssh_pool_free(p);                            /* calls back first */
	assert_int_equal(c.left, 0);
	assert_int_equal(c.rc_seen[1], 3);
	close(fd);
}

struct nested {
	struct ssh_pool *pool;
	int rc;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
};

static void nested_done(void *arg, const struct ssh_result *res)
{
	struct nested *n = arg;
	struct ssh_target t = { .host = "127.0.0.1", .port = 1 };
	struct ssh_result_owned r = SSH_RESULT_OWNED_INIT;

	(void)res;
	pthread_mutex_lock(&n->lock);
	n->rc = ssh_pool_exec_sync(n->pool, &t, "true", 0, &r);
	n->done = true;
	pthread_cond_signal(&n->cond);
	pthread_mutex_unlock(&n->lock);
}

static void test_sync_in_callback_refused(void **state)
{
	struct nested n = { .lock = PTHREAD_MUTEX_INITIALIZER,
			    .cond = PTHREAD_COND_INITIALIZER };
	struct ssh_target t = { .host = "127.0.0.1", .port = closed_port() };

	(void)state;
	n.pool = ssh_pool_new(&base_cfg);
	assert_non_null(n.pool);
	assert_int_equal(ssh_pool_exec(n.pool, &t, "true", 0, nested_done,
				       &n), 0);
	pthread_mutex_lock(&n.lock);
	while (!n.done)
		pthread_cond_wait(&n.cond, &n.lock);
	pthread_mutex_unlock(&n.lock);
	assert_int_equal(n.rc, -EDEADLK);
	ssh_pool_free(n.pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostkey_decide),
		cmocka_unit_test(test_signal_number),
		cmocka_unit_test(test_jlist),
		cmocka_unit_test(test_host_key),
		cmocka_unit_test(test_config_checks),
		cmocka_unit_test(test_exec_argument_checks),
		cmocka_unit_test(test_connection_refused_and_backoff),
		cmocka_unit_test(test_connect_timeout),
		cmocka_unit_test(test_bounded_handshakes),
		cmocka_unit_test(test_shutdown_fails_queued),
		cmocka_unit_test(test_sync_in_callback_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
