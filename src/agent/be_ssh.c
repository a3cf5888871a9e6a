/* The SSH back end: remote agents ("#!/usr/bin/env sysman-remote") run
 * their body as a shell script on the device over the daemon's persistent
 * SSH pool (DESIGN §6, §7; docs/sysman-agent.7, REMOTE AGENTS).
 *
 * The script sees SYSMAN_PATH, SYSMAN_FILE, SYSMAN_OP, SYSMAN_DEVICE,
 * SYSMAN_ADDRESS and SYSMAN_INPUT (the written bytes minus one trailing
 * newline).  Login: the nearest ids entry labelled "name=ssh" (password
 * auth), else ssh_user with ssh_key.  The device address may carry a port
 * (ADDR:PORT, [V6]:PORT), else ssh_port applies.  No device attribute is
 * read here, own or inherited from a group, and the script gets none
 * (no SYSMAN_ATTR_*).
 *
 * Ending a command on the host: the pool sends the "signal KILL" request
 * on a time-out, but sshd refuses it in some set-ups (root logins without
 * privilege separation, forced commands), and a lost connection sends
 * nothing.  So every script runs under a small wrapper (below): a
 * watcher reads the channel's stdin, which the pool keeps open; when the
 * channel closes
 * for whatever reason, sshd closes that pipe, the watcher reads EOF and
 * kills the whole process group of the login shell (sshd makes it a
 * group leader), the script's processes with it.  The wrapper costs one
 * fork and no exec per command. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/backend.h"
#include "conf/conf.h"
#include "db/inventory.h"
#include "special/ids.h"
#include "ssh/pool.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/strutil.h"

#define REMOTE_INPUT_MAX (64 * 1024)

/* Run by the login shell (POSIX sh), in the session and process group
 * sshd made for the command (read from /proc when there is one: a forced
 * command may have started this shell as a child of the group's leader;
 * else $$, the leader when the shell was started by sshd).  The watcher
 * is a forked subshell (no exec) reading the channel's stdin through fd 3
 * (an asynchronous list gets /dev/null as stdin unless it is redirected
 * explicitly); the script runs in the login shell itself, as it did
 * without the wrapper, with /dev/null as stdin.  After a normal end the
 * watcher is killed; after the channel closed, it kills the group. */
static const char wrapper[] =
	"exec 3<&0\n"
	"(while read -r __sm_l; do :; done\n"
	" __sm_g=$$\n"
	" if read -r __sm_st </proc/$$/stat; then set -- ${__sm_st##*\") \"}; __sm_g=$3; fi\n"
	" kill -KILL -\"$__sm_g\") <&3 >/dev/null 2>&1 &\n"
	"__sm_w=$!\n"
	"exec 3<&-\n"
	"eval \"$__sm_script\" </dev/null\n"
	"__sm_rc=$?\n"
	"kill -KILL \"$__sm_w\" 2>/dev/null\n"
	"exit \"$__sm_rc\"\n";

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

struct ssh_run {
	struct agent_layer *al;
	struct buf command;
	char host[256];
	int port;
	char user[IDS_USER_MAX];
	char *password;                /* sodium; NULL: key auth */
};

static void ssh_run_free(void *data)
{
	struct ssh_run *sr = data;

	if (!sr)
		return;
	buf_release(&sr->command);
	ids_pass_free(sr->password);
	free(sr);
}

static void ssh_done(void *arg, const struct ssh_result *sr)
{
	struct job *j = arg;
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
	res.message = msg;
	runner_job_done(j, &res);
}

static int ssh_start(void *data, struct job *j, int timeout_s)
{
	struct ssh_run *sr = data;
	struct ssh_exec_opts o = {
		.timeout_s = timeout_s < 0 ? -1 : timeout_s,
		.from_start = true,
		.hold_stdin = true,
	};
	struct ssh_target t = {
		.host = sr->host,
		.port = sr->port,
		.user = sr->user,
		.password = sr->password,
	};

	if (!sr->al->ssh)
		return -ENOTCONN;
	return ssh_pool_exec_opts(sr->al->ssh, &t, buf_str(&sr->command), &o, ssh_done, j);
}

