/* Copyright (c) dovecot-like authors. mail-storage.h: the storage abstraction
   the imap and pop3 workers use. One mail_user per worker; mailboxes are
   opened by name (first slice: INBOX); a mailbox view is synced explicitly and
   reports what changed since the previous sync, so the caller can send
   EXISTS/EXPUNGE/FETCH. Backends: maildir (this slice), mbox (issue 4).
   Sequence numbers are 1-based positions in the view; they change only at
   mailbox_sync(). */
#ifndef MAIL_STORAGE_H
#define MAIL_STORAGE_H

#include "array.h"
#include <time.h>

struct istream;

enum mail_flags {
	MAIL_ANSWERED = 0x01,
	MAIL_FLAGGED = 0x02,
	MAIL_DELETED = 0x04,
	MAIL_SEEN = 0x08,
	MAIL_DRAFT = 0x10,
	MAIL_RECENT = 0x20,	/* never stored; session property */
	MAIL_FLAGS_MASK = 0x1f,
};

enum mail_storage_error {
	MAIL_ERROR_NONE = 0,
	MAIL_ERROR_TEMP,	/* internal error: log has details */
	MAIL_ERROR_NOTFOUND,	/* no such mailbox / message expunged */
	MAIL_ERROR_PERM,
	MAIL_ERROR_NOQUOTA,
	MAIL_ERROR_PARAMS,
	MAIL_ERROR_EXISTS,
	MAIL_ERROR_EXPUNGED,	/* message was expunged by another session */
	MAIL_ERROR_INUSE,	/* locked by another process right now */
	MAIL_ERROR_LIMIT,	/* a per-mailbox limit (keywords) reached */
};

/* Keywords (RFC 3501 2.3.2 flag-keyword). A mailbox has a list of keyword
   names; while it is open the list only grows, so a name's index (its bit
   in struct mail_keywords) never changes. Names compare case-insensitively
   and keep the spelling first seen. */
#define MAILBOX_MAX_KEYWORDS 128
/* the longest keyword a client may create (Dovecot's
   mail_max_keyword_length); longer ones found in storage are kept */
#define MAILBOX_MAX_KEYWORD_LEN 50
struct mail_keywords {
	uint8_t bits[MAILBOX_MAX_KEYWORDS / 8];	/* bit n = keyword n */
};
static inline bool mail_keywords_has(const struct mail_keywords *kw,
				     unsigned int idx)
{
	return (kw->bits[idx / 8] & (1U << (idx % 8))) != 0;
}
static inline void mail_keywords_set(struct mail_keywords *kw,
				     unsigned int idx, bool set)
{
	if (set)
		kw->bits[idx / 8] |= (uint8_t)(1U << (idx % 8));
	else
		kw->bits[idx / 8] &= (uint8_t)~(1U << (idx % 8));
}
bool mail_keywords_is_empty(const struct mail_keywords *kw);

struct mail_user;
struct mailbox;
struct mail_namespaces;

/* The mbox backend's settings (mbox_read_locks, mbox_write_locks,
   mbox_lock_timeout, mbox_dotlock_change_timeout, mail_privileged_group).
   Lock method lists are validated by mail_user_create(). */
struct mail_user_mbox_settings {
	const char *read_locks;		/* "fcntl" */
	const char *write_locks;	/* "dotlock fcntl" */
	unsigned int lock_timeout_secs;
	unsigned int dotlock_change_timeout_secs;
	/* mail_privileged_group's gid, kept as the saved gid by
	   restrict_access_keep_gid(); (gid_t)-1 = none */
	gid_t privileged_gid;
	/* mbox_lazy_writes: flag changes are written at the next sync or
	   close instead of at once */
	bool lazy_writes;
};

/* The userdb's view of the user, after the privilege drop. */
struct mail_user_settings {
	const char *username;
	const char *home;	/* may be NULL */
	const char *mail_location;	/* "maildir:~/Maildir", %-vars expanded except ~ */
	uid_t uid;
	gid_t gid;
	/* NULL = the built-in defaults (mail_user_mbox_settings_default()) */
	const struct mail_user_mbox_settings *mbox;
	/* the cache file's initial decisions (lists of field names, e.g.
	   "imap.envelope imap.bodystructure"; NULL = none):
	   mail_cache_fields are cached for new mail of a new cache,
	   mail_always_cache_fields always, mail_never_cache_fields never */
	const char *cache_fields, *always_cache_fields, *never_cache_fields;
};

