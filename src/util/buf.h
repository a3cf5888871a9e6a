/*
 * buf.h - the one growable byte buffer of Sysman, with a hard size limit.
 *
 * Invariants:
 *   - b->data is NUL-terminated whenever b->data != NULL, so it can be used
 *     as a C string when the content has no embedded NULs;
 *   - b->len <= b->max at all times; b->max is set once at init and never
 *     grows; appends past it are truncated and set b->truncated;
 *   - a zeroed struct (BUF_INIT) is a valid empty buffer with the default max.
 *
 * Used for agent output, SSH output, HTTP bodies and file content.  Nothing
 * taken from a peer or a user is ever stored outside such a buffer.
 */
#ifndef SYSMAN_BUF_H
#define SYSMAN_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define BUF_DEFAULT_MAX (1024u * 1024u)   /* 1 MiB */
#define BUF_HARD_MAX    (256u * 1024u * 1024u)

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;        /* 0 means BUF_DEFAULT_MAX */
	bool truncated;    /* an append was cut at max */
};

#define BUF_INIT { NULL, 0, 0, 0, false }

/* Sets up an empty buffer holding at most max bytes (0: default, capped at
 * BUF_HARD_MAX).  Never fails. */
void buf_init(struct buf *b, size_t max);

/* Frees the storage and leaves an empty buffer with the same max.  Accepts
 * NULL. */
void buf_release(struct buf *b);

/* Empties the buffer, keeping its storage. */
void buf_reset(struct buf *b);

/* Appends len bytes.  Returns 0, -E2BIG when the data was cut at max (the
 * part that fits is kept and b->truncated set), or -ENOMEM. */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_append_str(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Makes room for n more bytes.  Returns 0 (buf_tail() then has n writable
 * bytes), -E2BIG when len + n would pass max (nothing changes), or
 * -ENOMEM. */
int buf_reserve(struct buf *b, size_t n);
static inline char *buf_tail(struct buf *b) { return b->data + b->len; }
/* Records that n bytes were written at buf_tail(). */
void buf_commit(struct buf *b, size_t n);

/* Reads from fd until EOF or, for a non-blocking fd, until no more data
 * is ready.  Bytes past max are read and dropped (so the writer never
 * blocks) and set b->truncated.  Returns the bytes consumed (> 0) when
 * data was read and more may follow, 0 at EOF with nothing read in this
 * call, -EAGAIN when nothing was ready, or -errno. */
ssize_t buf_read_fd(struct buf *b, int fd);

/* Reads a whole file into b.  Returns 0 or -errno (-E2BIG if cut at max). */
int buf_read_file(struct buf *b, const char *path);

/* Removes trailing whitespace. */
void buf_rtrim(struct buf *b);

/* Detaches the data (NUL-terminated, caller frees) and empties b. Returns
 * NULL only on allocation failure of an empty buffer. */
char *buf_steal(struct buf *b);

static inline const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

#endif
