/* Copyright (c) dovecot-like authors. The cache file: add/lookup across
   processes, bitmask merging, caching decisions, purge, and corrupt files
   being dropped. */

#include "lib.h"
#include "test-index.h"
#include "mail-cache-private.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

enum { F_SUBJECT, F_VSIZE, F_FLAGS, F_ENVELOPE, F_FORCED, F_COUNT };

static void register_fields(struct mail_cache *cache)
{
	struct mail_cache_field fields[F_COUNT] = {
		{ "hdr.subject", MAIL_CACHE_FIELD_HEADER, 0,
		  MAIL_CACHE_DECISION_TEMP, 0, 0 },
		{ "size.virtual", MAIL_CACHE_FIELD_FIXED_SIZE, 8,
		  MAIL_CACHE_DECISION_YES, 0, 0 },
		{ "flags", MAIL_CACHE_FIELD_BITMASK, 4,
		  MAIL_CACHE_DECISION_TEMP, 0, 0 },
		{ "imap.envelope", MAIL_CACHE_FIELD_STRING, 0,
		  MAIL_CACHE_DECISION_NO, 0, 0 },
		{ "guid", MAIL_CACHE_FIELD_STRING, 0,
		  MAIL_CACHE_DECISION_TEMP | MAIL_CACHE_DECISION_FORCED, 0, 0 },
	};
	unsigned int i;

	ck_assert_int_eq(mail_cache_register_fields(cache, fields, F_COUNT), 0);
	for (i = 0; i < F_COUNT; i++)
		ck_assert_uint_eq(fields[i].idx, i);
}

static const char *lookup(struct mail_cache_view *cv, uint32_t uid,
			  unsigned int field)
{
	struct buf *buf = buf_create(system_pool, 64);
	const char *ret = NULL;

	if (mail_cache_lookup_field(cv, uid, field, 0, buf) > 0)
		ret = tmp_strndup(buf->data, buf->used);
	buf_free(&buf);
	return ret;
}

static void read_file_header(struct mail_cache_header *hdr_r)
{
	int fd = open(test_index_path(".cache"), O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, hdr_r, sizeof(*hdr_r), 0), sizeof(*hdr_r));
	ck_assert_int_eq(close(fd), 0);
}

START_TEST(test_cache_add_lookup)
{
	struct mail_index *index = test_index_open(), *index2;
	struct mail_cache *cache = mail_cache_open(index), *cache2;
	struct mail_index_view *view = mail_index_view_open(index);
	struct mail_cache_view *cv = mail_cache_view_open(cache, view), *cv2;
	uint64_t vsize = 4242;
	uint32_t bits1 = 0x01, bits2 = 0x10;
	struct buf *buf = buf_create(system_pool, 16);
	char big[10000];
	struct mail_cache_header hdr;
	const char *s;

	register_fields(cache);
	test_index_append(index, 3, 0);
	mail_cache_add(cv, 1, F_SUBJECT, "Subject: hi\r\n", 13);
	mail_cache_add(cv, 1, F_VSIZE, &vsize, sizeof(vsize));
	mail_cache_add(cv, 1, F_VSIZE, &vsize, 3);	/* wrong size: ignored */
	mail_cache_add(cv, 2, F_FLAGS, &bits1, sizeof(bits1));
	mail_cache_add(cv, 2, F_ENVELOPE, "env", 3);	/* NO: ignored */
	ck_assert_ptr_null(lookup(cv, 1, F_SUBJECT));	/* not flushed */
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	/* the header written by the flush counts the new field block */
	read_file_header(&hdr);
	ck_assert_uint_eq(hdr.field_block_count, 1);
	ck_assert_uint_eq(hdr.record_count, 2);
	s = lookup(cv, 1, F_SUBJECT);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "Subject: hi\r\n");
	ck_assert_int_eq(mail_cache_lookup_field(cv, 1, F_VSIZE, 0, buf), 1);
	ck_assert_uint_eq(buf->used, 8);
	ck_assert_int_eq(memcmp(buf->data, &vsize, 8), 0);
	ck_assert_ptr_null(lookup(cv, 3, F_SUBJECT));
	ck_assert_ptr_null(lookup(cv, 2, F_ENVELOPE));

	/* another process: sees it; its bitmask addition is ORed in */
	index2 = test_index_open();
	cache2 = mail_cache_open(index2);
	register_fields(cache2);
	cv2 = mail_cache_view_open(cache2, view);
	ck_assert_str_eq(lookup(cv2, 1, F_SUBJECT), "Subject: hi\r\n");
	mail_cache_add(cv2, 2, F_FLAGS, &bits2, sizeof(bits2));
	mail_cache_add(cv2, 2, F_SUBJECT, "Subject: two\r\n", 14);
	mail_cache_view_close(&cv2);
	ck_assert_int_eq(mail_index_refresh(index), 0);
	buf_reset(buf);
	ck_assert_int_eq(mail_cache_lookup_field(cv, 2, F_FLAGS, 0, buf), 1);
	ck_assert_uint_eq(buf->used, 4);
	ck_assert_uint_eq(buf->data[0], 0x11);
	ck_assert_str_eq(lookup(cv, 2, F_SUBJECT), "Subject: two\r\n");
	/* the file's header (not our in-memory copy) counts both */
	read_file_header(&hdr);
	ck_assert_uint_eq(hdr.record_count, 2);
	ck_assert_uint_eq(hdr.continued_record_count, 1);
	ck_assert_uint_eq(hdr.field_block_count, 1);
	ck_assert_int_eq(mail_cache_reopen(cache), 1);

	/* a record larger than one read-ahead, written by the other
	   process after this one last looked at the file size */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cv2 = mail_cache_view_open(cache2, view);
	mail_cache_add(cv2, 3, F_SUBJECT, big, sizeof(big) - 1);
	mail_cache_view_close(&cv2);
	ck_assert_int_eq(mail_index_refresh(index), 0);
	ck_assert_str_eq(lookup(cv, 3, F_SUBJECT), big);
	ck_assert_str_eq(lookup(cv, 1, F_SUBJECT), "Subject: hi\r\n");

	buf_free(&buf);
	mail_cache_view_close(&cv);
	mail_index_view_close(&view);
	mail_cache_free(&cache2);
	mail_cache_free(&cache);
	mail_index_close(&index2);
	mail_index_close(&index);
}
END_TEST

