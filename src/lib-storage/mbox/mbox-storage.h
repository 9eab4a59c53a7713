/* Copyright (c) dovecot-like authors. mbox-storage.h: the mbox backend's
   mailbox and message records, shared by its open, sync and mail modules. */
#ifndef MBOX_STORAGE_H
#define MBOX_STORAGE_H

#include "mail-storage-private.h"
#include "mbox-lock.h"
#include "mbox-parse.h"
#include "mail-index.h"
#include "mail-index-transaction.h"
#include "mail-index-view.h"

#include <sys/stat.h>
#include <time.h>

struct mbox_msg {
	struct mailbox_msg m;	/* must be first */
	bool flags_pending;	/* m.flags not yet in the file */
	bool vsize_set;
	uoff_t vsize;
	/* the From_ line's date, as parsed when the view was built */
	time_t received;
	/* the file has no Status 'O': \Recent unless the index says
	   another session took it (mbox-index.c) */
	bool file_recent;
	/* from the index when the view was built or we changed it; 0 =
	   none (mbox-index.c) */
	uint64_t modseq;
};

/* Per-record change for mbox_sync_write(). */
struct mbox_change {
	bool expunge;
	bool set_flags;
	bool mark_old;		/* write Status 'O': no longer \Recent */
	enum mail_flags flags;
	/* set_flags: the new X-Keywords value (mbox_keywords_msg_str()) */
	const char *keywords;
};

struct mbox_mailbox {
	struct mailbox box;	/* must be first */
	const char *path;	/* the mbox file */
	const char *journal_path;
	int fd;			/* -1 = not open (file missing) */
	bool writable;
	struct mbox_lock lock;
	struct mbox_lock_settings lock_set;

	/* the last parse of the file, and the file it was made from */
	struct pool *parse_pool;
	struct mbox_parsed parsed;
	bool parsed_valid;
	struct stat parsed_st;
	uint32_t mem_uidvalidity;	/* used while X-IMAPbase is unwritten */
	/* view messages with flags_pending: written together at the next
	   sync, expunge or close, so that STORE 1:* or FETCH BODY[] rewrites
	   headers once, not per message (like Dovecot's mbox_lazy_writes) */
	unsigned int pending_count;
	/* UIDs expunged from the view but not yet from the file: done in
	   one rewrite at the same points */
	ARRAY_TYPE(uint32) expunge_pending;
	/* "too many keywords" was logged for this mailbox */
	bool keywords_full_logged;
	/* the box keywords the parsed X-IMAPbase lists (set by
	   mbox_keywords_parse_base(), used by mbox_keywords_parse_msg()) */
	struct mail_keywords base_mask;

	/* lib-index (mbox-index.c); index NULL = work without one */
	const char *index_dir;
	/* mbox_index_id_dir() of the mailbox (mbox-objectid.c) */
	const char *id_dir;
	struct mail_index *index;
	/* this session's flag changes, committed at changes_commit/sync */
	struct mail_index_transaction *itrans;
	struct mail_index_view *itrans_view;
	/* RFC 7162: HIGHESTMODSEQ of the view (struct mbox_msg.modseq has
	   each message's), and this session's changed UIDs whose new
	   modseqs the next commit brings into the view */
	uint64_t view_highest_modseq;
	/* the UIDVALIDITY view_highest_modseq belongs to (mbox-index.c) */
	uint32_t hms_uidvalidity;
	ARRAY_TYPE(uint32) own_changed_uids;
	/* the file had UIDs (X-IMAPbase) when this session first parsed
	   it: a new index may replace a lost one (modseqs must not go back) */
	bool uids_checked, uids_preexisting;
	/* a commit of our flag changes to the index failed: flushes write
	   the view's flags; nospace: the last failure was ENOSPC/EDQUOT */
	bool index_commit_failed;
	bool index_commit_nospace;
	/* STORE (UNCHANGEDSINCE): the locked index sync between
	   mbox_index_store_lock() and _unlock(); record_flags writes into
	   store_trans then (NULL: no lock held) */
	struct mail_index_sync_ctx *store_sctx;
	struct mail_index_view *store_view;
	struct mail_index_transaction *store_trans;
	/* the index's cache file (mailbox-index-cache.h): NULL until a
	   lookup */
	struct mailbox_index_cache *cache;
};

/* mbox-index.c: the index "dovecot-like.index" of an mbox mailbox.
   Errors are logged; the mailbox then works from the file alone. */
#define MBOX_INDEX_PREFIX "dovecot-like.index"
/* The index directory of mailbox name: INDEX=<dir>/<name>, else
   <root>/.imap/<name> (tmp); NULL for INDEX=MEMORY. */
const char *mbox_index_dir(const struct mail_storage_location *loc,
			   const char *name);
/* The directory keeping the mailbox's MAILBOXID file (RFC 8474), which
   RENAME moves and DELETE removes: the index directory, or with
   INDEX=MEMORY <CONTROL= or root>/.imap/<name> (tmp). */
const char *mbox_index_id_dir(const struct mail_storage_location *loc,
			      const char *name);
