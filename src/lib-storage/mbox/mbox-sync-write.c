/* Copyright (c) dovecot-like authors. mbox-sync-write.c: writing changes
   (new UIDs, X-IMAPbase with the keyword list, flags and X-Keywords,
   \Recent, expunges) into the mbox. Headers
   that still fit are rewritten in place using the X-Keywords padding, as
   Dovecot does; otherwise the file is rewritten from the first change on.
   Everything goes through the mbox-rewrite journal. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "buffer.h"
#include "mbox-storage.h"
#include "mbox-from.h"
#include "mbox-rewrite.h"

#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define UOFF_NONE ((uoff_t)-1)

struct mbox_write_ctx {
	struct mbox_mailbox *mbox;
	const unsigned char *data;
	size_t size;
	const struct mbox_change *changes;
	uint32_t uidvalidity, last_uid;
	/* X-IMAPbase's keyword list after the change */
	const char *base_keywords;
	unsigned int carrier;	/* index of the message with X-IMAPbase */
};

static bool rec_kept(const struct mbox_write_ctx *ctx, unsigned int i,
		     const struct mbox_rec *rec)
{
	return rec->pseudo || ctx->changes == NULL || !ctx->changes[i].expunge;
}

static enum mail_flags rec_new_flags(const struct mbox_write_ctx *ctx,
				     unsigned int i, const struct mbox_rec *rec)
{
	if (ctx->changes != NULL && ctx->changes[i].set_flags)
		return ctx->changes[i].flags & MAIL_FLAGS_MASK;
	return rec->hdr.flags;
}

/* The X-Keywords value after the change ("" = none). */
static const char *rec_new_keywords(const struct mbox_write_ctx *ctx,
				    unsigned int i, const struct mbox_rec *rec)
{
	if (ctx->changes != NULL && ctx->changes[i].set_flags &&
	    ctx->changes[i].keywords != NULL)
		return ctx->changes[i].keywords;
	return rec->hdr.keywords == NULL ? "" : rec->hdr.keywords;
}

static bool base_keywords_changed(const struct mbox_write_ctx *ctx,
				  const struct mbox_rec *rec)
{
	const char *old = rec->hdr.base_keywords;

	return strcmp(old == NULL ? "" : old, ctx->base_keywords) != 0;
}

static bool rec_new_old(const struct mbox_write_ctx *ctx, unsigned int i,
			const struct mbox_rec *rec)
{
	return rec->hdr.status_old ||
		(ctx->changes != NULL && ctx->changes[i].mark_old);
}

static bool rec_needs_header(const struct mbox_write_ctx *ctx, unsigned int i,
			     const struct mbox_rec *rec)
{
	if (rec->pseudo) {
		return rec->hdr.uidvalidity != ctx->uidvalidity ||
			rec->hdr.last_uid != ctx->last_uid ||
			base_keywords_changed(ctx, rec);
	}
	if (i == ctx->carrier &&
	    (i != 0 || !rec->hdr.have_imapbase ||
	     rec->hdr.uidvalidity != ctx->uidvalidity ||
	     rec->hdr.last_uid != ctx->last_uid ||
	     base_keywords_changed(ctx, rec)))
		return true;
	return rec->uid_new || rec_new_flags(ctx, i, rec) != rec->hdr.flags ||
		rec_new_old(ctx, i, rec) != rec->hdr.status_old ||
		strcmp(rec_new_keywords(ctx, i, rec),
		       rec->hdr.keywords == NULL ? "" : rec->hdr.keywords) != 0;
}

static void build_header_ours(const struct mbox_write_ctx *ctx, unsigned int i,
			      const struct mbox_rec *rec, int padding,
			      const char *nl, struct str *dest);

/* The new header block (fields + empty line) of rec. padding -1: Dovecot's
   default padding. */
static void build_header(const struct mbox_write_ctx *ctx, unsigned int i,
			 const struct mbox_rec *rec, int padding,
			 struct buf *buf)
{
	const unsigned char *hdr = ctx->data + rec->hdr_offset;
	size_t hdr_len = (size_t)(rec->hdr_end - rec->hdr_offset);
	const char *nl = rec->crlf ? "\r\n" : "\n";
	struct str *dest = t_str_new(512);

	/* the original headers may hold any bytes (NULs too): buf */
	mbox_headers_filter(hdr, hdr_len, buf);
	if (buf->used > 0 && buf->data[buf->used - 1] != '\n')
		str_append(dest, nl);
	build_header_ours(ctx, i, rec, padding, nl, dest);
	(void)buf_append(buf, str_data(dest), str_len(dest));
}

