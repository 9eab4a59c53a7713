/* Copyright (c) dovecot-like authors. lib-index basics: create/open, append,
   flags, keywords, expunge (request vs external), sync API, modseq values,
   extensions, reopen from snapshot + log, rotation. */

#include "lib.h"
#include "str.h"
#include "test-index.h"
#include "mail-index-modseq.h"

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static struct mail_index_transaction *begin(struct mail_index *index,
					    struct mail_index_view **view_r,
					    bool external)
{
	*view_r = mail_index_view_open(index);
	return mail_index_transaction_begin(*view_r, external ?
		MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL : 0);
}

static void commit(struct mail_index_transaction **t,
		   struct mail_index_view **view)
{
	ck_assert_int_eq(mail_index_transaction_commit(t, NULL), 0);
	mail_index_view_close(view);
}

static const struct mail_index_record *rec_of(struct mail_index *index,
					      uint32_t uid)
{
	uint32_t idx;

	return mail_index_map_lookup_uid(index->map, uid, &idx);
}

START_TEST(test_open_create)
{
	struct mail_index_settings set;
	struct mail_index *index;
	const struct mail_index_header *hdr;
	const char *error;

	test_index_settings(&set);
	ck_assert_int_eq(mail_index_open(test_dir, "dovecot.index", &set, 0,
					 &index, &error), -1);
	index = test_index_open();
	hdr = mail_index_get_header(index);
	ck_assert_uint_eq(hdr->next_uid, 1);
	ck_assert_uint_eq(hdr->messages_count, 0);
	ck_assert_uint_eq(hdr->highest_modseq, 1);
	ck_assert_uint_eq(hdr->log_file_seq, 1);
	ck_assert_int_gt(test_file_size(test_index_path("")), 0);
	ck_assert_int_eq(test_file_size(test_index_path(".log")),
			 (off_t)sizeof(struct mail_transaction_log_header));
	ck_assert(!mail_index_is_fscked(index));
	mail_index_close(&index);
	/* now it exists: opening without CREATE works */
	ck_assert_int_eq(mail_index_open(test_dir, "dovecot.index", &set, 0,
					 &index, &error), 0);
	mail_index_close(&index);
}
END_TEST

START_TEST(test_append_roundtrip)
{
	struct mail_index *index = test_index_open(), *index2;
	struct mail_index_view *view;
	struct mail_index_transaction *t;
	struct mail_index_commit_result res;
	const char *kws[] = { "$Forwarded", "Work" };
	const struct mail_index_message *msg;
	unsigned int count;
	const char *const *names;

	t = begin(index, &view, true);
	mail_index_append(t, 0, MAIL_INDEX_MAIL_FLAG_SEEN, kws, 2);
	mail_index_append(t, 0, 0, NULL, 0);
	mail_index_append(t, 0, MAIL_INDEX_MAIL_FLAG_FLAGGED, kws + 1, 1);
	ck_assert_int_eq(mail_index_transaction_commit(&t, &res), 0);
	ck_assert_uint_eq(res.first_uid, 1);
	ck_assert_uint_eq(res.last_uid, 3);
	ck_assert_uint_eq(res.log_file_seq, 1);
	ck_assert_uint_eq(res.log_file_offset, 40);
	/* the view was opened before: it changes only at its sync */
	ck_assert_uint_eq(mail_index_view_get_messages_count(view), 0);
	mail_index_view_close(&view);

	view = mail_index_view_open(index);
	ck_assert_uint_eq(mail_index_view_get_messages_count(view), 3);
	ck_assert(mail_index_lookup(view, 1, &msg));
	ck_assert_uint_eq(msg->uid, 1);
	ck_assert_uint_eq(msg->flags, MAIL_INDEX_MAIL_FLAG_SEEN);
	ck_assert(mail_index_message_has_keyword(msg, 0));
	ck_assert(mail_index_message_has_keyword(msg, 1));
	ck_assert(mail_index_lookup(view, 3, &msg));
	ck_assert(!mail_index_message_has_keyword(msg, 0));
	ck_assert(mail_index_message_has_keyword(msg, 1));
	ck_assert(!mail_index_lookup(view, 4, &msg));
	ck_assert(!mail_index_lookup(view, 0, &msg));
	mail_index_view_close(&view);
	ck_assert_uint_eq(mail_index_get_header(index)->seen_messages_count, 1);
	ck_assert_uint_eq(mail_index_get_header(index)->next_uid, 4);

	/* a second process-like index sees the same from snapshot + log */
	index2 = test_index_open();
	ck_assert_str_eq(test_index_uids(index2), "1,2,3");
	names = mail_index_get_keywords(index2, &count);
	ck_assert_uint_eq(count, 2);
	ck_assert_str_eq(names[0], "$Forwarded");
	ck_assert_str_eq(names[1], "Work");
	ck_assert_uint_eq(rec_of(index2, 3)->flags, MAIL_INDEX_MAIL_FLAG_FLAGGED);
	mail_index_close(&index2);

	/* and from a fresh snapshot alone */
	ck_assert_int_eq(mail_index_write_snapshot(index), 0);
	index2 = test_index_open();
	ck_assert_str_eq(test_index_uids(index2), "1,2,3");
	ck_assert_int_eq(mail_index_keyword_lookup(index2, "work"), 1);
	ck_assert_uint_eq(mail_index_get_header(index2)->seen_messages_count, 1);
	mail_index_close(&index2);
	mail_index_close(&index);
}
END_TEST

