/* Copyright (c) dovecot-like authors. Check suite for dovecot-uidlist parsing
   and writing: the file is shared with Dovecot and other sessions, so every
   damaged form must keep as many UIDs as it safely can. */

#include "lib.h"
#include "str.h"
#include "maildir-uidlist.h"
#include "test-storage.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#define DOVECOT_HDR "3 V1795461150 N6 G011de7171e90046b472d000083ecc375\n"

static const struct {
	const char *data;
	int ret;
	unsigned int version;
	uint32_t uidvalidity, next_uid;
	unsigned int broken;
	const char *recs;	/* "uid=fname[;ext...]" joined with '|' */
} parse_tests[] = {
	/* reference 4.1, as Dovecot 2.3 wrote it */
	{ DOVECOT_HDR
	  "1 P000000016b04901e :1795461150.M399264P11591.vm,S=93,W=100\n"
	  "2 P000000026b04901e :1795461150.M902548P11591.vm,S=43,W=47\n"
	  "4 P000000046b04901e :1795461175.M618039P16282.vm,S=117,W=126\n"
	  "5 W37 P000000056b04901e :1700000000.12345_0.otherhost\n",
	  0, 3, 1795461150, 6, 0,
	  "1=1795461150.M399264P11591.vm,S=93,W=100;P000000016b04901e|"
	  "2=1795461150.M902548P11591.vm,S=43,W=47;P000000026b04901e|"
	  "4=1795461175.M618039P16282.vm,S=117,W=126;P000000046b04901e|"
	  "5=1700000000.12345_0.otherhost;W37;P000000056b04901e" },
	/* appended records may be >= N */
	{ "3 V1 N3 G011de7171e90046b472d000083ecc375\n1 :a\n3 :b\n",
	  0, 3, 1, 4, 0, "1=a|3=b" },
	/* items in any order, unknown header item kept, no G */
	{ "3 N10 Xfoo V7\n", 0, 3, 7, 10, 0, "" },
	/* older v3 wrote the full name: only the identity is kept */
	{ "3 V1 N30000\n25006 :1276528487.M364837P9451.kurkku,S=1355,W=1394:2,\n",
	  0, 3, 1, 30000, 0, "25006=1276528487.M364837P9451.kurkku,S=1355,W=1394" },
	/* version 1 (Courier compatible) */
	{ "1 1234 5\n1 a:2,S\n3 b\n", 0, 1, 1234, 5, 0, "1=a|3=b" },
	{ "1 1234 5\n1 a\n1 b\n", 0, 1, 1234, 5, 1, "1=a" },
	/* empty "P" = base file name */
	{ "3 V1 N2\n1 P :a\n", 0, 3, 1, 2, 0, "1=a;P" },
	/* duplicate and out-of-order UIDs: those lines are skipped */
	{ "3 V1 N9\n1 :a\n1 :b\n3 :c\n2 :d\n4 :e\n", 0, 3, 1, 9, 2,
	  "1=a|3=c|4=e" },
	/* the same file twice: the later line wins */
	{ "3 V1 N9\n1 :a\n2 :b\n5 :a\n", 0, 3, 1, 9, 0, "2=b|5=a" },
	/* broken records */
	{ "3 V1 N9\n1 :a\nx :b\n2 w5 :c\n3 W5:d\n4 W5\n5 :\n6 :x/y\n7 :.dot\n"
	  "0 :z\n4294967296 :q\n8 :ok\n",
	  0, 3, 1, 9, 9, "1=a|8=ok" },
	/* a half-written last line is left for the next read */
	{ "3 V1 N9\n1 :a\n2 :b", 0, 3, 1, 9, 0, "1=a" },
	{ "3 V1 N1\n\n1 :a\n", 0, 3, 1, 2, 0, "1=a" },
	/* bad mailbox GUID: keep the UIDs, write a new GUID later */
	{ "3 V1 N2 Gxyz\n1 :a\n", 0, 3, 1, 2, 0, "1=a" },
	/* corrupt headers */
	{ "", -1, 0, 0, 0, 0, NULL },
	{ "3 V1 N2", -1, 0, 0, 0, 0, NULL },	/* no LF */
	{ "2 V1 N2\n", -1, 0, 0, 0, 0, NULL },
	{ "3 N2\n", -1, 0, 0, 0, 0, NULL },
	{ "3 V0 N2\n", -1, 0, 0, 0, 0, NULL },
	{ "3 V1 N0\n", -1, 0, 0, 0, 0, NULL },
	{ "3 Vx N2\n", -1, 0, 0, 0, 0, NULL },
	{ "3 V99999999999 N2\n", -1, 0, 0, 0, 0, NULL },
	{ "3V1 N2\n", -1, 0, 0, 0, 0, NULL },
	{ "1 5\n", -1, 0, 0, 0, 0, NULL },
	{ "1 5 6 7\n", -1, 0, 0, 0, 0, NULL },
	{ "garbage\n1 :a\n", -1, 0, 0, 0, 0, NULL },
};

