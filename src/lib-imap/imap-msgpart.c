/* Copyright (c) dovecot-like authors. imap-msgpart.c: body sections as
   byte ranges of the CRLF message. Everything is located through the
   MIME tree's offsets, so a section costs one read up to its end (the
   message streams can't seek) plus, for part numbers, one parse, which the
   caller may share between the sections of one FETCH. */
#include "lib.h"
#include "buffer.h"
#include "strfuncs.h"
#include "istream.h"
#include "message-size.h"
#include "message-parser.h"
#include "message-header-filter.h"
#include "imap-msgpart.h"

#include <strings.h>

/* HEADER.FIELDS output is built in memory; headers are small, and this
   bounds a hostile one */
#define IMAP_MSGPART_MAX_NUMBER_DIGITS 9

/* The part number prefix "1.2." of section; NULL on a syntax error.
   *text_r points after it. */
static const char *msgpart_parse_number(struct pool *pool, const char *section,
					const char **text_r)
{
	const char *p = section, *num_end = section, *q;

	while (*p >= '0' && *p <= '9') {
		if (*p == '0')
			return NULL;	/* RFC 3501: nz-number */
		for (q = p; *q >= '0' && *q <= '9'; q++) ;
		if (q - p > IMAP_MSGPART_MAX_NUMBER_DIGITS)
			return NULL;
		num_end = q;
		if (*q != '.') {
			p = q;
			break;
		}
		p = q + 1;
		if (*p == '\0')
			return NULL;	/* "1." */
	}
	*text_r = p;
	return p_strndup(pool, section, (size_t)(num_end - section));
}

int imap_msgpart_parse(struct pool *pool, const char *section,
		       const char *const *fields, struct imap_msgpart **mp_r,
		       const char **error_r)
{
	struct imap_msgpart *mp;
	const char *text;
	bool with_fields = false;

	mp = pool_new(pool, struct imap_msgpart, 1);
	mp->part_number = msgpart_parse_number(pool, section, &text);
	if (mp->part_number == NULL) {
		*error_r = "Invalid BODY[..] parameter: Invalid part number";
		return -1;
	}
	if (*text == '\0') {
		mp->text = IMAP_MSGPART_TEXT_ALL;
	} else if (strcasecmp(text, "HEADER") == 0) {
		mp->text = IMAP_MSGPART_TEXT_HEADER;
	} else if (strcasecmp(text, "HEADER.FIELDS") == 0) {
		mp->text = IMAP_MSGPART_TEXT_HEADER_FIELDS;
		with_fields = true;
	} else if (strcasecmp(text, "HEADER.FIELDS.NOT") == 0) {
		mp->text = IMAP_MSGPART_TEXT_HEADER_FIELDS_NOT;
		with_fields = true;
	} else if (strcasecmp(text, "TEXT") == 0) {
		mp->text = IMAP_MSGPART_TEXT_TEXT;
	} else if (strcasecmp(text, "MIME") == 0 && mp->part_number[0] != '\0') {
		/* RFC 3501 6.4.5: MIME only with a part number */
		mp->text = IMAP_MSGPART_TEXT_MIME;
	} else {
		*error_r = "Invalid BODY[..] parameter: Unknown section";
		return -1;
	}
	if (with_fields != (fields != NULL) ||
	    (fields != NULL && fields[0] == NULL)) {
		*error_r = "Invalid BODY[..] parameter: Invalid header fields";
		return -1;
	}
	mp->fields = fields;
	*mp_r = mp;
	return 0;
}

bool imap_msgpart_needs_parts(const struct imap_msgpart *mp)
{
	return mp->part_number[0] != '\0';
}

/* Skips count bytes of a blocking stream. 0, or -1 if it ended first. */
static int msgpart_skip(struct istream *input, uoff_t count)
{
	size_t size;

	while (count > 0) {
		(void)istream_get_data(input, &size);
		if (size == 0) {
			if (istream_read(input) == -1)
				return -1;
			continue;
		}
		if (size > count)
			size = (size_t)count;
		istream_skip(input, size);
		count -= size;
	}
	return 0;
}

