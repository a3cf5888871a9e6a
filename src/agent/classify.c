/* Classifying agent files by their first line (see trie.h). */
#include "agent/trie.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/strutil.h"

static const char *const kind_names[AGENT_NKINDS] = { "local", "ssh", "ipmi", "redfish" };

const char *agent_kind_name(enum agent_kind k)
{
	return k < AGENT_NKINDS ? kind_names[k] : "?";
}

/* Length of the interpreter line if data starts with one naming
 * interp ("#!/usr/bin/env NAME\n" or "#!NAME\n"), else 0. */
static size_t interp_line(const char *data, size_t len, const char *interp)
{
	char a[64], b[64];

	if (str_printf(a, sizeof(a), "#!/usr/bin/env %s\n", interp) < 0 ||
	    str_printf(b, sizeof(b), "#!%s\n", interp) < 0)
		return 0;
	if (len >= strlen(a) && memcmp(data, a, strlen(a)) == 0)
		return strlen(a);
	if (len >= strlen(b) && memcmp(data, b, strlen(b)) == 0)
		return strlen(b);
	return 0;
}

/* The first word of the first line that is neither blank nor a comment. */
static void first_word(const char *p, char *out, size_t len)
{
	size_t n;

	out[0] = '\0';
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '#')
			p += strcspn(p, "\n");
		if (*p != '\n')
			break;
		p++;
	}
	n = strcspn(p, " \t\r\n");
	if (n > 0 && n < len) {
		memcpy(out, p, n);
		out[n] = '\0';
	}
}

struct agent_file *agent_file_classify(const char *path)
{
	struct agent_file *f = calloc(1, sizeof(*f));
	struct buf b;
	struct stat st;
	size_t n;

	if (!f || !(f->exec = strdup(path))) {
		free(f);
		return NULL;
	}
	f->refs = 1;
	if (stat(path, &st) == 0) {
		f->mtime = st.st_mtim;
		f->size = st.st_size;
		f->ino = st.st_ino;
	}
	buf_init(&b, AGENT_BODY_MAX);
	if (buf_read_file(&b, path) < 0 || !b.data)
		goto out;
	if ((n = interp_line(b.data, b.len, "sysman-remote"))) {
		f->kind = AGENT_KIND_SSH;
		f->body_len = b.len - n;
		f->body = malloc(f->body_len + 1);
		if (!f->body) {
			buf_release(&b);
			agent_file_free(f);
			return NULL;
		}
		memcpy(f->body, b.data + n, f->body_len);
		f->body[f->body_len] = '\0';
	} else if ((n = interp_line(b.data, b.len, "sysman-ipmi"))) {
		first_word(b.data + n, f->prop, sizeof(f->prop));
		if (f->prop[0])
			f->kind = AGENT_KIND_IPMI;
	}
out:
	buf_release(&b);
	return f;
}

struct agent_file *agent_file_ref(const struct agent_file *f)
{
	struct agent_file *m = (struct agent_file *)f;

	__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
	return m;
}

void agent_file_free(struct agent_file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(f->exec);
	free(f->body);
	free(f);
}

bool agent_file_changed(const struct agent_file *f)
{
	struct stat st;

	if (stat(f->exec, &st) < 0)
		return f->ino != 0;
	return st.st_ino != f->ino || st.st_size != f->size ||
	       st.st_mtim.tv_sec != f->mtime.tv_sec || st.st_mtim.tv_nsec != f->mtime.tv_nsec;
}
