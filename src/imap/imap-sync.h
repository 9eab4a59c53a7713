/* Copyright (c) dovecot-like authors. imap-sync.h: turning what the storage
   noticed at a sync point into untagged EXPUNGE/EXISTS/RECENT/FETCH. */
#ifndef IMAP_SYNC_H
#define IMAP_SYNC_H

struct client;

/* Syncs the selected mailbox (no-op without one) and queues the untagged
   responses. allow_expunges=false (RFC 3501 7.4.1, after FETCH/STORE/SEARCH)
   skips the sync completely. 0, or -1 on a storage error (logged). */
int imap_sync(struct client *client, bool allow_expunges);
/* Remember recent as the client's RECENT count and send "* n RECENT",
   unless IMAP4rev2 is enabled (RFC 9051 has no RECENT response). */
void imap_sync_send_recent(struct client *client, uint32_t recent);
/* Report expunged messages (in reporting order: "* n EXPUNGE" each, or
   one "* VANISHED uids" with QRESYNC) and keep messages_count right. */
void imap_sync_send_expunges(struct client *client,
			     const ARRAY_TYPE(mailbox_expunged) *expunged);

/* The tagged OK text of a command that expunged expunged_count messages:
   with QRESYNC and something gone, "OK [HIGHESTMODSEQ n] <text>" with the
   mailbox's modseq after the expunges (RFC 7162 3.2.10: the client needn't
   resync them); a sync first brings them into the view's modseq (and may
   report others' changes, allowed after EXPUNGE and MOVE). Else
   "OK <text>", after "* n RECENT" when the expunges took \Recent
   messages away (as Dovecot; RFC 3501 7.3.2 lets RECENT come whenever
   the mailbox size changes; with QRESYNC the sync sends it). */
const char *imap_sync_expunge_reply(struct client *client,
				    unsigned int expunged_count,
				    const char *text);


/* "* seq FETCH (UID u FLAGS (...) MODSEQ (n))" for a flag change: UID
   and FLAGS as asked, MODSEQ once CONDSTORE is enabled (RFC 7162 3.1.4)
   and the mailbox has modseqs. */
void imap_sync_send_flags_fetch(struct client *client, uint32_t seq,
				bool with_uid, bool with_flags);

#endif
