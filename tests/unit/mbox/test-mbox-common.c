/* Copyright (c) dovecot-like authors. test-mbox-common.c: temp homes,
   files and a mail user for the functional mbox suites. */
#include "lib.h"
#include "str.h"
#include "buffer.h"
#include "istream.h"
#include "test-mbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

char mbox_home[64];

void mbox_setup(void)
{
	strcpy(mbox_home, "/tmp/test-mbox.XXXXXX");
	ck_assert(mkdtemp(mbox_home) != NULL);
	ck_assert_int_eq(mkdir(tmp_printf("%s/mail", mbox_home), 0700), 0);
}

void mbox_teardown(void)
{
	const char *cmd = tmp_printf("rm -rf '%s'", mbox_home);

	ck_assert_int_eq(system(cmd), 0);
}

const char *mbox_root(void)
{
	return tmp_printf("%s/mail", mbox_home);
}

const char *mbox_inbox_path(void)
{
	return tmp_printf("%s/inbox", mbox_home);
}

void mbox_write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert(fd != -1);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

const char *mbox_read_file(const char *path, size_t *len_r)
{
	struct str *str = t_str_new(4096);
	char buf[4096];
	ssize_t ret;
	int fd = open(path, O_RDONLY);

	ck_assert_msg(fd != -1, "open(%s)", path);
	while ((ret = read(fd, buf, sizeof(buf))) > 0)
		str_append_n(str, buf, (size_t)ret);
	ck_assert(ret == 0);
	close(fd);
	if (len_r != NULL)
		*len_r = str_len(str);
	return str_c(str);
}

struct mail_user *mbox_user_create(void)
{
	struct mail_user_settings set;
	struct mail_user *user;
	const char *error;

	memset(&set, 0, sizeof(set));
	set.username = "testuser";
	set.home = mbox_home;
	set.mail_location = tmp_printf("mbox:~/mail:INBOX=%s/inbox", mbox_home);
	ck_assert_msg(mail_user_create(&set, &user, &error) == 0, "%s", error);
	return user;
}

struct mailbox *mbox_box_open(struct mail_user *user, enum mailbox_flags flags)
{
	struct mailbox *box;
	enum mail_storage_error error;
	const char *error_str;

	ck_assert_msg(mailbox_open(user, "INBOX", flags, &box, &error,
				   &error_str) == 0, "%s", error_str);
	return box;
}

const char *mbox_msg_text(struct mailbox *box, uint32_t seq)
{
	size_t len;
	const char *data = mbox_msg_data(box, seq, &len);

	ck_assert_uint_eq(strlen(data), len);	/* no NULs expected here */
	return data;
}

const char *mbox_msg_data(struct mailbox *box, uint32_t seq, size_t *len_r)
{
	struct istream *input;
	struct buf *buf = buf_create(tmp_pool, 1024);
	const unsigned char *data;
	size_t size;
	ssize_t ret;

	ck_assert_int_eq(mail_get_stream(box, seq, &input), 0);
	do {
		ret = istream_read(input);
		data = istream_get_data(input, &size);
		buf_append(buf, data, size);
		istream_skip(input, size);
	} while (ret > 0 || ret == -2);
	ck_assert_int_eq(input->stream_errno, 0);
	istream_unref(&input);
	*len_r = buf->used;
	buf_append_c(buf, '\0');
	return (const char *)buf->data;
}

const char *mbox_box_uids(struct mailbox *box)
{
	struct str *str = t_str_new(64);
	uint32_t seq, count = mailbox_get_messages_count(box);

	for (seq = 1; seq <= count; seq++) {
		if (seq > 1)
			str_append_c(str, ',');
		str_printfa(str, "%u", mailbox_seq_to_uid(box, seq));
	}
	return str_c(str);
}

const char *mbox_crash_body(unsigned int i)
{
	struct str *str = t_str_new(8192);
	unsigned int j;

	for (j = 0; j < 150 * (i + 1); j++)
		str_printfa(str, "message %u line %u\n", i, j);
	return str_c(str);
}
