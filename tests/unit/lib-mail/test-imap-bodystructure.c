/* Copyright (c) dovecot-like authors. Check suite for BODY/BODYSTRUCTURE:
   hand-built part trees (independent of the MIME parser), whole messages
   through message_parse_all(), and BODYSTRUCTURE -> BODY conversion. */

#include "lib.h"
#include "str.h"
#include "istream.h"
#include "imap-bodystructure.h"
#include "test-values.h"

static void add_header(struct message_part *part, const char *name,
		       const char *value)
{
	struct message_header_line hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.name = name;
	hdr.name_len = strlen(name);
	hdr.value = hdr.full_value = (const unsigned char *)value;
	hdr.value_len = hdr.full_value_len = strlen(value);
	imap_bodystructure_parse_header(tmp_pool, part, &hdr);
}

static struct message_part *
new_part(struct message_part *parent, enum message_part_flags flags,
	 uoff_t size, unsigned int lines)
{
	struct message_part *part = t_new(struct message_part, 1), **p;

	part->parent = parent;
	part->flags = flags;
	part->body_size.virtual_size = size;
	part->body_size.lines = lines;
	if (parent != NULL) {
		for (p = &parent->children; *p != NULL; p = &(*p)->next) ;
		*p = part;
		parent->children_count++;
	}
	return part;
}

#define MIXED_BS \
	"((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 2 " \
	"NIL NIL NIL NIL)(\"application\" \"pdf\" (\"name\" \"a.pdf\") " \
	"\"<id@x>\" \"The \\\"file\\\"\" \"base64\" 100 NIL (\"attachment\" " \
	"(\"filename\" \"a.pdf\" \"filename*\" \"utf-8''%C3%A4.pdf\")) " \
	"(\"en\" \"de\") \"http://x/a.pdf\") \"mixed\" (\"boundary\" \"b1\") " \
	"NIL NIL NIL)"
#define MIXED_BODY \
	"((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 2)" \
	"(\"application\" \"pdf\" (\"name\" \"a.pdf\") \"<id@x>\" " \
	"\"The \\\"file\\\"\" \"base64\" 100) \"mixed\")"

START_TEST(test_bodystructure_tree)
{
	struct message_part *root, *text, *pdf;
	struct str *str = t_str_new(512), *body = t_str_new(512);
	const char *error;

	root = new_part(NULL, MESSAGE_PART_FLAG_MULTIPART |
			MESSAGE_PART_FLAG_IS_MIME, 500, 20);
	add_header(root, "Content-Type", "multipart/mixed; boundary=\"b1\"");
	text = new_part(root, MESSAGE_PART_FLAG_TEXT, 10, 2);
	add_header(text, "Content-Type", "text/plain; charset=utf-8");
	pdf = new_part(root, 0, 100, 2);
	add_header(pdf, "content-type", "application/pdf;\r\n name=\"a.pdf\"");
	add_header(pdf, "Content-Transfer-Encoding", " base64 ");
	add_header(pdf, "Content-ID", "<id@x>");
	add_header(pdf, "Content-Description", "The \"file\"");
	add_header(pdf, "Content-Disposition", "attachment; filename=a.pdf; "
		   "filename*=utf-8''%C3%A4.pdf");
	add_header(pdf, "Content-Language", "en, de");
	add_header(pdf, "Content-Location", "http://x/a.pdf");
	add_header(pdf, "Content-Type", "text/html");	/* ignored: 2nd */
	add_header(pdf, "X-Other", "x");

	imap_bodystructure_write(root, str, true);
	ck_assert_str_eq(str_c(str), MIXED_BS);
	str_reset(str);
	imap_bodystructure_write(root, str, false);
	ck_assert_str_eq(str_c(str), MIXED_BODY);

	ck_assert_int_eq(imap_body_parse_from_bodystructure(MIXED_BS, body,
							    &error), 0);
	ck_assert_str_eq(str_c(body), MIXED_BODY);
}
END_TEST

