/* Copyright (c) dovecot-like authors. Check suite for mail-namespace.c:
   namespace { } / mailbox { } values and their checks (one inbox=yes,
   one-character separators, prefixes ending in the separator, known
   special_use flags, auto values), the default namespace, routing a
   client's name to its namespace and the name <-> storage name mapping. */

#include "lib.h"
#include "mail-namespace.h"
#include "test-storage.h"

static struct pool *ns_pool;

static void ns_setup(void)
{
	ns_pool = pool_create("test namespaces", 1024, POOL_FLAG_NONE);
}

static void ns_teardown(void)
{
	pool_unref(&ns_pool);
}

/* One namespace from key/value pairs; ck_assert on each step. */
static struct mail_namespace *
ns_add(struct mail_namespaces *nss, const char *name,
       const char *const *kv)
{
	struct mail_namespace *ns = mail_namespace_add(nss, name);
	const char *error = NULL;

	for (; kv[0] != NULL; kv += 2)
		ck_assert_int_eq(mail_namespace_set(nss, ns, kv[0], kv[1],
						    &error), 0);
	return ns;
}

START_TEST(test_namespace_default)
{
	struct mail_namespaces *nss = mail_namespaces_new(ns_pool);
	struct mail_namespace *ns;
	const char *error = NULL;

	ck_assert_int_eq(mail_namespaces_finish(nss, &error), 0);
	ck_assert_uint_eq(array_count(&nss->list), 1);
	ck_assert(!mail_namespaces_have_special_use(nss));
	ns = mail_namespaces_get_inbox(nss);
	ck_assert_ptr_nonnull(ns);
	ck_assert_int_eq(ns->separator, '.');
	ck_assert_str_eq(ns->prefix, "");
	ck_assert(ns->inbox && ns->list && ns->subscriptions && !ns->hidden);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "a.b"), ns);
	ck_assert_str_eq(mail_namespace_to_storage(ns, "a.b.c"), "a/b/c");
	ck_assert_str_eq(mail_namespace_to_storage(ns, "inbox"), "INBOX");
	ck_assert_str_eq(mail_namespace_to_storage(ns, "Inbox.x"), "INBOX/x");
	ck_assert_str_eq(mail_namespace_to_storage(ns, "INBOXy"), "INBOXy");
	ck_assert_str_eq(mail_namespace_from_storage(ns, "a/b"), "a.b");
	ck_assert_str_eq(mail_namespace_from_storage(ns, "INBOX"), "INBOX");
}
END_TEST

