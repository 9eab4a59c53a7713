/* Copyright (c) dovecot-like authors. Damaged files: corrupt, truncated and
   deleted snapshots and logs are detected and rebuilt; a crash in the middle
   of a transaction (test hook and real SIGKILL) leaves only whole
   transactions visible and the log writable. */

#include "lib.h"
#include "test-index.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

/* 3 messages, flags changed after the last snapshot */
static void make_index(void)
{
	struct mail_index *index = test_index_open();
	struct mail_index_view *view;
	struct mail_index_transaction *t;

	test_index_append(index, 3, 0);
	ck_assert_int_eq(mail_index_write_snapshot(index), 0);
	view = mail_index_view_open(index);
	t = mail_index_transaction_begin(view, MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
	mail_index_update_flags(t, 2, 2, MAIL_INDEX_MODIFY_ADD,
				MAIL_INDEX_MAIL_FLAG_SEEN);
	ck_assert_int_eq(mail_index_transaction_commit(&t, NULL), 0);
	mail_index_view_close(&view);
	mail_index_close(&index);
}

static void check_index_ok(bool expect_fscked)
{
	struct mail_index *index = test_index_open();
	struct mail_index_map *map = NULL;
	const char *error;
	uint32_t idx;

	ck_assert_str_eq(test_index_uids(index), "1,2,3");
	ck_assert_uint_eq(mail_index_map_lookup_uid(index->map, 2, &idx)->flags,
			  MAIL_INDEX_MAIL_FLAG_SEEN);
	ck_assert_uint_eq(mail_index_get_header(index)->highest_modseq, 3);
	ck_assert(mail_index_is_fscked(index) == expect_fscked);
	/* still writable */
	ck_assert_uint_eq(test_index_append(index, 1, 0), 4);
	mail_index_close(&index);
	/* the snapshot was recreated and is valid */
	ck_assert_int_eq(mail_index_file_read(test_index_path(""), &map,
					      &error), 1);
	mail_index_map_free(&map);
}

static const struct {
	off_t offset;	/* <0: from the end */
	const char *data;
	off_t truncate;	/* -1: no */
} snapshot_damage[] = {
	{ 0, "XXXX", -1 },		/* magic */
	{ 4, "\x07", -1 },		/* version */
	{ -3, "\xff", -1 },		/* record byte: checksum */
	{ 40, "\xff\xff", -1 },		/* header field: checksum */
	{ 0, "", 10 },			/* truncated header */
	{ 0, "", 0 },			/* empty */
	{ 0, NULL, -1 },		/* deleted */
};

START_TEST(test_corrupt_snapshot)
{
	const char *path;
	off_t size, offset = snapshot_damage[_i].offset;

	make_index();
	path = test_index_path("");
	size = test_file_size(path);
	if (snapshot_damage[_i].data == NULL)
		ck_assert_int_eq(unlink(path), 0);
	else if (snapshot_damage[_i].truncate >= 0)
		ck_assert_int_eq(truncate(path, snapshot_damage[_i].truncate), 0);
	else
		test_file_write_at(path, offset < 0 ? size + offset : offset,
				   snapshot_damage[_i].data,
				   strlen(snapshot_damage[_i].data));
	/* the log has the whole history: nothing is lost */
	check_index_ok(false);
}
END_TEST

/* Rewrite the snapshot with a change and a valid checksum. */
static void snapshot_modify(void (*modify)(unsigned char *data, size_t size))
{
	struct mail_index *index = test_index_open();
	struct buf *buf = buf_create(system_pool, 1024);
	struct mail_index_header hdr;
	int fd;

	mail_index_file_serialize(index->map, buf);
	mail_index_close(&index);
	modify(buf->data, buf->used);
	memcpy(&hdr, buf->data, sizeof(hdr));
	hdr.checksum = 0;
	memcpy(buf->data, &hdr, sizeof(hdr));
	hdr.checksum = mail_index_checksum(buf->data, sizeof(hdr)) +
		mail_index_checksum(buf->data + sizeof(hdr),
				    buf->used - sizeof(hdr));
	memcpy(buf->data, &hdr, sizeof(hdr));
	fd = open(test_index_path(""), O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf->data, buf->used), (ssize_t)buf->used);
	close(fd);
	buf_free(&buf);
}

static void swap_uids(unsigned char *data, size_t size ATTR_UNUSED)
{
	struct mail_index_header hdr;
	uint32_t uid = 3;

	memcpy(&hdr, data, sizeof(hdr));
	memcpy(data + hdr.header_size, &uid, sizeof(uid));
}

