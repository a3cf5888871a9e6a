#include "special/ids.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/hmap.h"
#include "util/strutil.h"

struct ids_entry {
	char label[64];
	char user[IDS_USER_MAX];
	unsigned char nonce[crypto_secretbox_NONCEBYTES];
	unsigned char *box;      /* MAC + ciphertext */
	size_t boxlen;
};

struct ids_set {
	struct ids_entry *e;
	size_t n;
};

struct ids_store {
	pthread_mutex_t lock;    /* guards sets */
	unsigned char *key;      /* sodium_malloc, read-only after init */
	struct hmap *sets;       /* dir -> struct ids_set */
};

static void set_free(void *p)
{
	struct ids_set *s = p;

	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->e[i].box);
	sodium_memzero(s->e, s->n * sizeof(*s->e));
	free(s->e);
	free(s);
}

int ids_store_new(struct ids_store **ret)
{
	struct ids_store *s;

	if (sodium_init() < 0)
		return -EIO;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->key = sodium_malloc(crypto_secretbox_KEYBYTES);
	s->sets = hmap_new();
	if (!s->key || !s->sets) {
		ids_store_free(s);
		return -ENOMEM;
	}
	crypto_secretbox_keygen(s->key);
	sodium_mprotect_readonly(s->key);
	pthread_mutex_init(&s->lock, NULL);
	*ret = s;
	return 0;
}

void ids_store_free(struct ids_store *s)
{
	if (!s)
		return;
	hmap_free(s->sets, set_free);
	if (s->key)
		sodium_free(s->key);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Splits a line into label (optional), user and password.  Fields are
 * copied; the password is the rest of the line after the user, trimmed. */
static int split_line(const char *line, size_t len, char *label, size_t llen,
		      char *user, const char **ret_pass, size_t *ret_passlen,
		      const char **ret_why)
{
	const char *p = line, *end = line + len, *w;
	size_t n;

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	label[0] = '\0';
	if (end - p >= 5 && memcmp(p, "name=", 5) == 0) {
		w = p + 5;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		n = (size_t)(p - w);
		if (n == 0 || n >= llen) {
			*ret_why = "bad name= label";
			return -EINVAL;
		}
		memcpy(label, w, n);
		label[n] = '\0';
		while (p < end && isspace((unsigned char)*p))
			p++;
	}
	w = p;
	while (p < end && !isspace((unsigned char)*p))
		p++;
	n = (size_t)(p - w);
	if (n == 0) {
		*ret_why = "expected USER PASSWORD";
		return -EINVAL;
	}
	if (n >= IDS_USER_MAX) {
		*ret_why = "user name too long";
		return -EINVAL;
	}
	memcpy(user, w, n);
	user[n] = '\0';
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end) {
		*ret_why = "expected USER PASSWORD (password missing)";
		return -EINVAL;
	}
	if ((size_t)(end - p) >= IDS_PASS_MAX) {
		*ret_why = "password too long";
		return -EINVAL;
	}
	for (const char *q = line; q < line + len; q++)
		if (*q == '\0' || (iscntrl((unsigned char)*q) && *q != '\t' && *q != '\r' && *q != '\n')) {
			*ret_why = "control character in line";
			return -EINVAL;
		}
	*ret_pass = p;
	*ret_passlen = (size_t)(end - p);
	return 0;
}

static bool line_is_blank(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)line[i]))
		i++;
	return i == len || line[i] == '#';
}

int ids_check_line(const char *line, size_t len, const char **ret_why)
{
	char label[64], user[IDS_USER_MAX];
	const char *pass;
	size_t plen;

	if (line_is_blank(line, len))
		return 0;
	return split_line(line, len, label, sizeof(label), user, &pass, &plen, ret_why);
}

static int entry_seal(struct ids_store *s, struct ids_entry *e, const char *pass, size_t plen)
{
	e->boxlen = crypto_secretbox_MACBYTES + plen;
	e->box = malloc(e->boxlen);
	if (!e->box)
		return -ENOMEM;
	randombytes_buf(e->nonce, sizeof(e->nonce));
	crypto_secretbox_easy(e->box, (const unsigned char *)pass, plen, e->nonce, s->key);
	return 0;
}