START_TEST(test_flags_keywords)
{
	struct mail_index *index = test_index_open(), *index2;
	struct mail_index_view *view;
	struct mail_index_transaction *t;

	test_index_append(index, 4, 0);
	t = begin(index, &view, false);
	mail_index_update_flags(t, 1, 3, MAIL_INDEX_MODIFY_ADD,
				MAIL_INDEX_MAIL_FLAG_SEEN |
				MAIL_INDEX_MAIL_FLAG_DELETED);
	mail_index_update_flags(t, 2, 2, MAIL_INDEX_MODIFY_REMOVE,
				MAIL_INDEX_MAIL_FLAG_SEEN);
	mail_index_update_flags(t, 3, 3, MAIL_INDEX_MODIFY_REPLACE,
				MAIL_INDEX_MAIL_FLAG_DRAFT);
	ck_assert_int_eq(mail_index_update_keyword(t, 1, 4,
			 MAIL_INDEX_MODIFY_ADD, "a"), 0);
	ck_assert_int_eq(mail_index_update_keyword(t, 2, 2,
			 MAIL_INDEX_MODIFY_REMOVE, "a"), 0);
	ck_assert_int_eq(mail_index_update_keyword(t, 4, 4,
			 MAIL_INDEX_MODIFY_ADD, "b"), 0);
	mail_index_reset_keywords(t, 3, 3);
	/* invalid names are refused */
	ck_assert_int_eq(mail_index_update_keyword(t, 1, 1,
			 MAIL_INDEX_MODIFY_ADD, "a b"), -1);
	ck_assert_int_eq(mail_index_update_keyword(t, 1, 1,
			 MAIL_INDEX_MODIFY_ADD, ""), -1);
	commit(&t, &view);

	index2 = test_index_open();
	ck_assert_uint_eq(rec_of(index2, 1)->flags, MAIL_INDEX_MAIL_FLAG_SEEN |
			  MAIL_INDEX_MAIL_FLAG_DELETED);
	ck_assert_uint_eq(rec_of(index2, 2)->flags, MAIL_INDEX_MAIL_FLAG_DELETED);
	ck_assert_uint_eq(rec_of(index2, 3)->flags, MAIL_INDEX_MAIL_FLAG_DRAFT);
	ck_assert_uint_eq(rec_of(index2, 4)->flags, 0);
	ck_assert_uint_eq(rec_of(index2, 1)->keywords[0], 0x01);
	ck_assert_uint_eq(rec_of(index2, 2)->keywords[0], 0x00);
	ck_assert_uint_eq(rec_of(index2, 3)->keywords[0], 0x00);
	ck_assert_uint_eq(rec_of(index2, 4)->keywords[0], 0x03);
	ck_assert_uint_eq(mail_index_get_header(index2)->seen_messages_count, 1);
	ck_assert_uint_eq(mail_index_get_header(index2)->deleted_messages_count, 2);
	mail_index_close(&index2);
	mail_index_close(&index);
}
END_TEST

