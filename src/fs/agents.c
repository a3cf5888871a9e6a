/* Choosing the agent for a path: the trie, its refresh, and the
 * dynamic-directory fallback (DESIGN §5, §7). */
#include "fs/fs.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "util/log.h"
#include "util/strutil.h"

/* Rebuilds the trie when agents were added or removed (checked at most
 * once a second).  Caller holds trie_mu. */
static void trie_refresh(struct sysman *sm)
{
	time_t now = time(NULL);
	struct agent_trie *t;

	if (sm->trie && now == sm->trie_checked)
		return;
	sm->trie_checked = now;
	if (sm->trie && !trie_stale(sm->trie))
		return;
	if (trie_build(sm->conf.agent_dir, &t) < 0) {
		log_warn("cannot rescan agent_dir '%s'", sm->conf.agent_dir);
		return;
	}
	if (sm->trie)
		log_info("agent_dir changed: agents rescanned");
	trie_free(sm->trie);
	sm->trie = t;
}

bool sm_is_dynamic(struct sysman *sm, const char *path)
{
	const char *p = path;

	while (*p) {
		size_t n;
		char comp[NAME_MAX + 1];

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n && n <= NAME_MAX) {
			memcpy(comp, p, n);
			comp[n] = '\0';
			if (conf_is_dynamic_dir(&sm->conf, comp))
				return true;
		}
		p += n;
	}
	return false;
}

/* Finds the agent of the nearest dynamic directory at or above path
 * (strictly above when strict) that has one for op: "proc/sys/kernel" is
 * served by proc's agent.  Caller holds trie_mu. */
static const char *dynamic_agent(struct sysman *sm, const char *path, bool strict, enum agent_op op)
{
	char p[PATH_MAX];

	if (str_copy(p, sizeof(p), path) < 0)
		return NULL;
	if (strict) {
		char *s = strrchr(p, '/');

		if (!s || s == p)
			return NULL;
		*s = '\0';
	}
	for (;;) {
		char *s = strrchr(p, '/');
		const char *a;

		if (!s || s[1] == '\0')
			return NULL;
		if (conf_is_dynamic_dir(&sm->conf, s + 1) && (a = trie_lookup(sm->trie, p, op)))
			return a;
		if (s == p)
			return NULL;
		*s = '\0';
	}
}

int sm_agent_for(struct sysman *sm, const char *path, enum agent_op op, char *out, size_t outlen)
{
	const char *a;
	int found = 0;

	pthread_mutex_lock(&sm->trie_mu);
	trie_refresh(sm);
	a = sm->trie ? trie_lookup(sm->trie, path, op) : NULL;
	if (!a && sm->trie)
		a = dynamic_agent(sm, path, op != AGENT_LIST, op);
	if (a && str_copy(out, outlen, a) == 0)
		found = 1;
	pthread_mutex_unlock(&sm->trie_mu);
	return found;
}

int sm_agent_names(struct sysman *sm, const char *dirpath,
		   int (*fn)(const struct trie_entry *e, void *arg), void *arg)
{
	int r = 0;

	pthread_mutex_lock(&sm->trie_mu);
	trie_refresh(sm);
	if (sm->trie)
		r = trie_list(sm->trie, dirpath, fn, arg);
	pthread_mutex_unlock(&sm->trie_mu);
	return r;
}
