/* Copyright (c) dovecot-like authors. Check suite for the header parser:
   folding, offsets, sizes, broken lines, limits, and that a non-blocking
   byte-by-byte read gives the same lines as reading at once. */

#include "lib.h"
#include "str.h"
#include "istream.h"
#include "message-size.h"
#include "message-header-parser.h"
#include "test-parser.h"

/* Every returned line as "name|middle|value|flags\n", flags c=continued
   +=continues e=eoh n=no_newline r=crlf, and with FULL_VALUE the value is
   the full one. */
static const char *
parse_lines(struct istream *input, enum message_header_parser_flags flags,
	    size_t max_field, struct message_size *size_r, bool *nuls_r)
{
	struct message_header_parser_ctx *ctx;
	struct message_header_line *hdr;
	struct str *out = t_str_new(256);
	int ret;

	ctx = message_header_parser_init(input, size_r, flags);
	if (max_field != 0)
		message_header_parser_set_max_field_size(ctx, max_field);
	while ((ret = message_parse_header_next(ctx, &hdr)) >= 0) {
		if (ret == 0)
			continue;
		if (hdr->continues && !hdr->continued)
			hdr->use_full_value = true;
		str_append_n(out, hdr->name, hdr->name_len);
		str_append_c(out, '|');
		str_append_n(out, hdr->middle, hdr->middle_len);
		str_append_c(out, '|');
		str_append_n(out, hdr->value, hdr->value_len);
		str_append_c(out, '|');
		if (!hdr->continues)
			str_append_n(out, hdr->full_value, hdr->full_value_len);
		str_printfa(out, "|%s%s%s%s%s@%llu\n", hdr->continued ? "c" : "",
			    hdr->continues ? "+" : "", hdr->eoh ? "e" : "",
			    hdr->no_newline ? "n" : "", hdr->crlf_newline ? "r" : "",
			    (unsigned long long)hdr->name_offset);
	}
	if (nuls_r != NULL)
		*nuls_r = message_header_parser_has_nuls(ctx);
	message_header_parser_deinit(&ctx);
	return str_c(out);
}

static const char *parse_str(const char *msg, enum message_header_parser_flags flags,
			     struct message_size *size_r)
{
	struct istream *input = istream_create_from_data(msg, strlen(msg));
	const char *ret = parse_lines(input, flags, 0, size_r, NULL);

	istream_unref(&input);
	return ret;
}

static const struct {
	const char *input;
	enum message_header_parser_flags flags;
	const char *lines;
	uoff_t physical, virtual_size;
	unsigned int lines_count;
} header_tests[] = {
	{ "From: a\r\nTo:b\r\n\r\nbody", 0,
	  "From|: |a|a|r@0\nTo|:|b|b|r@9\n||||er@15\n", 17, 17, 3 },
	{ "From: a\nSubject: x\n y\n\tz\n\nbody", 0,
	  "From|: |a|a|@0\nSubject|: |x||+@8\nSubject|| y||c+@19\n"
	  "Subject||\tz|x y\tz|c@22\n||||e@25\n", 26, 31, 5 },
	{ "From: a\nSubject: x\n y\n\tz\n\nbody", MESSAGE_HEADER_PARSER_FLAG_FULL_VALUE,
	  "From|: |a|a|@0\nSubject|: |x y\tz|x y\tz|@8\n||||e@25\n", 26, 31, 5 },
	/* a line without ':' keeps the line as name; name spaces trimmed */
	{ "bogus line\r\nName \t: \t v \r\n\r\n", 0,
	  "bogus line||||r@0\nName| \t: \t |v |v |r@12\n||||er@26\n", 28, 28, 3 },
	/* no newline at the end, no eoh */
	{ "A: 1\nB: 2", 0, "A|: |1|1|@0\nB|: |2|2|n@5\n", 9, 10, 1 },
	{ "", 0, "", 0, 0, 0 },
	{ "\n", 0, "||||e@0\n", 1, 2, 1 },
	{ "\r\nX: y\r\n", 0, "||||er@0\n", 2, 2, 1 },
	/* continuation as the very first line is a field of its own */
	{ " lead: x\n\n", 0, " lead|: |x|x|@0\n||||e@9\n", 10, 12, 2 },
	/* lone CR inside a value stays; DROP_CR removes it */
	{ "A: x\ry\r\n\n", 0, "A|: |x\ry|x\ry|r@0\n||||e@8\n", 9, 10, 2 },
	{ "A: x\ry\r\n\n", MESSAGE_HEADER_PARSER_FLAG_DROP_CR,
	  "A|: |xy|xy|r@0\n||||e@8\n", 9, 10, 2 },
	{ "A:\n\n", 0, "A|:|||@0\n||||e@3\n", 4, 6, 2 },
	{ "A: 1\n \n\n", 0, "A|: |1||+@0\nA|| |1 |c@5\n||||e@7\n", 8, 11, 3 },
};

