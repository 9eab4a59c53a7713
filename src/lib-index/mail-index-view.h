/* Copyright (c) dovecot-like authors. mail-index-view.h: what one IMAP session
   sees of a mailbox: a fixed sequence <-> UID mapping that changes only at
   mail_index_view_sync_*(), which reports what changed since the last sync
   (RFC 3501 5.2, 7.4.1: sequence numbers change only at defined points). */
#ifndef MAIL_INDEX_VIEW_H
#define MAIL_INDEX_VIEW_H

#include "mail-index.h"

enum mail_index_view_sync_type {
	/* uid was expunged; seq is the EXPUNGE number to send when the
	   records are processed in the order returned */
	MAIL_INDEX_VIEW_SYNC_EXPUNGE = 1,
	/* new message uid at seq (EXISTS grows) */
	MAIL_INDEX_VIEW_SYNC_APPEND,
	/* flags/keywords/modseq of uid (at seq after the sync) changed */
	MAIL_INDEX_VIEW_SYNC_CHANGE,
};

struct mail_index_view_sync_rec {
	enum mail_index_view_sync_type type;
	uint32_t uid;
	uint32_t seq;
	uint8_t flags;		/* new flags (APPEND, CHANGE) */
	bool keywords_changed;	/* CHANGE: the keyword set differs */
	uint64_t modseq;
};

struct mail_index_view_sync_ctx;

/* Open a view of the index at its current map. Never fails. */
struct mail_index_view *mail_index_view_open(struct mail_index *index);
/* Close the view; *view = NULL. */
void mail_index_view_close(struct mail_index_view **view);
struct mail_index *mail_index_view_get_index(struct mail_index_view *view);

/* Number of messages in the view (EXISTS). */
uint32_t mail_index_view_get_messages_count(struct mail_index_view *view);
/* Header as of the view's last sync (uid_validity, next_uid, modseq...). */
const struct mail_index_header *
mail_index_view_get_header(struct mail_index_view *view);
/* seq (1..count) -> message. Returns TRUE if it exists. The pointer is
   valid until the next view sync. */
bool mail_index_lookup(struct mail_index_view *view, uint32_t seq,
		       const struct mail_index_message **msg_r);
/* seq -> uid; FALSE if seq is out of range. */
bool mail_index_lookup_uid(struct mail_index_view *view, uint32_t seq,
			   uint32_t *uid_r);
/* uid -> seq; FALSE if the view has no such uid. */
bool mail_index_lookup_seq(struct mail_index_view *view, uint32_t uid,
			   uint32_t *seq_r);
/* Sequence range of the messages with uid1 <= uid <= uid2. Returns FALSE
   (and zeros) if none. */
bool mail_index_lookup_seq_range(struct mail_index_view *view, uint32_t uid1,
				 uint32_t uid2, uint32_t *seq1_r,
				 uint32_t *seq2_r);
/* TRUE if message seq has keyword number idx. */
bool mail_index_message_has_keyword(const struct mail_index_message *msg,
				    unsigned int idx);

/* Refresh the index and compute the differences between the view and the
   current map. Returns 0 or -1 (then the view is unchanged). The view's
   mapping is replaced by the new one right away; records tell what to
   report. Expunges come first (ascending uid), then appends, then changes. */
int mail_index_view_sync_begin(struct mail_index_view *view,
			       struct mail_index_view_sync_ctx **ctx_r);
/* Next change; FALSE when done. */
bool mail_index_view_sync_next(struct mail_index_view_sync_ctx *ctx,
			       struct mail_index_view_sync_rec *rec_r);
/* Free the context; *ctx = NULL. */
void mail_index_view_sync_end(struct mail_index_view_sync_ctx **ctx);

#endif
