/* Copyright (c) dovecot-like authors. mail-storage-private.h: what the generic
   storage code and its backends share: the user, the parsed mail_location,
   the mailbox with its message view, and the backend vtable. */
#ifndef MAIL_STORAGE_PRIVATE_H
#define MAIL_STORAGE_PRIVATE_H

#include "mail-storage.h"

struct buf;

/* mail_location = <driver>:<root>[:KEY=value]... ("::" is a literal ':') */
struct mail_storage_location {
	const char *driver;	/* "maildir" */
	const char *root;	/* ~ expanded */
	const char *index_dir;	/* INDEX=, NULL = beside the mailbox */
	const char *control_dir;	/* CONTROL=, NULL = root */
	const char *layout;	/* LAYOUT=, "maildir++" (default) or "fs" */
	const char *inbox_path;	/* INBOX=, NULL = root */
	const char *dirname;	/* DIRNAME= (fs layout), NULL = none */
};

struct mail_user {
	struct pool *pool;
	int refcount;
	const char *username;
	const char *home;
	struct mail_storage_location location;
	const struct mail_storage_driver *driver;	/* location.driver's */
	/* mbox backend settings; strings in pool */
	struct mail_user_mbox_settings mbox_set;
	/* mail-namespace.h; in pool, or in its own pool owned by the user */
	struct mail_namespaces *namespaces;
	/* mail_user_settings' cache field lists, "" = none (in pool) */
	const char *cache_fields, *always_cache_fields, *never_cache_fields;
};

/* One message of a view. Backends embed it as the first member of their own
   record. */
struct mailbox_msg {
	uint32_t uid;
	enum mail_flags flags;	/* may include MAIL_RECENT */
	struct mail_keywords keywords;	/* bits into box->keywords */
};

typedef ARRAY(struct mailbox_msg *) ARRAY_TYPE(mailbox_msg);

struct mailbox_vfuncs {
	/* Fills box->view_pool / box->view with the current messages (sorted
	   by uid), replacing the previous ones, which stay valid until
	   mailbox_view_free_old(). 0 or -1 (error set). */
	int (*sync)(struct mailbox *box);
	void (*close)(struct mailbox *box);

	int (*get_virtual_size)(struct mailbox *box, struct mailbox_msg *msg,
				uoff_t *size_r);
	int (*get_physical_size)(struct mailbox *box, struct mailbox_msg *msg,
				 uoff_t *size_r);
	int (*get_received_date)(struct mailbox *box, struct mailbox_msg *msg,
				 time_t *date_r);
	int (*get_pop3_uidl)(struct mailbox *box, struct mailbox_msg *msg,
			     const char *format, const char **uidl_r);
	int (*get_stream)(struct mailbox *box, struct mailbox_msg *msg,
			  struct istream **stream_r);
	/* Optional (backends with a cache file, mail-fetch-cache.h):
	   cache_lookup appends msg's cached value of the field (a cache
	   field name: "imap.envelope", "hdr.subject", ...) to dest: 1 found,
	   0 not (never an error: the caller parses the message). cache_add
	   offers a parsed value; the backend keeps it if clients ask for
	   the field. */
	int (*cache_lookup)(struct mailbox *box, struct mailbox_msg *msg,
			    const char *field, struct buf *dest);
	void (*cache_add)(struct mailbox *box, struct mailbox_msg *msg,
			  const char *field, const void *data, size_t size);
	/* Writes msg->flags and msg->keywords (already updated by the
	   caller) to storage, or keeps the change pending until
	   changes_commit (mbox). */
	int (*write_flags)(struct mailbox *box, struct mailbox_msg *msg,
			   enum mail_flags old_flags,
			   const struct mail_keywords *old_keywords);
	/* Optional: box->keywords got names [first_idx..count) from a
	   client (mailbox_keywords_create()); store them where the backend
	   keeps keyword names (Maildir: dovecot-keywords) before any
	   message uses them. 0, or -1 (error set; the names are dropped
	   again). */
	int (*keywords_created)(struct mailbox *box, unsigned int first_idx);
	/* Removes the message; an already missing one is success. */
	int (*expunge)(struct mailbox *box, struct mailbox_msg *msg);
	/* Optional: after a batch of expunge() calls (expunged = true) or
	   of write_flags() calls (mailbox_changes_commit(), one command),
	   makes them durable and visible to other sessions as the backend's
	   settings say (mbox writes pending expunges at once, and pending
	   flags too with expunges or mbox_lazy_writes = no: one rewrite per
	   command). 0 or -1 (error set). */
	int (*changes_commit)(struct mailbox *box, bool expunged);
	/* Optional (NULL = NOMODSEQ): RFC 7162 modseqs. get_modseq gives
	   msg's modseq, get_highest_modseq the mailbox's; 0 = none kept
	   (e.g. no index). */
	uint64_t (*get_modseq)(struct mailbox *box, struct mailbox_msg *msg);
	uint64_t (*get_highest_modseq)(struct mailbox *box);
	/* Optional (RFC 7162 QRESYNC): appends to uid_ranges (uid1, uid2
	   pairs) the UIDs expunged after since_modseq. 1 = that history is
	   complete, 0 = it doesn't reach back that far, -1 = error. */
	int (*get_expunges)(struct mailbox *box, uint64_t since_modseq,
			    ARRAY_TYPE(uint32) *uid_ranges);
	/* Optional, all three or none (NULL: mail_update_flags_unchanged()
	   compares get_modseq of the view, with no lock): RFC 7162 3.1.3
	   UNCHANGEDSINCE as one atomic check-and-set per message.
	   store_lock takes the backend's lock and refreshes its state (0 or
	   -1, error set). write_flags_unchanged is write_flags (also called
	   when nothing changes: only the check) for a message whose modseq
	   in storage is still <= unchangedsince and whose stored flags no
	   other session changed: 1 stored, 0 changed by someone (nothing
	   written), -1 error (MAIL_ERROR_EXPUNGED if gone). store_unlock
	   commits the batch (as changes_commit) and releases the lock
	   (0 or -1, error set; released either way). */
	int (*store_lock)(struct mailbox *box);
	int (*write_flags_unchanged)(struct mailbox *box,
				     struct mailbox_msg *msg,
				     enum mail_flags old_flags,
				     const struct mail_keywords *old_keywords,
				     uint64_t unchangedsince);
	int (*store_unlock)(struct mailbox *box);

