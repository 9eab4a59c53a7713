/* Copyright (c) dovecot-like authors. mail-save.c: the generic half of saving
   and copying (APPEND, COPY, MOVE): transactions, CRLF to LF on the way in,
   and the stream copy between mailboxes a backend can't link. */
#include "lib.h"
#include "array.h"
#include "buffer.h"
#include "strfuncs.h"
#include "istream.h"
#include "mail-storage-private.h"

/* bytes read from a source message per write in a stream copy */
#define MAIL_SAVE_COPY_BLOCK_SIZE (64 * 1024)
/* the most CRLF -> LF converted bytes held before a backend write */
#define MAIL_SAVE_CONVERT_MAX (64 * 1024)

static void mail_save_unsupported(struct mailbox *box)
{
	mailbox_set_error(box, MAIL_ERROR_PARAMS,
			  "Saving mail is not supported by this storage");
}

struct mailbox_transaction *mailbox_transaction_begin(struct mailbox *box)
{
	struct pool *pool = pool_create("mailbox transaction", 1024,
					POOL_FLAG_NONE);
	size_t size = box->v->transaction_size;
	struct mailbox_transaction *t;

	if (size < sizeof(*t))
		size = sizeof(*t);
	t = p_malloc(pool, size);
	t->box = box;
	t->pool = pool;
	return t;
}

unsigned int mailbox_transaction_get_count(const struct mailbox_transaction *t)
{
	return t->save_count;
}

static const char *const *keywords_dup(struct pool *pool,
				       const char *const *keywords)
{
	const char **copy;
	unsigned int i, count = 0;

	if (keywords == NULL)
		return NULL;
	while (keywords[count] != NULL)
		count++;
	copy = pool_new(pool, const char *, count + 1);
	for (i = 0; i < count; i++)
		copy[i] = p_strdup(pool, keywords[i]);
	return copy;
}

struct mail_save_context *
mailbox_save_begin(struct mailbox_transaction *t, const struct mail_save_data *data)
{
	struct mailbox *box = t->box;
	struct mail_save_context *ctx;
	size_t size = box->v->save_context_size;

	if (box->v->save_begin == NULL) {
		mail_save_unsupported(box);
		t->failed = true;
		return NULL;
	}
	if ((box->flags & MAILBOX_FLAG_READONLY) != 0) {
		mailbox_set_error(box, MAIL_ERROR_PERM, "Mailbox is read-only");
		t->failed = true;
		return NULL;
	}
	if (size < sizeof(*ctx))
		size = sizeof(*ctx);
	ctx = p_malloc(t->pool, size);
	ctx->t = t;
	ctx->data = *data;
	ctx->data.flags &= MAIL_FLAGS_MASK;
	ctx->data.keywords = keywords_dup(t->pool, data->keywords);
	if (ctx->data.keywords != NULL &&
	    mailbox_keywords_create(box, ctx->data.keywords,
				    str_array_length(ctx->data.keywords), true,
				    &ctx->keywords) < 0) {
		t->failed = true;
		return NULL;
	}
	if (ctx->data.received_date == (time_t)-1)
		ctx->data.received_date = time(NULL);
	if (box->v->save_begin(ctx) < 0) {
		t->failed = true;
		return NULL;
	}
	return ctx;
}

static int save_write_raw(struct mail_save_context *ctx, const unsigned char *data,
			  size_t size)
{
	if (size == 0)
		return 0;
	if (ctx->t->box->v->save_write(ctx, data, size) < 0) {
		ctx->failed = true;
		return -1;
	}
	return 0;
}

/* Adds converted bytes to the transaction's buffer, handing it to the
   backend whenever it fills up. */
static int save_convert_append(struct mail_save_context *ctx, const void *data,
			       size_t size)
{
	struct buf *buf = ctx->t->save_convert_buf;
	const unsigned char *p = data;
	size_t n;

	while (size > 0) {
		n = MAIL_SAVE_CONVERT_MAX - buf->used;
		if (n > size)
			n = size;
		(void)buf_append(buf, p, n);
		p += n;
		size -= n;
		if (buf->used == MAIL_SAVE_CONVERT_MAX) {
			if (save_write_raw(ctx, buf->data, buf->used) < 0)
				return -1;
			buf_reset(buf);
		}
	}
	return 0;
}

