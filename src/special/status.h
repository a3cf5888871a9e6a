/*
 * status.h - the "<file>.status" format: "<rc> [message]\n" (S "Special
 * Files and Error Handling").  rc 0 is success.  The message is one line:
 * newlines and control characters are replaced by spaces, length capped.
 */
#ifndef SYSMAN_STATUS_H
#define SYSMAN_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#define STATUS_SUFFIX ".status"
#define STATUS_MSG_MAX 400

struct buf;

/* Appends "<rc> <message>\n" (or "<rc>\n" without a message) to out.
 * Returns 0 or the buffer's error. */
int status_format(struct buf *out, int rc, const char *message);

/* Parses a status line.  Returns 0 with *ret_rc and the message copied
 * into msg (size msglen, may be NULL), or -EINVAL. */
int status_parse(const char *text, int *ret_rc, char *msg, size_t msglen);

/* True if name ends in ".status" (and is longer than the suffix). */
bool status_is_status_name(const char *name);

#endif
