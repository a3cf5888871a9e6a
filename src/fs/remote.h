/*
 * remote.h - remote agents: agent files whose first line is
 * "#!/usr/bin/env sysman-remote" (or "#!sysman-remote") are not executed
 * here; their body is run as a shell script on the device, over the
 * daemon's persistent SSH pool (DESIGN §6, §7).  No process is started per
 * remote command.
 *
 * The script sees SYSMAN_PATH, SYSMAN_FILE, SYSMAN_OP, SYSMAN_DEVICE,
 * SYSMAN_ADDRESS and SYSMAN_INPUT (the written bytes minus one trailing
 * newline).  Login: the nearest ids entry labelled "name=ssh" (password
 * auth), else ssh_user with ssh_key.  The device address may carry a port
 * ("127.1.0.1:2222"), else ssh_port applies.
 */
#ifndef SYSMAN_FS_REMOTE_H
#define SYSMAN_FS_REMOTE_H

#include <limits.h>
#include <stdbool.h>

#include "fs/fs.h"
#include "util/buf.h"

struct run_ctx {
	struct sysman *sm;
	struct sm_run_opts o;          /* path/exec point into the copies below */
	char path[PATH_MAX];
	char exec[PATH_MAX];
};

/* Reads the agent file once: returns 1 and the script below the
 * interpreter line in body if it is a remote agent, else 0 (body then
 * holds whatever was read; release it either way). */
int remote_load(const char *exec, struct buf *body);

/* Starts the remote run of c (already filled) for o with the script body
 * from remote_load().  On success the result arrives through
 * sm_run_done(c, res).  Returns 0 or -errno. */
int remote_submit(struct sysman *sm, struct run_ctx *c, const struct sm_run_opts *o,
		  const struct buf *body);

/* Creates / frees the daemon's SSH pool from the configuration. */
int remote_start(struct sysman *sm);
void remote_stop(struct sysman *sm);

/* The completion of every run (fs/run.c). */
void sm_run_done(void *arg, const struct agent_result *res);

#endif
