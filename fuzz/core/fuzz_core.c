/*
 * fuzz_core.c - libFuzzer targets for the daemon's parsers of untrusted
 * input, one per executable (built with -DFUZZ_<NAME>, fuzz/meson.build):
 *
 *   conf      sysman.conf (conf_load); what loads dumps (conf_dump) to a
 *             text that loads again
 *   ids       ids files (ids_check_line, ids_store_set/list): text whose
 *             every line checks is stored; a stored set lists as many
 *             entries as it has non-blank, non-comment lines
 *   status    .status lines, as agents' results are kept and parsed:
 *             parse -> format -> parse is a fixed point
 *   dline     discovery lines and an agent's "set" lines (dline.h): a
 *             parsed line's attributes take any "set" word that checks
 *   nodeset   node sets with @groups (nodeset_parse, fold): the fold of a
 *             set parses back to the same set
 *   redfish   a BMC's JSON answers (rf_props_text), for every property;
 *             the first byte picks it
 *
 * A property that does not hold aborts, so the fuzzer reports it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a NUL-terminated string (malloc'ed). */
static __attribute__((unused)) char *text_of(const uint8_t *data, size_t size)
{
	char *t = malloc(size + 1);

	if (t) {
		memcpy(t, data, size);
		t[size] = '\0';
	}
	return t;
}

#if defined(FUZZ_CONF)
#include "conf/conf.h"

/* conf_load wants a path: a memory file. */
static char err[256];

static int load_text(const char *text, size_t len, struct conf *c)
{
	char path[64];
	int fd = memfd_create("fuzz-conf", MFD_CLOEXEC), r;

	if (fd < 0)
		abort();
	if (len && write(fd, text, len) != (ssize_t)len)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = conf_load(c, path, err, sizeof(err));     /* sets the defaults first */
	close(fd);
	return r;
}

static void run_one(const uint8_t *data, size_t size)
{
	struct conf a, b;
	struct buf d = BUF_INIT;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (load_text((const char *)data, size, &a) == 0) {
		if (conf_dump(&a, &d) < 0)
			abort();
		if (load_text(buf_str(&d), d.len, &b) != 0) {
			fprintf(stderr, "a loaded configuration dumps to text that does not load "
				"(%s):\n%s", err, buf_str(&d));
			abort();
		}
	}
	conf_release(&a);
	conf_release(&b);
	buf_release(&d);
}
#elif defined(FUZZ_IDS)
#include <ctype.h>

#include "special/ids.h"
#include "util/strutil.h"

static int count_cb(char *line, void *arg)
{
	const char *p = line;

	while (isspace((unsigned char)*p))
		p++;
	if (*p && *p != '#')
		++*(int *)arg;
	return 0;
}

static void run_one(const uint8_t *data, size_t size)
{
	static struct ids_store *s;
	char *t = text_of(data, size);
	const char *why = NULL;
	struct buf out = BUF_INIT;
	int line = 0, r;

	if (!t)
		return;
	if (!s && ids_store_new(&s) < 0)
		abort();
	r = ids_store_set(s, "/a", t, size, false, &line, &why);
	if (r == 0 && !memchr(data, '\0', size)) {
		int want = 0, n = ids_store_list(s, "/a", &out);

		str_each_line(t, STR_LINE_MAX, count_cb, &want);
		if (n >= 0 && n != want && want <= IDS_LINES_MAX) {
			fprintf(stderr, "stored %d entries, listed %d\n", want, n);
			abort();
		}
	}
	ids_store_set(s, "/a", "", 0, false, &line, &why);
	buf_release(&out);
	free(t);
}
#elif defined(FUZZ_STATUS)
#include "special/status.h"