/* CRLF -> LF of data into the buffer (a CR at the end is held back). */
static int save_convert(struct mail_save_context *ctx,
			const unsigned char *data, size_t size)
{
	const unsigned char *p = data, *end = p + size, *start = p, *cr;

	if (ctx->pending_cr) {
		/* a CR at the end of the previous write: dropped before LF */
		ctx->pending_cr = false;
		if (p[0] != '\n' && save_convert_append(ctx, "\r", 1) < 0)
			return -1;
	}
	while ((cr = memchr(p, '\r', (size_t)(end - p))) != NULL) {
		if (cr + 1 == end) {
			ctx->pending_cr = true;
			return save_convert_append(ctx, start,
						   (size_t)(cr - start));
		}
		if (cr[1] == '\n') {
			if (save_convert_append(ctx, start,
						(size_t)(cr - start)) < 0)
				return -1;
			start = cr + 1;
		}
		p = cr + 1;
	}
	return save_convert_append(ctx, start, (size_t)(end - start));
}

int mailbox_save_write(struct mail_save_context *ctx, const void *data,
		       size_t size)
{
	struct buf *buf;
	int ret;

	if (ctx->failed)
		return -1;
	if (size == 0)
		return 0;
	if (ctx->t->save_convert_buf == NULL) {
		ctx->t->save_convert_buf =
			buf_create(ctx->t->pool, MAIL_SAVE_CONVERT_MAX);
	}
	buf = ctx->t->save_convert_buf;
	buf_reset(buf);
	/* one backend write per chunk (per MAIL_SAVE_CONVERT_MAX bytes) */
	ret = save_convert(ctx, data, size);
	if (ret == 0)
		ret = save_write_raw(ctx, buf->data, buf->used);
	buf_reset(buf);
	return ret;
}

int mailbox_save_finish(struct mail_save_context **_ctx)
{
	struct mail_save_context *ctx = *_ctx;
	struct mailbox_transaction *t = ctx->t;

	*_ctx = NULL;
	if (ctx->pending_cr) {
		ctx->pending_cr = false;
		(void)save_write_raw(ctx, (const unsigned char *)"\r", 1);
	}
	if (ctx->failed || t->box->v->save_finish(ctx) < 0) {
		t->box->v->save_cancel(ctx);
		t->failed = true;
		return -1;
	}
	t->save_count++;
	return 0;
}

void mailbox_save_cancel(struct mail_save_context **_ctx)
{
	struct mail_save_context *ctx = *_ctx;

	*_ctx = NULL;
	if (ctx != NULL)
		ctx->t->box->v->save_cancel(ctx);
}

/* The source's error (e.g. its message was expunged) as the target's. */
static void mail_copy_set_src_error(struct mailbox *dest, struct mailbox *src)
{
	const char *str;
	enum mail_storage_error error = mailbox_get_last_error(src, &str);

	if (error == MAIL_ERROR_NONE)
		error = MAIL_ERROR_TEMP;
	mailbox_set_error(dest, error, str);
}

/* COPY through the message stream: any backend to any backend. */
static int mail_copy_stream(struct mailbox_transaction *t, struct mailbox *src,
			    uint32_t seq, const struct mail_save_data *data)
{
	struct mail_save_context *ctx;
	struct istream *input;
	const unsigned char *buf;
	size_t size;
	ssize_t ret;

	if (mail_get_stream(src, seq, &input) < 0) {
		mail_copy_set_src_error(t->box, src);
		return -1;
	}
	ctx = mailbox_save_begin(t, data);
	if (ctx == NULL) {
		istream_unref(&input);
		return -1;
	}
	istream_set_max_buffer_size(input, MAIL_SAVE_COPY_BLOCK_SIZE);
	while ((ret = istream_read(input)) > 0 || ret == -2) {
		buf = istream_get_data(input, &size);
		if (mailbox_save_write(ctx, buf, size) < 0)
			break;
		istream_skip(input, size);
	}
	if (ret == -1 && input->stream_errno != 0) {
		log_error("COPY: reading the source message failed: %s",
			  istream_get_error(input));
		mailbox_set_internal_error(t->box);
		ctx->failed = true;
	} else if (ret == 0) {
		/* a blocking file stream never says "would block" */
		mailbox_set_internal_error(t->box);
		ctx->failed = true;
	}
	istream_unref(&input);
	return mailbox_save_finish(&ctx);
}

