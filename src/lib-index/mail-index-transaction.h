/* Copyright (c) dovecot-like authors. mail-index-transaction.h: changes that
   become visible to every process at once, when committed to the log. All
   changes are by UID. */
#ifndef MAIL_INDEX_TRANSACTION_H
#define MAIL_INDEX_TRANSACTION_H

#include "mail-index.h"

enum mail_index_transaction_flags {
	/* Records describe changes already made in the mail store (saves,
	   backend syncing). Without it expunges are only requests that the
	   next syncer carries out. */
	MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL = 0x01,
};

enum mail_index_modify_type {
	MAIL_INDEX_MODIFY_ADD = 1,
	MAIL_INDEX_MODIFY_REMOVE,
	MAIL_INDEX_MODIFY_REPLACE,
};

struct mail_index_commit_result {
	/* UIDs given to uid=0 appends (0,0 if none) */
	uint32_t first_uid, last_uid;
	/* where the transaction was written; 0,0 if it was empty */
	uint32_t log_file_seq, log_file_offset;
	uint64_t highest_modseq;	/* after the transaction */
};

/* Begin a transaction on the view's index. Never fails. */
struct mail_index_transaction *
mail_index_transaction_begin(struct mail_index_view *view,
			     enum mail_index_transaction_flags flags);
/* Add a message. uid=0: assign next_uid at commit, under the log lock.
   An explicit uid must be >= next_uid at commit, ascending, or the commit
   fails. keywords: count names (unknown ones are added to the mailbox list).
   Returns the append index for mail_index_append_ext(). */
unsigned int mail_index_append(struct mail_index_transaction *t, uint32_t uid,
			       uint8_t flags, const char *const *keywords,
			       unsigned int keywords_count);
/* Set extension data of an appended message (size = ext record size). */
void mail_index_append_ext(struct mail_index_transaction *t,
			   unsigned int append_idx, uint32_t ext_id,
			   const void *data, size_t size);
/* Change flags of uid1..uid2. REPLACE sets the system flags to flags and
   keeps BACKEND/DIRTY unless they are given. */
void mail_index_update_flags(struct mail_index_transaction *t, uint32_t uid1,
			     uint32_t uid2, enum mail_index_modify_type type,
			     uint8_t flags);
/* Add (ADD) or remove (REMOVE) one keyword on uid1..uid2. Returns -1 if the
   name is invalid (empty, too long, control chars/space) or the mailbox
   would exceed MAIL_INDEX_MAX_KEYWORDS. */
int mail_index_update_keyword(struct mail_index_transaction *t, uint32_t uid1,
			      uint32_t uid2, enum mail_index_modify_type type,
			      const char *name);
/* Remove all keywords from uid1..uid2. */
void mail_index_reset_keywords(struct mail_index_transaction *t,
			       uint32_t uid1, uint32_t uid2);
/* Expunge uid1..uid2 (a request unless the transaction is EXTERNAL). */
void mail_index_expunge(struct mail_index_transaction *t, uint32_t uid1,
			uint32_t uid2);
/* Set a header field (NEXT_UID only grows; lower values are ignored). */
void mail_index_update_header(struct mail_index_transaction *t,
			      enum mail_index_header_field field,
			      uint32_t value);
/* Set extension data of an existing message (size = ext record size). */
void mail_index_update_ext(struct mail_index_transaction *t, uint32_t uid,
			   uint32_t ext_id, const void *data, size_t size);
/* Raise uid's modseq (and the mailbox modseq) to at least min_modseq;
   uid=0 raises only the mailbox modseq. */
void mail_index_update_modseq(struct mail_index_transaction *t, uint32_t uid,
			      uint64_t min_modseq);
/* TRUE if nothing was added to the transaction. */
bool mail_index_transaction_is_empty(struct mail_index_transaction *t);

/* Write the transaction to the log with one write() under the log lock and
   refresh the index. result_r may be NULL. Returns 0 or -1 (nothing
   written). Frees the transaction; *t = NULL. */
int mail_index_transaction_commit(struct mail_index_transaction **t,
				  struct mail_index_commit_result *result_r);
/* Discard the transaction; *t = NULL. */
void mail_index_transaction_rollback(struct mail_index_transaction **t);

#endif
