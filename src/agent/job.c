/* Job records: a private copy of everything a request points to. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/job.h"
#include "util/hmap.h"
#include "util/log.h"

void agent_job_free(struct job *j)
{
	if (!j)
		return;
	free(j->exec);
	free(j->file);
	if (j->input) {
		sodium_memzero(j->input, j->req.input_len);
		free(j->input);
	}
	free(j->user);
	free(j->lock_key);
	if (j->password)
		sodium_free(j->password);
	for (char **e = j->env; e && *e; e++)
		free(*e);
	free(j->env);
	buf_release(&j->out);
	buf_release(&j->err);
	free(j->ext_msg);
	if (j->req.data_free)
		j->req.data_free(j->req.data);
	free(j);
}

static char *dup_or_null(const char *s, bool *fail)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*fail = true;
	return d;
}

struct job *agent_job_new(const struct agent_request *req)
{
	struct job *j = calloc(1, sizeof(*j));
	bool fail = false;
	size_t n = 0;

	if (!j) {
		if (req->data_free)
			req->data_free(req->data);
		return NULL;
	}
	j->req = *req;
	j->out_fd = j->err_fd = j->pid_fd = -1;
	j->exec = dup_or_null(req->exec, &fail);
	j->file = dup_or_null(req->file, &fail);
	j->user = dup_or_null(req->user, &fail);
	j->lock_key = dup_or_null(req->lock_key, &fail);
	if (req->input) {
		j->input = malloc(req->input_len + 1);
		if (j->input) {
			memcpy(j->input, req->input, req->input_len);
			j->input[req->input_len] = '\0';
		} else {
			fail = true;
		}
	}
	if (req->password) {
		size_t pl = strlen(req->password);

		j->password = sodium_malloc(pl + 1);
		if (j->password)
			memcpy(j->password, req->password, pl + 1);
		else
			fail = true;
	}
	for (const char *const *e = req->env; e && *e; e++)
		n++;
	j->env = calloc(n + 1, sizeof(*j->env));
	if (!j->env)
		fail = true;
	for (size_t i = 0; !fail && i < n; i++)
		j->env[i] = dup_or_null(req->env[i], &fail);
	buf_init(&j->out, req->output_max ? req->output_max : BUF_DEFAULT_MAX);
	buf_init(&j->err, ERR_MAX);
	if (fail || !j->exec || !j->file) {
		agent_job_free(j);
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &j->submitted);
	return j;
}

/* ---- time and queues (shared by runner.c, lock.c, spawn.c) ---- */

long runner_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void agent_q_push(struct job **head, struct job **tail, struct job *j, bool front)
{
	j->next = j->prev = NULL;
	if (!*head) {
		*head = *tail = j;
	} else if (front) {
		j->next = *head;
		*head = j;
	} else {
		(*tail)->next = j;
		*tail = j;
	}
}

struct job *agent_q_pop(struct job **head, struct job **tail)
{
	struct job *j = *head;

	if (j) {
		*head = j->next;
		if (!*head)
			*tail = NULL;
		j->next = NULL;
	}
	return j;
}
