/* Copyright (c) dovecot-like authors. message-header-parser.c: reads a
   message header line by line from a (possibly non-blocking) istream,
   copying each line into a bounded buffer so arbitrarily long lines and
   partial reads cost no more than max_field_size of memory. */
#include "lib.h"
#include "buffer.h"
#include "str.h"
#include "istream.h"
#include "message-size.h"
#include "message-header-parser.h"

#define MESSAGE_HEADER_DEFAULT_MAX_FIELD_SIZE (1024 * 1024)

enum header_parser_state {
	HEADER_STATE_READ_LINE,	/* copying the next line */
	HEADER_STATE_PEEK,	/* line done, waiting for the next one's first byte */
	HEADER_STATE_DONE,
};

struct message_header_parser_ctx {
	struct istream *input;
	struct message_size *hdr_size;
	struct message_size size;
	enum message_header_parser_flags flags;
	size_t max_field_size;
	enum header_parser_state state;

	uoff_t start_offset;	/* input->v_offset at init */
	uoff_t line_start;	/* offset of the current line (relative) */
	struct buf *line;	/* current line's content, capped */
	struct str *name;	/* the current field's name */
	/* the current field's value so far, capped; kept only for a folded
	   field whose full value was asked for (collecting) */
	struct buf *full_value;
	uoff_t full_value_offset;
	size_t value_start;	/* where the value starts in line (new field) */
	size_t middle_start, middle_len;
	struct message_header_line hdr;

	struct buf *middle;	/* the current field's ":" and spaces */
	uoff_t field_name_offset;
	size_t field_size;	/* bytes of the current field kept so far */
	bool line_started;	/* header_line_start() done for this line */
	bool line_last_cr;	/* last byte read of the line was CR */
	bool line_has_lf;
	bool line_is_cont;	/* the line being read continues a field */
	bool next_is_cont;	/* the peek saw SP/HT */
	bool has_nuls;
	bool size_last_cr;	/* the last byte counted into size was CR */
	bool collecting;	/* full_value/middle hold the field so far */
};

struct message_header_parser_ctx *
message_header_parser_init(struct istream *input, struct message_size *hdr_size,
			   enum message_header_parser_flags flags)
{
	struct message_header_parser_ctx *ctx;

	ctx = pool_new(system_pool, struct message_header_parser_ctx, 1);
	ctx->input = input;
	istream_ref(input);
	ctx->hdr_size = hdr_size;
	ctx->flags = flags;
	ctx->max_field_size = MESSAGE_HEADER_DEFAULT_MAX_FIELD_SIZE;
	ctx->start_offset = input->v_offset;
	ctx->line = buf_create(system_pool, 256);
	ctx->name = str_new(system_pool, 64);
	ctx->full_value = buf_create(system_pool, 256);
	ctx->middle = buf_create(system_pool, 16);
	if (hdr_size != NULL)
		memset(hdr_size, 0, sizeof(*hdr_size));
	return ctx;
}

void message_header_parser_set_max_field_size(struct message_header_parser_ctx *ctx,
					      size_t max_size)
{
	ctx->max_field_size = max_size != 0 ? max_size :
		MESSAGE_HEADER_DEFAULT_MAX_FIELD_SIZE;
}

void message_header_parser_deinit(struct message_header_parser_ctx **_ctx)
{
	struct message_header_parser_ctx *ctx = *_ctx;

	if (ctx == NULL)
		return;
	*_ctx = NULL;
	istream_unref(&ctx->input);
	buf_free(&ctx->line);
	str_free(&ctx->name);
	buf_free(&ctx->full_value);
	buf_free(&ctx->middle);
	p_free(system_pool, ctx);
}

bool message_header_parser_has_nuls(const struct message_header_parser_ctx *ctx)
{
	return ctx->has_nuls;
}

bool message_header_parser_at_line_start(const struct message_header_parser_ctx *ctx)
{
	return ctx->state == HEADER_STATE_READ_LINE && !ctx->line_started;
}

/* Appends at most what the field size limit still allows. */
static void append_capped(struct message_header_parser_ctx *ctx, struct buf *dest,
			  const unsigned char *data, size_t len)
{
	size_t room, used = dest->used;

	/* a continuation line only gets what the field has left */
	if (dest == ctx->line && ctx->line_is_cont)
		used += ctx->field_size;
	if (used >= ctx->max_field_size)
		return;
	room = ctx->max_field_size - used;
	(void)buf_append(dest, data, MIN(len, room));
}

static void append_line_data(struct message_header_parser_ctx *ctx,
			     const unsigned char *data, size_t len)
{
	size_t i, start;

	if (len == 0)
		return;
	if ((ctx->flags & MESSAGE_HEADER_PARSER_FLAG_DROP_CR) == 0) {
		append_capped(ctx, ctx->line, data, len);
	} else {
		for (start = i = 0; i < len; i++) {
			if (data[i] != '\r')
				continue;
			append_capped(ctx, ctx->line, data + start, i - start);
			start = i + 1;
		}
		append_capped(ctx, ctx->line, data + start, len - start);
	}
	ctx->line_last_cr = data[len - 1] == '\r';
}

