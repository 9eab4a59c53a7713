/* Copyright (c) dovecot-like authors. SEARCH tests: mail_search_build()
   over IMAP args parsed by imap_parser (every key family, case, malformed
   input: unbalanced parens, missing args, bad dates, huge numbers, deep
   nesting, unknown keys, charsets) and mail_search_run() on a temp Maildir
   (flags, sets, sizes, dates, headers with RFC 2047, body across chunk
   borders). */
#include "lib.h"
#include "str.h"
#include "istream.h"
#include "base64.h"
#include "imap-parser.h"
#include "mail-search-build.h"
#include "test-storage.h"
#include "test-maildir-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <sys/stat.h>

static const struct imap_parser_limits search_limits = {
	.max_line_length = 65536, .max_literal_size = 65536,
	.max_list_depth = 1000, .max_args = 10000,
};

/* what "$" is in the next builds (RFC 5182); NULL = nothing saved */
static const char *build_saved_uids = NULL;

/* Builds "t SEARCH <keys>\r\n"; returns the build result and *error_r
   (BAD if the IMAP parser itself refused). The tree is in pool. */
static int build(struct pool *pool, const char *keys, const char *charset,
		 struct mail_search_arg **args_r, const char **error_r)
{
	const char *line = tmp_strconcat("t SEARCH ", keys, "\r\n", NULL);
	struct istream *in = istream_create_from_data(line, strlen(line));
	struct imap_parser *parser = imap_parser_create(in, NULL, &search_limits);
	const struct imap_arg *args;
	int ret;

	(void)istream_read(in);
	ck_assert_ptr_nonnull(imap_parser_read_word(parser));
	ck_assert_ptr_nonnull(imap_parser_read_word(parser));
	if (imap_parser_read_args(parser, &args) != 1) {
		*error_r = "parser";
		ret = MAIL_SEARCH_BUILD_BAD;
	} else {
		ret = mail_search_build_saved(pool, args, charset,
					      build_saved_uids, args_r,
					      error_r);
		if (ret == MAIL_SEARCH_BUILD_OK)
			*error_r = "";
		else
			*error_r = tmp_strdup(*error_r);
	}
	imap_parser_destroy(&parser);
	istream_unref(&in);
	return ret;
}

static const char *build_error(const char *keys)
{
	struct pool *pool = pool_create("search test", 1024, 0);
	struct mail_search_arg *args;
	const char *error;

	if (build(pool, keys, NULL, &args, &error) == MAIL_SEARCH_BUILD_OK)
		error = "OK";
	pool_unref(&pool);
	return error;
}

START_TEST(test_build_valid)
{
	static const char *const valid[] = {
		"ALL", "all", "AnSwErEd", "BCC x", "BEFORE 1-Feb-2020",
		"BODY \"a b\"", "CC x", "DELETED", "DRAFT", "FLAGGED", "FROM x",
		"HEADER X-A \"\"", "KEYWORD $x", "LARGER 4294967295", "NEW",
		"NOT SEEN", "OLD", "ON 01-Jan-1999", "OR SEEN UNSEEN", "RECENT",
		"SEEN", "SENTBEFORE 1-Jan-2000", "SENTON 1-Jan-2000",
		"SENTSINCE 1-Jan-2000", "SINCE 1-Jan-2000", "SMALLER 0",
		"SUBJECT {3}\r\nabc", "TEXT x", "TO x", "UID 1:*,5",
		"UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED",
		"UNKEYWORD x", "UNSEEN", "1", "*", "1:3,7:*", "(SEEN) (FROM x)",
		"OR (SEEN FLAGGED) NOT (1:2)",
	};
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(valid); i++)
		ck_assert_msg(strcmp(build_error(valid[i]), "OK") == 0,
			      "%s: %s", valid[i], build_error(valid[i]));
}
END_TEST

