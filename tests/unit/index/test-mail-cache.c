/* Copyright (c) dovecot-like authors. The cache file: add/lookup across
   processes, bitmask merging, caching decisions, purge, and corrupt files
   being dropped. */

#include "lib.h"
#include "test-index.h"
#include "mail-cache-private.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
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
	/* no pending addition of the field for uid 3: nothing is written */
	ck_assert_ptr_null(lookup(cv, 3, F_SUBJECT));
	ck_assert_int_eq(access(test_index_path(".cache"), F_OK), -1);
	/* uid 1's is pending: the lookup writes the additions, then finds
	   it in the file */
	ck_assert_str_eq(lookup(cv, 1, F_SUBJECT), "Subject: hi\r\n");
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);	/* nothing left */
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

/* A field parsed anyway (mail_cache_decision_add): NO and not in the file
   -> TEMP, so the addition is kept; a forced decision, one already wanted
   and a NO the file already has stay as they are. */
START_TEST(test_cache_decision_add)
{
	struct mail_index *index = test_index_open(), *index2;
	struct mail_cache *cache = mail_cache_open(index), *cache2;
	struct mail_index_view *view = mail_index_view_open(index);
	struct mail_cache_view *cv = mail_cache_view_open(cache, view), *cv2;
	struct mail_cache_field never = {
		"hdr.never", MAIL_CACHE_FIELD_VARIABLE_SIZE, 0,
		MAIL_CACHE_DECISION_NO | MAIL_CACHE_DECISION_FORCED, 0, 0
	};
	struct mail_cache_field unused = {
		"hdr.unused", MAIL_CACHE_FIELD_VARIABLE_SIZE, 0,
		MAIL_CACHE_DECISION_NO, 0, 0
	};
	unsigned int unused_idx2;

	register_fields(cache);
	ck_assert_int_eq(mail_cache_register_fields(cache, &never, 1), 0);
	test_index_append(index, 2, 0);
	mail_cache_decision_add(cache, F_ENVELOPE);
	ck_assert_int_eq(mail_cache_field_get_decision(cache, F_ENVELOPE),
			 MAIL_CACHE_DECISION_TEMP);
	mail_cache_add(cv, 1, F_ENVELOPE, "env", 3);
	mail_cache_decision_add(cache, never.idx);
	ck_assert_int_eq(mail_cache_field_get_decision(cache, never.idx),
			 MAIL_CACHE_DECISION_NO | MAIL_CACHE_DECISION_FORCED);
	mail_cache_add(cv, 1, never.idx, "never", 5);	/* NO: ignored */
	mail_cache_decision_add(cache, F_VSIZE);
	ck_assert_int_eq(mail_cache_field_get_decision(cache, F_VSIZE),
			 MAIL_CACHE_DECISION_YES);
	ck_assert_str_eq(lookup(cv, 1, F_ENVELOPE), "env");
	ck_assert_ptr_null(lookup(cv, 1, never.idx));

	/* a NO field the file has (written by another process that didn't
	   add it) stays NO */
	ck_assert_int_eq(mail_cache_register_fields(cache, &unused, 1), 0);
	mail_cache_add(cv, 2, F_ENVELOPE, "env2", 4);
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	index2 = test_index_open();
	cache2 = mail_cache_open(index2);
	cv2 = mail_cache_view_open(cache2, view);
	ck_assert_int_eq(mail_cache_field_lookup(cache2, "hdr.unused") >= 0, 1);
	unused_idx2 = (unsigned int)mail_cache_field_lookup(cache2,
							    "hdr.unused");
	mail_cache_decision_add(cache2, unused_idx2);
	ck_assert_int_eq(mail_cache_field_get_decision(cache2, unused_idx2),
			 MAIL_CACHE_DECISION_NO);
	mail_cache_view_close(&cv2);
	mail_cache_free(&cache2);
	mail_index_close(&index2);

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
	/* another index generation's file: unused, but not deleted */
	bool foreign;
} cache_damage[] = {
	{ 0, "XXXX", 4, false, false },				/* magic */
	{ 8, "\x01\x02", 2, false, true },			/* indexid */
	{ 24, "\xff\xff\xff", 3, false, false },	/* field_header_offset */
	{ -32, "\xff\xff\xff\x7f\xff\xff\xff\x7f", 8, true, false }, /* record */
	{ -24, "\x08\x00\x00\x00\xf0\xff\x00\x00", 8, true, false }, /* item */
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
	size = test_file_size(path);
	test_file_write_at(path, off < 0 ? size + off : off,
			   cache_damage[_i].data, cache_damage[_i].size);
	/* same process, first read of the file since the damage: uid 2's
	   chain starts at the damaged record (bytes read before it would
	   still be served from the read window: records are never
	   rewritten) */
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
	   process writes its changed field decisions when closing); a
	   foreign one stays until a writer replaces it */
	if (cache_damage[_i].foreign)
		ck_assert_int_eq(test_file_size(path), size);
	else
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
	/* the index still points into the file we have open: its data is
	   still this message's (no stat() per lookup) */
	ck_assert_str_eq(lookup(cv, 1, F_SUBJECT), "Subject: 1\r\n");
	/* a writer notices the file is gone and starts a new one */
	mail_cache_add(cv, 1, F_SUBJECT, "Subject: 2\r\n", 12);
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	ck_assert_str_eq(lookup(cv, 1, F_SUBJECT), "Subject: 2\r\n");
	mail_cache_view_close(&cv);
	mail_index_view_close(&view);
	mail_cache_free(&cache);
	mail_index_close(&index);
}
END_TEST

