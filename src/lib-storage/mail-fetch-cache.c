/* Copyright (c) dovecot-like authors. mail-fetch-cache.c: ENVELOPE, BODY
   and BODYSTRUCTURE of a message from the backend's cache, or parsed from
   the message and offered to the cache. A missing BODY is derived from a
   cached BODYSTRUCTURE without reading the message (so a client asking for
   BODY also makes BODYSTRUCTURE worth caching, as in Dovecot). */
#include "lib.h"
#include "str.h"
#include "istream.h"
#include "strfuncs.h"
#include "message-header-parser.h"
#include "imap-envelope.h"
#include "imap-bodystructure.h"
#include "mail-fetch-cache.h"
#include "mail-storage-private.h"

const char *const mail_fetch_cache_field_names[] = {
	"imap.envelope", "imap.body", "imap.bodystructure",
};
static_assert(N_ELEMENTS(mail_fetch_cache_field_names) ==
	      MAIL_FETCH_CACHE_FIELD_COUNT, "field names");

#define WANT_STRUCTURE \
	(MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_BODY) | \
	 MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_BODYSTRUCTURE))

/* Skips a quoted string starting at data[*pos] == '"': its end quote must
   come before any CR, LF or NUL. */
static bool value_skip_quoted(const unsigned char *data, size_t size,
			      size_t *pos)
{
	size_t i;

	for (i = *pos + 1; i < size; i++) {
		if (data[i] == '\\' && i + 1 < size) {
			i++;
			if (data[i] != '\\' && data[i] != '"')
				return false;
		} else if (data[i] == '"') {
			*pos = i;
			return true;
		} else if (data[i] == '\r' || data[i] == '\n' || data[i] == '\0') {
			return false;
		}
	}
	return false;
}

/* Skips a literal "{n}\r\n" + n bytes starting at data[*pos] == '{'. */
static bool value_skip_literal(const unsigned char *data, size_t size,
			       size_t *pos)
{
	size_t i = *pos + 1, n = 0, digits = 0;

	for (; i < size && data[i] >= '0' && data[i] <= '9'; i++, digits++) {
		if (digits == 9)
			return false;
		n = n * 10 + (size_t)(data[i] - '0');
	}
	if (digits == 0 || size - i < 3 || data[i] != '}' ||
	    data[i + 1] != '\r' || data[i + 2] != '\n')
		return false;
	i += 3;
	/* the bytes may hold anything but NUL; the list goes on after them */
	if (n >= size - i || memchr(data + i, '\0', n) != NULL)
		return false;
	*pos = i + n - 1;
	return true;
}

/* A cached value comes from a file that a crash may have cut and that
   whoever can write the index directory can change: before it is sent it
   must be exactly one parenthesized list whose quoted strings and literals
   are well formed, so that the client's reading of the reply can't differ
   from ours (no CR, LF or NUL outside literals, nothing after the list).
   Atoms are not checked further. */
bool mail_fetch_cache_value_is_sane(const unsigned char *data, size_t size)
{
	size_t i;
	unsigned int depth = 0;

	if (size < 2 || data[0] != '(')
		return false;
	for (i = 0; i < size; i++) {
		switch (data[i]) {
		case '(':
			if (++depth > 100)
				return false;
			break;
		case ')':
			if (depth == 0 || (--depth == 0 && i != size - 1))
				return false;
			break;
		case '"':
			if (!value_skip_quoted(data, size, &i))
				return false;
			break;
		case '{':
			if (!value_skip_literal(data, size, &i))
				return false;
			break;
		case '\r':
		case '\n':
		case '\0':
			return false;
		default:
			break;
		}
	}
	return depth == 0;
}

/* The cached fields of want; returns the bits still missing. */
static unsigned int
fetch_cache_lookup(struct mailbox *box, struct mailbox_msg *msg,
		   unsigned int want, struct pool *pool,
		   struct mail_fetch_cache_result *result)
{
	unsigned int field, missing = 0;
	struct str *value;

