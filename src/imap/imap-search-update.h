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

/* Update searches a session may keep (Dovecot has no bound). */
#define IMAP_SEARCH_UPDATES_MAX 64

/* Before running an UPDATE search: false after sending the tagged
   "NO [LIMIT]" when IMAP_SEARCH_UPDATES_MAX are active. */
bool imap_search_update_check_limit(struct client_command *cmd);

/* Registers cmd's search (args and charset are copied) with its current
   result seqs (sequence numbers) under cmd's tag; replaces an update of
   the same tag. false (logged) if the program can't be rebuilt. */
bool imap_search_update_add(struct client_command *cmd,
			    const struct imap_arg *args, const char *charset,
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

/* After a sync or a flag change: re-runs each update's search and sends
   what left it (REMOVEFROM) and what joined it (ADDTO). */
void imap_search_updates_sync(struct client *client);

#endif
