/* Copyright (c) dovecot-like authors. mail-transaction-log.h: the append-only
   transaction log "<prefix>.log": on-disk records and the functions that read,
   lock, append to and rotate it. Used by the index internals, the fuzz target
   and the tests. */
#ifndef MAIL_TRANSACTION_LOG_H
#define MAIL_TRANSACTION_LOG_H

#define MAIL_TRANSACTION_LOG_MAGIC 0x4c47494cU	/* "LIGL" */
#define MAIL_TRANSACTION_LOG_MAJOR 1

struct mail_transaction_log_header {
	uint32_t magic;
	uint8_t major_version, minor_version;
	uint16_t hdr_size;		/* sizeof(this) */
	uint32_t indexid;
	uint32_t file_seq;
	uint32_t prev_file_seq;		/* 0 = this is the first log */
	uint32_t prev_file_offset;	/* where the previous log ended */
	uint32_t create_stamp;
	uint32_t unused;
	uint64_t initial_modseq;	/* mailbox modseq at this file's start */
};

enum mail_transaction_type {
	MAIL_TRANSACTION_BOUNDARY = 0x01,	/* uint32 size, uint32 0 */
	MAIL_TRANSACTION_APPEND = 0x02,		/* mail_transaction_append[] */
	MAIL_TRANSACTION_EXPUNGE = 0x03,	/* mail_transaction_uid_range[] */
	MAIL_TRANSACTION_FLAG_UPDATE = 0x04,	/* mail_transaction_flag_update[] */
	MAIL_TRANSACTION_KEYWORD_UPDATE = 0x05,	/* see struct below */
	MAIL_TRANSACTION_KEYWORD_RESET = 0x06,	/* mail_transaction_uid_range[] */
	MAIL_TRANSACTION_HEADER_UPDATE = 0x07,	/* mail_transaction_header_update[] */
	MAIL_TRANSACTION_EXT_REC_UPDATE = 0x08,	/* see struct below */
	MAIL_TRANSACTION_MODSEQ_UPDATE = 0x09,	/* mail_transaction_modseq_update[] */
	MAIL_TRANSACTION_TAIL_UPDATE = 0x0a,	/* no payload: tail = end of this
						   transaction */
	MAIL_TRANSACTION_TYPE_MASK = 0xff,
	/* change already done in the mail store (not a request) */
	MAIL_TRANSACTION_EXTERNAL = 0x1000,
	/* every EXPUNGE must carry this, else the log is corrupt */
	MAIL_TRANSACTION_EXPUNGE_PROT = 0xcd0000,
};
#define MAIL_TRANSACTION_TYPE_ALLOWED_BITS \
	(MAIL_TRANSACTION_TYPE_MASK | MAIL_TRANSACTION_EXTERNAL | \
	 MAIL_TRANSACTION_EXPUNGE_PROT)

/* Every record: this header, payload, zero padding to a multiple of 8.
   size includes the header and the padding. */
struct mail_transaction_header {
	uint32_t type;
	uint32_t size;
};

struct mail_transaction_boundary {
	uint32_t size;		/* whole transaction, boundary included */
	uint32_t unused;
};

struct mail_transaction_append {
	uint32_t uid;
	uint32_t flags;		/* low 8 bits used */
};

struct mail_transaction_uid_range {
	uint32_t uid1, uid2;
};

struct mail_transaction_flag_update {
	uint32_t uid1, uid2;
	uint8_t add_flags, remove_flags;
	uint16_t unused;
	uint32_t unused2;
};

/* KEYWORD_UPDATE payload: this, name (name_len bytes) padded to 8, then
   mail_transaction_uid_range[] up to the end of the record. */
struct mail_transaction_keyword_update {
	uint8_t modify_type;	/* 1 add, 2 remove */
	uint8_t unused;
	uint16_t name_len;
	uint32_t unused2;
};

struct mail_transaction_header_update {
	uint32_t field;		/* enum mail_index_header_field */
	uint32_t value;
};

/* EXT_REC_UPDATE payload: this, name padded to 8, data padded to 8. */
struct mail_transaction_ext_rec_update {
	uint32_t uid;
	uint16_t name_len;
	uint16_t data_len;
};

struct mail_transaction_modseq_update {
	uint32_t uid;		/* 0 = mailbox modseq only */
	uint32_t unused;
	uint64_t modseq;
};

/* One record of a validated transaction. */
struct mail_transaction_rec {
	uint32_t type;		/* full type incl. EXTERNAL */
	const unsigned char *data;	/* payload */
	uint32_t size;		/* payload size (with padding) */
};

/* n rounded up to a multiple of 8 (names and payloads in the index, log
   and cache files are padded so). */
#define MAIL_INDEX_PAD8(n) (((n) + 7) & ~(size_t)7)
/* Is name[0..len) a valid keyword, extension or cache field name: 1..max_len
   printable ASCII bytes, no spaces or controls. The one check used by the
   file parsers and the API. */
bool mail_index_name_is_valid(const void *name, size_t len, size_t max_len);

/* Validate the transaction data[0..size) (boundary first). Returns 0, or -1
   with *error_r (tmp) if any record is malformed. max_size bounds the
   transaction. */
int mail_transaction_validate(const unsigned char *data, size_t size,
			      uint32_t max_size, const char **error_r);
/* Iterate over a validated transaction: *pos starts at 0. */
bool mail_transaction_next(const unsigned char *data, size_t size,
			   size_t *pos, struct mail_transaction_rec *rec_r);
/* Does this record raise the mailbox modseq by one? (Pure function of the
   record, reference section 5.) */
bool mail_transaction_rec_counts_modseq(const struct mail_transaction_rec *rec);
/* The mailbox modseq after rec, given the one before it: one more if the
   record counts, and at least any value a MODSEQ_UPDATE carries. The one
   definition of the progression, used by the map and the history scan. */
uint64_t
mail_transaction_rec_next_modseq(const struct mail_transaction_rec *rec,
				 uint64_t modseq);
/* Parse the KEYWORD_UPDATE / EXT_REC_UPDATE payload of a validated record. */
void mail_transaction_keyword_parse(const struct mail_transaction_rec *rec,
				    uint8_t *modify_type_r,
				    const char **name_r, size_t *name_len_r,
				    const struct mail_transaction_uid_range **ranges_r,
				    unsigned int *count_r);
void mail_transaction_ext_parse(const struct mail_transaction_rec *rec,
				uint32_t *uid_r, const char **name_r,
				size_t *name_len_r, const unsigned char **data_r,
				size_t *data_len_r);
/* Validate a log file header read from disk (file_size = bytes available).
   Returns 0 or -1 with *error_r. */
int mail_transaction_log_header_validate(const struct mail_transaction_log_header *hdr,
					 size_t file_size, const char **error_r);

#endif