START_TEST(test_build_malformed)
{
	static const struct {
		const char *keys, *error;
	} bad[] = {
		{ "", "Missing search key" },
		{ "FOO", "Unknown search key" },
		{ "SEEN FOO", "Unknown search key" },
		{ "\"SEEN\"", "Invalid search key" },
		{ "BEFORE", "Missing parameter for BEFORE" },
		{ "FROM", "Missing parameter for FROM" },
		{ "HEADER X", "Missing parameter for HEADER" },
		{ "BEFORE 30-Feb-2020", "Invalid date for BEFORE" },
		{ "SINCE 2020-01-01", "Invalid date for SINCE" },
		{ "SENTON \"1-Jan-2020 \"", "Invalid date for SENTON" },
		{ "LARGER 4294967296", "Invalid number for LARGER" },
		{ "SMALLER -1", "Invalid number for SMALLER" },
		{ "SMALLER 99999999999999999999999", "Invalid number for SMALLER" },
		{ "LARGER (1)", "Missing parameter for LARGER" },
		{ "UID x", "Invalid UID set" },
		{ "UID 0", "Invalid UID set" },
		{ "1:99999999999", "Invalid message sequence set" },
		{ "NOT", "Missing search key" },
		{ "OR SEEN", "Missing search key" },
		{ "()", "Missing search key" },
		{ "(SEEN", "parser" },
		/* RFC 5032 WITHIN: seconds, 1..2^32-1 (Dovecot's text) */
		{ "OLDER", "Missing parameter for OLDER" },
		{ "YOUNGER (1)", "Missing parameter for YOUNGER" },
		{ "OLDER 0", "Invalid search interval parameter" },
		{ "YOUNGER -1", "Invalid search interval parameter" },
		{ "OLDER +5", "Invalid search interval parameter" },
		{ "OLDER x", "Invalid search interval parameter" },
		{ "YOUNGER 4294967296", "Invalid search interval parameter" },
		/* RFC 5182: "$" only alone */
		{ "$,1", "Unknown search key" },
		{ "1:$", "Invalid message sequence set" },
		{ "UID $:4", "Invalid UID set" },
		{ "SEEN)", "parser" },
	};
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(bad); i++)
		ck_assert_msg(strcmp(build_error(bad[i].keys), bad[i].error) == 0,
			      "%s: %s", bad[i].keys, build_error(bad[i].keys));
}
END_TEST

START_TEST(test_build_depth)
{
	struct str *keys = t_str_new(1024);
	unsigned int i;

	for (i = 0; i < MAIL_SEARCH_MAX_DEPTH - 1; i++)
		str_append(keys, "NOT ");
	str_append(keys, "ALL");
	ck_assert_str_eq(build_error(str_c(keys)), "OK");
	str_truncate(keys, 0);
	for (i = 0; i < MAIL_SEARCH_MAX_DEPTH; i++)
		str_append(keys, "NOT ");
	str_append(keys, "ALL");
	ck_assert_str_eq(build_error(str_c(keys)), "Search keys nested too deeply");
	str_truncate(keys, 0);
	for (i = 0; i < 500; i++)
		str_append(keys, "(");
	str_append(keys, "ALL");
	for (i = 0; i < 500; i++)
		str_append(keys, ")");
	ck_assert_str_eq(build_error(str_c(keys)), "Search keys nested too deeply");
}
END_TEST

/* The tree's shape: a SUB root (AND of the top keys), OR of two keys, NOT
   as a negated SUB around its key. */
START_TEST(test_build_tree)
{
	struct pool *pool = pool_create("search test", 1024, 0);
	struct mail_search_arg *root, *args, *sub;
	const char *error;

	ck_assert_int_eq(build(pool, "OR SEEN NOT FLAGGED", NULL, &root,
			       &error), MAIL_SEARCH_BUILD_OK);
	ck_assert_int_eq(root->type, SEARCH_SUB);
	ck_assert(!root->negate);
	ck_assert_ptr_null(root->next);
	args = root->value.subargs;
	ck_assert_int_eq(args->type, SEARCH_OR);
	ck_assert(!args->negate);
	ck_assert_ptr_null(args->next);
	sub = args->value.subargs;
	ck_assert_int_eq(sub->type, SEARCH_FLAGS);
	ck_assert_int_eq(sub->value.flags, MAIL_SEEN);
	ck_assert(!sub->negate);
	sub = sub->next;
	ck_assert_ptr_nonnull(sub);
	ck_assert_int_eq(sub->type, SEARCH_SUB);
	ck_assert(sub->negate);
	ck_assert_ptr_null(sub->next);
	ck_assert_int_eq(sub->value.subargs->type, SEARCH_FLAGS);
	ck_assert_int_eq(sub->value.subargs->value.flags, MAIL_FLAGGED);
	ck_assert(!sub->value.subargs->negate);
	ck_assert_ptr_null(sub->value.subargs->next);

	ck_assert_int_eq(build(pool, "NOT (SEEN BODY x) ALL", NULL, &root,
			       &error), MAIL_SEARCH_BUILD_OK);
	args = root->value.subargs;
	ck_assert_int_eq(args->type, SEARCH_SUB);
	ck_assert(args->negate);
	sub = args->value.subargs;		/* the list: a SUB */
	ck_assert_int_eq(sub->type, SEARCH_SUB);
	ck_assert(!sub->negate);
	ck_assert_ptr_null(sub->next);
	sub = sub->value.subargs;
	ck_assert_int_eq(sub->type, SEARCH_FLAGS);
	ck_assert(!sub->negate);
	ck_assert_int_eq(sub->next->type, SEARCH_BODY);
	ck_assert_str_eq(sub->next->value.str, "X");
	ck_assert_ptr_null(sub->next->next);
	ck_assert_int_eq(args->next->type, SEARCH_ALL);
	ck_assert_ptr_null(args->next->next);
	pool_unref(&pool);
}
END_TEST

