/* Copyright (c) dovecot-like authors. maildir-storage.h: the maildir backend's
   mailbox and message records, shared by its open, sync and mail modules. */
#ifndef MAILDIR_STORAGE_H
#define MAILDIR_STORAGE_H

#include "mail-storage-private.h"
#include "maildir-uidlist.h"
#include "mail-index-transaction.h"
#include "maildir-keywords.h"

#include <sys/stat.h>
#include <time.h>

struct maildir_msg {
	struct mailbox_msg m;	/* must be first */
	/* Current name in new/ or cur/ (view pool) when it is not what the
	   uidlist identity and the flags give (maildir_msg_get_fname()):
	   NULL for nearly all messages, so a view costs no string each. */
	const char *fname;
	uoff_t vsize;
	bool in_new;
	bool vsize_set;
	bool vsize_write_pending;	/* to go into the uidlist as W */
	bool gone;	/* its file was found missing: expunged */
	/* RFC 7162 modseq as of this view (the index's when the view was
	   synced, or of this session's own committed change): never newer
	   than the flags above. 0 = unknown (the view's highest) */
	uint64_t modseq;
};

/* What the index keeps per message beside flags ("maildir" extension). */
enum maildir_index_info_have {
	MAILDIR_INDEX_INFO_RECEIVED = 0x01,
	MAILDIR_INDEX_INFO_PSIZE = 0x02,
	MAILDIR_INDEX_INFO_VSIZE = 0x04,
};
struct maildir_index_info {
	uint64_t psize, vsize;
	int64_t received;	/* INTERNALDATE: the file's mtime */
	uint32_t have;		/* enum maildir_index_info_have */
	uint32_t unused;
};
struct maildir_index_pending_info;

struct maildir_mailbox {
	struct mailbox box;	/* must be first */
	const char *path;	/* the Maildir: cur/ new/ tmp/ below */
	const char *control_path;	/* where dovecot-uidlist lives */
	struct maildir_uidlist *uidlist;
	/* dovecot-keywords: letters <-> box keyword bits */
	struct maildir_keywords *keywords;

	/* directory mtimes at the last full scan, to skip unchanged ones */
	struct timespec new_mtime, cur_mtime;
	bool scanned;
	bool scan_dirty;	/* mtime too recent to trust: rescan */
	unsigned int vsize_pending;

	/* lib-index (maildir-index.c); index NULL = work without one */
	const char *index_dir;
	struct mail_index *index;
	/* this session's flag changes and expunges, committed at the next
	   sync or at close */
	struct mail_index_transaction *itrans;
	struct mail_index_view *itrans_view;
	/* HIGHESTMODSEQ as of the view (raised by our own commits) */
	uint64_t view_highest_modseq;
	/* UIDs whose flags this session changed since its last commit: their
	   view modseqs are updated after it */
	ARRAY_TYPE(uint32) own_changed_uids;
	/* STORE (UNCHANGEDSINCE): the index sync (log lock) held between
	   store_lock and store_unlock; changes go into store_trans */
	struct mail_index_sync_ctx *store_sctx;
	struct mail_index_view *store_view;
	struct mail_index_transaction *store_trans;
	/* store_lock took the uidlist lock first (keywords without a letter
	   may need one: lock order uidlist, then log) */
	bool store_uidlist_locked;
	/* log position the view was last built from or synced to */
	uint32_t index_log_seq, index_log_offset;
	bool index_in_sync;	/* the index matched our last scan */
	/* the uidlist had UIDs when this mailbox first read it: a new index
	   may replace a lost one (modseqs must not go back) */
	bool uids_preexisting;
	/* the index's cache file (maildir-cache.c, mailbox-index-cache.h):
	   NULL until a lookup */
	struct mailbox_index_cache *cache;
	/* the "maildir" index extension: per-message sizes and dates */
	uint32_t info_ext_id;
	ARRAY(struct maildir_index_pending_info) pending_info;
	/* maildir_msg_get_fname()/_get_path() results: reused, so reading
	   every message of a big mailbox allocates nothing per message */
	struct str *fname_buf, *path_buf;
};

