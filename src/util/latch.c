/* Count-down latch (see latch.h). */
#include "util/latch.h"

void latch_init(struct latch *l, size_t n)
{
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cond, NULL);
	l->left = n;
}

void latch_count_down(struct latch *l)
{
	pthread_mutex_lock(&l->mu);
	if (l->left > 0 && --l->left == 0)
		pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->mu);
}

void latch_wait(struct latch *l)
{
	pthread_mutex_lock(&l->mu);
	while (l->left > 0)
		pthread_cond_wait(&l->cond, &l->mu);
	pthread_mutex_unlock(&l->mu);
}

void latch_destroy(struct latch *l)
{
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->mu);
}