/* The script: the environment, the agent's body, and the wrapper. */
static int build_command(struct agent_prep *p, const struct device *d, struct buf *cmd)
{
	const struct agent_call *c = p->c;
	const char *op = agent_op_name(c->op);
	struct buf script;
	int r = 0;

	buf_init(&script, REMOTE_INPUT_MAX * 4 + AGENT_BODY_MAX);
	sh_assign(&script, "SYSMAN_PATH", c->path, strlen(c->path));
	sh_assign(&script, "SYSMAN_FILE", p->file, strlen(p->file));
	sh_assign(&script, "SYSMAN_OP", op, strlen(op));
	sh_assign(&script, "SYSMAN_ADDRESS", d->address, strlen(d->address));
	sh_assign(&script, "SYSMAN_DEVICE", d->path, strlen(d->path));
	if (c->input) {
		size_t n = c->input_len;

		if (n && c->input[n - 1] == '\n')
			n--;
		sh_assign(&script, "SYSMAN_INPUT", c->input, n);
	} else {
		sh_assign(&script, "SYSMAN_INPUT", "", 0);
	}
	buf_append_str(&script, "export SYSMAN_PATH SYSMAN_FILE SYSMAN_OP SYSMAN_ADDRESS SYSMAN_DEVICE SYSMAN_INPUT\n");
	buf_append(&script, p->f->body, p->f->body_len);
	if (script.truncated) {
		r = -E2BIG;
		goto out;
	}
	sh_assign(cmd, "__sm_script", script.data, script.len);
	buf_append_str(cmd, wrapper);
	if (cmd->truncated)
		r = -E2BIG;
out:
	buf_release(&script);
	return r;
}

static int ssh_prepare(struct agent_prep *p)
{
	struct agent_layer *al = p->al;
	struct device d = { 0 };
	struct ssh_run *sr;
	int r;

	if (p->c->input_len > REMOTE_INPUT_MAX)
		return -E2BIG;
	if (!al->inv || inventory_find(al->inv, p->c->path, &d) < 0)
		return -ENXIO;   /* no device address for this path */
	sr = calloc(1, sizeof(*sr));
	if (!sr) {
		device_release(&d);
		return -ENOMEM;
	}
	sr->al = al;
	buf_init(&sr->command, (REMOTE_INPUT_MAX * 4 + AGENT_BODY_MAX) * 2);
	r = build_command(p, &d, &sr->command);
	if (r == 0 && str_split_hostport(d.address, al->conf->ssh_port, sr->host, sizeof(sr->host),
					 &sr->port) < 0)
		r = -EINVAL;
	device_release(&d);
	if (r < 0) {
		ssh_run_free(sr);
		return r;
	}
	str_copy(sr->user, sizeof(sr->user), al->conf->ssh_user);
	if (al->ids)
		ids_store_find(al->ids, p->c->path, "ssh", sr->user, &sr->password, NULL, 0);
	p->rq->klass = RUNNER_SSH;
	p->rq->start = ssh_start;
	p->rq->data = sr;
	p->rq->data_free = ssh_run_free;
	return 0;
}

static bool ssh_serves(struct agent_layer *al, const struct agent_file *f)
{
	(void)al;
	return f->kind == AGENT_KIND_SSH;
}

static int ssh_backend_start(struct agent_layer *al)
{
	const struct conf *c = al->conf;
	struct ssh_pool_config cfg;
	char kh[PATH_MAX], *slash;

	memset(&cfg, 0, sizeof(cfg));
	cfg.key_path = access(c->ssh_key, R_OK) == 0 ? c->ssh_key : NULL;
	if (!cfg.key_path)
		log_warn("ssh_key '%s' is not readable: SSH logins need a password in an ids file (name=ssh)",
			 c->ssh_key);
	cfg.known_hosts = c->ssh_known_hosts;
	str_copy(kh, sizeof(kh), c->ssh_known_hosts);
	slash = strrchr(kh, '/');
	if (slash && slash != kh) {
		*slash = '\0';
		mkdir(kh, 0700);
	}
	cfg.host_key_policy = c->ssh_host_key_policy == HOSTKEY_STRICT ? SSH_POLICY_STRICT
									: SSH_POLICY_ACCEPT_NEW;
	cfg.connect_timeout_s = c->ssh_connect_timeout;
	cfg.command_timeout_s = c->agent_timeout;
	cfg.output_max = (size_t)c->agent_output_max;
	cfg.max_connecting = 64;
	al->ssh = ssh_pool_new(&cfg);
	if (!al->ssh) {
		int e = errno;

		log_err("cannot start the SSH pool: %s", strerror(e));
		return -e;
	}
	runner_set_limit(al->runner, RUNNER_SSH, c->max_remote);
	return 0;
}

static void ssh_backend_stop(struct agent_layer *al)
{
	ssh_pool_free(al->ssh);
	al->ssh = NULL;
}

const struct agent_backend agent_be_ssh = {
	.name = "ssh",
	.klass = RUNNER_SSH,
	.start = ssh_backend_start,
	.stop = ssh_backend_stop,
	.serves = ssh_serves,
	.prepare = ssh_prepare,
};