START_TEST(test_namespace_errors)
{
	static const char *const two_char_sep[] = { "separator", "//", NULL };
	static const char *const bad_bool[] = { "inbox", "maybe", NULL };
	struct mail_namespaces *nss;
	struct mail_namespace *ns;
	const char *error = NULL;

	nss = mail_namespaces_new(ns_pool);
	ns = mail_namespace_add(nss, "inbox");
	ck_assert_int_eq(mail_namespace_set(nss, ns, two_char_sep[0],
					    two_char_sep[1], &error), -1);
	ck_assert_str_eq(error, "Namespace 'inbox': Hierarchy separator "
			 "must be only one character long");
	ck_assert_int_eq(mail_namespace_set(nss, ns, bad_bool[0], bad_bool[1],
					    &error), -1);
	ck_assert_str_eq(error, "inbox: Invalid boolean value: maybe");
	/* booleans arrive normalised to yes/no (mail-namespace-settings.c);
	   "children" is a list value only */
	ck_assert_int_eq(mail_namespace_set(nss, ns, "inbox", "children",
					    &error), -1);
	ck_assert_str_eq(error, "inbox: Invalid boolean value: children");
	ck_assert_int_eq(mail_namespace_set(nss, ns, "list", "maybe",
					    &error), -1);
	ck_assert_str_eq(error, "list: Invalid value: maybe "
			 "(use yes, no or children)");
	ck_assert_int_eq(mail_namespace_set(nss, ns, "list", "children",
					    &error), 0);
	ck_assert(ns->list);
	ck_assert_int_eq(mail_namespace_set(nss, ns, "list", "no", &error), 0);
	ck_assert(!ns->list);
	/* location, alias_for and other types are refused, not ignored */
	ck_assert_int_eq(mail_namespace_set(nss, ns, "location", "x", &error), -1);
	ck_assert_str_eq(error, "Namespace 'inbox': location is not supported "
			 "yet (all namespaces use mail_location)");
	ck_assert_int_eq(mail_namespace_set(nss, ns, "alias_for", "a.",
					    &error), -1);
	ck_assert_str_eq(error, "Namespace 'inbox': alias_for is not "
			 "supported yet (all namespaces use mail_location)");
	ck_assert_int_eq(mail_namespace_set(nss, ns, "type", "public",
					    &error), -1);
	ck_assert_str_eq(error, "Namespace 'inbox': type = public is not "
			 "supported yet (only private)");
	ck_assert_int_eq(mail_namespace_set(nss, ns, "location", "", &error), 0);
	ck_assert_int_eq(mail_namespace_set(nss, ns, "type", "private",
					    &error), 0);
	/* unknown keys are the parser's business, ignored here */
	ck_assert_int_eq(mail_namespace_set(nss, ns, "order", "1", &error), 0);

	/* two inbox=yes */
	nss = mail_namespaces_new(ns_pool);
	ns_add(nss, "a", (const char *const[]){ "inbox", "yes", NULL });
	ns_add(nss, "b", (const char *const[]){ "inbox", "yes", "prefix",
						"b.", NULL });
	ck_assert_int_eq(mail_namespaces_finish(nss, &error), -1);
	ck_assert_str_eq(error, "namespace configuration error: There can be "
			 "only one namespace with inbox=yes");

	/* none */
	nss = mail_namespaces_new(ns_pool);
	ns_add(nss, "a", (const char *const[]){ "prefix", "a.", NULL });
	ck_assert_int_eq(mail_namespaces_finish(nss, &error), -1);
	ck_assert_str_eq(error, "namespace configuration error: "
			 "inbox=yes namespace missing");

	/* prefix not ending with the separator */
	nss = mail_namespaces_new(ns_pool);
	ns_add(nss, "x", (const char *const[]){ "inbox", "yes", "separator",
						"/", "prefix", "INBOX.", NULL });
	ck_assert_int_eq(mail_namespaces_finish(nss, &error), -1);
	ck_assert_str_eq(error, "Namespace 'x': prefix 'INBOX.' doesn't end "
			 "with the hierarchy separator '/'");

	/* same prefix twice */
	nss = mail_namespaces_new(ns_pool);
	ns_add(nss, "a", (const char *const[]){ "inbox", "yes", NULL });
	ns_add(nss, "b", (const char *const[]){ NULL });
	ck_assert_int_eq(mail_namespaces_finish(nss, &error), -1);
	ck_assert_str_eq(error, "Duplicate namespace prefix: \"\"");
}
END_TEST