START_TEST(test_expunge_and_sync)
{
	struct mail_index *index = test_index_open();
	struct mail_index_view *view, *sview;
	struct mail_index_transaction *t, *strans;
	struct mail_index_sync_ctx *sctx;
	struct mail_index_sync_rec srec;

	test_index_append(index, 5, 0);
	/* an expunge request: the message stays until the syncer acts */
	t = begin(index, &view, false);
	mail_index_expunge(t, 2, 3);
	mail_index_update_flags(t, 5, 5, MAIL_INDEX_MODIFY_ADD,
				MAIL_INDEX_MAIL_FLAG_SEEN);
	commit(&t, &view);
	ck_assert_str_eq(test_index_uids(index), "1,2,3,4,5");

	ck_assert_int_eq(mail_index_sync_begin(index, &sctx, &sview, &strans), 0);
	ck_assert(mail_index_sync_have_any(sctx));
	ck_assert(mail_index_sync_next(sctx, &srec));
	ck_assert_int_eq(srec.type, MAIL_INDEX_SYNC_TYPE_EXPUNGE);
	ck_assert_uint_eq(srec.uid1, 2);
	ck_assert_uint_eq(srec.uid2, 3);
	mail_index_expunge(strans, srec.uid1, srec.uid2);
	ck_assert(mail_index_sync_next(sctx, &srec));
	ck_assert_int_eq(srec.type, MAIL_INDEX_SYNC_TYPE_FLAGS);
	ck_assert_uint_eq(srec.uid1, 5);
	ck_assert_uint_eq(srec.add_flags, MAIL_INDEX_MAIL_FLAG_SEEN);
	ck_assert(!mail_index_sync_next(sctx, &srec));
	/* UIDs assigned under the sync lock */
	mail_index_append(strans, 0, 0, NULL, 0);
	ck_assert_int_eq(mail_index_sync_commit(&sctx), 0);
	ck_assert_str_eq(test_index_uids(index), "1,4,5,6");

	/* requests are handed out once: the tail moved */
	ck_assert_int_eq(mail_index_sync_begin(index, &sctx, &sview, &strans), 0);
	ck_assert(!mail_index_sync_have_any(sctx));
	mail_index_sync_rollback(&sctx);

	/* an external expunge applies immediately */
	t = begin(index, &view, true);
	mail_index_expunge(t, 1, 4);
	commit(&t, &view);
	ck_assert_str_eq(test_index_uids(index), "5,6");
	mail_index_close(&index);
	index = test_index_open();
	ck_assert_str_eq(test_index_uids(index), "5,6");
	ck_assert_uint_eq(mail_index_get_header(index)->next_uid, 7);
	mail_index_close(&index);
}
END_TEST

/* One EXPUNGE record with unsorted, overlapping and missing ranges. */
START_TEST(test_expunge_many_ranges)
{
	struct mail_index *index = test_index_open(), *index2;
	struct mail_index_view *view;
	struct mail_index_transaction *t;

	test_index_append(index, 6, MAIL_INDEX_MAIL_FLAG_SEEN);
	test_index_append(index, 4, MAIL_INDEX_MAIL_FLAG_DELETED);
	t = begin(index, &view, true);
	mail_index_expunge(t, 7, 8);
	mail_index_expunge(t, 2, 3);
	mail_index_expunge(t, 3, 4);
	mail_index_expunge(t, 10, 10);
	mail_index_expunge(t, 20, 30);
	commit(&t, &view);
	ck_assert_str_eq(test_index_uids(index), "1,5,6,9");
	ck_assert_uint_eq(mail_index_get_header(index)->seen_messages_count, 3);
	ck_assert_uint_eq(mail_index_get_header(index)->deleted_messages_count,
			  1);
	/* the same from the log by another process */
	index2 = test_index_open();
	ck_assert_str_eq(test_index_uids(index2), "1,5,6,9");
	ck_assert_uint_eq(mail_index_get_header(index2)->seen_messages_count, 3);
	mail_index_close(&index2);
	mail_index_close(&index);
}
END_TEST

/* The same with all ranges in one EXPUNGE record, applied to a map. */
START_TEST(test_expunge_record_ranges)
{
	static const struct mail_transaction_uid_range ranges[] = {
		{ 7, 8 }, { 2, 3 }, { 3, 4 }, { 10, 10 }, { 20, 30 }, { 1, 1 }
	};
	struct mail_index_map *map = mail_index_map_create(1);
	struct mail_transaction_append apps[10];
	struct mail_transaction_boundary b = { 0, 0 };
	struct buf *buf = buf_create(system_pool, 256);
	const char *uids = "", *error;
	uint32_t i;

	for (i = 0; i < 10; i++) {
		apps[i].uid = i + 1;
		apps[i].flags = i < 6 ? MAIL_INDEX_MAIL_FLAG_SEEN :
			MAIL_INDEX_MAIL_FLAG_DELETED;
	}
	mail_transaction_rec_append(buf, MAIL_TRANSACTION_BOUNDARY, &b,
				    sizeof(b));
	mail_transaction_rec_append(buf, MAIL_TRANSACTION_APPEND, apps,
				    sizeof(apps));
	mail_transaction_rec_append(buf, MAIL_TRANSACTION_EXPUNGE |
				    MAIL_TRANSACTION_EXPUNGE_PROT |
				    MAIL_TRANSACTION_EXTERNAL, ranges,
				    sizeof(ranges));
	b.size = (uint32_t)buf->used;
	memcpy(buf->data + sizeof(struct mail_transaction_header), &b,
	       sizeof(b));
	ck_assert_int_eq(mail_transaction_validate(buf->data, buf->used,
						   1024, &error), 0);
	mail_index_map_apply(map, buf->data, buf->used, 100);
	for (i = 0; i < map->hdr.messages_count; i++) {
		uids = tmp_printf("%s%s%u", uids, i == 0 ? "" : ",",
				  mail_index_map_rec(map, i)->uid);
	}
	ck_assert_str_eq(uids, "5,6,9");
	ck_assert_uint_eq(map->recs->used, 3 * map->hdr.record_size);
	ck_assert_uint_eq(map->hdr.seen_messages_count, 2);
	ck_assert_uint_eq(map->hdr.deleted_messages_count, 1);
	buf_free(&buf);
	mail_index_map_free(&map);
}
END_TEST