/* Dovecot's defaults: fcntl / dotlock fcntl, 5 min, 2 min, no privileged
   group, lazy writes. */
void mail_user_mbox_settings_default(struct mail_user_mbox_settings *set_r);

/* 0 or -1 with *error_r (client-safe text, details logged). */
int mail_user_create(const struct mail_user_settings *set, struct mail_user **user_r,
		     const char **error_r);
void mail_user_unref(struct mail_user **user);
const char *mail_user_get_name(const struct mail_user *user);
/* Added: another reference (a mailbox holds one on its user). */
void mail_user_ref(struct mail_user *user);
/* Added: the mail root directory after parsing mail_location (~ expanded).
   Owned by the user. */
const char *mail_user_get_mail_root(const struct mail_user *user);
/* Added: the user's namespaces (mail-namespace.h): the default one (inbox,
   separator '.', empty prefix) until mail_user_set_namespaces(), which
   takes a finished set and owns its pool from then on. */
struct mail_namespaces *mail_user_get_namespaces(const struct mail_user *user);
void mail_user_set_namespaces(struct mail_user *user,
			      struct mail_namespaces *nss);

/* Every mailbox of the user, INBOX first, the rest sorted; storage names
   ('/' between levels, see "Mailbox management"). Names in pool. 0 or -1
   with *error_r. */
int mail_user_list_mailboxes(struct mail_user *user, struct pool *pool,
			     ARRAY_TYPE(string) *names_r, const char **error_r);
/* Whether mail_user_list_mailboxes() lists storage name (a selectable
   mailbox), without listing them all: 1 yes, 0 no, -1 with *error_r.
   Missing auto mailboxes are not counted (mail-namespace-auto.h). */
int mail_user_mailbox_exists(struct mail_user *user, const char *name,
			     const char **error_r);
/* The subscribed mailbox names (storage names: '/' between levels),
   sorted, each once, whether or not the mailbox exists. Names in pool.
   0 or -1 with *error_r (for the log). */
int mail_user_list_subscriptions(struct mail_user *user, struct pool *pool,
				 ARRAY_TYPE(string) *names_r,
				 const char **error_r);

enum mailbox_flags {
	MAILBOX_FLAG_READONLY = 0x01,	/* EXAMINE */
	MAILBOX_FLAG_POP3_SESSION = 0x02,	/* pop3: no \Recent changes */
	/* opened only to save into or to count (APPEND, COPY/MOVE target,
	   STATUS): takes no \Recent, leaves it to the session that has the
	   mailbox selected (RFC 3501 2.3.2) */
	MAILBOX_FLAG_NO_RECENT = 0x04,
	/* named through a namespace that does not declare it as an auto =
	   create/subscribe mailbox: a missing one is not created (as
	   Dovecot 2.3: "Mailbox doesn't exist") */
	MAILBOX_FLAG_NO_AUTO_CREATE = 0x08,
	/* opened only to save into with a save transaction (APPEND): the
	   backend may skip the first sync, so nothing but saving,
	   mailbox_get_name(), the last error and close may be used. The next
	   sync of any session finds the new messages. */
	MAILBOX_FLAG_SAVE_ONLY = 0x10,
};

/* The storage name the mailbox was opened with ("INBOX" for any case of
   it). Owned by the mailbox. */
const char *mailbox_get_name(const struct mailbox *box);
/* Opens and does the first sync. name "INBOX" (case-insensitive). */
int mailbox_open(struct mail_user *user, const char *name, enum mailbox_flags flags,
		 struct mailbox **box_r, enum mail_storage_error *error_r,
		 const char **error_str_r);
void mailbox_close(struct mailbox **box);

struct mailbox_status {
	/* unseen_seq is the same as first_unseen_seq (SELECT's [UNSEEN n]) */
	uint32_t messages, recent, unseen_seq, uidvalidity, uidnext;
	unsigned int first_unseen_seq;	/* 0 = none */
	uint32_t unseen;	/* added: count of messages without \Seen
				   (STATUS UNSEEN) */
	uint32_t deleted;	/* messages with \Deleted (RFC 9051 STATUS
				   DELETED) */
	/* RFC 7162 HIGHESTMODSEQ; 0 = the mailbox keeps no persistent
	   modseqs (NOMODSEQ) */
	uint64_t highest_modseq;
};
void mailbox_get_status(struct mailbox *box, struct mailbox_status *status_r);
/* status.highest_modseq and status.uidnext alone, without walking the
   view (O(1)). */