START_TEST(test_special_use)
{
	struct mail_namespaces *nss = mail_namespaces_new(ns_pool);
	struct mail_namespace *ns;
	enum mail_special_use flags;
	const char *error = NULL;

	ck_assert_int_eq(mail_special_use_parse("\\Sent  \\junk\t\\All",
						&flags, &error), 0);
	ck_assert_int_eq(flags, MAIL_SPECIAL_USE_SENT | MAIL_SPECIAL_USE_JUNK |
			 MAIL_SPECIAL_USE_ALL);
	ck_assert_str_eq(mail_special_use_to_str(flags), "\\All \\Junk \\Sent");
	ck_assert_int_eq(mail_special_use_parse("", &flags, &error), 0);
	ck_assert_int_eq(flags, 0);
	ck_assert_str_eq(mail_special_use_to_str(0), "");
	ck_assert_int_eq(mail_special_use_parse("\\Sent \\Important",
						&flags, &error), -1);
	ck_assert_str_eq(error, "Unknown SPECIAL-USE flag: \\Important");
	ck_assert_int_eq(mail_special_use_parse("\\Sentx", &flags, &error), -1);
	ck_assert_str_eq(error, "Unknown SPECIAL-USE flag: \\Sentx");
	ck_assert_int_eq(mail_special_use_parse(" \\Trash\tSent", &flags,
						&error), -1);
	ck_assert_str_eq(error, "Unknown SPECIAL-USE flag: Sent");

	ns = ns_add(nss, "inbox", (const char *const[]){ "inbox", "yes",
		"separator", "/", NULL });
	ck_assert_int_eq(mail_namespace_add_mailbox(nss, ns, "Sent",
		"\\Sent", "subscribe", &error), 0);
	ck_assert_int_eq(mail_namespace_add_mailbox(nss, ns, "Arch/2020",
		"\\Archive", NULL, &error), 0);
	ck_assert_int_eq(mail_namespace_add_mailbox(nss, ns, "Junk",
		"\\Spam", NULL, &error), -1);
	ck_assert_str_eq(error, "mailbox Junk: special_use: "
			 "Unknown SPECIAL-USE flag: \\Spam");
	ck_assert_int_eq(mail_namespace_add_mailbox(nss, ns, "Junk",
		NULL, "always", &error), -1);
	ck_assert_str_eq(error, "mailbox Junk: auto: Invalid value: always");
	ck_assert_int_eq(mail_namespaces_finish(nss, &error), 0);
	ck_assert(mail_namespaces_have_special_use(nss));
	ck_assert_uint_eq(array_count(&ns->mailboxes), 2);
	ck_assert_int_eq(array_idx(&ns->mailboxes, 0)->autocreate,
			 MAIL_NAMESPACE_AUTO_SUBSCRIBE);
	ck_assert_int_eq(array_idx(&ns->mailboxes, 1)->autocreate,
			 MAIL_NAMESPACE_AUTO_NO);
	ck_assert_int_eq(mail_namespace_get_special_use(ns, "Sent"),
			 MAIL_SPECIAL_USE_SENT);
	ck_assert_int_eq(mail_namespace_get_special_use(ns, "Arch/2020"),
			 MAIL_SPECIAL_USE_ARCHIVE);
	ck_assert_int_eq(mail_namespace_get_special_use(ns, "sent"), 0);
	ck_assert_int_eq(mail_namespace_get_special_use(ns, "Junk"), 0);
	/* the storage names are set once, at finish */
	ck_assert_str_eq(array_idx(&ns->mailboxes, 0)->storage_name, "Sent");
	ck_assert_str_eq(array_idx(&ns->mailboxes, 1)->storage_name,
			 "Arch/2020");
}
END_TEST

/* special_use of mailboxes under a prefix and another separator: the
   storage name computed at finish drops the prefix and uses '/' */
START_TEST(test_special_use_storage_names)
{
	struct mail_namespaces *nss = mail_namespaces_new(ns_pool);
	struct mail_namespace *ns;
	const char *error = NULL;

	ns = ns_add(nss, "inbox", (const char *const[]){ "inbox", "yes",
		"prefix", "INBOX.", NULL });
	ck_assert_int_eq(mail_namespace_add_mailbox(nss, ns, "Old.Sent",
		"\\Sent \\Archive", NULL, &error), 0);
	ck_assert_int_eq(mail_namespace_add_mailbox(nss, ns, "inbox",
		"\\All", NULL, &error), 0);
	ck_assert_int_eq(mail_namespaces_finish(nss, &error), 0);
	ck_assert_str_eq(array_idx(&ns->mailboxes, 0)->storage_name,
			 "Old/Sent");
	ck_assert_int_eq(mail_namespace_get_special_use(ns, "Old/Sent"),
			 MAIL_SPECIAL_USE_SENT | MAIL_SPECIAL_USE_ARCHIVE);
	ck_assert_int_eq(mail_namespace_get_special_use(ns, "Old.Sent"), 0);
	ck_assert_int_eq(mail_namespace_get_special_use(ns, "Old"), 0);
	/* "INBOX.inbox" is the storage's "inbox" (only a whole INBOX level
	   after the prefix is fixed in case) */
	ck_assert_str_eq(array_idx(&ns->mailboxes, 1)->storage_name, "INBOX");
}
END_TEST

/* subscriptions = no: the subscriptions = yes namespace with the longest
   prefix keeps them; "INBOX/x" belongs to a namespace with prefix
   "INBOX/", in any case */