int ids_store_set(struct ids_store *s, const char *dir, const char *text, size_t len,
		  bool append, int *ret_line, const char **ret_why)
{
	struct ids_set *ns = calloc(1, sizeof(*ns)), *old;
	const char *p = text, *end = text + len;
	int lineno = 0, r = 0;

	if (!ns)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	old = hmap_get(s->sets, dir);
	if (append && old) {
		/* copy the old entries (boxes duplicated) so failure leaves old intact */
		ns->e = calloc(old->n + IDS_LINES_MAX, sizeof(*ns->e));
		if (!ns->e) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < old->n; i++) {
			ns->e[i] = old->e[i];
			ns->e[i].box = malloc(old->e[i].boxlen);
			if (!ns->e[i].box) {
				r = -ENOMEM;
				goto out;
			}
			memcpy(ns->e[i].box, old->e[i].box, old->e[i].boxlen);
			ns->n++;
		}
	} else {
		ns->e = calloc(IDS_LINES_MAX, sizeof(*ns->e));
		if (!ns->e) {
			r = -ENOMEM;
			goto out;
		}
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct ids_entry *e;
		const char *pass;
		size_t plen;

		lineno++;
		if (!line_is_blank(p, ll)) {
			if (ns->n >= (append && old ? old->n : 0) + IDS_LINES_MAX) {
				*ret_why = "too many lines";
				r = -EINVAL;
				goto bad;
			}
			e = &ns->e[ns->n];
			r = split_line(p, ll, e->label, sizeof(e->label), e->user, &pass, &plen, ret_why);
			if (r < 0)
				goto bad;
			r = entry_seal(s, e, pass, plen);
			if (r < 0)
				goto out;
			ns->n++;
		}
		p += ll + (nl ? 1 : 0);
	}
	if (ns->n == 0) {
		set_free(hmap_del(s->sets, dir));
		set_free(ns);
		ns = NULL;
		goto out;
	}
	r = hmap_put(s->sets, dir, ns, (void **)&old);
	if (r == 0) {
		set_free(old);
		ns = NULL; /* transferred */
	}
	goto out;
bad:
	if (ret_line)
		*ret_line = lineno;
out:
	pthread_mutex_unlock(&s->lock);
	set_free(ns);
	return r;
}

int ids_store_list(struct ids_store *s, const char *dir, struct buf *out)
{
	struct ids_set *set;
	int n = 0;

	pthread_mutex_lock(&s->lock);
	set = hmap_get(s->sets, dir);
	for (size_t i = 0; set && i < set->n; i++, n++) {
		if (set->e[i].label[0])
			buf_printf(out, "name=%s %s\n", set->e[i].label, set->e[i].user);
		else
			buf_printf(out, "%s\n", set->e[i].user);
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

void ids_pass_free(char *pass)
{
	if (pass)
		sodium_free(pass);
}

static int entry_open(struct ids_store *s, const struct ids_entry *e, char **ret_pass)
{
	size_t plen = e->boxlen - crypto_secretbox_MACBYTES;
	char *pass = sodium_malloc(IDS_PASS_MAX);

	if (!pass)
		return -ENOMEM;
	if (crypto_secretbox_open_easy((unsigned char *)pass, e->box, e->boxlen, e->nonce, s->key) != 0) {
		sodium_free(pass);
		return -EIO;
	}
	pass[plen] = '\0';
	*ret_pass = pass;
	return 0;
}

int ids_store_find(struct ids_store *s, const char *path, const char *label,
		   char *user, char **ret_pass, char *from, size_t fromlen)
{
	char dir[4096];
	int r = -ENOENT;

	if (str_copy(dir, sizeof(dir), path) < 0)
		return -ENAMETOOLONG;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		char *slash = strrchr(dir, '/');
		struct ids_set *set;

		/* the directory of path: strip the last component */
		if (!slash)
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		set = hmap_get(s->sets, dir);
		for (size_t i = 0; set && i < set->n; i++) {
			const struct ids_entry *e = &set->e[i];
			bool match = label ? strcmp(e->label, label) == 0 : strcmp(e->label, "ssh") != 0;

			if (!match)
				continue;
			r = entry_open(s, e, ret_pass);
			if (r == 0) {
				memcpy(user, e->user, IDS_USER_MAX);
				if (from)
					str_copy(from, fromlen, dir);
			}
			goto out;
		}
		if (strcmp(dir, "/") == 0)
			break;
	}
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}