uint64_t mailbox_get_highest_modseq(struct mailbox *box);
uint32_t mailbox_get_uidnext(struct mailbox *box);

/* One expunged message: its seq at the time it is reported (each one in
   the order of a list of these, as IMAP EXPUNGE wants) and its UID (for
   QRESYNC's VANISHED). */
struct mailbox_expunged {
	uint32_t seq, uid;
};
typedef ARRAY(struct mailbox_expunged) ARRAY_TYPE(mailbox_expunged);

/* What a sync found: expunged messages (in the order to report them), new
   message count, and seqs whose flags others changed. */
struct mailbox_sync_result {
	ARRAY_TYPE(mailbox_expunged) expunged;
	uint32_t messages;	/* count after sync; > old count = EXISTS */
	uint32_t recent;
	ARRAY_TYPE(uint32) flag_changed_seqs;
};
/* Picks up deliveries (new/), others' flag changes and expunges. Result arrays
   in pool. 0 or -1. */
int mailbox_sync(struct mailbox *box, struct pool *pool,
		 struct mailbox_sync_result *result_r);

/* mailbox-notify.c: calls callback(context) from the ioloop when the
   mailbox's files may have changed (a delivery, another session's flag
   change or expunge, an external append to an mbox); the caller then runs
   mailbox_sync(). One change may give several calls, and our own writes
   give calls too. 0, or -1 with errno set when the mailbox can't be
   watched (no inotify, its limit reached, a backend without watch paths):
   poll instead. Replaces an earlier watch of box; stopped by
   mailbox_notify_changes_stop() and by mailbox_close(). */
int mailbox_notify_changes(struct mailbox *box,
			   void (*callback)(void *context), void *context);
/* NULL-safe: no watch is fine. */
void mailbox_notify_changes_stop(struct mailbox *box);

uint32_t mailbox_get_messages_count(struct mailbox *box);
/* seq <-> uid; 0 if not found. */
uint32_t mailbox_seq_to_uid(struct mailbox *box, uint32_t seq);
uint32_t mailbox_uid_to_seq(struct mailbox *box, uint32_t uid);
/* Highest seq with uid <= given uid (for UID ranges), 0 if none. */
uint32_t mailbox_uid_to_seq_floor(struct mailbox *box, uint32_t uid);

/* The mailbox's keyword names (index = bit in struct mail_keywords), for
   FLAGS and PERMANENTFLAGS. Valid until the next call that may add one
   (sync, mailbox_keywords_create(), a save). */
const char *const *mailbox_get_keywords(struct mailbox *box,
					unsigned int *count_r);
/* Whether a client may create new keywords here now (PERMANENTFLAGS \*):
   false when read-only or when the backend's room is used up (Maildir: 26
   letters). */
bool mailbox_can_create_keywords(struct mailbox *box);
/* A valid new keyword name: an IMAP atom without '\\', at most
   MAILBOX_MAX_KEYWORD_LEN. false with a client-safe *error_r. */
bool mail_keyword_is_valid(const char *name, const char **error_r);
/* The set of names (count of them), creating those the mailbox doesn't
   have yet (the backend stores the new names: Maildir dovecot-keywords).
   0, or -1 with the error set on box: MAIL_ERROR_PARAMS "Invalid keyword"
   or MAIL_ERROR_LIMIT "Too many keywords". create = false: unknown names
   are just left out (for removing). */
int mailbox_keywords_create(struct mailbox *box, const char *const *names,
			    unsigned int count, bool create,
			    struct mail_keywords *kw_r);

/* Per-message accessors by seq. Return 0 or -1 (*error_r set;
   MAIL_ERROR_EXPUNGED if the file vanished). */
enum mail_flags mail_get_flags(struct mailbox *box, uint32_t seq);
/* The message's keywords (all clear for an invalid seq). */
const struct mail_keywords *mail_get_keywords(struct mailbox *box,
					      uint32_t seq);
/* The message's modseq (RFC 7162), 0 if the mailbox has none (NOMODSEQ)
   or seq is invalid. A change made by this session is visible once
   mailbox_changes_commit() returned; others' changes after mailbox_sync(). */
uint64_t mail_get_modseq(struct mailbox *box, uint32_t seq);
struct seq_range_array;
/* RFC 7162 QRESYNC: appends to vanished_r the UIDs below UIDNEXT (and in
   known_uids, if not NULL) that are not in the mailbox and were expunged
   after since_modseq; where the expunge history doesn't reach back that
   far, every missing UID from min_uid (0 = 1) on. 0 or -1 (error set). */