START_TEST(test_header_lines)
{
	struct message_size size;
	const char *lines;

	lines = parse_str(header_tests[_i].input, header_tests[_i].flags, &size);
	ck_assert_str_eq(lines, header_tests[_i].lines);
	ck_assert_uint_eq(size.physical_size, header_tests[_i].physical);
	ck_assert_uint_eq(size.virtual_size, header_tests[_i].virtual_size);
	ck_assert_uint_eq(size.lines, header_tests[_i].lines_count);
}
END_TEST

START_TEST(test_header_trickle)
{
	const char *msg = header_tests[_i].input;
	struct message_size size1, size2;
	struct istream *input;
	const char *once, *trickled;
	size_t chunk;

	once = parse_str(msg, header_tests[_i].flags, &size1);
	for (chunk = 1; chunk < 4; chunk++) {
		input = test_istream_create_trickle(msg, strlen(msg), chunk);
		trickled = parse_lines(input, header_tests[_i].flags, 0, &size2, NULL);
		istream_unref(&input);
		ck_assert_str_eq(trickled, once);
		ck_assert(memcmp(&size1, &size2, sizeof(size1)) == 0);
	}
}
END_TEST

START_TEST(test_header_stops_at_eoh)
{
	const char *msg = "A: b\r\n\r\nrest";
	struct istream *input = istream_create_from_data(msg, strlen(msg));

	(void)parse_lines(input, 0, 0, NULL, NULL);
	/* the body is left unread */
	ck_assert_uint_eq(input->v_offset, 8);
	istream_unref(&input);
}
END_TEST

START_TEST(test_header_long_field_capped)
{
	struct str *msg = t_str_new(300000);
	struct message_size size;
	struct istream *input;
	const char *lines;
	unsigned int i;

	str_append(msg, "Long: ");
	for (i = 0; i < 20000; i++)
		str_append(msg, "0123456789");
	str_append(msg, "\n x\nB: c\n\n");
	input = istream_create_from_data(str_data(msg), str_len(msg));
	lines = parse_lines(input, MESSAGE_HEADER_PARSER_FLAG_FULL_VALUE, 100,
			    &size, NULL);
	istream_unref(&input);
	/* the field is cut at 100 bytes (its continuation dropped); the
	   sizes count everything */
	ck_assert_str_eq(lines, tmp_printf("Long|: |%s|%s|@0\nB|: |c|c|@200010\n"
					   "||||e@200015\n",
			 tmp_strndup(str_c(msg) + 6, 94),
			 tmp_strndup(str_c(msg) + 6, 94)));
	ck_assert_uint_eq(size.physical_size, str_len(msg));
	ck_assert_uint_eq(size.lines, 4);
}
END_TEST

START_TEST(test_header_nuls_8bit)
{
	static const char msg[] = "A: x\0y\xff\nB\0C: d\n\n";
	struct istream *input = istream_create_from_data(msg, sizeof(msg) - 1);
	struct message_header_parser_ctx *ctx;
	struct message_header_line *hdr;
	bool nuls;

	ctx = message_header_parser_init(input, NULL, 0);
	ck_assert_int_eq(message_parse_header_next(ctx, &hdr), 1);
	ck_assert_uint_eq(hdr->value_len, 4);
	ck_assert(memcmp(hdr->value, "x\0y\xff", 4) == 0);
	ck_assert_int_eq(message_parse_header_next(ctx, &hdr), 1);
	ck_assert_uint_eq(hdr->name_len, 3);
	ck_assert(memcmp(hdr->name, "B\0C", 3) == 0);
	ck_assert_int_eq(message_parse_header_next(ctx, &hdr), 1);
	ck_assert(hdr->eoh);
	ck_assert_int_eq(message_parse_header_next(ctx, &hdr), -1);
	ck_assert_int_eq(message_parse_header_next(ctx, &hdr), -1);
	nuls = message_header_parser_has_nuls(ctx);
	ck_assert(nuls);
	message_header_parser_deinit(&ctx);
	ck_assert(ctx == NULL);
	istream_unref(&input);
}
END_TEST