START_TEST(test_namespace_subscriptions_parent)
{
	struct mail_namespaces *nss = mail_namespaces_new(ns_pool);
	struct mail_namespace *inbox, *compat, *pub, *sub, *orphan;
	struct mail_namespaces *nss2;
	const char *error = NULL;

	inbox = ns_add(nss, "inbox", (const char *const[]){ "inbox", "yes",
		"separator", "/", NULL });
	compat = ns_add(nss, "compat", (const char *const[]){ "separator", "/",
		"prefix", "INBOX/", "list", "no", "hidden", "yes",
		"subscriptions", "no", NULL });
	pub = ns_add(nss, "pub", (const char *const[]){ "separator", "/",
		"prefix", "Pub/", NULL });
	sub = ns_add(nss, "sub", (const char *const[]){ "separator", "/",
		"prefix", "Pub/Sub/", "subscriptions", "no", NULL });
	ck_assert_int_eq(mail_namespaces_finish(nss, &error), 0);
	ck_assert(!compat->subscriptions && inbox->subscriptions);

	ck_assert_ptr_eq(mail_namespaces_find(nss, "INBOX"), inbox);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "inbox"), inbox);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "INBOX/foo"), compat);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "inbox/foo"), compat);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "INBOXfoo"), inbox);
	ck_assert_str_eq(mail_namespace_to_storage(compat, "inbox/foo/b"),
			 "foo/b");
	ck_assert_str_eq(mail_namespace_from_storage(compat, "foo/b"),
			 "INBOX/foo/b");

	ck_assert_ptr_eq(mail_namespaces_find_subscribable(nss, "INBOX/foo"),
			 inbox);
	ck_assert_ptr_eq(mail_namespaces_find_subscribable(nss, "Pub/Sub/x"),
			 pub);
	ck_assert_ptr_eq(mail_namespaces_find_subscribable(nss, "Pub/x"), pub);
	ck_assert_ptr_eq(mail_namespace_subscriptions_parent(nss, compat),
			 inbox);
	ck_assert_ptr_eq(mail_namespace_subscriptions_parent(nss, sub), pub);
	ck_assert_ptr_eq(mail_namespace_subscriptions_parent(nss, pub), pub);
	ck_assert_ptr_eq(mail_namespace_subscriptions_parent(nss, inbox), inbox);
	/* kept by the parent under the full name, prefix included */
	ck_assert_str_eq(mail_namespace_to_storage(inbox, "INBOX/foo"),
			 "INBOX/foo");
	ck_assert_str_eq(mail_namespace_to_storage(inbox, "inbox/foo"),
			 "INBOX/foo");
	ck_assert_str_eq(mail_namespace_to_storage(pub, "Pub/Sub/x"), "Sub/x");

	/* no namespace with subscriptions = yes above it: none keeps them */
	nss2 = mail_namespaces_new(ns_pool);
	(void)ns_add(nss2, "inbox", (const char *const[]){ "inbox", "yes",
		"separator", "/", "prefix", "Mail/", NULL });
	orphan = ns_add(nss2, "orphan", (const char *const[]){ "separator",
		"/", "prefix", "X/", "subscriptions", "no", NULL });
	ck_assert_int_eq(mail_namespaces_finish(nss2, &error), 0);
	ck_assert_ptr_null(mail_namespace_subscriptions_parent(nss2, orphan));
	ck_assert_ptr_null(mail_namespaces_find_subscribable(nss2, "X/y"));
}
END_TEST

START_TEST(test_namespace_courier_prefix)
{
	struct mail_namespaces *nss = mail_namespaces_new(ns_pool);
	struct mail_namespace *ns;
	const char *error = NULL;

	ns = ns_add(nss, "", (const char *const[]){ "inbox", "yes",
		"separator", ".", "prefix", "INBOX.", NULL });
	ck_assert_int_eq(mail_namespaces_finish(nss, &error), 0);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "INBOX"), ns);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "inbox"), ns);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "INBOX.Sent"), ns);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "inbox.Sent"), ns);
	ck_assert_ptr_null(mail_namespaces_find(nss, "Sent"));
	ck_assert_ptr_null(mail_namespaces_find(nss, "INBOXSent"));
	ck_assert_ptr_null(mail_namespaces_find(nss, ""));
	ck_assert_str_eq(mail_namespace_to_storage(ns, "INBOX"), "INBOX");
	ck_assert_str_eq(mail_namespace_to_storage(ns, "inbox"), "INBOX");
	ck_assert_str_eq(mail_namespace_to_storage(ns, "INBOX.Sent"), "Sent");
	ck_assert_str_eq(mail_namespace_to_storage(ns, "inbox.a.b"), "a/b");
	/* INBOX below the prefix is still the storage's INBOX */
	ck_assert_str_eq(mail_namespace_to_storage(ns, "INBOX.INBOX"), "INBOX");
	ck_assert_str_eq(mail_namespace_from_storage(ns, "INBOX"), "INBOX");
	ck_assert_str_eq(mail_namespace_from_storage(ns, "Sent"), "INBOX.Sent");
	ck_assert_str_eq(mail_namespace_from_storage(ns, "a/b"), "INBOX.a.b");
}
END_TEST

