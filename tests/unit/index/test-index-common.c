/* Copyright (c) dovecot-like authors. Helpers shared by the lib-index suites. */

#include "lib.h"
#include "str.h"
#include "test-index.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

char test_dir[64];

void test_index_setup(void)
{
	strcpy(test_dir, "/tmp/test-index.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(test_dir));
}

void test_index_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", test_dir);
	ck_assert_int_eq(system(cmd), 0);
	tmp_reset();
}

void test_index_settings(struct mail_index_settings *set)
{
	mail_index_settings_init_defaults(set);
	set->fsync_mode = MAIL_INDEX_FSYNC_NEVER;
	set->lock_timeout_secs = 20;
}

struct mail_index *test_index_open_set(const struct mail_index_settings *set)
{
	struct mail_index *index;
	const char *error;

	if (mail_index_open(test_dir, "dovecot.index", set,
			    MAIL_INDEX_OPEN_FLAG_CREATE, &index, &error) < 0)
		ck_abort_msg("mail_index_open: %s", error);
	return index;
}

struct mail_index *test_index_open(void)
{
	struct mail_index_settings set;

	test_index_settings(&set);
	return test_index_open_set(&set);
}

const char *test_index_path(const char *suffix)
{
	return tmp_printf("%s/dovecot.index%s", test_dir, suffix);
}

uint32_t test_index_append(struct mail_index *index, unsigned int count,
			   uint8_t flags)
{
	struct mail_index_view *view = mail_index_view_open(index);
	struct mail_index_transaction *t;
	struct mail_index_commit_result result;
	unsigned int i;

	t = mail_index_transaction_begin(view,
					 MAIL_INDEX_TRANSACTION_FLAG_EXTERNAL);
	for (i = 0; i < count; i++)
		mail_index_append(t, 0, flags, NULL, 0);
	ck_assert_int_eq(mail_index_transaction_commit(&t, &result), 0);
	mail_index_view_close(&view);
	ck_assert_uint_eq(result.last_uid - result.first_uid + 1, count);
	return result.first_uid;
}

const char *test_index_uids(struct mail_index *index)
{
	struct mail_index_map *map = index->map;
	struct str *str = t_str_new(128);
	uint32_t i;

	for (i = 0; i < map->hdr.messages_count; i++) {
		if (i > 0)
			str_append_c(str, ',');
		str_printfa(str, "%u", mail_index_map_rec(map, i)->uid);
	}
	return str_c(str);
}

off_t test_file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	return st.st_size;
}

void test_file_write_at(const char *path, off_t offset, const void *data,
			size_t size)
{
	int fd = open(path, O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, data, size, offset), (ssize_t)size);
	close(fd);
}