static void count_cb(struct message_header_line *hdr, void *context)
{
	unsigned int *count = context;

	*count += hdr == NULL ? 100 : 1;
}

/* The counting helper gives the same sizes however the data is split,
   a CR at the end of one chunk included. */
START_TEST(test_message_size_add_data)
{
	static const unsigned char data[] = "a\r\nb\n\n\r\r\nc\0d\r";
	const size_t len = sizeof(data) - 1;
	struct message_size size;
	size_t split;
	bool last_cr, nuls;

	for (split = 0; split <= len; split++) {
		memset(&size, 0, sizeof(size));
		last_cr = false;
		nuls = message_size_add_data(&size, data, split, &last_cr);
		nuls = message_size_add_data(&size, data + split, len - split,
					     &last_cr) || nuls;
		ck_assert_uint_eq(size.physical_size, 13);
		/* "b\n" and "\n" gain a CR each */
		ck_assert_uint_eq(size.virtual_size, 15);
		ck_assert_uint_eq(size.lines, 4);
		ck_assert(nuls);
		ck_assert(last_cr);
	}
	memset(&size, 0, sizeof(size));
	last_cr = false;
	ck_assert(!message_size_add_data(&size, data, 10, &last_cr));
	ck_assert_uint_eq(size.virtual_size, 12);
	last_cr = true;
	memset(&size, 0, sizeof(size));
	ck_assert(!message_size_add_data(&size, (const unsigned char *)"\nx", 2,
					 &last_cr));
	ck_assert_uint_eq(size.virtual_size, 2);
	ck_assert(!last_cr);
}
END_TEST

START_TEST(test_header_sizes_api)
{
	const char *msg = "A: b\nC: d\n\nbody\nx\r\n";
	struct istream *input = istream_create_from_data(msg, strlen(msg));
	struct message_size hdr, body;
	unsigned int count = 0;
	bool nuls;

	ck_assert_int_eq(message_get_header_size(input, &hdr, &nuls), 0);
	ck_assert_uint_eq(hdr.physical_size, 11);
	ck_assert_uint_eq(hdr.virtual_size, 14);
	ck_assert_uint_eq(hdr.lines, 3);
	ck_assert(!nuls);
	ck_assert_int_eq(message_get_body_size(input, &body, &nuls), 0);
	ck_assert_uint_eq(body.physical_size, 8);
	ck_assert_uint_eq(body.virtual_size, 9);
	ck_assert_uint_eq(body.lines, 2);
	message_size_add(&hdr, &body);
	ck_assert_uint_eq(hdr.physical_size, 19);
	ck_assert_uint_eq(hdr.virtual_size, 23);
	ck_assert_uint_eq(hdr.lines, 5);
	istream_unref(&input);

	input = istream_create_from_data(msg, strlen(msg));
	message_parse_header(input, NULL, 0, count_cb, &count);
	ck_assert_uint_eq(count, 103);
	istream_unref(&input);
}
END_TEST

Suite *test_message_header_parser_suite(void)
{
	Suite *s = suite_create("message-header-parser");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_header_lines, 0, N_ELEMENTS(header_tests));
	tcase_add_loop_test(tc, test_header_trickle, 0, N_ELEMENTS(header_tests));
	tcase_add_test(tc, test_header_stops_at_eoh);
	tcase_add_test(tc, test_header_long_field_capped);
	tcase_add_test(tc, test_header_nuls_8bit);
	tcase_add_test(tc, test_header_sizes_api);
	tcase_add_test(tc, test_message_size_add_data);
	suite_add_tcase(s, tc);
	return s;
}