static void build_header_ours(const struct mbox_write_ctx *ctx, unsigned int i,
			      const struct mbox_rec *rec, int padding,
			      const char *nl, struct str *dest)
{
	struct mbox_header_write w;

	if (rec->pseudo) {
		str_printfa(dest, "X-IMAP: %u %010u", ctx->uidvalidity,
			    ctx->last_uid);
		if (ctx->base_keywords[0] != '\0')
			str_printfa(dest, " %s", ctx->base_keywords);
		str_printfa(dest, "%sStatus: RO%s%s", nl, nl, nl);
		return;
	}
	memset(&w, 0, sizeof(w));
	w.imapbase = i == ctx->carrier;
	w.uidvalidity = ctx->uidvalidity;
	w.last_uid = ctx->last_uid;
	w.base_keywords = ctx->base_keywords;
	w.uid = rec->uid;
	w.flags = rec_new_flags(ctx, i, rec);
	w.status_old = rec_new_old(ctx, i, rec);
	w.keywords = rec_new_keywords(ctx, i, rec);
	w.have_content_length = true;
	w.content_length = rec->body_end - rec->body_offset;
	w.crlf = rec->crlf;
	w.padding = padding < 0 ? mbox_headers_default_padding(&w) :
		(unsigned int)padding;
	mbox_headers_write(dest, &w);
	str_append(dest, nl);
}

/* The internal message that keeps UIDVALIDITY and the last UID when every
   real message is gone (reference 4.1). The body is our own text. */
static void build_pseudo(const struct mbox_write_ctx *ctx, struct str *dest)
{
	char host[256], date[64];
	time_t now = time(NULL);
	struct tm tm;

	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
		date[0] = '\0';
	mbox_from_create(dest, "MAILER_DAEMON", now);
	str_printfa(dest, "Date: %s\n"
		    "From: Mail System Internal Data <MAILER-DAEMON@%s>\n"
		    "Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n"
		    "Message-ID: <%lld@%s>\n"
		    "X-IMAP: %u %010u%s%s\n"
		    "Status: RO\n\n"
		    "This message holds the mail folder's internal state (its\n"
		    "UIDVALIDITY and last used UID). It is not a real message and\n"
		    "is hidden by the mail server. Deleting it resets that state.\n"
		    "\n", date, host, (long long)now, host,
		    ctx->uidvalidity, ctx->last_uid,
		    ctx->base_keywords[0] == '\0' ? "" : " ", ctx->base_keywords);
}

static bool header_too_big(const struct mbox_rec *rec)
{
	return rec->hdr_end - rec->hdr_offset >= MBOX_PARSE_MAX_HEADER_SIZE;
}

/* Plans the writes: in-place headers before the first change that moves
   data (at *tail_r), then the tail. Returns the final file size. */
static uoff_t mbox_write_plan(struct mbox_write_ctx *ctx,
			      struct mbox_rewrite *rw)
{
	const struct mbox_rec *recs;
	unsigned int i, count, kept = 0;
	uoff_t tail = UOFF_NONE, size;
	struct buf *hdr = buf_create(tmp_pool, 1024);
	struct str *pseudo;
	size_t old_len, min_len;
	bool need;

	recs = array_get(&ctx->mbox->parsed.recs, &count);
	/* in-place part */
	for (i = 0; i < count && tail == UOFF_NONE; i++) {
		if (!rec_kept(ctx, i, &recs[i])) {
			tail = recs[i].from_offset;
			break;
		}
		if (!rec_needs_header(ctx, i, &recs[i]) ||
		    header_too_big(&recs[i]))
			continue;
		buf_reset(hdr);
		build_header(ctx, i, &recs[i], 0, hdr);
		old_len = (size_t)(recs[i].body_offset - recs[i].hdr_offset);
		min_len = hdr->used;
		if (min_len > old_len || recs[i].pseudo ||
		    recs[i].hdr_end == recs[i].body_offset) {
			if (min_len == old_len && recs[i].pseudo)
				goto in_place;
			tail = recs[i].hdr_offset;
			break;
		}
		buf_reset(hdr);
		build_header(ctx, i, &recs[i], (int)(old_len - min_len), hdr);
	in_place:
		ASSERT(hdr->used == old_len);
		mbox_rewrite_seek(rw, recs[i].hdr_offset);
		mbox_rewrite_add_data(rw, hdr->data, hdr->used);
	}
	if (tail == UOFF_NONE)
		return ctx->size;

