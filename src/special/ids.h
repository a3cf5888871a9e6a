/*
 * ids.h - credentials written to "ids" files (DESIGN §5, S "Authentication").
 *
 * Invariants: passwords are kept only in memory, encrypted with
 * crypto_secretbox under a random key held in sodium_malloc'ed, mlocked
 * memory; they are never written to disk or logs.  Sets are keyed by the
 * directory that holds the ids file ("/" for /sysman/ids).  Lookups climb
 * from a directory to "/" and return the first set found (inheritance).
 * Thread-safe: every function takes the store's lock.
 */
#ifndef SYSMAN_IDS_H
#define SYSMAN_IDS_H

#include <stdbool.h>
#include <stddef.h>

struct ids_store;
struct buf;

#define IDS_USER_MAX 128
#define IDS_PASS_MAX 512
#define IDS_LINES_MAX 64

/* Creates a store (initialises libsodium).  Returns 0 or -errno. */
int ids_store_new(struct ids_store **ret);
void ids_store_free(struct ids_store *s);

/* Checks one line of ids input: "[name=LABEL] USER PASSWORD".  Blank lines
 * and lines starting with '#' are valid and ignored.  Returns 0 or -EINVAL
 * with a static reason in *ret_why. */
int ids_check_line(const char *line, size_t len, const char **ret_why);

/* Replaces (append=false) or extends the set of dir with the lines of text.
 * All lines are checked first; on any error nothing changes and -EINVAL is
 * returned with the 1-based bad line number in *ret_line.  An empty text
 * with append=false clears the set. */
int ids_store_set(struct ids_store *s, const char *dir, const char *text, size_t len,
		  bool append, int *ret_line, const char **ret_why);

/* Appends the user names of dir's own set ("[name=LABEL] USER" a line) to
 * out.  Returns the number of entries. */
int ids_store_list(struct ids_store *s, const char *dir, struct buf *out);

/* Finds the credentials that apply to path (climbing from its directory).
 * On success returns 0, copies the user into user (size IDS_USER_MAX) and
 * the password into pass, a buffer from sodium_malloc of IDS_PASS_MAX bytes
 * that the caller releases with ids_pass_free().  The directory whose set
 * matched is copied into from (may be NULL).  With label NULL the first
 * entry not labelled "ssh" matches (credentials for agents); with a label,
 * only entries with that name= label match (label "ssh": SSH logins).  The
 * nearest set holding a matching entry wins.  Returns -ENOENT when none
 * applies. */
int ids_store_find(struct ids_store *s, const char *path, const char *label,
		   char *user, char **ret_pass, char *from, size_t fromlen);
void ids_pass_free(char *pass);

#endif
