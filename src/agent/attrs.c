/* A device's attributes as every back end reads them: its own, then what
 * its groups give it (special/group.h has the rule). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/backend.h"
#include "db/inventory.h"
#include "special/group.h"

int agent_device_attrs(struct agent_layer *al, const struct device *d, char **ret_attrs)
{
	const char *own = d->attrs ? d->attrs : "";
	const char *base = d->path ? strrchr(d->path, '/') : NULL;
	char *s;

	if (al->groups && base && base[1])
		return group_attrs_effective(al->groups, base + 1, own, ret_attrs);
	s = strdup(own);
	if (!s)
		return -ENOMEM;
	*ret_attrs = s;
	return 0;
}