static int msgpart_open_at(imap_msgpart_open_stream_t *open_stream,
			   void *context, uoff_t offset,
			   struct istream **input_r)
{
	if (open_stream(context, input_r) < 0)
		return -1;
	if (msgpart_skip(*input_r, offset) < 0) {
		istream_unref(input_r);
		return -1;
	}
	return 0;
}

/* HEADER.FIELDS[.NOT] of the header starting at offset. A part's header
   (hdr_size != 0) may end at a boundary without an empty line, so only
   its own bytes are given to the filter. */
static int msgpart_header_fields(const struct imap_msgpart *mp, uoff_t offset,
				 uoff_t hdr_size,
				 imap_msgpart_open_stream_t *open_stream,
				 void *context, struct pool *pool,
				 struct buf **data_r)
{
	struct istream *input, *hdr_input;
	const unsigned char *data;
	struct buf *dest, *hdr;
	size_t size;
	int ret;

	if (msgpart_open_at(open_stream, context, offset, &input) < 0)
		return -1;
	if (hdr_size != 0 && hdr_size <= IMAP_MSGPART_MAX_HEADER_SUBSET) {
		hdr = buf_create(pool, (size_t)hdr_size);
		while (hdr->used < hdr_size) {
			data = istream_get_data(input, &size);
			if (size == 0) {
				if (istream_read(input) == -1)
					break;
				continue;
			}
			size = (size_t)MIN(size, hdr_size - hdr->used);
			(void)buf_append(hdr, data, size);
			istream_skip(input, size);
		}
		istream_unref(&input);
		hdr_input = istream_create_from_data(hdr->data, hdr->used);
		input = hdr_input;
	}
	dest = buf_create(pool, 1024);
	ret = message_header_filter(input, mp->fields,
		mp->text == IMAP_MSGPART_TEXT_HEADER_FIELDS_NOT,
		IMAP_MSGPART_MAX_HEADER_SUBSET, dest);
	istream_unref(&input);
	*data_r = dest;
	return ret;
}

struct msgpart_range {
	uoff_t offset, size;
	uoff_t hdr_size;	/* for header_fields_at_offset of a part */
	struct buf *mem;
	bool header_fields_at_offset;
};

/* The range of a section without a part number; the header size comes
   from parts (the root) when the caller already has them. */
static int msgpart_range_top(const struct imap_msgpart *mp, uoff_t message_size,
			     const struct message_part *parts,
			     imap_msgpart_open_stream_t *open_stream,
			     void *context, struct msgpart_range *range)
{
	struct message_size hdr;
	struct istream *input;
	bool has_nuls;
	int ret;

	switch (mp->text) {
	case IMAP_MSGPART_TEXT_ALL:
		range->size = message_size;
		return 0;
	case IMAP_MSGPART_TEXT_HEADER:
	case IMAP_MSGPART_TEXT_TEXT:
		if (parts != NULL) {
			hdr = parts->header_size;
		} else {
			if (open_stream(context, &input) < 0)
				return -1;
			ret = message_get_header_size(input, &hdr, &has_nuls);
			istream_unref(&input);
			if (ret < 0)
				return -1;
		}
		hdr.physical_size = MIN(hdr.physical_size, message_size);
		if (mp->text == IMAP_MSGPART_TEXT_HEADER) {
			range->size = hdr.physical_size;
		} else {
			range->offset = hdr.physical_size;
			range->size = message_size - hdr.physical_size;
		}
		return 0;
	case IMAP_MSGPART_TEXT_HEADER_FIELDS:
	case IMAP_MSGPART_TEXT_HEADER_FIELDS_NOT:
		range->header_fields_at_offset = true;
		return 0;
	case IMAP_MSGPART_TEXT_MIME:
		break;
	}
	ASSERT(!"MIME without a part number");
	return -1;
}

