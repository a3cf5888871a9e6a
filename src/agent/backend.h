/*
 * backend.h - the back-end interface of the agent layer (agents.h).
 *
 * A back end turns one agent run into work for its pool: it copies what
 * the run needs into a request for the runner (runner.h): the class (its
 * fan-out limit), and for non-local classes a start function and its
 * data.  The dispatch (dispatch.c) has already chosen the agent file,
 * the lock key, the time-out and the output limit, and wraps completion
 * with the audit line and the log.  A new back end is one file here (and
 * its pool folder), one entry in agent_backends[], and nothing in src/fs.
 *
 * Everything a back end's start function reports goes through
 * runner_job_done(): rc is an exit code (0 success, an errno value for a
 * failure the back end diagnosed, 124 timed out, 255 for a lost
 * connection), message one line for .status.
 */
#ifndef SYSMAN_AGENT_BACKEND_H
#define SYSMAN_AGENT_BACKEND_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "agent/agents.h"
#include "agent/runner.h"
#include "agent/trie.h"

struct device;
struct group_attrs;
struct ssh_pool;
struct ipmi_pool;
struct rf_pool;

struct agent_layer {
	const struct conf *conf;
	struct inventory *inv;
	struct ids_store *ids;
	char *mount;
	char *state_dir;
	char *bin_dir;
	struct runner *runner;
	struct ssh_pool *ssh;          /* SSH back end's pool */
	struct ipmi_pool *ipmi;        /* IPMI back end's pool (NULL without libfreeipmi) */
	struct rf_pool *redfish;       /* Redfish back end's pool (NULL without libcurl) */
	struct group_attrs *groups;    /* state_dir/groups; agent_device_attrs() */

	pthread_mutex_t trie_mu;       /* guards the fields below */
	struct agent_trie *trie;
	time_t trie_checked;
	bool trie_dirty;               /* an agent file changed in place */
};

#define AGENT_ENV_MAX 64

/* One run being prepared: the dispatch fills the top half; the back end
 * fills rq (and for local runs the scratch it points into, released by
 * the dispatch after the submit). */
struct agent_prep {
	struct agent_layer *al;
	const struct agent_file *f;
	const struct agent_call *c;
	const char *file;              /* the file's full path under the mount */
	struct agent_request *rq;

	/* local runs: strings rq points to, freed by agent_prep_release() */
	char *env[AGENT_ENV_MAX + 1];
	int nenv;
	char user[256];
	char *pass;
};

struct agent_backend {
	const char *name;
	enum runner_class klass;
	/* Starts the back end's pool; 0 or -errno (logged). */
	int (*start)(struct agent_layer *al);
	/* Stops it: runs in flight end with -ESHUTDOWN.  Accepts a layer
	 * whose start failed or never ran. */
	void (*stop)(struct agent_layer *al);
	/* True if this back end serves agent f (else it runs as a local
	 * process). */
	bool (*serves)(struct agent_layer *al, const struct agent_file *f);
	/* Fills p->rq for the run.  0 or -errno. */
	int (*prepare)(struct agent_prep *p);
};

extern const struct agent_backend agent_be_local, agent_be_ssh, agent_be_ipmi, agent_be_redfish;

/* attrs.c: sets *ret_attrs (malloc'd) to the attributes of device d as
 * every back end reads them: d's own words, then the words the groups
 * holding d's name (the last component of its path) give it, groups in
 * name order, each only if no word before it sets its key
 * (group_attrs_effective()).  Read them with device_attr().  0 or
 * -ENOMEM. */
int agent_device_attrs(struct agent_layer *al, const struct device *d, char **ret_attrs);

/* be_ipmi.c: the BMC address of the device of path (a server's paired
 * BMC, else the device's address).  0, or an exit code with msg set. */
int agent_bmc_address(struct agent_layer *al, const char *path, char *addr, size_t len, char *msg,
		      size_t msglen);

/* be_redfish.c: true if the IPMI agent file f for path is to be served
 * over Redfish: the attributes of the BMC's device record (its own or its
 * groups', agent_device_attrs()) say protocol=redfish. */
bool agent_redfish_wants(struct agent_layer *al, const struct agent_file *f, const char *path);

/* be_local.c: adds "K=V" to p's environment scratch. */
void agent_prep_env(struct agent_prep *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void agent_prep_release(struct agent_prep *p);

/* dispatch.c: a result for a run that failed before reaching its device
 * (bad input, no address, no credentials), from a start function. */
void agent_fail_now(struct job *j, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
