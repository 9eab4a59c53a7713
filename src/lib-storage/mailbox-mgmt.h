/* Copyright (c) dovecot-like authors. mailbox-mgmt.h: lib-storage's own
   helpers behind mail_user_mailbox_create/delete/rename and the
   subscriptions file (mail-storage.h), exposed for the unit tests and the
   fuzz target. Storage names: '/' between hierarchy levels. */
#ifndef MAILBOX_MGMT_H
#define MAILBOX_MGMT_H

#include "mail-storage.h"

struct str;

/* Dovecot's bounds: a whole name, and one hierarchy level */
#define MAILBOX_NAME_MAX_LEN 4096
#define MAILBOX_NAME_MAX_LEVEL_LEN 255
/* a subscriptions file larger than this is refused (not truncated) */
#define MAILBOX_SUBSCRIPTIONS_MAX_SIZE (1024 * 1024)
/* the subscriptions file's dotlock (Dovecot's: <file>.lock): how long a
   writer waits for it, and when an untouched one is considered stale */
#define MAILBOX_SUBSCRIPTIONS_LOCK_TIMEOUT_MSECS (30 * 1000)
#define MAILBOX_SUBSCRIPTIONS_LOCK_STALE_SECS 30

/* Sets *error_r = error, *error_str_r = str (not copied); returns -1, so
   "return mailbox_mgmt_error(...);" ends a failing CREATE/DELETE/RENAME. */
int mailbox_mgmt_error(enum mail_storage_error error, const char *str,
		       enum mail_storage_error *error_r,
		       const char **error_str_r);
/* Logs log_msg (unless NULL: the caller logged) and sets MAIL_ERROR_TEMP
   "Internal error occurred"; returns -1. */
int mailbox_mgmt_internal_error(const char *log_msg,
				enum mail_storage_error *error_r,
				const char **error_str_r);

/* Checks that name can name a mailbox: non-empty, within the bounds, no
   empty level, no "." / ".." level, no leading '~'; with for_create also no
   control characters (Dovecot allows opening old names that have them).
   0, or -1 with MAIL_ERROR_PARAMS and a client-safe text (static). */
int mailbox_name_check(const char *name, bool for_create,
		       enum mail_storage_error *error_r,
		       const char **error_str_r);
/* name with a first level "INBOX" in any case written "INBOX" (tmp, or
   name itself when nothing changes). */
const char *mailbox_name_fix_inbox(const char *name);
/* true if child is below parent ("a/b" below "a"; "ab" is not). */
bool mailbox_name_is_child(const char *parent, const char *child);

/* Parses a subscriptions file's contents data[0..size): Dovecot's v2 ("V\t2"
   header line, an empty line, then one name per line with TAB between the
   levels, each level TAB-escaped, a '/' inside a level separating levels
   too: Dovecot's form for a subscriptions = no namespace) or v1 (one name
   per line, v1_sep between the levels). Returns the storage names in file order (duplicates kept),
   in pool. Lines that can't be a storage name (empty level, NUL, a '/'
   inside a v1 level, longer than MAILBOX_NAME_MAX_LEN) are skipped. */
void mailbox_subscriptions_parse(const void *data, size_t size, char v1_sep,
				 struct pool *pool, ARRAY_TYPE(string) *names_r);
/* Appends name's v2 line (with its LF) to dest. */
void mailbox_subscriptions_append_v2(struct str *dest, const char *name);
/* The same, but a name starting with one of flat_prefixes (storage names
   ending with '/', NULL-terminated; may be NULL) and longer has that
   prefix written as it is, '/' kept: Dovecot's form for a subscriptions
   = no namespace's names ("INBOX/foo\tbar"). */
void mailbox_subscriptions_append_v2_flat(struct str *dest, const char *name,
					  const char *const *flat_prefixes);
/* Adds or removes name in the file at path (v1_sep as above), rewriting it
   in v2 form under path.lock: temp = the lock file, fsync, rename. An
   already subscribed name (set) or a missing one (!set) is success without
   a rewrite. Blocks up to MAILBOX_SUBSCRIPTIONS_LOCK_TIMEOUT_MSECS for
   another writer. 0, or -1 with *error_r (for the log). */
int mailbox_subscriptions_set(const char *path, char v1_sep, const char *name,
			      bool set, const char **error_r);
/* The same, every line written with mailbox_subscriptions_append_v2_flat()
   (so names read in another form are converted on this write). */
int mailbox_subscriptions_set_flat(const char *path, char v1_sep,
				   const char *name, bool set,
				   const char *const *flat_prefixes,
				   const char **error_r);
/* Reads the file at path (missing = none): names sorted, duplicates
   dropped, in pool. 0, or -1 with *error_r (for the log). */
int mailbox_subscriptions_read(const char *path, char v1_sep, struct pool *pool,
			       ARRAY_TYPE(string) *names_r, const char **error_r);

#endif