/* The range of a section with a part number. */
static void msgpart_range_part(const struct imap_msgpart *mp,
			       struct message_part *part,
			       struct msgpart_range *range)
{
	if (part == NULL)
		return;	/* no such part: "" as Dovecot does */
	switch (mp->text) {
	case IMAP_MSGPART_TEXT_ALL:
		range->offset = part->physical_pos + part->header_size.physical_size;
		range->size = part->body_size.physical_size;
		return;
	case IMAP_MSGPART_TEXT_MIME:
		range->offset = part->physical_pos;
		range->size = part->header_size.physical_size;
		return;
	default:
		break;
	}
	/* RFC 3501 6.4.5: HEADER/TEXT of a part address the message
	   enclosed in a message/rfc822 part */
	if ((part->flags & MESSAGE_PART_FLAG_MESSAGE_RFC822) == 0 ||
	    part->children == NULL)
		return;
	part = part->children;
	switch (mp->text) {
	case IMAP_MSGPART_TEXT_HEADER:
		range->offset = part->physical_pos;
		range->size = part->header_size.physical_size;
		break;
	case IMAP_MSGPART_TEXT_TEXT:
		range->offset = part->physical_pos + part->header_size.physical_size;
		range->size = part->body_size.physical_size;
		break;
	default:
		range->offset = part->physical_pos;
		range->hdr_size = part->header_size.physical_size;
		range->header_fields_at_offset = true;
		break;
	}
}

static int msgpart_get_parts(imap_msgpart_open_stream_t *open_stream,
			     void *context, struct pool *pool,
			     struct message_part **parts)
{
	struct istream *input;

	if (*parts != NULL)
		return 0;
	if (open_stream(context, &input) < 0)
		return -1;
	*parts = message_parse_all(pool, input, NULL, NULL, NULL);
	istream_unref(&input);
	return *parts == NULL ? -1 : 0;
}

/* RFC 3501 6.4.5: the <partial> range of a section of size bytes: its
   start, and *size_r (a range past the end gives ""). */
static uoff_t msgpart_partial(const struct imap_msgpart *mp, uoff_t size,
			      uoff_t *size_r)
{
	uoff_t start = 0;

	*size_r = size;
	if (mp->partial) {
		start = MIN(mp->partial_offset, size);
		*size_r = MIN(mp->partial_size, size - start);
	}
	return start;
}

bool imap_msgpart_is_top_header_fields(const struct imap_msgpart *mp)
{
	return mp->part_number[0] == '\0' &&
		mp->text == IMAP_MSGPART_TEXT_HEADER_FIELDS;
}

void imap_msgpart_result_from_data(const struct imap_msgpart *mp,
				   const struct buf *data,
				   struct imap_msgpart_result *result_r)
{
	uoff_t start = msgpart_partial(mp, data->used, &result_r->size);

	result_r->input = NULL;
	result_r->data = result_r->size == 0 ? NULL : data->data + start;
}

int imap_msgpart_open(const struct imap_msgpart *mp, uoff_t message_size,
		      imap_msgpart_open_stream_t *open_stream, void *context,
		      struct pool *pool, struct message_part **parts,
		      struct imap_msgpart_result *result_r)
{
	struct msgpart_range range;
	uoff_t start;

	memset(result_r, 0, sizeof(*result_r));
	memset(&range, 0, sizeof(range));
	if (!imap_msgpart_needs_parts(mp)) {
		if (msgpart_range_top(mp, message_size, *parts, open_stream,
				      context, &range) < 0)
			return -1;
	} else {
		if (msgpart_get_parts(open_stream, context, pool, parts) < 0)
			return -1;
		msgpart_range_part(mp, message_part_by_section(*parts,
							       mp->part_number),
				   &range);
	}
	if (range.header_fields_at_offset) {
		if (msgpart_header_fields(mp, range.offset, range.hdr_size,
					  open_stream, context, pool,
					  &range.mem) < 0)
			return -1;
		range.offset = 0;
		range.size = range.mem->used;
	}
	if (range.mem != NULL) {
		imap_msgpart_result_from_data(mp, range.mem, result_r);
		return 0;
	}
	start = msgpart_partial(mp, range.size, &result_r->size);
	if (result_r->size == 0)
		return 0;
	return msgpart_open_at(open_stream, context, range.offset + start,
			       &result_r->input);
}
