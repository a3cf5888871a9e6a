/* The local back end: the agent file runs as a process on this machine,
 * started by the runner (spawn.c), called as the paper says (DESIGN §5). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/backend.h"
#include "conf/conf.h"
#include "db/inventory.h"
#include "special/ids.h"
#include "util/strutil.h"

void agent_prep_env(struct agent_prep *p, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (p->nenv >= AGENT_ENV_MAX)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) > 0)
		p->env[p->nenv++] = s;
	va_end(ap);
}

void agent_prep_release(struct agent_prep *p)
{
	for (int i = 0; i < p->nenv; i++)
		free(p->env[i]);
	p->nenv = 0;
	ids_pass_free(p->pass);
	p->pass = NULL;
}

/* SYSMAN_ATTR_<key>=<value> for each "key=value" word of a device's attributes. */
static void env_attr(const char *key, size_t klen, const char *val, size_t vlen, void *arg)
{
	agent_prep_env(arg, "SYSMAN_ATTR_%.*s=%.*s", (int)klen, key, (int)vlen, val);
}

static void build_env(struct agent_prep *p)
{
	struct agent_layer *al = p->al;
	const struct conf *c = al->conf;
	const struct agent_call *call = p->c;
	const char *path_env = getenv("PATH");
	struct device d;
	char *attrs;

	/* agents find `sysman` next to sysmand, installed or in the build tree */
	agent_prep_env(p, "PATH=%s:%s/../tools:%s/nfs:%s", al->bin_dir, al->bin_dir, al->bin_dir,
		       path_env ? path_env : "/usr/sbin:/usr/bin:/sbin:/bin");
	agent_prep_env(p, "SYSMAN_ROOT=%s", al->mount);
	agent_prep_env(p, "SYSMAN_PATH=%s", call->path);
	agent_prep_env(p, "SYSMAN_OP=%s", agent_op_name(call->op));
	agent_prep_env(p, "SYSMAN_CALLER_UID=%u", (unsigned)call->uid);
	agent_prep_env(p, "SYSMAN_CALLER_GID=%u", (unsigned)call->gid);
	agent_prep_env(p, "SYSMAN_CALLER_PID=%d", (int)call->pid);
	agent_prep_env(p, "SYSMAN_BACKING=%s%s", al->state_dir, call->path);
	agent_prep_env(p, "SYSMAN_DB=%s", c->db);
	agent_prep_env(p, "SYSMAN_CONF_ssh_port=%d", c->ssh_port);
	agent_prep_env(p, "SYSMAN_CONF_redfish_port=%d", c->redfish_port);
	agent_prep_env(p, "SYSMAN_CONF_ssh_user=%s", c->ssh_user);
	agent_prep_env(p, "SYSMAN_CONF_ssh_key=%s", c->ssh_key);
	agent_prep_env(p, "SYSMAN_CONF_ssh_known_hosts=%s", c->ssh_known_hosts);
	agent_prep_env(p, "SYSMAN_CONF_ssh_connect_timeout=%d", c->ssh_connect_timeout);
	agent_prep_env(p, "SYSMAN_CONF_ssh_host_key_policy=%s",
		       c->ssh_host_key_policy == HOSTKEY_STRICT ? "strict" : "accept-new");
	agent_prep_env(p, "SYSMAN_CONF_ipmi_port=%d", c->ipmi_port);
	agent_prep_env(p, "SYSMAN_CONF_ipmi_cipher=%d", c->ipmi_cipher);
	agent_prep_env(p, "SYSMAN_CONF_agent_timeout=%d", c->agent_timeout);
	agent_prep_env(p, "SYSMAN_CONF_discover_networks=%s", c->discover_networks);
	agent_prep_env(p, "SYSMAN_CONF_discover_timeout=%d", c->discover_timeout);
	agent_prep_env(p, "SYSMAN_CONF_auto_correct=%s", c->auto_correct);
	if (al->inv && inventory_find(al->inv, call->path, &d) == 0) {
		agent_prep_env(p, "SYSMAN_DEVICE=%s%s", strcmp(al->mount, "/") ? al->mount : "", d.path);
		agent_prep_env(p, "SYSMAN_ADDRESS=%s", d.address);
		agent_prep_env(p, "SYSMAN_KIND=%s", d.kind);
		agent_prep_env(p, "SYSMAN_NAME=%s", d.name);
		/* its own and what its groups give it (agent_device_attrs) */
		if (agent_device_attrs(al, &d, &attrs) == 0) {
			device_attrs_each(attrs, env_attr, p);
			free(attrs);
		}
		device_release(&d);
	}
	for (const char *const *x = call->extra_env; x && *x; x++)
		agent_prep_env(p, "%s", *x);
	p->env[p->nenv] = NULL;
}

static int local_prepare(struct agent_prep *p)
{
	struct agent_layer *al = p->al;
	const struct agent_user *u;

	build_env(p);
	u = conf_agent_user(al->conf, p->c->path[0] == '/' ? p->c->path + 1 : p->c->path);
	if (u) {
		/* the agent's own variables replace the daemon's (spawn.c) */
		agent_prep_env(p, "HOME=%s", u->home);
		agent_prep_env(p, "USER=%s", u->name);
		agent_prep_env(p, "LOGNAME=%s", u->name);
		p->env[p->nenv] = NULL;
	}
	if (al->ids && ids_store_find(al->ids, p->c->path, NULL, p->user, &p->pass, NULL, 0) == 0) {
		p->rq->user = p->user;
		p->rq->password = p->pass;
	}
	p->rq->pass_in_argv = al->conf->pass_password_in_argv;
	p->rq->env = (const char *const *)p->env;
	p->rq->klass = RUNNER_LOCAL;
	p->rq->run_as = u;
	return 0;
}

static bool local_serves(struct agent_layer *al, const struct agent_file *f)
{
	(void)al;
	(void)f;
	return true;
}

const struct agent_backend agent_be_local = {
	.name = "local",
	.klass = RUNNER_LOCAL,
	.serves = local_serves,
	.prepare = local_prepare,
};
