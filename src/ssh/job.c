/*
 * job.c - one command: a channel on a READY session, driven by job_step().
 *
 * libssh channel callbacks only record what arrived (output into the job's
 * bufs, flags); the channel is closed and freed outside the callbacks, in
 * job_finish(), because libssh must not free a channel from its own
 * callback.
 */
#include "ssh/pool_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int on_data(ssh_session s, ssh_channel ch, void *data, uint32_t len,
		   int is_stderr, void *userdata)
{
	struct job *j = userdata;

	/* -E2BIG: cut at output_max, truncated is set; the rest is dropped
	 * but consumed so the window keeps moving and the command finishes. */
	buf_append(is_stderr ? &j->err : &j->out, data, len);
	return (int)len;
}

static void on_eof(ssh_session s, ssh_channel ch, void *userdata)
{
	struct job *j = userdata;

	j->got_eof = true;
}

static void on_close(ssh_session s, ssh_channel ch, void *userdata)
{
	struct job *j = userdata;

	j->got_close = true;
}

static void on_exit_status(ssh_session s, ssh_channel ch, int status,
			   void *userdata)
{
	struct job *j = userdata;

	j->got_exit = true;
	j->exit_status = status;
}

static void on_exit_signal(ssh_session s, ssh_channel ch, const char *sig,
			   int core, const char *errmsg, const char *lang,
			   void *userdata)
{
	struct job *j = userdata;
	int num = ssh_signal_number(sig);

	j->got_exit = true;
	j->exit_status = num ? 128 + num : 255;
}

void job_free(struct job *j)
{
	if (!j)
		return;
	free(j->hostname);
	free(j->user);
	str_wipe_free(j->password);
	free(j->command);
	buf_release(&j->out);
	buf_release(&j->err);
	free(j);
}

static void job_close_channel(struct job *j)
{
	if (!j->ch)
		return;
	ssh_remove_channel_callbacks(j->ch, &j->cb);
	if (ssh_channel_is_open(j->ch))
		ssh_channel_close(j->ch);
	/* freed now if the peer closed it, else when its close arrives or
	 * the session is freed; our callbacks are already gone */
	ssh_channel_free(j->ch);
	j->ch = NULL;
}

void job_finish(struct job *j, int rc, const char *fmt, ...)
{
	char msg[SSH_MSG_MAX] = "";
	struct ssh_result res;
	va_list ap;

	if (j->host)
		jlist_remove(j->state == JOB_PENDING ? &j->host->pending
						      : &j->host->running, j);
	job_close_channel(j);
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	res.rc = rc;
	res.exit_status = rc == 0 ? j->exit_status : -1;
	res.out = &j->out;
	res.err = &j->err;
	res.message = msg;
	j->done(j->arg, &res);
	job_free(j);
}

/* The server refused a channel: usually its per-connection cap
 * (MaxSessions), possibly still counting channels we just closed.  Lower
 * our cap if others are open, and retry a few times after a pause. */
static int job_open_refused(struct job *j)
{
	struct host *h = j->host;

	if (++j->open_failures > SSH_OPEN_RETRIES) {
		job_finish(j, -EPROTO, "cannot open a channel to '%s': %s",
			   h->hostname, ssh_get_error(h->sess));
		return 0;
	}
	if (h->running.n > 1) {
		h->chan_limit = h->running.n - 1;
		h->opens_ok = 0;
	}
	h->hold_until_ms = now_ms() + SSH_OPEN_RETRY_MS * j->open_failures;
	loop_want_scan(h->loop, h->hold_until_ms);
	job_close_channel(j);
	jlist_remove(&h->running, j);
	j->state = JOB_PENDING;
	jlist_unshift(&h->pending, j);   /* first in line again */
	return 1;
}

static int job_open(struct job *j)
{
	struct host *h = j->host;
	int rc;

	if (!j->ch) {
		j->ch = ssh_channel_new(h->sess);
		if (!j->ch)
			return -ECONNRESET;
		j->cb = (struct ssh_channel_callbacks_struct){
			.userdata = j,
			.channel_data_function = on_data,
			.channel_eof_function = on_eof,
			.channel_close_function = on_close,
			.channel_exit_status_function = on_exit_status,
			.channel_exit_signal_function = on_exit_signal,
		};
		ssh_callbacks_init(&j->cb);
		ssh_set_channel_callbacks(j->ch, &j->cb);
	}
	rc = ssh_channel_open_session(j->ch);
	if (rc == SSH_AGAIN)
		return 1;
	if (rc == SSH_OK) {
		j->state = JOB_EXEC;
		if (h->chan_limit < (unsigned)h->loop->pool->cfg.max_channels &&
		    ++h->opens_ok >= SSH_CHAN_RAISE_AFTER) {
			h->chan_limit++;
			h->opens_ok = 0;
		}
		return 2;
	}
	if (!ssh_is_connected(h->sess))
		return -ECONNRESET;
	return job_open_refused(j);
}

static int job_exec(struct job *j)
{
	struct host *h = j->host;
	int rc = ssh_channel_request_exec(j->ch, j->command);

	if (rc == SSH_AGAIN)
		return 1;
	if (rc == SSH_OK) {
		/* no input: commands reading stdin see EOF, unless the command
		 * watches its stdin to learn that the channel closed */
		if (!j->hold_stdin)
			ssh_channel_send_eof(j->ch);
		j->state = JOB_RUN;
		if (j->from_start && j->timeout_s > 0) {
			j->deadline_ms = now_ms() + j->timeout_s * 1000LL;
			loop_want_scan(h->loop, j->deadline_ms);
		}
		return 2;
	}
	if (!ssh_is_connected(h->sess))
		return -ECONNRESET;
	job_finish(j, -EPROTO, "'%s' refused to run the command: %s",
		   h->hostname, ssh_get_error(h->sess));
	return 0;
}

int job_step(struct job *j)
{
	int r = 2;

	while (r == 2) {
		switch (j->state) {
		case JOB_PENDING:
			return 1;
		case JOB_OPEN:
			r = job_open(j);
			break;
		case JOB_EXEC:
			r = job_exec(j);
			break;
		case JOB_RUN:
			if (j->got_close || (j->got_eof && j->got_exit)) {
				if (!j->got_exit)
					j->exit_status = -1;
				job_finish(j, 0, NULL);
				return 0;
			}
			return 1;
		}
	}
	return r;
}

void job_timeout(struct job *j, int64_t now)
{
	struct host *h = j->host;
	const char *what = "running";

	if (j->state == JOB_PENDING)
		what = h->state == HOST_READY ? "waiting for a free channel"
					      : "waiting for the connection";
	else if (j->ch && j->state != JOB_OPEN)
		/* sshd killpg()s the command's process group */
		ssh_channel_request_send_signal(j->ch, "KILL");
	job_finish(j, -ETIMEDOUT, "command timed out after %ds (%s) on '%s'",
		   j->timeout_s, what, h->hostname);
}