START_TEST(test_namespace_routing)
{
	struct mail_namespaces *nss = mail_namespaces_new(ns_pool);
	struct mail_namespaces *nss2;
	struct mail_namespace *inbox, *other, *deep, *inboxes, *root;
	const char *error = NULL;

	inbox = ns_add(nss, "inbox", (const char *const[]){ "inbox", "yes",
		"separator", "/", NULL });
	other = ns_add(nss, "other", (const char *const[]){ "separator", "/",
		"prefix", "Other/", "hidden", "yes", NULL });
	deep = ns_add(nss, "deep", (const char *const[]){ "separator", "/",
		"prefix", "Other/Deep/", "list", "no", NULL });
	ck_assert_int_eq(mail_namespaces_finish(nss, &error), 0);
	ck_assert(other->hidden && !other->inbox && other->list);
	ck_assert(!deep->list);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "foo/bar"), inbox);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "INBOX"), inbox);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "Other/x"), other);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "Other"), other);
	/* the prefix without its separator is the namespace's own root */
	ck_assert_ptr_eq(mail_namespaces_find(nss, "Other/Deep"), deep);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "Other/Deep/y"), deep);
	ck_assert_ptr_eq(mail_namespaces_find(nss, "OtherX"), inbox);
	/* the prefix is case-sensitive outside the inbox namespace */
	ck_assert_ptr_eq(mail_namespaces_find(nss, "other/x"), inbox);
	ck_assert_str_eq(mail_namespace_to_storage(other, "Other/x/y"), "x/y");
	ck_assert_str_eq(mail_namespace_to_storage(other, "Other"), "INBOX");
	ck_assert_str_eq(mail_namespace_from_storage(other, "x/y"), "Other/x/y");
	/* INBOX belongs to the inbox namespace only */
	ck_assert_str_eq(mail_namespace_from_storage(other, "INBOX"),
			 "Other/INBOX");

	/* only a whole "INBOX" level is case-insensitive: an inbox
	   namespace whose prefix merely starts with INBOX matches exactly */
	nss2 = mail_namespaces_new(ns_pool);
	inboxes = ns_add(nss2, "inboxes", (const char *const[]){ "inbox", "yes",
		"separator", "/", "prefix", "INBOXES/", NULL });
	root = ns_add(nss2, "root", (const char *const[]){ "separator", "/",
		NULL });
	ck_assert_int_eq(mail_namespaces_finish(nss2, &error), 0);
	ck_assert_ptr_eq(mail_namespaces_find(nss2, "INBOXES/x"), inboxes);
	ck_assert_ptr_eq(mail_namespaces_find(nss2, "INBOXES"), inboxes);
	ck_assert_ptr_eq(mail_namespaces_find(nss2, "inboxes/x"), root);
	ck_assert_ptr_eq(mail_namespaces_find(nss2, "inboxes"), root);
	ck_assert_ptr_eq(mail_namespaces_find(nss2, "INBOXes/x"), root);
	ck_assert_ptr_eq(mail_namespaces_find(nss2, "inboxES/x"), root);
	ck_assert_ptr_eq(mail_namespaces_find(nss2, "inboxES"), root);

	mail_namespaces_set_storage_sep(nss, '.');
	ck_assert_int_eq(inbox->storage_forbidden_char, '.');
	mail_namespaces_set_storage_sep(nss, '/');
	ck_assert_int_eq(inbox->storage_forbidden_char, '\0');
}
END_TEST

Suite *test_mail_namespace_suite(void)
{
	Suite *s = suite_create("mail_namespace");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, ns_setup, ns_teardown);
	tcase_add_test(tc, test_namespace_default);
	tcase_add_test(tc, test_namespace_errors);
	tcase_add_test(tc, test_special_use);
	tcase_add_test(tc, test_special_use_storage_names);
	tcase_add_test(tc, test_namespace_subscriptions_parent);
	tcase_add_test(tc, test_namespace_courier_prefix);
	tcase_add_test(tc, test_namespace_routing);
	suite_add_tcase(s, tc);
	return s;
}
