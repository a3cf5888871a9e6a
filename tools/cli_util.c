/* Helpers shared by the sysman(1) sub-commands. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cli_default_root(void)
{
	const char *r = getenv("SYSMAN_ROOT");

	return r && *r ? r : "/sysman";
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("sysman: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

void cli_names_free(char **names, int n)
{
	for (int i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

int cli_list_dir(const char *path, char ***ret_names)
{
	struct dirent **ents = NULL;
	char **names = NULL;
	int n, r;

	n = scandir(path, &ents, not_dots, name_cmp);
	if (n < 0)
		return -errno;
	names = calloc((size_t)n + 1, sizeof(*names));
	r = names ? n : -ENOMEM;
	for (int i = 0; i < n; i++) {
		if (names && !(names[i] = strdup(ents[i]->d_name)))
			r = -ENOMEM;
		free(ents[i]);
	}
	free(ents);
	if (r < 0) {
		cli_names_free(names, n);
		return r;
	}
	*ret_names = names;
	return n;
}

bool cli_is_dynamic_dir(const char *name)
{
	return strcmp(name, "proc") == 0 || strcmp(name, "sys") == 0;
}

char *cli_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	char *s = NULL;

	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	if (asprintf(&s, "%.*s%s%s", (int)dl, dir,
		     dl && dir[dl - 1] == '/' ? "" : "/", name) < 0)
		return NULL;
	return s;
}