	/* Saving (mail-storage.h): the generic layer allocates
	   transaction_size / save_context_size bytes (zeroed, from t->pool)
	   so a backend can embed struct mailbox_transaction /
	   struct mail_save_context as the first member of its own. */
	size_t transaction_size, save_context_size;
	/* ctx->data is filled; opens the temporary file. 0 or -1 */
	int (*save_begin)(struct mail_save_context *ctx);
	/* LF line ends only (the generic layer converted CRLF). */
	int (*save_write)(struct mail_save_context *ctx, const void *data,
			  size_t size);
	/* Written (durable where the file will be the message's: maildir
	   fsyncs it); not visible yet. 0 or -1 */
	int (*save_finish)(struct mail_save_context *ctx);
	/* Drops what save_begin made (also after a failed save_write). */
	void (*save_cancel)(struct mail_save_context *ctx);
	/* Optional fast copy from a mailbox of the same backend (maildir:
	   hard link). 1 = copied (counts as one save in t), 0 = can't do it
	   this way (the generic layer copies the stream), -1 = error. */
	int (*copy)(struct mailbox_transaction *t, struct mailbox *src,
		    struct mailbox_msg *src_msg, const struct mail_save_data *data,
		    const struct mail_keywords *keywords);
	/* Every finished save/copy becomes visible, UIDs appended to uids_r
	   in order (uidvalidity_r set). On -1 nothing is visible and the
	   backend cleaned up. */
	int (*transaction_commit)(struct mailbox_transaction *t,
				  ARRAY_TYPE(uint32) *uids_r,
				  uint32_t *uidvalidity_r);
	/* Removes every finished save/copy (temp files). */
	void (*transaction_rollback)(struct mailbox_transaction *t);

	/* Optional (NULL: mailbox_notify_changes() fails): the files and
	   directories whose changes mean the mailbox changed, as a
	   NULL-terminated tmp array. The first must exist; later ones (an
	   index log not written yet) may be missing. */
	const char *const *(*get_notify_paths)(struct mailbox *box);

	/* Optional (mailbox-objectid.h; RFC 8474, RFC 8514):
	   get_id_dir: the directory keeping the mailbox's id file, one a
	   RENAME moves (NULL: none). get_save_date: 1 known, 0 unknown, -1
	   error. get_email_key: a key naming msg's content for its life in
	   this mailbox (*key_r tmp; NULL: mailbox id + UIDVALIDITY + UID). */
	const char *(*get_id_dir)(struct mailbox *box);
	int (*get_save_date)(struct mailbox *box, struct mailbox_msg *msg,
			     time_t *date_r);
	int (*get_email_key)(struct mailbox *box, struct mailbox_msg *msg,
			     const char **key_r);
};