START_TEST(test_build_charset)
{
	struct pool *pool = pool_create("search test", 1024, 0);
	struct mail_search_arg *args;
	const char *error;

	ck_assert_int_eq(build(pool, "SUBJECT {4}\r\nCAF\xe9", "ISO-8859-1",
			       &args, &error), MAIL_SEARCH_BUILD_OK);
	ck_assert_int_eq(args->value.subargs->type, SEARCH_HEADER);
	ck_assert_str_eq(args->value.subargs->value.str, "CAFE\xcc\x81");
	ck_assert_str_eq(args->value.subargs->hdr_field, "SUBJECT");
	ck_assert_int_eq(build(pool, "ALL", "X-NO-SUCH-CHARSET", &args, &error),
			 MAIL_SEARCH_BUILD_BADCHARSET);
	ck_assert_int_eq(build(pool, "ALL", "us-ascii", &args, &error),
			 MAIL_SEARCH_BUILD_OK);
	pool_unref(&pool);
}
END_TEST

/* "seq seq ..." of the matches in the Maildir's INBOX */
static const char *run(struct mailbox *box, const char *keys, bool uids)
{
	struct pool *pool = pool_create("search run", 1024, 0);
	struct mail_search_arg *args;
	ARRAY_TYPE(uint32) result;
	const uint32_t *nums;
	unsigned int i, count;
	struct str *out = t_str_new(64);
	const char *error;

	ck_assert_msg(build(pool, keys, NULL, &args, &error) ==
		      MAIL_SEARCH_BUILD_OK, "%s: %s", keys, error);
	array_init(&result, pool, 8);
	ck_assert_int_eq(mail_search_run(box, args, uids, &result), 0);
	nums = array_get(&result, &count);
	for (i = 0; i < count; i++)
		str_printfa(out, "%s%u", i == 0 ? "" : " ", nums[i]);
	pool_unref(&pool);
	return str_c(out);
}

