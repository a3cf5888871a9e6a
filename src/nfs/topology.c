#include "nfs/topology.h"

#include <stdio.h>
#include <string.h>

/* Appends s as a dot string body (quotes and backslashes escaped). */
static int esc(struct buf *b, const char *s)
{
	int r = 0;

	for (; *s && r >= 0; s++)
		r = strchr("\"\\", *s) ? buf_printf(b, "\\%c", *s) :
		    *s == '\n' ? buf_append_str(b, "\\n") : buf_append(b, s, 1);
	return r;
}

static bool is_server(const struct nfs_plan *p, const char *name)
{
	for (size_t i = 0; i < p->nexports; i++)
		if (strcmp(p->exports[i].server, name) == 0)
			return true;
	return false;
}

static bool imported(const struct nfs_plan *p, const struct nfs_export *e)
{
	for (size_t i = 0; i < p->nimports; i++)
		if (strcmp(p->imports[i].server, e->server) == 0 &&
		    strcmp(p->imports[i].path, e->path) == 0)
			return true;
	return false;
}

static int edge(struct buf *b, const char *from, const char *to,
		const char *l1, const char *l2, const char *style)
{
	int r = buf_append_str(b, "\t\"");

	if (r >= 0)
		r = esc(b, from);
	if (r >= 0)
		r = buf_append_str(b, "\" -> \"");
	if (r >= 0)
		r = esc(b, to);
	if (r >= 0)
		r = buf_append_str(b, "\" [label=\"");
	if (r >= 0)
		r = esc(b, l1);
	if (r >= 0 && l2) {
		r = buf_append_str(b, " -> ");
		if (r >= 0)
			r = esc(b, l2);
	}
	if (r >= 0)
		r = buf_printf(b, "\"%s];\n", style);
	return r;
}

int nfs_topology_dot(const struct nfs_plan *p, struct buf *b)
{
	int r = buf_append_str(b, "digraph nfs {\n\trankdir=LR;\n");

	for (size_t i = 0; r >= 0 && i < p->nhosts; i++) {
		const struct nfs_host *h = &p->hosts[i];

		r = buf_append_str(b, "\t\"");
		if (r >= 0)
			r = esc(b, h->name);
		if (r >= 0)
			r = buf_printf(b, "\" [shape=%s, label=\"",
				       is_server(p, h->name) ? "box" : "ellipse");
		if (r >= 0)
			r = esc(b, h->name);
		if (r >= 0)
			r = buf_printf(b, "\\n%s\"];\n",
				       nfs_platform_name(h->platform));
	}
	for (size_t i = 0; r >= 0 && i < p->nimports; i++) {
		const struct nfs_import *im = &p->imports[i];

		r = edge(b, im->server, im->client, im->path, im->mountpoint, "");
	}
	for (size_t i = 0; r >= 0 && i < p->nexports; i++) {
		const struct nfs_export *e = &p->exports[i];

		for (size_t j = 0; r >= 0 && !imported(p, e) &&
		     j < e->nclients; j++)
			r = edge(b, e->server, e->clients[j].spec, e->path, NULL,
				 ", style=dashed");
	}
	return r < 0 ? r : buf_append_str(b, "}\n");
}

struct dep_ctx {
	struct buf *b;
	char platform[32];
};

static int dep_edge(void *arg, const char *platform, const char *product,
		    const char *dep, const char *wp, const char *wv)
{
	struct dep_ctx *d = arg;
	int r = 0;

	if (strcmp(d->platform, platform) != 0) {
		r = buf_printf(d->b, "%s\tsubgraph \"cluster_%s\" {\n"
			       "\t\tlabel=\"%s\";\n", d->platform[0] ?
			       "\t}\n" : "", platform, platform);
		snprintf(d->platform, sizeof(d->platform), "%s", platform);
	}
	if (r >= 0)
		r = buf_printf(d->b, "\t\t\"%s/%s\" -> \"%s/%s\"", platform,
			       product, platform, dep);
	if (r >= 0 && wp)
		r = buf_printf(d->b, " [label=\"%s=%s\", style=dashed]", wp,
			       wv ? wv : "");
	return r < 0 ? r : buf_append_str(d->b, ";\n");
}

int nfs_dependencies_dot(struct nfs_catalog *c, struct buf *b)
{
	struct dep_ctx d = { b, "" };
	int r = buf_append_str(b, "digraph dependencies {\n\trankdir=LR;\n"
			       "\tnode [shape=box];\n");

	if (r >= 0)
		r = nfs_catalog_dep_edges(c, dep_edge, &d);
	if (r >= 0 && d.platform[0])
		r = buf_append_str(b, "\t}\n");
	return r < 0 ? r : buf_append_str(b, "}\n");
}