START_TEST(test_bodystructure_defaults)
{
	struct message_part *root, *msg, *inner;
	struct str *str = t_str_new(512);

	/* no headers at all: text/plain us-ascii 7bit */
	root = new_part(NULL, MESSAGE_PART_FLAG_TEXT, 14, 2);
	imap_bodystructure_write(root, str, true);
	ck_assert_str_eq(str_c(str), "(\"text\" \"plain\" (\"charset\" "
			 "\"us-ascii\") NIL NIL \"7bit\" 14 2 NIL NIL NIL NIL)");

	/* broken Content-Type: "" "" without params, as Dovecot writes */
	root = new_part(NULL, MESSAGE_PART_FLAG_TEXT, 0, 0);
	add_header(root, "Content-Type", "garbage; format=flowed");
	str_reset(str);
	imap_bodystructure_write(root, str, false);
	ck_assert_str_eq(str_c(str), "(\"\" \"\" NIL NIL NIL \"7bit\" 0)");
	root = new_part(NULL, MESSAGE_PART_FLAG_TEXT, 0, 0);
	add_header(root, "Content-Type", "image/; a=b");
	str_reset(str);
	imap_bodystructure_write(root, str, false);
	ck_assert_str_eq(str_c(str), "(\"\" \"\" NIL NIL NIL \"7bit\" 0)");
	root = new_part(NULL, MESSAGE_PART_FLAG_TEXT, 3, 1);
	add_header(root, "Content-Type", "text ; format=flowed");
	str_reset(str);
	imap_bodystructure_write(root, str, false);
	ck_assert_str_eq(str_c(str), "(\"\" \"\" NIL NIL NIL \"7bit\" 3)");
	/* "text" alone: empty subtype, charset default */
	root = new_part(NULL, MESSAGE_PART_FLAG_TEXT, 3, 1);
	add_header(root, "Content-Type", " text (comment)");
	str_reset(str);
	imap_bodystructure_write(root, str, false);
	ck_assert_str_eq(str_c(str), "(\"text\" \"\" (\"charset\" "
			 "\"us-ascii\") NIL NIL \"7bit\" 3 1)");
	/* "multipart" alone: opaque, even when the parser flagged it */
	root = new_part(NULL, MESSAGE_PART_FLAG_MULTIPART, 3, 1);
	add_header(root, "Content-Type", "multipart");
	str_reset(str);
	imap_bodystructure_write(root, str, false);
	ck_assert_str_eq(str_c(str), "(\"application\" \"octet-stream\" "
			 "NIL NIL NIL \"7bit\" 3)");
	root = new_part(NULL, MESSAGE_PART_FLAG_TEXT, 3, 1);
	add_header(root, "Content-Type", "multipart");
	str_reset(str);
	imap_bodystructure_write(root, str, false);
	ck_assert_str_eq(str_c(str), "(\"application\" \"octet-stream\" "
			 "NIL NIL NIL \"7bit\" 3)");
	/* multipart without a boundary: still a multipart */
	root = new_part(NULL, MESSAGE_PART_FLAG_TEXT, 18, 1);
	add_header(root, "Content-Type", "Multipart/Mixed");
	str_reset(str);
	imap_bodystructure_write(root, str, true);
	ck_assert_str_eq(str_c(str), "((\"text\" \"plain\" (\"charset\" "
			 "\"us-ascii\") NIL NIL \"7bit\" 0 0 NIL NIL NIL NIL) "
			 "\"Mixed\" NIL NIL NIL NIL)");

	/* message/rfc822 with an enclosed message */
	root = new_part(NULL, MESSAGE_PART_FLAG_MESSAGE_RFC822, 60, 4);
	add_header(root, "Content-Type", "message/rfc822");
	msg = new_part(root, MESSAGE_PART_FLAG_TEXT, 6, 1);
	add_header(msg, "Subject", "inner");
	add_header(msg, "From", "c@d");
	add_header(msg, "Content-Type", "TEXT/PLAIN");
	str_reset(str);
	imap_bodystructure_write(root, str, true);
	ck_assert_str_eq(str_c(str),
		"(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 60 "
		"(NIL \"inner\" ((NIL NIL \"c\" \"d\")) ((NIL NIL \"c\" \"d\")) "
		"((NIL NIL \"c\" \"d\")) NIL NIL NIL NIL NIL) "
		"(\"TEXT\" \"PLAIN\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 1 "
		"NIL NIL NIL NIL) 4 NIL NIL NIL NIL)");

	/* the parser made it message/rfc822 (digest) despite a broken
	   Content-Type: the structure follows the part tree */
	root = new_part(NULL, MESSAGE_PART_FLAG_MESSAGE_RFC822, 8, 1);
	add_header(root, "Content-Type", "garbage");
	(void)new_part(root, MESSAGE_PART_FLAG_TEXT, 0, 0);
	str_reset(str);
	imap_bodystructure_write(root, str, false);
	ck_assert_str_eq(str_c(str), "(\"message\" \"rfc822\" NIL NIL NIL "
		"\"7bit\" 8 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "
		"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
		"\"7bit\" 0 0) 1)");

	/* message/rfc822 without a parsed child: opaque */
	inner = new_part(NULL, 0, 5, 1);
	add_header(inner, "Content-Type", "message/rfc822");
	str_reset(str);
	imap_bodystructure_write(inner, str, false);
	ck_assert_str_eq(str_c(str), "(\"application\" \"octet-stream\" NIL "
			 "NIL NIL \"7bit\" 5)");

	/* multipart without children (overflow): a stand-in part */
	root = new_part(NULL, MESSAGE_PART_FLAG_MULTIPART |
			MESSAGE_PART_FLAG_OVERFLOW, 5, 1);
	add_header(root, "Content-Type", "multipart/alternative");
	str_reset(str);
	imap_bodystructure_write(root, str, false);
	ck_assert_str_eq(str_c(str), "((\"text\" \"plain\" (\"charset\" "
			 "\"us-ascii\") NIL NIL \"7bit\" 0 0) \"alternative\")");
}
END_TEST