START_TEST(test_match_maildir)
{
	struct str *big = t_str_new(40000);
	struct mail_user *user;
	struct mailbox *box;
	unsigned int i;

	str_append(big, "From: big@example.org\nSubject: big\n"
		   "Date: Mon, 3 Feb 2020 23:30:00 -0500\n\n");
	for (i = 0; i < 8190; i++)
		str_append_c(big, 'x');
	/* a word across the matcher's 8 KiB chunk border */
	str_append(big, "NeedleWord");
	for (i = 0; i < 20000; i++)
		str_append_c(big, 'y');
	str_append(big, "\n");

	mkdirs(maildir);
	deliver("cur", "1577880000.M1P1.host:2,S",
		"From: Alice <alice@example.org>\nTo: bob@example.com\n"
		"Subject: =?utf-8?q?gr=C3=BC=C3=9Fe?= and\n  more\n"
		"Date: Wed, 1 Jan 2020 10:00:00 +0000\n\nhello world\n");
	deliver("cur", "1577880001.M2P1.host:2,FT",
		"From: carol@example.org\nX-Tag: Some Value\n\nbody text\n");
	deliver("cur", "1577880002.M3P1.host:2,", str_c(big));
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	ck_assert_str_eq(box_uids(box), "1,2,3");

	ck_assert_str_eq(run(box, "ALL", false), "1 2 3");
	ck_assert_str_eq(run(box, "SEEN", false), "1");
	ck_assert_str_eq(run(box, "UNSEEN", false), "2 3");
	ck_assert_str_eq(run(box, "FLAGGED DELETED", false), "2");
	ck_assert_str_eq(run(box, "OR SEEN FLAGGED", false), "1 2");
	ck_assert_str_eq(run(box, "NOT (SEEN)", false), "2 3");
	ck_assert_str_eq(run(box, "2:*", false), "2 3");
	ck_assert_str_eq(run(box, "UID 3", true), "3");
	ck_assert_str_eq(run(box, "LARGER 1000", false), "3");
	ck_assert_str_eq(run(box, "SMALLER 1000", false), "1 2");
	ck_assert_str_eq(run(box, "FROM ALICE", false), "1");
	ck_assert_str_eq(run(box, "SUBJECT \"gr\xc3\xbc\xc3\x9f" "e and  more\"",
			     false), "1");
	ck_assert_str_eq(run(box, "SUBJECT =?utf-8", false), "");
	ck_assert_str_eq(run(box, "HEADER x-tag \"some val\"", false), "2");
	ck_assert_str_eq(run(box, "HEADER X-Tag \"\"", false), "2");
	ck_assert_str_eq(run(box, "BODY hello", false), "1");
	ck_assert_str_eq(run(box, "BODY alice", false), "");
	ck_assert_str_eq(run(box, "TEXT alice", false), "1");
	ck_assert_str_eq(run(box, "BODY needleword", false), "3");
	ck_assert_str_eq(run(box, "BODY xneedlewordy", false), "3");
	ck_assert_str_eq(run(box, "SENTON 1-Jan-2020", false), "1");
	/* the Date:'s own day in its zone, not UTC's (4 Feb) */
	ck_assert_str_eq(run(box, "SENTON 3-Feb-2020", false), "3");
	ck_assert_str_eq(run(box, "SENTBEFORE 3-Feb-2020", false), "1");
	ck_assert_str_eq(run(box, "SENTSINCE 2-Jan-2020", false), "3");

	/* cheap keys first, content only when still undecided: the results
	   must be those of the plain evaluation */
	ck_assert_str_eq(run(box, "UNSEEN BODY hello", false), "");
	ck_assert_str_eq(run(box, "UNSEEN BODY text", false), "2");
	ck_assert_str_eq(run(box, "SEEN BODY hello", false), "1");
	ck_assert_str_eq(run(box, "BODY hello SEEN", false), "1");
	ck_assert_str_eq(run(box, "OR SEEN BODY text", false), "1 2");
	ck_assert_str_eq(run(box, "OR BODY text SEEN", false), "1 2");
	ck_assert_str_eq(run(box, "NOT (SEEN BODY hello)", false), "2 3");
	ck_assert_str_eq(run(box, "NOT (UNSEEN BODY text)", false), "1 3");
	ck_assert_str_eq(run(box, "NOT OR SEEN BODY needleword", false), "2");
	ck_assert_str_eq(run(box, "OR (UNSEEN BODY nothere) SEEN", false), "1");
	ck_assert_str_eq(run(box, "NOT (OR FLAGGED NOT BODY world)", false),
			 "1");
	ck_assert_str_eq(run(box, "1:2 TEXT example", false), "1 2");
	ck_assert_str_eq(run(box, "LARGER 1000 BODY needleword", false), "3");
	ck_assert_str_eq(run(box, "SMALLER 1000 BODY needleword", false), "");
	/* unknown keyword: resolved once per search, never set */
	ck_assert_str_eq(run(box, "KEYWORD $nosuch", false), "");
	ck_assert_str_eq(run(box, "UNKEYWORD $nosuch", false), "1 2 3");
	ck_assert_str_eq(run(box, "OR KEYWORD $nosuch BODY hello", false),
			 "1");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* Keys that read only named header fields (HEADER, FROM..., SENT*) get
   them through mail_get_header_fields(): the first search parses the
   message and offers the fields to the cache file, the next session's
   search answers from the cache without reading the message (its file is
   changed underneath to show it); BODY/TEXT keys still read the message. */
START_TEST(test_match_header_fields_cached)
{
	static const char *const cached_fields[] = {
		"SUBJECT \"first folded\"", "1",
		"HEADER X-Tag b", "1",
		"HEADER X-Tag \"\"", "1",
		"SENTON 1-Jan-2020", "1",
		"NOT SUBJECT first", "2",
		"OR FROM nobody SUBJECT part", "1",
	};
	struct mail_user *user;
	struct mailbox *box;
	const char *path;
	unsigned int i;
	FILE *f;

	mkdirs(maildir);
	deliver("cur", "1577880000.M1P1.host:2,S",
		"Subject: first\n folded part\nX-Tag: a\nX-Tag: b\n"
		"Date: Wed, 1 Jan 2020 10:00:00 +0000\n\nbody kumquat\n");
	deliver("cur", "1577880001.M2P1.host:2,", "From: x@example.org\n\n\n");
	user = user_create("maildir:~/Maildir");
	for (int round = 0; round < 2; round++) {
		box = box_open(user, 0);
		for (i = 0; i < N_ELEMENTS(cached_fields); i += 2) {
			ck_assert_msg(strcmp(run(box, cached_fields[i], false),
					     cached_fields[i + 1]) == 0,
				      "round %d: %s", round, cached_fields[i]);
		}
		ck_assert_str_eq(run(box, "SUBJECT changed", false), "");
		/* a body key reads the message itself */
		ck_assert_str_eq(run(box, "SUBJECT first BODY kumquat", false),
				 round == 0 ? "1" : "");
		ck_assert_str_eq(run(box, "TEXT changed", false),
				 round == 0 ? "" : "1");
		mailbox_close(&box);
		/* the same size: only the content differs */
		path = tmp_strconcat(maildir, "/cur/1577880000.M1P1.host:2,S",
				     NULL);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs("Subject: changed\n folded part\nX-Tag: c\nX-Tag: d\n"
		      "Date: Thu, 9 Jan 2020 10:00:00 +0000\n\nbody kumquat\n",
		      f);
		ck_assert_int_eq(fclose(f), 0);
	}
	mail_user_unref(&user);
}
END_TEST

/* BODY/TEXT over decoded MIME: base64 and quoted-printable undone, charsets
   converted, Unicode case folding, attachments not searched, sub-part
   headers searched by TEXT only, a key split across the matcher's chunks in
   base64-decoded text. */
START_TEST(test_match_mime)
{
	struct pool *pool = pool_create("search mime", 1024, 0);
	struct str *plain = t_str_new(20000), *big = t_str_new(30000);
	struct buf *b64 = buf_create(pool, 30000);
	struct mail_search_arg *args;
	struct mail_user *user;
	struct mailbox *box;
	const char *error;
	unsigned int i;

	for (i = 0; i < 8185; i++)
		str_append_c(plain, 'x');
	str_append(plain, "SplitKeyWord");
	for (i = 0; i < 9000; i++)
		str_append_c(plain, 'y');
	base64_encode(str_data(plain), str_len(plain), b64);
	str_append(big, "From: big@example.org\nSubject: big\n"
		   "Content-Type: text/plain; charset=us-ascii\n"
		   "Content-Transfer-Encoding: base64\n\n");
	for (i = 0; i < b64->used; i += 76) {
		str_append_n(big, b64->data + i, MIN(76, b64->used - i));
		str_append_c(big, '\n');
	}

	mkdirs(maildir);
	deliver("cur", "1577880000.M1P1.host:2,S",
		"From: a@example.org\nSubject: =?utf-8?q?=C3=84pfel?=\n"
		"MIME-Version: 1.0\nContent-Type: text/plain\n"
		"Content-Transfer-Encoding: base64\n\n"
		"SGVsbG8gQjY0V29ybGQK\n");	/* "Hello B64World\n" */
	deliver("cur", "1577880001.M2P1.host:2,",
		"From: b@example.org\nSubject: latin\nMIME-Version: 1.0\n"
		"Content-Type: text/plain; charset=iso-8859-1\n"
		"Content-Transfer-Encoding: quoted-printable\n\n"
		"=C5NGSTR=D6M caf=E9 lo=\nng\n");
	deliver("cur", "1577880002.M3P1.host:2,",
		"From: c@example.org\nSubject: parts\nMIME-Version: 1.0\n"
		"Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
		"preamble words\n--b1\nContent-Type: text/plain\n\n"
		"see attached\n--b1\nContent-Type: image/png\n"
		"Content-Transfer-Encoding: base64\n\ncG5nc2VjcmV0\n"
		"--b1\nContent-Type: message/rfc822\n\n"
		"Subject: innersubj\nFrom: inner@example.org\n\ninner text\n"
		"--b1--\n");
	deliver("cur", "1577880003.M4P1.host:2,", str_c(big));
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	ck_assert_str_eq(box_uids(box), "1,2,3,4");

	ck_assert_str_eq(run(box, "BODY b64world", false), "1");
	ck_assert_str_eq(run(box, "BODY \"\"", false), "1 2 3 4");
	ck_assert_str_eq(run(box, "NOT TEXT \"\"", false), "");
	ck_assert_str_eq(run(box, "BODY \"HELLO B64\"", false), "1");
	ck_assert_str_eq(run(box, "BODY SGVsbG8", false), "");
	ck_assert_str_eq(run(box, "SUBJECT \xc3\xa4PFEL", false), "1");
	ck_assert_str_eq(run(box, "SUBJECT \xc3\x84pfel", false), "1");
	/* latin1 QP, keys in other cases than the text */
	ck_assert_str_eq(run(box, "BODY \xc3\x85ngstr\xc3\xb6m", false), "2");
	ck_assert_str_eq(run(box, "BODY \xc3\xa5ngstr\xc3\xb6m", false), "2");
	ck_assert_str_eq(run(box, "BODY CAF\xc3\x89", false), "2");
	ck_assert_str_eq(run(box, "BODY long", false), "2");
	ck_assert_str_eq(run(box, "BODY =C5", false), "");
	/* the image's bytes and the preamble are not text */
	ck_assert_str_eq(run(box, "BODY attached", false), "3");
	ck_assert_str_eq(run(box, "BODY pngsecret", false), "");
	ck_assert_str_eq(run(box, "BODY cG5nc2VjcmV0", false), "");
	ck_assert_str_eq(run(box, "TEXT pngsecret", false), "");
	ck_assert_str_eq(run(box, "BODY preamble", false), "");
	/* sub-part headers (the enclosed message's too) are TEXT, not BODY
	   (as in Dovecot) */
	ck_assert_str_eq(run(box, "BODY innersubj", false), "");
	ck_assert_str_eq(run(box, "BODY image/png", false), "");
	ck_assert_str_eq(run(box, "TEXT image/png", false), "3");
	ck_assert_str_eq(run(box, "TEXT \"content-type: image/png\"", false),
			 "3");
	ck_assert_str_eq(run(box, "BODY \"inner text\"", false), "3");
	ck_assert_str_eq(run(box, "SUBJECT innersubj", false), "");
	ck_assert_str_eq(run(box, "TEXT innersubj", false), "3");
	ck_assert_str_eq(run(box, "TEXT \xc3\xa4pfel", false), "1");
	/* across the 8 KiB chunk border, after base64 decoding */
	ck_assert_str_eq(run(box, "BODY splitkeyword", false), "4");
	ck_assert_str_eq(run(box, "BODY xsplitkeywordy", false), "4");
	ck_assert_str_eq(run(box, "OR BODY b64world BODY splitkeyword", false),
			 "1 4");

	/* an ISO-8859-1 key is converted and folded once when built */
	ck_assert_int_eq(build(pool, "BODY {4}\r\nCAF\xc9", "ISO-8859-1",
			       &args, &error), MAIL_SEARCH_BUILD_OK);
	ck_assert_str_eq(args->value.subargs->value.str, "CAFE\xcc\x81");
	pool_unref(&pool);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* Message 1 replaced by a directory: opening works, reading fails. A
   search deciding by flags alone must not read it; one that reads it fails
   with our own internal error. */
START_TEST(test_match_read_error)
{
	struct pool *pool = pool_create("search run", 1024, 0);
	struct mail_search_arg *args;
	ARRAY_TYPE(uint32) result;
	struct mail_user *user;
	struct mailbox *box;
	const char *error, *path;

	mkdirs(maildir);
	deliver("cur", "1577880000.M1P1.host:2,S",
		"From: a@example.org\n\nhello text\n");
	deliver("cur", "1577880001.M2P1.host:2,",
		"From: b@example.org\n\nbody text\n");
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	ck_assert_str_eq(box_uids(box), "1,2");
	path = tmp_strconcat(maildir, "/cur/1577880000.M1P1.host:2,S", NULL);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0700), 0);

	ck_assert_str_eq(run(box, "UNSEEN BODY text", false), "2");
	ck_assert_str_eq(run(box, "OR UNSEEN (UNSEEN BODY x)", false), "2");
	/* NOT of an undecided SUB stays undecided; the AND's UNSEEN decides */
	ck_assert_str_eq(run(box, "NOT (SEEN BODY x) UNSEEN", false), "2");
	ck_assert_str_eq(run(box, "SEEN", false), "1");

	ck_assert_int_eq(build(pool, "BODY text", NULL, &args, &error),
			 MAIL_SEARCH_BUILD_OK);
	array_init(&result, pool, 8);
	ck_assert_int_eq(mail_search_run(box, args, false, &result), -1);
	ck_assert_int_eq(mailbox_get_last_error(box, &error), MAIL_ERROR_TEMP);
	pool_unref(&pool);
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

/* BEFORE/ON/SINCE compare INTERNALDATE with the key day in the server's
   zone, whose bounds are found once per search: on the day DST starts in
   the US Eastern zone (POSIX rule, no tzdata needed; 23 hours long) a message at 23:30 local is still that day,
   though it is the next day in UTC. */
START_TEST(test_match_internaldate_zone)
{
	static const struct {
		const char *fname;
		time_t mtime;
	} msgs[] = {
		/* 2021-03-14 00:30 EST */
		{ "1615699800.M1P1.host:2,", 1615699800 },
		/* 2021-03-14 23:30 EDT = 03:30 UTC on the 15th */
		{ "1615779000.M2P1.host:2,", 1615779000 },
		/* 2021-03-15 00:10 EDT */
		{ "1615781400.M3P1.host:2,", 1615781400 },
	};
	const char *old_tz = getenv("TZ");
	struct utimbuf ut;
	struct mail_user *user;
	struct mailbox *box;
	unsigned int i;

	old_tz = old_tz == NULL ? NULL : tmp_strdup(old_tz);
	ck_assert_int_eq(setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1), 0);
	tzset();
	mkdirs(maildir);
	for (i = 0; i < N_ELEMENTS(msgs); i++) {
		deliver("cur", msgs[i].fname, "From: a@example.org\n\nx\n");
		ut.actime = ut.modtime = msgs[i].mtime;
		ck_assert_int_eq(utime(tmp_printf("%s/cur/%s", maildir,
						  msgs[i].fname), &ut), 0);
	}
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	ck_assert_str_eq(run(box, "ON 14-Mar-2021", false), "1 2");
	ck_assert_str_eq(run(box, "ON 15-Mar-2021", false), "3");
	ck_assert_str_eq(run(box, "BEFORE 15-Mar-2021", false), "1 2");
	ck_assert_str_eq(run(box, "BEFORE 14-Mar-2021", false), "");
	ck_assert_str_eq(run(box, "SINCE 15-Mar-2021", false), "3");
	ck_assert_str_eq(run(box, "SINCE 14-Mar-2021", false), "1 2 3");
	ck_assert_str_eq(run(box, "NOT ON 14-Mar-2021", false), "3");
	mailbox_close(&box);
	mail_user_unref(&user);
	if (old_tz != NULL)
		(void)setenv("TZ", old_tz, 1);
	else
		(void)unsetenv("TZ");
	tzset();
}
END_TEST

