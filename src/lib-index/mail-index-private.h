/* Copyright (c) dovecot-like authors. mail-index-private.h: internals shared by
   the lib-index modules: the in-memory map, the open log file, views and
   transactions. */
#ifndef MAIL_INDEX_PRIVATE_H
#define MAIL_INDEX_PRIVATE_H

#include "mail-index.h"
#include "mail-index-view.h"
#include "mail-index-transaction.h"
#include "mail-transaction-log.h"
#include "buffer.h"

#include <sys/stat.h>

#define MAIL_INDEX_MAGIC 0x58444e49U	/* "INDX" */
#define MAIL_INDEX_MAJOR_VERSION 1
/* 1: the word-wise snapshot checksum (0, byte-wise FNV-1a, is still read) */
#define MAIL_INDEX_MINOR_VERSION 1
#define MAIL_INDEX_MAX_HEADER_SIZE (1024 * 1024)
#define MAIL_INDEX_MAX_RECORD_SIZE \
	(MAIL_INDEX_RECORD_BASE_SIZE + MAIL_INDEX_MAX_EXTS * MAIL_INDEX_MAX_EXT_RECORD_SIZE)
/* larger snapshot files are refused (bounds the read) */
#define MAIL_INDEX_MAX_FILE_SIZE (1024U * 1024 * 1024)

/* On-disk/in-memory record: this, then the extension area. */
struct mail_index_record {
	uint32_t uid;
	uint8_t flags;
	uint8_t unused[3];
	uint64_t modseq;
	uint8_t keywords[MAIL_INDEX_KEYWORD_BYTES];
};
#define MAIL_INDEX_RECORD_BASE_SIZE sizeof(struct mail_index_record)

/* On-disk extension definition in the header: this + name padded to 8. */
struct mail_index_ext_def {
	uint16_t name_len;
	uint16_t record_size;
	uint32_t record_offset;
};

struct mail_index_ext {
	char *name;
	uint32_t record_size;
	uint32_t record_offset;	/* within the record */
};

/* The state: snapshot + every applied log record. */
struct mail_index_map {
	struct pool *pool;	/* names */
	struct mail_index_header hdr;
	struct buf *recs;	/* hdr.messages_count * hdr.record_size */
	ARRAY(char *) keywords;
	ARRAY(struct mail_index_ext) exts;
	/* raised whenever records may have changed (every applied
	   transaction, every reload): views skip syncing while it is the
	   same as when they last looked */
	uint64_t generation;
};

/* The open log file and our read position in it. */
struct mail_transaction_log_file {
	int fd;
	dev_t dev;
	ino_t ino;
	struct mail_transaction_log_header hdr;
	uint32_t offset;	/* next unread byte */
};

struct mail_index_registered_ext {
	char *name;
	uint32_t record_size;
};

struct mail_index {
	struct pool *pool;
	char *dir, *prefix, *path, *log_path, *log2_path;
	struct mail_index_settings set;
	char *error;

	struct mail_index_map *map;
	struct mail_transaction_log_file log;
	unsigned int lock_count;
	bool open_failed;	/* closing from a failed open: no snapshot */
	uint32_t indexid;
	uint32_t last_snapshot_log_bytes;	/* head offset of last snapshot */
	uint32_t last_snapshot_seq;

	ARRAY(struct mail_index_registered_ext) reg_exts;
	unsigned int views_count, transactions_count;
	bool fscked;
	bool reloading;
	/* test hook: write only the first half of the next transaction and
	   _exit(0) (crash simulation) */
	bool test_crash_mid_write;
};

struct mail_index_view {
	struct mail_index *index;
	struct mail_index_header hdr;
	ARRAY(struct mail_index_message) msgs;
	uint64_t map_generation;	/* map->generation of msgs */
};

struct mail_index_append_rec {
	uint32_t uid;
	uint8_t flags;
	unsigned int kw_start, kw_count;	/* in kw_names */
	unsigned int ext_start, ext_count;	/* in ext_appends */
};

struct mail_index_transaction {
	struct mail_index *index;
	struct pool *pool;
	enum mail_index_transaction_flags flags;
	ARRAY(struct mail_index_append_rec) appends;
	ARRAY(char *) kw_names;
	struct buf *append_exts;	/* serialized EXT records, uid 0 */
	ARRAY(unsigned int) append_ext_owner;	/* append idx per ext rec */
	ARRAY(uint32_t) append_ext_offsets;
	struct buf *changes;		/* serialized records in call order */
	bool sync_tail;			/* add TAIL_UPDATE (sync commit) */
};

/* mail-index.c */
void mail_index_set_error(struct mail_index *index, const char *fmt, ...)
	ATTR_FORMAT(2, 3);
bool mail_index_fsync_enabled(struct mail_index *index, bool log_append);

/* mail-index-map.c */
struct mail_index_map *mail_index_map_create(uint32_t indexid);
void mail_index_map_free(struct mail_index_map **map);
struct mail_index_map *mail_index_map_clone(const struct mail_index_map *map);
struct mail_index_record *
mail_index_map_lookup_uid(struct mail_index_map *map, uint32_t uid,
			  uint32_t *idx_r);