	for (field = 0; field < MAIL_FETCH_CACHE_FIELD_COUNT; field++) {
		if ((want & MAIL_FETCH_CACHE_WANT(field)) == 0)
			continue;
		value = str_new(pool, 256);
		if (box->v->cache_lookup == NULL ||
		    box->v->cache_lookup(box, msg,
					 mail_fetch_cache_field_names[field],
					 &value->buf) <= 0) {
			missing |= MAIL_FETCH_CACHE_WANT(field);
		} else if (!mail_fetch_cache_value_is_sane(str_data(value),
							   str_len(value))) {
			log_warning("Cached %s of UID %u is damaged "
				    "(parsing the message)",
				    mail_fetch_cache_field_names[field],
				    msg->uid);
			missing |= MAIL_FETCH_CACHE_WANT(field);
		} else {
			result->values[field] = str_c(value);
		}
	}
	return missing;
}

/* BODY from the BODYSTRUCTURE we already have. FALSE if it doesn't parse
   (a damaged cache record: the message is parsed instead). */
static bool fetch_body_from_structure(struct pool *pool,
				      struct mail_fetch_cache_result *result)
{
	const char *structure =
		result->values[MAIL_FETCH_CACHE_BODYSTRUCTURE], *error;
	struct str *body = str_new(pool, strlen(structure));

	if (imap_body_parse_from_bodystructure(structure, body, &error) < 0) {
		log_warning("Cached BODYSTRUCTURE is invalid: %s "
			    "(parsing the message)", error);
		return false;
	}
	result->values[MAIL_FETCH_CACHE_BODY] = str_c(body);
	return true;
}

static void fetch_cache_offer(struct mailbox *box, struct mailbox_msg *msg,
			      unsigned int field, const char *value)
{
	if (box->v->cache_add != NULL)
		box->v->cache_add(box, msg, mail_fetch_cache_field_names[field],
				  value, strlen(value));
}

/* The header fields whose line lists an ENVELOPE parse offers to the
   cache (hdr.<name>, as mail-header-fields.c keeps them): the ones the
   envelope reads, and References (THREAD wants it with them), so a
   SEARCH, SORT or THREAD after a FETCH ENVELOPE finds them cached. */
static const char *const *fetch_envelope_cache_headers(struct pool *pool)
{
	unsigned int n = str_array_length(imap_envelope_headers);
	const char **names = pool_new(pool, const char *, n + 2);

	memcpy(names, imap_envelope_headers, sizeof(*names) * n);
	names[n] = "References";
	return names;
}

/* imap_envelope_from_stream() with every header line also given to the
   header line lists. Returns 1 when the lists saw the whole header, 0
   when the envelope's size limit cut it (the lists then aren't complete),
   -1 on a stream error (dest untouched). */
static int fetch_envelope_parse_header(struct pool *pool,
				       struct istream *input,
				       struct mail_header_lists *lists,
				       struct str *dest)
{
	struct message_header_parser_ctx *parser;
	struct message_header_line *hdr;
	struct imap_envelope *env = NULL;
	uoff_t start = input->v_offset;
	int ret = 1;

	parser = message_header_parser_init(input, NULL, 0);
	while (message_parse_header_next(parser, &hdr) > 0) {
		if (hdr->name_offset - start >= MAIL_FETCH_MAX_HEADER_SIZE) {
			ret = 0;	/* fields starting later are ignored */
			break;
		}
		imap_envelope_parse_header(pool, &env, hdr);
		mail_header_lists_add_line(lists, hdr);
	}
	if (input->stream_errno != 0)
		ret = -1;
	message_header_parser_deinit(&parser);
	if (ret >= 0)
		imap_envelope_write(env, dest);
	return ret;
}

/* The parsers take their scratch memory from the tmp pool, which is only
   cleared when the ioloop callback returns: one FETCH 1:* parsing 10,000
   uncached messages would keep the scratch of all of them (~30 MiB). Each
   parse runs in a tmp frame of its own (tmp_frame_begin()); everything
   kept is in the caller's pool. */
static int fetch_parse_envelope(struct mailbox *box, struct mailbox_msg *msg,
				struct pool *pool,
				struct mail_fetch_cache_result *result)
{
	struct istream *input;
	struct str *value = str_new(pool, 512);
	struct mail_header_lists *lists = NULL;
	struct pool *saved_tmp;
	int ret;