START_TEST(test_modseq)
{
	struct mail_index *index = test_index_open();
	struct mail_index_view *view;
	struct mail_index_transaction *t;
	const struct mail_index_header *hdr;

	hdr = mail_index_get_header(index);
	ck_assert_uint_eq(hdr->highest_modseq, 1);
	test_index_append(index, 3, 0);		/* one APPEND record: +1 */
	hdr = mail_index_get_header(index);
	ck_assert_uint_eq(hdr->highest_modseq, 2);
	ck_assert_uint_eq(rec_of(index, 3)->modseq, 2);

	t = begin(index, &view, false);
	mail_index_update_flags(t, 1, 1, MAIL_INDEX_MODIFY_ADD,
				MAIL_INDEX_MAIL_FLAG_SEEN);	/* +1 = 3 */
	mail_index_update_flags(t, 2, 2, MAIL_INDEX_MODIFY_ADD,
				MAIL_INDEX_MAIL_FLAG_DIRTY);	/* hidden */
	mail_index_expunge(t, 3, 3);			/* request: no */
	ck_assert_int_eq(mail_index_update_keyword(t, 2, 2,
			 MAIL_INDEX_MODIFY_ADD, "k"), 0);	/* +1 = 4 */
	commit(&t, &view);
	hdr = mail_index_get_header(index);
	ck_assert_uint_eq(hdr->highest_modseq, 4);
	ck_assert_uint_eq(rec_of(index, 1)->modseq, 3);
	ck_assert_uint_eq(rec_of(index, 2)->modseq, 4);
	ck_assert_uint_eq(rec_of(index, 3)->modseq, 2);

	t = begin(index, &view, true);
	mail_index_expunge(t, 3, 3);			/* external: +1 = 5 */
	mail_index_update_modseq(t, 1, 50);
	commit(&t, &view);
	hdr = mail_index_get_header(index);
	ck_assert_uint_eq(hdr->highest_modseq, 50);
	ck_assert_uint_eq(rec_of(index, 1)->modseq, 50);
	t = begin(index, &view, true);
	mail_index_update_modseq(t, 0, 10);		/* lower: no change */
	mail_index_update_flags(t, 2, 2, MAIL_INDEX_MODIFY_ADD,
				MAIL_INDEX_MAIL_FLAG_ANSWERED);	/* 51 */
	commit(&t, &view);
	ck_assert_uint_eq(mail_index_get_header(index)->highest_modseq, 51);
	ck_assert_uint_eq(rec_of(index, 2)->modseq, 51);
	mail_index_close(&index);

	/* a pure function of the log: replaying gives the same values */
	(void)unlink(test_index_path(""));
	index = test_index_open();
	ck_assert_uint_eq(mail_index_get_header(index)->highest_modseq, 51);
	ck_assert_uint_eq(rec_of(index, 1)->modseq, 50);
	ck_assert_uint_eq(rec_of(index, 2)->modseq, 51);
	ck_assert(!mail_index_is_fscked(index));
	mail_index_close(&index);
}
END_TEST

START_TEST(test_uid_rules)
{
	struct mail_index *index = test_index_open();
	struct mail_index_view *view;
	struct mail_index_transaction *t;
	struct mail_index_commit_result res;
	off_t size;

	t = begin(index, &view, true);
	mail_index_append(t, 10, 0, NULL, 0);
	mail_index_append(t, 0, 0, NULL, 0);
	ck_assert_int_eq(mail_index_transaction_commit(&t, &res), 0);
	mail_index_view_close(&view);
	ck_assert_uint_eq(res.first_uid, 11);
	ck_assert_str_eq(test_index_uids(index), "10,11");
	size = test_file_size(test_index_path(".log"));
	/* UIDs never go backwards: nothing is written */
	t = begin(index, &view, true);
	mail_index_append(t, 5, 0, NULL, 0);
	ck_assert_int_eq(mail_index_transaction_commit(&t, &res), -1);
	mail_index_view_close(&view);
	ck_assert_int_eq(test_file_size(test_index_path(".log")), size);
	/* rollback writes nothing either */
	t = begin(index, &view, true);
	mail_index_append(t, 0, 0, NULL, 0);
	mail_index_transaction_rollback(&t);
	mail_index_view_close(&view);
	ck_assert_int_eq(test_file_size(test_index_path(".log")), size);
	/* header updates: next_uid only grows */
	t = begin(index, &view, true);
	mail_index_update_header(t, MAIL_INDEX_HEADER_UID_VALIDITY, 12345);
	mail_index_update_header(t, MAIL_INDEX_HEADER_NEXT_UID, 3);
	mail_index_update_header(t, MAIL_INDEX_HEADER_FIRST_RECENT_UID, 11);
	commit(&t, &view);
	ck_assert_uint_eq(mail_index_get_header(index)->uid_validity, 12345);
	ck_assert_uint_eq(mail_index_get_header(index)->next_uid, 12);
	ck_assert_uint_eq(mail_index_get_header(index)->first_recent_uid, 11);
	t = begin(index, &view, true);
	mail_index_update_header(t, MAIL_INDEX_HEADER_NEXT_UID, 100);
	commit(&t, &view);
	ck_assert_uint_eq(test_index_append(index, 1, 0), 100);
	mail_index_close(&index);
}
END_TEST