struct mailbox_transaction {
	struct mailbox *box;
	struct pool *pool;	/* freed at commit/rollback */
	unsigned int save_count;	/* finished saves + copies */
	/* mailbox_save_write()'s CRLF -> LF output, reused by every save of
	   the transaction (at most MAIL_SAVE_CONVERT_MAX bytes) */
	struct buf *save_convert_buf;
	bool failed;
};

struct mail_save_context {
	struct mailbox_transaction *t;
	/* copied into t->pool (keyword names too) */
	struct mail_save_data data;
	/* data.keywords as bits of the target mailbox (already created) */
	struct mail_keywords keywords;
	/* CRLF -> LF: a CR held back from the previous write */
	bool pending_cr;
	bool failed;
};

struct mailbox {
	struct pool *pool;	/* lives as long as the mailbox */
	struct mail_user *user;
	const char *name;
	enum mailbox_flags flags;
	const struct mailbox_vfuncs *v;

	uint32_t uidvalidity, uidnext;
	/* keyword names (in pool), index = bit; only grows while open */
	ARRAY_TYPE(string) keywords;
	/* how many keywords clients may create here (the backend sets it at
	   open: Maildir 26, mbox MAILBOX_MAX_KEYWORDS) */
	unsigned int keywords_max;
	/* The view: msg pointers sorted by uid; seq = index + 1. The records
	   live in view_pool; each backend sync builds a new pool. */
	struct pool *view_pool;
	ARRAY_TYPE(mailbox_msg) view;
	struct pool *old_view_pool;
	ARRAY_TYPE(mailbox_msg) old_view;

	enum mail_storage_error error;
	const char *error_str;	/* in pool */
	/* mailbox-notify.c's watches, NULL = none */
	struct mailbox_notify *notify;
	/* mailbox-objectid.c: the MAILBOXID ("F" + guid, in pool) once read;
	   it never changes (RENAME moves the id file with the mailbox) */
	const char *mailbox_id;
};

/* RFC 3501 2.3.2: does this open take \Recent (claim the messages no
   session has taken yet: Maildir moves them new/ -> cur/, mbox advances
   first_recent_uid and marks them old at close)? SELECT does; EXAMINE,
   STATUS, POP3 and a save target (APPEND, COPY/MOVE) don't. */
static inline bool mailbox_takes_recent(const struct mailbox *box)
{
	return (box->flags & (MAILBOX_FLAG_READONLY |
			      MAILBOX_FLAG_POP3_SESSION |
			      MAILBOX_FLAG_NO_RECENT)) == 0;
}

/* Does this open show the \Recent no session has taken yet without taking
   it (EXAMINE, STATUS RECENT)? A save target and POP3 show none; a
   session that takes \Recent shows what it took. */
static inline bool mailbox_peeks_recent(const struct mailbox *box)
{
	return (box->flags & (MAILBOX_FLAG_READONLY |
			      MAILBOX_FLAG_POP3_SESSION)) ==
		MAILBOX_FLAG_READONLY;
}

/* Backend open helper: fills the generic part of box (allocated from pool,
   which the mailbox then owns) and takes a reference to user. */
void mailbox_init(struct mailbox *box, struct pool *pool, struct mail_user *user,
		  const char *name, enum mailbox_flags flags,
		  const struct mailbox_vfuncs *v);
/* What a backend knows of a message for pop3_uidl_format; NULL = "". */
struct mail_pop3_uidl_values {
	const char *md5;	/* %m, hex; only needed if the format has it */
	const char *filename;	/* %f */
	const char *guid;	/* %g */
};
/* Expands format (%v %u %m %f %g) into *uidl_r (tmp). 0, or -1 with the
   mailbox error set after logging a broken format. */
int mailbox_pop3_uidl_expand(struct mailbox *box, uint32_t uid,
			     const char *format,
			     const struct mail_pop3_uidl_values *values,
			     const char **uidl_r);
/* Sets the mailbox's last error. str is copied. */
void mailbox_set_error(struct mailbox *box, enum mail_storage_error error,
		       const char *str);
/* MAIL_ERROR_TEMP with the client-safe "Internal error occurred"; the caller
   logged the details. */
void mailbox_set_internal_error(struct mailbox *box);
/* err ENOSPC/EDQUOT: MAIL_ERROR_NOQUOTA "Not enough disk space", anything
   else: the internal error (the caller logged the details). */
void mailbox_set_errno_error(struct mailbox *box, int err);
/* Logs "func(path) failed: %m" (errno) and sets the error as
   mailbox_set_errno_error(). */
void mailbox_set_syscall_error(struct mailbox *box, const char *func,
			       const char *path);
