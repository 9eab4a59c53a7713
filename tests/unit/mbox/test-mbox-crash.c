/* Copyright (c) dovecot-like authors. Crash safety of mbox rewrites: a
   child process expunges or changes flags (forcing a rewrite of the file
   tail) and dies after N write() calls, for every N; reopening must show
   every message intact, byte for byte. */
#include "lib.h"
#include "str.h"
#include "mail-storage.h"
#include "test-mbox.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define CRASH_MSGS 5
#define CRASH_MAX_POINTS 400

static void crash_write_mbox(void)
{
	struct str *str = t_str_new(65536);
	unsigned int i;

	for (i = 0; i < CRASH_MSGS; i++) {
		str_printfa(str, "From a@b Thu Nov  9 22:33:5%u 2001\n"
			    "Subject: %u\n\n%s\n", i, i, mbox_crash_body(i));
	}
	mbox_write_file(mbox_inbox_path(), str_c(str), str_len(str));
}

enum crash_op { CRASH_EXPUNGE, CRASH_FLAGS };

/* In the child: do op with the crash hook armed. Exit 0 if it finished. */
static void crash_child(enum crash_op op, int points)
{
	struct mail_user *user;
	struct mailbox *box;
	ARRAY_TYPE(mailbox_expunged) expunged;

	setenv("DL_MBOX_TEST_CRASH_AFTER", tmp_printf("%d", points), 1);
	user = mbox_user_create();
	box = mbox_box_open(user, 0);
	if (op == CRASH_EXPUNGE) {
		if (mail_update_flags(box, 2, MODIFY_ADD, MAIL_DELETED, NULL) < 0 ||
		    mailbox_expunge_deleted(box, tmp_pool, NULL, &expunged) < 0)
			_exit(2);
	} else {
		/* the first message has no padding left after this test's
		   setup: all flags grow its header -> tail rewrite */
		if (mail_update_flags(box, 1, MODIFY_ADD, MAIL_ANSWERED |
				      MAIL_FLAGGED | MAIL_DRAFT | MAIL_SEEN, NULL) < 0)
			_exit(2);
	}
	mailbox_close(&box);
	mail_user_unref(&user);
	_exit(0);
}

/* Every message except possibly the expunged one is there and intact.
   readonly: look with EXAMINE (which must finish an interrupted rewrite
   too, not read a half-written file). */
static bool crash_verify(enum crash_op op, bool readonly)
{
	struct mail_user *user = mbox_user_create();
	struct mailbox *box = mbox_box_open(user, readonly ?
					    MAILBOX_FLAG_READONLY : 0);
	uint32_t count = mailbox_get_messages_count(box), seq, uid;
	bool done;

	if (op == CRASH_EXPUNGE) {
		ck_assert(count == CRASH_MSGS || count == CRASH_MSGS - 1);
		done = count == CRASH_MSGS - 1;
	} else {
		ck_assert_uint_eq(count, CRASH_MSGS);
		done = (mail_get_flags(box, 1) & MAIL_FLAGGED) != 0;
	}
	for (seq = 1; seq <= count; seq++) {
		uid = mailbox_seq_to_uid(box, seq);
		ck_assert(uid >= 1 && uid <= CRASH_MSGS);
		const char *want = tmp_printf("Subject: %u\n\n%s", uid - 1,
					      mbox_crash_body(uid - 1));
		struct str *crlf = t_str_new(strlen(want) * 2);
		for (const char *p = want; *p != '\0'; p++) {
			if (*p == '\n')
				str_append_c(crlf, '\r');
			str_append_c(crlf, *p);
		}
		ck_assert_str_eq(mbox_msg_text(box, seq), str_c(crlf));
	}
	mailbox_close(&box);
	mail_user_unref(&user);
	return done;
}

static void crash_run(enum crash_op op)
{
	const char *orig;
	size_t orig_len;
	int points, status;
	bool finished = false;
	pid_t pid;

	crash_write_mbox();
	(void)crash_verify(op, false);	/* UIDs assigned, O written */
	orig = tmp_strdup(mbox_read_file(mbox_inbox_path(), &orig_len));
	if (op == CRASH_FLAGS) {
		/* remove the X-Keywords padding of the first message */
		const char *kw = strstr(orig, "X-Keywords: ");
		const char *end = strchr(kw, '\n');
		struct str *s = t_str_new(orig_len);

		ck_assert(kw != NULL && end != NULL);
		str_append_n(s, orig, (size_t)(kw - orig));
		str_append(s, "X-Keywords:");
		str_append(s, end);
		orig = tmp_strdup(str_c(s));
		orig_len = str_len(s);
	}
	for (points = 0; points < CRASH_MAX_POINTS && !finished; points++) {
		mbox_write_file(mbox_inbox_path(), orig, orig_len);
		pid = fork();
		ck_assert(pid >= 0);
		if (pid == 0)
			crash_child(op, points);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status));
		ck_assert_msg(WEXITSTATUS(status) == 0 ||
			      WEXITSTATUS(status) == 99, "exit %d",
			      WEXITSTATUS(status));
		finished = WEXITSTATUS(status) == 0;
		/* a crash after the journal was complete is replayed */
		ck_assert(crash_verify(op, points % 2 == 1) || !finished);
	}
	ck_assert_msg(finished, "never finished within %d writes", points);
	ck_assert_int_gt(points, 3);
}

START_TEST(test_crash_expunge)
{
	crash_run(CRASH_EXPUNGE);
}
END_TEST

START_TEST(test_crash_flags)
{
	crash_run(CRASH_FLAGS);
}
END_TEST

Suite *test_mbox_crash_suite(void)
{
	Suite *s = suite_create("mbox-crash");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, mbox_setup, mbox_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_crash_expunge);
	tcase_add_test(tc, test_crash_flags);
	suite_add_tcase(s, tc);
	return s;
}
