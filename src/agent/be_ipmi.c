/* The IPMI back end: IPMI agents ("#!/usr/bin/env sysman-ipmi" and a
 * property name) served inside sysmand over the persistent RMCP+ sessions
 * of src/ipmi (libfreeipmi); no process per request (docs/sysman-agent.7,
 * IPMI AGENTS).
 *
 * The BMC: for a server, its paired BMC (attribute bmc=ADDR, its own or
 * a group's: agent_device_attrs()); for any other device, its address;
 * either may be ADDR:PORT, else ipmi_port applies.  Credentials: the
 * nearest ids entry not labelled "ssh", as for every agent.  Bad input
 * is refused before the address, the credentials or the network are
 * looked at.  Every property of ipmi/pool.h is served here; an agent file
 * naming another property, or a sysmand built without libfreeipmi, runs
 * the file as a process. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/backend.h"
#include "conf/conf.h"
#include "db/inventory.h"
#include "special/ids.h"
#include "util/log.h"
#include "util/strutil.h"

#ifdef SYSMAN_HAVE_IPMI
#include "ipmi/pool.h"
#endif


struct ipmi_run {
	struct agent_layer *al;
	char path[PATH_MAX];
	char prop[AGENT_PROP_MAX];
	enum agent_op op;
	char *input;
	size_t input_len;
	char user[IDS_USER_MAX];
	char *password;                /* sodium; NULL: none found */
};

static void ipmi_run_free(void *data)
{
	struct ipmi_run *ir = data;

	if (!ir)
		return;
	free(ir->input);
	ids_pass_free(ir->password);
	free(ir);
}

/* The device's BMC address, as lib/ipmi-agent finds it.  Returns 0, or
 * an exit code with msg set.  Shared with the Redfish back end. */
