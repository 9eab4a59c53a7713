/* Copyright (c) dovecot-like authors. mail-index-sync.h: the backend's side:
   with the log lock held, compare the mail store with the index, write
   external records (new/expunged mails, UIDs) and carry out pending requests
   (expunges, flag changes) made by sessions since the last sync. */
#ifndef MAIL_INDEX_SYNC_H
#define MAIL_INDEX_SYNC_H

#include "mail-index-transaction.h"

enum mail_index_sync_type {
	MAIL_INDEX_SYNC_TYPE_EXPUNGE = 1,	/* expunge request */
	MAIL_INDEX_SYNC_TYPE_FLAGS,		/* add/remove masks */
	MAIL_INDEX_SYNC_TYPE_KEYWORD_ADD,
	MAIL_INDEX_SYNC_TYPE_KEYWORD_REMOVE,
	MAIL_INDEX_SYNC_TYPE_KEYWORD_RESET,
};

/* One pending request from the log (between tail and head). */
struct mail_index_sync_rec {
	enum mail_index_sync_type type;
	uint32_t uid1, uid2;
	uint8_t add_flags, remove_flags;
	const char *keyword;	/* KEYWORD_ADD/REMOVE; valid until commit */
};

struct mail_index_sync_ctx;

/* Take the log lock (waiting at most lock_timeout_secs), refresh the index
   and collect pending requests. *view_r shows the locked state; *trans_r is
   an EXTERNAL transaction written at mail_index_sync_commit(). Both belong
   to the context. Returns 0 or -1 (lock timeout, I/O error). */
int mail_index_sync_begin(struct mail_index *index,
			  struct mail_index_sync_ctx **ctx_r,
			  struct mail_index_view **view_r,
			  struct mail_index_transaction **trans_r);
/* Next pending request; FALSE when done. */
bool mail_index_sync_next(struct mail_index_sync_ctx *ctx,
			  struct mail_index_sync_rec *rec_r);
/* TRUE if there are pending requests. */
bool mail_index_sync_have_any(struct mail_index_sync_ctx *ctx);
/* Commit the sync transaction, mark the requests as done (tail = head),
   rotate the log / rewrite the snapshot when due and release the lock.
   Returns 0 or -1. *ctx = NULL either way. */
int mail_index_sync_commit(struct mail_index_sync_ctx **ctx);
/* Drop the transaction and release the lock; *ctx = NULL. */
void mail_index_sync_rollback(struct mail_index_sync_ctx **ctx);

#endif