/* Replace the cache file with a copy of it (a new inode, as another
   process's file would be) whose header has the given indexid. */
static void set_file_indexid(uint32_t indexid)
{
	const char *path = test_index_path(".cache");
	const char *tmp = test_index_path(".cache.tmp");
	char data[4096];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, data, sizeof(data));
	ck_assert_int_gt(n, (ssize_t)sizeof(struct mail_cache_header));
	ck_assert_int_eq(close(fd), 0);
	memcpy(data + offsetof(struct mail_cache_header, indexid), &indexid,
	       sizeof(indexid));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, (size_t)n), n);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
}

START_TEST(test_cache_foreign_stale)
{
	struct mail_index *index = test_index_open();
	struct mail_cache *cache = mail_cache_open(index);
	struct mail_index_view *view = mail_index_view_open(index);
	struct mail_cache_view *cv = mail_cache_view_open(cache, view);
	struct mail_cache *cache2;
	struct mail_cache_view *cv2;
	struct mail_cache_header hdr;

	register_fields(cache);
	test_index_append(index, 1, 0);
	mail_cache_add(cv, 1, F_SUBJECT, "Subject: 1\r\n", 12);
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	/* a file of another index generation: not used, not deleted by a
	   reader (it could be a newer index's) */
	set_file_indexid(index->indexid + 1);
	/* a process that has the old file open keeps reading it; one that
	   opens the file now doesn't use the foreign one */
	ck_assert_str_eq(lookup(cv, 1, F_SUBJECT), "Subject: 1\r\n");
	cache2 = mail_cache_open(index);
	register_fields(cache2);
	cv2 = mail_cache_view_open(cache2, view);
	ck_assert_ptr_null(lookup(cv2, 1, F_SUBJECT));
	mail_cache_view_close(&cv2);
	mail_cache_free(&cache2);
	read_file_header(&hdr);
	ck_assert_uint_eq(hdr.indexid, index->indexid + 1);
	/* a writer whose index is the current one replaces it */
	mail_cache_add(cv, 1, F_SUBJECT, "Subject: 2\r\n", 12);
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	read_file_header(&hdr);
	ck_assert_uint_eq(hdr.indexid, index->indexid);
	ck_assert_uint_eq(hdr.record_count, 1);
	ck_assert_str_eq(lookup(cv, 1, F_SUBJECT), "Subject: 2\r\n");
	mail_cache_view_close(&cv);
	mail_index_view_close(&view);
	mail_cache_free(&cache);
	mail_index_close(&index);
}
END_TEST

/* Another process rebuilds the index (new indexid) and caches into a new
   file: a process still on the old index neither deletes that file nor
   replaces it; its own flush follows the rebuild and adds to it. */
