/* Copyright (c) dovecot-like authors. Fuzzes saving into mbox (APPEND data
   is any client's bytes): the input is saved in two writes, followed by a
   fixed message, in one transaction. The parser must then find exactly our
   two messages with the UIDs and flags we wrote (so the sync rewrites
   nothing), and the fixed message must read back byte for byte: nothing in
   the input may move a message boundary or hide our headers. */
#include "fuzz-common.h"
#include "array.h"
#include "istream.h"
#include "buffer.h"
#include "mail-storage.h"

#include <stdio.h>
#include <sys/stat.h>

#define FIXED_MSG "Subject: fixed\r\n\r\nFrom the body\r\n"

static struct mail_user *user;
static char inbox_path[128];
static char fuzz_dir[64];

/* nothing else is left there: temp files are unlinked, journals and
   dotlocks removed by each commit */
static void fuzz_user_cleanup(void)
{
	(void)unlink(inbox_path);
	(void)rmdir(tmp_printf("%s/mail", fuzz_dir));
	(void)rmdir(fuzz_dir);
}

static void fuzz_user_init(void)
{
	char *dir = fuzz_dir;
	struct mail_user_settings set;
	const char *error;

	if (user != NULL)
		return;
	/* tmpfs if there is one: every commit fsyncs */
	snprintf(dir, sizeof(fuzz_dir), "%s/fuzz-mbox-save.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	if (mkdir(tmp_printf("%s/mail", dir), 0700) < 0)
		abort();
	snprintf(inbox_path, sizeof(inbox_path), "%s/inbox", dir);
	atexit(fuzz_user_cleanup);
	memset(&set, 0, sizeof(set));
	set.username = "fuzz";
	set.home = dir;
	set.mail_location = tmp_printf("mbox:~/mail:INBOX=%s", inbox_path);
	if (mail_user_create(&set, &user, &error) < 0)
		abort();
}

static const unsigned char *read_file(size_t *size_r)
{
	struct buf *buf = buf_create(tmp_pool, 4096);
	unsigned char chunk[4096];
	ssize_t ret;
	int fd = open(inbox_path, O_RDONLY);

	if (fd == -1)
		abort();
	while ((ret = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(buf, chunk, (size_t)ret);
	if (ret < 0)
		abort();
	close(fd);
	*size_r = buf->used;
	return buf->data;
}

static void check_fixed(struct mailbox *box, uint32_t seq)
{
	struct buf *buf = buf_create(tmp_pool, 256);
	struct istream *input;
	const unsigned char *data;
	size_t size;
	ssize_t ret;

	if (mail_get_stream(box, seq, &input) < 0)
		abort();
	while ((ret = istream_read(input)) > 0 || ret == -2) {
		data = istream_get_data(input, &size);
		buf_append(buf, data, size);
		istream_skip(input, size);
	}
	istream_unref(&input);
	if (buf->used != strlen(FIXED_MSG) ||
	    memcmp(buf->data, FIXED_MSG, buf->used) != 0)
		abort();
}

static int save(struct mailbox_transaction *t, const void *data, size_t size,
		size_t split, enum mail_flags flags)
{
	struct mail_save_data sd = { flags, NULL, 1600000000 };
	struct mail_save_context *ctx = mailbox_save_begin(t, &sd);

	if (ctx == NULL)
		abort();
	if (mailbox_save_write(ctx, data, split) < 0 ||
	    mailbox_save_write(ctx, (const char *)data + split,
			       size - split) < 0) {
		mailbox_save_cancel(&ctx);
		return -1;
	}
	return mailbox_save_finish(&ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_transaction_commit_result result;
	struct mailbox_sync_result sync;
	struct mailbox_transaction *t;
	struct mailbox *box;
	enum mail_storage_error error;
	const char *error_str;
	const unsigned char *before, *after;
	size_t before_len, after_len, split;
	enum mail_flags flags;
	int fd;

	fuzz_init();
	fuzz_user_init();
	if (size < 2)
		return 0;
	flags = data[0] & MAIL_FLAGS_MASK;
	split = data[1] % (size - 1);
	data += 2;
	size -= 2;

	fd = open(inbox_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1)
		abort();
	close(fd);
	if (mailbox_open(user, "INBOX", MAILBOX_FLAG_POP3_SESSION, &box,
			 &error, &error_str) < 0)
		abort();
	t = mailbox_transaction_begin(box);
	if (save(t, data, size, MIN(split, size), flags) < 0) {
		/* only a header beyond our limit is refused */
		if (mailbox_get_last_error(box, &error_str) != MAIL_ERROR_PARAMS)
			abort();
		mailbox_transaction_rollback(&t);
		mailbox_close(&box);
		tmp_reset();
		return 0;
	}
	if (save(t, FIXED_MSG, strlen(FIXED_MSG), 5, MAIL_SEEN) < 0)
		abort();
	if (mailbox_transaction_commit(&t, tmp_pool, &result) < 0 ||
	    array_count(&result.uids) != 2)
		abort();

	before = read_file(&before_len);
	if (mailbox_sync(box, tmp_pool, &sync) < 0 ||
	    mailbox_get_messages_count(box) != 2 ||
	    mailbox_seq_to_uid(box, 1) != 1 || mailbox_seq_to_uid(box, 2) != 2)
		abort();
	if ((mail_get_flags(box, 1) & MAIL_FLAGS_MASK) != flags ||
	    (mail_get_flags(box, 2) & MAIL_FLAGS_MASK) != MAIL_SEEN)
		abort();
	check_fixed(box, 2);
	/* every header of ours was found where we put it */
	after = read_file(&after_len);
	if (after_len != before_len || memcmp(before, after, after_len) != 0)
		abort();
	mailbox_close(&box);
	tmp_reset();
	return 0;
}
