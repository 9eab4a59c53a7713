/* Copyright (c) dovecot-like authors. mailbox-guid.c: the file keeping a
   mailbox's RFC 8474 MAILBOXID. It lives beside (not in) the index, so an
   index rebuild keeps it, and in a directory a RENAME moves. */
#include "lib.h"
#include "strfuncs.h"
#include "mailbox-objectid.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

static bool mailbox_guid_is_valid(const char *data, size_t len)
{
	size_t i;

	if (len != MAILBOX_GUID_HEX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		if (hex_digit_value((unsigned char)data[i]) < 0)
			return false;
	}
	return true;
}

/* 1 read, 0 missing, -1 error (logged; a corrupt file is an error: the
   id must never silently change). */
static int mailbox_guid_read(const char *path,
			     char guid_r[MAILBOX_GUID_HEX_LEN + 1])
{
	char data[MAILBOX_GUID_HEX_LEN + 2];
	ssize_t ret;
	size_t len;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		log_error("open(%s) failed: %m", path);
		return -1;
	}
	ret = read(fd, data, sizeof(data));
	if (ret < 0)
		log_error("read(%s) failed: %m", path);
	(void)close(fd);
	if (ret < 0)
		return -1;
	len = (size_t)ret;
	if (len > 0 && data[len - 1] == '\n')
		len--;
	if (!mailbox_guid_is_valid(data, len)) {
		log_error("%s: broken mailbox id", path);
		return -1;
	}
	memcpy(guid_r, data, MAILBOX_GUID_HEX_LEN);
	guid_r[MAILBOX_GUID_HEX_LEN] = '\0';
	return 1;
}

/* Writes a new random id to a temp file and links it into place: a
   concurrent creator's link wins and we read its id. */
static int mailbox_guid_create(const char *dir, const char *path,
			       char guid_r[MAILBOX_GUID_HEX_LEN + 1])
{
	unsigned char rnd[MAILBOX_GUID_HEX_LEN / 2];
	char line[MAILBOX_GUID_HEX_LEN + 2];
	const char *tmp_path;
	int fd, ret = 0;

	/* idempotent; makes sure the RNG is ready in any process that
	   gets here (imap, pop3, master), whatever its main() did */
	if (sodium_init() < 0) {
		log_error("sodium_init() failed");
		return -1;
	}
	randombytes_buf(rnd, sizeof(rnd));
	binary_to_hex(line, rnd, sizeof(rnd));
	line[MAILBOX_GUID_HEX_LEN] = '\n';
	tmp_path = tmp_printf("%s/%s.%ld.tmp", dir, MAILBOX_GUID_FNAME,
			      (long)getpid());
	fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		  O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("open(%s) failed: %m", tmp_path);
		return -1;
	}
	if (write(fd, line, sizeof(line) - 1) != (ssize_t)sizeof(line) - 1 ||
	    fsync(fd) < 0) {
		log_error("write(%s) failed: %m", tmp_path);
		ret = -1;
	}
	if (close(fd) < 0 && ret == 0) {
		log_error("close(%s) failed: %m", tmp_path);
		ret = -1;
	}
	if (ret == 0 && link(tmp_path, path) < 0 && errno != EEXIST) {
		log_error("link(%s, %s) failed: %m", tmp_path, path);
		ret = -1;
	}
	if (unlink(tmp_path) < 0)
		log_error("unlink(%s) failed: %m", tmp_path);
	if (ret < 0)
		return -1;
	return mailbox_guid_read(path, guid_r) > 0 ? 0 : -1;
}

int mailbox_guid_get(const char *dir, bool create,
		     char guid_r[MAILBOX_GUID_HEX_LEN + 1])
{
	const char *path = tmp_printf("%s/%s", dir, MAILBOX_GUID_FNAME);
	int ret;

	ret = mailbox_guid_read(path, guid_r);
	if (ret != 0 || !create)
		return ret;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		log_error("mkdir(%s) failed: %m", dir);
		return -1;
	}
	return mailbox_guid_create(dir, path, guid_r) < 0 ? -1 : 1;
}

void mailbox_guid_delete(const char *dir)
{
	const char *path = tmp_printf("%s/%s", dir, MAILBOX_GUID_FNAME);

	if (unlink(path) < 0 && errno != ENOENT)
		log_error("unlink(%s) failed: %m", path);
}
