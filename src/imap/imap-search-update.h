/* Copyright (c) dovecot-like authors. imap-search-update.h: SEARCH/SORT
   RETURN (UPDATE) (RFC 5267 4.3): searches kept alive for the selected
   mailbox whose result changes are sent as "* ESEARCH (TAG "t") ADDTO" /
   "REMOVEFROM" at sync points, until CANCELUPDATE or the mailbox is
   closed. Positions are always 0 ("unknown"), as Dovecot 2.3 sends them,
   which RFC 5267 4.3 allows for SORT too. */
#ifndef IMAP_SEARCH_UPDATE_H
#define IMAP_SEARCH_UPDATE_H

#include "imap-common.h"
#include "mail-storage.h"

struct client;
struct client_command;
struct mail_search_arg;

/* Update searches a session may keep (Dovecot has no bound). */
#define IMAP_SEARCH_UPDATES_MAX 64

/* Before running an UPDATE search: false after sending the tagged
   "NO [LIMIT]" when IMAP_SEARCH_UPDATES_MAX are active. */
bool imap_search_update_check_limit(struct client_command *cmd);

/* Registers cmd's search: sargs, built in *pool (whose ownership passes
   to the update; *pool is set to NULL), with its current result seqs
   (ascending sequence numbers) under cmd's tag; replaces an update of the
   same tag. */
void imap_search_update_add(struct client_command *cmd, struct pool **pool,
			    struct mail_search_arg *sargs,
			    const ARRAY_TYPE(uint32) *seqs);

/* CANCELUPDATE of one tag: true if it existed. */
bool imap_search_update_cancel(struct client *client, const char *tag);

/* Forgets every update (the mailbox is closed; RFC 5267 4.3). */
void imap_search_updates_clear(struct client *client);

/* Before expunges are reported: "REMOVEFROM (0 seqs)" for the expunged
   messages each update holds (seqs as reported, i.e. before the expunge,
   since the storage reports them in descending order). */
void imap_search_updates_expunged(struct client *client,
				  const ARRAY_TYPE(mailbox_expunged) *expunged);

/* Remembers messages whose flags changed (seqs, may be NULL or not
   created) and the new messages from first_new on (0: none) for the next
   imap_search_updates_sync(); nothing without update searches. */
void imap_search_updates_changed(struct client *client,
				 const ARRAY_TYPE(uint32) *seqs,
				 uint32_t first_new);

/* At a sync point: re-evaluates each update's search only on the changed
   messages (the remembered ones, and those whose modseq rose since the
   last sync point: FETCH's implicit \Seen) and sends what left it
   (REMOVEFROM) and what joined it (ADDTO); returns at once when nothing
   changed. */
void imap_search_updates_sync(struct client *client);

#endif