/* Backend helpers for keywords found in storage (no validity check, no
   keywords_created call): the index of name, added if new. -1 if the
   mailbox already has MAILBOX_MAX_KEYWORDS names (the caller logs and
   leaves the keyword out). */
int mailbox_keyword_add(struct mailbox *box, const char *name);
/* The index of name (case-insensitive), -1 if the mailbox has none. */
int mailbox_keyword_lookup(struct mailbox *box, const char *name);
/* As mailbox_keyword_lookup() for name[0..len) (no NUL needed, no
   allocation). */
int mailbox_keyword_lookup_n(struct mailbox *box, const char *name,
			     size_t len);
/* name[0..len) is 1..max_len bytes of printable ASCII without
   atom-specials or '\\' (a keyword safe to send as an IMAP atom). */
bool mail_keyword_name_is_valid(const char *name, size_t len, size_t max_len);
/* The names of kw's bits, NULL-terminated (pool). */
const char *const *mailbox_keywords_get_names(struct mailbox *box,
					      struct pool *pool,
					      const struct mail_keywords *kw);
/* Backend sync helper: start a new view (pool + array), keeping the current
   one as the old view. */
void mailbox_view_begin(struct mailbox *box, unsigned int count_hint);
void mailbox_view_append(struct mailbox *box, struct mailbox_msg *msg);
/* Drops the old view after a sync (or after a failed one, restores it). */
void mailbox_view_end(struct mailbox *box, bool success);
struct mailbox_msg *mailbox_msg_lookup(struct mailbox *box, uint32_t seq);
/* uid's message in the previous view while a sync builds the new one
   (NULL if not in it, or no sync is running). */
struct mailbox_msg *mailbox_old_view_lookup_uid(struct mailbox *box,
						uint32_t uid);
/* Removes seq from the view (own expunge). */
void mailbox_view_remove(struct mailbox *box, uint32_t seq);

/* Parses mail_location into loc (strings in pool), expanding ~. */
int mail_storage_location_parse(struct pool *pool, const char *home,
				const char *str,
				struct mail_storage_location *loc_r,
				const char **error_r);

/* A mail_location driver: what differs between backends above the
   mailbox vtable. */
struct mail_storage_driver {
	const char *name;	/* "maildir", "mbox" */
	/* Creates the mail root as the backend needs it. */
	int (*create_root)(const char *root, const char **error_r);
	/* Opens and does the first sync (mailbox_open()). */
	int (*mailbox_open)(struct mail_user *user, const char *name,
			    enum mailbox_flags flags, struct mailbox **box_r,
			    enum mail_storage_error *error_r,
			    const char **error_str_r);
	/* INBOX first, then every other mailbox, sorted; names in pool. */
	int (*list_mailboxes)(struct mail_user *user, struct pool *pool,
			      ARRAY_TYPE(string) *names_r, const char **error_r);
	/* 1 if list_mailboxes would list name, 0 if not, -1 error */
	int (*mailbox_exists)(struct mail_user *user, const char *name,
			      const char **error_r);
	/* the subscriptions file's name below the mail root */
	const char *subscriptions_fname;
	/* the hierarchy separator of a v1 subscriptions file: the mailbox
	   list's own ('.' Maildir++, '/' mbox; LAYOUT=fs is always '/') */
	char subscriptions_v1_sep;
	/* mail-storage.h mail_user_mailbox_create/delete/rename, which
	   already checked the names (valid, a first level INBOX spelled
	   "INBOX", no trailing '/'), refused creating/deleting INBOX and
	   renaming to INBOX, to itself or below itself. Errors as there. */
	int (*mailbox_create)(struct mail_user *user, const char *name,
			      bool directory, enum mail_storage_error *error_r,
			      const char **error_str_r);
	int (*mailbox_delete)(struct mail_user *user, const char *name,
			      enum mail_storage_error *error_r,
			      const char **error_str_r);
	int (*mailbox_rename)(struct mail_user *user, const char *oldname,
			      const char *newname,
			      enum mail_storage_error *error_r,
			      const char **error_str_r);
};
extern const struct mail_storage_driver maildir_storage_driver;
extern const struct mail_storage_driver mbox_storage_driver;
/* Sorts mailbox names (strcmp order, as Dovecot lists them). */
void mailbox_list_sort_names(ARRAY_TYPE(string) *names);
/* NULL if there is no such driver. */
const struct mail_storage_driver *mail_storage_driver_find(const char *name);

/* maildir backend helpers used outside maildir/ */
/* Creates root/cur, new, tmp (0700) as needed. */
int maildir_create_dirs(const char *root, const char **error_r);
/* true if dir looks like a Maildir (has cur/). */
bool maildir_is_maildir(const char *dir);

#endif
