/* The Redfish back end: the IPMI agent files ("#!/usr/bin/env sysman-ipmi"
 * and a property) of a BMC whose attributes say protocol=redfish are
 * served inside sysmand over src/redfish (HTTPS, one session per BMC), so
 * a Redfish BMC shows the same files with the same texts
 * (docs/sysman-agent.7, REDFISH BMCS).
 *
 * The BMC: as for IPMI (agent_bmc_address); its protocol and verify
 * attributes are those of the device record whose address is the BMC's
 * (the BMC itself, or the BMC a server is paired with), its own or its
 * groups' (agent_device_attrs(): the record's own win).  Port: ADDR:PORT,
 * else redfish_port.  TLS verified unless verify=no or redfish_verify =
 * no.  Credentials: the nearest ids entry, as for IPMI.  Properties
 * Redfish does not serve (temperature_mp) fail with EOPNOTSUPP (never
 * IPMI instead: the BMC may not speak it). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/backend.h"
#include "conf/conf.h"
#include "db/inventory.h"
#include "special/ids.h"
#include "util/log.h"
#include "util/strutil.h"

#ifdef SYSMAN_HAVE_REDFISH
#include "redfish/pool.h"
#endif

struct bmc_attrs {
	char protocol[16];
	char verify[8];
};

/* The first device record whose address is addr: its path and own
 * attributes, copied (the inventory's lock is held here). */
struct bmc_match {
	const char *addr;
	struct device d;
	bool found;
};

static int match_bmc(const struct device *d, void *arg)
{
	struct bmc_match *m = arg;

	if (m->found || !d->address || strcmp(d->address, m->addr) != 0)
		return 0;
	m->found = true;
	m->d.path = strdup(d->path);
	m->d.attrs = strdup(d->attrs ? d->attrs : "");
	return 0;
}

/* The protocol and verify attributes of the BMC of path: those of the
 * device record whose address is the BMC's, its own or its groups'
 * (agent_device_attrs()).  False if there is no such record. */
static bool bmc_attrs(struct agent_layer *al, const char *path, char *addr, size_t len,
		      struct bmc_attrs *ret)
{
	struct bmc_match m = { .addr = addr };
	char msg[256], *attrs = NULL;
	bool ok;

	memset(ret, 0, sizeof(*ret));
	if (!al->inv || agent_bmc_address(al, path, addr, len, msg, sizeof(msg)) != 0)
		return false;
	inventory_each(al->inv, match_bmc, &m);
	ok = m.found && m.d.path && m.d.attrs && agent_device_attrs(al, &m.d, &attrs) == 0;
	if (ok) {
		device_attr(attrs, "protocol", ret->protocol, sizeof(ret->protocol));
		device_attr(attrs, "verify", ret->verify, sizeof(ret->verify));
	}
	free(attrs);
	device_release(&m.d);
	return ok;
}

bool agent_redfish_wants(struct agent_layer *al, const struct agent_file *f, const char *path)
{
	char addr[256];
	struct bmc_attrs a;

	(void)f;
	return bmc_attrs(al, path, addr, sizeof(addr), &a) && strcmp(a.protocol, "redfish") == 0;
}

struct rf_run {
	struct agent_layer *al;
	char path[PATH_MAX];
	char prop[AGENT_PROP_MAX];
	enum agent_op op;
	char *input;
	size_t input_len;
	char user[IDS_USER_MAX];
	char *password;                /* sodium; NULL: none found */
};

static void rf_run_free(void *data)
{
	struct rf_run *rr = data;

	if (!rr)
		return;
	free(rr->input);
	ids_pass_free(rr->password);
	free(rr);
}

#ifdef SYSMAN_HAVE_REDFISH
static void rf_done(void *arg, const struct rf_result *res)
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