int mailbox_get_vanished(struct mailbox *box, uint64_t since_modseq,
			 const struct seq_range_array *known_uids,
			 uint32_t min_uid, struct seq_range_array *vanished_r);
/* Physical size with CRLF line endings (RFC822.SIZE). */
int mail_get_virtual_size(struct mailbox *box, uint32_t seq, uoff_t *size_r);
int mail_get_physical_size(struct mailbox *box, uint32_t seq, uoff_t *size_r);
int mail_get_received_date(struct mailbox *box, uint32_t seq, time_t *date_r);
/* POP3 UIDL per pop3_uidl_format (%v uidvalidity, %u uid, %m md5, %f
   filename, %g guid). A UIDL saved in dovecot-uidlist (P record) wins.
   *uidl_r is a tmp_ value: copy it to keep it. */
int mail_get_pop3_uidl(struct mailbox *box, uint32_t seq, const char *format,
		       const char **uidl_r);
/* The message with CRLF line endings (as IMAP and POP3 send it). Caller
   unrefs. Blocking file stream; read in chunks and respect output buffer. */
int mail_get_stream(struct mailbox *box, uint32_t seq, struct istream **stream_r);

enum modify_type { MODIFY_ADD, MODIFY_REMOVE, MODIFY_REPLACE };
/* Changes system flags and keywords together: keywords NULL = the empty
   set (MODIFY_REPLACE then clears them all). The change may stay pending in
   the backend until mailbox_changes_commit() (mbox with
   mbox_lazy_writes = no) or a sync / close. */
int mail_update_flags(struct mailbox *box, uint32_t seq, enum modify_type type,
		      enum mail_flags flags,
		      const struct mail_keywords *keywords);
/* Ends a batch of mail_update_flags() calls (call once at the end of the
   command: STORE, FETCH's implicit \Seen, POP3 RETR/TOP): writes what the
   backend's settings say must be in storage now, once for the batch (mbox
   with mbox_lazy_writes = no: one rewrite). 0 or -1 (error set). */
int mailbox_changes_commit(struct mailbox *box);
/* RFC 7162 3.1.3 STORE (UNCHANGEDSINCE n): a batch of
   mail_update_flags_unchanged() calls between mailbox_store_lock(), which
   takes the backend's lock and refreshes what it knows of every session's
   changes, and mailbox_store_unlock(), which commits the batch (as
   mailbox_changes_commit()) and releases the lock. Both 0 or -1 (error
   set; unlock releases the lock anyway). May block on the lock. */
int mailbox_store_lock(struct mailbox *box);
int mailbox_store_unlock(struct mailbox *box);
/* mail_update_flags() only if nobody (this or another session) changed the
   message after modseq unchangedsince: checked and stored atomically
   under the store lock. 1 = stored (or nothing to change), 0 = changed
   since (not stored: the client's [MODIFIED] set), -1 = error
   (MAIL_ERROR_EXPUNGED if the message is gone). */
int mail_update_flags_unchanged(struct mailbox *box, uint32_t seq,
				enum modify_type type, enum mail_flags flags,
				const struct mail_keywords *keywords,
				uint64_t unchangedsince);
/* Removes messages with \Deleted (optionally only those in uid set).
   expunged messages reported like mailbox_sync(). */
int mailbox_expunge_deleted(struct mailbox *box, struct pool *pool,
			    const ARRAY_TYPE(uint32) *only_uids,
			    ARRAY_TYPE(mailbox_expunged) *expunged_r);
/* POP3 DELE on QUIT: expunge exactly these seqs. */
int mailbox_expunge_seqs(struct mailbox *box, const uint32_t *seqs, unsigned int count);

enum mail_storage_error mailbox_get_last_error(struct mailbox *box, const char **str_r);

/* Expunges exactly the messages with these UIDs (MOVE, UID EXPUNGE of
   non-\Deleted is not allowed: that is mailbox_expunge_deleted()). Reported
   like mailbox_expunge_deleted(). */
int mailbox_expunge_uids(struct mailbox *box, struct pool *pool,
			 const ARRAY_TYPE(uint32) *uids,
			 ARRAY_TYPE(mailbox_expunged) *expunged_r);

/* --- Saving and copying (APPEND, COPY, MOVE) ---
   Messages saved or copied in one transaction become visible together at
   commit, with consecutive new UIDs in save order, or not at all (RFC 3502
   MULTIAPPEND). A message is durable (fsync'd) before commit returns. A
   kill -9 at any point leaves either no trace or the whole message; never a
   half message nor a duplicate UID. ENOSPC/EDQUOT give MAIL_ERROR_NOQUOTA
   "Not enough disk space". */
