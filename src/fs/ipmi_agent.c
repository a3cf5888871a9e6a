/* IPMI agents served inside sysmand (see ipmi_agent.h). */
#include "fs/ipmi_agent.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/inventory.h"
#include "special/ids.h"
#include "util/log.h"
#include "util/strutil.h"

#ifdef SYSMAN_HAVE_IPMI
#include <pthread.h>

#include "ipmi/pool.h"

/* The daemon's pool (one sysmand per process): set before the FUSE loop
 * starts; pool_lock keeps a submit in progress from racing the stop
 * (periodic runs may still start while sysmand stops). */
static struct ipmi_pool *pool;
static pthread_rwlock_t pool_lock = PTHREAD_RWLOCK_INITIALIZER;
#endif

#define PROP_MAX 64
#define WORD_SHOWN 64

enum ipmi_prop { PROP_NONE, PROP_POWER };

/* The property an IPMI agent file names, or PROP_NONE when body is not
 * one (or names a property not served here). */
static enum ipmi_prop agent_prop(const struct buf *body)
{
	static const char *const shebangs[] = {
		"#!/usr/bin/env sysman-ipmi\n", "#!sysman-ipmi\n",
	};
	const char *p = NULL, *data = buf_str(body);
	char prop[PROP_MAX];
	size_t n;

	for (size_t i = 0; i < sizeof(shebangs) / sizeof(shebangs[0]); i++) {
		n = strlen(shebangs[i]);
		if (body->len >= n && memcmp(data, shebangs[i], n) == 0)
			p = data + n;
	}
	if (!p)
		return PROP_NONE;
	/* the first line that is neither blank nor a comment */
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '#')
			p += strcspn(p, "\n");
		if (*p != '\n')
			break;
		p++;
	}
	n = strcspn(p, " \t\r\n");
	if (n == 0 || n >= sizeof(prop))
		return PROP_NONE;
	memcpy(prop, p, n);
	prop[n] = '\0';
	return strcmp(prop, "power") == 0 ? PROP_POWER : PROP_NONE;
}

bool ipmi_agent_match(struct sysman *sm, const struct sm_run_opts *o, const struct buf *body)
{
#ifdef SYSMAN_HAVE_IPMI
	bool up;

	(void)sm;
	pthread_rwlock_rdlock(&pool_lock);
	up = pool != NULL;
	pthread_rwlock_unlock(&pool_lock);
	return up && (o->op == AGENT_READ || o->op == AGENT_WRITE) && agent_prop(body) == PROP_POWER;
#else
	(void)sm;
	(void)o;
	(void)body;
	return false;
#endif
}

/* Completes c at once, with a failure found before the network. */
static void finish_now(struct run_ctx *c, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void finish_now(struct run_ctx *c, int rc, const char *fmt, ...)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct agent_result res;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_printf(&err, "%s\n", msg);
	memset(&res, 0, sizeof(res));
	res.rc = rc;
	res.out = &out;
	res.err = &err;
	res.message = msg;
	sm_run_done(c, &res);
	buf_release(&out);
	buf_release(&err);
}

/* The first word of what was written, at most len - 1 bytes, as
 * lib/ipmi-agent takes it (surrounding whitespace ignored). */
static void first_word(const struct sm_run_opts *o, char *word, size_t len)
{
	const char *p = o->input ? o->input : "", *end = p + (o->input ? o->input_len : 0);
	size_t n = 0;

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (p < end && !isspace((unsigned char)*p) && n + 1 < len)
		word[n++] = *p++;
	word[n] = '\0';
}

/* The device's BMC address, as lib/ipmi-agent finds it.  Returns 0, or
 * an exit code with msg set. */
static int bmc_address(struct sysman *sm, const char *path, char *addr, size_t len, char *msg,
		       size_t msglen)
{
	struct device d = { 0 };
	bool found = sm->inv && inventory_find(sm->inv, path, &d) == 0;
	int rc = 0;

	addr[0] = '\0';
	if ((found && strcmp(d.kind, "server") == 0) || strncmp(path, "/systems/servers/", 17) == 0) {
		if (found)
			device_attr(d.attrs, "bmc", addr, len);
		if (!addr[0]) {
			snprintf(msg, msglen, "no BMC is paired with this server (discover it with "
				 "\"server <address> bmc=<bmc-address>\")");
			rc = ENOENT;
		}
	} else if (found && d.address[0]) {
		str_copy(addr, len, d.address);
	} else if (strncmp(path, "/systems/bmcs/", 14) == 0 || strncmp(path, "/systems/chassis/", 17) == 0) {
		const char *p = strchr(path + 9, '/') + 1;
		size_t n = strcspn(p, "/");

		if (p[n] == '/')
			snprintf(addr, len, "%.*s", (int)n, p);
	}
	if (!rc && !addr[0]) {
		snprintf(msg, msglen, "no device address (SYSMAN_ADDRESS unset)");
		rc = EINVAL;
	}
	device_release(&d);
	return rc;
}

/* "H", "H:P" or "[V6]:P" into host and port (default_port if none).
 * Returns 0 or -EINVAL. */