START_TEST(test_cache_newer_index_kept)
{
	static const char *const suffixes[] = { "", ".log", ".log.2",
						".cache" };
	struct mail_index *index1 = test_index_open(), *index2;
	struct mail_cache *cache1 = mail_cache_open(index1), *cache2;
	struct mail_index_view *view1 = mail_index_view_open(index1), *view2;
	struct mail_cache_view *cv1 = mail_cache_view_open(cache1, view1), *cv2;
	struct mail_cache_header hdr;
	uint32_t old_id = index1->indexid;
	unsigned int i;
	time_t start = time(NULL);

	register_fields(cache1);
	test_index_append(index1, 1, 0);
	mail_cache_add(cv1, 1, F_SUBJECT, "Subject: old\r\n", 14);
	ck_assert_int_eq(mail_cache_view_flush(cv1), 0);
	for (i = 0; i < N_ELEMENTS(suffixes); i++)
		(void)unlink(test_index_path(suffixes[i]));
	/* indexids are creation times: make the new one differ */
	while (time(NULL) == start)
		(void)usleep(20000);
	index2 = test_index_open();
	ck_assert_uint_ne(index2->indexid, old_id);
	cache2 = mail_cache_open(index2);
	register_fields(cache2);
	test_index_append(index2, 2, 0);
	view2 = mail_index_view_open(index2);
	cv2 = mail_cache_view_open(cache2, view2);
	mail_cache_add(cv2, 1, F_SUBJECT, "Subject: new\r\n", 14);
	ck_assert_int_eq(mail_cache_view_flush(cv2), 0);

	/* the old process looks up: its index still points into the file
	   it has open (no data of the other generation), and the new file
	   stays */
	ck_assert_str_eq(lookup(cv1, 1, F_SUBJECT), "Subject: old\r\n");
	read_file_header(&hdr);
	ck_assert_uint_eq(hdr.indexid, index2->indexid);
	/* its flush follows the rebuilt index into the same file */
	mail_cache_add(cv1, 2, F_SUBJECT, "Subject: two\r\n", 14);
	ck_assert_int_eq(mail_cache_view_flush(cv1), 0);
	ck_assert_uint_eq(index1->indexid, index2->indexid);
	read_file_header(&hdr);
	ck_assert_uint_eq(hdr.indexid, index2->indexid);
	ck_assert_int_eq(mail_index_refresh(index2), 0);
	ck_assert_str_eq(lookup(cv2, 1, F_SUBJECT), "Subject: new\r\n");
	ck_assert_str_eq(lookup(cv2, 2, F_SUBJECT), "Subject: two\r\n");

	mail_cache_view_close(&cv2);
	mail_cache_view_close(&cv1);
	mail_index_view_close(&view2);
	mail_index_view_close(&view1);
	mail_cache_free(&cache2);
	mail_cache_free(&cache1);
	mail_index_close(&index2);
	mail_index_close(&index1);
}
END_TEST

/* A record holding a field that another process added to the file after
   this one read the field list is read (the list re-read), not taken for
   corruption; a field registered here but not yet in our copy of the list
   is found once another process has added it. */
START_TEST(test_cache_field_added_by_other)
{
	struct mail_index *index = test_index_open(), *index2;
	struct mail_cache *cache = mail_cache_open(index), *cache2;
	struct mail_index_view *view = mail_index_view_open(index);
	struct mail_cache_view *cv = mail_cache_view_open(cache, view), *cv2;
	struct mail_cache_field extra = {
		"hdr.x-extra", MAIL_CACHE_FIELD_HEADER, 0,
		MAIL_CACHE_DECISION_YES, 0, 0 };
	struct mail_cache_field extra2 = extra;
	struct mail_cache_header hdr;

	register_fields(cache);
	test_index_append(index, 1, 0);
	mail_cache_add(cv, 1, F_SUBJECT, "Subject: 1\r\n", 12);
	ck_assert_int_eq(mail_cache_view_flush(cv), 0);
	ck_assert_str_eq(lookup(cv, 1, F_SUBJECT), "Subject: 1\r\n");
	/* registered here, unknown to the file */
	ck_assert_int_eq(mail_cache_register_fields(cache, &extra, 1), 0);

	index2 = test_index_open();
	cache2 = mail_cache_open(index2);
	register_fields(cache2);
	ck_assert_int_eq(mail_cache_register_fields(cache2, &extra2, 1), 0);
	cv2 = mail_cache_view_open(cache2, view);
	mail_cache_add(cv2, 1, extra2.idx, "X-Extra: e\r\n", 12);
	mail_cache_add(cv2, 1, F_SUBJECT, "Subject: 2\r\n", 12);
	mail_cache_view_close(&cv2);
	ck_assert_int_eq(mail_index_refresh(index), 0);

	/* the newest record holds a field we haven't read the definition
	   of yet */
	ck_assert_str_eq(lookup(cv, 1, F_SUBJECT), "Subject: 2\r\n");
	ck_assert_str_eq(lookup(cv, 1, extra.idx), "X-Extra: e\r\n");
	ck_assert_int_eq(access(test_index_path(".cache"), F_OK), 0);
	read_file_header(&hdr);
	ck_assert_uint_eq(hdr.field_block_count, 2);
	ck_assert_uint_eq(hdr.continued_record_count, 1);

	mail_cache_view_close(&cv);
	mail_index_view_close(&view);
	mail_cache_free(&cache2);
	mail_cache_free(&cache);
	mail_index_close(&index2);
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
	tcase_add_test(tc, test_cache_decision_add);
	tcase_add_test(tc, test_cache_purge);
	tcase_add_loop_test(tc, test_cache_corrupt, 0, N_ELEMENTS(cache_damage));
	tcase_add_test(tc, test_cache_deleted);
	tcase_add_test(tc, test_cache_foreign_stale);
	tcase_add_test(tc, test_cache_newer_index_kept);
	tcase_add_test(tc, test_cache_field_added_by_other);
	suite_add_tcase(s, tc);
	return s;
}
