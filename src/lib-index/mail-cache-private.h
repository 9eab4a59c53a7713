/* Copyright (c) dovecot-like authors. mail-cache-private.h: on-disk layout
   and internals of the cache file (see doc/index-files.md). */
#ifndef MAIL_CACHE_PRIVATE_H
#define MAIL_CACHE_PRIVATE_H

#include "mail-cache.h"
#include "mail-index-private.h"
#include "hash.h"

#define MAIL_CACHE_MAGIC 0x48434d43U	/* "CMCH" */
#define MAIL_CACHE_MAJOR 1
#define MAIL_CACHE_MAX_FIELD_BLOCKS 64
#define MAIL_CACHE_OLD_MAIL_SECS (7 * 24 * 3600)

struct mail_cache_header {
	uint32_t magic;
	uint8_t major_version, minor_version;
	uint16_t unused;
	uint32_t indexid;
	uint32_t file_seq;	/* = "cache" ext file_seq in index records */
	uint32_t record_count;
	uint32_t continued_record_count;
	uint32_t field_header_offset;	/* first field block, 0 = none */
	uint32_t field_block_count;
};

/* A block of field definitions; blocks are chained by next_offset, which is
   written last with one aligned 4-byte pwrite (a reader sees 0 or the
   complete link). */
struct mail_cache_field_block {
	uint32_t next_offset;
	uint32_t size;		/* whole block */
	uint32_t fields_count;
	uint32_t unused;
};

/* followed by the name, padded to 8 */
struct mail_cache_field_def {
	uint8_t type;
	uint8_t decision;
	uint16_t name_len;
	uint32_t field_size;
	uint32_t last_used;
	uint32_t unused;
};

/* followed by items: mail_cache_item + data padded to 8 */
struct mail_cache_record {
	uint32_t prev_offset;	/* older record of the same message, 0 = none */
	uint32_t size;		/* whole record */
};

struct mail_cache_item {
	uint32_t file_field;	/* index in the file's field list */
	uint32_t data_len;
};

/* value of the "cache" index extension */
struct mail_cache_ext_rec {
	uint32_t file_seq;
	uint32_t offset;
};

struct mail_cache_field_priv {
	struct mail_cache_field field;	/* name in cache->pool */
	int file_idx;			/* -1 = not in the file yet */
	uint32_t def_offset;		/* where the def is in the file */
	bool decision_dirty;		/* changed: write at flush */
};

#define MAIL_CACHE_READ_WINDOWS 4

/* The file's bytes [offset, offset + buf->used). */
struct mail_cache_window {
	struct buf *buf;	/* NULL until first used */
	uint64_t offset;
};

struct mail_cache {
	struct mail_index *index;
	struct pool *pool;
	char *path;
	int fd;			/* -1 = no file */
	dev_t dev;
	ino_t ino;
	struct mail_cache_header hdr;
	uint32_t ext_id;
	uint32_t last_block_offset;	/* where to link the next block */
	/* size at the last reopen/append (others may have appended since:
	   refreshed with fstat when an offset points past it) */
	uint64_t file_size;
	/* windows of the file that record reads are served from: records
	   are only ever appended (never rewritten or truncated), so bytes
	   once read stay valid until the file is closed. Several, because a
	   message's chain may have records in several parts of the file
	   (one per command that added fields). */
	struct mail_cache_window windows[MAIL_CACHE_READ_WINDOWS];
	unsigned int next_window;	/* the one to replace next */
	/* the last uid's ext record lookup (its fields are usually looked
	   up one after the other: SORT, THREAD), valid while the index map
	   and its generation are the same */
	struct {
		const struct mail_index_map *map;
		uint64_t generation;
		uint32_t uid;
		bool found;
		struct mail_cache_ext_rec rec;
	} last_ext;
	ARRAY(struct mail_cache_field_priv) fields;
	/* field name (case-insensitive) -> registered idx + 1 (a lookup
	   names its field every time) */
	struct hash_table *field_names;
	ARRAY(int) file_to_field;	/* file field idx -> registered idx */
	/* the last reopen found a file of another index generation (left
	   alone: it may be a newer index's; see cache_create_if_missing) */
	bool foreign_indexid;
};

struct mail_cache_pending {
	uint32_t uid;
	unsigned int field;
	uint32_t data_offset, data_len;	/* in view->pending_data */
};

struct mail_cache_uid_range {
	uint32_t min, max;
};

struct mail_cache_view {
	struct mail_cache *cache;
	struct mail_index_view *view;
	ARRAY(struct mail_cache_pending) pending;
	struct buf *pending_data;
	ARRAY(uint32_t) last_uid;	/* per field: last looked-up uid */
	/* per field: the lowest and highest uid with a pending addition
	   (min > max: none), so a lookup knows when pending data may be
	   the answer */
	ARRAY(struct mail_cache_uid_range) pending_uids;
};

/* mail-cache.c */
/* (Re)open the file if it changed; validate the header and field list.
   Returns 1 open, 0 no usable file (dropped). */
int mail_cache_reopen(struct mail_cache *cache);
/* Drop a corrupt file: log, unlink, forget. */
void mail_cache_set_corrupted(struct mail_cache *cache, const char *reason);
/* Read the field blocks. Returns 0 or -1 (corrupt). */
int mail_cache_read_fields(struct mail_cache *cache, uint64_t file_size);
/* Re-read the header and the field list of the open file (others may have
   added fields). 0, or -1 with the file dropped as corrupt. */
int mail_cache_refresh_fields(struct mail_cache *cache);
int mail_cache_register_one(struct mail_cache *cache,
			    const struct mail_cache_field *field, bool from_file);
/* Update the field's decision for an access to uid (reference 6.3). */
void mail_cache_decision_state_update(struct mail_cache_view *view,
				      uint32_t uid, unsigned int field_idx,
				      time_t saved_date);
/* mail-cache-add.c */
/* Forget the view's pending additions. */
void mail_cache_view_pending_clear(struct mail_cache_view *view);
/* mail-cache-lookup.c */
bool mail_cache_get_ext(struct mail_cache *cache, uint32_t uid,
			uint32_t *offset_r);
int mail_cache_chain_find(struct mail_cache *cache, uint32_t offset,
			  uint32_t file_field, bool bitmask, struct buf *dest);
/* Called for every item of a chain, newest first; return false to stop. */
typedef bool mail_cache_item_callback_t(uint32_t file_field,
					const unsigned char *data,
					uint32_t data_len, void *context);
/* Walk the record chain starting at offset (one pread per record up to
   4 KiB). Returns 0, or -1 if the chain is corrupt (file dropped). */
int mail_cache_chain_walk(struct mail_cache *cache, uint32_t offset,
			  mail_cache_item_callback_t *callback, void *context);
/* A file_seq newer than the current file and every index link. */
uint32_t mail_cache_new_file_seq(struct mail_cache *cache);
/* Create an empty file (header only) with a new file_seq under the given
   path, returns fd or -1. */
int mail_cache_create_file(struct mail_cache *cache, const char *path,
			   uint32_t file_seq);

/* Appends field's on-disk definition (struct mail_cache_field_def + name,
   padded to 8 bytes). */
void mail_cache_field_def_append(struct buf *buf,
				 const struct mail_cache_field *field);

#endif
