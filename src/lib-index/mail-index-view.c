/* Copyright (c) dovecot-like authors. Views: a session's fixed MSN <-> UID
   mapping, and view syncing, which diffs the view against the refreshed map
   so every change is reported even when the log was rotated away. */

#include "lib.h"
#include "mail-index-private.h"

struct mail_index_view_sync_ctx {
	struct pool *pool;
	ARRAY(struct mail_index_view_sync_rec) recs;
	unsigned int next;
};

static void view_msg_from_rec(struct mail_index_message *msg,
			      const struct mail_index_record *rec)
{
	memset(msg, 0, sizeof(*msg));
	msg->uid = rec->uid;
	msg->flags = rec->flags;
	msg->modseq = rec->modseq;
	memcpy(msg->keywords, rec->keywords, sizeof(msg->keywords));
}

static void view_load(struct mail_index_view *view)
{
	struct mail_index_map *map = view->index->map;
	uint32_t i;

	view->hdr = map->hdr;
	view->map_generation = map->generation;
	array_clear(&view->msgs);
	for (i = 0; i < map->hdr.messages_count; i++) {
		view_msg_from_rec(array_append_space(&view->msgs),
				  mail_index_map_rec(map, i));
	}
}

struct mail_index_view *mail_index_view_open(struct mail_index *index)
{
	struct mail_index_view *view;

	view = p_malloc(system_pool, sizeof(*view));
	view->index = index;
	array_init(&view->msgs, system_pool, index->map->hdr.messages_count + 1);
	view_load(view);
	index->views_count++;
	return view;
}

void mail_index_view_close(struct mail_index_view **_view)
{
	struct mail_index_view *view = *_view;

	*_view = NULL;
	view->index->views_count--;
	array_free(&view->msgs);
	p_free(system_pool, view);
}

struct mail_index *mail_index_view_get_index(struct mail_index_view *view)
{
	return view->index;
}

uint32_t mail_index_view_get_messages_count(struct mail_index_view *view)
{
	return array_count(&view->msgs);
}

const struct mail_index_header *
mail_index_view_get_header(struct mail_index_view *view)
{
	return &view->hdr;
}

bool mail_index_lookup(struct mail_index_view *view, uint32_t seq,
		       const struct mail_index_message **msg_r)
{
	if (seq == 0 || seq > array_count(&view->msgs))
		return false;
	*msg_r = array_idx(&view->msgs, seq - 1);
	return true;
}

bool mail_index_lookup_uid(struct mail_index_view *view, uint32_t seq,
			   uint32_t *uid_r)
{
	const struct mail_index_message *msg;

	if (!mail_index_lookup(view, seq, &msg))
		return false;
	*uid_r = msg->uid;
	return true;
}

/* Index of the first message with uid >= the given one. */
static uint32_t view_bsearch(struct mail_index_view *view, uint32_t uid)
{
	const struct mail_index_message *msgs;
	unsigned int count, left = 0, right, mid;

	msgs = array_get(&view->msgs, &count);
	right = count;
	while (left < right) {
		mid = left + (right - left) / 2;
		if (msgs[mid].uid < uid)
			left = mid + 1;
		else
			right = mid;
	}
	return left;
}

bool mail_index_lookup_seq(struct mail_index_view *view, uint32_t uid,
			   uint32_t *seq_r)
{
	uint32_t idx = view_bsearch(view, uid);

	if (idx >= array_count(&view->msgs) ||
	    array_idx(&view->msgs, idx)->uid != uid)
		return false;
	*seq_r = idx + 1;
	return true;
}

bool mail_index_lookup_seq_range(struct mail_index_view *view, uint32_t uid1,
				 uint32_t uid2, uint32_t *seq1_r,
				 uint32_t *seq2_r)
{
	uint32_t first = view_bsearch(view, uid1), end;

	end = uid2 == (uint32_t)-1 ? array_count(&view->msgs) :
		view_bsearch(view, uid2 + 1);
	if (uid1 > uid2 || first >= end) {
		*seq1_r = *seq2_r = 0;
		return false;
	}
	*seq1_r = first + 1;
	*seq2_r = end;
	return true;
}

bool mail_index_message_has_keyword(const struct mail_index_message *msg,
				    unsigned int idx)
{
	return idx < MAIL_INDEX_MAX_KEYWORDS &&
		(msg->keywords[idx / 8] & (1 << (idx % 8))) != 0;
}

