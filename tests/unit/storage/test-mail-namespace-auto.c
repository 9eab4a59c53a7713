/* Copyright (c) dovecot-like authors. Check suite for auto = create /
   subscribe mailboxes (mail-namespace-auto.c: listed while missing,
   created on first open, never at login or by a POP3 open) and for the
   subscriptions file's Dovecot form of a subscriptions = no namespace's
   names ("INBOX/foo\tbar"), against a real Maildir++ user. */

#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "mail-storage-private.h"
#include "mail-namespace.h"
#include "mail-namespace-auto.h"
#include "mailbox-mgmt.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <sys/stat.h>
#include <unistd.h>

static const char *joined(const ARRAY_TYPE(string) *names)
{
	struct str *str = t_str_new(128);
	const char *const *np;

	array_foreach(names, np) {
		if (str_len(str) > 0)
			str_append_c(str, ',');
		str_append(str, *np);
	}
	return str_c(str);
}

static void ns_set(struct mail_namespaces *nss, struct mail_namespace *ns,
		   const char *key, const char *value)
{
	const char *error = NULL;

	ck_assert_int_eq(mail_namespace_set(nss, ns, key, value, &error), 0);
}

/* inbox namespace ('/', empty prefix) with Sent (subscribe), Junk
   (create), Drafts (no auto); the hidden compat one "INBOX/" with
   subscriptions = no and an auto = subscribe "Arch" of its own. */
static struct mail_namespaces *nss_create(void)
{
	struct pool *pool = pool_create("test nss", 1024, POOL_FLAG_NONE);
	struct mail_namespaces *nss = mail_namespaces_new(pool);
	struct mail_namespace *ns;
	const char *error = NULL;

	ns = mail_namespace_add(nss, "inbox");
	ns_set(nss, ns, "inbox", "yes");
	ns_set(nss, ns, "separator", "/");
	ck_assert_int_eq(mail_namespace_add_mailbox(nss, ns, "Sent", "\\Sent",
						    "subscribe", &error), 0);
	ck_assert_int_eq(mail_namespace_add_mailbox(nss, ns, "Junk", "\\Junk",
						    "create", &error), 0);
	ck_assert_int_eq(mail_namespace_add_mailbox(nss, ns, "Drafts",
						    "\\Drafts", NULL, &error), 0);
	ns = mail_namespace_add(nss, "compat");
	ns_set(nss, ns, "prefix", "INBOX/");
	ns_set(nss, ns, "separator", "/");
	ns_set(nss, ns, "hidden", "yes");
	ns_set(nss, ns, "list", "no");
	ns_set(nss, ns, "subscriptions", "no");
	ck_assert_int_eq(mail_namespace_add_mailbox(nss, ns, "Arch", NULL,
						    "subscribe", &error), 0);
	ck_assert_int_eq(mail_namespaces_finish(nss, &error), 0);
	return nss;
}

static struct mail_user *auto_user(void)
{
	struct mail_user *user = user_create("maildir:~/Maildir");

	mail_user_set_namespaces(user, nss_create());
	return user;
}

static bool is_dir(const char *name)
{
	struct stat st;

	return stat(tmp_printf("%s/%s", maildir, name), &st) == 0 &&
		S_ISDIR(st.st_mode);
}

static bool subs_exists(void)
{
	return access(tmp_strconcat(maildir, "/subscriptions", NULL), F_OK) == 0;
}

static int open_close(struct mail_user *user, const char *name,
		      enum mailbox_flags flags,
		      enum mail_storage_error *error_r)
{
	struct mailbox *box;
	const char *error_str;

	if (mailbox_open(user, name, flags, &box, error_r, &error_str) < 0)
		return -1;
	mailbox_close(&box);
	return 0;
}

START_TEST(test_auto_find)
{
	struct mail_namespaces *nss = nss_create();
	const struct mail_namespace *ns;
	const struct mail_namespace_mailbox *box;

	box = mail_namespaces_find_auto(nss, "Sent", &ns);
	ck_assert_ptr_nonnull(box);
	ck_assert_str_eq(ns->name, "inbox");
	ck_assert_int_eq(box->autocreate, MAIL_NAMESPACE_AUTO_SUBSCRIBE);
	ck_assert_str_eq(mail_namespace_auto_subscription_name(nss, ns, box),
			 "Sent");
	ck_assert_ptr_null(mail_namespaces_find_auto(nss, "Drafts", &ns));
	ck_assert_ptr_null(ns);
	ck_assert_ptr_null(mail_namespaces_find_auto(nss, "sent", &ns));
	ck_assert_ptr_null(mail_namespaces_find_auto(nss, "Nope", &ns));
	/* the compat namespace's: its storage name, kept subscribed under
	   its full client name by the inbox namespace */
	box = mail_namespaces_find_auto(nss, "Arch", &ns);
	ck_assert_ptr_nonnull(box);
	ck_assert_str_eq(ns->name, "compat");
	ck_assert_str_eq(mail_namespace_auto_subscription_name(nss, ns, box),
			 "INBOX/Arch");
	pool_unref(&nss->pool);
	tmp_reset();
}
END_TEST

