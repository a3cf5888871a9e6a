/* Remote agents over the SSH pool (see remote.h). */
#include "fs/remote.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/inventory.h"
#include "fs/ipmi_agent.h"
#include "special/ids.h"
#include "ssh/pool.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/strutil.h"

#define REMOTE_INPUT_MAX (64 * 1024)

int remote_load(const char *exec, struct buf *body)
{
	static const char *const shebangs[] = {
		"#!/usr/bin/env sysman-remote\n", "#!sysman-remote\n",
	};
	int r = buf_read_file(body, exec);

	if (r < 0)
		return 0;   /* not readable here: the runner reports it */
	for (size_t i = 0; i < sizeof(shebangs) / sizeof(shebangs[0]); i++) {
		size_t n = strlen(shebangs[i]);

		if (body->len >= n && memcmp(body->data, shebangs[i], n) == 0) {
			/* keep only the script below the interpreter line */
			memmove(body->data, body->data + n, body->len - n + 1);
			body->len -= n;
			return 1;
		}
	}
	return 0;
}

/* Appends NAME='value' with the value quoted for sh. */
static void sh_assign(struct buf *b, const char *name, const char *v, size_t len)
{
	buf_printf(b, "%s='", name);
	for (size_t i = 0; i < len; i++) {
		if (v[i] == '\'')
			buf_append_str(b, "'\\''");
		else
			buf_append(b, &v[i], 1);
	}
	buf_append_str(b, "'\n");
}

struct remote_run {
	struct run_ctx *c;
	char *password;                /* sodium-wiped by ids_pass_free */
};

static void remote_done(void *arg, const struct ssh_result *sr)
{
	struct remote_run *rr = arg;
	struct agent_result res;
	char msg[512];

	memset(&res, 0, sizeof(res));
	res.out = sr->out;
	res.err = sr->err;
	res.truncated = sr->out->truncated;
	msg[0] = '\0';
	if (sr->rc == 0) {
		const char *e = buf_str(sr->err);

		res.rc = sr->exit_status < 0 ? 255 : sr->exit_status;
		snprintf(msg, sizeof(msg), "%.*s", (int)strcspn(e, "\n"), e);
	} else {
		res.rc = sr->rc == -ETIMEDOUT ? AGENT_RC_TIMEOUT : 255;
		res.timed_out = sr->rc == -ETIMEDOUT;
		snprintf(msg, sizeof(msg), "%s", sr->message);
	}
	if (res.truncated) {
		size_t l = strlen(msg);

		snprintf(msg + l, sizeof(msg) - l, "%soutput truncated at %zu bytes", l ? "; " : "",
			 sr->out->len);
	}
	res.message = msg;
	ids_pass_free(rr->password);
	sm_run_done(rr->c, &res);
	free(rr);
}

static int build_script(struct sysman *sm, const struct sm_run_opts *o, const struct device *d,
			const struct buf *body, struct buf *script)
{
	char file[PATH_MAX];

	snprintf(file, sizeof(file), "%s%s", strcmp(sm->mount, "/") ? sm->mount : "", o->path);
	sh_assign(script, "SYSMAN_PATH", o->path, strlen(o->path));
	sh_assign(script, "SYSMAN_FILE", file, strlen(file));
	sh_assign(script, "SYSMAN_OP", agent_op_name(o->op), strlen(agent_op_name(o->op)));
	sh_assign(script, "SYSMAN_ADDRESS", d->address, strlen(d->address));
	sh_assign(script, "SYSMAN_DEVICE", d->path, strlen(d->path));
	if (o->input) {
		size_t n = o->input_len;

		if (n && o->input[n - 1] == '\n')
			n--;
		sh_assign(script, "SYSMAN_INPUT", o->input, n);
	} else {
		sh_assign(script, "SYSMAN_INPUT", "", 0);
	}
	buf_append_str(script, "export SYSMAN_PATH SYSMAN_FILE SYSMAN_OP SYSMAN_ADDRESS SYSMAN_DEVICE SYSMAN_INPUT\n");
	buf_append(script, body->data, body->len);
	return script->truncated ? -E2BIG : 0;
}

int remote_submit(struct sysman *sm, struct run_ctx *c, const struct sm_run_opts *o,
		  const struct buf *body)
{
	struct remote_run *rr = NULL;
	struct device d = { 0 };
	struct buf script;
	struct ssh_target t;
	char host[256], user[IDS_USER_MAX], *colon;
	int r;

	buf_init(&script, REMOTE_INPUT_MAX * 4 + 65536);
	if (!sm->ssh)
		return -ENOTCONN;
	if (o->input_len > REMOTE_INPUT_MAX)
		return -E2BIG;
	r = inventory_find(sm->inv, o->path, &d);
	if (r < 0)
		return -ENXIO;   /* no device address for this path */
	r = build_script(sm, o, &d, body, &script);
	if (r < 0)
		goto out;
	rr = calloc(1, sizeof(*rr));
	if (!rr) {
		r = -ENOMEM;
		goto out;
	}
	rr->c = c;
	memset(&t, 0, sizeof(t));
	str_copy(host, sizeof(host), d.address);
	colon = strrchr(host, ':');
	t.port = sm->conf.ssh_port;
	if (colon && strchr(host, ':') == colon) {   /* ADDR:PORT, not IPv6 */
		*colon = '\0';
		if (parse_int(colon + 1, 1, 65535, &t.port) < 0)
			t.port = sm->conf.ssh_port;
	}
	t.host = host;
	t.user = sm->conf.ssh_user;
	if (ids_store_find(sm->ids, o->path, "ssh", user, &rr->password, NULL, 0) == 0) {
		t.user = user;
		t.password = rr->password;
	}
	r = ssh_pool_exec(sm->ssh, &t, buf_str(&script), sm->conf.agent_timeout, remote_done, rr);
	if (r < 0) {
		ids_pass_free(rr->password);
		free(rr);
	}
out:
	device_release(&d);
	buf_release(&script);
	return r;
}

int remote_start(struct sysman *sm)
{
	struct ssh_pool_config cfg;
	char kh[PATH_MAX], *slash;

	memset(&cfg, 0, sizeof(cfg));
	cfg.key_path = access(sm->conf.ssh_key, R_OK) == 0 ? sm->conf.ssh_key : NULL;
	if (!cfg.key_path)
		log_warn("ssh_key '%s' is not readable: SSH logins need a password in an ids file (name=ssh)",
			 sm->conf.ssh_key);
	cfg.known_hosts = sm->conf.ssh_known_hosts;
	str_copy(kh, sizeof(kh), sm->conf.ssh_known_hosts);
	slash = strrchr(kh, '/');
	if (slash && slash != kh) {
		*slash = '\0';
		mkdir(kh, 0700);
	}
	cfg.host_key_policy = sm->conf.ssh_host_key_policy == HOSTKEY_STRICT ? SSH_POLICY_STRICT
									      : SSH_POLICY_ACCEPT_NEW;
	cfg.connect_timeout_s = sm->conf.ssh_connect_timeout;
	cfg.command_timeout_s = sm->conf.agent_timeout;
	cfg.output_max = (size_t)sm->conf.agent_output_max;
	cfg.max_connecting = 64;
	sm->ssh = ssh_pool_new(&cfg);
	if (!sm->ssh) {
		log_err("cannot start the SSH pool: %s", strerror(errno));
		return -errno;
	}
	/* the other in-daemon agents: IPMI over RMCP+ */
	return ipmi_agent_start(sm);
}

void remote_stop(struct sysman *sm)
{
	ipmi_agent_stop(sm);
	ssh_pool_free(sm->ssh);
	sm->ssh = NULL;
}