static void low_next_uid(unsigned char *data, size_t size ATTR_UNUSED)
{
	struct mail_index_header hdr;

	memcpy(&hdr, data, sizeof(hdr));
	hdr.next_uid = 3;
	memcpy(data, &hdr, sizeof(hdr));
}

static void bad_count(unsigned char *data, size_t size ATTR_UNUSED)
{
	struct mail_index_header hdr;

	memcpy(&hdr, data, sizeof(hdr));
	hdr.messages_count = 1000000;
	memcpy(data, &hdr, sizeof(hdr));
}

static void bad_seen(unsigned char *data, size_t size ATTR_UNUSED)
{
	struct mail_index_header hdr;

	memcpy(&hdr, data, sizeof(hdr));
	hdr.seen_messages_count = 3;
	memcpy(data, &hdr, sizeof(hdr));
}

static void (*const modifiers[])(unsigned char *, size_t) = {
	swap_uids, low_next_uid, bad_count, bad_seen,
};

START_TEST(test_inconsistent_snapshot)
{
	struct mail_index_map *map = NULL;
	const char *error;

	make_index();
	snapshot_modify(modifiers[_i]);
	ck_assert_int_eq(mail_index_file_read(test_index_path(""), &map,
					      &error), -1);
	check_index_ok(false);
}
END_TEST

START_TEST(test_torn_log_tail)
{
	struct mail_index *reader;
	/* a boundary promising 64 bytes, followed by only 8 */
	static const uint32_t torn[] = { MAIL_TRANSACTION_BOUNDARY, 16, 64, 0,
					 MAIL_TRANSACTION_APPEND, 8 };
	const char *log = test_index_path(".log");
	off_t size;
	int fd;

	make_index();
	reader = test_index_open();
	size = test_file_size(log);
	fd = open(log, O_WRONLY | O_APPEND);
	ck_assert_int_eq(write(fd, torn, sizeof(torn)), (ssize_t)sizeof(torn));
	close(fd);
	/* readers stop before it */
	ck_assert_int_eq(mail_index_refresh(reader), 0);
	ck_assert_str_eq(test_index_uids(reader), "1,2,3");
	/* the next writer cuts it away and appends */
	check_index_ok(false);
	ck_assert_int_eq(mail_index_refresh(reader), 0);
	ck_assert_str_eq(test_index_uids(reader), "1,2,3,4");
	ck_assert_int_gt(test_file_size(log), size);
	mail_index_close(&reader);
}
END_TEST

START_TEST(test_corrupt_log)
{
	struct mail_index *index;

	make_index();
	test_file_write_at(test_index_path(".log"), 0, "garbage!", 8);
	index = test_index_open();
	/* the snapshot survives; what came after it is lost -> fsck */
	ck_assert_str_eq(test_index_uids(index), "1,2,3");
	ck_assert(mail_index_is_fscked(index));
	ck_assert_uint_eq(test_index_append(index, 1, 0), 4);
	mail_index_close(&index);
	index = test_index_open();
	ck_assert_str_eq(test_index_uids(index), "1,2,3,4");
	mail_index_close(&index);
}
END_TEST

START_TEST(test_deleted_log)
{
	struct mail_index *index;

	make_index();
	ck_assert_int_eq(unlink(test_index_path(".log")), 0);
	index = test_index_open();
	ck_assert_str_eq(test_index_uids(index), "1,2,3");
	ck_assert(mail_index_is_fscked(index));
	ck_assert_uint_eq(test_index_append(index, 1, 0), 4);
	mail_index_close(&index);
	/* both gone: a new empty index */
	ck_assert_int_eq(unlink(test_index_path(".log")), 0);
	ck_assert_int_eq(unlink(test_index_path("")), 0);
	index = test_index_open();
	ck_assert_str_eq(test_index_uids(index), "");
	mail_index_close(&index);
}
END_TEST

/* A log creator killed between creating "<log>.newlock" and renaming it
   leaves the file behind: the next creator sees nobody holds its lock and
   takes over at once (not after the 30 s mtime rule, nor the 20 s lock
   timeout). A held newlock is waited for. */
