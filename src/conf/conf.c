#include "conf/conf.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/strutil.h"

enum key_type { K_STR, K_INT, K_LONG, K_BOOL, K_POLICY, K_LEVEL, K_USER, K_CORRECT };

struct key_def {
	const char *name;
	enum key_type type;
	size_t off;
	long min, max;
	const char *def;
};

#define OFF(f) offsetof(struct conf, f)

static const struct key_def keys[] = {
	{ "mountpoint", K_STR, OFF(mountpoint), 0, 0, "/sysman" },
	{ "state_dir", K_STR, OFF(state_dir), 0, 0, "/var/lib/sysman/tree" },
	{ "agent_dir", K_STR, OFF(agent_dir), 0, 0, "/usr/lib/sysman/agents" },
	{ "db", K_STR, OFF(db), 0, 0, "/var/lib/sysman/sysman.db" },
	{ "max_agents", K_INT, OFF(max_agents), 1, 65536, "256" },
	{ "agent_timeout", K_INT, OFF(agent_timeout), 1, 86400, "30" },
	{ "agent_output_max", K_LONG, OFF(agent_output_max), 1, 256L << 20, "1048576" },
	{ "strict_errors", K_BOOL, OFF(strict_errors), 0, 0, "no" },
	{ "dynamic_dirs", K_STR, OFF(dynamic_dirs), 0, 0, "proc sys" },
	{ "discover_networks", K_STR, OFF(discover_networks), 0, 0, "127.1.0.0/24" },
	{ "discover_interval", K_INT, OFF(discover_interval), 0, 86400 * 7, "0" },
	{ "discover_timeout", K_INT, OFF(discover_timeout), 1, 300, "2" },
	{ "ssh_key", K_STR, OFF(ssh_key), 0, 0, "/etc/sysman/id_ed25519" },
	{ "ssh_known_hosts", K_STR, OFF(ssh_known_hosts), 0, 0, "/var/lib/sysman/known_hosts" },
	{ "ssh_host_key_policy", K_POLICY, OFF(ssh_host_key_policy), 0, 0, "accept-new" },
	{ "ssh_connect_timeout", K_INT, OFF(ssh_connect_timeout), 1, 3600, "10" },
	{ "ssh_user", K_STR, OFF(ssh_user), 0, 0, "root" },
	{ "ssh_port", K_INT, OFF(ssh_port), 1, 65535, "22" },
	{ "ipmi_port", K_INT, OFF(ipmi_port), 1, 65535, "623" },
	{ "ipmi_timeout", K_INT, OFF(ipmi_timeout), 1, 300, "2" },
	{ "ipmi_cipher", K_INT, OFF(ipmi_cipher), 1, 17, "3" },
	{ "ipmi_threads", K_INT, OFF(ipmi_threads), 1, 256, "16" },
	{ "ipmi_session_idle", K_INT, OFF(ipmi_session_idle), 0, 3600, "10" },
	{ "redfish_port", K_INT, OFF(redfish_port), 1, 65535, "443" },
	{ "redfish_verify", K_BOOL, OFF(redfish_verify), 0, 0, "yes" },
	{ "audit_log", K_STR, OFF(audit_log), 0, 0, "/var/log/sysman/audit.log" },
	{ "max_remote", K_INT, OFF(max_remote), 1, 65536, "64" },
	{ "max_nodeset", K_INT, OFF(max_nodeset), 1, 10000000, "100000" },
	{ "allow_other", K_BOOL, OFF(allow_other), 0, 0, "yes" },
	{ "pass_password_in_argv", K_BOOL, OFF(pass_password_in_argv), 0, 0, "no" },
	{ "log_level", K_LEVEL, OFF(log_level), 0, 0, "notice" },
	{ "max_threads", K_INT, OFF(max_threads), 2, 1024, "16" },
	{ "agent_user", K_USER, OFF(agent_user), 0, 0, "" },
	{ "auto_correct", K_CORRECT, OFF(auto_correct), 0, 0, "off" },
	{ "web_listen", K_STR, OFF(web_listen), 0, 0, "127.0.0.1:8089" },
	{ "web_root", K_STR, OFF(web_root), 0, 0, SYSMAN_WEB_ROOT },
	{ "web_tls_cert", K_STR, OFF(web_tls_cert), 0, 0, "" },
	{ "web_tls_key", K_STR, OFF(web_tls_key), 0, 0, "" },
	{ "web_pam_service", K_STR, OFF(web_pam_service), 0, 0, "sysman-web" },
	{ "web_session_ttl", K_INT, OFF(web_session_ttl), 60, 7 * 86400, "28800" },
	{ "web_max_body", K_LONG, OFF(web_max_body), 1, 256L << 20, "1048576" },
	{ "web_login_limit", K_INT, OFF(web_login_limit), 1, 1000, "5" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key_def *key_find(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static void agent_user_release(struct agent_user *u)
{
	free(u->name);
	free(u->home);
	free(u->groups);
	memset(u, 0, sizeof(*u));
}

/* Resolves a system user name ("" stays unresolved: the daemon's user).
 * Returns 0, -ENOENT for an unknown user, or -ENOMEM; ret is untouched
 * on failure. */
static int agent_user_resolve(const char *name, struct agent_user *ret)
{
	struct agent_user u = { 0 };
	struct passwd pw, *res = NULL;
	char pwbuf[4096];
	int n = 16;

	if (*name) {
		if (getpwnam_r(name, &pw, pwbuf, sizeof(pwbuf), &res) != 0 || !res)
			return -ENOENT;
		u.uid = pw.pw_uid;
		u.gid = pw.pw_gid;
		for (;;) {
			gid_t *g = realloc(u.groups, (size_t)n * sizeof(*g));

			if (!g) {
				free(u.groups);
				return -ENOMEM;
			}
			u.groups = g;
			if (getgrouplist(name, pw.pw_gid, u.groups, &n) >= 0)
				break;
			if (n > 65536) {
				free(u.groups);
				return -ENOMEM;
			}
		}
		u.ngroups = n;
		u.home = strdup(pw.pw_dir ? pw.pw_dir : "/");
		if (!u.home) {
			free(u.groups);
			return -ENOMEM;
		}
	}
	u.name = strdup(name);
	if (!u.name) {
		free(u.groups);
		free(u.home);
		return -ENOMEM;
	}
	*ret = u;
	return 0;
}

static int key_set(struct conf *c, const struct key_def *k, const char *v,
		   const char **ret_why)
{
	char *base = (char *)c;
	long l;
	bool b;
	char *s;

	switch (k->type) {
	case K_LEVEL:
		if (log_level_parse(v) < 0) {
			*ret_why = "expected error, warning, notice, info or debug for";
			return -EINVAL;
		}
		/* fall through */
	case K_CORRECT:
		if (k->type == K_CORRECT && strcmp(v, "off") != 0 &&
		    strcmp(v, "safe") != 0 && strcmp(v, "all") != 0) {
			*ret_why = "expected off, safe or all for";
			return -EINVAL;
		}
		/* fall through */
	case K_STR:
		s = strdup(v);
		if (!s)
			return -ENOMEM;
		free(*(char **)(base + k->off));
		*(char **)(base + k->off) = s;
		return 0;
	case K_INT:
	case K_LONG:
		if (parse_long(v, k->min, k->max, &l) < 0) {
			static __thread char why[96];

			snprintf(why, sizeof(why), "expected a whole number from %ld to %ld for", k->min, k->max);
			*ret_why = why;
			return -EINVAL;
		}
		if (k->type == K_INT)
			*(int *)(base + k->off) = (int)l;
		else
			*(long *)(base + k->off) = l;
		return 0;
	case K_BOOL:
		if (parse_bool(v, &b) < 0) {
			*ret_why = "expected yes or no for";
			return -EINVAL;
		}
		*(bool *)(base + k->off) = b;
		return 0;
	case K_USER: {
		struct agent_user u;
		int r = agent_user_resolve(v, &u);

		if (r == -ENOENT)
			*ret_why = "no such user (see getent passwd) for";
		if (r < 0)
			return r == -ENOENT ? -EINVAL : r;
		agent_user_release((struct agent_user *)(base + k->off));
		*(struct agent_user *)(base + k->off) = u;
		return 0;
	}
	case K_POLICY:
		if (strcmp(v, "accept-new") == 0)
			*(enum host_key_policy *)(base + k->off) = HOSTKEY_ACCEPT_NEW;
		else if (strcmp(v, "strict") == 0)
			*(enum host_key_policy *)(base + k->off) = HOSTKEY_STRICT;
		else {
			*ret_why = "expected accept-new or strict for";
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

int conf_defaults(struct conf *c)
{
	const char *why = NULL;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NKEYS; i++)
		if (key_set(c, &keys[i], keys[i].def, &why) < 0) {
			conf_release(c);
			return -ENOMEM;
		}
	return 0;
}

void conf_release(struct conf *c)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].type == K_STR || keys[i].type == K_LEVEL ||
		    keys[i].type == K_CORRECT) {
			free(*(char **)((char *)c + keys[i].off));
			*(char **)((char *)c + keys[i].off) = NULL;
		} else if (keys[i].type == K_USER) {
			agent_user_release((struct agent_user *)((char *)c + keys[i].off));
		}
	for (size_t i = 0; i < c->ncache; i++)
		free(c->cache[i].glob);
	for (size_t i = 0; i < c->nwrite; i++)
		free(c->write[i].glob);
	for (size_t i = 0; i < c->ntimeouts; i++)
		free(c->timeouts[i].glob);
	free(c->timeouts);
	for (size_t i = 0; i < c->nagent_users; i++) {
		free(c->agent_users[i].glob);
		agent_user_release(&c->agent_users[i].user);
	}
	free(c->agent_users);
	for (size_t i = 0; i < c->nkinds; i++) {
		free(c->kinds[i].kind);
		free(c->kinds[i].place);
	}
	free(c->cache);
	free(c->write);
	free(c->kinds);
	free(c->file);
	memset(c, 0, sizeof(*c));
}

int conf_parse_cache_model(const char *v, enum cache_model *ret_model, int *ret_seconds)
{
	char word[16];
	const char *sp = strchr(v, ' ');
	size_t n = sp ? (size_t)(sp - v) : strlen(v);
	int secs = 0;

	if (n >= sizeof(word))
		return -EINVAL;
	memcpy(word, v, n);
	word[n] = '\0';
	if (strcmp(word, "refresh") == 0 || strcmp(word, "static") == 0) {
		if (sp)
			return -EINVAL;
		*ret_model = word[0] == 'r' ? CACHE_REFRESH : CACHE_STATIC;
		*ret_seconds = 0;
		return 0;
	}
	if (strcmp(word, "cache") != 0 && strcmp(word, "periodic") != 0)
		return -EINVAL;
	if (!sp)
		return -EINVAL;
	while (*sp == ' ')
		sp++;
	if (parse_int(sp, word[0] == 'c' ? 0 : 1, 86400 * 365, &secs) < 0)
		return -EINVAL;
	*ret_model = word[0] == 'c' ? CACHE_TTL : CACHE_PERIODIC;
	*ret_seconds = secs;
	return 0;
}

/* True if s is made of letters, digits and the characters of extra. */
static bool only_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return false;
	return true;
}

static int section_line(struct conf *c, const char *section, const char *k,
			const char *v, const char **ret_why)
{
	if (strcmp(section, "cache") == 0) {
		struct cache_rule r, *n;

		if (conf_parse_cache_model(v, &r.model, &r.seconds) < 0) {
			*ret_why = "expected refresh, cache SECONDS, periodic SECONDS or static for";
			return -EINVAL;
		}
		n = realloc(c->cache, (c->ncache + 1) * sizeof(*n));
		if (!n || !(r.glob = strdup(k)))
			return -ENOMEM;
		c->cache = n;
		c->cache[c->ncache++] = r;
		return 0;
	}
	if (strcmp(section, "write_mode") == 0) {
		struct write_rule r, *n;

		if (strcmp(v, "sync") == 0)
			r.mode = WRITE_SYNC;
		else if (strcmp(v, "async") == 0)
			r.mode = WRITE_ASYNC;
		else {
			*ret_why = "expected sync or async for";
			return -EINVAL;
		}
		n = realloc(c->write, (c->nwrite + 1) * sizeof(*n));
		if (!n || !(r.glob = strdup(k)))
			return -ENOMEM;
		c->write = n;
		c->write[c->nwrite++] = r;
		return 0;
	}
	if (strcmp(section, "timeout") == 0) {
		struct timeout_rule r, *n;

		if (strcmp(v, "none") == 0)
			r.seconds = -1;
		else if (parse_int(v, 1, 86400 * 365, &r.seconds) < 0) {
			*ret_why = "expected SECONDS (1 or more) or none for";
			return -EINVAL;
		}
		n = realloc(c->timeouts, (c->ntimeouts + 1) * sizeof(*n));
		if (!n || !(r.glob = strdup(k)))
			return -ENOMEM;
		c->timeouts = n;
		c->timeouts[c->ntimeouts++] = r;
		return 0;
	}
	if (strcmp(section, "agent_user") == 0) {
		struct agent_user_rule r, *n;
		int e;

		if (!*v) {
			*ret_why = "expected a user name for";
			return -EINVAL;
		}
		e = agent_user_resolve(v, &r.user);
		if (e == -ENOENT) {
			*ret_why = "no such user (see getent passwd) for";
			return -EINVAL;
		}
		if (e < 0)
			return e;
		n = realloc(c->agent_users, (c->nagent_users + 1) * sizeof(*n));
		if (!n || !(r.glob = strdup(k))) {
			if (n)
				c->agent_users = n;
			agent_user_release(&r.user);
			return -ENOMEM;
		}
		c->agent_users = n;
		c->agent_users[c->nagent_users++] = r;
		return 0;
	}
	if (strcmp(section, "kinds") == 0) {
		struct kind_rule r, *n;

		if (!*v || v[0] == '/' || strstr(v, "..") || !only_chars(v, "._/-")) {
			*ret_why = "expected a relative place such as systems/storage for";
			return -EINVAL;
		}
		if (!only_chars(k, "_-")) {
			*ret_why = "expected a kind of letters, digits, '_' and '-', not";
			return -EINVAL;
		}
		n = realloc(c->kinds, (c->nkinds + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->kinds = n;
		r.kind = strdup(k);
		r.place = strdup(v);
		if (!r.kind || !r.place) {
			free(r.kind);
			free(r.place);
			return -ENOMEM;
		}
		c->kinds[c->nkinds++] = r;
		return 0;
	}
	*ret_why = "unknown section";
	return -EINVAL;
}

/* Strips a '#' or ';' comment that starts a line or follows whitespace. */
static void strip_comment(char *s)
{
	for (char *p = s; *p; p++)
		if ((*p == '#' || *p == ';') && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
}

/* Why a key is refused: keys of the design that this build does not
 * serve yet would be named here as such, so nobody takes them for typos
 * (none at present). */
static const char *not_built(const char *k)
{
	(void)k;
	return "unknown key";
}

static int parse_line(struct conf *c, char *line, char *section, size_t seclen,
		      const char **ret_why, char *key, size_t keylen, char *val, size_t vallen)
{
	char *s, *eq, *k, *v;
	const struct key_def *kd;

	strip_comment(line);
	s = str_strip(line);
	if (!*s)
		return 0;
	if (*s == '[') {
		char *end = strchr(s, ']');

		if (!end || end[1]) {
			*ret_why = "malformed section header";
			return -EINVAL;
		}
		*end = '\0';
		s = str_strip(s + 1);
		if (strcmp(s, "cache") && strcmp(s, "write_mode") && strcmp(s, "timeout") &&
		    strcmp(s, "kinds") && strcmp(s, "agent_user")) {
			*ret_why = "unknown section (known: cache, write_mode, timeout, kinds, agent_user)";
			return -EINVAL;
		}
		return str_copy(section, seclen, s) < 0 ? -EINVAL : 0;
	}
	eq = strchr(s, '=');
	if (!eq) {
		*ret_why = "expected key = value";
		return -EINVAL;
	}
	*eq = '\0';
	k = str_strip(s);
	v = str_strip(eq + 1);
	str_copy(key, keylen, k);
	str_copy(val, vallen, v);
	if (!*k) {
		*ret_why = "empty key";
		return -EINVAL;
	}
	if (*section)
		return section_line(c, section, k, v, ret_why);
	kd = key_find(k);
	if (!kd) {
		*ret_why = not_built(k);
		return -EINVAL;
	}
	if (strcmp(k, "db") == 0 && (strstr(v, "://") || strncmp(v, "postgres", 8) == 0)) {
		*ret_why = "only an SQLite file is supported (this build has no PostgreSQL back end) for";
		return -EINVAL;
	}
	return key_set(c, kd, v, ret_why);
}

int conf_load(struct conf *c, const char *path, char *errbuf, size_t errlen)
{
	FILE *f = NULL;
	char *line = NULL;
	size_t cap = 0;
	char section[32] = "";
	int lineno = 0, r;
	const char *why = NULL;

	r = conf_defaults(c);
	if (r < 0)
		return r;
	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	c->file = strdup(path);
	while (getline(&line, &cap, f) > 0) {
		char key[128] = "", val[128] = "";

		lineno++;
		why = NULL;
		r = parse_line(c, line, section, sizeof(section), &why, key, sizeof(key), val, sizeof(val));
		if (r < 0) {
			if (key[0])
				snprintf(errbuf, errlen, "%s:%d: %s '%s' = '%s'", path, lineno,
					 why ? why : strerror(-r), key, val);
			else
				snprintf(errbuf, errlen, "%s:%d: %s", path, lineno, why ? why : strerror(-r));
			goto out;
		}
	}
	r = 0;
out:
	free(line);
	if (f)
		fclose(f);
	if (r < 0)
		conf_release(c);
	return r;
}

enum cache_model conf_cache_model(const struct conf *c, const char *path, int *ret_seconds)
{
	enum cache_model m = CACHE_REFRESH;
	int secs = 0;

	for (size_t i = 0; i < c->ncache; i++)
		if (fnmatch(c->cache[i].glob, path, FNM_PATHNAME) == 0) {
			m = c->cache[i].model;
			secs = c->cache[i].seconds;
		}
	if (ret_seconds)
		*ret_seconds = secs;
	return m;
}

enum write_mode conf_write_mode(const struct conf *c, const char *path)
{
	const char *base = strrchr(path, '/');
	enum write_mode m;

	base = base ? base + 1 : path;
	m = strcmp(base, "command") == 0 ? WRITE_ASYNC : WRITE_SYNC;
	for (size_t i = 0; i < c->nwrite; i++)
		if (fnmatch(c->write[i].glob, path, FNM_PATHNAME) == 0)
			m = c->write[i].mode;
	return m;
}

int conf_timeout(const struct conf *c, const char *path)
{
	const char *base = strrchr(path, '/');
	int t;

	base = base ? base + 1 : path;
	/* commands run as long as they need, as with pdsh and clush */
	t = strcmp(base, "command") == 0 ? -1 : c->agent_timeout;
	for (size_t i = 0; i < c->ntimeouts; i++)
		if (fnmatch(c->timeouts[i].glob, path, FNM_PATHNAME) == 0)
			t = c->timeouts[i].seconds;
	return t;
}

const struct agent_user *conf_agent_user(const struct conf *c, const char *path)
{
	const struct agent_user *u = &c->agent_user;

	for (size_t i = 0; i < c->nagent_users; i++)
		if (fnmatch(c->agent_users[i].glob, path, FNM_PATHNAME) == 0)
			u = &c->agent_users[i].user;
	return u->name && u->name[0] ? u : NULL;
}

bool conf_is_dynamic_dir(const struct conf *c, const char *name)
{
	size_t n = strlen(name);
	const char *p = c->dynamic_dirs;

	if (!n)
		return false;
	while (p && *p) {
		size_t w;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		w = strcspn(p, " ,\t");
		if (w == n && memcmp(p, name, n) == 0)
			return true;
		p += w;
	}
	return false;
}

const char *conf_kind_place(const struct conf *c, const char *kind)
{
	static const struct { const char *kind, *place; } builtin[] = {
		{ "server", "systems/servers" }, { "bmc", "systems/bmcs" },
		{ "chassis", "systems/chassis" }, { "switch", "systems/switches" },
	};

	for (size_t i = c->nkinds; i > 0; i--)
		if (strcmp(c->kinds[i - 1].kind, kind) == 0)
			return c->kinds[i - 1].place;
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(builtin[i].kind, kind) == 0)
			return builtin[i].place;
	return NULL;
}

int conf_dump(const struct conf *c, struct buf *out)
{
	static const char *const models[] = { "refresh", "cache", "periodic", "static" };
	const char *base = (const char *)c;

	for (size_t i = 0; i < NKEYS; i++) {
		const struct key_def *k = &keys[i];

		switch (k->type) {
		case K_STR:
		case K_LEVEL:
		case K_CORRECT:
			buf_printf(out, "%s = %s\n", k->name, *(char *const *)(base + k->off));
			break;
		case K_INT:
			buf_printf(out, "%s = %d\n", k->name, *(const int *)(base + k->off));
			break;
		case K_LONG:
			buf_printf(out, "%s = %ld\n", k->name, *(const long *)(base + k->off));
			break;
		case K_BOOL:
			buf_printf(out, "%s = %s\n", k->name, *(const bool *)(base + k->off) ? "yes" : "no");
			break;
		case K_USER:
			buf_printf(out, "%s = %s\n", k->name,
				   ((const struct agent_user *)(base + k->off))->name);
			break;
		case K_POLICY:
			buf_printf(out, "%s = %s\n", k->name,
				   c->ssh_host_key_policy == HOSTKEY_STRICT ? "strict" : "accept-new");
			break;
		}
	}
	buf_append_str(out, "\n[cache]\n");
	for (size_t i = 0; i < c->ncache; i++) {
		if (c->cache[i].model == CACHE_TTL || c->cache[i].model == CACHE_PERIODIC)
			buf_printf(out, "%s = %s %d\n", c->cache[i].glob,
				   models[c->cache[i].model], c->cache[i].seconds);
		else
			buf_printf(out, "%s = %s\n", c->cache[i].glob, models[c->cache[i].model]);
	}
	buf_append_str(out, "\n[write_mode]\n");
	for (size_t i = 0; i < c->nwrite; i++)
		buf_printf(out, "%s = %s\n", c->write[i].glob,
			   c->write[i].mode == WRITE_ASYNC ? "async" : "sync");
	buf_append_str(out, "\n[timeout]\n");
	for (size_t i = 0; i < c->ntimeouts; i++) {
		if (c->timeouts[i].seconds < 0)
			buf_printf(out, "%s = none\n", c->timeouts[i].glob);
		else
			buf_printf(out, "%s = %d\n", c->timeouts[i].glob, c->timeouts[i].seconds);
	}
	buf_append_str(out, "\n[agent_user]\n");
	for (size_t i = 0; i < c->nagent_users; i++)
		buf_printf(out, "%s = %s\n", c->agent_users[i].glob, c->agent_users[i].user.name);
	buf_append_str(out, "\n[kinds]\n");
	for (size_t i = 0; i < c->nkinds; i++)
		buf_printf(out, "%s = %s\n", c->kinds[i].kind, c->kinds[i].place);
	return out->truncated ? -E2BIG : 0;
}