/* Creates the directory (0700) and opens the index. 0 or -1. */
int mbox_index_open(struct mbox_mailbox *mbox, const char *index_dir);
/* Commits what is pending and closes the index. */
void mbox_index_close(struct mbox_mailbox *mbox);
/* After a sync built box.view from the file: makes the index match it in
   one transaction. Flags the index marks dirty (a change not yet in the
   file, maybe of a session that died) win over the file's: the view
   takes them and they are written at the next flush. */
void mbox_index_sync_view(struct mbox_mailbox *mbox);
/* A file without X-IMAPbase takes the index's UIDVALIDITY (unless the
   index gave out UIDs the file would give again). */
void mbox_index_uidvalidity_hint(struct mbox_mailbox *mbox);
/* The driver's mailbox delete/rename: the index directory goes / moves
   along (errors are logged; a stale index is rebuilt when opened). */
void mbox_index_delete(const struct mail_storage_location *loc,
		       const char *name);
void mbox_index_rename(const struct mail_storage_location *loc,
		       const char *oldname, const char *newname);
/* This session's flag change of uid, marked dirty until written. */
void mbox_index_record_flags(struct mbox_mailbox *mbox, uint32_t uid,
			     enum mail_flags old_flags,
			     enum mail_flags new_flags,
			     const struct mail_keywords *old_kw,
			     const struct mail_keywords *new_kw);
/* For mbox_sync_flush(): a refreshed view of the index (NULL = none;
   close it with mail_index_view_close()), and what to write for a message
   with pending flags: 1 = the index has them dirty, *flags_r / *kw_r
   (every session's changes merged, not just this view's); 0 = the index
   has them clean: another session already wrote them (with ours), write
   nothing; -1 = unknown, write the view's. */
struct mail_index_view *mbox_index_flush_view(struct mbox_mailbox *mbox);
int mbox_index_dirty_flags(struct mbox_mailbox *mbox,
			   struct mail_index_view *view, uint32_t uid,
			   enum mail_flags *flags_r, struct mail_keywords *kw_r);
/* uid's flags are in the file now: no longer dirty (committed by
   mbox_index_commit()). */
void mbox_index_record_written(struct mbox_mailbox *mbox, uint32_t uid);
/* Commits the recorded changes (durable in the log when it returns).
   0, or -1: logged, nothing of them is in the index, index_commit_failed
   is set (flushes write the view's flags); no mailbox error is set (see
   mbox_index_set_commit_error()). */
int mbox_index_commit(struct mbox_mailbox *mbox);
/* The mailbox error for the last failed commit: MAIL_ERROR_NOQUOTA for
   ENOSPC/EDQUOT, else the internal error. */
void mbox_index_set_commit_error(struct mbox_mailbox *mbox);
/* Test hook: when non-NULL, index commits (this session's changes and a
   sync's reconcile) fail with this text as lib-index's error (e.g.
   "write(x) failed: No space left on device"). */
extern const char *mbox_index_test_commit_error;
/* RFC 7162 3.1.3 STORE (UNCHANGEDSINCE), under the index log lock (no
   mbox lock is taken while it is held: lock order mbox -> log). _lock
   commits our pending changes and begins a locked sync (nothing to do
   without an index or for a read-only file): 0, or -1 (logged; no error
   set). _check: 1 if uid's record still has modseq <= unchangedsince and
   the flags and keywords old_* our view had (so nobody changed them since
   we synced, committed in the index whether or not in the file yet); 0
   if not (also when the index lacks a record the view has); -1 with
   MAIL_ERROR_EXPUNGED if another session's sync removed it. _unlock
   commits what record_flags put in the locked transaction (our new
   modseqs come into the view) and releases the lock: 0 or -1 (as
   mbox_index_commit()). */
int mbox_index_store_lock(struct mbox_mailbox *mbox);
int mbox_index_store_check(struct mbox_mailbox *mbox, uint32_t uid,
			   enum mail_flags old_flags,
			   const struct mail_keywords *old_kw,
			   uint64_t unchangedsince);
int mbox_index_store_unlock(struct mbox_mailbox *mbox);
/* RFC 7162 modseqs; 0 = no index. */
uint64_t mbox_index_get_modseq(struct mailbox *box, struct mailbox_msg *msg);
uint64_t mbox_index_get_highest_modseq(struct mailbox *box);
int mbox_index_get_expunges(struct mailbox *box, uint64_t since_modseq,
			    ARRAY_TYPE(uint32) *uid_ranges);
/* The cache vfuncs (mail-storage-private.h) over the index's cache file;
   the From_ line's date stands in for the save date. */
int mbox_index_cache_lookup(struct mailbox *box, struct mailbox_msg *msg,
			    const char *field, struct buf *dest);
void mbox_index_cache_add(struct mailbox *box, struct mailbox_msg *msg,
			  const char *field, const void *data, size_t size);

/* mbox-storage.c */
/* The lock settings of a mailbox of the user (strings stay the user's). */
void mbox_lock_settings_from_user(const struct mail_user_mbox_settings *uset,
				  struct mbox_lock_settings *set_r);
