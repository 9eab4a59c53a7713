/* Copyright (c) dovecot-like authors. Check suite for the generic keyword
   code (mail-keywords.c, mail_update_flags()): name validity, the
   case-insensitive append-only list, the creation limit and the backend's
   refusal, and how ADD/REMOVE/REPLACE change a message's set. Runs on a
   bare mailbox with a fake backend, so it tests only the generic layer. */

#include "lib.h"
#include "mail-storage-private.h"
#include "test-storage.h"

#include <unistd.h>

static int fake_created_calls, fake_created_first, fake_created_fail;
static int fake_write_calls;

static int fake_keywords_created(struct mailbox *box ATTR_UNUSED,
				 unsigned int first_idx)
{
	fake_created_calls++;
	fake_created_first = (int)first_idx;
	if (fake_created_fail) {
		mailbox_set_error(box, MAIL_ERROR_TEMP, "fake failure");
		return -1;
	}
	return 0;
}

static int fake_write_flags(struct mailbox *box ATTR_UNUSED,
			    struct mailbox_msg *msg ATTR_UNUSED,
			    enum mail_flags old_flags ATTR_UNUSED,
			    const struct mail_keywords *old ATTR_UNUSED)
{
	fake_write_calls++;
	return 0;
}

static const struct mailbox_vfuncs fake_vfuncs = {
	.write_flags = fake_write_flags,
	.keywords_created = fake_keywords_created,
};

static struct mail_user *fake_user(void)
{
	struct mail_user_settings set;
	struct mail_user *user;
	const char *error;

	memset(&set, 0, sizeof(set));
	set.username = "kw";
	set.home = "/nonexistent";
	set.mail_location = "maildir:/nonexistent/Maildir";
	set.uid = getuid();
	set.gid = getgid();
	ck_assert_msg(mail_user_create(&set, &user, &error) == 0, "%s", error);
	return user;
}

/* A mailbox with one message (uid 1) and the fake backend. */
static struct mailbox *fake_box(struct mailbox_msg *msg)
{
	struct pool *pool = pool_create("fake box", 1024, POOL_FLAG_NONE);
	struct mailbox *box = pool_new(pool, struct mailbox, 1);
	struct mail_user *user = fake_user();

	mailbox_init(box, pool, user, "INBOX", 0, &fake_vfuncs);
	mail_user_unref(&user);
	memset(msg, 0, sizeof(*msg));
	msg->uid = 1;
	mailbox_view_append(box, msg);
	fake_created_calls = fake_write_calls = fake_created_fail = 0;
	return box;
}

static void fake_box_free(struct mailbox *box)
{
	struct mail_user *user = box->user;
	struct pool *pool = box->pool;

	pool_unref(&box->view_pool);
	mail_user_unref(&user);
	pool_unref(&pool);
}

