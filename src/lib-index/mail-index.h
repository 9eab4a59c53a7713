/* Copyright (c) dovecot-like authors. mail-index.h: the per-mailbox index
   (snapshot file + transaction log + cache), opened by every process that
   touches the mailbox. See doc/index-files.md for the on-disk format and
   /work/shared/reference/index-files.md for the behaviour we follow.

   Errors: functions returning int give 0 (or 1/0) on success and -1 on error;
   mail_index_get_error() then returns the reason (already logged). Nothing in
   this library blocks for longer than lock_timeout_secs. */
#ifndef MAIL_INDEX_H
#define MAIL_INDEX_H

#include "array.h"

/* Flags byte of a message. The low five bits are the IMAP system flags and
   have the same values as enum mail_flags of lib-storage. */
enum mail_index_mail_flags {
	MAIL_INDEX_MAIL_FLAG_ANSWERED = 0x01,
	MAIL_INDEX_MAIL_FLAG_FLAGGED = 0x02,
	MAIL_INDEX_MAIL_FLAG_DELETED = 0x04,
	MAIL_INDEX_MAIL_FLAG_SEEN = 0x08,
	MAIL_INDEX_MAIL_FLAG_DRAFT = 0x10,
	/* private to the backend (e.g. "maildir file name needs a check") */
	MAIL_INDEX_MAIL_FLAG_BACKEND = 0x40,
	/* flag change not yet written to the mail store */
	MAIL_INDEX_MAIL_FLAG_DIRTY = 0x80,
};
#define MAIL_INDEX_FLAGS_MASK 0x1f
/* Changes to these bits alone do not raise the modseq. */
#define MAIL_INDEX_FLAGS_HIDDEN_MASK \
	(MAIL_INDEX_MAIL_FLAG_BACKEND | MAIL_INDEX_MAIL_FLAG_DIRTY)

/* Keywords are a bitmask in the record; the list of names is append-only. */
#define MAIL_INDEX_MAX_KEYWORDS 128
#define MAIL_INDEX_KEYWORD_BYTES (MAIL_INDEX_MAX_KEYWORDS / 8)
#define MAIL_INDEX_MAX_KEYWORD_LEN 200
/* Extensions: named per-record data areas (mbox offset+md5, sizes, ...). */
#define MAIL_INDEX_MAX_EXTS 32
#define MAIL_INDEX_MAX_EXT_NAME_LEN 64
#define MAIL_INDEX_MAX_EXT_RECORD_SIZE 256

enum mail_index_fsync_mode {
	MAIL_INDEX_FSYNC_OPTIMIZED = 0,	/* fsync snapshots and new logs */
	MAIL_INDEX_FSYNC_ALWAYS,	/* also every log append */
	MAIL_INDEX_FSYNC_NEVER,
};

/* Settings (names from dovecot's config in the comments). */
struct mail_index_settings {
	enum mail_index_fsync_mode fsync_mode;		/* mail_fsync */
	unsigned int lock_timeout_secs;			/* lock wait bound */
	uint32_t rewrite_min_log_bytes;	/* mail_index_rewrite_min_log_bytes */
	uint32_t rewrite_max_log_bytes;	/* mail_index_rewrite_max_log_bytes */
	uint32_t log_rotate_min_size;	/* mail_index_log_rotate_min_size */
	uint32_t log_rotate_max_size;	/* mail_index_log_rotate_max_size */
	unsigned int log_rotate_min_age_secs; /* ..._log_rotate_min_age */
	unsigned int log2_max_age_secs;	/* mail_index_log2_max_age */
	/* mail_cache_* */
	uint32_t cache_purge_min_size;
	unsigned int cache_purge_delete_percentage;
	unsigned int cache_purge_continued_percentage;
	unsigned int cache_purge_header_continue_count;
	uint32_t cache_record_max_size;
	uint32_t cache_max_size;
	unsigned int cache_unaccessed_field_drop_secs;
	/* largest transaction accepted from the log (bounds reads) */
	uint32_t max_transaction_size;
};