/* maildir-save.c: the transaction and save context (their sizes go into
   the vfunc table). A finished save or copy waits in tmp/ for the commit
   as a maildir_save_file. */
struct maildir_save_file {
	const char *tmp_fname;
	/* base,S=<n>,W=<n>: the identity the uidlist records */
	const char *base;
	enum mail_flags flags;
	uint32_t keyword_letters;	/* bit i = 'a'+i */
	uint32_t uid;	/* given at commit */
	bool renamed;	/* commit moved it to new/ or cur/ */
};

struct maildir_transaction {
	struct mailbox_transaction t;	/* must be first */
	ARRAY(struct maildir_save_file) files;
};

struct maildir_save_context {
	struct mail_save_context ctx;	/* must be first */
	const char *tmp_fname, *tmp_path;
	int fd;
	struct buf *buf;
	uoff_t psize, vsize;
	bool last_cr;
};

/* Points of a save or commit where the crash tests kill the process. */
enum maildir_save_point {
	MAILDIR_SAVE_POINT_TMP_WRITTEN,	/* a message finished in tmp/ */
	MAILDIR_SAVE_POINT_FIRST_RENAMED,
	MAILDIR_SAVE_POINT_ALL_RENAMED,	/* before the uidlist write */
	MAILDIR_SAVE_POINT_UIDLIST_WRITTEN,	/* before the unlock */
};
/* Tests only: called at each point; NULL = nothing. */
extern void (*maildir_save_test_hook)(enum maildir_save_point point);
int maildir_save_begin(struct mail_save_context *ctx);
int maildir_save_write(struct mail_save_context *ctx, const void *data,
		       size_t size);
int maildir_save_finish(struct mail_save_context *ctx);
void maildir_save_cancel(struct mail_save_context *ctx);
int maildir_copy(struct mailbox_transaction *t, struct mailbox *src,
		 struct mailbox_msg *src_msg, const struct mail_save_data *data,
		 const struct mail_keywords *keywords);
int maildir_transaction_commit(struct mailbox_transaction *t,
			       ARRAY_TYPE(uint32) *uids_r,
			       uint32_t *uidvalidity_r);
void maildir_transaction_rollback(struct mailbox_transaction *t);

/* maildir-sync.c: the backend sync (vfunc), and writing pending W sizes
   without waiting for the lock (at close). */
int maildir_sync(struct mailbox *box);
void maildir_sync_write_pending(struct maildir_mailbox *mbox);
/* mtimes of new/ and cur/; -1 logged */
int maildir_sync_stat_dirs(struct maildir_mailbox *mbox,
			   struct timespec *new_r, struct timespec *cur_r);

/* maildir-index.c. Errors are logged; the mailbox then works from scans. */
int maildir_index_open(struct maildir_mailbox *mbox);
/* Commits pending changes and closes the index. */
void maildir_index_close(struct maildir_mailbox *mbox);
/* Deletes the index files and starts an empty index. 0 or -1. */
int maildir_index_rebuild(struct maildir_mailbox *mbox);
/* First sync of a session: 1 if the view was built from the index (the
   Maildir did not change since the index was verified), 0 = scan. */
int maildir_index_try_warm(struct maildir_mailbox *mbox, bool move_new);
/* Directories unchanged: take other sessions' changes from the log. 0. */
int maildir_index_refresh_view(struct maildir_mailbox *mbox);
/* After a scan built box.view: make the index match it and record the
   directory state. 1 = needs the uidlist lock (locked=false), 0 = done. */
int maildir_index_sync_scan(struct maildir_mailbox *mbox, bool locked);
/* Tests only (NULL otherwise): called by maildir_index_sync_scan() between
   its check against the index and its update / modseq fill, where another
   session's commit races with the scan. */
extern void (*maildir_index_test_scan_hook)(struct maildir_mailbox *mbox);
/* This session changed flags and keywords (renamed) / expunged a
   message. Keywords go into the index by name. */
void maildir_index_record_flags(struct maildir_mailbox *mbox, uint32_t uid,
				enum mail_flags old_flags,
				enum mail_flags new_flags,
				const struct mail_keywords *old_kw,
				const struct mail_keywords *new_kw,
				bool was_in_new);