	/* the tail from the first message that moves */
	mbox_rewrite_seek(rw, tail);
	size = tail;
	for (; i < count; i++) {
		if (!rec_kept(ctx, i, &recs[i]))
			continue;
		kept++;
		if (recs[i].from_offset >= tail) {
			mbox_rewrite_add_old(rw, recs[i].from_offset,
				recs[i].hdr_offset - recs[i].from_offset);
			size += recs[i].hdr_offset - recs[i].from_offset;
		}
		need = rec_needs_header(ctx, i, &recs[i]) &&
			!header_too_big(&recs[i]);
		if (need) {
			buf_reset(hdr);
			build_header(ctx, i, &recs[i], -1, hdr);
			mbox_rewrite_add_data(rw, hdr->data, hdr->used);
			size += hdr->used;
		} else {
			mbox_rewrite_add_old(rw, recs[i].hdr_offset,
				recs[i].body_offset - recs[i].hdr_offset);
			size += recs[i].body_offset - recs[i].hdr_offset;
		}
		mbox_rewrite_add_old(rw, recs[i].body_offset,
				     recs[i].next_offset - recs[i].body_offset);
		size += recs[i].next_offset - recs[i].body_offset;
	}
	if (size == 0 && kept == 0) {
		/* everything expunged: keep the UID state in a pseudo msg */
		pseudo = t_str_new(1024);
		build_pseudo(ctx, pseudo);
		mbox_rewrite_add_data(rw, str_data(pseudo), str_len(pseudo));
		size += str_len(pseudo);
	}
	return size;
}

/* Which message carries X-IMAPbase after the change: the pseudo message or
   the first one kept. count if none. */
static unsigned int find_carrier(const struct mbox_write_ctx *ctx)
{
	const struct mbox_rec *recs;
	unsigned int i, count;

	recs = array_get(&ctx->mbox->parsed.recs, &count);
	for (i = 0; i < count; i++) {
		if (rec_kept(ctx, i, &recs[i]))
			return i;
	}
	return count;
}

int mbox_sync_write(struct mbox_mailbox *mbox,
		    const struct mbox_change *changes)
{
	struct mbox_write_ctx ctx;
	struct mbox_rewrite *rw;
	struct pool *pool;
	const char *error;
	void *map = NULL;
	uoff_t final_size;
	int ret;

	ASSERT(mbox->lock.type == MBOX_LOCK_WRITE && mbox->parsed_valid);
	memset(&ctx, 0, sizeof(ctx));
	ctx.mbox = mbox;
	ctx.changes = changes;
	ctx.size = (size_t)mbox->parsed_st.st_size;
	if (mbox->parsed.uidvalidity == 0 && mbox->mem_uidvalidity == 0)
		mbox->mem_uidvalidity = (uint32_t)time(NULL);
	ctx.uidvalidity = mbox->parsed.uidvalidity != 0 ?
		mbox->parsed.uidvalidity : mbox->mem_uidvalidity;
	ctx.last_uid = mbox->parsed.next_uid - 1;
	ctx.carrier = find_carrier(&ctx);
	/* every keyword name the box knows goes into X-IMAPbase */
	ctx.base_keywords = mbox_keywords_base_str(mbox,
						   mbox->parsed.base_keywords);
	if (ctx.size == 0)
		return 0;
	map = mmap(NULL, ctx.size, PROT_READ, MAP_SHARED, mbox->fd, 0);
	if (map == MAP_FAILED) {
		log_error("mmap(%s) failed: %m", mbox->path);
		mailbox_set_internal_error(&mbox->box);
		return -1;
	}
	ctx.data = map;

	pool = pool_create("mbox rewrite", 4096, POOL_FLAG_NONE);
	rw = mbox_rewrite_begin(pool, mbox->fd, mbox->journal_path);
	final_size = mbox_write_plan(&ctx, rw);
	if (mbox_rewrite_is_empty(rw) && final_size == ctx.size) {
		(void)munmap(map, ctx.size);
		pool_unref(&pool);
		return 0;	/* nothing changes in the file */
	}
	ret = mbox_rewrite_commit(rw, final_size, &error);
	(void)munmap(map, ctx.size);
	pool_unref(&pool);
	if (ret < 0) {
		log_error("mbox %s: %s", mbox->path, error);
		mailbox_set_internal_error(&mbox->box);
		return -1;
	}
	/* the file changed under our parse: read it again */
	mbox->parsed_valid = false;
	if (mbox_sync_lock_parse(mbox, MBOX_LOCK_WRITE) < 0)
		return -1;
	return 0;
}
