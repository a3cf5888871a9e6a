/* Node sets on the command line: "@name" from the tree's groups/, and
 * malformed sets explained with a caret. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "special/group.h"
#include "util/nodeset.h"

int cli_resolve_group(const char *group, char **ret_text, void *arg)
{
	char *dir = NULL;
	int r;

	if (asprintf(&dir, "%s/groups", (const char *)arg) < 0)
		return -ENOMEM;
	r = group_members_text(dir, group, ret_text);
	free(dir);
	return r;
}

int cli_nodeset_parse(const char *cmd, const char *root, char *const *sets, int nsets,
		      struct nodeset **ret)
{
	struct nodeset_resolver res = { cli_resolve_group, (void *)root };
	struct nodeset *ns = nodeset_new(0);

	if (!ns) {
		cli_err("%s: %s", cmd, strerror(ENOMEM));
		return CLI_FAIL;
	}
	for (int i = 0; i < nsets; i++) {
		struct nodeset_error err = { 0, "" };
		int r = nodeset_parse(ns, sets[i], &res, &err);

		if (r == 0)
			continue;
		if (r == -EINVAL) {
			size_t pos = err.pos > strlen(sets[i]) ? strlen(sets[i]) : err.pos;

			cli_err("%s: malformed node set at offset %zu: %s", cmd, pos, err.msg);
			fprintf(stderr, "  %s\n  %*s^\n", sets[i], (int)pos, "");
		} else if (r == -E2BIG) {
			cli_err("%s: '%s' gives more than %d names", cmd, sets[i], NODESET_MAX_DEFAULT);
		} else {
			cli_err("%s: '%s': %s", cmd, sets[i], err.msg[0] ? err.msg : strerror(-r));
		}
		nodeset_free(ns);
		return r == -ENOMEM ? CLI_FAIL : CLI_USAGE;
	}
	*ret = ns;
	return CLI_OK;
}
