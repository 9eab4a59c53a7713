/* Copyright (c) dovecot-like authors. mail-fetch-cache.h: the FETCH items
   that need a parse of the message (ENVELOPE, BODY, BODYSTRUCTURE, header
   fields). They
   come from the backend's cache file when it has them; otherwise the
   message is parsed and the results are offered to the cache, which keeps
   a field only once clients ask for it (lib-index mail-cache.h
   decisions). A backend without a cache (no index) parses every time. */
#ifndef MAIL_FETCH_CACHE_H
#define MAIL_FETCH_CACHE_H

#include "mail-storage.h"

struct message_part;
struct message_header_line;
struct mailbox_msg;

enum mail_fetch_cache_field {
	MAIL_FETCH_CACHE_ENVELOPE,
	MAIL_FETCH_CACHE_BODY,
	MAIL_FETCH_CACHE_BODYSTRUCTURE,
	MAIL_FETCH_CACHE_FIELD_COUNT
};
#define MAIL_FETCH_CACHE_WANT(field) (1U << (field))

/* The cache file's names of the fields (the same names Dovecot uses). */
extern const char *const mail_fetch_cache_field_names[];

/* The most of a header the ENVELOPE is built from. */
#define MAIL_FETCH_MAX_HEADER_SIZE (256 * 1024)

struct mail_fetch_cache_result {
	/* the IMAP lists, without the item name; NULL = not wanted */
	const char *values[MAIL_FETCH_CACHE_FIELD_COUNT];
	/* the message's parsed MIME structure if it had to be parsed (the
	   same tree serves BODY[n] sections), else NULL */
	struct message_part *parts;
};

/* Gets the fields in want (MAIL_FETCH_CACHE_WANT() bits) of message seq,
   allocated from pool (the caller clears it per message). 0, or -1 with
   the mailbox error set (an expunged message, a read error). */
int mail_get_fetch_fields(struct mailbox *box, uint32_t seq, unsigned int want,
			  struct pool *pool,
			  struct mail_fetch_cache_result *result_r);

/* BODY[HEADER.FIELDS (names)] of message seq (mail-header-fields.c): the
   lines of the named fields in header order with CRLF line ends, then the
   empty line, cut at max_size bytes, exactly as message_header_filter()
   gives them; from the cache's "hdr.<name>" fields when all are cached,
   else from one read of the header (the fields are then offered to the
   cache). *dest_r is allocated from pool. 0, or -1 with the mailbox error
   set. */
int mail_get_header_fields(struct mailbox *box, uint32_t seq,
			   const char *const *names, size_t max_size,
			   struct pool *pool, struct buf **dest_r);

/* The first value (unfolded, as message_header_parser's FULL_VALUE gives
   it) of each of the count names in message seq's header, through
   mail_get_header_fields() (so cached once clients fetch them): values_r[i]
   / lens_r[i], NULL / 0 if the field is missing. Values longer than
   max_size in total are cut. From pool. 0, or -1 with the mailbox error
   set. */
int mail_get_first_header_values(struct mailbox *box, uint32_t seq,
				 const char *const *names, unsigned int count,
				 size_t max_size, struct pool *pool,
				 const unsigned char **values_r,
				 size_t *lens_r);

/* The cached line lists of header fields built during a header parse
   done anyway (ENVELOPE), in the format mail_get_header_fields() keeps:
   init with the field names (from pool), pass every line the parser
   (message_header_parser_init(input, NULL, 0)) returns for the whole
   header, then offer the lists to msg's cache. A list over the size
   limit is not offered. */
struct mail_header_lists;
struct mail_header_lists *
mail_header_lists_init(struct pool *pool, const char *const *names);
void mail_header_lists_add_line(struct mail_header_lists *lists,
				const struct message_header_line *hdr);
void mail_header_lists_offer(struct mail_header_lists *lists,
			     struct mailbox *box, struct mailbox_msg *msg);

/* The check every cached value passes before it is sent (tests). */
bool mail_fetch_cache_value_is_sane(const unsigned char *data, size_t size);

#endif