START_TEST(test_auto_add_to_lists)
{
	struct mail_namespaces *nss = nss_create();
	ARRAY_TYPE(string) names, added;
	const char *name = "Junk";

	array_init(&names, tmp_pool, 4);
	array_append(&names, &name);
	array_init(&added, tmp_pool, 4);
	mail_namespaces_auto_add_missing(nss, tmp_pool, &names, &added);
	ck_assert_str_eq(joined(&names), "Junk,Sent,Arch");
	ck_assert_str_eq(joined(&added), "Sent,Arch");
	ck_assert(mail_namespace_has_auto(*array_idx(&nss->list, 0), "Sent"));
	ck_assert(mail_namespace_has_auto(*array_idx(&nss->list, 0), "Junk"));
	ck_assert(!mail_namespace_has_auto(*array_idx(&nss->list, 0),
					   "Drafts"));
	ck_assert(!mail_namespace_has_auto(*array_idx(&nss->list, 0), "Arch"));
	ck_assert(mail_namespace_has_auto(*array_idx(&nss->list, 1), "Arch"));
	array_clear(&names);
	name = "Sent";
	array_append(&names, &name);
	mail_namespaces_auto_add_subscribed(nss, tmp_pool, &names);
	ck_assert_str_eq(joined(&names), "Sent,INBOX/Arch");
	pool_unref(&nss->pool);
	tmp_reset();
}
END_TEST

START_TEST(test_auto_listed_not_created)
{
	struct mail_user *user = auto_user();
	ARRAY_TYPE(string) names;
	const char *error;

	ck_assert_int_eq(mail_user_list_mailboxes(user, tmp_pool, &names,
						  &error), 0);
	mailbox_list_sort_names(&names);
	ck_assert_str_eq(joined(&names), "Arch,INBOX,Junk,Sent");
	ck_assert_int_eq(mail_user_list_subscriptions(user, tmp_pool, &names,
						      &error), 0);
	ck_assert_str_eq(joined(&names), "INBOX/Arch,Sent");
	ck_assert(!is_dir(".Sent"));
	ck_assert(!is_dir(".Junk"));
	ck_assert(!subs_exists());
	mail_user_unref(&user);
	tmp_reset();
}
END_TEST

START_TEST(test_auto_created_on_open)
{
	struct mail_user *user = auto_user();
	enum mail_storage_error error;
	ARRAY_TYPE(string) names;
	const char *error_str;

	/* a POP3 session creates nothing */
	ck_assert_int_eq(open_close(user, "Sent", MAILBOX_FLAG_POP3_SESSION,
				    &error), -1);
	ck_assert_int_eq(error, MAIL_ERROR_NOTFOUND);
	ck_assert(!is_dir(".Sent"));
	/* named through a namespace not declaring it: nothing either */
	ck_assert_int_eq(open_close(user, "Junk", MAILBOX_FLAG_READONLY |
				    MAILBOX_FLAG_NO_AUTO_CREATE, &error), -1);
	ck_assert_int_eq(error, MAIL_ERROR_NOTFOUND);
	ck_assert(!is_dir(".Junk"));
	/* no auto: still missing */
	ck_assert_int_eq(open_close(user, "Drafts", 0, &error), -1);
	ck_assert_int_eq(error, MAIL_ERROR_NOTFOUND);
	ck_assert(!is_dir(".Drafts"));
	/* auto = create: created, not subscribed (STATUS opens read-only) */
	ck_assert_int_eq(open_close(user, "Junk", MAILBOX_FLAG_READONLY,
				    &error), 0);
	ck_assert(is_dir(".Junk"));
	ck_assert(!subs_exists());
	/* auto = subscribe: created and written to the file */
	ck_assert_int_eq(open_close(user, "Sent", 0, &error), 0);
	ck_assert(is_dir(".Sent"));
	ck_assert_str_eq(read_path(tmp_strconcat(maildir, "/subscriptions",
						 NULL)), "V\t2\n\nSent\n");
	/* unsubscribed: still listed as subscribed, the file says not */
	ck_assert_int_eq(mail_user_set_subscribed(user, "Sent", false,
						  &error_str), 0);
	ck_assert_str_eq(read_path(tmp_strconcat(maildir, "/subscriptions",
						 NULL)), "V\t2\n\n");
	ck_assert_int_eq(mail_user_list_subscriptions(user, tmp_pool, &names,
						      &error_str), 0);
	ck_assert_str_eq(joined(&names), "INBOX/Arch,Sent");
	/* an existing one is only opened: no resubscription */
	ck_assert_int_eq(open_close(user, "Sent", 0, &error), 0);
	ck_assert_str_eq(read_path(tmp_strconcat(maildir, "/subscriptions",
						 NULL)), "V\t2\n\n");
	/* the compat namespace's: subscribed in Dovecot's form */
	ck_assert_int_eq(open_close(user, "Arch", 0, &error), 0);
	ck_assert(is_dir(".Arch"));
	ck_assert_str_eq(read_path(tmp_strconcat(maildir, "/subscriptions",
						 NULL)), "V\t2\n\nINBOX/Arch\n");
	mail_user_unref(&user);
	tmp_reset();
}
END_TEST