static int split_hostport(const char *addr, int default_port, char *host, size_t len, int *ret_port)
{
	const char *colon = strchr(addr, ':');

	*ret_port = default_port;
	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (!close || (close[1] && (close[1] != ':' || parse_int(close + 2, 1, 65535, ret_port) < 0)))
			return -EINVAL;
		return str_printf(host, len, "%.*s", (int)(close - addr - 1), addr + 1) < 0 ? -EINVAL : 0;
	}
	if (colon && !strchr(colon + 1, ':')) {
		if (parse_int(colon + 1, 1, 65535, ret_port) < 0)
			return -EINVAL;
		return str_printf(host, len, "%.*s", (int)(colon - addr), addr) < 0 ? -EINVAL : 0;
	}
	return str_copy(host, len, addr) < 0 ? -EINVAL : 0;
}

#ifdef SYSMAN_HAVE_IPMI
struct ipmi_run {
	struct run_ctx *c;
	enum ipmi_op op;
};

static void ipmi_done(void *arg, const struct ipmi_result *ir)
{
	struct ipmi_run *run = arg;
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct agent_result res;

	memset(&res, 0, sizeof(res));
	if (ir->rc == 0) {
		buf_printf(&out, "%s\n", ipmi_power_word(run->op, ir->power));
		res.message = "";
	} else {
		buf_printf(&err, "%s\n", ir->message);
		res.message = ir->message;
	}
	res.rc = ir->rc < 0 ? -ir->rc : ir->rc;
	res.out = &out;
	res.err = &err;
	res.ms = ir->ms;
	sm_run_done(run->c, &res);
	buf_release(&out);
	buf_release(&err);
	free(run);
}
#endif

int ipmi_agent_submit(struct sysman *sm, struct run_ctx *c, const struct sm_run_opts *o,
		      const struct buf *body)
{
#ifdef SYSMAN_HAVE_IPMI
	char word[WORD_SHOWN + 1], addr[256], host[256], msg[512], user[IDS_USER_MAX], *pass = NULL;
	struct ipmi_target t = { 0 };
	enum ipmi_op op = IPMI_POWER_STATUS;
	struct ipmi_run *run;
	int rc, r;

	if (agent_prop(body) != PROP_POWER)
		return -ENOTSUP;
	/* bad input is refused before the address, credentials or network */
	if (o->op == AGENT_WRITE) {
		first_word(o, word, sizeof(word));
		if (ipmi_power_parse(word, &op) < 0) {
			finish_now(c, EINVAL, "invalid power value '%s': expected on, off, cycle, reset, "
				   "soft, 1 or 0", word);
			return 0;
		}
	}
	rc = bmc_address(sm, o->path, addr, sizeof(addr), msg, sizeof(msg));
	if (rc) {
		finish_now(c, rc, "%s", msg);
		return 0;
	}
	if (split_hostport(addr, sm->conf.ipmi_port, host, sizeof(host), &t.port) < 0) {
		finish_now(c, EINVAL, "bad BMC address '%s'", addr);
		return 0;
	}
	if (strchr(host, ':')) {
		finish_now(c, EINVAL, "BMC %s: IPv6 addresses are not supported (libfreeipmi)", host);
		return 0;
	}
	if (!sm->ids || ids_store_find(sm->ids, o->path, NULL, user, &pass, NULL, 0) < 0) {
		finish_now(c, EACCES, "no credentials for BMC %s: write \"user password\" into an ids file",
			   host);
		return 0;
	}
	run = calloc(1, sizeof(*run));
	if (!run) {
		ids_pass_free(pass);
		return -ENOMEM;
	}
	run->c = c;
	run->op = op;
	t.host = host;
	t.user = user;
	t.password = pass;
	pthread_rwlock_rdlock(&pool_lock);
	r = pool ? ipmi_pool_submit(pool, &t, op, ipmi_done, run) : -ESHUTDOWN;
	pthread_rwlock_unlock(&pool_lock);
	ids_pass_free(pass);
	if (r < 0) {
		free(run);
		return r;
	}
	return 0;
#else
	(void)sm;
	(void)c;
	(void)o;
	(void)body;
	(void)finish_now;
	(void)first_word;
	(void)bmc_address;
	(void)split_hostport;
	(void)agent_prop;
	return -ENOTSUP;
#endif
}

int ipmi_agent_start(struct sysman *sm)
{
#ifdef SYSMAN_HAVE_IPMI
	struct ipmi_pool_config cfg = {
		.threads = sm->conf.ipmi_threads,
		.timeout_ms = sm->conf.ipmi_timeout * 1000,
		.cipher_suite = sm->conf.ipmi_cipher,
		.idle_s = sm->conf.ipmi_session_idle ? sm->conf.ipmi_session_idle : -1,
		.port = sm->conf.ipmi_port,
	};

	pool = ipmi_pool_new(&cfg);
	if (!pool) {
		int e = errno;

		log_err("cannot start the IPMI pool: %s", strerror(e));
		return -e;
	}
#else
	(void)sm;
	log_info("built without libfreeipmi: IPMI agents run as processes (lib/ipmi-agent)");
#endif
	return 0;
}

void ipmi_agent_stop(struct sysman *sm)
{
#ifdef SYSMAN_HAVE_IPMI
	struct ipmi_pool_stats st;
	struct ipmi_pool *p;

	(void)sm;
	pthread_rwlock_wrlock(&pool_lock);
	p = pool;
	pool = NULL;
	pthread_rwlock_unlock(&pool_lock);
	if (!p)
		return;
	ipmi_pool_stats(p, &st);
	log_info("ipmi: %lu sessions opened (%lu failed, %lu replaced), %lu commands, %lu keepalives",
		 st.opens, st.open_fails, st.reopens, st.commands, st.keepalives);
	ipmi_pool_free(p);
#else
	(void)sm;
#endif
}
