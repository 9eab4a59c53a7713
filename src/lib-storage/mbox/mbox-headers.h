/* Copyright (c) dovecot-like authors. mbox-headers.h: the metadata headers
   Dovecot (and c-client) keep in each mbox message: Status, X-Status,
   X-Keywords, X-UID, X-IMAPbase/X-IMAP and Content-Length. Parsing them, and
   writing them in Dovecot's exact form and order. */
#ifndef MBOX_HEADERS_H
#define MBOX_HEADERS_H

#include "mail-storage.h"

struct str;
struct buf;
struct pool;

/* Spaces Dovecot reserves at the end of X-Keywords (including the room for
   the Content-Length line written into them), reference 3. */
#define MBOX_HEADER_PADDING 90

enum mbox_header_type {
	MBOX_HDR_OTHER = 0,
	MBOX_HDR_STATUS,
	MBOX_HDR_X_STATUS,
	MBOX_HDR_X_KEYWORDS,
	MBOX_HDR_X_UID,
	MBOX_HDR_X_IMAPBASE,
	MBOX_HDR_X_IMAP,
	MBOX_HDR_CONTENT_LENGTH,
};

/* One header field as found by mbox_header_next(). */
struct mbox_header_field {
	size_t start, end;	/* the whole field incl. continuation lines */
	const unsigned char *name, *value;	/* value: after ':' and spaces */
	size_t name_len, value_len;	/* value without the final line end */
	enum mbox_header_type type;
};

/* What the metadata headers of one message say. */
struct mbox_header_info {
	enum mail_flags flags;	/* from Status / X-Status */
	bool status_old;	/* Status has 'O': not \Recent */
	bool have_uid, have_imapbase, have_ximap, have_content_length;
	uint32_t uid;
	uint32_t uidvalidity, last_uid;	/* X-IMAPbase / X-IMAP */
	uoff_t content_length;
	const char *keywords;	/* X-Keywords value, trimmed; NULL = none */
	const char *base_keywords;	/* keywords after X-IMAPbase's numbers */
};

/* Iterates the fields of the header at data[0..len) from *pos. Returns
   false at the empty line that ends the header or at len. A line without a
   colon is returned as a field of type OTHER with name_len 0. */
bool mbox_header_next(const unsigned char *data, size_t len, size_t *pos,
		      struct mbox_header_field *field_r);

/* Parses the metadata headers of a header block data[0..len). first_msg:
   X-IMAPbase/X-IMAP count only there, and an X-UID before them is ignored
   (reference 4). Strings in pool. */
void mbox_headers_parse(const unsigned char *data, size_t len, bool first_msg,
			struct pool *pool, struct mbox_header_info *info_r);

/* Appends data[0..len) without our metadata headers and without the empty
   line that ends the header. Binary-safe (NULs are kept). */
void mbox_headers_filter(const unsigned char *data, size_t len,
			 struct buf *dest);

/* What to write with mbox_headers_write(). */
struct mbox_header_write {
	bool imapbase;	/* first message: write X-IMAPbase */
	uint32_t uidvalidity, last_uid;
	const char *base_keywords;	/* may be NULL */
	uint32_t uid;
	enum mail_flags flags;
	bool status_old;
	const char *keywords;	/* may be NULL */
	bool have_content_length;
	uoff_t content_length;
	unsigned int padding;	/* spaces after X-Keywords' value */
	bool crlf;
};

/* Keyword names found in the file longer than this aren't used as
   keywords (but stay in the file untouched). */
#define MBOX_KEYWORD_MAX_LEN 255
/* The next space/TAB/CR/LF-separated word of list from *pos; false at the
   end. */
bool mbox_keywords_next(const char *list, size_t *pos, const char **word_r,
			size_t *len_r);
/* Whether a word found in X-Keywords/X-IMAPbase can be a keyword: an IMAP
   atom without '\\', 1..MBOX_KEYWORD_MAX_LEN bytes. */
bool mbox_keyword_name_ok(const char *word, size_t len);

/* Appends our headers in Dovecot's order: X-IMAPbase, X-UID, Status,
   X-Status (only if needed), X-Keywords (+ padding), Content-Length. */
void mbox_headers_write(struct str *dest, const struct mbox_header_write *w);
/* The padding Dovecot leaves when it writes a new message: 90 spaces minus
   the Content-Length line written into them. */
unsigned int mbox_headers_default_padding(const struct mbox_header_write *w);

#endif