START_TEST(test_subscriptions_dovecot_form)
{
	struct mail_user *user = auto_user();
	const char *path = tmp_strconcat(maildir, "/subscriptions", NULL);
	ARRAY_TYPE(string) names;
	const char *error;

	/* Dovecot's and our old form read alike; the next write converts */
	write_path(path, "V\t2\n\nINBOX/foo\tbar\nINBOX\tbaz\nfoo\n");
	ck_assert_int_eq(mail_user_list_subscriptions(user, tmp_pool, &names,
						      &error), 0);
	ck_assert_str_eq(joined(&names), "INBOX/Arch,INBOX/baz,INBOX/foo/bar,"
			 "Sent,foo");
	ck_assert_int_eq(mail_user_set_subscribed(user, "INBOX/x/y", true,
						  &error), 0);
	ck_assert_str_eq(read_path(path), "V\t2\n\nINBOX/foo\tbar\n"
			 "INBOX/baz\nfoo\nINBOX/x\ty\n");
	/* the inbox namespace's own names keep TAB levels; INBOX alone too */
	ck_assert_int_eq(mail_user_set_subscribed(user, "a/b", true,
						  &error), 0);
	ck_assert_int_eq(mail_user_set_subscribed(user, "INBOX", true,
						  &error), 0);
	ck_assert_str_eq(read_path(path), "V\t2\n\nINBOX/foo\tbar\n"
			 "INBOX/baz\nfoo\nINBOX/x\ty\na\tb\nINBOX\n");
	ck_assert_int_eq(mail_user_set_subscribed(user, "INBOX/foo/bar",
						  false, &error), 0);
	ck_assert_str_eq(read_path(path), "V\t2\n\nINBOX/baz\nfoo\n"
			 "INBOX/x\ty\na\tb\nINBOX\n");
	mail_user_unref(&user);
	tmp_reset();
}
END_TEST

START_TEST(test_auto_delete_missing)
{
	struct mail_user *user = auto_user();
	enum mail_storage_error error;
	const char *error_str;

	/* a missing auto mailbox is deleted without being created */
	ck_assert_int_eq(mail_user_mailbox_delete(user, "Junk", &error,
						  &error_str), 0);
	ck_assert(!is_dir(".Junk"));
	ck_assert_int_eq(mail_user_mailbox_delete(user, "Drafts", &error,
						  &error_str), -1);
	ck_assert_int_eq(error, MAIL_ERROR_NOTFOUND);
	/* an existing one really is */
	ck_assert_int_eq(open_close(user, "Junk", 0, &error), 0);
	ck_assert(is_dir(".Junk"));
	ck_assert_int_eq(mail_user_mailbox_delete(user, "Junk", &error,
						  &error_str), 0);
	ck_assert(!is_dir(".Junk"));
	mail_user_unref(&user);
	tmp_reset();
}
END_TEST

static const struct {
	const char *data;
	const char *names;
} malformed_tests[] = {
	/* empty lines and levels, a leading or trailing '/' */
	{ "V\t2\n\n\n\t\nINBOX/\n/foo\nINBOX//x\nok\n", "ok" },
	/* duplicates (both forms) are kept by the parser, dropped by read */
	{ "V\t2\n\nINBOX/a\nINBOX\ta\nINBOX/a\n", "INBOX/a,INBOX/a,INBOX/a" },
	/* modified UTF-7 isn't decoded: v2 names are UTF-8, '&' literal */
	{ "V\t2\n\n&Jjo\n&AOQ-/x\n", "&Jjo,&AOQ-/x" },
	/* "." and ".." levels, after a '/' too */
	{ "V\t2\n\nINBOX/..\ta\nx/.\nok\n", "ok" },
};

START_TEST(test_subscriptions_malformed)	/* loop test */
{
	ARRAY_TYPE(string) names;

	mailbox_subscriptions_parse(malformed_tests[_i].data,
				    strlen(malformed_tests[_i].data), '.',
				    tmp_pool, &names);
	ck_assert_str_eq(joined(&names), malformed_tests[_i].names);
	tmp_reset();
}
END_TEST

