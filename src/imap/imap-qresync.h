/* Copyright (c) dovecot-like authors. imap-qresync.h: QRESYNC (RFC 7162
   3.2): the SELECT/EXAMINE (QRESYNC (...)) parameter and the resync it
   asks for, and the VANISHED (EARLIER) responses SELECT and UID FETCH
   (VANISHED) send. */
#ifndef IMAP_QRESYNC_H
#define IMAP_QRESYNC_H

#include "imap-seqset.h"

struct client;
struct client_command;
struct imap_arg;

struct imap_qresync_args {
	uint32_t uidvalidity;
	uint64_t modseq;
	/* known-uids; not created = all */
	struct seq_range_array known_uids;
	/* seq-match-data (same element counts); not created = none */
	struct seq_range_array match_seqs, match_uids;
};

/* Parses the list after "QRESYNC" (arg: "(uidvalidity modseq [known-uids]
   [(known-sequence-set known-uid-set)])") into args_r, arrays in pool.
   false with a client-safe *error_r (Dovecot's texts). */
bool imap_qresync_parse(const struct imap_arg *arg, struct pool *pool,
			struct imap_qresync_args *args_r, const char **error_r);

/* "* VANISHED (EARLIER) uids" for the UIDs in known_uids (NULL = all)
   expunged after modseq (none: nothing sent); min_uid as
   mailbox_get_vanished(). 0 or -1 (storage error set on the box). */
int imap_qresync_send_vanished(struct client *client, uint64_t modseq,
			       const struct seq_range_array *known_uids,
			       uint32_t min_uid);

/* SELECT's resync after its usual responses (RFC 7162 3.2.5.1): nothing
   if UIDVALIDITY changed or the mailbox has no modseqs, else VANISHED
   (EARLIER) at once, then a FETCH (UID FLAGS MODSEQ) of each message in
   known-uids changed after the modseq, sent through
   imap_qresync_select_more() as the client reads them (*ctx_r, in
   cmd->pool; NULL when there is nothing to fetch). 0 or -1 (storage
   error set on the box). */
struct imap_qresync_select;
int imap_qresync_select_begin(struct client_command *cmd,
			      const struct imap_qresync_args *args,
			      struct imap_qresync_select **ctx_r);
/* Sends FETCHes until the output buffer fills: true when all are sent. */
bool imap_qresync_select_more(struct imap_qresync_select *ctx);

#endif