struct mailbox_transaction;
struct mail_save_context;

struct mailbox_transaction *mailbox_transaction_begin(struct mailbox *box);

struct mail_save_data {
	enum mail_flags flags;		/* MAIL_RECENT ignored */
	/* NULL-terminated keyword names, or NULL; created in the target
	   mailbox as needed (an error fails mailbox_save_begin()) */
	const char *const *keywords;
	time_t received_date;		/* (time_t)-1 = now */
};
/* NULL on error (set on the mailbox; the transaction can only be rolled
   back then). */
struct mail_save_context *
mailbox_save_begin(struct mailbox_transaction *t, const struct mail_save_data *data);
/* The message as the client sent it (CRLF or LF line ends; stored with LF
   as Dovecot does). 0 or -1 (error set on the transaction's mailbox). */
int mailbox_save_write(struct mail_save_context *ctx, const void *data, size_t size);
/* Ends this message (written and fsync'd, not yet visible). *ctx = NULL.
   0 or -1; after -1 the transaction can only be rolled back. */
int mailbox_save_finish(struct mail_save_context **ctx);
/* Drops a message being saved; the transaction goes on. */
void mailbox_save_cancel(struct mail_save_context **ctx);
/* Copies seq of src (another mailbox, or the same) into t's mailbox with its
   flags and keywords (and received date). Hard link where the backend can,
   else a stream copy. 0 or -1 (error set on t's mailbox, or
   MAIL_ERROR_EXPUNGED on t's mailbox if the source vanished). */
int mailbox_copy(struct mailbox_transaction *t, struct mailbox *src, uint32_t seq);

struct mail_transaction_commit_result {
	uint32_t uidvalidity;
	/* the UIDs given, in save/copy order */
	ARRAY_TYPE(uint32) uids;
};
/* Makes every saved/copied message visible. result->uids in pool. *t =
   NULL. 0 or -1 (nothing became visible; error set on the mailbox). */
int mailbox_transaction_commit(struct mailbox_transaction **t, struct pool *pool,
			       struct mail_transaction_commit_result *result_r);
void mailbox_transaction_rollback(struct mailbox_transaction **t);
unsigned int mailbox_transaction_get_count(const struct mailbox_transaction *t);

/* --- Mailbox management (CREATE, DELETE, RENAME, STATUS) ---
   Names use '/' as the hierarchy separator here (the namespace maps the
   client's separator). Errors: NOTFOUND, EXISTS (also "Mailbox has
   children, delete them first" where the layout can't delete a parent, as
   Dovecot), PARAMS (invalid name, e.g. "Invalid mailbox name"), PERM,
   TEMP. */
/* directory = true: a name that ended with the separator: only the hierarchy
   is created where the layout distinguishes (mbox: a directory; maildir:
   nothing beyond a normal mailbox, as Dovecot). */
int mail_user_mailbox_create(struct mail_user *user, const char *name,
			     bool directory, enum mail_storage_error *error_r,
			     const char **error_str_r);
/* INBOX can't be deleted (PARAMS). Children as in Dovecot, by the driver:
   Maildir++ deletes the mailbox and keeps its children; mbox refuses a
   directory with children with MAIL_ERROR_EXISTS "Mailbox has children,
   delete them first" (RFC 3501 6.3.4). Subscriptions are kept. */
int mail_user_mailbox_delete(struct mail_user *user, const char *name,
			     enum mail_storage_error *error_r,
			     const char **error_str_r);
/* Renames with children. Renaming INBOX moves its messages into a new
   mailbox and leaves INBOX empty (RFC 3501 6.3.5). An existing target is
   MAIL_ERROR_EXISTS "Target mailbox already exists" whatever the backend
   said. Subscriptions are left as they are (as Dovecot). */
int mail_user_mailbox_rename(struct mail_user *user, const char *oldname,
			     const char *newname, enum mail_storage_error *error_r,
			     const char **error_str_r);
/* Adds or removes name in the subscriptions file (written atomically, in
   Dovecot's v2 format, under its dotlock; may block up to 30 s for another
   writer). Doesn't check that the mailbox exists. An already subscribed
   (or missing) name is success. 0 or -1 with *error_r (for the log). */
int mail_user_set_subscribed(struct mail_user *user, const char *name,
			     bool subscribed, const char **error_r);

#endif