/* Counts consumed input (including newlines) into the header's sizes. */
static void count_size(struct message_header_parser_ctx *ctx,
		       const unsigned char *data, size_t len)
{
	if (message_size_add_data(&ctx->size, data, len, &ctx->size_last_cr))
		ctx->has_nuls = true;
	if (ctx->hdr_size != NULL)
		*ctx->hdr_size = ctx->size;
}

/* Copies the next line into ctx->line. 1 = complete, 0 = need more input,
   -1 = EOF/error with nothing of the line read. */
static int header_read_line(struct message_header_parser_ctx *ctx)
{
	const unsigned char *data, *lf;
	size_t size, len;
	ssize_t ret;

	for (;;) {
		data = istream_get_data(ctx->input, &size);
		if (size == 0) {
			ret = istream_read(ctx->input);
			if (ret == 0)
				return 0;
			if (ret == -1) {
				if (ctx->line_start == ctx->size.physical_size)
					return -1;
				ctx->line_has_lf = false;
				return 1;
			}
			continue;
		}
		lf = memchr(data, '\n', size);
		len = lf == NULL ? size : (size_t)(lf - data);
		append_line_data(ctx, data, len);
		if (lf == NULL) {
			count_size(ctx, data, size);
			istream_skip(ctx->input, size);
			continue;
		}
		count_size(ctx, data, len + 1);
		istream_skip(ctx->input, len + 1);
		ctx->line_has_lf = true;
		return 1;
	}
}

/* Waits for the first byte of the next line to know whether it continues
   the current field. 1 = decided, 0 = need more input. */
static int header_peek(struct message_header_parser_ctx *ctx)
{
	const unsigned char *data;
	size_t size;
	ssize_t ret;

	data = istream_get_data(ctx->input, &size);
	if (size == 0) {
		ret = istream_read(ctx->input);
		if (ret == 0)
			return 0;
		data = istream_get_data(ctx->input, &size);
	}
	/* RFC 5322 2.2.3: a line starting with WSP continues the field */
	ctx->next_is_cont = size > 0 && (data[0] == ' ' || data[0] == '\t');
	return 1;
}

/* The previous line (still in ctx->line) is continued by the next one:
   if the field's full value is wanted (FULL_VALUE, or the caller set
   use_full_value on the field's first line), start collecting it. Only
   folded fields pay for the copy. */
static void header_collect_start(struct message_header_parser_ctx *ctx)
{
	const struct message_header_line *hdr = &ctx->hdr;

	if (ctx->collecting || hdr->continued || hdr->eoh)
		return;
	if ((ctx->flags & MESSAGE_HEADER_PARSER_FLAG_FULL_VALUE) == 0 &&
	    !hdr->use_full_value)
		return;
	ctx->collecting = true;
	buf_reset(ctx->full_value);
	append_capped(ctx, ctx->full_value, hdr->value, hdr->value_len);
	buf_reset(ctx->middle);
	append_capped(ctx, ctx->middle, hdr->middle, hdr->middle_len);
}

static void header_line_start(struct message_header_parser_ctx *ctx)
{
	if (ctx->next_is_cont)
		header_collect_start(ctx);
	buf_reset(ctx->line);
	ctx->line_start = ctx->size.physical_size;
	ctx->line_last_cr = false;
	ctx->line_has_lf = false;
	ctx->line_is_cont = ctx->next_is_cont;
	ctx->next_is_cont = false;
}

/* Splits a new field's line into name, middle and value. */
static void header_parse_name(struct message_header_parser_ctx *ctx)
{
	const unsigned char *line = ctx->line->data, *colon;
	size_t len = ctx->line->used, name_len, p;

	colon = len == 0 ? NULL : memchr(line, ':', len);
	if (colon == NULL) {
		/* not a field: keep the line as the name, empty value */
		name_len = len;
		ctx->middle_start = ctx->value_start = len;
	} else {
		name_len = (size_t)(colon - line);
		p = name_len + 1;
		while (name_len > 0 &&
		       (line[name_len - 1] == ' ' || line[name_len - 1] == '\t'))
			name_len--;
		while (p < len && (line[p] == ' ' || line[p] == '\t'))
			p++;
		ctx->middle_start = name_len;
		ctx->value_start = p;
	}
	ctx->middle_len = ctx->value_start - ctx->middle_start;
	ctx->collecting = false;
	ctx->field_name_offset = ctx->start_offset + ctx->line_start;
	/* a NUL in the name is kept: the name has an explicit length */
	str_reset(ctx->name);
	(void)buf_append(&ctx->name->buf, line, name_len);
	buf_reserve(&ctx->name->buf, name_len + 1);
	ctx->name->buf.data[name_len] = '\0';
	ctx->full_value_offset = ctx->start_offset + ctx->line_start +
		ctx->value_start;
}

/* Turns the complete line into ctx->hdr (except continues). Returns true
   if it was the empty line ending the header. */
