/* Copyright (c) dovecot-like authors. FETCH body sections (RFC 3501 6.4.5):
   lib-imap's imap-msgpart locates the section (part numbers, HEADER, TEXT,
   MIME, header subsets, partial ranges); this file feeds it the message
   streams and sends the literal without holding the message in memory.
   HEADER.FIELDS of the message itself comes from the storage, which may
   have the fields cached (mail-fetch-cache.h). */
#include "imap-common.h"
#include "buffer.h"
#include "imap-fetch.h"
#include "imap-msgpart.h"
#include "mail-fetch-cache.h"
#include "message-part.h"
#include "message-header-filter.h"
#include "imap-binary.h"

/* Bytes per send: small enough to keep the output buffer bounded. */
#define FETCH_CHUNK_SIZE 8192

/* Buffered data of a blocking message stream, reading more if empty. NULL
   at EOF or error. */
static const unsigned char *stream_get_more(struct istream *input, size_t *size_r)
{
	const unsigned char *data;
	ssize_t ret;

	data = istream_get_data(input, size_r);
	if (*size_r > 0)
		return data;
	ret = istream_read(input);
	if (ret <= 0 && ret != -2)
		return NULL;	/* a file stream never "would block" */
	data = istream_get_data(input, size_r);
	return *size_r > 0 ? data : NULL;
}

struct fetch_stream_context {
	struct mailbox *box;
	uint32_t seq;
};

static int fetch_open_stream(void *context, struct istream **input_r)
{
	struct fetch_stream_context *ctx = context;

	return mail_get_stream(ctx->box, ctx->seq, input_r);
}

/* The whole result in a new buffer of pool. 0, or -1 if the stream
   ended early. Unrefs result->input. */
static int fetch_result_read(struct imap_msgpart_result *result,
			     struct pool *pool, struct buf **buf_r)
{
	struct buf *buf = buf_create(pool, (size_t)result->size + 1);
	const unsigned char *data;
	size_t size;
	int ret = 0;

	*buf_r = buf;
	if (result->input == NULL) {
		(void)buf_append(buf, result->data, (size_t)result->size);
		return 0;
	}
	while (buf->used < result->size) {
		data = stream_get_more(result->input, &size);
		if (data == NULL) {
			log_error("FETCH BINARY: message got too little data");
			ret = -1;
			break;
		}
		size = (size_t)MIN((uoff_t)size, result->size - buf->used);
		(void)buf_append(buf, data, size);
		istream_skip(result->input, size);
	}
	istream_unref(&result->input);
	return ret;
}

/* The text (header or body) of tmpl's part, whole, into memory. */
static int fetch_section_read(struct fetch_stream_context *ctx,
			      const struct imap_msgpart *tmpl,
			      enum imap_msgpart_text text, uoff_t vsize,
			      struct pool *pool, struct message_part **parts,
			      struct buf **buf_r)
{
	struct imap_msgpart mp = *tmpl;
	struct imap_msgpart_result result;

	mp.text = text;
	mp.fields = NULL;
	mp.partial = false;
	if (imap_msgpart_open(&mp, vsize, fetch_open_stream, ctx, pool,
			      parts, &result) < 0)
		return -1;
	return fetch_result_read(&result, pool, buf_r);
}

/* RFC 3516 4.2: BINARY[part]: the part's body with its encoding undone;
   BINARY[] is the message's header and decoded body. A multipart body
   goes as is (RFC 2045 6.4 allows it no other encoding); Dovecot
   instead decodes its children and rewrites their headers. */
static int fetch_binary_open(struct fetch_stream_context *ctx,
			     const struct imap_fetch_body *body, uoff_t vsize,
			     struct pool *pool, struct message_part **parts,
			     struct imap_fetch_body_state *state_r)
{
	const struct imap_msgpart *mp = body->msgpart;
	bool top = !imap_msgpart_needs_parts(mp);
	struct imap_msgpart_result result;
	struct message_part *part = NULL;
	enum imap_binary_cte cte;
	struct buf *hdr, *text, *decoded;