START_TEST(test_ext)
{
	struct mail_index *index = test_index_open(), *index2;
	struct mail_index_view *view;
	struct mail_index_transaction *t;
	unsigned char mbox[24], got[24];
	const void *data;
	uint32_t mbox_id, size_id, vsize = 1234;
	unsigned int a;

	memset(mbox, 0xab, sizeof(mbox));
	mbox_id = mail_index_ext_register(index, "mbox", sizeof(mbox));
	size_id = mail_index_ext_register(index, "vsize", sizeof(vsize));
	ck_assert_uint_eq(mail_index_ext_register(index, "mbox", 24), mbox_id);
	t = begin(index, &view, true);
	a = mail_index_append(t, 0, 0, NULL, 0);
	mail_index_append_ext(t, a, mbox_id, mbox, sizeof(mbox));
	a = mail_index_append(t, 0, 0, NULL, 0);
	mail_index_append_ext(t, a, size_id, &vsize, sizeof(vsize));
	commit(&t, &view);
	ck_assert_int_eq(mail_index_lookup_ext(index, 1, mbox_id, &data), 1);
	ck_assert_int_eq(memcmp(data, mbox, sizeof(mbox)), 0);
	ck_assert_int_eq(mail_index_lookup_ext(index, 2, size_id, &data), 1);
	ck_assert_int_eq(memcmp(data, &vsize, sizeof(vsize)), 0);
	ck_assert_int_eq(mail_index_lookup_ext(index, 3, size_id, &data), 0);
	vsize = 99;
	t = begin(index, &view, true);
	mail_index_update_ext(t, 1, size_id, &vsize, sizeof(vsize));
	commit(&t, &view);
	ck_assert_int_eq(mail_index_write_snapshot(index), 0);

	index2 = test_index_open();
	mbox_id = mail_index_ext_register(index2, "mbox", sizeof(mbox));
	size_id = mail_index_ext_register(index2, "vsize", sizeof(vsize));
	ck_assert_int_eq(mail_index_lookup_ext(index2, 1, mbox_id, &data), 1);
	memcpy(got, data, sizeof(got));
	ck_assert_int_eq(memcmp(got, mbox, sizeof(mbox)), 0);
	ck_assert_int_eq(mail_index_lookup_ext(index2, 1, size_id, &data), 1);
	ck_assert_int_eq(memcmp(data, &vsize, sizeof(vsize)), 0);
	ck_assert_int_eq(mail_index_lookup_ext(index2, 2, mbox_id, &data), 1);
	memset(got, 0, sizeof(got));
	ck_assert_int_eq(memcmp(data, got, sizeof(got)), 0);
	mail_index_close(&index2);
	mail_index_close(&index);
}
END_TEST

START_TEST(test_rotation)
{
	struct mail_index_settings set;
	struct mail_index *index, *index2, *index3;
	struct mail_index_view *view;
	struct mail_index_transaction *t;
	unsigned int i;

	test_index_settings(&set);
	set.log_rotate_max_size = 2048;
	set.rewrite_max_log_bytes = 1 << 30;
	index = test_index_open_set(&set);
	index2 = test_index_open_set(&set);
	for (i = 0; i < 100; i++) {
		test_index_append(index, 1, 0);
		t = begin(index, &view, true);
		mail_index_update_flags(t, i + 1, i + 1, MAIL_INDEX_MODIFY_ADD,
					MAIL_INDEX_MAIL_FLAG_SEEN);
		commit(&t, &view);
	}
	ck_assert_uint_gt(index->log.hdr.file_seq, 3);
	ck_assert_int_gt(test_file_size(test_index_path(".log.2")), 0);
	ck_assert_int_le(test_file_size(test_index_path(".log")), 2048 + 200);
	ck_assert_uint_eq(mail_index_get_header(index)->highest_modseq, 201);
	/* index2 was left behind by several rotations: it can't follow the
	   logs, so it reloads the snapshot */
	ck_assert_int_eq(mail_index_refresh(index2), 0);
	ck_assert_uint_eq(mail_index_get_header(index2)->messages_count, 100);
	ck_assert_uint_eq(mail_index_get_header(index2)->seen_messages_count, 100);
	ck_assert_uint_eq(mail_index_get_header(index2)->highest_modseq, 201);
	/* index2 follows a single rotation through the prev pointer */
	test_index_append(index, 1, 0);
	ck_assert_int_eq(mail_index_refresh(index2), 0);
	ck_assert_int_eq(mail_transaction_log_lock(index), 0);
	ck_assert_int_eq(mail_transaction_log_rotate(index), 0);
	mail_transaction_log_unlock(index);
	test_index_append(index, 1, 0);
	ck_assert_int_eq(mail_index_refresh(index2), 0);
	ck_assert_uint_eq(index2->log.hdr.file_seq, index->log.hdr.file_seq);
	ck_assert_uint_eq(mail_index_get_header(index2)->messages_count, 102);
	ck_assert_uint_eq(mail_index_get_header(index2)->highest_modseq, 203);
	index3 = test_index_open_set(&set);
	ck_assert_uint_eq(mail_index_get_header(index3)->messages_count, 102);
	ck_assert_uint_eq(mail_index_get_header(index3)->highest_modseq, 203);
	ck_assert(!mail_index_is_fscked(index3));
	mail_index_close(&index3);
	mail_index_close(&index2);
	mail_index_close(&index);
}
END_TEST