static const char *recs_to_string(struct maildir_uidlist *uidlist)
{
	struct str *str = t_str_new(256);
	const struct maildir_uidlist_rec *rec;
	unsigned int i;

	array_foreach(&uidlist->recs, rec) {
		if (str_len(str) > 0)
			str_append_c(str, '|');
		str_printfa(str, "%u=%s", rec->uid, rec->fname);
		for (i = 0; rec->exts != NULL && rec->exts[i] != NULL; i++)
			str_printfa(str, ";%s", rec->exts[i]);
	}
	return str_c(str);
}

START_TEST(test_maildir_uidlist_parse)
{
	struct maildir_uidlist *uidlist = maildir_uidlist_init("/nonexistent");
	const char *data = parse_tests[_i].data, *error = NULL;
	int ret;

	ret = maildir_uidlist_parse(uidlist, (const unsigned char *)data,
				    strlen(data), &error);
	ck_assert_int_eq(ret, parse_tests[_i].ret);
	if (ret < 0) {
		ck_assert_ptr_nonnull(error);
	} else {
		ck_assert_uint_eq(uidlist->version, parse_tests[_i].version);
		ck_assert_uint_eq(uidlist->uid_validity,
				  parse_tests[_i].uidvalidity);
		ck_assert_uint_eq(maildir_uidlist_get_next_uid(uidlist),
				  parse_tests[_i].next_uid);
		ck_assert_uint_eq(uidlist->broken_lines, parse_tests[_i].broken);
		ck_assert_str_eq(recs_to_string(uidlist), parse_tests[_i].recs);
	}
	maildir_uidlist_deinit(&uidlist);
}
END_TEST

/* A NUL inside a record would cut its file name short, to "" or to
   another file's identity (found by tests/fuzz): the line is broken. */
START_TEST(test_maildir_uidlist_parse_nul)
{
	static const char data[] = "3 V1 N9\n1 :a\n2 :a\0b\n3 :\0x\n4 P\0 :c\n5 :d\n";
	struct maildir_uidlist *uidlist = maildir_uidlist_init("/nonexistent");
	const char *error = NULL;

	ck_assert_int_eq(maildir_uidlist_parse(uidlist,
					       (const unsigned char *)data,
					       sizeof(data) - 1, &error), 0);
	ck_assert_uint_eq(uidlist->broken_lines, 3);
	ck_assert_str_eq(recs_to_string(uidlist), "1=a|5=d");
	maildir_uidlist_deinit(&uidlist);
}
END_TEST

START_TEST(test_maildir_uidlist_lookup)
{
	static const char data[] = DOVECOT_HDR
		"1 :a,S=5\n2 W7 :b\n9 :c\n";
	struct maildir_uidlist *uidlist = maildir_uidlist_init("/nonexistent");
	struct maildir_uidlist_rec *rec;
	const char *error;

	ck_assert_int_eq(maildir_uidlist_parse(uidlist,
		(const unsigned char *)data, sizeof(data) - 1, &error), 0);
	ck_assert_str_eq(uidlist->guid, "011de7171e90046b472d000083ecc375");
	ck_assert_uint_eq(maildir_uidlist_lookup_fname(uidlist, "a,S=5:2,S", 5), 1);
	ck_assert_uint_eq(maildir_uidlist_lookup_fname(uidlist, "a", 1), 0);
	ck_assert_uint_eq(maildir_uidlist_lookup_fname(uidlist, "c", 1), 9);
	ck_assert_uint_eq(maildir_uidlist_lookup_fname(uidlist, "d", 1), 0);
	rec = maildir_uidlist_lookup(uidlist, 2);
	ck_assert_ptr_nonnull(rec);
	ck_assert_str_eq(maildir_uidlist_rec_get_ext(rec, 'W'), "7");
	ck_assert_ptr_null(maildir_uidlist_rec_get_ext(rec, 'P'));
	maildir_uidlist_rec_set_ext(uidlist, rec, 'W', "8");
	maildir_uidlist_rec_set_ext(uidlist, rec, 'P', "");
	ck_assert_str_eq(maildir_uidlist_rec_get_ext(rec, 'W'), "8");
	ck_assert_ptr_null(maildir_uidlist_lookup(uidlist, 3));
	ck_assert_uint_eq(maildir_uidlist_get_next_uid(uidlist), 10);
	/* written back exactly in Dovecot's record syntax */
	ck_assert_str_eq(maildir_uidlist_get_content(uidlist, tmp_pool),
			 "3 V1795461150 N10 G011de7171e90046b472d000083ecc375\n"
			 "1 :a,S=5\n2 W8 P :b\n9 :c\n");
	maildir_uidlist_deinit(&uidlist);
}
END_TEST

static char *make_tmpdir(void)
{
	char *dir = strdup("/tmp/test-uidlist.XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static const char *file_content(const char *path)
{
	char buf[512];
	ssize_t ret;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ret = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_ge(ret, 0);
	close(fd);
	return tmp_strndup(buf, (size_t)ret);
}

/* entries of dir, dot files included */
static unsigned int dir_entry_count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned int count = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			count++;
	}
	closedir(d);
	return count;
}

static void write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