/* "$" (RFC 5182) is the saved UID set, as a key and after UID; nothing
   saved matches nothing. OLDER/YOUNGER (RFC 5032) take "now - n". */
START_TEST(test_build_saved_within)
{
	struct pool *pool = pool_create("search test", 1024, 0);
	struct mail_search_arg *args;
	const char *error;
	time_t now = time(NULL);

	build_saved_uids = "2:4,9";
	ck_assert_int_eq(build(pool, "$ UID $", NULL, &args, &error),
			 MAIL_SEARCH_BUILD_OK);
	args = args->value.subargs;
	ck_assert_int_eq(args->type, SEARCH_UIDSET);
	ck_assert_str_eq(args->seqset_str, "2:4,9");
	ck_assert_int_eq(args->next->type, SEARCH_UIDSET);
	ck_assert_str_eq(args->next->seqset_str, "2:4,9");
	build_saved_uids = "";
	ck_assert_int_eq(build(pool, "$", NULL, &args, &error),
			 MAIL_SEARCH_BUILD_OK);
	ck_assert_int_eq(args->value.subargs->type, SEARCH_ALL);
	ck_assert(args->value.subargs->negate);
	build_saved_uids = NULL;
	ck_assert_int_eq(build(pool, "UID $", NULL, &args, &error),
			 MAIL_SEARCH_BUILD_OK);
	ck_assert_int_eq(args->value.subargs->type, SEARCH_ALL);
	ck_assert(args->value.subargs->negate);

	ck_assert_int_eq(build(pool, "older 100 YOUNGER 4294967295", NULL,
			       &args, &error), MAIL_SEARCH_BUILD_OK);
	args = args->value.subargs;
	ck_assert_int_eq(args->type, SEARCH_OLDER);
	ck_assert(args->value.date >= now - 100 &&
		  args->value.date <= time(NULL) - 100);
	ck_assert_int_eq(args->next->type, SEARCH_YOUNGER);
	ck_assert(args->next->value.date <= time(NULL) - 4294967295LL);
	pool_unref(&pool);
}
END_TEST