static const char *full_bodystructure(const char *msg, bool extended)
{
	struct istream *input = istream_create_from_data(msg, strlen(msg));
	struct message_part *root;
	struct str *str = t_str_new(512);

	root = imap_bodystructure_parse_full(tmp_pool, input);
	ck_assert_ptr_nonnull(root);
	istream_unref(&input);
	imap_bodystructure_write(root, str, extended);
	return str_c(str);
}

START_TEST(test_bodystructure_full)
{
	const char *bs, *error;
	struct str *body = t_str_new(256);

	bs = full_bodystructure("From: a@b\r\nSubject: x\r\n\r\nhello\r\nworld\r\n",
				true);
	ck_assert_str_eq(bs, "(\"text\" \"plain\" (\"charset\" \"us-ascii\") "
			 "NIL NIL \"7bit\" 14 2 NIL NIL NIL NIL)");

	bs = full_bodystructure(
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"X\"\r\n"
		"\r\n"
		"preamble\r\n"
		"--X\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"\r\n"
		"hi\r\n"
		"--X\r\n"
		"Content-Type: message/rfc822\r\n"
		"\r\n"
		"From: c@d\r\n"
		"Subject: inner\r\n"
		"\r\n"
		"body\r\n"
		"--X--\r\n", true);
	ck_assert_str_eq(bs,
		"((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 2 0 "
		"NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 33 "
		"(NIL \"inner\" ((NIL NIL \"c\" \"d\")) ((NIL NIL \"c\" \"d\")) "
		"((NIL NIL \"c\" \"d\")) NIL NIL NIL NIL NIL) (\"text\" \"plain\" "
		"(\"charset\" \"us-ascii\") NIL NIL \"7bit\" 4 0 NIL NIL NIL NIL) "
		"3 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"X\") NIL NIL NIL)");
	ck_assert_int_eq(imap_body_parse_from_bodystructure(bs, body, &error), 0);
	ck_assert_str_eq(str_c(body),
		"((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 2 0)"
		"(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 33 "
		"(NIL \"inner\" ((NIL NIL \"c\" \"d\")) ((NIL NIL \"c\" \"d\")) "
		"((NIL NIL \"c\" \"d\")) NIL NIL NIL NIL NIL) (\"text\" \"plain\" "
		"(\"charset\" \"us-ascii\") NIL NIL \"7bit\" 4 0) 3) \"mixed\")");
	/* and BODY written directly from the tree is the same */
	ck_assert_str_eq(str_c(body), full_bodystructure(
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"X\"\r\n"
		"\r\n"
		"preamble\r\n"
		"--X\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"\r\n"
		"hi\r\n"
		"--X\r\n"
		"Content-Type: message/rfc822\r\n"
		"\r\n"
		"From: c@d\r\n"
		"Subject: inner\r\n"
		"\r\n"
		"body\r\n"
		"--X--\r\n", false));

	/* folded fields of the enclosed message reach its envelope whole,
	   folded Content-* fields the part */
	bs = full_bodystructure(
		"Content-Type: message/rfc822\r\n"
		"\r\n"
		"Subject: in\r\n ner\r\n"
		"From: c@d,\r\n\te@f\r\n"
		"Content-Type: text/plain;\r\n charset=x\r\n"
		"\r\n"
		"b\r\n", true);
	ck_assert_str_eq(bs, "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 81 "
		"(NIL {6}\r\nin ner ((NIL NIL \"c\" \"d\")(NIL NIL \"e\" \"f\")) "
		"((NIL NIL \"c\" \"d\")(NIL NIL \"e\" \"f\")) "
		"((NIL NIL \"c\" \"d\")(NIL NIL \"e\" \"f\")) NIL NIL NIL NIL NIL) "
		"(\"text\" \"plain\" (\"charset\" \"x\") NIL NIL \"7bit\" 3 1 "
		"NIL NIL NIL NIL) 8 NIL NIL NIL NIL)");
}
END_TEST

