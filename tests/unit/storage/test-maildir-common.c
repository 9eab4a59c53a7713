/* Copyright (c) dovecot-like authors. Helpers the functional maildir suites
   share: a temp home per test, delivering files, listing directories, and
   opening the user and INBOX. */

#include "lib.h"
#include "str.h"
#include "istream.h"
#include "mail-storage.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>

char home[64];
const char *maildir;
static char maildir_buf[80];

void setup(void)
{
	strcpy(home, "/tmp/test-maildir.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(home));
	snprintf(maildir_buf, sizeof(maildir_buf), "%s/Maildir", home);
	maildir = maildir_buf;	/* outlives tmp_reset() */
}

void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	ck_assert_int_eq(system(cmd), 0);
	tmp_reset();
}

void mkdirs(const char *dir)
{
	mkdir(dir, 0700);
	mkdir(tmp_strconcat(dir, "/cur", NULL), 0700);
	mkdir(tmp_strconcat(dir, "/new", NULL), 0700);
	mkdir(tmp_strconcat(dir, "/tmp", NULL), 0700);
}

void write_path(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_msg(fd >= 0, "open(%s): %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

void deliver(const char *subdir, const char *fname, const char *data)
{
	write_path(tmp_strconcat(maildir, "/", subdir, "/", fname, NULL), data);
}

void deliver_three(void)
{
	deliver("cur", "1700000001.M1P1.host:2,", "Subject: a\n\na\n");
	deliver("cur", "1700000002.M2P1.host:2,", "Subject: b\n\nb\n");
	deliver("cur", "1700000003.M3P1.host:2,S", "Subject: c\n\nc\n");
}

const char *read_path(const char *path)
{
	struct str *str = t_str_new(256);
	char buf[1024];
	ssize_t ret;
	int fd = open(path, O_RDONLY);

	ck_assert_msg(fd >= 0, "open(%s): %s", path, strerror(errno));
	while ((ret = read(fd, buf, sizeof(buf))) > 0)
		str_append_n(str, buf, (size_t)ret);
	close(fd);
	return str_c(str);
}

const char *md5_hex(const char *data)
{
	unsigned char md[16];
	unsigned int len, i;
	struct str *str = t_str_new(33);

	EVP_Digest(data, strlen(data), md, &len, EVP_md5(), NULL);
	for (i = 0; i < len; i++)
		str_printfa(str, "%02x", md[i]);
	return str_c(str);
}

static int strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directory entries (no dot files), sorted, joined with ' '. */
const char *list_dir(const char *subdir)
{
	const char *names[64];
	unsigned int i, count = 0;
	struct str *str = t_str_new(256);
	struct dirent *d;
	DIR *dir = opendir(tmp_strconcat(maildir, "/", subdir, NULL));

	ck_assert_ptr_nonnull(dir);
	while ((d = readdir(dir)) != NULL && count < N_ELEMENTS(names)) {
		if (d->d_name[0] != '.')
			names[count++] = tmp_strdup(d->d_name);
	}
	closedir(dir);
	qsort(names, count, sizeof(names[0]), strcmp_p);
	for (i = 0; i < count; i++) {
		if (i > 0)
			str_append_c(str, ' ');
		str_append(str, names[i]);
	}
	return str_c(str);
}

struct mail_user *user_create(const char *location)
{
	struct mail_user_settings set = {
		.username = "tester", .home = home,
		.mail_location = location,
		.uid = getuid(), .gid = getgid(),
	};
	struct mail_user *user;
	const char *error;

	ck_assert_int_eq(mail_user_create(&set, &user, &error), 0);
	return user;
}

struct mailbox *box_open(struct mail_user *user, enum mailbox_flags flags)
{
	struct mailbox *box;
	enum mail_storage_error error;
	const char *error_str;

	ck_assert_int_eq(mailbox_open(user, "inbox", flags, &box, &error,
				      &error_str), 0);
	return box;
}

const char *box_uids(struct mailbox *box)
{
	struct str *str = t_str_new(64);
	uint32_t seq;

	for (seq = 1; seq <= mailbox_get_messages_count(box); seq++) {
		if (seq > 1)
			str_append_c(str, ',');
		str_printfa(str, "%u", mailbox_seq_to_uid(box, seq));
	}
	return str_c(str);
}

const char *uidl(struct mailbox *box, uint32_t seq, const char *format)
{
	const char *value;

	ck_assert_int_eq(mail_get_pop3_uidl(box, seq, format, &value), 0);
	return value;
}