START_TEST(test_stale_newlock)
{
	struct mail_index_settings set;
	struct mail_index *index;
	struct timespec times[2];
	const char *newlock = test_index_path(".log.newlock");
	int fd;

	make_index();
	ck_assert_int_eq(unlink(test_index_path(".log")), 0);
	fd = open(newlock, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(close(fd), 0);
	times[0].tv_sec = times[1].tv_sec = time(NULL) - 3;
	times[0].tv_nsec = times[1].tv_nsec = 0;
	ck_assert_int_eq(utimensat(AT_FDCWD, newlock, times, 0), 0);
	test_index_settings(&set);
	set.lock_timeout_secs = 2;
	index = test_index_open_set(&set);
	ck_assert_uint_eq(test_index_append(index, 1, 0), 4);
	mail_index_close(&index);
	ck_assert_int_eq(access(newlock, F_OK), -1);
}
END_TEST

START_TEST(test_log_deleted_while_open)
{
	struct mail_index *index, *index2;

	make_index();
	index = test_index_open();
	ck_assert_int_eq(unlink(test_index_path(".log")), 0);
	/* the writer notices under its lock and starts a new log */
	ck_assert_uint_eq(test_index_append(index, 1, 0), 4);
	ck_assert_uint_eq(test_index_append(index, 1, 0), 5);
	index2 = test_index_open();
	ck_assert_str_eq(test_index_uids(index2), "1,2,3,4,5");
	/* the recreation was recorded in the snapshot's header */
	ck_assert((index2->map->hdr.flags & MAIL_INDEX_HDR_FLAG_FSCKD) != 0);
	ck_assert(mail_index_is_fscked(index2));
	mail_index_close(&index2);
	mail_index_close(&index);
}
END_TEST

START_TEST(test_crash_hook)
{
	struct mail_index *index, *reader;
	struct mail_index_view *view;
	struct mail_index_transaction *t;
	int status;
	pid_t pid;
	off_t size;

	make_index();
	reader = test_index_open();
	size = test_file_size(test_index_path(".log"));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		index = test_index_open();
		index->test_crash_mid_write = true;
		view = mail_index_view_open(index);
		t = mail_index_transaction_begin(view,
			MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
		mail_index_append(t, 0, 0, NULL, 0);
		mail_index_update_flags(t, 1, 3, MAIL_INDEX_MODIFY_ADD,
					MAIL_INDEX_MAIL_FLAG_FLAGGED);
		(void)mail_index_transaction_commit(&t, NULL);
		_exit(3);	/* not reached */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_gt(test_file_size(test_index_path(".log")), size);
	ck_assert_int_eq(mail_index_refresh(reader), 0);
	ck_assert_str_eq(test_index_uids(reader), "1,2,3");
	check_index_ok(false);
	mail_index_close(&reader);
}
END_TEST

START_TEST(test_sigkill_loop)
{
	struct mail_index *index;
	struct mail_index_map *map;
	unsigned int i, n;
	int status;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		index = test_index_open();
		for (;;)
			(void)test_index_append(index, 2, 0);
	}
	usleep(300 * 1000);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	index = test_index_open();
	map = index->map;
	n = map->hdr.messages_count;
	ck_assert_uint_gt(n, 0);
	/* whole transactions only: pairs, UIDs 1..n without gaps */
	ck_assert_uint_eq(n % 2, 0);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(mail_index_map_rec(map, i)->uid, i + 1);
	ck_assert_uint_eq(map->hdr.highest_modseq, 1 + n / 2);
	ck_assert_uint_eq(test_index_append(index, 1, 0), n + 1);
	mail_index_close(&index);
	index = test_index_open();
	ck_assert_uint_eq(index->map->hdr.messages_count, n + 1);
	mail_index_close(&index);
}
END_TEST

/* FNV-1a as snapshots of minor version 0 were checksummed. */
static uint32_t legacy_fnv(uint32_t h, const unsigned char *data, size_t size)
{
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619U;
	return h;
}

/* The snapshot rewritten as minor version `minor` with the byte-wise
   checksum of minor version 0 (plus `damage` in the last record byte). */
static void snapshot_write_legacy(uint8_t minor, unsigned char damage)
{
	struct mail_index *index = test_index_open();
	struct buf *buf = buf_create(system_pool, 1024);
	struct mail_index_header hdr;
	int fd;

	mail_index_file_serialize(index->map, buf);
	mail_index_close(&index);
	memcpy(&hdr, buf->data, sizeof(hdr));
	hdr.minor_version = minor;
	hdr.checksum = 0;
	hdr.checksum = legacy_fnv(2166136261U, (const void *)&hdr,
				  sizeof(hdr)) +
		legacy_fnv(2166136261U, buf->data + sizeof(hdr),
			   buf->used - sizeof(hdr));
	memcpy(buf->data, &hdr, sizeof(hdr));
	buf->data[buf->used - 1] ^= damage;
	fd = open(test_index_path(""), O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf->data, buf->used), (ssize_t)buf->used);
	close(fd);
	buf_free(&buf);
}

