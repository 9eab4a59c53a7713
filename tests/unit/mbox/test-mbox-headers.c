/* Copyright (c) dovecot-like authors. Tests for mbox-headers.c against the
   byte-exact Dovecot-written examples of the reference (mbox-format.md 3,
   4): parse what Dovecot wrote, write what Dovecot would write. */
#include "lib.h"
#include "str.h"
#include "buffer.h"
#include "mbox-headers.h"
#include "test-mbox.h"

#define SP72 "                                                                        "
#define SP71 "                                                                       "

/* first message of the two-delivery example */
static const char dovecot_hdr1[] =
	"From: x@example.org\n"
	"To: alice@example.com\n"
	"Subject: lda test\n"
	"X-IMAPbase: 1795461175 0000000002\n"
	"X-UID: 1\n"
	"Status: \n"
	"X-Keywords:" SP72 "\n"
	"Content-Length: 34\n";

static const char dovecot_hdr_append[] =
	"From: c@example.com\n"
	"Subject: mbox append\n"
	"X-UID: 3\n"
	"Status: RO\n"
	"X-Status: AT\n"
	"X-Keywords: $Junk" SP71 "\n"
	"Content-Length: 12\n";

START_TEST(test_headers_parse_dovecot)
{
	struct mbox_header_info info;

	mbox_headers_parse((const unsigned char *)dovecot_hdr1,
			   strlen(dovecot_hdr1), true, tmp_pool, &info);
	ck_assert(info.have_imapbase && !info.have_ximap);
	ck_assert_uint_eq(info.uidvalidity, 1795461175);
	ck_assert_uint_eq(info.last_uid, 2);
	ck_assert(info.have_uid);
	ck_assert_uint_eq(info.uid, 1);
	ck_assert_int_eq(info.flags, 0);
	ck_assert(!info.status_old);
	ck_assert_str_eq(info.keywords, "");
	ck_assert(info.have_content_length);
	ck_assert_uint_eq(info.content_length, 34);

	mbox_headers_parse((const unsigned char *)dovecot_hdr_append,
			   strlen(dovecot_hdr_append), false, tmp_pool, &info);
	ck_assert(!info.have_imapbase);
	ck_assert_uint_eq(info.uid, 3);
	ck_assert_int_eq(info.flags, MAIL_SEEN | MAIL_ANSWERED | MAIL_DRAFT);
	ck_assert(info.status_old);
	ck_assert_str_eq(info.keywords, "$Junk");
	ck_assert_uint_eq(info.content_length, 12);
}
END_TEST

START_TEST(test_headers_write_dovecot)
{
	struct mbox_header_write w;
	struct str *str = t_str_new(512);

	/* first message: exactly Dovecot's bytes after the original headers */
	memset(&w, 0, sizeof(w));
	w.imapbase = true;
	w.uidvalidity = 1795461175;
	w.last_uid = 2;
	w.uid = 1;
	w.have_content_length = true;
	w.content_length = 34;
	w.padding = mbox_headers_default_padding(&w);
	str_append(str, "From: x@example.org\nTo: alice@example.com\n"
		   "Subject: lda test\n");
	mbox_headers_write(str, &w);
	ck_assert_str_eq(str_c(str), dovecot_hdr1);

	memset(&w, 0, sizeof(w));
	w.uid = 3;
	w.flags = MAIL_SEEN | MAIL_ANSWERED | MAIL_DRAFT;
	w.status_old = true;
	w.keywords = "$Junk";
	w.have_content_length = true;
	w.content_length = 12;
	w.padding = mbox_headers_default_padding(&w);
	str_truncate(str, 0);
	str_append(str, "From: c@example.com\nSubject: mbox append\n");
	mbox_headers_write(str, &w);
	ck_assert_str_eq(str_c(str), dovecot_hdr_append);
}
END_TEST

START_TEST(test_headers_roundtrip)
{
	static const enum mail_flags flag_sets[] = {
		0, MAIL_SEEN, MAIL_FLAGGED, MAIL_ANSWERED | MAIL_DELETED,
		MAIL_FLAGS_MASK,
	};
	struct mbox_header_write w;
	struct mbox_header_info info;
	struct str *str = t_str_new(512);
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(flag_sets); i++) {
		memset(&w, 0, sizeof(w));
		w.imapbase = i % 2 == 0;
		w.uidvalidity = 1234 + i;
		w.last_uid = 99;
		w.base_keywords = "$Junk Important";
		w.uid = 7 + i;
		w.flags = flag_sets[i];
		w.status_old = i % 3 == 0;
		w.keywords = i == 0 ? NULL : "Important";
		w.have_content_length = i != 1;
		w.content_length = 1000 * i;
		w.crlf = i == 2;
		w.padding = i;
		str_truncate(str, 0);
		mbox_headers_write(str, &w);
		mbox_headers_parse(str_data(str), str_len(str), true, tmp_pool,
				   &info);
		ck_assert_int_eq(info.flags, flag_sets[i]);
		ck_assert_int_eq(info.status_old, w.status_old);
		ck_assert_int_eq(info.have_imapbase, w.imapbase);
		/* X-UID counts in the first message only after X-IMAPbase */
		ck_assert_int_eq(info.have_uid, w.imapbase);
		if (w.imapbase) {
			ck_assert_uint_eq(info.uid, w.uid);
			ck_assert_uint_eq(info.uidvalidity, w.uidvalidity);
			ck_assert_uint_eq(info.last_uid, 99);
			ck_assert_str_eq(info.base_keywords, "$Junk Important");
		}
		ck_assert_int_eq(info.have_content_length, w.have_content_length);
		if (w.have_content_length)
			ck_assert_uint_eq(info.content_length, w.content_length);
		mbox_headers_parse(str_data(str), str_len(str), false, tmp_pool,
				   &info);
		ck_assert_uint_eq(info.uid, w.uid);
		ck_assert_str_eq(info.keywords, i == 0 ? "" : "Important");
	}
}
END_TEST