START_TEST(test_lock_timeout)
{
	struct mail_index_settings set;
	struct mail_index *a, *b;
	struct mail_index_view *view;
	struct mail_index_transaction *t;
	time_t start;

	test_index_settings(&set);
	set.lock_timeout_secs = 1;
	set.fsync_mode = MAIL_INDEX_FSYNC_ALWAYS;
	a = test_index_open_set(&set);
	b = test_index_open_set(&set);
	/* OFD locks: two indexes of one process exclude each other */
	ck_assert_int_eq(mail_transaction_log_lock(a), 0);
	t = begin(b, &view, true);
	mail_index_append(t, 0, 0, NULL, 0);
	start = time(NULL);
	ck_assert_int_eq(mail_index_transaction_commit(&t, NULL), -1);
	mail_index_view_close(&view);
	ck_assert_int_ge(time(NULL) - start, 1);
	ck_assert_int_le(time(NULL) - start, 4);
	mail_transaction_log_unlock(a);
	ck_assert_uint_eq(test_index_append(b, 1, 0), 1);
	ck_assert_int_eq(mail_index_refresh(a), 0);
	ck_assert_str_eq(test_index_uids(a), "1");
	mail_index_close(&a);
	mail_index_close(&b);
}
END_TEST

static const char *expunges_since(struct mail_index *index, uint64_t modseq,
				  int expect_ret)
{
	ARRAY_TYPE(uint32) uids;
	const uint32_t *u;
	unsigned int i, count;
	struct str *str = t_str_new(64);

	array_init(&uids, system_pool, 8);
	ck_assert_int_eq(mail_index_modseq_get_expunges(index, modseq, &uids),
			 expect_ret);
	u = array_get(&uids, &count);
	for (i = 0; i + 1 < count; i += 2)
		str_printfa(str, "%s%u:%u", i == 0 ? "" : ",", u[i], u[i + 1]);
	array_free(&uids);
	return str_c(str);
}

START_TEST(test_modseq_expunges)
{
	struct mail_index *index = test_index_open();
	struct mail_index_view *view;
	struct mail_index_transaction *t;

	test_index_append(index, 5, 0);			/* modseq 2 */
	t = begin(index, &view, true);
	mail_index_expunge(t, 2, 2);			/* 3 */
	commit(&t, &view);
	t = begin(index, &view, false);
	mail_index_expunge(t, 5, 5);			/* request: no */
	mail_index_update_flags(t, 1, 1, MAIL_INDEX_MODIFY_ADD,
				MAIL_INDEX_MAIL_FLAG_SEEN);	/* 4 */
	commit(&t, &view);
	t = begin(index, &view, true);
	mail_index_expunge(t, 3, 4);			/* 5 */
	commit(&t, &view);
	ck_assert_str_eq(expunges_since(index, 0, 1), "2:2,3:4");
	ck_assert_str_eq(expunges_since(index, 2, 1), "2:2,3:4");
	ck_assert_str_eq(expunges_since(index, 3, 1), "3:4");
	ck_assert_str_eq(expunges_since(index, 5, 1), "");
	/* after two rotations the start of the history is gone */
	ck_assert_int_eq(mail_transaction_log_lock(index), 0);
	ck_assert_int_eq(mail_transaction_log_rotate(index), 0);
	mail_transaction_log_unlock(index);
	ck_assert_str_eq(expunges_since(index, 3, 1), "3:4");	/* .log.2 */
	t = begin(index, &view, true);
	mail_index_expunge(t, 1, 1);			/* 6 */
	commit(&t, &view);
	ck_assert_int_eq(mail_transaction_log_lock(index), 0);
	ck_assert_int_eq(mail_transaction_log_rotate(index), 0);
	mail_transaction_log_unlock(index);
	ck_assert_str_eq(expunges_since(index, 5, 1), "1:1");
	ck_assert_str_eq(expunges_since(index, 3, 0), "1:1");	/* partial */
	mail_index_close(&index);
}
END_TEST