/* Mailbox name -> file path; NULL if the name can't be a mailbox. */
const char *mbox_mailbox_path(const struct mail_storage_location *loc,
			      const char *name);
/* The rewrite/append journal of mailbox name: root/.dlmbox-journal.<name
   with '/' as '.'> (tmp). */
const char *mbox_journal_path(const char *root, const char *name);

/* mbox-sync.c */
int mbox_sync(struct mailbox *box);
/* Locks (type), (re)opens and re-parses the file if it changed. 0 or -1
   (error set). Caller unlocks with mbox_unlock(&mbox->lock). */
int mbox_sync_lock_parse(struct mbox_mailbox *mbox, enum mbox_lock_type type);
/* The parsed record of uid, NULL if not in the file. */
struct mbox_rec *mbox_sync_find_rec(struct mbox_mailbox *mbox, uint32_t uid);
/* Applies changes (one per parsed record, may be NULL = only persist new
   UIDs) crash-safely and re-parses. Needs the write lock. 0 or -1. */
int mbox_sync_write(struct mbox_mailbox *mbox,
		    const struct mbox_change *changes);

void mbox_sync_close(struct mbox_mailbox *mbox);
/* Test hook: mbox_sync_close() writes nothing (neither the file nor
   uncommitted index changes), as if the process had been killed. */
extern bool mbox_sync_test_close_as_crash;
/* Writes the pending flag changes and expunges. 0 or -1 (error set; they
   stay pending). */
int mbox_sync_flush(struct mbox_mailbox *mbox);

/* mbox-keywords.c. Adds list's names (X-IMAPbase) to the box (names over
   MAILBOX_MAX_KEYWORDS or not atoms are left out, once logged). */
void mbox_keywords_parse_base(struct mbox_mailbox *mbox, const char *list);
/* The keywords of an X-Keywords value: only the names X-IMAPbase lists
   (mbox->parsed.base_keywords) count, as in Dovecot. */
void mbox_keywords_parse_msg(struct mbox_mailbox *mbox, const char *list,
			     struct mail_keywords *kw_r);
/* The X-Keywords value for kw (names in box order), followed by the words
   of old (the current value, may be NULL) that aren't keywords of the box,
   so that nothing in the file is lost. tmp. */
const char *mbox_keywords_msg_str(struct mbox_mailbox *mbox,
				  const struct mail_keywords *kw,
				  const char *old);
/* X-IMAPbase's keyword list: old's words (may be NULL) followed by the
   box's names missing from it. tmp. */
const char *mbox_keywords_base_str(struct mbox_mailbox *mbox, const char *old);
/* Does the box have keyword names the parsed X-IMAPbase doesn't list (so
   an append must rewrite it before an X-Keywords uses them)? */
bool mbox_keywords_base_lacks_names(struct mbox_mailbox *mbox);

/* mbox-save.c: one finished message in a transaction's temp file */
struct mbox_save_msg {
	enum mail_flags flags;
	struct mail_keywords keywords;
	time_t received;
	uoff_t offset;		/* where it starts in the temp file */
	uoff_t size;
	uoff_t hdr_len;		/* header fields, with their last LF */
	uoff_t body_offset;	/* after the empty line; == size if none */
	unsigned char last_char;	/* 0 = empty message */
};

struct mbox_transaction {
	struct mailbox_transaction t;	/* must be first */
	bool tmp_open;
	int tmp_fd;		/* unlinked temp file below the mail root */
	uoff_t tmp_size;
	ARRAY(struct mbox_save_msg) msgs;
};

/* Where the header scan is while a message streams in. */
enum mbox_save_line {
	MBOX_SAVE_LINE_MID = 0,
	MBOX_SAVE_LINE_START,
	MBOX_SAVE_LINE_START_CR,	/* a line so far holding just CR */
};

struct mbox_save_context {
	struct mail_save_context ctx;	/* must be first */
	struct mbox_save_msg msg;
	bool in_header;
	enum mbox_save_line line;
};

/* The saving vfuncs (mail-storage-private.h). */
int mbox_save_begin(struct mail_save_context *ctx);
int mbox_save_write(struct mail_save_context *ctx, const void *data,
		    size_t size);
int mbox_save_finish(struct mail_save_context *ctx);
void mbox_save_cancel(struct mail_save_context *ctx);
int mbox_transaction_commit(struct mailbox_transaction *t,
			    ARRAY_TYPE(uint32) *uids_r, uint32_t *uidvalidity_r);
void mbox_transaction_rollback(struct mailbox_transaction *t);

/* mbox-mailbox-mgmt.c: the driver's mailbox_create/delete/rename */
int mbox_mailbox_create(struct mail_user *user, const char *name,
			bool directory, enum mail_storage_error *error_r,
			const char **error_str_r);
int mbox_mailbox_delete(struct mail_user *user, const char *name,
			enum mail_storage_error *error_r,
			const char **error_str_r);
int mbox_mailbox_rename(struct mail_user *user, const char *oldname,
			const char *newname, enum mail_storage_error *error_r,
			const char **error_str_r);

/* mbox-mail.c */
extern const struct mailbox_vfuncs mbox_mailbox_vfuncs;

#endif