static void run_one(const uint8_t *data, size_t size)
{
	char *t = text_of(data, size), msg[STATUS_MSG_MAX + 1], msg2[STATUS_MSG_MAX + 1];
	struct buf b = BUF_INIT;
	int rc, rc2;

	if (!t)
		return;
	/* formatting cleans a message (control characters, length): what it
	 * gives parses back to the same rc and message */
	if (status_parse(t, &rc, msg, sizeof(msg)) == 0) {
		struct buf c = BUF_INIT;
		int bad;

		if (status_format(&b, rc, msg) < 0)
			abort();
		bad = status_parse(buf_str(&b), &rc2, msg2, sizeof(msg2)) != 0 || rc2 != rc ||
		      status_format(&c, rc2, msg2) < 0 || strcmp(buf_str(&b), buf_str(&c)) != 0;
		buf_release(&c);
		if (bad) {
			fprintf(stderr, "status '%s' formats as '%s', which parses differently\n", t,
				buf_str(&b));
			abort();
		}
	}
	buf_release(&b);
	free(t);
}
#elif defined(FUZZ_DLINE)
#include "special/dline.h"
#include "util/strutil.h"

static int set_cb(char *line, void *arg)
{
	struct dline *d = arg;
	const char *w = dline_set_words(line);
	char copy[1024], *save = NULL, before[sizeof(d->attrs)];

	if (!w || strlen(w) >= sizeof(copy))
		return 0;
	strcpy(copy, w);
	for (char *t = strtok_r(copy, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		strcpy(before, d->attrs);
		if (dline_attrs_put(d->attrs, sizeof(d->attrs), t) < 0) {
			if (strcmp(before, d->attrs) != 0)
				abort();        /* a refused word changed nothing */
			continue;
		}
		if (!strstr(d->attrs, t))
			abort();
	}
	return 0;
}

static void run_one(const uint8_t *data, size_t size)
{
	char *t = text_of(data, size), *nl, why[256];
	struct dline d;

	if (!t)
		return;
	/* the first line is the discovery line, the rest the agent's output */
	nl = strchr(t, '\n');
	if (nl)
		*nl = '\0';
	if (dline_parse(t, &d, why, sizeof(why)) == 0) {
		if (strstr(d.parent, "..") || d.parent[0] == '/')
			abort();
		if (nl)
			str_each_line(nl + 1, STR_LINE_MAX, set_cb, &d);
	}
	free(t);
}
#elif defined(FUZZ_NODESET)
#include "util/nodeset.h"

static int resolve(const char *group, char **ret_text, void *arg)
{
	(void)arg;
	if (strcmp(group, "rack1") == 0)
		return (*ret_text = strdup("n[1-3],x[01-02]")) ? 0 : -ENOMEM;
	if (strcmp(group, "loop") == 0)    /* a group naming itself */
		return (*ret_text = strdup("@loop,n1")) ? 0 : -ENOMEM;
	return -ENOENT;
}

static void run_one(const uint8_t *data, size_t size)
{
	struct nodeset_resolver res = { resolve, NULL };
	struct nodeset_error err = { 0, "" };
	struct nodeset *a = nodeset_new(300), *b = nodeset_new(300);
	char *t = text_of(data, size), *fold = NULL;

	if (!t || !a || !b)
		goto out;
	if (nodeset_parse(a, t, &res, &err) == 0 && nodeset_fold(a, &fold) == 0) {
		struct nodeset_error e2 = { 0, "" };

		if (nodeset_parse(b, fold, NULL, &e2) != 0 ||
		    nodeset_count(a) != nodeset_count(b) || nodeset_xor(b, a) != 0 ||
		    nodeset_count(b) != 0) {
			fprintf(stderr, "'%s' folds to '%s', which parses to another set (%s)\n", t,
				fold, e2.msg);
			abort();
		}
	}
out:
	free(fold);
	free(t);
	nodeset_free(a);
	nodeset_free(b);
}
#elif defined(FUZZ_REDFISH)
#include <jansson.h>

#include "redfish/props.h"

static void run_one(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *j;
	struct buf out = BUF_INIT;
	char msg[256];

	if (size < 1)
		return;
	j = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, &jerr);
	if (!j)
		return;
	rf_props_text((enum rf_prop)(data[0] % 6), j, &out, msg, sizeof(msg));
	json_decref(j);
	buf_release(&out);
}
#else
#error "unknown FUZZ_TARGET"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;

	if (!quiet) {
		log_setup("fuzz", LOG_ERR, false);
		quiet = 1;
	}
	run_one(data, size);
	return 0;
}
