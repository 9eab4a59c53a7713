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

int imap_fetch_body_open(struct mailbox *box, uint32_t seq,
			 const struct imap_fetch_body *body, struct pool *pool,
			 struct message_part **parts,
			 struct imap_fetch_body_state *state_r)
{
	struct fetch_stream_context ctx = { .box = box, .seq = seq };
	struct imap_msgpart_result result;
	uoff_t vsize;

	memset(state_r, 0, sizeof(*state_r));
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
	return 0;
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
			ostream_send(client->output, state->data, size);
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
		ostream_send(client->output, data, size);
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