START_TEST(test_cache_decisions)
{
	struct mail_index *index = test_index_open(), *index2;
	struct mail_cache *cache = mail_cache_open(index), *cache2;
	struct mail_index_view *view = mail_index_view_open(index);
	struct mail_cache_view *cv = mail_cache_view_open(cache, view);
	struct buf *buf = buf_create(system_pool, 16);

	register_fields(cache);
	test_index_append(index, 3, 0);
	/* a client asks for a NO field: it becomes TEMP */
	(void)lookup(cv, 1, F_ENVELOPE);
	ck_assert_int_eq(mail_cache_field_get_decision(cache, F_ENVELOPE),
			 MAIL_CACHE_DECISION_TEMP);
	/* ascending access keeps TEMP ... */
	(void)lookup(cv, 2, F_ENVELOPE);
	(void)lookup(cv, 3, F_ENVELOPE);
	ck_assert_int_eq(mail_cache_field_get_decision(cache, F_ENVELOPE),
			 MAIL_CACHE_DECISION_TEMP);
	/* ... going back turns it into YES */
	(void)lookup(cv, 1, F_ENVELOPE);
	ck_assert_int_eq(mail_cache_field_get_decision(cache, F_ENVELOPE),
			 MAIL_CACHE_DECISION_YES);
	/* old mail turns TEMP into YES too */
	ck_assert_int_eq(mail_cache_lookup_field(cv, 3, F_FLAGS,
			 time(NULL) - 8 * 24 * 3600, buf), 0);
	ck_assert_int_eq(mail_cache_field_get_decision(cache, F_FLAGS),
			 MAIL_CACHE_DECISION_YES);
	/* FORCED never changes */
	(void)lookup(cv, 3, F_FORCED);
	(void)lookup(cv, 1, F_FORCED);
	ck_assert_int_eq(mail_cache_field_get_decision(cache, F_FORCED),
			 MAIL_CACHE_DECISION_TEMP | MAIL_CACHE_DECISION_FORCED);
	/* decisions are stored in the file for other processes */
	mail_cache_add(cv, 1, F_ENVELOPE, "env", 3);
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	index2 = test_index_open();
	cache2 = mail_cache_open(index2);
	ck_assert_int_eq(mail_cache_field_get_decision(cache2,
		(unsigned int)mail_cache_field_lookup(cache2, "imap.envelope")),
		MAIL_CACHE_DECISION_YES);
	ck_assert_int_eq(mail_cache_field_get_decision(cache2,
		(unsigned int)mail_cache_field_lookup(cache2, "flags")),
		MAIL_CACHE_DECISION_YES);
	mail_cache_free(&cache2);
	mail_index_close(&index2);

	buf_free(&buf);
	mail_cache_view_close(&cv);
	mail_index_view_close(&view);
	mail_cache_free(&cache);
	mail_index_close(&index);
}
END_TEST