void maildir_index_record_expunge(struct maildir_mailbox *mbox, uint32_t uid);
/* Commits pending changes; 0, or -1 if this session's flag changes or
   expunges could not be written to the index (logged). */
int maildir_index_commit_pending(struct maildir_mailbox *mbox);
/* Commits this session's flag changes and expunges now (end of a STORE:
   RFC 7162 wants their new modseqs in its replies). 0 or -1 (logged). */
int maildir_index_commit_changes(struct maildir_mailbox *mbox);
/* RFC 7162 modseqs as of the view (maildir_msg.modseq; the view's highest
   if unknown) and the view's HIGHESTMODSEQ (O(1)); 0 = no index. */
uint64_t maildir_index_get_modseq(struct maildir_mailbox *mbox,
				  const struct maildir_msg *msg);
uint64_t maildir_index_get_highest_modseq(struct maildir_mailbox *mbox);
/* The message's index keywords as bits of the mailbox (names the mailbox
   lacks are added to it: the index may know keywords that no file name
   carries, e.g. beyond the 26 letters). map may be NULL. */
struct mailbox_index_kw_map;
struct mail_index_message;
void maildir_index_get_kw(struct maildir_mailbox *mbox,
			  struct mailbox_index_kw_map *map,
			  const struct mail_index_message *imsg,
			  struct mail_keywords *kw_r);
/* After a commit (ret < 0: it failed): our changes' new modseqs, or
   none. Returns ret. */
int maildir_index_committed(struct maildir_mailbox *mbox, int ret);
/* maildir-index-store.c:
   STORE (UNCHANGEDSINCE): take the log lock and refresh (0 or -1,
   logged); while held, record_flags writes into the locked transaction.
   No index: nothing to lock (0). */
int maildir_index_store_lock(struct maildir_mailbox *mbox);
/* uid's modseq in the locked index: 1 if <= unchangedsince or unknown
   (not in the index: the file decides), 0 if changed since. */
int maildir_index_store_check(struct maildir_mailbox *mbox, uint32_t uid,
			      uint64_t unchangedsince);
/* true if uid's record in the locked index shows flags and keywords (or
   no lock, no index or no record: nothing to compare with) */
bool maildir_index_store_matches(struct maildir_mailbox *mbox, uint32_t uid,
				 enum mail_flags flags,
				 const struct mail_keywords *keywords);
/* Commit the locked transaction and release the lock. 0 or -1 (logged). */
int maildir_index_store_unlock(struct maildir_mailbox *mbox);
/* Sizes/date of uid known to the index (or pending); false if none. */
bool maildir_index_get_info(struct maildir_mailbox *mbox, uint32_t uid,
			    struct maildir_index_info *info_r);
/* Adds the info->have fields to uid's info (committed in batches, at the
   next sync and at close). */
void maildir_index_set_info(struct maildir_mailbox *mbox, uint32_t uid,
			    const struct maildir_index_info *info);
/* With the uidlist lock held around both: TRUE if the recorded state still
   matches the Maildir; after we rewrote only the uidlist (sizes), record
   its new identity so the next open stays warm. */
bool maildir_index_state_is_current(struct maildir_mailbox *mbox);
void maildir_index_state_uidlist_changed(struct maildir_mailbox *mbox);

/* maildir-cache.c: the cache vfuncs, and writing / closing the cache
   (maildir-index.c calls these at sync, close and rebuild). */
int maildir_cache_lookup(struct mailbox *box, struct mailbox_msg *msg,
			 const char *field, struct buf *dest);
void maildir_cache_add(struct mailbox *box, struct mailbox_msg *msg,
		       const char *field, const void *data, size_t size);
void maildir_cache_flush(struct maildir_mailbox *mbox);
void maildir_cache_close(struct maildir_mailbox *mbox);

/* maildir-tmp-clean.c: deletes regular files in path/tmp untouched for
   36 hours; returns how many. Errors are logged, never fatal. */
unsigned int maildir_tmp_cleanup(const char *path);
/* The same as if the clock said now (tests). */
unsigned int maildir_tmp_cleanup_at(const char *path, time_t now);