/* A damaged transaction in the middle of the log hides the history after
   it: the result must not claim to be complete. */
START_TEST(test_modseq_expunges_corrupt)
{
	struct mail_index *index = test_index_open();
	struct mail_index_view *view;
	struct mail_index_transaction *t;
	uint32_t bad_type = 0xdeadbeef;

	test_index_append(index, 5, 0);			/* modseq 2 */
	t = begin(index, &view, true);
	mail_index_expunge(t, 2, 2);			/* 3 */
	commit(&t, &view);
	ck_assert_str_eq(expunges_since(index, 0, 1), "2:2");
	/* the first transaction's boundary record type */
	test_file_write_at(test_index_path(".log"),
			   sizeof(struct mail_transaction_log_header),
			   &bad_type, sizeof(bad_type));
	ck_assert_str_eq(expunges_since(index, 0, 0), "");
	mail_index_close(&index);
}
END_TEST

static void copy_file(const char *src, const char *dest)
{
	char buf[65536];
	ssize_t ret;
	int in = open(src, O_RDONLY), out;

	ck_assert_int_ge(in, 0);
	out = open(dest, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(out, 0);
	while ((ret = read(in, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)ret), ret);
	close(in);
	close(out);
}

/* Exercises every record type; with INDEX_FUZZ_SEEDS=<tests/fuzz/corpus>
   set, the files become the fuzz targets' seed corpora. */
static bool rec_has_keyword(struct mail_index *index, uint32_t uid,
			    const char *name)
{
	const struct mail_index_record *rec = rec_of(index, uid);
	int idx = mail_index_keyword_lookup(index, name);

	ck_assert_ptr_nonnull(rec);
	ck_assert_int_ge(idx, 0);
	return (rec->keywords[idx / 8] & (1 << (idx % 8))) != 0;
}

/* The state test_all_record_types leaves: UID 1 Seen+Deleted with $Junk
   removed (its expunge was only a request), UID 3 with its keywords reset
   after "Work" was added, modseq 77 and the ext value. */
static void check_all_record_types(struct mail_index *index, uint32_t ext_id)
{
	const struct mail_index_header *hdr = mail_index_get_header(index);
	const void *data;
	uint32_t val;

	ck_assert_str_eq(test_index_uids(index), "1,3");
	ck_assert_uint_eq(hdr->highest_modseq, 77);
	ck_assert_uint_eq(hdr->uid_validity, 1700000000);
	ck_assert_uint_eq(hdr->first_recent_uid, 3);
	ck_assert_uint_eq(hdr->next_uid, 4);
	ck_assert_uint_eq(hdr->seen_messages_count, 1);
	ck_assert_uint_eq(hdr->deleted_messages_count, 1);
	ck_assert_uint_eq(rec_of(index, 1)->flags,
			  MAIL_INDEX_MAIL_FLAG_SEEN | MAIL_INDEX_MAIL_FLAG_DELETED);
	ck_assert_uint_eq(rec_of(index, 3)->flags, 0);
	ck_assert(!rec_has_keyword(index, 1, "$Junk"));
	ck_assert(!rec_has_keyword(index, 1, "Work"));
	ck_assert(!rec_has_keyword(index, 3, "Work"));
	ck_assert(!rec_has_keyword(index, 3, "$Junk"));
	ck_assert_uint_eq(rec_of(index, 3)->modseq, 77);
	ck_assert_int_eq(mail_index_lookup_ext(index, 1, ext_id, &data), 1);
	memcpy(&val, data, sizeof(val));
	ck_assert_uint_eq(val, 7);
	ck_assert_int_eq(mail_index_lookup_ext(index, 3, ext_id, &data), 1);
	memcpy(&val, data, sizeof(val));
	ck_assert_uint_eq(val, 8);
}

START_TEST(test_all_record_types)
{
	struct mail_index *index = test_index_open();
	struct mail_index_view *view;
	struct mail_index_transaction *t;
	const char *kws[] = { "$Junk" }, *dir = getenv("INDEX_FUZZ_SEEDS");
	struct mail_index *index2;
	uint32_t ext_id, val = 7;
	unsigned int a;

	ext_id = mail_index_ext_register(index, "hdr-vsize", sizeof(val));
	t = begin(index, &view, true);
	mail_index_update_header(t, MAIL_INDEX_HEADER_UID_VALIDITY, 1700000000);
	a = mail_index_append(t, 0, MAIL_INDEX_MAIL_FLAG_SEEN, kws, 1);
	mail_index_append_ext(t, a, ext_id, &val, sizeof(val));
	mail_index_append(t, 0, MAIL_INDEX_MAIL_FLAG_DRAFT, NULL, 0);
	mail_index_append(t, 0, 0, NULL, 0);
	commit(&t, &view);
	if (dir != NULL) {
		copy_file(test_index_path(""),
			  tmp_printf("%s/index-file/appends", dir));
		copy_file(test_index_path(".log"),
			  tmp_printf("%s/index-log/appends", dir));
	}
	t = begin(index, &view, false);
	mail_index_update_flags(t, 1, 2, MAIL_INDEX_MODIFY_ADD,
				MAIL_INDEX_MAIL_FLAG_DELETED);
	ck_assert_int_eq(mail_index_update_keyword(t, 2, 3,
			 MAIL_INDEX_MODIFY_ADD, "Work"), 0);
	ck_assert_int_eq(mail_index_update_keyword(t, 1, 1,
			 MAIL_INDEX_MODIFY_REMOVE, "$Junk"), 0);
	mail_index_reset_keywords(t, 3, 3);
	mail_index_expunge(t, 1, 1);
	commit(&t, &view);
	/* "Work" stays on UID 2; UID 3's reset came after it; the expunge of
	   UID 1 is only a request */
	ck_assert_str_eq(test_index_uids(index), "1,2,3");
	ck_assert(rec_has_keyword(index, 2, "Work"));
	ck_assert(!rec_has_keyword(index, 3, "Work"));
	ck_assert(!rec_has_keyword(index, 1, "$Junk"));
	ck_assert_uint_eq(rec_of(index, 2)->flags,
			  MAIL_INDEX_MAIL_FLAG_DRAFT | MAIL_INDEX_MAIL_FLAG_DELETED);
	t = begin(index, &view, true);
	mail_index_expunge(t, 2, 2);
	mail_index_update_modseq(t, 3, 77);
	val = 8;
	mail_index_update_ext(t, 3, ext_id, &val, sizeof(val));
	mail_index_update_header(t, MAIL_INDEX_HEADER_FIRST_RECENT_UID, 3);
	commit(&t, &view);
	check_all_record_types(index, ext_id);
	ck_assert_int_eq(mail_index_write_snapshot(index), 0);
	/* another process reading the files sees the same */
	index2 = test_index_open();
	check_all_record_types(index2, mail_index_ext_register(index2,
				"hdr-vsize", sizeof(val)));
	mail_index_close(&index2);
	if (dir != NULL) {
		copy_file(test_index_path(""),
			  tmp_printf("%s/index-file/all-types", dir));
		copy_file(test_index_path(".log"),
			  tmp_printf("%s/index-log/all-types", dir));
	}
	mail_index_close(&index);
}
END_TEST

/* The in-memory replay (fuzz target) agrees with the file reader. */
START_TEST(test_replay_log_buffer)
{
	struct mail_index *index = test_index_open();
	struct mail_index_map *map;
	unsigned char *data;
	off_t size;
	int fd;

	test_index_append(index, 5, MAIL_INDEX_MAIL_FLAG_SEEN);
	size = test_file_size(test_index_path(".log"));
	data = p_malloc(system_pool, (size_t)size);
	fd = open(test_index_path(".log"), O_RDONLY);
	ck_assert_int_eq(read(fd, data, (size_t)size), size);
	close(fd);
	map = mail_index_map_create(1);
	ck_assert_uint_eq(mail_index_map_replay_log(map, data, (size_t)size,
						    1 << 20), size);
	ck_assert_uint_eq(map->hdr.messages_count, 5);
	ck_assert_uint_eq(map->hdr.seen_messages_count, 5);
	ck_assert_uint_eq(map->hdr.highest_modseq, 2);
	mail_index_map_free(&map);
	/* cut in the middle of the transaction: nothing applied */
	map = mail_index_map_create(1);
	ck_assert_uint_eq(mail_index_map_replay_log(map, data,
			  (size_t)size - 8, 1 << 20), 40);
	ck_assert_uint_eq(map->hdr.messages_count, 0);
	mail_index_map_free(&map);
	p_free(system_pool, data);
	mail_index_close(&index);
}
END_TEST

Suite *test_mail_index_suite(void)
{
	Suite *s = suite_create("mail-index");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, test_index_setup, test_index_teardown);
	tcase_add_test(tc, test_open_create);
	tcase_add_test(tc, test_append_roundtrip);
	tcase_add_test(tc, test_flags_keywords);
	tcase_add_test(tc, test_expunge_and_sync);
	tcase_add_test(tc, test_expunge_many_ranges);
	tcase_add_test(tc, test_expunge_record_ranges);
	tcase_add_test(tc, test_modseq);
	tcase_add_test(tc, test_uid_rules);
	tcase_add_test(tc, test_ext);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_lock_timeout);
	tcase_add_test(tc, test_modseq_expunges);
	tcase_add_test(tc, test_modseq_expunges_corrupt);
	tcase_add_test(tc, test_all_record_types);
	tcase_add_test(tc, test_replay_log_buffer);
	suite_add_tcase(s, tc);
	return s;
}