static const struct {
	const char *hdr;
	bool first;
	bool have_uid;
	uint32_t uid;
	bool have_base;
	bool have_cl;
} malformed_tests[] = {
	{ "X-UID: 5\nX-IMAPbase: 10 0000000009\n", true, false, 0, true, false },
	{ "X-IMAPbase: 10 0000000009\nX-UID: 5\n", true, true, 5, true, false },
	{ "X-UID: abc\n", false, false, 0, false, false },
	{ "X-UID: 0\n", false, false, 0, false, false },
	{ "X-UID: 99999999999999999999\n", false, false, 0, false, false },
	{ "X-UID:\n", false, false, 0, false, false },
	{ "x-uid:   42   \n", false, true, 42, false, false },
	{ "X-IMAPbase: 0 0000000001\n", true, false, 0, false, false },
	{ "X-IMAPbase: 5\n", true, false, 0, false, false },
	{ "X-IMAPbase: 5 x\n", true, false, 0, false, false },
	{ "X-IMAPbase: 5 7\n", false, false, 0, false, false },
	{ "Content-Length: -5\n", false, false, 0, false, false },
	{ "Content-Length: 99999999999999999999999\n", false, false, 0, false, false },
	{ "Content-Length: 12\n", false, false, 0, false, true },
	{ "no colon line\nX-UID: 3\n", false, true, 3, false, false },
	{ "Subject: a\n X-UID: 3\n", false, false, 0, false, false },
	{ "X-UID: 3", false, true, 3, false, false },
	{ "\nX-UID: 3\n", false, false, 0, false, false },
};

START_TEST(test_headers_malformed)
{
	const char *hdr = malformed_tests[_i].hdr;
	struct mbox_header_info info;

	mbox_headers_parse((const unsigned char *)hdr, strlen(hdr),
			   malformed_tests[_i].first, tmp_pool, &info);
	ck_assert_msg(info.have_uid == malformed_tests[_i].have_uid, "%s", hdr);
	if (info.have_uid)
		ck_assert_uint_eq(info.uid, malformed_tests[_i].uid);
	ck_assert_msg(info.have_imapbase == malformed_tests[_i].have_base,
		      "%s", hdr);
	ck_assert_msg(info.have_content_length == malformed_tests[_i].have_cl,
		      "%s", hdr);
}
END_TEST

START_TEST(test_headers_filter)
{
	static const char nul_hdr[] = "A: x\0y\nX-UID: 3\nB: \0\n\nbody";
	struct buf *buf = buf_create(tmp_pool, 256);

	mbox_headers_filter((const unsigned char *)dovecot_hdr_append,
			    strlen(dovecot_hdr_append), buf);
	buf_append_c(buf, '\0');
	ck_assert_str_eq((const char *)buf->data,
			 "From: c@example.com\nSubject: mbox append\n");
	buf_reset(buf);
	mbox_headers_filter((const unsigned char *)
			    "Subject: a\n b\nStatus: RO\nX-Other: 1\r\n\nBody",
			    41, buf);
	buf_append_c(buf, '\0');
	ck_assert_str_eq((const char *)buf->data,
			 "Subject: a\n b\nX-Other: 1\r\n");
	/* binary-safe: NULs in headers are kept */
	buf_reset(buf);
	mbox_headers_filter((const unsigned char *)nul_hdr,
			    sizeof(nul_hdr) - 1, buf);
	ck_assert_uint_eq(buf->used, 12);
	ck_assert(memcmp(buf->data, "A: x\0y\nB: \0\n", 12) == 0);
}
END_TEST

Suite *test_mbox_headers_suite(void)
{
	Suite *s = suite_create("mbox-headers");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_headers_parse_dovecot);
	tcase_add_test(tc, test_headers_write_dovecot);
	tcase_add_test(tc, test_headers_roundtrip);
	tcase_add_loop_test(tc, test_headers_malformed, 0,
			    N_ELEMENTS(malformed_tests));
	tcase_add_test(tc, test_headers_filter);
	suite_add_tcase(s, tc);
	return s;
}