struct mail_index_record *mail_index_map_rec(struct mail_index_map *map,
					     uint32_t idx);
int mail_index_map_keyword_idx(struct mail_index_map *map, const char *name,
			       size_t len, bool add);
int mail_index_map_ext_idx(struct mail_index_map *map, const char *name,
			   size_t name_len, uint32_t record_size, bool add);
/* Apply one validated transaction that ends at log offset end_offset. */
void mail_index_map_apply(struct mail_index_map *map, const unsigned char *data,
			  size_t size, uint32_t end_offset);
void mail_index_map_update_lowwaters(struct mail_index_map *map);
/* Replay a log file image (header + transactions, data 8-byte aligned) onto
   map as a reader does: stop at the first incomplete or invalid
   transaction. Returns the offset where it stopped (0: bad header). Used by
   the fuzz target and tests. */
uint32_t mail_index_map_replay_log(struct mail_index_map *map,
				   const unsigned char *data, size_t size,
				   uint32_t max_transaction_size);

/* mail-index-file.c */
/* Parse a snapshot file image. Returns 0, or -1 with *error_r. */
int mail_index_file_parse(const unsigned char *data, size_t size,
			  struct mail_index_map **map_r, const char **error_r);
/* Read and parse path. Returns 1, 0 if missing, -1 if corrupt/unreadable. */
int mail_index_file_read(const char *path, struct mail_index_map **map_r,
			 const char **error_r);
/* Serialize map into buf. */
void mail_index_file_serialize(struct mail_index_map *map, struct buf *buf);
/* Write path via tmp + fsync + rename. Returns 0 or -1. */
int mail_index_file_write(struct mail_index *index, struct mail_index_map *map);
uint32_t mail_index_checksum(const unsigned char *data, size_t size);

/* mail-transaction-log.c */
/* Open the log and position the map in it (replaying .log.2 if needed),
   recreating it when missing or mismatched. Returns 0, 1 if the files
   changed meanwhile (reload the snapshot and retry), -1 on error. */
int mail_transaction_log_open_or_create(struct mail_index *index,
					bool have_snapshot);
/* Create a new log file (seq = map seq + 1, no previous log) replacing
   expect (NULL: none), switch the map to it and write the snapshot (with
   MAIL_INDEX_HDR_FLAG_FSCKD if index->fscked). keep_locked: return 0 with
   the lock held (lock_count 1) even if it wasn't. Returns 0, 1 retry
   (somebody else created it), -1. */
int mail_transaction_log_recreate(struct mail_index *index,
				  const struct stat *expect, bool keep_locked);
/* mail-index.c: reread the snapshot and log from disk. */
int mail_index_reload(struct mail_index *index);
void mail_transaction_log_close(struct mail_index *index);
/* Read and apply everything after the map's position. locked: we hold the
   lock, so an incomplete/bad tail is truncated away. Returns 0 or -1. */
int mail_transaction_log_sync_map(struct mail_index *index, bool locked);
int mail_transaction_log_fd_lock(int fd, bool lock, unsigned int timeout_secs);
int mail_transaction_log_create_file(struct mail_index *index, uint32_t file_seq,
				     uint32_t prev_seq, uint32_t prev_offset,
				     uint64_t initial_modseq, bool keep_locked,
				     const struct stat *expect);
/* Take the exclusive log lock (nests), following rotations, and bring the
   map to the end of the log (cutting off a torn tail). Returns 0 or -1. */
int mail_transaction_log_lock(struct mail_index *index);
void mail_transaction_log_unlock(struct mail_index *index);
/* Append data under the lock. Returns 0 or -1 (nothing appended). */
int mail_transaction_log_append(struct mail_index *index,
				const unsigned char *data, size_t size,
				uint32_t *offset_r);
/* Under the lock: rotate if due. Returns 0 or -1. */
int mail_transaction_log_rotate_if_needed(struct mail_index *index);
int mail_transaction_log_rotate(struct mail_index *index);
/* Read transaction at offset of the current file into buf. Returns 1 ok,
   0 clean EOF, -2 incomplete (torn or being written), -1 corrupt. */
int mail_transaction_log_read_at(struct mail_index *index, uint32_t offset,
				 struct buf *buf, const char **error_r);
/* The same for any log fd. */
int mail_transaction_log_read_fd(int fd, uint32_t offset, uint32_t max_size,
				 struct buf *buf, const char **error_r);
/* Open and validate a log file (fd in file->fd). Returns 0 or -1. */
int mail_transaction_log_open_file(const char *path,
				   struct mail_transaction_log_file *file,
				   const char **error_r);

/* mail-index-transaction-export.c */
/* Serialize t into buf (BOUNDARY first) with UIDs assigned from next_uid.
   Returns 0, or -1 with an error set on the index. */
int mail_index_transaction_export(struct mail_index_transaction *t,
				  uint32_t next_uid, struct buf *buf,
				  uint32_t *first_uid_r, uint32_t *last_uid_r);

/* Appends one log record {type, size} + payload, padded to 8 bytes. */
void mail_transaction_rec_append(struct buf *buf, uint32_t type,
				  const void *payload, size_t size);

#endif
