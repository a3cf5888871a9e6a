/*
 * fuzz_nfs.c - libFuzzer target for the plan parser (FUZZ_FORMAT "plan")
 * or one file parser (FUZZ_FORMAT a format name of nfs/parse.h).
 *
 * Besides "no crash, no leak, no UB" it checks two properties and aborts
 * when they fail: what a file parser returns prints as a plan the plan
 * parser accepts, and a parsed plan prints to text that parses to the
 * same text again.  Parsed plans also go through the checker and the
 * generators.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfs/catalog.h"
#include "nfs/check.h"
#include "nfs/gen.h"
#include "nfs/parse.h"
#include "nfs/plan.h"

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT "plan"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct nfs_catalog *cat;

/* print -> parse -> print must be a fixed point. */
static void reprint(const struct nfs_plan *p)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct nfs_plan *q = NULL;
	struct nfs_error err = { 0 };

	if (nfs_plan_print(p, &a) < 0)
		goto out;
	if (nfs_plan_parse(buf_str(&a), a.len, &q, &err) < 0) {
		fprintf(stderr, "printed plan does not parse: line %u col %u: "
			"%s\n%s", err.line, err.col, err.msg, buf_str(&a));
		abort();
	}
	if (nfs_plan_print(q, &b) < 0 || strcmp(buf_str(&a), buf_str(&b))) {
		fprintf(stderr, "print is not stable:\n%s---\n%s", buf_str(&a),
			buf_str(&b));
		abort();
	}
out:
	nfs_plan_free(q);
	buf_release(&a);
	buf_release(&b);
}

static void exercise(const struct nfs_plan *p)
{
	struct nfs_findings f = NFS_FINDINGS_INIT;
	struct nfs_gen_out out = NFS_GEN_OUT_INIT;
	struct nfs_error err = { 0 };

	reprint(p);
	if (!cat && nfs_catalog_open(":memory:", &cat) < 0)
		abort();
	nfs_check(p, cat, &f);
	nfs_findings_release(&f);
	nfs_generate(p, &out, &err);
	nfs_gen_out_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nfs_plan *p = NULL;
	struct nfs_error err = { 0 };
	struct nfs_rpcs rpcs = { NULL, 0, 0 };
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strcmp(FUZZ_FORMAT, "plan") == 0) {
		if (nfs_plan_parse(text, size, &p, &err) == 0)
			exercise(p);
	} else {
		p = nfs_plan_new();
		if (p && nfs_parse(nfs_format_parse(FUZZ_FORMAT), text, size,
				   "h", NULL, p, &rpcs, &err) == 0)
			reprint(p);
	}
	nfs_rpcs_release(&rpcs);
	nfs_plan_free(p);
	free(text);
	return 0;
}
