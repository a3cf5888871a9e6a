/*
 * lex.h - logical lines and whitespace-separated tokens, shared by the plan
 * parser and the line-oriented file parsers.
 *
 * A logical line is one physical line, or several joined where a line ends
 * in '\' (NFS_LEX_CONT).  Tokens are split at blanks; double quotes group
 * blanks into a token (the quotes are removed, \" and \\ unescaped); with
 * NFS_LEX_OCTAL a \NNN octal escape (fstab's \040) is decoded; with
 * NFS_LEX_HASH a token starting with '#' starts a comment that runs to the
 * end of the line.  \r \f \v separate like blanks; a token holding
 * another control character (quoted or escaped) is an error.  Line numbers are of the first physical line, columns
 * are 1-based within the logical line.
 */
#ifndef SYSMAN_NFS_LEX_H
#define SYSMAN_NFS_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "nfs/model.h"
#include "util/buf.h"

enum {
	NFS_LEX_CONT = 1u << 0,
	NFS_LEX_HASH = 1u << 1,
	NFS_LEX_STAR = 1u << 2,    /* a line starting with '*' is a comment */
	NFS_LEX_OCTAL = 1u << 3,
	NFS_LEX_QUOTE = 1u << 4,   /* double quotes group */
};

#define NFS_LEX_MAX_TOKENS 4096

struct nfs_tok {
	char *s;
	unsigned col;
	bool quoted;
};

struct nfs_lex {
	const char *p, *end;
	unsigned line;             /* next physical line number */
	unsigned flags;
	struct buf cur;            /* the current logical line */
	struct nfs_tok *tok;
	size_t ntok, captok;
	unsigned lineno;           /* line of the current logical line */
};

void nfs_lex_init(struct nfs_lex *lx, const char *text, size_t len,
		  unsigned flags);
void nfs_lex_release(struct nfs_lex *lx);

/* Reads the next logical line with at least one token into lx->tok /
 * lx->ntok (valid until the next call) and lx->lineno.  Returns 1, 0 at
 * the end of the text, -EINVAL for an unterminated quote (err set), -E2BIG
 * for a line past the buffer limit or too many tokens, -ENOMEM. */
int nfs_lex_next(struct nfs_lex *lx, struct nfs_error *err);

/* Appends s to b, quoting it ("..." with \" and \\) when it holds blanks,
 * quotes, '#', or is empty. */
int nfs_quote(struct buf *b, const char *s);
/* Appends s to b with blanks and backslashes as \NNN octal (fstab style). */
int nfs_octal_escape(struct buf *b, const char *s);

#endif