START_TEST(test_cache_purge)
{
	struct mail_index_settings set;
	struct mail_index *index;
	struct mail_cache *cache;
	struct mail_index_view *view;
	struct mail_cache_view *cv;
	struct mail_index_transaction *t;
	uint32_t old_seq, i, bits;
	off_t old_size;
	struct buf *buf = buf_create(system_pool, 16);

	test_index_settings(&set);
	set.cache_purge_min_size = 0;
	index = test_index_open_set(&set);
	cache = mail_cache_open(index);
	view = mail_index_view_open(index);
	cv = mail_cache_view_open(cache, view);
	register_fields(cache);
	test_index_append(index, 3, 0);
	for (i = 0; i < 5; i++) {
		/* continuation records */
		mail_cache_add(cv, 1, F_SUBJECT, "Subject: 1\r\n", 12);
		mail_cache_add(cv, 2, F_SUBJECT, "Subject: 2\r\n", 12);
		mail_cache_add(cv, 3, F_SUBJECT, "Subject: 3\r\n", 12);
		ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	}
	ck_assert_uint_eq(cache->hdr.record_count, 3);
	ck_assert_uint_eq(cache->hdr.continued_record_count, 12);
	/* uid 3: a newer subject and two bitmask parts in separate records */
	bits = 0x02;
	mail_cache_add(cv, 3, F_FLAGS, &bits, sizeof(bits));
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	bits = 0x40;
	mail_cache_add(cv, 3, F_FLAGS, &bits, sizeof(bits));
	mail_cache_add(cv, 3, F_SUBJECT, "Subject: 3b\r\n", 13);
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	ck_assert_uint_eq(cache->hdr.continued_record_count, 14);
	ck_assert(mail_cache_need_purge(cache));
	t = mail_index_transaction_begin(view,
					 MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
	mail_index_expunge(t, 2, 2);
	ck_assert_int_eq(mail_index_transaction_commit(&t, NULL), 0);
	old_seq = cache->hdr.file_seq;
	old_size = test_file_size(test_index_path(".cache"));
	ck_assert_int_eq(mail_cache_purge(cache), 0);
	ck_assert_uint_gt(cache->hdr.file_seq, old_seq);
	ck_assert_uint_eq(cache->hdr.record_count, 2);
	ck_assert_uint_eq(cache->hdr.continued_record_count, 0);
	ck_assert_int_lt(test_file_size(test_index_path(".cache")), old_size);
	ck_assert_str_eq(lookup(cv, 1, F_SUBJECT), "Subject: 1\r\n");
	ck_assert_str_eq(lookup(cv, 3, F_SUBJECT), "Subject: 3b\r\n");
	ck_assert_int_eq(mail_cache_lookup_field(cv, 3, F_FLAGS, 0, buf), 1);
	ck_assert_uint_eq(buf->used, 4);
	memcpy(&bits, buf->data, sizeof(bits));
	ck_assert_uint_eq(bits, 0x42);
	buf_free(&buf);
	ck_assert(!mail_cache_need_purge(cache));
	mail_cache_view_close(&cv);
	mail_index_view_close(&view);
	mail_cache_free(&cache);
	mail_index_close(&index);
}
END_TEST

/* Damage to the structures of a cache file written by three flushes of two
   32-byte records each (header 32 bytes, then the field block; uid 2's
   newest record is the last 32 bytes: {prev_offset, size}, then its item
   {file_field, data_len}, then the data). */
static const struct {
	off_t offset;
	const char *data;
	size_t size;
	bool in_record;	/* found by a lookup, not only by (re)opening */
} cache_damage[] = {
	{ 0, "XXXX", 4, false },				/* magic */
	{ 8, "\x01\x02", 2, false },				/* indexid */
	{ 24, "\xff\xff\xff", 3, false },		/* field_header_offset */
	{ -32, "\xff\xff\xff\x7f\xff\xff\xff\x7f", 8, true }, /* record */
	{ -24, "\x08\x00\x00\x00\xf0\xff\x00\x00", 8, true }, /* item */
};

/* A lookup after damage gives nothing or exactly what was stored. */
static void assert_lookup_intact(struct mail_cache_view *cv, uint32_t uid,
				 const char *expected)
{
	const char *s = lookup(cv, uid, F_SUBJECT);

	if (s != NULL)
		ck_assert_str_eq(s, expected);
}

START_TEST(test_cache_corrupt)
{
	struct mail_index *index = test_index_open();
	struct mail_cache *cache = mail_cache_open(index);
	struct mail_index_view *view = mail_index_view_open(index);
	struct mail_cache_view *cv = mail_cache_view_open(cache, view);
	const char *path = test_index_path(".cache");
	off_t size, off = cache_damage[_i].offset;
	unsigned int i;

	register_fields(cache);
	test_index_append(index, 2, 0);
	for (i = 0; i < 3; i++) {
		mail_cache_add(cv, 1, F_SUBJECT, "Subject: 1\r\n", 12);
		mail_cache_add(cv, 2, F_SUBJECT, "Subject: 2\r\n", 12);
		ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	}
	ck_assert_str_eq(lookup(cv, 2, F_SUBJECT), "Subject: 2\r\n");
	size = test_file_size(path);
	test_file_write_at(path, off < 0 ? size + off : off,
			   cache_damage[_i].data, cache_damage[_i].size);
	/* same process: uid 2's chain starts at the damaged record */
	if (cache_damage[_i].in_record) {
		ck_assert_ptr_null(lookup(cv, 2, F_SUBJECT));
		ck_assert_int_eq(access(path, F_OK), -1);
	} else {
		assert_lookup_intact(cv, 2, "Subject: 2\r\n");
	}
	assert_lookup_intact(cv, 1, "Subject: 1\r\n");
	mail_cache_view_close(&cv);
	mail_cache_free(&cache);
	/* another process: the damaged file is dropped, nothing is returned */
	cache = mail_cache_open(index);
	register_fields(cache);
	cv = mail_cache_view_open(cache, view);
	ck_assert_ptr_null(lookup(cv, 2, F_SUBJECT));
	ck_assert_ptr_null(lookup(cv, 1, F_SUBJECT));
	/* gone, or replaced by a fresh file without records (the first
	   process writes its changed field decisions when closing) */
	ck_assert_int_lt(test_file_size(path), size);
	/* the cache works again afterwards */
	mail_cache_add(cv, 2, F_SUBJECT, "Subject: new\r\n", 14);
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	ck_assert_str_eq(lookup(cv, 2, F_SUBJECT), "Subject: new\r\n");
	mail_cache_view_close(&cv);
	mail_index_view_close(&view);
	mail_cache_free(&cache);
	mail_index_close(&index);
}
END_TEST

START_TEST(test_cache_deleted)
{
	struct mail_index *index = test_index_open();
	struct mail_cache *cache = mail_cache_open(index);
	struct mail_index_view *view = mail_index_view_open(index);
	struct mail_cache_view *cv = mail_cache_view_open(cache, view);

	register_fields(cache);
	test_index_append(index, 1, 0);
	mail_cache_add(cv, 1, F_SUBJECT, "Subject: 1\r\n", 12);
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	ck_assert_int_eq(unlink(test_index_path(".cache")), 0);
	ck_assert_ptr_null(lookup(cv, 1, F_SUBJECT));
	mail_cache_add(cv, 1, F_SUBJECT, "Subject: 2\r\n", 12);
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	ck_assert_str_eq(lookup(cv, 1, F_SUBJECT), "Subject: 2\r\n");
	mail_cache_view_close(&cv);
	mail_index_view_close(&view);
	mail_cache_free(&cache);
	mail_index_close(&index);
}
END_TEST

Suite *test_mail_cache_suite(void)
{
	Suite *s = suite_create("mail-cache");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, test_index_setup, test_index_teardown);
	tcase_add_test(tc, test_cache_add_lookup);
	tcase_add_test(tc, test_cache_decisions);
	tcase_add_test(tc, test_cache_purge);
	tcase_add_loop_test(tc, test_cache_corrupt, 0, N_ELEMENTS(cache_damage));
	tcase_add_test(tc, test_cache_deleted);
	suite_add_tcase(s, tc);
	return s;
}
