/* Copyright (c) dovecot-like authors. Check suite for LIST pattern matching:
   wildcards, separators, INBOX case, and hostile patterns. */

#include "lib.h"
#include "mempool.h"
#include "imap-match.h"
#include "test-imap.h"

static const struct {
	const char *pattern, *name;
	bool match;
} match_tests[] = {
	{ "*", "INBOX", true },
	{ "*", "Work.Projects", true },
	{ "%", "Work", true },
	{ "%", "Work.Projects", false },
	{ "Work.%", "Work.Projects", true },
	{ "Work.%", "Work.Projects.Old", false },
	{ "Work*", "Work.Projects.Old", true },
	{ "inbox", "INBOX", true },
	{ "InBoX", "INBOX", true },
	{ "inbox.sub", "INBOX.sub", true },
	{ "work", "Work", false },	/* only INBOX is case-insensitive */
	{ "INBOX", "INBOXES", false },
	{ "", "INBOX", false },
	{ "INBOX", "", false },
	{ "%%%%", "a", true },
	{ "*%*%*", "a.b", true },
	{ "a%b", "a.b", false },
	{ "a*b", "a.x.b", true },
	{ "Sent", "Sent", true },
	{ "Sent?", "Sent?", true },	/* no ? wildcard in IMAP */
	{ "Sent?", "Sentx", false },
};

START_TEST(test_imap_match_table)
{
	ck_assert_msg(imap_match(match_tests[_i].pattern, match_tests[_i].name, '.') ==
		      match_tests[_i].match, "pattern '%s' name '%s'",
		      match_tests[_i].pattern, match_tests[_i].name);
	tmp_reset();
}
END_TEST

START_TEST(test_imap_match_hostile)
{
	char pattern[IMAP_MATCH_MAX_LEN + 2], name[IMAP_MATCH_MAX_LEN + 1];

	/* many wildcards against a long non-matching name: must be quick and
	   false (exponential backtracking would hang here) */
	memset(pattern, '*', IMAP_MATCH_MAX_LEN - 1);
	pattern[IMAP_MATCH_MAX_LEN - 1] = 'b';
	pattern[IMAP_MATCH_MAX_LEN] = '\0';
	memset(name, 'a', IMAP_MATCH_MAX_LEN);
	name[IMAP_MATCH_MAX_LEN] = '\0';
	ck_assert(!imap_match(pattern, name, '.'));
	name[IMAP_MATCH_MAX_LEN - 1] = 'b';
	ck_assert(imap_match(pattern, name, '.'));
	/* over the bound: never matches */
	pattern[IMAP_MATCH_MAX_LEN] = '*';
	pattern[IMAP_MATCH_MAX_LEN + 1] = '\0';
	ck_assert(!imap_match(pattern, "x", '.'));
	tmp_reset();
}
END_TEST

Suite *test_imap_match_suite(void)
{
	Suite *s = suite_create("imap-match");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_imap_match_table, 0, N_ELEMENTS(match_tests));
	tcase_add_test(tc, test_imap_match_hostile);
	suite_add_tcase(s, tc);
	return s;
}
