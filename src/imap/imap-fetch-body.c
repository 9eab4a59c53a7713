/* Copyright (c) dovecot-like authors. FETCH body sections (RFC 3501 6.4.5):
   locating HEADER/TEXT in the message stream, header subsets, partial
   ranges, and streaming the literal without holding the message in memory. */
#include "imap-common.h"
#include "buffer.h"
#include "imap-fetch.h"

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

/* Skip count bytes. 0, or -1 if the stream ended first. */
static int stream_skip(struct istream *input, uoff_t count)
{
	size_t size;

	while (count > 0) {
		if (stream_get_more(input, &size) == NULL)
			return -1;
		if (size > count)
			size = (size_t)count;
		istream_skip(input, size);
		count -= size;
	}
	return 0;
}

/* The header's size including the blank line that ends it (RFC 5322 2.1);
   the whole message if it has none. Consumes the header; if dest != NULL,
   up to max_size bytes of it are copied there. */
static uoff_t stream_read_header(struct istream *input, struct buf *dest,
				 size_t max_size)
{
	/* 0 = at a line start, 1 = CR at a line start, 2 = inside a line */
	const unsigned char *data;
	unsigned int state = 0;
	uoff_t hdr_size = 0;
	bool done = false;
	size_t size, i;

	while (!done && (data = stream_get_more(input, &size)) != NULL) {
		for (i = 0; i < size && !done; i++) {
			if (data[i] == '\n') {
				if (state != 2)
					done = true;
				state = 0;
			} else if (data[i] == '\r') {
				state = state == 0 ? 1 : 2;
			} else {
				state = 2;
			}
		}
		if (dest != NULL && dest->used < max_size)
			(void)buf_append(dest, data, MIN(i, max_size - dest->used));
		istream_skip(input, i);
		hdr_size += i;
	}
	return hdr_size;
}

int imap_fetch_read_header(struct mailbox *box, uint32_t seq, size_t max_size,
			   struct buf *dest)
{
	struct istream *input;

	if (mail_get_stream(box, seq, &input) < 0)
		return -1;
	(void)stream_read_header(input, dest, max_size);
	istream_unref(&input);
	return 0;
}

static bool header_field_matches(const unsigned char *name, size_t len,
				 const char *const *fields)
{
	for (; *fields != NULL; fields++) {
		if (strlen(*fields) == len && strncasecmp(*fields, (const char *)name,
							  len) == 0)
			return true;
	}
	return false;
}

/* RFC 3501 6.4.5 HEADER.FIELDS[.NOT]: whole fields (with continuation
   lines) whose name is (not) listed, then the blank line. */
static void header_filter(const struct buf *hdr, const char *const *fields,
			  bool not, struct buf *dest)
{
	const unsigned char *p = hdr->data, *end = hdr->data + hdr->used;
	const unsigned char *field, *colon, *name_end;
	bool match;

	while (p < end) {
		if (*p == '\r' || *p == '\n')
			break;	/* the blank line */
		field = p;
		/* a field runs until a line that doesn't start with WSP */
		do {
			const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl == NULL ? end : nl + 1;
		} while (p < end && (*p == ' ' || *p == '\t'));
		colon = memchr(field, ':', (size_t)(p - field));
		if (colon == NULL)
			continue;	/* broken line: not a field */
		name_end = colon;
		while (name_end > field && (name_end[-1] == ' ' || name_end[-1] == '\t'))
			name_end--;
		match = header_field_matches(field, (size_t)(name_end - field), fields);
		if (match != not)
			(void)buf_append(dest, field, (size_t)(p - field));
	}
	(void)buf_append(dest, "\r\n", 2);
}

static int fetch_body_open_header_fields(struct mailbox *box, uint32_t seq,
					 const struct imap_fetch_body *body,
					 struct pool *pool, struct buf **data_r)
{
	struct buf *hdr, *dest;

	hdr = buf_create(pool, 4096);
	if (imap_fetch_read_header(box, seq, IMAP_FETCH_MAX_HEADER_SIZE, hdr) < 0)
		return -1;
	dest = buf_create(pool, 1024);
	header_filter(hdr, body->fields,
		      body->section == IMAP_FETCH_SECTION_HEADER_FIELDS_NOT, dest);
	*data_r = dest;
	return 0;
}

int imap_fetch_body_open(struct mailbox *box, uint32_t seq,
			 const struct imap_fetch_body *body, struct pool *pool,
			 struct imap_fetch_body_state *state_r)
{
	struct istream *input = NULL;
	struct buf *mem = NULL;
	uoff_t vsize, hdr_size = 0, section_offset = 0, section_size, start;

	memset(state_r, 0, sizeof(*state_r));
	switch (body->section) {
	case IMAP_FETCH_SECTION_ALL:
		if (mail_get_virtual_size(box, seq, &section_size) < 0)
			return -1;
		break;
	case IMAP_FETCH_SECTION_HEADER:
	case IMAP_FETCH_SECTION_TEXT:
		if (mail_get_virtual_size(box, seq, &vsize) < 0 ||
		    mail_get_stream(box, seq, &input) < 0)
			return -1;
		hdr_size = stream_read_header(input, NULL, 0);
		istream_unref(&input);
		if (hdr_size > vsize)
			hdr_size = vsize;
		if (body->section == IMAP_FETCH_SECTION_HEADER) {
			section_size = hdr_size;
		} else {
			section_offset = hdr_size;
			section_size = vsize - hdr_size;
		}
		break;
	case IMAP_FETCH_SECTION_HEADER_FIELDS:
	case IMAP_FETCH_SECTION_HEADER_FIELDS_NOT:
		if (fetch_body_open_header_fields(box, seq, body, pool, &mem) < 0)
			return -1;
		section_size = mem->used;
		break;
	default:
		ASSERT(!"unknown section");
		return -1;
	}

	/* RFC 3501 6.4.5: a partial range past the end gives "" */
	start = 0;
	state_r->size = section_size;
	if (body->partial) {
		start = MIN(body->partial_start, section_size);
		state_r->size = MIN(body->partial_size, section_size - start);
	}
	state_r->left = state_r->size;
	if (state_r->size == 0)
		return 0;
	if (mem != NULL) {
		state_r->data = mem->data + start;
		return 0;
	}
	if (mail_get_stream(box, seq, &input) < 0)
		return -1;
	if (stream_skip(input, section_offset + start) < 0) {
		/* shorter than its size: the send will notice */
		log_error("Message seq=%u is shorter than its size", seq);
	}
	state_r->input = input;
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