/* maildir-storage.c */
/* Mailbox name ('/'-separated) -> directory below the root ("" for INBOX,
   ".Work.Projects" for Maildir++, "Work/Projects[/DIRNAME]" for fs). NULL
   if the name can't be a mailbox. tmp result. */
const char *maildir_name_to_dir(const struct mail_storage_location *loc,
				const char *name);

/* maildir-mailbox-mgmt.c: the driver's mailbox_create/delete/rename */
int maildir_mailbox_create(struct mail_user *user, const char *name,
			   bool directory, enum mail_storage_error *error_r,
			   const char **error_str_r);
int maildir_mailbox_delete(struct mail_user *user, const char *name,
			   enum mail_storage_error *error_r,
			   const char **error_str_r);
int maildir_mailbox_rename(struct mail_user *user, const char *oldname,
			   const char *newname, enum mail_storage_error *error_r,
			   const char **error_str_r);

/* maildir-list.c: the maildir driver's list_mailboxes */
/* Maildir++ root entries with this prefix are mailboxes being deleted
   (maildir-mailbox-mgmt.c): never listed. */
#define MAILDIR_TRASH_PREFIX ".DL-TRASHED."
int maildir_list_mailboxes(struct mail_user *user, struct pool *pool,
			   ARRAY_TYPE(string) *names_r, const char **error_r);
/* The driver's mailbox_exists: maildir_list_mailboxes()'s rules for one
   name, without listing (never fails: unreadable is missing, as there). */
int maildir_list_mailbox_exists(struct mail_user *user, const char *name,
				const char **error_r);

/* maildir-objectid.c: the RFC 8474 / RFC 8514 vfuncs
   (mail-storage-private.h) */
const char *maildir_objectid_get_id_dir(struct mailbox *box);
int maildir_objectid_get_save_date(struct mailbox *box,
				   struct mailbox_msg *msg, time_t *date_r);
int maildir_objectid_get_email_key(struct mailbox *box,
				   struct mailbox_msg *msg, const char **key_r);

/* maildir-mail.c */
extern const struct mailbox_vfuncs maildir_mailbox_vfuncs;
/* The message's file name as last known: msg->fname, or the uidlist
   identity with the info part for flags (cur/) or bare (new/). Reads the
   uidlist if needed. NULL if the uidlist has no such uid. Valid until the
   next call (a buffer of mbox). */
const char *maildir_msg_get_fname(struct maildir_mailbox *mbox,
				  const struct maildir_msg *msg,
				  enum mail_flags flags);
/* "<path>/cur/<fname>" or new/ (NULL: no name known). Valid until the next
   call (a buffer of mbox; calls maildir_msg_get_fname()). */
const char *maildir_msg_get_path(struct maildir_mailbox *mbox,
				 const struct maildir_msg *msg);
/* The file isn't where we last saw it: another session renamed (flags,
   new/ -> cur/) or expunged it. true if found under its new name. */
bool maildir_msg_relocate(struct maildir_mailbox *mbox,
			  struct maildir_msg *msg);
/* stat()s the message's file, following a rename by another session. -1
   on error: gone (msg->gone, MAIL_ERROR_EXPUNGED) or logged (internal
   error set on the mailbox). */
int maildir_msg_stat(struct maildir_mailbox *mbox, struct maildir_msg *msg,
		     struct stat *st_r);
/* MAIL_ERROR_EXPUNGED on the mailbox. */
void maildir_set_expunged(struct maildir_mailbox *mbox);

/* maildir-flags.c: the flag vfuncs (mail-storage-private.h). */
int maildir_mail_write_flags(struct mailbox *box, struct mailbox_msg *msg,
			     enum mail_flags old_flags,
			     const struct mail_keywords *old_keywords);
int maildir_mail_store_lock(struct mailbox *box);
int maildir_mail_write_flags_unchanged(struct mailbox *box,
				       struct mailbox_msg *msg,
				       enum mail_flags old_flags,
				       const struct mail_keywords *old_keywords,
				       uint64_t unchangedsince);
int maildir_mail_store_unlock(struct mailbox *box);

#endif
