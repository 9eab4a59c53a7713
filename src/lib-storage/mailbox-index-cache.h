/* Copyright (c) dovecot-like authors. mailbox-index-cache.h: a backend's
   use of its index's cache file ("<prefix>.cache") for the FETCH items
   that need a message parse (mail-fetch-cache.h), shared by Maildir and
   mbox. Opened at the first lookup, so a session that never asks for them
   pays nothing. Which fields are kept is the cache's decision from how
   clients fetch them; additions are written at the backend's next sync or
   close, or when MAILBOX_INDEX_CACHE_FLUSH_SIZE bytes of them wait. */
#ifndef MAILBOX_INDEX_CACHE_H
#define MAILBOX_INDEX_CACHE_H

#include "mail-storage-private.h"
#include "mail-index.h"

#include <time.h>

struct mail_cache;
struct mail_cache_view;

/* Buffered additions written in the middle of a FETCH past this size. */
#define MAILBOX_INDEX_CACHE_FLUSH_SIZE (1024 * 1024)
/* Header fields (hdr.<name>) one session registers at most: clients
   choose the names, the file holds MAIL_CACHE_MAX_FIELDS in all. */
#define MAILBOX_INDEX_CACHE_MAX_HDR_FIELDS 64

/* The cache state of one mailbox (allocated from the mailbox pool at the
   first use, reused after a close). */
struct mailbox_index_cache {
	struct mailbox *box;
	struct mail_index *index;
	const char *index_dir;	/* for log messages */
	struct mail_cache *cache;	/* NULL = closed */
	struct mail_index_view *iview;
	struct mail_cache_view *view;
	unsigned int hdr_fields;	/* hdr.* fields it registered */
	/* the backend's last known save date (a message's fields are
	   looked up one after the other; 0 = none) */
	uint32_t saved_date_uid;
	time_t saved_date;
};

/* The open cache of index (may be NULL: none) for box, opened on first
   use (*cachep allocated from box->pool if NULL); NULL without an index
   or when the index doesn't belong to box's current UIDVALIDITY. */
struct mailbox_index_cache *
mailbox_index_cache_get(struct mailbox_index_cache **cachep,
			struct mailbox *box, struct mail_index *index,
			const char *index_dir);
/* The cache_lookup / cache_add vfuncs' work for uid. saved_date (0 =
   unknown) tells the cache whether the mail is old (TEMP -> YES). */
int mailbox_index_cache_lookup(struct mailbox_index_cache *cache,
			       uint32_t uid, const char *field,
			       time_t saved_date, struct buf *dest);
void mailbox_index_cache_add(struct mailbox_index_cache *cache, uint32_t uid,
			     const char *field, const void *data, size_t size);
/* Writes the buffered additions. Never while holding the index's log lock
   (the lock order is cache -> log). cache may be NULL. */
void mailbox_index_cache_flush(struct mailbox_index_cache *cache);
/* Flushes, purges if needed and closes (before the index is closed or
   rebuilt). cache may be NULL; it may be opened again later. */
void mailbox_index_cache_close(struct mailbox_index_cache *cache);

#endif
