/* Copyright (c) dovecot-like authors. mailbox-index.h: the parts of a
   backend's use of lib-index that Maildir and mbox share: opening an
   index, keeping modseqs above a lost index's, keyword translation
   between index records and the mailbox, and the RFC 7162 modseq walks
   of the session's view. The backend keeps its own struct mail_index and
   per-message modseqs; these functions take them as arguments. */
#ifndef MAILBOX_INDEX_H
#define MAILBOX_INDEX_H

#include "mail-storage-private.h"
#include "mail-index.h"
#include "mail-index-transaction.h"
#include "mail-index-view.h"

/* Index keyword index -> box keyword index, resolved on first use (one
   name lookup per index keyword per walk, not per message);
   MAILBOX_INDEX_KW_MAP_UNSET = not looked up yet, -1 = not in the box. */
#define MAILBOX_INDEX_KW_MAP_UNSET (-2)
struct mailbox_index_kw_map {
	int box_idx[MAIL_INDEX_MAX_KEYWORDS];
};

void mailbox_index_kw_map_init(struct mailbox_index_kw_map *map);

/* Opens (creating) the index dir/prefix into *index_r; -1 (logged, with
   *index_r = NULL) if it can't be used. */
int mailbox_index_open(const char *dir, const char *prefix,
		       struct mail_index **index_r);

/* The backend's open transaction of external changes (*trans_r, on its
   own view *view_r), begun first if there is none. */
struct mail_index_transaction *
mailbox_index_trans(struct mail_index *index, struct mail_index_view **view_r,
		    struct mail_index_transaction **trans_r);

/* Drops that transaction (if any) and closes its view. */
void mailbox_index_trans_rollback(struct mail_index_view **view,
				  struct mail_index_transaction **trans);

/* Unlinks dir/<prefix><suffix> for each of the count suffixes (a missing
   file is fine; other failures are logged) before a rebuild. */
void mailbox_index_unlink_files(const char *dir, const char *prefix,
				const char *const *suffixes,
				unsigned int count);

/* Keeps modseqs going up from old_modseq in a rebuilt index (RFC 7162:
   they never go backwards while UIDVALIDITY stays). Errors are logged
   as "<log_prefix>: <error>". */
void mailbox_index_keep_modseq(struct mail_index *index, uint64_t old_modseq,
			       const char *log_prefix);

/* A new index (no UIDVALIDITY yet) for UIDs given out before
   (uids_preexisting: the backend's UID store had them) may replace a lost
   one whose modseqs they had, and the same UIDVALIDITY forbids going back
   (RFC 7162 3.1.6): start from the clock, seconds << SHIFT (above any old
   index unless it averaged a million changes per second since it was
   made). Committed on its own, before the transaction that appends the
   messages, so they get modseqs above it. */
#define MAILBOX_INDEX_MODSEQ_TIME_SHIFT 20
void mailbox_index_restart_if_new(struct mail_index *index,
				  bool uids_preexisting,
				  const char *log_prefix);

/* imsg's index keywords as bits of box in kw_r. With add, names the box
   lacks are added to it, else they are looked up only. map (may be NULL)
   caches the name lookups across calls. Returns false if a keyword could
   not be mapped (unknown to the box, or the box is full). */
bool mailbox_index_get_keywords(struct mailbox *box, struct mail_index *index,
				struct mailbox_index_kw_map *map, bool add,
				const struct mail_index_message *imsg,
				struct mail_keywords *kw_r);

/* Records in t that uid's system flags change from old_flags to
   new_flags, with the index-only flags add_extra added and remove_extra
   removed too (an update is written only where some flag changes). */
void mailbox_index_update_flags(struct mail_index_transaction *t,
				uint32_t uid, enum mail_flags old_flags,
				enum mail_flags new_flags, uint8_t add_extra,
				uint8_t remove_extra);

/* Records in t that uid's keywords change from old_kw to new_kw (old_kw
   NULL: replace all). A keyword the index can't hold is logged with
   log_dir. */
void mailbox_index_update_keywords(struct mailbox *box,
				   struct mail_index_transaction *t,
				   uint32_t uid,
				   const struct mail_keywords *old_kw,
				   const struct mail_keywords *new_kw,
				   const char *log_dir);

/* A diff of the box's view against the index view (both sorted by uid):
   moves *seq past the index records below uid (those the view lacks),
   expunging them in trans unless it is NULL; *imsg_r is the record at
   *seq if *seq <= icount. Returns true if it skipped any. */
bool mailbox_index_diff_skip(struct mail_index_view *view,
			     struct mail_index_transaction *trans,
			     uint32_t uid, uint32_t icount, uint32_t *seq,
			     const struct mail_index_message **imsg_r);
/* The end of that diff: the records from seq on are expunged and
   NEXT_UID rises to the box's uidnext (in trans unless it is NULL).
   Returns true if anything differs. */
bool mailbox_index_diff_tail(struct mailbox *box,
			     struct mail_index_view *view,
			     struct mail_index_transaction *trans,
			     uint32_t seq);

/* Called for every message of the box's view with its index record
   (NULL: the index lacks it). */
typedef void mailbox_index_view_msg_cb_t(struct mailbox *box,
					 struct mailbox_msg *msg,
					 const struct mail_index_message *imsg,
					 void *context);

/* Walks the box's view beside the index (both sorted by uid), after
   setting *highest_modseq_r to the index's HIGHESTMODSEQ. */
void mailbox_index_fill_modseqs(struct mailbox *box, struct mail_index *index,
				mailbox_index_view_msg_cb_t *cb, void *context,
				uint64_t *highest_modseq_r);

/* Returns msg's modseq field if imsg shows the flags and keywords the
   view has for msg, else NULL. */
typedef uint64_t *mailbox_index_own_match_t(struct mailbox *box,
					    struct mailbox_msg *msg,
					    const struct mail_index_message *imsg,
					    void *context);

/* After this session's own commit: the messages of own_uids (cleared
   after) take the index's modseq where match says the index shows the
   view's flags (a reported modseq must never be newer than the flags sent
   with it); *highest_modseq rises with them. */
void mailbox_index_own_modseqs(struct mailbox *box, struct mail_index *index,
			       ARRAY_TYPE(uint32) *own_uids,
			       mailbox_index_own_match_t *match, void *context,
			       uint64_t *highest_modseq);

/* The get_expunges vfunc over the backend's index (NULL: no history,
   0). Errors are logged and set on box. */
int mailbox_index_get_expunges(struct mailbox *box, struct mail_index *index,
			       uint64_t since_modseq,
			       ARRAY_TYPE(uint32) *uid_ranges);

#endif
