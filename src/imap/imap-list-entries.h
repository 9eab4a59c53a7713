/* Copyright (c) dovecot-like authors. imap-list-entries.h: the set of
   names LIST shows for one command: the mailboxes with their missing
   parents, or the subscriptions, each once, in the drivers' order. */
#ifndef IMAP_LIST_ENTRIES_H
#define IMAP_LIST_ENTRIES_H

#include "array.h"

struct pool;

/* A name to show: a mailbox, or a parent that only exists because of its
   children (Maildir++ ".a.b" without ".a", an mbox directory), or with
   SUBSCRIBED selection a subscription or a parent of one. */
struct imap_list_entry {
	const char *name;	/* storage name */
	bool noselect;		/* not a mailbox (\Noselect, \NonExistent) */
	bool subscribed;
	bool childinfo;		/* RECURSIVEMATCH: a subscribed descendant */
	/* a missing auto mailbox: listed only through the namespaces that
	   declare it (mail_namespace_has_auto()) */
	bool missing_auto;
};
typedef ARRAY(struct imap_list_entry) ARRAY_TYPE(imap_list_entry);


/* Appends an entry (zeroed but for name and noselect); name is kept. */
struct imap_list_entry *
imap_list_entry_add(ARRAY_TYPE(imap_list_entry) *entries, const char *name,
		    bool noselect);
/* Sorts entries (strcmp, INBOX first) and merges those of the same name:
   a real mailbox wins over a parent, a subscription over a CHILDINFO
   parent. */
void imap_list_entries_sort_unique(ARRAY_TYPE(imap_list_entry) *entries);
/* names (storage names) plus their missing parents, sorted, each once,
   in pool; those in missing_auto (may be not created) marked so. */
void imap_list_entries_build(struct pool *pool,
			     const ARRAY_TYPE(string) *names,
			     const ARRAY_TYPE(string) *missing_auto,
			     ARRAY_TYPE(imap_list_entry) *entries_r);
/* The entry named name, NULL if none. */
const struct imap_list_entry *
imap_list_entry_find(const ARRAY_TYPE(imap_list_entry) *entries,
		     const char *name);
/* Has name a child ("name/...") in entries? */
bool imap_list_entries_has_children(const ARRAY_TYPE(imap_list_entry) *entries,
				    const char *name);

#endif