START_TEST(test_body_from_bodystructure_errors)
{
	static const char *const bad[] = {
		"", "x", "(", "()", "(\"text\")", "(\"text\" \"plain\" NIL NIL NIL \"7bit\")",
		"(\"text\" \"plain\" NIL NIL NIL \"7bit\" 5)",
		"((\"text\" \"plain\" NIL NIL NIL \"7bit\" 5 1))",
		"(\"text\" \"plain\" NIL NIL NIL \"7bit\" 5 1) x",
		"(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 5 NIL (x) 1)",
		"(\"a\" \"b\" NIL NIL NIL \"7bit\" {5}\r\nab)",
		"(\"a\" \"b\" NIL NIL NIL \"7bit\" \"unterminated)",
		"(\"a\" \"b\" NIL NIL NIL \"7bit\" {99999999999999999999}\r\n)",
	};
	struct str *str = t_str_new(64), *deep = t_str_new(4096);
	const char *error;
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(bad); i++) {
		error = NULL;
		ck_assert_msg(imap_body_parse_from_bodystructure(bad[i], str,
								 &error) < 0,
			      "%s", bad[i]);
		ck_assert_ptr_nonnull(error);
	}
	for (i = 0; i < 2000; i++)
		str_append_c(deep, '(');
	ck_assert_int_lt(imap_body_parse_from_bodystructure(str_c(deep), str,
							    &error), 0);
	str_reset(str);
	ck_assert_int_eq(imap_body_parse_from_bodystructure(
		"(\"a\" \"b\" NIL NIL NIL {4}\r\n7bit 5 NIL NIL NIL NIL)", str,
		&error), 0);
	ck_assert_str_eq(str_c(str), "(\"a\" \"b\" NIL NIL NIL {4}\r\n7bit 5)");
}
END_TEST

Suite *test_imap_bodystructure_suite(void)
{
	Suite *s = suite_create("imap-bodystructure");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_bodystructure_tree);
	tcase_add_test(tc, test_bodystructure_defaults);
	tcase_add_test(tc, test_bodystructure_full);
	tcase_add_test(tc, test_body_from_bodystructure_errors);
	suite_add_tcase(s, tc);
	return s;
}