	if (box->v->get_stream(box, msg, &input) < 0)
		return -1;
	if (box->v->cache_add != NULL)
		lists = mail_header_lists_init(pool,
				fetch_envelope_cache_headers(pool));
	saved_tmp = tmp_frame_begin();
	if (lists == NULL) {
		ret = imap_envelope_from_stream(pool, input,
						MAIL_FETCH_MAX_HEADER_SIZE,
						value);
	} else {
		ret = fetch_envelope_parse_header(pool, input, lists, value);
	}
	tmp_frame_end(saved_tmp);
	istream_unref(&input);
	if (ret < 0) {
		log_error("Reading the header of UID %u failed", msg->uid);
		mailbox_set_internal_error(box);
		return -1;
	}
	result->values[MAIL_FETCH_CACHE_ENVELOPE] = str_c(value);
	fetch_cache_offer(box, msg, MAIL_FETCH_CACHE_ENVELOPE, str_c(value));
	if (lists != NULL && ret > 0)
		mail_header_lists_offer(lists, box, msg);
	return 0;
}

/* Parses the whole message; both structure forms are offered to the cache
   (each is kept only if clients ask for it). */
static int fetch_parse_structure(struct mailbox *box, struct mailbox_msg *msg,
				 struct pool *pool,
				 struct mail_fetch_cache_result *result)
{
	struct istream *input;
	struct str *body, *structure;
	struct pool *saved_tmp;

	if (box->v->get_stream(box, msg, &input) < 0)
		return -1;
	saved_tmp = tmp_frame_begin();
	result->parts = imap_bodystructure_parse_full(pool, input);
	tmp_frame_end(saved_tmp);
	istream_unref(&input);
	if (result->parts == NULL) {
		log_error("Reading UID %u for its BODYSTRUCTURE failed",
			  msg->uid);
		mailbox_set_internal_error(box);
		return -1;
	}
	body = str_new(pool, 256);
	structure = str_new(pool, 512);
	saved_tmp = tmp_frame_begin();
	imap_bodystructure_write(result->parts, body, false);
	imap_bodystructure_write(result->parts, structure, true);
	tmp_frame_end(saved_tmp);
	result->values[MAIL_FETCH_CACHE_BODY] = str_c(body);
	result->values[MAIL_FETCH_CACHE_BODYSTRUCTURE] = str_c(structure);
	fetch_cache_offer(box, msg, MAIL_FETCH_CACHE_BODY, str_c(body));
	fetch_cache_offer(box, msg, MAIL_FETCH_CACHE_BODYSTRUCTURE,
			  str_c(structure));
	return 0;
}

int mail_get_fetch_fields(struct mailbox *box, uint32_t seq, unsigned int want,
			  struct pool *pool,
			  struct mail_fetch_cache_result *result_r)
{
	struct mailbox_msg *msg = mailbox_msg_lookup(box, seq);
	unsigned int missing;

	memset(result_r, 0, sizeof(*result_r));
	if (msg == NULL) {
		mailbox_set_error(box, MAIL_ERROR_PARAMS,
				  "Invalid message sequence");
		return -1;
	}
	missing = fetch_cache_lookup(box, msg, want, pool, result_r);
	if ((missing & MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_BODY)) != 0 &&
	    (want & MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_BODYSTRUCTURE)) == 0)
		(void)fetch_cache_lookup(box, msg, MAIL_FETCH_CACHE_WANT(
			MAIL_FETCH_CACHE_BODYSTRUCTURE), pool, result_r);
	if ((missing & MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_BODY)) != 0 &&
	    result_r->values[MAIL_FETCH_CACHE_BODYSTRUCTURE] != NULL &&
	    fetch_body_from_structure(pool, result_r))
		missing &= ~MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_BODY);
	if ((missing & MAIL_FETCH_CACHE_WANT(MAIL_FETCH_CACHE_ENVELOPE)) != 0 &&
	    fetch_parse_envelope(box, msg, pool, result_r) < 0)
		return -1;
	if ((missing & WANT_STRUCTURE) != 0 &&
	    fetch_parse_structure(box, msg, pool, result_r) < 0)
		return -1;
	/* values the caller didn't ask for stay NULL */
	for (unsigned int field = 0; field < MAIL_FETCH_CACHE_FIELD_COUNT;
	     field++) {
		if ((want & MAIL_FETCH_CACHE_WANT(field)) == 0)
			result_r->values[field] = NULL;
	}
	return 0;
}