START_TEST(test_keyword_validity)
{
	static const char *const good[] = { "$Junk", "NonJunk", "a", "x-y_z.1",
		"$label1", "[brackets", "~!@#^&+=|;:,<>/?'`" };
	static const char *const bad[] = { "", "a b", "a(b", "a)b", "a{b",
		"a%b", "a*b", "a\"b", "a\\b", "\\Seen", "a]b", "tab\there",
		"\x7f", "\xc3\xa9t\xc3\xa9", "ctl\x01" };
	const char *error;
	char longname[MAILBOX_MAX_KEYWORD_LEN + 2];

	for (unsigned int i = 0; i < N_ELEMENTS(good); i++)
		ck_assert_msg(mail_keyword_is_valid(good[i], &error), "%s", good[i]);
	for (unsigned int i = 0; i < N_ELEMENTS(bad); i++) {
		error = NULL;
		ck_assert_msg(!mail_keyword_is_valid(bad[i], &error), "%s", bad[i]);
		ck_assert_ptr_nonnull(error);
	}
	memset(longname, 'k', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert(!mail_keyword_is_valid(longname, &error));
	ck_assert_str_eq(error, "Keyword length too long");
	longname[MAILBOX_MAX_KEYWORD_LEN] = '\0';
	ck_assert(mail_keyword_is_valid(longname, &error));

	/* the shared check used for names read from storage: same rules,
	   explicit length and limit, no NUL needed */
	for (unsigned int i = 0; i < N_ELEMENTS(good); i++)
		ck_assert(mail_keyword_name_is_valid(good[i], strlen(good[i]),
						     MAILBOX_MAX_KEYWORD_LEN));
	for (unsigned int i = 0; i < N_ELEMENTS(bad); i++) {
		size_t len = strlen(bad[i]);

		ck_assert_msg(!mail_keyword_name_is_valid(bad[i], len,
						MAILBOX_MAX_KEYWORD_LEN),
			      "%s", bad[i]);
	}
	ck_assert(mail_keyword_name_is_valid("abc(", 3, 3));
	ck_assert(!mail_keyword_name_is_valid("abc(", 4, 4));
	ck_assert(!mail_keyword_name_is_valid("abcd", 4, 3));
	ck_assert(!mail_keyword_name_is_valid("a\0b", 3, 10));
	ck_assert(!mail_keyword_name_is_valid("x]y", 3, 10));
}
END_TEST

START_TEST(test_keyword_list)
{
	struct mailbox_msg msg;
	struct mailbox *box = fake_box(&msg);
	const char *names[] = { "$Junk", "Work", "$JUNK" };
	const char *const *list;
	struct mail_keywords kw;
	unsigned int count;

	ck_assert_int_eq(mailbox_keywords_create(box, names, 3, true, &kw), 0);
	list = mailbox_get_keywords(box, &count);
	ck_assert_uint_eq(count, 2);
	ck_assert_str_eq(list[0], "$Junk");
	ck_assert_str_eq(list[1], "Work");
	ck_assert(mail_keywords_has(&kw, 0) && mail_keywords_has(&kw, 1));
	ck_assert(!mail_keywords_has(&kw, 2));
	/* the backend was told once, from the first new index */
	ck_assert_int_eq(fake_created_calls, 1);
	ck_assert_int_eq(fake_created_first, 0);
	ck_assert_int_eq(mailbox_keyword_lookup(box, "work"), 1);
	ck_assert_int_eq(mailbox_keyword_lookup(box, "nope"), -1);
	/* by length: a prefix or a longer word is no match */
	ck_assert_int_eq(mailbox_keyword_lookup_n(box, "WORKS", 4), 1);
	ck_assert_int_eq(mailbox_keyword_lookup_n(box, "$junk work", 5), 0);
	ck_assert_int_eq(mailbox_keyword_lookup_n(box, "Wor", 3), -1);
	ck_assert_int_eq(mailbox_keyword_lookup_n(box, "Works", 5), -1);
	ck_assert_int_eq(mailbox_keyword_lookup_n(box, "", 0), -1);

	/* known names only: no call, unknown ones left out */
	names[0] = "WORK";
	names[1] = "Unknown";
	ck_assert_int_eq(mailbox_keywords_create(box, names, 2, false, &kw), 0);
	ck_assert(!mail_keywords_has(&kw, 0) && mail_keywords_has(&kw, 1));
	ck_assert_int_eq(fake_created_calls, 1);
	(void)mailbox_get_keywords(box, &count);
	ck_assert_uint_eq(count, 2);

	/* an invalid one fails the whole call and adds nothing */
	names[0] = "fine";
	names[1] = "not fine";
	ck_assert_int_eq(mailbox_keywords_create(box, names, 2, true, &kw), -1);
	ck_assert_int_eq(mailbox_get_last_error(box, NULL), MAIL_ERROR_PARAMS);
	(void)mailbox_get_keywords(box, &count);
	ck_assert_uint_eq(count, 2);

	/* the backend refusing: the new names are dropped again */
	fake_created_fail = 1;
	ck_assert_int_eq(mailbox_keywords_create(box, names, 1, true, &kw), -1);
	(void)mailbox_get_keywords(box, &count);
	ck_assert_uint_eq(count, 2);
	fake_box_free(box);
}
END_TEST

START_TEST(test_keyword_limit)
{
	struct mailbox_msg msg;
	struct mailbox *box = fake_box(&msg);
	struct mail_keywords kw;
	const char *name;
	unsigned int i;

	box->keywords_max = 3;
	for (i = 0; i < 3; i++) {
		name = tmp_printf("k%u", i);
		ck_assert(mailbox_can_create_keywords(box));
		ck_assert_int_eq(mailbox_keywords_create(box, &name, 1, true, &kw), 0);
	}
	ck_assert(!mailbox_can_create_keywords(box));
	name = "k3";
	ck_assert_int_eq(mailbox_keywords_create(box, &name, 1, true, &kw), -1);
	ck_assert_int_eq(mailbox_get_last_error(box, NULL), MAIL_ERROR_LIMIT);
	/* existing names still work at the limit */
	name = "K1";
	ck_assert_int_eq(mailbox_keywords_create(box, &name, 1, true, &kw), 0);
	ck_assert(mail_keywords_has(&kw, 1));
	/* names found in storage may go past it, up to the hard maximum */
	for (i = 3; i < MAILBOX_MAX_KEYWORDS; i++)
		ck_assert_int_eq(mailbox_keyword_add(box, tmp_printf("s%u", i)), (int)i);
	ck_assert_int_eq(mailbox_keyword_add(box, "one-too-many"), -1);
	ck_assert_int_eq(mailbox_keyword_add(box, "S5"), 5);
	fake_box_free(box);
}
END_TEST

START_TEST(test_keyword_update)
{
	struct mailbox_msg msg;
	struct mailbox *box = fake_box(&msg);
	const char *names[] = { "a", "b", "c" };
	struct mail_keywords ab, c;
	const char *const *set;

	ck_assert_int_eq(mailbox_keywords_create(box, names, 2, true, &ab), 0);
	ck_assert_int_eq(mailbox_keywords_create(box, names + 2, 1, true, &c), 0);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN, &ab), 0);
	ck_assert_int_eq(fake_write_calls, 1);
	ck_assert(mail_keywords_has(mail_get_keywords(box, 1), 0));
	/* nothing changes: no backend write */
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, MAIL_SEEN, &ab), 0);
	ck_assert_int_eq(fake_write_calls, 1);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_ADD, 0, &c), 0);
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_REMOVE, 0, &ab), 0);
	set = mailbox_keywords_get_names(box, tmp_pool, mail_get_keywords(box, 1));
	ck_assert(set[0] != NULL && strcmp(set[0], "c") == 0 && set[1] == NULL);
	ck_assert_uint_eq(mail_get_flags(box, 1), MAIL_SEEN);
	/* REPLACE with no keywords clears them */
	ck_assert_int_eq(mail_update_flags(box, 1, MODIFY_REPLACE, MAIL_FLAGGED, NULL), 0);
	ck_assert(mail_keywords_is_empty(mail_get_keywords(box, 1)));
	ck_assert_uint_eq(mail_get_flags(box, 1), MAIL_FLAGGED);
	ck_assert_int_eq(fake_write_calls, 4);
	/* an invalid seq has the empty set */
	ck_assert(mail_keywords_is_empty(mail_get_keywords(box, 2)));
	fake_box_free(box);
}
END_TEST

Suite *test_mail_keywords_suite(void)
{
	Suite *s = suite_create("mail_keywords");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_keyword_validity);
	tcase_add_test(tc, test_keyword_list);
	tcase_add_test(tc, test_keyword_limit);
	tcase_add_test(tc, test_keyword_update);
	suite_add_tcase(s, tc);
	return s;
}