	if (fetch_section_read(ctx, mp, top ? IMAP_MSGPART_TEXT_HEADER :
			       IMAP_MSGPART_TEXT_MIME, vsize, pool, parts, &hdr) < 0 ||
	    fetch_section_read(ctx, mp, top ? IMAP_MSGPART_TEXT_TEXT :
			       IMAP_MSGPART_TEXT_ALL, vsize, pool, parts, &text) < 0)
		return -1;
	if (!top) {
		part = message_part_by_section(*parts, mp->part_number);
		if (part == NULL)
			return 0;	/* no such part: "" as for BODY[] */
	}
	cte = imap_binary_cte_parse(hdr->data, hdr->used);
	if (part != NULL && (part->flags & MESSAGE_PART_FLAG_MULTIPART) != 0)
		cte = IMAP_BINARY_CTE_IDENTITY;	/* RFC 2045 6.4 */
	if (cte == IMAP_BINARY_CTE_UNKNOWN) {
		state_r->unknown_cte = true;	/* RFC 3516 4.3 */
		return 0;
	}
	decoded = buf_create(pool, text->used + (top ? hdr->used : 0) + 1);
	if (top)
		(void)buf_append(decoded, hdr->data, hdr->used);
	imap_binary_decode(cte, text->data, text->used, decoded);
	/* like Dovecot: base64 data is announced as binary even without
	   NULs; otherwise only NULs need literal8 */
	state_r->literal8 = cte == IMAP_BINARY_CTE_BASE64 ||
		memchr(decoded->data, '\0', decoded->used) != NULL;
	if (body->binary_size) {
		state_r->size = decoded->used;	/* RFC 3516 4.2: no partial */
		return 0;
	}
	imap_msgpart_result_from_data(mp, decoded, &result);
	state_r->data = result.data;
	state_r->size = state_r->left = result.size;
	return 0;
}

int imap_fetch_body_open(struct mailbox *box, uint32_t seq,
			 const struct imap_fetch_body *body, struct pool *pool,
			 struct message_part **parts,
			 struct imap_fetch_body_state *state_r)
{
	struct fetch_stream_context ctx = { .box = box, .seq = seq };
	struct imap_msgpart_result result;
	uoff_t vsize;

	memset(state_r, 0, sizeof(*state_r));
	if (body->binary) {
		if (mail_get_virtual_size(box, seq, &vsize) < 0)
			return -1;
		return fetch_binary_open(&ctx, body, vsize, pool, parts, state_r);
	}
	if (imap_msgpart_is_top_header_fields(body->msgpart)) {
		/* the storage may have these fields cached */
		struct buf *fields;

		if (mail_get_header_fields(box, seq, body->msgpart->fields,
					   IMAP_MSGPART_MAX_HEADER_SUBSET,
					   pool, &fields) < 0)
			return -1;
		imap_msgpart_result_from_data(body->msgpart, fields, &result);
	} else {
		/* the CRLF size: mail_get_stream gives the CRLF form, and the
		   part tree imap-msgpart builds is of that form too */
		if (mail_get_virtual_size(box, seq, &vsize) < 0 ||
		    imap_msgpart_open(body->msgpart, vsize, fetch_open_stream,
				      &ctx, pool, parts, &result) < 0)
			return -1;
	}
	state_r->input = result.input;
	state_r->data = result.data;
	state_r->size = state_r->left = result.size;
	state_r->replace_nuls = true;
	return 0;
}

/* Sends data[0..size), with NULs as 0x80 if state says so. size is at
   most FETCH_CHUNK_SIZE. */
static void fetch_body_send_chunk(struct client *client,
				  const struct imap_fetch_body_state *state,
				  const unsigned char *data, size_t size)
{
	unsigned char copy[FETCH_CHUNK_SIZE];
	size_t i;

	ASSERT(size <= sizeof(copy));
	if (!state->replace_nuls || memchr(data, '\0', size) == NULL) {
		ostream_send(client->output, data, size);
		return;
	}
	for (i = 0; i < size; i++)
		copy[i] = data[i] == '\0' ? 0x80 : data[i];
	ostream_send(client->output, copy, size);
}

int imap_fetch_body_send(struct client *client,
			 struct imap_fetch_body_state *state)
{
	const unsigned char *data;
	size_t size;

	while (state->left > 0) {
		if (client_output_is_full(client))
			return 0;
		if (state->data != NULL) {
			size = (size_t)MIN(state->left, FETCH_CHUNK_SIZE);
			fetch_body_send_chunk(client, state, state->data, size);
			state->data += size;
			state->left -= size;
			continue;
		}
		data = stream_get_more(state->input, &size);
		if (data == NULL) {
			log_error("FETCH: message got too little data "
				  "(%llu bytes missing of %llu)",
				  (unsigned long long)state->left,
				  (unsigned long long)state->size);
			return -1;
		}
		size = (size_t)MIN((uoff_t)MIN(size, FETCH_CHUNK_SIZE), state->left);
		fetch_body_send_chunk(client, state, data, size);
		istream_skip(state->input, size);
		state->left -= size;
	}
	return 1;
}

void imap_fetch_body_close(struct imap_fetch_body_state *state)
{
	istream_unref(&state->input);
	state->data = NULL;
}