static int rf_start(void *data, struct job *j, int timeout_s)
{
	struct rf_run *rr = data;
	struct agent_layer *al = rr->al;
	char addr[256], host[256], msg[512];
	struct bmc_attrs a;
	struct rf_target t = { .verify = -1 };
	struct rf_request rq = {
		.write = rr->op == AGENT_WRITE,
		.input = rr->input ? rr->input : "",
		.input_len = rr->input_len,
	};
	int rc;

	/* the run's time-out bounds every exchange of it (runner.h: a back
	 * end enforces its own) */
	t.deadline_ms = timeout_s > 0 ? timeout_s * 1000 : 0;
	if (rf_prop_lookup(rr->prop, &rq.prop) < 0) {
		agent_fail_now(j, EOPNOTSUPP, "%s is not served over Redfish yet (protocol=redfish)", rr->prop);
		return 0;
	}
	rc = rf_request_check(&rq, msg, sizeof(msg));
	if (rc < 0) {
		agent_fail_now(j, -rc, "%s", msg);
		return 0;
	}
	if (!bmc_attrs(al, rr->path, addr, sizeof(addr), &a)) {
		agent_fail_now(j, ENOENT, "no Redfish BMC for %s", rr->path);
		return 0;
	}
	if (str_split_hostport(addr, al->conf->redfish_port, host, sizeof(host), &t.port) < 0) {
		agent_fail_now(j, EINVAL, "bad BMC address '%s'", addr);
		return 0;
	}
	if (strcmp(a.verify, "no") == 0)
		t.verify = 0;
	else if (strcmp(a.verify, "yes") == 0)
		t.verify = 1;
	if (!rr->password) {
		agent_fail_now(j, EACCES, "no credentials for BMC %s: write \"user password\" into an ids file",
			       host);
		return 0;
	}
	t.host = host;
	t.user = rr->user;
	t.password = rr->password;
	return rf_pool_submit(al->redfish, &t, &rq, rf_done, j);
}
#endif

static int rf_prepare(struct agent_prep *p)
{
#ifdef SYSMAN_HAVE_REDFISH
	struct agent_layer *al = p->al;
	struct rf_run *rr;

	if (!al->redfish)
		return -ENOTSUP;
	rr = calloc(1, sizeof(*rr));
	if (!rr)
		return -ENOMEM;
	rr->al = al;
	rr->op = p->c->op;
	str_copy(rr->prop, sizeof(rr->prop), p->f->prop);
	if (str_copy(rr->path, sizeof(rr->path), p->c->path) < 0) {
		rf_run_free(rr);
		return -ENAMETOOLONG;
	}
	if (p->c->input) {
		rr->input = malloc(p->c->input_len + 1);
		if (!rr->input) {
			rf_run_free(rr);
			return -ENOMEM;
		}
		memcpy(rr->input, p->c->input, p->c->input_len);
		rr->input[p->c->input_len] = '\0';
		rr->input_len = p->c->input_len;
	}
	if (al->ids)
		ids_store_find(al->ids, p->c->path, NULL, rr->user, &rr->password, NULL, 0);
	p->rq->klass = RUNNER_REDFISH;
	p->rq->start = rf_start;
	p->rq->data = rr;
	p->rq->data_free = rf_run_free;
	return 0;
#else
	(void)p;
	(void)rf_run_free;
	return -ENOTSUP;
#endif
}

/* Chosen by agent_redfish_wants(), never by a file's kind. */
static bool rf_serves(struct agent_layer *al, const struct agent_file *f)
{
	(void)al;
	(void)f;
	return false;
}

static int rf_backend_start(struct agent_layer *al)
{
#ifdef SYSMAN_HAVE_REDFISH
	struct rf_pool_config cfg = {
		/* a read may take two exchanges: both fit in the run's time-out */
		.timeout_ms = al->conf->agent_timeout * 400 < 5000 ? al->conf->agent_timeout * 400 : 5000,
		.port = al->conf->redfish_port,
		.verify = al->conf->redfish_verify,
	};

	al->redfish = rf_pool_new(&cfg);
	if (!al->redfish) {
		int e = errno;

		log_err("cannot start the Redfish pool: %s", strerror(e));
		return -e;
	}
	runner_set_limit(al->runner, RUNNER_REDFISH, 1024);
#else
	(void)al;
	log_info("built without libcurl/jansson: Redfish BMCs are not served");
#endif
	return 0;
}

static void rf_backend_stop(struct agent_layer *al)
{
#ifdef SYSMAN_HAVE_REDFISH
	struct rf_pool_stats st;

	if (!al->redfish)
		return;
	rf_pool_stats(al->redfish, &st);
	log_info("redfish: %lu sessions opened (%lu failed, %lu renewed), %lu requests, %lu HTTP exchanges, "
		 "%lu retries", st.logins, st.login_fails, st.relogins, st.requests, st.http, st.retries);
	rf_pool_free(al->redfish);
	al->redfish = NULL;
#else
	(void)al;
#endif
}

const struct agent_backend agent_be_redfish = {
	.name = "redfish",
	.klass = RUNNER_REDFISH,
	.start = rf_backend_start,
	.stop = rf_backend_stop,
	.serves = rf_serves,
	.prepare = rf_prepare,
};