int agent_bmc_address(struct agent_layer *al, const char *path, char *addr, size_t len, char *msg,
		       size_t msglen)
{
	struct device d = { 0 };
	bool found = al->inv && inventory_find(al->inv, path, &d) == 0;
	char *attrs = NULL;
	int rc = 0;

	addr[0] = '\0';
	if ((found && strcmp(d.kind, "server") == 0) || strncmp(path, "/systems/servers/", 17) == 0) {
		/* bmc= may come from a group (blades sharing one BMC) */
		if (found && agent_device_attrs(al, &d, &attrs) == 0)
			device_attr(attrs, "bmc", addr, len);
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
	free(attrs);
	device_release(&d);
	return rc;
}

#ifdef SYSMAN_HAVE_IPMI
static void ipmi_done(void *arg, const struct ipmi_result *res)
{
	struct job *j = arg;
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct agent_result ar;

	memset(&ar, 0, sizeof(ar));
	if (res->rc == 0) {
		buf_append(&out, res->text, res->text_len);
		ar.message = "";
	} else {
		buf_printf(&err, "%s\n", res->message);
		ar.message = res->message;
	}
	ar.rc = res->rc < 0 ? -res->rc : res->rc;
	ar.out = &out;
	ar.err = &err;
	runner_job_done(j, &ar);
	buf_release(&out);
	buf_release(&err);
}

static int ipmi_start(void *data, struct job *j, int timeout_s)
{
	struct ipmi_run *ir = data;
	struct agent_layer *al = ir->al;
	char addr[256], host[256], msg[512];
	struct ipmi_target t = { 0 };
	struct ipmi_request rq = {
		.write = ir->op == AGENT_WRITE,
		.input = ir->input ? ir->input : "",
		.input_len = ir->input_len,
	};
	int rc;

	(void)timeout_s;   /* the pool's own: ipmi_timeout per request */
	if (ipmi_prop_lookup(ir->prop, &rq.prop) < 0) {
		agent_fail_now(j, EINVAL, "no IPMI property '%s'", ir->prop);
		return 0;
	}
	/* bad input is refused before the address, credentials or network */
	rc = ipmi_request_check(&rq, msg, sizeof(msg));
	if (rc < 0) {
		agent_fail_now(j, -rc, "%s", msg);
		return 0;
	}
	rc = agent_bmc_address(al, ir->path, addr, sizeof(addr), msg, sizeof(msg));
	if (rc) {
		agent_fail_now(j, rc, "%s", msg);
		return 0;
	}
	if (str_split_hostport(addr, al->conf->ipmi_port, host, sizeof(host), &t.port) < 0) {
		agent_fail_now(j, EINVAL, "bad BMC address '%s'", addr);
		return 0;
	}
	if (strchr(host, ':')) {
		agent_fail_now(j, EINVAL, "BMC %s: IPv6 addresses are not supported (libfreeipmi)", host);
		return 0;
	}
	if (!ir->password) {
		agent_fail_now(j, EACCES, "no credentials for BMC %s: write \"user password\" into an ids file",
			       host);
		return 0;
	}
	t.host = host;
	t.user = ir->user;
	t.password = ir->password;
	return ipmi_pool_submit(al->ipmi, &t, &rq, ipmi_done, j);
}
#endif

static int ipmi_prepare(struct agent_prep *p)
{
#ifdef SYSMAN_HAVE_IPMI
	struct agent_layer *al = p->al;
	struct ipmi_run *ir = calloc(1, sizeof(*ir));

	if (!ir)
		return -ENOMEM;
	ir->al = al;
	ir->op = p->c->op;
	str_copy(ir->prop, sizeof(ir->prop), p->f->prop);
	if (str_copy(ir->path, sizeof(ir->path), p->c->path) < 0) {
		ipmi_run_free(ir);
		return -ENAMETOOLONG;
	}
	if (p->c->input) {
		ir->input = malloc(p->c->input_len + 1);
		if (!ir->input) {
			ipmi_run_free(ir);
			return -ENOMEM;
		}
		memcpy(ir->input, p->c->input, p->c->input_len);
		ir->input[p->c->input_len] = '\0';
		ir->input_len = p->c->input_len;
	}
	if (al->ids)
		ids_store_find(al->ids, p->c->path, NULL, ir->user, &ir->password, NULL, 0);
	p->rq->klass = RUNNER_IPMI;
	p->rq->start = ipmi_start;
	p->rq->data = ir;
	p->rq->data_free = ipmi_run_free;
	return 0;
#else
	(void)p;
	(void)ipmi_run_free;
	return -ENOTSUP;
#endif
}

static bool ipmi_serves(struct agent_layer *al, const struct agent_file *f)
{
#ifdef SYSMAN_HAVE_IPMI
	enum ipmi_prop prop;

	return al->ipmi && f->kind == AGENT_KIND_IPMI && ipmi_prop_lookup(f->prop, &prop) == 0;
#else
	(void)al;
	(void)f;
	return false;
#endif
}

static int ipmi_backend_start(struct agent_layer *al)
{
#ifdef SYSMAN_HAVE_IPMI
	const struct conf *c = al->conf;
	struct ipmi_pool_config cfg = {
		.threads = c->ipmi_threads,
		.timeout_ms = c->ipmi_timeout * 1000,
		.cipher_suite = c->ipmi_cipher,
		.idle_s = c->ipmi_session_idle ? c->ipmi_session_idle : -1,
		.port = c->ipmi_port,
	};

	al->ipmi = ipmi_pool_new(&cfg);
	if (!al->ipmi) {
		int e = errno;

		log_err("cannot start the IPMI pool: %s", strerror(e));
		return -e;
	}
	/* more in flight than workers only queues inside the pool */
	runner_set_limit(al->runner, RUNNER_IPMI, c->ipmi_threads * 4);
#else
	(void)al;
	log_info("built without libfreeipmi: IPMI agents run as processes (lib/ipmi-agent)");
#endif
	return 0;
}

static void ipmi_backend_stop(struct agent_layer *al)
{
#ifdef SYSMAN_HAVE_IPMI
	struct ipmi_pool_stats st;

	if (!al->ipmi)
		return;
	ipmi_pool_stats(al->ipmi, &st);
	log_info("ipmi: %lu sessions opened (%lu failed, %lu replaced), %lu commands, %lu keepalives",
		 st.opens, st.open_fails, st.reopens, st.commands, st.keepalives);
	ipmi_pool_free(al->ipmi);
	al->ipmi = NULL;
#else
	(void)al;
#endif
}

const struct agent_backend agent_be_ipmi = {
	.name = "ipmi",
	.klass = RUNNER_IPMI,
	.start = ipmi_backend_start,
	.stop = ipmi_backend_stop,
	.serves = ipmi_serves,
	.prepare = ipmi_prepare,
};