START_TEST(test_subscriptions_dedup_and_overlong)
{
	const char *path = tmp_strconcat(maildir, "/subscriptions", NULL);
	struct str *data = t_str_new(MAILBOX_NAME_MAX_LEN * 3);
	ARRAY_TYPE(string) names;
	const char *error;

	mkdirs(maildir);
	str_append(data, "V\t2\n\nINBOX/a\nINBOX\ta\nINBOX/");
	/* one line over the bound, '/' levels of 200 */
	for (unsigned int i = 0; i < MAILBOX_NAME_MAX_LEN / 200 + 2; i++) {
		for (unsigned int j = 0; j < 200; j++)
			str_append_c(data, 'x');
		str_append_c(data, '/');
	}
	str_append(data, "y\nok\n");
	write_path(path, str_c(data));
	ck_assert_int_eq(mailbox_subscriptions_read(path, '.', tmp_pool,
						    &names, &error), 0);
	ck_assert_str_eq(joined(&names), "INBOX/a,ok");
	tmp_reset();
}
END_TEST

START_TEST(test_append_v2_flat)
{
	static const char *const flat[] = { "INBOX/", "Shared/u/", NULL };
	struct str *str = t_str_new(64);

	mailbox_subscriptions_append_v2_flat(str, "INBOX/a/b", flat);
	mailbox_subscriptions_append_v2_flat(str, "INBOX", flat);
	mailbox_subscriptions_append_v2_flat(str, "INBOXa/b", flat);
	mailbox_subscriptions_append_v2_flat(str, "Shared/u/x\ty", flat);
	mailbox_subscriptions_append_v2_flat(str, "Shared/v", flat);
	mailbox_subscriptions_append_v2_flat(str, "INBOX/a", NULL);
	ck_assert_str_eq(str_c(str), "INBOX/a\tb\nINBOX\nINBOXa\tb\n"
			 "Shared/u/x\001ty\nShared\tv\nINBOX\ta\n");
	tmp_reset();
}
END_TEST

START_TEST(test_subscription_names)
{
	struct pool *pool = pool_create("test nss", 1024, POOL_FLAG_NONE);
	struct mail_namespaces *nss = mail_namespaces_new(pool);
	struct mail_namespace *inbox, *dot;
	const char *error = NULL;

	inbox = mail_namespace_add(nss, "inbox");
	ns_set(nss, inbox, "inbox", "yes");
	ns_set(nss, inbox, "separator", "/");
	dot = mail_namespace_add(nss, "dot");
	ns_set(nss, dot, "prefix", "INBOX.");
	ns_set(nss, dot, "subscriptions", "no");
	ck_assert_int_eq(mail_namespaces_finish(nss, &error), 0);
	ck_assert_str_eq(mail_namespace_subscription_prefix(dot), "INBOX/");
	ck_assert_str_eq(mail_namespace_subscription_name(dot, "foo/bar"),
			 "INBOX/foo/bar");
	ck_assert_str_eq(mail_namespace_subscription_name(inbox, "foo/bar"),
			 "foo/bar");
	ck_assert_str_eq(mail_namespace_subscription_to_storage(dot,
		"INBOX/foo/bar"), "foo/bar");
	ck_assert_ptr_null(mail_namespace_subscription_to_storage(dot,
		"INBOX/"));
	ck_assert_ptr_null(mail_namespace_subscription_to_storage(dot,
		"INBOX"));
	ck_assert_ptr_null(mail_namespace_subscription_to_storage(dot,
		"INBOXfoo"));
	ck_assert_ptr_null(mail_namespace_subscription_to_storage(inbox,
		"INBOX/foo"));
	pool_unref(&pool);
	tmp_reset();
}
END_TEST

Suite *test_mail_namespace_auto_suite(void)
{
	Suite *s = suite_create("mail_namespace_auto");
	TCase *tc = tcase_create("auto");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_auto_find);
	tcase_add_test(tc, test_auto_add_to_lists);
	tcase_add_test(tc, test_auto_listed_not_created);
	tcase_add_test(tc, test_auto_created_on_open);
	tcase_add_test(tc, test_auto_delete_missing);
	tcase_add_test(tc, test_subscriptions_dovecot_form);
	tcase_add_loop_test(tc, test_subscriptions_malformed, 0,
			    N_ELEMENTS(malformed_tests));
	tcase_add_test(tc, test_subscriptions_dedup_and_overlong);
	tcase_add_test(tc, test_append_v2_flat);
	tcase_add_test(tc, test_subscription_names);
	suite_add_tcase(s, tc);
	return s;
}