START_TEST(test_maildir_uidlist_write)
{
	char *dir = make_tmpdir();
	const char *path = tmp_strconcat(dir, "/dovecot-uidlist", NULL);
	struct maildir_uidlist *uidlist = maildir_uidlist_init(dir);
	struct stat st1, st2;
	FILE *f;
	char buf[512];
	size_t n;

	write_file(path, "1 1234 5\n1 a:2,S\n3 b\n");
	ck_assert_int_eq(maildir_uidlist_refresh(uidlist), 1);
	ck_assert_int_eq(maildir_uidlist_refresh(uidlist), 0);
	ck_assert_int_eq(maildir_uidlist_lock(uidlist, 0), 1);
	ck_assert_uint_eq(maildir_uidlist_add(uidlist, "c", 1), 5);
	/* version 1 is rewritten as version 3 */
	ck_assert_int_eq(maildir_uidlist_commit(uidlist), 0);
	ck_assert_int_eq(stat(path, &st1), 0);
	ck_assert_uint_eq(maildir_uidlist_add(uidlist, "d", 1), 6);
	ck_assert_int_eq(maildir_uidlist_commit(uidlist), 0);	/* append */
	ck_assert_int_eq(stat(path, &st2), 0);
	ck_assert_uint_eq(st1.st_ino, st2.st_ino);
	maildir_uidlist_unlock(uidlist);
	ck_assert_int_ne(access(tmp_strconcat(path, ".lock", NULL), F_OK), 0);
	ck_assert_int_eq(maildir_uidlist_refresh(uidlist), 0);

	f = fopen(path, "r");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	ck_assert_uint_eq(strncmp(buf, "3 V1234 N6 G", 12), 0);
	ck_assert_msg(strstr(buf, "\n1 :a\n3 :b\n5 :c\n6 :d\n") != NULL, "%s", buf);
	ck_assert_uint_eq(strlen(buf), strlen("3 V1234 N6 G") + 32 +
			  strlen("\n1 :a\n3 :b\n5 :c\n6 :d\n"));

	/* another reader sees it the same */
	maildir_uidlist_deinit(&uidlist);
	uidlist = maildir_uidlist_init(dir);
	ck_assert_int_eq(maildir_uidlist_refresh(uidlist), 1);
	ck_assert_uint_eq(maildir_uidlist_lookup_fname(uidlist, "d", 1), 6);
	ck_assert_uint_eq(maildir_uidlist_get_next_uid(uidlist), 7);
	maildir_uidlist_deinit(&uidlist);
	unlink(path);
	rmdir(dir);
	free(dir);
}
END_TEST

START_TEST(test_maildir_uidlist_lock_stale)
{
	char *dir = make_tmpdir();
	const char *lock = tmp_strconcat(dir, "/dovecot-uidlist.lock", NULL);
	struct maildir_uidlist *uidlist = maildir_uidlist_init(dir);
	char host[256], content[300];

	/* held by a live process (us): busy */
	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(content, sizeof(content), "%ld:%s", (long)getpid(), host);
	write_file(lock, content);
	ck_assert_int_eq(maildir_uidlist_lock(uidlist, 0), 0);
	ck_assert_int_eq(maildir_uidlist_lock(uidlist, 1), 0);
	/* held by a dead process on this host: stale, broken at once */
	snprintf(content, sizeof(content), "%d:%s", 0x7ffffff0, host);
	write_file(lock, content);
	ck_assert_int_eq(maildir_uidlist_lock(uidlist, 0), 1);
	maildir_uidlist_unlock(uidlist);
	ck_assert_int_ne(access(lock, F_OK), 0);
	/* another host's lock untouched for > 2 minutes: stale */
	write_file(lock, "1:some-other-host");
	{
		struct timespec times[2] = { { time(NULL) - 600, 0 },
					     { time(NULL) - 600, 0 } };
		ck_assert_int_eq(utimensat(AT_FDCWD, lock, times, 0), 0);
	}
	ck_assert_int_eq(maildir_uidlist_lock(uidlist, 0), 1);
	maildir_uidlist_unlock(uidlist);
	/* our own lock: complete from the start ("<pid>:<host>", written
	   before it is linked into place), no temp file left beside it */
	ck_assert_int_eq(maildir_uidlist_lock(uidlist, 0), 1);
	snprintf(content, sizeof(content), "%ld:%s", (long)getpid(), host);
	ck_assert_str_eq(file_content(lock), content);
	ck_assert_uint_eq(dir_entry_count(dir), 1);
	maildir_uidlist_deinit(&uidlist);	/* unlocks */
	ck_assert_int_ne(access(lock, F_OK), 0);
	rmdir(dir);
	free(dir);
}
END_TEST

Suite *test_maildir_uidlist_suite(void)
{
	Suite *s = suite_create("maildir-uidlist");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_maildir_uidlist_parse, 0,
			    N_ELEMENTS(parse_tests));
	tcase_add_test(tc, test_maildir_uidlist_parse_nul);
	tcase_add_test(tc, test_maildir_uidlist_lookup);
	tcase_add_test(tc, test_maildir_uidlist_write);
	tcase_add_test(tc, test_maildir_uidlist_lock_stale);
	suite_add_tcase(s, tc);
	return s;
}
