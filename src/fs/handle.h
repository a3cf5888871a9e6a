/*
 * handle.h - open file and directory handles of the Sysman tree.
 * A handle is owned by the kernel's open file: created in open/create/
 * opendir, freed in release/releasedir.  Only the thread serving a request
 * on the handle touches it (the kernel serialises flush/release).
 */
#ifndef SYSMAN_FS_HANDLE_H
#define SYSMAN_FS_HANDLE_H

#include <dirent.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/buf.h"

enum fh_kind { FH_FILE, FH_IDS, FH_DISCOVER, FH_NODES };

struct sm_fh {
	struct sm_fh *next, *prev;  /* every live handle (handles_mu) */
	enum fh_kind kind;
	int fd;                 /* backing fd (FH_FILE), else -1 */
	bool dirty;             /* written since the last flush */
	bool failed;            /* a write was refused: flush changes nothing */
	bool append;            /* opened O_APPEND */
	bool trunc;             /* opened O_TRUNC */
	size_t done;            /* FH_DISCOVER: bytes of in already discovered */
	bool committed;         /* FH_IDS: a flush stored this handle's lines */
	struct buf in;          /* FH_IDS / FH_DISCOVER / FH_NODES: bytes written */
	struct buf show;        /* FH_IDS / FH_NODES: what a read shows */
	char *set, *file;       /* FH_NODES: node set text, members' file name */
	bool status;            /* FH_NODES: gathers the members' .status */
};

struct sm_dh {
	struct sm_dh *next, *prev;  /* every live handle (handles_mu) */
	DIR *dp;
	bool hide_dynamic;      /* leave proc/ sys/ out of this listing */
	off_t offset;
	struct dirent *entry;
};

/* Allocates a handle (fd is owned by it; -1 for none).  NULL on ENOMEM. */
struct sm_fh *fh_new(enum fh_kind kind, int fd);
/* Closes and frees; accepts NULL. */
void fh_free(struct sm_fh *fh);
struct sm_dh *dh_new(void);
void dh_free(struct sm_dh *dh);
/* Frees the handles the kernel never released (at unmount). */
void handles_free_all(void);

#endif