/* Snapshots written before the word-wise checksum still load as they are;
   a damaged one, or one of an unknown minor version, is refused. */
START_TEST(test_snapshot_legacy_checksum)
{
	struct mail_index *index;
	struct mail_index_map *map = NULL;
	const char *error;

	make_index();
	snapshot_write_legacy(0, 0);
	ck_assert_int_eq(mail_index_file_read(test_index_path(""), &map,
					      &error), 1);
	ck_assert_uint_eq(map->hdr.messages_count, 3);
	mail_index_map_free(&map);
	check_index_ok(false);
	/* the next snapshot written is of the current minor version */
	index = test_index_open();
	ck_assert_int_eq(mail_index_write_snapshot(index), 0);
	mail_index_close(&index);
	ck_assert_int_eq(mail_index_file_read(test_index_path(""), &map,
					      &error), 1);
	ck_assert_uint_eq(map->hdr.minor_version, MAIL_INDEX_MINOR_VERSION);
	ck_assert_uint_eq(map->hdr.messages_count, 4);
	mail_index_map_free(&map);

	snapshot_write_legacy(0, 0x40);
	ck_assert_int_ne(mail_index_file_read(test_index_path(""), &map,
					      &error), 1);
	ck_assert_ptr_nonnull(strstr(error, ": checksum mismatch"));
	snapshot_write_legacy(MAIL_INDEX_MINOR_VERSION + 1, 0);
	ck_assert_int_ne(mail_index_file_read(test_index_path(""), &map,
					      &error), 1);
	ck_assert_ptr_nonnull(strstr(error, ": unsupported version"));
	/* rebuilt from the log: nothing lost */
	index = test_index_open();
	ck_assert_str_eq(test_index_uids(index), "1,2,3,4");
	mail_index_close(&index);
}
END_TEST

/* Closing an index whose log has grown past the snapshot by more than
   rewrite_min_log_bytes writes a snapshot at the log head; a small tail
   is left for the next one. */
START_TEST(test_close_writes_snapshot)
{
	struct mail_index *index = test_index_open();
	struct mail_index_map *map = NULL;
	const char *error;
	uint32_t small_tail_head;

	test_index_append(index, 3, 0);
	ck_assert_int_eq(mail_index_write_snapshot(index), 0);
	test_index_append(index, 1, 0);		/* a small tail */
	mail_index_close(&index);
	ck_assert_int_eq(mail_index_file_read(test_index_path(""), &map,
					      &error), 1);
	ck_assert_uint_eq(map->hdr.messages_count, 3);
	small_tail_head = map->hdr.log_file_head_offset;
	mail_index_map_free(&map);

	index = test_index_open();
	for (unsigned int i = 0; i < 400; i++)	/* > 8 KiB of log */
		test_index_append(index, 1, 0);
	ck_assert_uint_gt(index->log.offset - small_tail_head,
			  index->set.rewrite_min_log_bytes);
	mail_index_close(&index);
	ck_assert_int_eq(mail_index_file_read(test_index_path(""), &map,
					      &error), 1);
	ck_assert_uint_eq(map->hdr.messages_count, 404);
	ck_assert_int_eq((off_t)map->hdr.log_file_head_offset,
			 test_file_size(test_index_path(".log")));
	mail_index_map_free(&map);
}
END_TEST

Suite *test_index_corrupt_suite(void)
{
	Suite *s = suite_create("mail-index-corrupt");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, test_index_setup, test_index_teardown);
	tcase_add_test(tc, test_stale_newlock);
	tcase_add_loop_test(tc, test_corrupt_snapshot, 0,
			    N_ELEMENTS(snapshot_damage));
	tcase_add_loop_test(tc, test_inconsistent_snapshot, 0,
			    N_ELEMENTS(modifiers));
	tcase_add_test(tc, test_snapshot_legacy_checksum);
	tcase_add_test(tc, test_close_writes_snapshot);
	tcase_add_test(tc, test_torn_log_tail);
	tcase_add_test(tc, test_corrupt_log);
	tcase_add_test(tc, test_deleted_log);
	tcase_add_test(tc, test_log_deleted_while_open);
	tcase_add_test(tc, test_crash_hook);
	tcase_add_test(tc, test_sigkill_loop);
	suite_add_tcase(s, tc);
	return s;
}