int mailbox_copy(struct mailbox_transaction *t, struct mailbox *src, uint32_t seq)
{
	struct mailbox *dest = t->box;
	struct mailbox_msg *msg = mailbox_msg_lookup(src, seq);
	struct mail_save_data data;
	int ret;

	if (msg == NULL) {
		mailbox_set_error(dest, MAIL_ERROR_PARAMS, "Invalid message sequence");
		return -1;
	}
	memset(&data, 0, sizeof(data));
	data.flags = msg->flags & MAIL_FLAGS_MASK;
	data.received_date = (time_t)-1;	/* a link keeps the source's */
	if (!mail_keywords_is_empty(&msg->keywords)) {
		data.keywords = mailbox_keywords_get_names(src, t->pool,
							   &msg->keywords);
		if (data.keywords[0] == NULL)
			data.keywords = NULL;
	}
	if (dest->v->copy != NULL && dest->v == src->v &&
	    (dest->flags & MAILBOX_FLAG_READONLY) == 0) {
		struct mail_keywords kw;

		memset(&kw, 0, sizeof(kw));
		if (data.keywords != NULL &&
		    mailbox_keywords_create(dest, data.keywords,
					    str_array_length(data.keywords),
					    true, &kw) < 0) {
			t->failed = true;
			return -1;
		}
		ret = dest->v->copy(t, src, msg, &data, &kw);
		if (ret > 0) {
			t->save_count++;
			return 0;
		}
		if (ret < 0) {
			t->failed = true;
			return -1;
		}
	}
	if (mail_get_received_date(src, seq, &data.received_date) < 0) {
		mail_copy_set_src_error(dest, src);
		return -1;
	}
	return mail_copy_stream(t, src, seq, &data);
}

static void mailbox_transaction_free(struct mailbox_transaction *t)
{
	struct pool *pool = t->pool;

	pool_unref(&pool);
}

int mailbox_transaction_commit(struct mailbox_transaction **_t, struct pool *pool,
			       struct mail_transaction_commit_result *result_r)
{
	struct mailbox_transaction *t = *_t;
	struct mailbox *box = t->box;
	int ret = 0;

	*_t = NULL;
	memset(result_r, 0, sizeof(*result_r));
	array_init(&result_r->uids, pool, t->save_count + 1);
	result_r->uidvalidity = box->uidvalidity;
	if (t->failed) {
		if (box->v->transaction_rollback != NULL)
			box->v->transaction_rollback(t);
		ret = -1;
	} else if (t->save_count == 0) {
		/* every save was cancelled: let the backend clean up */
		if (box->v->transaction_rollback != NULL)
			box->v->transaction_rollback(t);
	} else {
		ret = box->v->transaction_commit(t, &result_r->uids,
						 &result_r->uidvalidity);
		if (ret == 0 && array_count(&result_r->uids) != t->save_count) {
			log_error("Mailbox %s: commit gave %u UIDs for %u messages",
				  box->name, array_count(&result_r->uids),
				  t->save_count);
			mailbox_set_internal_error(box);
			ret = -1;
		}
	}
	mailbox_transaction_free(t);
	return ret;
}

void mailbox_transaction_rollback(struct mailbox_transaction **_t)
{
	struct mailbox_transaction *t = *_t;

	*_t = NULL;
	if (t == NULL)
		return;
	if (t->box->v->transaction_rollback != NULL)
		t->box->v->transaction_rollback(t);
	mailbox_transaction_free(t);
}
