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
};

struct mail_user;
struct mailbox;

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

/* Every mailbox of the user, sorted, INBOX first (Maildir++ folder names use
   '.' as the hierarchy separator). Names in pool. 0 or -1 with *error_r. */
int mail_user_list_mailboxes(struct mail_user *user, struct pool *pool,
			     ARRAY_TYPE(string) *names_r, const char **error_r);
/* The subscribed mailbox names, hierarchy joined with separator. */
int mail_user_list_subscriptions(struct mail_user *user, struct pool *pool,
				 char separator, ARRAY_TYPE(string) *names_r,
				 const char **error_r);

enum mailbox_flags {
	MAILBOX_FLAG_READONLY = 0x01,	/* EXAMINE */
	MAILBOX_FLAG_POP3_SESSION = 0x02,	/* pop3: no \Recent changes */
};

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
};
void mailbox_get_status(struct mailbox *box, struct mailbox_status *status_r);

/* What a sync found: expunged sequences (in the order to report them: each is
   the seq at the time it is reported, as IMAP EXPUNGE wants), new message count,
   and seqs whose flags others changed. */
struct mailbox_sync_result {
	ARRAY_TYPE(uint32) expunged_seqs;
	uint32_t messages;	/* count after sync; > old count = EXISTS */
	uint32_t recent;
	ARRAY_TYPE(uint32) flag_changed_seqs;
};
/* Picks up deliveries (new/), others' flag changes and expunges. Result arrays
   in pool. 0 or -1. */
int mailbox_sync(struct mailbox *box, struct pool *pool,
		 struct mailbox_sync_result *result_r);

uint32_t mailbox_get_messages_count(struct mailbox *box);
/* seq <-> uid; 0 if not found. */
uint32_t mailbox_seq_to_uid(struct mailbox *box, uint32_t seq);
uint32_t mailbox_uid_to_seq(struct mailbox *box, uint32_t uid);
/* Highest seq with uid <= given uid (for UID ranges), 0 if none. */
uint32_t mailbox_uid_to_seq_floor(struct mailbox *box, uint32_t uid);

/* Per-message accessors by seq. Return 0 or -1 (*error_r set;
   MAIL_ERROR_EXPUNGED if the file vanished). */
enum mail_flags mail_get_flags(struct mailbox *box, uint32_t seq);
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
int mail_update_flags(struct mailbox *box, uint32_t seq, enum modify_type type,
		      enum mail_flags flags);
/* Removes messages with \Deleted (optionally only those in uid set).
   expunged seqs reported like mailbox_sync(). */
int mailbox_expunge_deleted(struct mailbox *box, struct pool *pool,
			    const ARRAY_TYPE(uint32) *only_uids,
			    ARRAY_TYPE(uint32) *expunged_seqs_r);
/* POP3 DELE on QUIT: expunge exactly these seqs. */
int mailbox_expunge_seqs(struct mailbox *box, const uint32_t *seqs, unsigned int count);

enum mail_storage_error mailbox_get_last_error(struct mailbox *box, const char **str_r);

#endif