static void sync_add(struct mail_index_view_sync_ctx *ctx,
		     enum mail_index_view_sync_type type, uint32_t seq,
		     const struct mail_index_message *msg, bool kw_changed)
{
	struct mail_index_view_sync_rec *rec = array_append_space(&ctx->recs);

	rec->type = type;
	rec->uid = msg->uid;
	rec->seq = seq;
	rec->flags = msg->flags;
	rec->keywords_changed = kw_changed;
	rec->modseq = msg->modseq;
}

/* Merge-walk old view vs new map (both sorted by uid), reporting the
   differences and building the view's new message list in the same pass. */
static void view_diff(struct mail_index_view *view,
		      struct mail_index_view_sync_ctx *ctx)
{
	struct mail_index_map *map = view->index->map;
	const struct mail_index_message *old;
	struct mail_index_message *new_msg = NULL;
	unsigned int old_count, i = 0, j = 0, expunged = 0;
	ARRAY(struct mail_index_view_sync_rec) later;
	ARRAY(struct mail_index_message) new_msgs;
	struct mail_index_view_sync_rec *r;

	array_init(&later, ctx->pool, 16);
	array_init(&new_msgs, system_pool, map->hdr.messages_count + 1);
	old = array_get(&view->msgs, &old_count);
	while (i < old_count || j < map->hdr.messages_count) {
		if (j < map->hdr.messages_count && new_msg == NULL) {
			new_msg = array_append_space(&new_msgs);
			view_msg_from_rec(new_msg, mail_index_map_rec(map, j));
		}
		if (i < old_count &&
		    (new_msg == NULL || old[i].uid < new_msg->uid)) {
			/* RFC 3501 7.4.1: each EXPUNGE renumbers the rest */
			sync_add(ctx, MAIL_INDEX_VIEW_SYNC_EXPUNGE,
				 i + 1 - expunged, &old[i], false);
			expunged++;
			i++;
		} else if (i < old_count && old[i].uid == new_msg->uid) {
			bool kw = memcmp(old[i].keywords, new_msg->keywords,
					 sizeof(new_msg->keywords)) != 0;
			if (kw || old[i].flags != new_msg->flags ||
			    old[i].modseq != new_msg->modseq) {
				r = array_append_space(&later);
				r->type = MAIL_INDEX_VIEW_SYNC_CHANGE;
				r->uid = new_msg->uid;
				r->seq = j + 1;
				r->flags = new_msg->flags;
				r->keywords_changed = kw;
				r->modseq = new_msg->modseq;
			}
			i++;
			j++;
			new_msg = NULL;
		} else {
			sync_add(ctx, MAIL_INDEX_VIEW_SYNC_APPEND, j + 1,
				 new_msg, false);
			j++;
			new_msg = NULL;
		}
	}
	array_foreach(&later, r)
		array_append(&ctx->recs, r);
	array_free(&later);
	array_free(&view->msgs);
	view->msgs.arr = new_msgs.arr;
}

int mail_index_view_sync_begin(struct mail_index_view *view,
			       struct mail_index_view_sync_ctx **ctx_r)
{
	struct mail_index_view_sync_ctx *ctx;
	struct pool *pool;

	if (mail_index_refresh(view->index) < 0)
		return -1;
	pool = pool_create("view sync", 1024, POOL_FLAG_NONE);
	ctx = pool_new(pool, struct mail_index_view_sync_ctx, 1);
	ctx->pool = pool;
	array_init(&ctx->recs, pool, 16);
	/* the header may change without the records (log positions) */
	view->hdr = view->index->map->hdr;
	if (view->map_generation != view->index->map->generation) {
		view_diff(view, ctx);
		view->map_generation = view->index->map->generation;
	}
	*ctx_r = ctx;
	return 0;
}

bool mail_index_view_sync_next(struct mail_index_view_sync_ctx *ctx,
			       struct mail_index_view_sync_rec *rec_r)
{
	if (ctx->next >= array_count(&ctx->recs))
		return false;
	*rec_r = *array_idx(&ctx->recs, ctx->next);
	ctx->next++;
	return true;
}

void mail_index_view_sync_end(struct mail_index_view_sync_ctx **_ctx)
{
	struct mail_index_view_sync_ctx *ctx = *_ctx;
	struct pool *pool = ctx->pool;

	*_ctx = NULL;
	array_free(&ctx->recs);
	pool_unref(&pool);
}
