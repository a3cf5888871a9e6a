/*
 * ipmi_agent.h - IPMI agents served inside sysmand.
 *
 * An agent file whose first line is "#!/usr/bin/env sysman-ipmi" (or
 * "#!sysman-ipmi") names an IPMI property on its next line that is not a
 * comment ("power").  For the properties implemented here sysmand runs
 * the IPMI command itself over its persistent RMCP+ sessions (ipmi/pool.h):
 * no process is started.  The result goes through sm_run_done() like any
 * run's, so content, .status, audit line and waiters behave the same.
 *
 *   power   read: "on" or "off"
 *           write: on, off, cycle, reset, soft, 1 or 0 (anything else is
 *           refused with EINVAL before the network is touched); shows
 *           "on" (on, 1, cycle, reset) or "off" (off, 0, soft)
 *
 * The BMC: for a server, its paired BMC (inventory attribute bmc=ADDR);
 * for any other device, its address; either may be ADDR:PORT, else
 * ipmi_port applies.  Credentials: the nearest ids entry not labelled
 * "ssh", as for every agent.  Exit codes and messages are those of the
 * Python agent lib/ipmi-agent (13 authentication failed ..., 110 BMC
 * H:P not responding, 22 invalid power value ..., 2 no BMC is paired ...).
 *
 * Everything else runs the file as an ordinary agent process, and
 * `sysman-ipmi` (on the agents' PATH) runs lib/ipmi-agent for the
 * property: other properties and ops, a path under a "lock" (the runner's
 * lock queue serialises it; fs/run.c checks), and a sysmand built without
 * libfreeipmi.
 */
#ifndef SYSMAN_FS_IPMI_AGENT_H
#define SYSMAN_FS_IPMI_AGENT_H

#include <stdbool.h>

#include "fs/fs.h"
#include "fs/remote.h"
#include "util/buf.h"

/* True if body (the agent file as read by remote_load()) is an IPMI agent
 * for a property and op served in the daemon, and the IPMI pool runs. */
bool ipmi_agent_match(struct sysman *sm, const struct sm_run_opts *o, const struct buf *body);

/* Serves the run c (already filled) for o, whose agent file body passed
 * ipmi_agent_match(), in the daemon.  The result
 * arrives through sm_run_done(c, res): from a pool thread, or before this
 * returns when the run fails without touching the network (bad input, no
 * BMC address, no credentials).  Returns 0, or -errno when nothing was
 * started (sm_run_done not called). */
int ipmi_agent_submit(struct sysman *sm, struct run_ctx *c, const struct sm_run_opts *o,
		      const struct buf *body);

/* Starts / stops the daemon's IPMI pool (no-ops without libfreeipmi). */
int ipmi_agent_start(struct sysman *sm);
void ipmi_agent_stop(struct sysman *sm);

#endif
