/* Copyright (c) dovecot-like authors. mail-cache.h: the cache file
   "<prefix>.cache": cached message data (headers, BODYSTRUCTURE, sizes...)
   per (message, field), with per-mailbox caching decisions. Only a cache:
   a corrupt file is dropped and recreated, never an error for the caller. */
#ifndef MAIL_CACHE_H
#define MAIL_CACHE_H

#include "mail-index-view.h"

#define MAIL_CACHE_MAX_FIELDS 256
#define MAIL_CACHE_MAX_FIELD_NAME_LEN 128

enum mail_cache_field_type {
	MAIL_CACHE_FIELD_FIXED_SIZE = 0,
	MAIL_CACHE_FIELD_VARIABLE_SIZE,
	MAIL_CACHE_FIELD_STRING,
	MAIL_CACHE_FIELD_BITMASK,	/* all added values ORed together */
	MAIL_CACHE_FIELD_HEADER,
	MAIL_CACHE_FIELD_TYPE_COUNT
};

enum mail_cache_decision_type {
	MAIL_CACHE_DECISION_NO = 0x00,	/* not cached */
	MAIL_CACHE_DECISION_TEMP = 0x01,	/* cached for new mail only */
	MAIL_CACHE_DECISION_YES = 0x02,	/* cached for all mail */
	MAIL_CACHE_DECISION_FORCED = 0x80,	/* never changed automatically */
};

struct mail_cache_field {
	const char *name;		/* e.g. "imap.bodystructure" */
	enum mail_cache_field_type type;
	unsigned int field_size;	/* FIXED_SIZE / BITMASK only */
	enum mail_cache_decision_type decision;
	time_t last_used;
	unsigned int idx;		/* set by mail_cache_register_fields */
};

struct mail_cache;
struct mail_cache_view;

/* Open "<index prefix>.cache" of the index, creating it lazily at the first
   add. Never fails: problems with the file are logged and it is recreated. */
struct mail_cache *mail_cache_open(struct mail_index *index);
void mail_cache_free(struct mail_cache **cache);

/* Register fields (name, type, size, initial decision). A field already in
   the file keeps the file's decision unless the registration is FORCED.
   Sets fields[i].idx. Returns 0, -1 if a name/type/size is invalid. */
int mail_cache_register_fields(struct mail_cache *cache,
			       struct mail_cache_field *fields,
			       unsigned int count);
/* Registered field index by name, or -1. */
int mail_cache_field_lookup(struct mail_cache *cache, const char *name);
/* Current decision of a field. */
enum mail_cache_decision_type
mail_cache_field_get_decision(struct mail_cache *cache, unsigned int idx);

/* A field parsed anyway and about to be added without having been looked
   up (header fields read for an ENVELOPE): with the automatic decision NO
   and not in the file yet it becomes TEMP, so it is kept for new mail. It
   doesn't count as a use (last_used): unless lookups use it, a purge
   drops it again once cache_unaccessed_field_drop_secs pass twice, so
   fields nobody asks for don't stay. */
void mail_cache_decision_add(struct mail_cache *cache, unsigned int idx);

/* A session's cache access (tracks its access order for decisions). */
struct mail_cache_view *mail_cache_view_open(struct mail_cache *cache,
					     struct mail_index_view *view);
/* Flushes pending additions and frees; *view = NULL. */
void mail_cache_view_close(struct mail_cache_view **view);

/* Append the cached value of field for uid to dest. saved_date (0 unknown)
   tells whether the mail is older than a week. The access updates the
   decision: NO -> TEMP (a client wants it), TEMP -> YES for old mail or
   non-ascending UID order. Returns 1 found, 0 not cached. */
int mail_cache_lookup_field(struct mail_cache_view *view, uint32_t uid,
			    unsigned int field_idx, time_t saved_date,
			    struct buf *dest);
/* Buffer data for (uid, field); ignored if the decision is NO or the size
   is wrong for a fixed-size field or larger than cache_record_max_size. */
void mail_cache_add(struct mail_cache_view *view, uint32_t uid,
		    unsigned int field_idx, const void *data, size_t size);
/* Bytes of additions buffered by the view (its caller flushes past a
   bound of its own, so a FETCH of 100k messages doesn't hold them all). */
size_t mail_cache_view_pending_size(const struct mail_cache_view *view);
/* Write buffered additions (short cache lock) and link them from the index
   (one index transaction). Returns 0 or -1. */
int mail_cache_view_flush(struct mail_cache_view *view);

/* TRUE if the file is wasteful enough to be purged (mail_cache_purge_*). */
bool mail_cache_need_purge(struct mail_cache *cache);
/* Rewrite the file keeping only live messages' data of fields not NO,
   merging chains; TEMP data of mail older than a week (per saved dates seen
   by lookups: none) is kept. Takes the index log lock. Returns 0 or -1. */
int mail_cache_purge(struct mail_cache *cache);

#endif
