/* Copyright (c) dovecot-like authors. Views: fixed MSN <-> UID mapping until
   an explicit view sync, which reports expunges (with EXPUNGE numbers),
   appends and flag/keyword changes. */

#include "lib.h"
#include "test-index.h"

struct expect {
	enum mail_index_view_sync_type type;
	uint32_t uid, seq;
};

static void check_sync(struct mail_index_view *view,
		       const struct expect *exp, unsigned int count)
{
	struct mail_index_view_sync_ctx *ctx;
	struct mail_index_view_sync_rec rec;
	unsigned int i = 0;

	ck_assert_int_eq(mail_index_view_sync_begin(view, &ctx), 0);
	while (mail_index_view_sync_next(ctx, &rec)) {
		ck_assert_uint_lt(i, count);
		ck_assert_int_eq(rec.type, exp[i].type);
		ck_assert_uint_eq(rec.uid, exp[i].uid);
		ck_assert_uint_eq(rec.seq, exp[i].seq);
		i++;
	}
	ck_assert_uint_eq(i, count);
	mail_index_view_sync_end(&ctx);
}

START_TEST(test_two_views)
{
	struct mail_index *index = test_index_open();
	struct mail_index_view *v1, *v2, *tv;
	struct mail_index_transaction *t;
	uint32_t seq1, seq2, uid;
	static const struct expect exp1[] = {
		{ MAIL_INDEX_VIEW_SYNC_EXPUNGE, 2, 2 },
		{ MAIL_INDEX_VIEW_SYNC_EXPUNGE, 3, 2 },
		{ MAIL_INDEX_VIEW_SYNC_APPEND, 5, 3 },
		{ MAIL_INDEX_VIEW_SYNC_CHANGE, 4, 2 },
	};

	test_index_append(index, 4, 0);
	v1 = mail_index_view_open(index);
	v2 = mail_index_view_open(index);
	ck_assert_uint_eq(mail_index_view_get_messages_count(v1), 4);

	tv = mail_index_view_open(index);
	t = mail_index_transaction_begin(tv, MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
	mail_index_expunge(t, 2, 3);
	mail_index_update_flags(t, 4, 4, MAIL_INDEX_MODIFY_ADD,
				MAIL_INDEX_MAIL_FLAG_SEEN);
	mail_index_append(t, 0, 0, NULL, 0);
	ck_assert_int_eq(mail_index_transaction_commit(&t, NULL), 0);
	mail_index_view_close(&tv);

	/* nothing moves before the sync */
	ck_assert_uint_eq(mail_index_view_get_messages_count(v1), 4);
	ck_assert(mail_index_lookup_uid(v1, 3, &uid));
	ck_assert_uint_eq(uid, 3);
	check_sync(v1, exp1, N_ELEMENTS(exp1));
	ck_assert_uint_eq(mail_index_view_get_messages_count(v1), 3);
	ck_assert(mail_index_lookup_seq(v1, 5, &seq1));
	ck_assert_uint_eq(seq1, 3);
	ck_assert(!mail_index_lookup_seq(v1, 2, &seq1));
	ck_assert(mail_index_lookup_seq_range(v1, 2, 100, &seq1, &seq2));
	ck_assert_uint_eq(seq1, 2);
	ck_assert_uint_eq(seq2, 3);
	ck_assert(!mail_index_lookup_seq_range(v1, 6, 100, &seq1, &seq2));
	/* a second sync has nothing more */
	check_sync(v1, NULL, 0);
	/* v2 sees the same changes independently */
	ck_assert_uint_eq(mail_index_view_get_messages_count(v2), 4);
	check_sync(v2, exp1, N_ELEMENTS(exp1));
	mail_index_view_close(&v1);
	mail_index_view_close(&v2);
	mail_index_close(&index);
}
END_TEST

START_TEST(test_view_other_index)
{
	/* two index objects = two processes' view of the same mailbox */
	struct mail_index *a = test_index_open(), *b = test_index_open();
	struct mail_index_view *vb = mail_index_view_open(b);
	static const struct expect exp[] = {
		{ MAIL_INDEX_VIEW_SYNC_APPEND, 1, 1 },
		{ MAIL_INDEX_VIEW_SYNC_APPEND, 2, 2 },
	};

	test_index_append(a, 2, 0);
	check_sync(vb, exp, N_ELEMENTS(exp));
	/* b's append gets uid 3 although b's map was behind before commit */
	ck_assert_uint_eq(test_index_append(b, 1, 0), 3);
	ck_assert_int_eq(mail_index_refresh(a), 0);
	ck_assert_str_eq(test_index_uids(a), "1,2,3");
	mail_index_view_close(&vb);
	mail_index_close(&a);
	mail_index_close(&b);
}
END_TEST

static void rotate(struct mail_index *index)
{
	ck_assert_int_eq(mail_transaction_log_lock(index), 0);
	ck_assert_int_eq(mail_transaction_log_rotate(index), 0);
	mail_transaction_log_unlock(index);
}

/* A view whose index reloads (several log rotations behind) still gets
   exactly the changes, and nothing when nothing changed. */
START_TEST(test_view_sync_reload)
{
	struct mail_index *a = test_index_open(), *b = test_index_open();
	struct mail_index_view *vb = mail_index_view_open(b), *tv;
	struct mail_index_transaction *t;
	uint32_t uid;
	static const struct expect exp1[] = {
		{ MAIL_INDEX_VIEW_SYNC_APPEND, 1, 1 },
		{ MAIL_INDEX_VIEW_SYNC_APPEND, 2, 2 },
		{ MAIL_INDEX_VIEW_SYNC_APPEND, 3, 3 },
	};
	static const struct expect exp2[] = {
		{ MAIL_INDEX_VIEW_SYNC_EXPUNGE, 2, 2 },
		{ MAIL_INDEX_VIEW_SYNC_CHANGE, 3, 2 },
	};

	test_index_append(a, 3, 0);
	check_sync(vb, exp1, N_ELEMENTS(exp1));
	check_sync(vb, NULL, 0);
	tv = mail_index_view_open(a);
	t = mail_index_transaction_begin(tv, MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
	mail_index_expunge(t, 2, 2);
	ck_assert_int_eq(mail_index_transaction_commit(&t, NULL), 0);
	rotate(a);
	t = mail_index_transaction_begin(tv, MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
	mail_index_update_flags(t, 3, 3, MAIL_INDEX_MODIFY_ADD,
				MAIL_INDEX_MAIL_FLAG_SEEN);
	ck_assert_int_eq(mail_index_transaction_commit(&t, NULL), 0);
	mail_index_view_close(&tv);
	rotate(a);
	rotate(a);
	/* b has not looked yet: its view is unchanged */
	ck_assert_uint_eq(mail_index_view_get_messages_count(vb), 3);
	check_sync(vb, exp2, N_ELEMENTS(exp2));
	ck_assert_uint_eq(mail_index_view_get_messages_count(vb), 2);
	ck_assert(mail_index_lookup_uid(vb, 2, &uid));
	ck_assert_uint_eq(uid, 3);
	ck_assert_uint_eq(mail_index_view_get_header(vb)->log_file_seq,
			  mail_index_get_header(a)->log_file_seq);
	check_sync(vb, NULL, 0);
	ck_assert_str_eq(test_index_uids(b), "1,3");
	mail_index_view_close(&vb);
	mail_index_close(&a);
	mail_index_close(&b);
}
END_TEST

Suite *test_index_view_suite(void)
{
	Suite *s = suite_create("mail-index-view");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, test_index_setup, test_index_teardown);
	tcase_add_test(tc, test_two_views);
	tcase_add_test(tc, test_view_other_index);
	tcase_add_test(tc, test_view_sync_reload);
	suite_add_tcase(s, tc);
	return s;
}
