/* Open file and directory handles (see handle.h). */
#include "fs/handle.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* Handles still open when the daemon stops (their release never came)
 * are freed by handles_free_all(). */
static pthread_mutex_t handles_mu = PTHREAD_MUTEX_INITIALIZER;
static struct sm_fh *all_fh;
static struct sm_dh *all_dh;

struct sm_fh *fh_new(enum fh_kind kind, int fd)
{
	struct sm_fh *fh = calloc(1, sizeof(*fh));

	if (!fh)
		return NULL;
	fh->kind = kind;
	fh->fd = fd;
	buf_init(&fh->in, 64 * 1024);
	buf_init(&fh->show, 64 * 1024);
	pthread_mutex_lock(&handles_mu);
	fh->next = all_fh;
	if (all_fh)
		all_fh->prev = fh;
	all_fh = fh;
	pthread_mutex_unlock(&handles_mu);
	return fh;
}

void fh_free(struct sm_fh *fh)
{
	if (!fh)
		return;
	pthread_mutex_lock(&handles_mu);
	if (fh->prev)
		fh->prev->next = fh->next;
	else
		all_fh = fh->next;
	if (fh->next)
		fh->next->prev = fh->prev;
	pthread_mutex_unlock(&handles_mu);
	if (fh->fd >= 0)
		close(fh->fd);
	buf_release(&fh->in);
	buf_release(&fh->show);
	free(fh->set);
	free(fh->file);
	free(fh);
}

struct sm_dh *dh_new(void)
{
	struct sm_dh *dh = calloc(1, sizeof(*dh));

	if (!dh)
		return NULL;
	pthread_mutex_lock(&handles_mu);
	dh->next = all_dh;
	if (all_dh)
		all_dh->prev = dh;
	all_dh = dh;
	pthread_mutex_unlock(&handles_mu);
	return dh;
}

void dh_free(struct sm_dh *dh)
{
	if (!dh)
		return;
	pthread_mutex_lock(&handles_mu);
	if (dh->prev)
		dh->prev->next = dh->next;
	else
		all_dh = dh->next;
	if (dh->next)
		dh->next->prev = dh->prev;
	pthread_mutex_unlock(&handles_mu);
	if (dh->dp)
		closedir(dh->dp);
	free(dh);
}

void handles_free_all(void)
{
	while (all_fh)
		fh_free(all_fh);
	while (all_dh)
		dh_free(all_dh);
}