/* OLDER n: INTERNALDATE at least n seconds ago; YOUNGER n: at most. "$"
   and "UID $" match the saved UIDs whatever their sequence numbers. */
START_TEST(test_match_within_saved)
{
	static const char *const fnames[] = {
		"1000000000.M1P1.host:2,", "1000000001.M2P1.host:2,",
		"1000000002.M3P1.host:2,",
	};
	time_t now = time(NULL);
	const time_t ages[] = { 100000, 1000, 10 };
	struct utimbuf ut;
	struct mail_user *user;
	struct mailbox *box;
	unsigned int i;

	mkdirs(maildir);
	for (i = 0; i < N_ELEMENTS(fnames); i++) {
		deliver("cur", fnames[i], "From: a@example.org\n\nx\n");
		ut.actime = ut.modtime = now - ages[i];
		ck_assert_int_eq(utime(tmp_printf("%s/cur/%s", maildir,
						  fnames[i]), &ut), 0);
	}
	user = user_create("maildir:~/Maildir");
	box = box_open(user, 0);
	ck_assert_str_eq(run(box, "OLDER 500", false), "1 2");
	ck_assert_str_eq(run(box, "OLDER 5000", false), "1");
	ck_assert_str_eq(run(box, "YOUNGER 500", false), "3");
	ck_assert_str_eq(run(box, "YOUNGER 5000", false), "2 3");
	ck_assert_str_eq(run(box, "NOT YOUNGER 5000", false), "1");
	ck_assert_str_eq(run(box, "OLDER 500 YOUNGER 5000", false), "2");
	build_saved_uids = "1,3:7";
	ck_assert_str_eq(run(box, "$", false), "1 3");
	ck_assert_str_eq(run(box, "UID $", true), "1 3");
	ck_assert_str_eq(run(box, "NOT $", false), "2");
	ck_assert_str_eq(run(box, "OR $ 2", false), "1 2 3");
	build_saved_uids = "";
	ck_assert_str_eq(run(box, "$", false), "");
	ck_assert_str_eq(run(box, "NOT $", false), "1 2 3");
	build_saved_uids = NULL;
	ck_assert_str_eq(run(box, "$", false), "");
	mailbox_close(&box);
	mail_user_unref(&user);
}
END_TEST

Suite *test_mail_search_suite(void)
{
	Suite *s = suite_create("mail_search");
	TCase *tc = tcase_create("build");
	TCase *tc_match = tcase_create("match");

	tcase_add_test(tc, test_build_valid);
	tcase_add_test(tc, test_build_malformed);
	tcase_add_test(tc, test_build_depth);
	tcase_add_test(tc, test_build_charset);
	tcase_add_test(tc, test_build_tree);
	tcase_add_test(tc, test_build_saved_within);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tc_match, setup, teardown);
	tcase_add_test(tc_match, test_match_maildir);
	tcase_add_test(tc_match, test_match_header_fields_cached);
	tcase_add_test(tc_match, test_match_read_error);
	tcase_add_test(tc_match, test_match_mime);
	tcase_add_test(tc_match, test_match_internaldate_zone);
	tcase_add_test(tc_match, test_match_within_saved);
	suite_add_tcase(s, tc_match);
	return s;
}