static bool header_process_line(struct message_header_parser_ctx *ctx)
{
	struct message_header_line *hdr = &ctx->hdr;
	bool crlf = false;

	if (ctx->line_has_lf && ctx->line_last_cr && ctx->line->used > 0 &&
	    ctx->line->data[ctx->line->used - 1] == '\r') {
		buf_truncate(ctx->line, ctx->line->used - 1);
		crlf = true;
	} else if (ctx->line_has_lf && ctx->line_last_cr) {
		crlf = true;	/* DROP_CR already removed it */
	}
	memset(hdr, 0, sizeof(*hdr));
	hdr->crlf_newline = crlf;
	hdr->no_newline = !ctx->line_has_lf;
	hdr->name_offset = ctx->start_offset + ctx->line_start;
	if (ctx->line->used == 0 && ctx->line_has_lf && !ctx->line_is_cont) {
		hdr->eoh = true;
		hdr->name = "";
		hdr->value = hdr->full_value = hdr->middle = (const void *)"";
		hdr->full_value_offset = hdr->name_offset;
		return true;
	}
	if (!ctx->line_is_cont) {
		header_parse_name(ctx);
		hdr->middle = ctx->line->data + ctx->middle_start;
		hdr->middle_len = ctx->middle_len;
		hdr->value = ctx->line->data + ctx->value_start;
		hdr->value_len = ctx->line->used - ctx->value_start;
	} else {
		hdr->continued = true;
		hdr->middle = (const void *)"";
		hdr->value = ctx->line->data;
		hdr->value_len = ctx->line->used;
	}
	if (ctx->line_is_cont)
		ctx->field_size += ctx->line->used;
	else
		ctx->field_size = ctx->line->used;
	if (ctx->collecting)
		append_capped(ctx, ctx->full_value, hdr->value, hdr->value_len);
	hdr->name = str_c(ctx->name);
	hdr->name_len = str_len(ctx->name);
	hdr->full_value_offset = ctx->full_value_offset;
	return false;
}

/* Fills full_value: the collected value of a folded field, the line's own
   value for a single-line field, NULL when it wasn't asked for. With
   FULL_VALUE the line then describes the whole field. */
static void header_finish_line(struct message_header_parser_ctx *ctx, bool full)
{
	struct message_header_line *hdr = &ctx->hdr;

	if (!ctx->collecting) {
		if (!hdr->continued && !hdr->continues) {
			hdr->full_value = hdr->value;
			hdr->full_value_len = hdr->value_len;
		}
		/* a single line already describes the whole field */
		return;
	}
	/* reserve: a valid data pointer even for an empty value */
	buf_reserve(ctx->full_value, ctx->full_value->used + 1);
	hdr->full_value = ctx->full_value->data;
	hdr->full_value_len = ctx->full_value->used;
	if (!full)
		return;
	buf_reserve(ctx->middle, ctx->middle->used + 1);
	hdr->continued = false;
	hdr->continues = false;
	hdr->name_offset = ctx->field_name_offset;
	hdr->middle = ctx->middle->data;
	hdr->middle_len = ctx->middle->used;
	hdr->value = hdr->full_value;
	hdr->value_len = hdr->full_value_len;
}

int message_parse_header_next(struct message_header_parser_ctx *ctx,
			      struct message_header_line **hdr_r)
{
	bool full = (ctx->flags & MESSAGE_HEADER_PARSER_FLAG_FULL_VALUE) != 0;
	int ret;

	for (;;) {
		switch (ctx->state) {
		case HEADER_STATE_DONE:
			return -1;
		case HEADER_STATE_READ_LINE:
			if (!ctx->line_started) {
				/* only now: the caller is done with the
				   previous line's pointers */
				header_line_start(ctx);
				ctx->line_started = true;
			}
			ret = header_read_line(ctx);
			if (ret <= 0) {
				if (ret < 0)
					ctx->state = HEADER_STATE_DONE;
				return ret;
			}
			ctx->line_started = false;
			if (header_process_line(ctx)) {
				ctx->state = HEADER_STATE_DONE;
				*hdr_r = &ctx->hdr;
				return 1;
			}
			if (!ctx->line_has_lf) {
				ctx->state = HEADER_STATE_DONE;
				header_finish_line(ctx, full);
				*hdr_r = &ctx->hdr;
				return 1;
			}
			ctx->state = HEADER_STATE_PEEK;
			/* fall through */
		case HEADER_STATE_PEEK:
			if (header_peek(ctx) == 0)
				return 0;
			ctx->state = HEADER_STATE_READ_LINE;
			if (full && ctx->next_is_cont)
				continue;	/* keep collecting the folded field */
			ctx->hdr.continues = ctx->next_is_cont;
			header_finish_line(ctx, full);
			*hdr_r = &ctx->hdr;
			return 1;
		}
	}
}

/* For blocking (or fully buffered) input: a would-block read ends the
   header here. */
void message_parse_header(struct istream *input, struct message_size *hdr_size,
			  enum message_header_parser_flags flags,
			  message_header_callback_t *callback, void *context)
{
	struct message_header_parser_ctx *ctx;
	struct message_header_line *hdr;

	ctx = message_header_parser_init(input, hdr_size, flags);
	while (message_parse_header_next(ctx, &hdr) > 0)
		callback(hdr, context);
	callback(NULL, context);
	message_header_parser_deinit(&ctx);
}
