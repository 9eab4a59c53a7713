/* Copyright (c) dovecot-like authors. Two writer processes on one mailbox at
   once: no duplicate UIDs, every committed change present on the message
   its writer committed it for, and both views report every append exactly
   once, in UID order. */

#include "lib.h"
#include "str.h"
#include "test-index.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#define ROUNDS 150

/* Each writer: append one message with keyword "w<id>", set \Seen on the
   message it appended ROUNDS/2 ago, and sync its view now and then,
   remembering the appended UIDs in the order its view reported them
   (seen.<id>) and the UIDs of its own commits in commit order
   (commits.<id>). */
static struct mail_index_settings writer_set;

static void writer(unsigned int id)
{
	struct mail_index *index = test_index_open_set(&writer_set);
	struct mail_index_view *view = mail_index_view_open(index), *tv;
	struct mail_index_transaction *t;
	struct mail_index_commit_result res;
	struct mail_index_view_sync_ctx *ctx;
	struct mail_index_view_sync_rec rec;
	const char *kw = id == 0 ? "w0" : "w1";
	uint32_t mine[ROUNDS];
	struct str *seen = str_new(system_pool, 4096);
	unsigned int i;
	FILE *f;

	/* what the view starts with counts as seen first */
	for (i = 1; i <= mail_index_view_get_messages_count(view); i++) {
		uint32_t uid;
		(void)mail_index_lookup_uid(view, i, &uid);
		str_printfa(seen, "%u\n", uid);
	}
	for (i = 0; i < ROUNDS; i++) {
		tv = mail_index_view_open(index);
		t = mail_index_transaction_begin(tv,
			MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
		mail_index_append(t, 0, 0, &kw, 1);
		if (i >= ROUNDS / 2)
			mail_index_update_flags(t, mine[i - ROUNDS / 2],
				mine[i - ROUNDS / 2], MAIL_INDEX_MODIFY_ADD,
				MAIL_INDEX_MAIL_FLAG_SEEN);
		if (mail_index_transaction_commit(&t, &res) < 0)
			_exit(2);
		mail_index_view_close(&tv);
		mine[i] = res.first_uid;
		if (i == ROUNDS - 1) {
			/* wait for the other writer before the last sync */
			unsigned int waited = 0;
			while (mail_index_refresh(index) == 0 &&
			       mail_index_get_header(index)->messages_count <
			       2 * ROUNDS && waited++ < 3000)
				usleep(10000);
		}
		if (i % 7 == 0 || i == ROUNDS - 1) {
			if (mail_index_view_sync_begin(view, &ctx) < 0)
				_exit(3);
			while (mail_index_view_sync_next(ctx, &rec)) {
				if (rec.type == MAIL_INDEX_VIEW_SYNC_APPEND)
					str_printfa(seen, "%u\n", rec.uid);
			}
			mail_index_view_sync_end(&ctx);
		}
	}
	f = fopen(tmp_printf("%s/seen.%u", test_dir, id), "w");
	if (f == NULL)
		_exit(4);
	fputs(str_c(seen), f);
	fclose(f);
	f = fopen(tmp_printf("%s/commits.%u", test_dir, id), "w");
	if (f == NULL)
		_exit(4);
	for (i = 0; i < ROUNDS; i++)
		fprintf(f, "%u\n", mine[i]);
	fclose(f);
	mail_index_view_close(&view);
	mail_index_close(&index);
	_exit(0);
}

static const char *read_file(const char *path)
{
	char buf[65536];
	int fd = open(path, O_RDONLY);
	ssize_t ret;

	ck_assert_int_ge(fd, 0);
	ret = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_ge(ret, 0);
	close(fd);
	return tmp_strndup(buf, (size_t)ret);
}

/* Check one writer's commits.<id>: ROUNDS UIDs in increasing order (its
   commits got UIDs in the order it made them), each message carrying its
   keyword, the first half \Seen by its later commits and the rest not. */
static void check_commits(struct mail_index *index, unsigned int id,
			  bool *owned)
{
	const char *data = read_file(tmp_printf("%s/commits.%u", test_dir, id));
	const struct mail_index_record *rec;
	int kw = mail_index_keyword_lookup(index, id == 0 ? "w0" : "w1");
	unsigned long uid, prev = 0;
	unsigned int i;
	uint32_t idx;
	char *end;

	ck_assert_int_ge(kw, 0);
	for (i = 0; i < ROUNDS; i++) {
		uid = strtoul(data, &end, 10);
		ck_assert(end != data && *end == '\n');
		data = end + 1;
		ck_assert_uint_gt(uid, prev);
		prev = uid;
		ck_assert_uint_le(uid, 2 * ROUNDS);
		ck_assert(!owned[uid]);
		owned[uid] = true;
		rec = mail_index_map_lookup_uid(index->map, (uint32_t)uid, &idx);
		ck_assert_ptr_nonnull(rec);
		ck_assert((rec->keywords[kw / 8] & (1 << (kw % 8))) != 0);
		ck_assert_int_eq((rec->flags & MAIL_INDEX_MAIL_FLAG_SEEN) != 0,
				 i < ROUNDS / 2);
	}
	ck_assert_str_eq(data, "");
}

START_TEST(test_two_writers)
{
	struct mail_index_settings set;
	struct mail_index *index;
	const struct mail_index_record *rec;
	struct str *expected = t_str_new(4096);
	unsigned int i, n, kw0 = 0, kw1 = 0, seen = 0;
	bool owned[2 * ROUNDS + 1];
	pid_t pids[2];
	int status;

	/* create first so both children open the same incarnation */
	test_index_settings(&set);
	if (_i == 1) {
		/* rotate every few transactions: writers and readers must
		   follow (or reload) without losing anything */
		set.log_rotate_max_size = 4096;
		set.rewrite_max_log_bytes = 2048;
	}
	writer_set = set;
	index = test_index_open_set(&set);
	mail_index_close(&index);
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0)
			writer(i);
	}
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
	}
	index = test_index_open_set(&set);
	if (_i == 1)
		ck_assert_uint_gt(index->log.hdr.file_seq, 5);
	n = index->map->hdr.messages_count;
	ck_assert_uint_eq(n, 2 * ROUNDS);
	ck_assert_uint_eq(index->map->hdr.next_uid, 2 * ROUNDS + 1);
	for (i = 0; i < n; i++) {
		rec = mail_index_map_rec(index->map, i);
		ck_assert_uint_eq(rec->uid, i + 1);	/* no dups, no gaps */
		if ((rec->keywords[0] & 1) != 0)
			kw0++;
		if ((rec->keywords[0] & 2) != 0)
			kw1++;
		if ((rec->flags & MAIL_INDEX_MAIL_FLAG_SEEN) != 0)
			seen++;
		str_printfa(expected, "%u\n", rec->uid);
	}
	ck_assert_uint_eq(kw0, ROUNDS);
	ck_assert_uint_eq(kw1, ROUNDS);
	ck_assert_uint_eq(seen, ROUNDS);	/* ROUNDS/2 per writer */
	ck_assert_uint_eq(index->map->hdr.seen_messages_count, ROUNDS);
	/* +1 per record: each transaction has APPEND + KEYWORD_UPDATE, half
	   of them also a FLAG_UPDATE */
	ck_assert_uint_eq(index->map->hdr.highest_modseq, 1 + 5 * ROUNDS);
	/* every UID was committed by exactly one writer, as it recorded */
	memset(owned, 0, sizeof(owned));
	check_commits(index, 0, owned);
	check_commits(index, 1, owned);
	/* both views reported every append exactly once, in UID order */
	ck_assert_str_eq(read_file(tmp_printf("%s/seen.0", test_dir)),
			 str_c(expected));
	ck_assert_str_eq(read_file(tmp_printf("%s/seen.1", test_dir)),
			 str_c(expected));
	mail_index_close(&index);
}
END_TEST

Suite *test_index_concurrency_suite(void)
{
	Suite *s = suite_create("mail-index-concurrency");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, test_index_setup, test_index_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_two_writers, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