/* In-memory view of the snapshot header (also what the file stores). */
struct mail_index_header {
	uint32_t magic;
	uint8_t major_version, minor_version;
	uint16_t unused0;
	uint64_t highest_modseq;	/* mailbox modseq at log head */
	uint32_t base_header_size;
	uint32_t header_size;		/* base + keywords + ext defs */
	uint32_t record_size;
	uint32_t indexid;
	uint32_t flags;			/* MAIL_INDEX_HDR_FLAG_* */
	uint32_t uid_validity;
	uint32_t next_uid;
	uint32_t messages_count;
	uint32_t seen_messages_count;
	uint32_t deleted_messages_count;
	uint32_t first_recent_uid;
	uint32_t first_unseen_uid_lowwater;
	uint32_t first_deleted_uid_lowwater;
	uint32_t log_file_seq;
	uint32_t log_file_head_offset;
	uint32_t log_file_tail_offset;
	uint32_t log2_rotate_time;
	uint32_t keywords_count;
	uint32_t ext_count;
	uint32_t checksum;		/* FNV-1a of the file, this field 0 */
	uint32_t unused1;
};

enum mail_index_header_flags {
	/* The index was rebuilt from partial data: the backend must resync
	   everything (set when snapshot and log did not fit together). */
	MAIL_INDEX_HDR_FLAG_FSCKD = 0x01,
	MAIL_INDEX_HDR_FLAG_HAVE_DIRTY = 0x02,
};

/* Fields settable with mail_index_update_header(). */
enum mail_index_header_field {
	MAIL_INDEX_HEADER_UID_VALIDITY = 1,
	MAIL_INDEX_HEADER_NEXT_UID,	/* may only grow */
	MAIL_INDEX_HEADER_FIRST_RECENT_UID,
	MAIL_INDEX_HEADER_FLAGS,
};

enum mail_index_open_flags {
	MAIL_INDEX_OPEN_FLAG_CREATE = 0x01,	/* create missing files */
};

/* One message as a view sees it. */
struct mail_index_message {
	uint32_t uid;
	uint8_t flags;
	uint64_t modseq;
	uint8_t keywords[MAIL_INDEX_KEYWORD_BYTES];	/* bit n = keyword n */
};

struct mail_index;
struct mail_index_view;
struct mail_index_transaction;

/* Defaults as in Dovecot 2.3 (see the reference, section 7). */
void mail_index_settings_init_defaults(struct mail_index_settings *set_r);

/* Open the index "<dir>/<prefix>" (e.g. prefix "dovecot.index"; the log is
   "<prefix>.log", the cache "<prefix>.cache"). Missing, corrupt or mismatched
   files are recreated (CREATE flag needed when nothing exists yet). A
   corrupt snapshot is rebuilt from the log; if that is impossible the index
   starts empty with MAIL_INDEX_HDR_FLAG_FSCKD set. Returns 0 or -1 with
   *error_r (tmp string). May wait for the log lock. */
int mail_index_open(const char *dir, const char *prefix,
		    const struct mail_index_settings *set,
		    enum mail_index_open_flags flags,
		    struct mail_index **index_r, const char **error_r);
/* Close the index; views and transactions must be gone. *index = NULL. */
void mail_index_close(struct mail_index **index);
/* Reason of the last error, valid until the next call. */
const char *mail_index_get_error(struct mail_index *index);
/* Read new committed transactions from the log (no locking).
   Returns 0 or -1. */
int mail_index_refresh(struct mail_index *index);
/* The current map's header (after the last refresh). Counts are exact. */
const struct mail_index_header *mail_index_get_header(struct mail_index *index);
/* Keyword names by index (bit number); *count_r names. Valid until the
   next refresh. */
const char *const *mail_index_get_keywords(struct mail_index *index,
					   unsigned int *count_r);
/* Bit number of keyword, or -1 if the mailbox has no such keyword yet. */
int mail_index_keyword_lookup(struct mail_index *index, const char *name);
/* TRUE if the last open/refresh had to rebuild (FSCKD or corruption). */
bool mail_index_is_fscked(struct mail_index *index);
/* Write a new snapshot now (under the log lock). Returns 0 or -1. */
int mail_index_write_snapshot(struct mail_index *index);

/* Register a per-record extension (name <= MAIL_INDEX_MAX_EXT_NAME_LEN,
   record_size 1..MAIL_INDEX_MAX_EXT_RECORD_SIZE). Returns its id for
   mail_index_update_ext()/mail_index_lookup_ext(); registering the same
   name again returns the same id. Panics on bad arguments (a bug). */
uint32_t mail_index_ext_register(struct mail_index *index, const char *name,
				 uint32_t record_size);

/* Look up extension data of uid in the current map. Returns 1 and a pointer
   (valid until the next refresh) to the ext's record_size bytes (all zero if
   never written), or 0 if the current map has no such message. */
int mail_index_lookup_ext(struct mail_index *index, uint32_t uid,
			  uint32_t ext_id, const void **data_r);

#endif
