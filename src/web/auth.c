/* Log-in with PAM, sessions (random tokens, idle expiry), CSRF tokens and
 * the limit on failed log-ins (per address and per user name, in a
 * 10-minute window).  Every attempt is audited. */
#include "web/web.h"

#include <errno.h>
#include <security/pam_appl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/audit.h"
#include "util/log.h"

#define FAIL_WINDOW 600

struct failure {
	struct failure *next;
	char key[160];
	int count;
	time_t first;
};

struct sess_node {
	struct sess_node *next;
	struct web_session s;
};

struct web_sessions {
	pthread_mutex_t lock;
	int ttl;
	int limit;
	struct sess_node *list;
	struct failure *fails;
};

struct web_sessions *sessions_new(int ttl, int limit)
{
	struct web_sessions *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	s->ttl = ttl;
	s->limit = limit;
	return s;
}

void sessions_free(struct web_sessions *s)
{
	if (!s)
		return;
	while (s->list) {
		struct sess_node *n = s->list;

		s->list = n->next;
		sodium_memzero(n, sizeof(*n));
		free(n);
	}
	while (s->fails) {
		struct failure *f = s->fails;

		s->fails = f->next;
		free(f);
	}
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void new_token(char *out)
{
	unsigned char raw[WEB_TOKEN_LEN / 2];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, WEB_TOKEN_LEN + 1, raw, sizeof(raw));
}

/* With s->lock held: drops expired sessions and failure windows. */
static void expire(struct web_sessions *s, time_t now)
{
	for (struct sess_node **p = &s->list; *p;) {
		if ((*p)->s.last_used + s->ttl < now) {
			struct sess_node *n = *p;

			*p = n->next;
			sodium_memzero(n, sizeof(*n));
			free(n);
		} else
			p = &(*p)->next;
	}
	for (struct failure **p = &s->fails; *p;) {
		if ((*p)->first + FAIL_WINDOW < now) {
			struct failure *f = *p;

			*p = f->next;
			free(f);
		} else
			p = &(*p)->next;
	}
}

static struct failure *failure_of(struct web_sessions *s, const char *key, bool create)
{
	struct failure *f;

	for (f = s->fails; f; f = f->next)
		if (!strcmp(f->key, key))
			return f;
	if (!create || !(f = calloc(1, sizeof(*f))))
		return NULL;
	snprintf(f->key, sizeof(f->key), "%s", key);
	f->first = time(NULL);
	f->next = s->fails;
	s->fails = f;
	return f;
}

struct conv_data {
	const char *password;
};

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *arg)
{
	struct conv_data *cd = arg;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++)
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			r[i].resp = strdup(cd->password);
	*resp = r;
	return PAM_SUCCESS;
}

static bool good_name(const char *u)
{
	size_t n = strlen(u);

	if (n == 0 || n >= 33 || u[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(u[i] == '.' || u[i] == '_' || u[i] == '-' || (u[i] >= '0' && u[i] <= '9') ||
		      (u[i] >= 'a' && u[i] <= 'z') || (u[i] >= 'A' && u[i] <= 'Z')))
			return false;
	return true;
}

static int pam_check(const char *service, const char *user, const char *password,
		     const char *from)
{
	struct conv_data cd = { password };
	struct pam_conv pc = { conv, &cd };
	pam_handle_t *h = NULL;
	int r = pam_start(service, user, &pc, &h);

	if (r != PAM_SUCCESS)
		return -EIO;
	pam_set_item(h, PAM_RHOST, from);
	r = pam_authenticate(h, PAM_DISALLOW_NULL_AUTHTOK);
	if (r == PAM_SUCCESS)
		r = pam_acct_mgmt(h, PAM_DISALLOW_NULL_AUTHTOK);
	if (r != PAM_SUCCESS)
		log_notice("log-in of \"%s\" from %s refused: %s", user, from, pam_strerror(h, r));
	pam_end(h, r);
	return r == PAM_SUCCESS ? 0 : -EACCES;
}

int auth_login(struct web_sessions *s, const char *pam_service, const char *user,
	       const char *password, const char *from, struct web_session *ret, int *retry_after)
{
	char kaddr[160], kuser[160];
	struct sess_node *node;
	struct web_user u;
	time_t now = time(NULL);
	int r, wait = 0;

	*retry_after = 0;
	snprintf(kaddr, sizeof(kaddr), "addr %s", from);
	snprintf(kuser, sizeof(kuser), "user %s", good_name(user) ? user : "?");
	pthread_mutex_lock(&s->lock);
	expire(s, now);
	for (int i = 0; i < 2; i++) {
		struct failure *f = failure_of(s, i ? kuser : kaddr, false);

		if (f && f->count >= s->limit && (int)(f->first + FAIL_WINDOW - now) > wait)
			wait = (int)(f->first + FAIL_WINDOW - now);
	}
	pthread_mutex_unlock(&s->lock);
	if (wait > 0) {
		*retry_after = wait;
		auditlog((uid_t)-1, 0, "web.login", "/", EAGAIN, "user=%s from=%s rate-limited",
			  good_name(user) ? user : "?", from);
		log_warn("log-in of \"%s\" from %s refused: too many failures, %d s to wait",
			 good_name(user) ? user : "?", from, wait);
		return -EAGAIN;
	}
	r = good_name(user) ? pam_check(pam_service, user, password, from) : -EACCES;
	if (r == 0)
		r = cred_lookup(user, &u) < 0 ? -EACCES : 0;
	pthread_mutex_lock(&s->lock);
	if (r < 0) {
		for (int i = 0; i < 2; i++) {
			struct failure *f = failure_of(s, i ? kuser : kaddr, true);

			if (f)
				f->count++;
		}
	} else if ((node = calloc(1, sizeof(*node)))) {
		struct failure *f = failure_of(s, kuser, false);

		if (f)
			f->count = 0;
		new_token(node->s.token);
		new_token(node->s.csrf);
		node->s.user = u;
		node->s.last_used = now;
		node->next = s->list;
		s->list = node;
		*ret = node->s;
	} else
		r = -ENOMEM;
	pthread_mutex_unlock(&s->lock);
	auditlog(r == 0 ? u.uid : (uid_t)-1, 0, "web.login", "/", -r, "user=%s from=%s",
		  good_name(user) ? user : "?", from);
	return r;
}

int sessions_find(struct web_sessions *s, const char *token, struct web_session *ret)
{
	time_t now = time(NULL);
	int r = -ENOENT;

	if (strlen(token) != WEB_TOKEN_LEN)
		return -ENOENT;
	pthread_mutex_lock(&s->lock);
	expire(s, now);
	for (struct sess_node *n = s->list; n; n = n->next)
		if (sodium_memcmp(n->s.token, token, WEB_TOKEN_LEN) == 0) {
			n->s.last_used = now;
			*ret = n->s;
			r = 0;
			break;
		}
	pthread_mutex_unlock(&s->lock);
	return r;
}

void sessions_drop(struct web_sessions *s, const char *token)
{
	pthread_mutex_lock(&s->lock);
	for (struct sess_node **p = &s->list; *p; p = &(*p)->next)
		if (strlen(token) == WEB_TOKEN_LEN &&
		    sodium_memcmp((*p)->s.token, token, WEB_TOKEN_LEN) == 0) {
			struct sess_node *n = *p;

			*p = n->next;
			sodium_memzero(n, sizeof(*n));
			free(n);
			break;
		}
	pthread_mutex_unlock(&s->lock);
}
