/* Copyright (c) dovecot-like authors. Check suite for the IMAP parser: every
   row is fed whole and in small splits, so state carried across reads is
   exercised as much as the grammar. */

#include "lib.h"
#include "str.h"
#include "buffer.h"
#include "istream-private.h"
#include "ostream.h"
#include "imap-parser.h"
#include "test-imap.h"

#include <check.h>

/* An istream whose data arrives in chunks the test releases. */
struct chunk_input {
	const unsigned char *data;
	size_t len, pos, avail;
};

static ssize_t chunk_read(struct istream_private *stream, void *data, size_t size)
{
	struct chunk_input *ci = stream->context;
	size_t n = ci->avail - ci->pos;

	if (ci->pos == ci->len) {
		errno = 0;
		return -1;
	}
	if (n == 0)
		return 0;
	if (n > size)
		n = size;
	memcpy(data, ci->data + ci->pos, n);
	ci->pos += n;
	return (ssize_t)n;
}

static void chunk_destroy(struct istream_private *stream ATTR_UNUSED)
{
}

static const struct istream_vfuncs chunk_vfuncs = { chunk_read, chunk_destroy };

static const struct imap_parser_limits test_limits = {
	.max_line_length = 200,
	.max_literal_size = 1000,
	.max_list_depth = 3,
	.max_args = 16,
};

static void dump_args(struct str *dest, const struct imap_arg *args)
{
	const struct imap_arg *list;
	unsigned int count;
	bool first = true;

	for (; !IMAP_ARG_IS_EOL(args); args++) {
		if (!first)
			str_append_c(dest, ' ');
		first = false;
		switch (args->type) {
		case IMAP_ARG_NIL:
			str_append(dest, "NIL");
			break;
		case IMAP_ARG_ATOM:
			str_printfa(dest, "A:%s", args->u.str);
			break;
		case IMAP_ARG_STRING:
			str_printfa(dest, "S:%s", args->u.str);
			break;
		case IMAP_ARG_LITERAL:
			str_append(dest, args->literal8 ? "L8:" : "L:");
			/* show NULs visibly */
			for (size_t i = 0; i < args->str_len; i++)
				str_append_c(dest, args->u.str[i] == '\0' ? '0' :
					     args->u.str[i]);
			break;
		case IMAP_ARG_LIST:
			ck_assert(imap_arg_get_list(args, &list, &count));
			str_append_c(dest, '(');
			dump_args(dest, list);
			str_append_c(dest, ')');
			break;
		case IMAP_ARG_LITERAL_SIZE:
			str_printfa(dest, "LS:%llu%s",
				    (unsigned long long)args->literal_size,
				    args->literal_nonsync ? "+" : "");
			break;
		case IMAP_ARG_EOL:
			break;
		}
	}
}

/* Feed input in chunks of chunk bytes (0 = all at once); returns the
   read_args() result and the words/args dump in *dump_r. */
static int parse_input(const char *input, size_t len, size_t chunk,
		       const struct imap_parser_limits *limits,
		       struct str *dump, struct str *output_data,
		       enum imap_parser_error *error_r, bool *fatal_r)
{
	struct chunk_input ci = { (const unsigned char *)input, len, 0, 0 };
	struct istream *in;
	struct ostream *out;
	struct buf *outbuf;
	struct imap_parser *parser;
	const struct imap_arg *args;
	const char *word;
	unsigned int words = 0;
	int ret = 0;

	outbuf = buf_create(system_pool, 64);
	in = istream_create_private(&chunk_vfuncs, &ci, -1, 4096);
	out = ostream_create_buffer(outbuf);
	parser = imap_parser_create(in, out, limits);
	*error_r = IMAP_PARSER_ERROR_NONE;
	while (ret == 0) {
		ci.avail = chunk == 0 ? len : MIN(len, ci.avail + chunk);
		(void)istream_read(in);
		while (words < 2) {
			word = imap_parser_read_word(parser);
			if (word == NULL)
				break;
			str_printfa(dump, "%s|", word);
			words++;
		}
		if (imap_parser_get_error(parser, NULL) != IMAP_PARSER_ERROR_NONE) {
			ret = -1;
			break;
		}
		if (words == 2)
			ret = imap_parser_read_args(parser, &args);
		if (ret == 0 && ci.avail == len) {
			ret = -2;	/* input ended without a result */
			break;
		}
	}
	if (ret == 1)
		dump_args(dump, args);
	*error_r = imap_parser_get_error(parser, NULL);
	*fatal_r = imap_parser_error_is_fatal(parser);
	ostream_flush(out);
	str_append_n(output_data, outbuf->data, outbuf->used);
	imap_parser_destroy(&parser);
	istream_unref(&in);
	ostream_unref(&out);
	buf_free(&outbuf);
	return ret;
}

#define E_NONE IMAP_PARSER_ERROR_NONE
#define E_BAD IMAP_PARSER_ERROR_BAD_SYNTAX
#define E_LONG IMAP_PARSER_ERROR_LINE_TOO_LONG
#define E_BIG IMAP_PARSER_ERROR_LITERAL_TOO_BIG
#define ROW(in) in, sizeof(in) - 1

static const struct parse_test {
	const char *in;
	size_t len;
	int ret;
	enum imap_parser_error error;
	bool fatal;
	const char *dump;	/* words and args, for ret 1 */
	const char *output;	/* continuation requests sent */
} parse_tests[] = {
	{ ROW("a1 LOGIN user pass\r\n"), 1, E_NONE, false,
	  "a1|LOGIN|A:user A:pass", "" },
	{ ROW("a1 LOGIN \"us\\\"e\\\\r\" \"\"\r\n"), 1, E_NONE, false,
	  "a1|LOGIN|S:us\"e\\r S:", "" },
	{ ROW("a1 LOGIN {4}\r\npass {2}\r\nxy\r\n"), 1, E_NONE, false,
	  "a1|LOGIN|L:pass L:xy", "+ OK\r\n+ OK\r\n" },
	/* LITERAL+ (RFC 7888): no continuation request */
	{ ROW("a1 LOGIN {4+}\r\npass x\r\n"), 1, E_NONE, false,
	  "a1|LOGIN|L:pass A:x", "" },
	/* literal8 outside APPEND's message (RFC 3516 4.4): BAD, and no
	   "+ OK" (test_imap_parser_literal8 has the allowed ones) */
	{ ROW("a APPEND ~{3+}\r\na\0b\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a APPEND ~{3}\r\n\0\0\0\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a LOGIN ~{1}\r\nx ~{1}\r\ny\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X (~{1}\r\nx)\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X {0}\r\n\r\n"), 1, E_NONE, false, "a|X|L:", "+ OK\r\n" },
	{ ROW("a X {3}\nabc\n"), 1, E_NONE, false, "a|X|L:abc", "+ OK\r\n" },
	{ ROW("a FETCH 1 (FLAGS BODY[HEADER.FIELDS (From To)])\r\n"), 1,
	  E_NONE, false,
	  "a|FETCH|A:1 (A:FLAGS A:BODY[HEADER.FIELDS (A:From A:To) A:])", "" },
	{ ROW("a X NIL nil \"NIL\" \\Seen * %\r\n"), 1, E_NONE, false,
	  "a|X|NIL NIL S:NIL A:\\Seen A:* A:%", "" },
	{ ROW("a X\r\n"), 1, E_NONE, false, "a|X|", "" },
	{ ROW("a X  b \r\n"), 1, E_NONE, false, "a|X|A:b", "" },
	{ ROW("a\r\n"), 1, E_NONE, false, "a||", "" },
	{ ROW("\r\n"), 1, E_NONE, false, "||", "" },
	{ ROW("a X (a (b (c)))\r\n"), 1, E_NONE, false,
	  "a|X|(A:a (A:b (A:c)))", "" },
	{ ROW("a X () \"\xc3\xa4\"\r\n"), 1, E_NONE, false,
	  "a|X|() S:\xc3\xa4", "" },
	/* malformed */
	{ ROW("a X \"unterminated\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X \"bad\\nescape\"\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X \"a\0b\"\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X \"a\"b\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X fo\0o\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X\0 b\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a\0 X b\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X fo{o\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X {abc}\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X {}\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X {+}\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X {3++}\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X {3\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X {3}x\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X {3}\rx"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X ~x\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X ~\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X ~{\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X ~{12\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X ~{}\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X ~{1x}\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X ~~{1}\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X ~ {1}\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X ~{3}x\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X ~{1001}\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X ~{18446744073709551616}\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X {1001}\r\n"), -1, E_BIG, false, NULL, "" },
	{ ROW("a X {1001+}\r\nxxx"), -1, E_BIG, true, NULL, "" },
	{ ROW("a X {18446744073709551616}\r\n"), -1, E_BIG, false, NULL, "" },
	{ ROW("a X )\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X (a\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X (a {1}\r\nb\r\n"), -1, E_BAD, false, NULL, "+ OK\r\n" },
	{ ROW("a X ((((a))))\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\r\n"), -1, E_BAD,
	  false, NULL, "" },
	{ ROW("a X a\rb\r\n"), -1, E_BAD, false, NULL, "" },
	{ ROW("a X aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	  -1, E_LONG, true, NULL, "" },
	{ ROW("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	  -1, E_LONG, true, NULL, "" },
	/* an incomplete command is neither done nor an error */
	{ ROW("a X {5}\r\nab"), -2, E_NONE, false, NULL, "+ OK\r\n" },
	{ ROW("a X (a b"), -2, E_NONE, false, NULL, "" },
};

static const size_t chunk_sizes[] = { 0, 1, 2, 3, 7 };

START_TEST(test_imap_parser_rows)
{
	const struct parse_test *t = &parse_tests[_i];
	struct str *dump = str_new(system_pool, 128);
	struct str *output = str_new(system_pool, 64);
	enum imap_parser_error error;
	unsigned int c;
	bool fatal;
	int ret;

	for (c = 0; c < N_ELEMENTS(chunk_sizes); c++) {
		str_reset(dump);
		str_reset(output);
		ret = parse_input(t->in, t->len, chunk_sizes[c], &test_limits,
				  dump, output, &error, &fatal);
		ck_assert_msg(ret == t->ret, "row %d chunk %zu: ret %d != %d",
			      _i, chunk_sizes[c], ret, t->ret);
		ck_assert_msg(error == t->error, "row %d chunk %zu: error %d",
			      _i, chunk_sizes[c], error);
		ck_assert_int_eq(fatal, t->fatal);
		if (t->dump != NULL)
			ck_assert_str_eq(str_c(dump), t->dump);
		ck_assert_str_eq(str_c(output), t->output);
	}
	str_free(&dump);
	str_free(&output);
}
END_TEST

/* After an error the rest of the line is skipped and the next command
   parses normally; also pipelined commands in one read. */
START_TEST(test_imap_parser_skip_and_pipeline)
{
	static const char input[] =
		"a X \"unterminated\r\nb NOOP\r\nc X (a\r\nd LOGIN u p\r\n"
		"e X {1001}\r\nf NOOP\r\n";
	static const char *const expect[] = {
		"!", "b|NOOP|", "!", "d|LOGIN|A:u A:p", "!", "f|NOOP|",
	};
	struct istream *in = istream_create_from_data(input, sizeof(input) - 1);
	struct imap_parser *parser = imap_parser_create(in, NULL, &test_limits);
	struct str *dump = str_new(system_pool, 64);
	const struct imap_arg *args;
	const char *word;
	unsigned int i;
	int ret;

	(void)istream_read(in);
	for (i = 0; i < N_ELEMENTS(expect); i++) {
		str_reset(dump);
		imap_parser_reset(parser);
		ret = -1;
		if ((word = imap_parser_read_word(parser)) != NULL) {
			str_printfa(dump, "%s|", word);
			if ((word = imap_parser_read_word(parser)) != NULL) {
				str_printfa(dump, "%s|", word);
				ret = imap_parser_read_args(parser, &args);
			}
		}
		if (ret == 1) {
			dump_args(dump, args);
			ck_assert_str_eq(str_c(dump), expect[i]);
		} else {
			ck_assert_int_eq(ret, -1);
			ck_assert_str_eq("!", expect[i]);
			ck_assert(imap_parser_skip_line(parser));
		}
	}
	str_free(&dump);
	imap_parser_destroy(&parser);
	istream_unref(&in);
}
END_TEST

/* Runs every command of input through a stream whose buffer (32 bytes) is
   far below the line limit, as the imap worker does: words, then args (NOOP's
   ignored), then on an error its message and imap_parser_skip_line(). Each
   command's result is appended to dump, ";"-terminated. A parser that kept
   an over-long line instead of consuming it would stall the stream (buffer
   full): that fails the test. */
static void run_stream(const char *input, size_t len, size_t chunk,
		       const struct imap_parser_limits *limits, struct str *dump)
{
	struct chunk_input ci = { (const unsigned char *)input, len, 0, 0 };
	struct istream *in = istream_create_private(&chunk_vfuncs, &ci, -1, 32);
	struct imap_parser *parser = imap_parser_create(in, NULL, limits);
	const struct imap_arg *args;
	const char *word, *msg;
	unsigned int words = 0, stalls = 0;
	bool skipping = false, noop = false;
	ssize_t rd;
	int ret;

	for (;;) {
		ci.avail = MIN(len, ci.avail + chunk);
		rd = istream_read(in);
		if (rd == -1)
			break;
		if (rd == -2)
			ck_assert_msg(++stalls < 3, "input buffer stayed full");
		for (;;) {
			if (skipping) {
				if (!imap_parser_skip_line(parser))
					break;
				skipping = false;
				imap_parser_reset(parser);
				words = 0;
			}
			ret = 0;
			while (words < 2 &&
			       (word = imap_parser_read_word(parser)) != NULL) {
				str_printfa(dump, "%s|", word);
				if (++words == 2)
					noop = strcmp(word, "NOOP") == 0;
			}
			if (words == 2) {
				/* as the worker: before every read_args() */
				if (noop)
					imap_parser_ignore_args(parser);
				ret = imap_parser_read_args(parser, &args);
			} else if (imap_parser_get_error(parser, NULL) !=
				   IMAP_PARSER_ERROR_NONE)
				ret = -1;
			if (ret == 0)
				break;
			if (ret == 1) {
				dump_args(dump, args);
				str_append_c(dump, ';');
				imap_parser_reset(parser);
				words = 0;
				continue;
			}
			(void)imap_parser_get_error(parser, &msg);
			str_printfa(dump, "!%s;", msg);
			skipping = true;
		}
	}
	imap_parser_destroy(&parser);
	istream_unref(&in);
}

static const struct imap_parser_limits long_limits = {
	.max_line_length = 16,
	.max_literal_size = 8,
	.max_list_depth = 3,
	.max_args = 16,
};

static const struct long_test {
	const char *in;
	size_t len;
	const char *dump;
} long_tests[] = {
	/* within the limit: 16 bytes without the LF */
	{ ROW("a X 123456789012\nb X y\n"), "a|X|A:123456789012;b|X|A:y;" },
	/* one atom over it */
	{ ROW("a X 1234567890123456789\nb X y\n"),
	  "a|X|!Too long argument;b|X|A:y;" },
	/* an atom far over it: discarded, never buffered */
	{ ROW("a X 12345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789\r\nb X y\r\n"),
	  "a|X|!Too long argument;b|X|A:y;" },
	{ ROW("a X \"12345678901234567890\"\nb X y\n"),
	  "a|X|!Too long argument;b|X|A:y;" },
	{ ROW("a X \"1234567\\\\89012345\\\"67890\"\nb X y\n"),
	  "a|X|!Too long argument;b|X|A:y;" },
	/* small arguments over it */
	{ ROW("a X 1 2 3 4 5 6 7 8 9\nb X y\n"),
	  "a|X|!IMAP command line too large;b|X|A:y;" },
	{ ROW("a X (1 2) (3 4) (5 6)\nb X y\n"),
	  "a|X|!IMAP command line too large;b|X|A:y;" },
	{ ROW("a X \"1\" \"2\" \"3\" \"4\"\nb X y\n"),
	  "a|X|!IMAP command line too large;b|X|A:y;" },
	/* the atom crossing the limit ends the line: accepted, as Dovecot */
	{ ROW("a X 1234567 9012345\nb X y\n"), "a|X|A:1234567 A:9012345;b|X|A:y;" },
	{ ROW("a X 1234567 9012345\r\nb X y\n"), "a|X|A:1234567 A:9012345;b|X|A:y;" },
	{ ROW("a X 1234567 9012345 7\nb X y\n"),
	  "a|X|!IMAP command line too large;b|X|A:y;" },
	{ ROW("a X 1234567 9012345 \r\nb X y\n"),
	  "a|X|A:1234567 A:9012345;b|X|A:y;" },
	{ ROW("a X 1234567 9012345)\nb X y\n"),
	  "a|X|!Unexpected ')';b|X|A:y;" },
	/* a list closed by the crossing atom, ending the line: accepted;
	   another byte after it is not */
	{ ROW("a X (123456 901234)\nb X y\n"),
	  "a|X|(A:123456 A:901234);b|X|A:y;" },
	{ ROW("a X (123456 901234) \nb X y\n"),
	  "a|X|!IMAP command line too large;b|X|A:y;" },
	/* a too long tag or command name */
	{ ROW("12345678901234567890 X\nb X y\n"), "!Too long argument;b|X|A:y;" },
	{ ROW("a 12345678901234567890\nb X y\n"), "a|!Too long argument;b|X|A:y;" },
	/* an error on the line before the limit wins; the rest is skipped */
	{ ROW("a X ) 1234567890123456789012345\nb X y\n"),
	  "a|X|!Unexpected ')';b|X|A:y;" },
	/* a literal within the line */
	{ ROW("a X {5}\r\n12345 x\r\nb X y\n"), "a|X|L:12345 A:x;b|X|A:y;" },
	/* a literal's data counts toward the line, as Dovecot: one bigger
	   than what is left of it is too big */
	{ ROW("a X {10}\r\n"), "a|X|!Literal too big;" },
	{ ROW("a X {3}\r\n123 {3}\r\nxyz\r\nb X y\n"),
	  "a|X|!Literal too big;xyz||;b|X|A:y;" },
	{ ROW("a X {1}\r\n1 {1}\r\nx\r\nb X y\n"),
	  "a|X|L:1 L:x;b|X|A:y;" },
	{ ROW("a X {6}\r\n123456\r\nb X y\n"), "a|X|L:123456;b|X|A:y;" },
	{ ROW("a X {6}\r\n123456 \r\nb X y\n"), "a|X|L:123456;b|X|A:y;" },
	/* NOOP: the line is not parsed, at any length or syntax */
	{ ROW("a NOOP 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\nb X y\n"),
	  "a|NOOP|;b|X|A:y;" },
	{ ROW("a NOOP \"unterminated ((( {5}\r\nb X y\n"), "a|NOOP|;b|X|A:y;" },
	{ ROW("a NOOP\r\nb NOOP \0\r\nc X y\n"), "a|NOOP|;b|NOOP|;c|X|A:y;" },
	/* malformed after the limit: the first error stays */
	{ ROW("a X 12345678901234567890\0\"\r\n\nb X y\n"),
	  "a|X|!Too long argument;||;b|X|A:y;" },
};

static const size_t long_chunks[] = { 1, 2, 5, 13, 1000 };

START_TEST(test_imap_parser_line_limit)
{
	const struct long_test *t = &long_tests[_i];
	struct str *dump = str_new(system_pool, 128);
	unsigned int c;

	for (c = 0; c < N_ELEMENTS(long_chunks); c++) {
		str_reset(dump);
		run_stream(t->in, t->len, long_chunks[c], &long_limits, dump);
		ck_assert_msg(strcmp(str_c(dump), t->dump) == 0,
			      "row %d chunk %zu: %s", _i, long_chunks[c],
			      str_c(dump));
	}
	str_free(&dump);
}
END_TEST

/* 1 MiB of one atom, then of many arguments, then of NOOP's arguments, each
   through a 32-byte stream buffer: discarded as it arrives. */
START_TEST(test_imap_parser_huge_lines)
{
	static const char *const heads[] = { "a X ", "a X ", "a NOOP " };
	static const char *const want[] = {
		"a|X|!Too long argument;b|X|A:y;",
		"a|X|!IMAP command line too large;b|X|A:y;",
		"a|NOOP|;b|X|A:y;",
	};
	const size_t body = 1024 * 1024;
	struct str *dump = str_new(system_pool, 128);
	char *input;
	size_t hlen, i;
	unsigned int n;

	input = p_malloc(system_pool, body + 64);
	for (n = 0; n < N_ELEMENTS(heads); n++) {
		hlen = strlen(heads[n]);
		memcpy(input, heads[n], hlen);
		for (i = 0; i < body; i++)
			input[hlen + i] = n == 1 && i % 2 == 1 ? ' ' : 'a';
		memcpy(input + hlen + body, "\r\nb X y\r\n", 9);
		str_reset(dump);
		run_stream(input, hlen + body + 9, 4096, &long_limits, dump);
		ck_assert_str_eq(str_c(dump), want[n]);
	}
	p_free(system_pool, input);
	str_free(&dump);
}
END_TEST

/* APPEND's mode: the parse stops at each top-level literal (from the 2nd
   arg), the caller reads the data, and the line goes on. */
START_TEST(test_imap_parser_literal_size)
{
	static const char input[] =
		"a APPEND {5}\r\nINBOX (\\Seen) {3}\r\nabc {2000+}\r\n"
		"0123456789 (x {2}\r\nzz) {0}\r\n\r\nb NOOP\r\n";
	struct istream *in = istream_create_from_data(input, sizeof(input) - 1);
	struct buf *outbuf = buf_create(system_pool, 64);
	struct ostream *out = ostream_create_buffer(outbuf);
	struct imap_parser *parser = imap_parser_create(in, out, &test_limits);
	struct str *dump = str_new(system_pool, 64);
	const struct imap_arg *args;
	size_t size;

	(void)istream_read(in);
	ck_assert_str_eq(imap_parser_read_word(parser), "a");
	ck_assert_str_eq(imap_parser_read_word(parser), "APPEND");
	imap_parser_enable_literal_size(parser, 1);
	ck_assert_int_eq(imap_parser_read_args(parser, &args), 1);
	dump_args(dump, args);
	/* the mailbox literal is read; no "+ OK" for the stopped one */
	ck_assert_str_eq(str_c(dump), "L:INBOX (A:\\Seen) LS:3");
	ostream_flush(out);
	ck_assert_uint_eq(outbuf->used, 6);
	(void)istream_get_data(in, &size);
	ck_assert(size >= 3);
	istream_skip(in, 3);
	imap_parser_literal_data_done(parser);
	/* over max_literal_size (1000), yet a stop literal is allowed */
	ck_assert_int_eq(imap_parser_read_args(parser, &args), 1);
	str_reset(dump);
	dump_args(dump, args);
	ck_assert_str_eq(str_c(dump), "LS:2000+");
	/* pretend the 2000 bytes were read: skip the next 10 only */
	istream_skip(in, 10);
	imap_parser_literal_data_done(parser);
	/* a literal inside a list is read as usual */
	ck_assert_int_eq(imap_parser_read_args(parser, &args), 1);
	str_reset(dump);
	dump_args(dump, args);
	ck_assert_str_eq(str_c(dump), "(A:x L:zz) LS:0");
	imap_parser_literal_data_done(parser);
	ck_assert_int_eq(imap_parser_read_args(parser, &args), 1);
	ck_assert(IMAP_ARG_IS_EOL(&args[0]));
	imap_parser_reset(parser);
	ck_assert_str_eq(imap_parser_read_word(parser), "b");
	ck_assert_str_eq(imap_parser_read_word(parser), "NOOP");
	/* reset ends the mode */
	ck_assert_int_eq(imap_parser_read_args(parser, &args), 1);
	str_free(&dump);
	imap_parser_destroy(&parser);
	ostream_unref(&out);
	buf_free(&outbuf);
	istream_unref(&in);
}
END_TEST

/* RFC 3516 4.4: APPEND's message may be a literal8, sync or LITERAL+,
   and its size is left to the command (max_append_size); before the
   message (the mailbox) or inside a list it is refused. */
static const struct {
	const char *in;
	int ret;
	uoff_t size;
	bool nonsync;
	const char *output;
} literal8_tests[] = {
	{ "a APPEND INBOX ~{3}\r\n", 1, 3, false, "" },
	{ "a APPEND INBOX (\\Seen) ~{5+}\r\n", 1, 5, true, "" },
	{ "a APPEND INBOX ~{0}\r\n", 1, 0, false, "" },
	{ "a APPEND INBOX ~{18446744073709551616}\r\n", 1, UINT64_MAX, false, "" },
	{ "a APPEND INBOX ~{99999999999999999999999999+}\r\n", 1, UINT64_MAX,
	  true, "" },
	{ "a APPEND ~{5}\r\nINBOX ~{3}\r\n", -1, 0, false, "" },
	{ "a APPEND INBOX (~{1}\r\nx) {3}\r\n", -1, 0, false, "" },
	{ "a APPEND INBOX ~{\r\n", -1, 0, false, "" },
	{ "a APPEND INBOX ~{12\r\n", -1, 0, false, "" },
	{ "a APPEND INBOX ~x\r\n", -1, 0, false, "" },
	{ "a APPEND INBOX ~{3++}\r\n", -1, 0, false, "" },
};

START_TEST(test_imap_parser_literal8)
{
	const char *input = literal8_tests[_i].in;
	struct istream *in = istream_create_from_data(input, strlen(input));
	struct buf *outbuf = buf_create(system_pool, 64);
	struct ostream *out = ostream_create_buffer(outbuf);
	struct imap_parser *parser = imap_parser_create(in, out, &test_limits);
	const struct imap_arg *args;
	unsigned int n;

	(void)istream_read(in);
	ck_assert_str_eq(imap_parser_read_word(parser), "a");
	ck_assert_str_eq(imap_parser_read_word(parser), "APPEND");
	imap_parser_enable_literal_size(parser, 1);
	ck_assert_int_eq(imap_parser_read_args(parser, &args),
			 literal8_tests[_i].ret);
	if (literal8_tests[_i].ret == 1) {
		for (n = 0; !IMAP_ARG_IS_EOL(&args[n]); n++) ;
		ck_assert_int_eq(args[n - 1].type, IMAP_ARG_LITERAL_SIZE);
		ck_assert(args[n - 1].literal8);
		ck_assert(args[n - 1].literal_nonsync == literal8_tests[_i].nonsync);
		ck_assert(args[n - 1].literal_size == literal8_tests[_i].size);
	} else {
		ck_assert_int_eq(imap_parser_get_error(parser, NULL), E_BAD);
		ck_assert(!imap_parser_error_is_fatal(parser));
	}
	ostream_flush(out);
	/* the command answers a stopped literal, the parser sends nothing */
	ck_assert_uint_eq(outbuf->used, strlen(literal8_tests[_i].output));
	imap_parser_destroy(&parser);
	ostream_unref(&out);
	buf_free(&outbuf);
	istream_unref(&in);
}
END_TEST

/* RFC 6855 4: APPEND's "UTF8 (~{n}...)": the parse stops at a literal8
   that is the only element of a list right after the atom UTF8; after
   the data the ")" must follow. Each row is a whole APPEND command run
   the way cmd-append does: every stop's data skipped, then resumed. The
   dump has each read_args() result followed by "|", then "ERR:msg",
   "MORE" (input ended mid-command) or "STOP" (a size beyond the input,
   for the command to refuse). */
static const struct {
	const char *in;
	size_t len;
	const char *dump;
	const char *output;
} utf8_literal_tests[] = {
	{ ROW("a APPEND INBOX UTF8 (~{3}\r\nabc)\r\n"), "A:INBOX A:UTF8 (LS:3)||", "" },
	{ ROW("a APPEND INBOX (\\Seen) \"d\" utf8 (~{3+}\r\nabc)\r\n"),
	  "A:INBOX (A:\\Seen) S:d A:utf8 (LS:3+)||", "" },
	{ ROW("a APPEND INBOX UTF8 (~{1}\r\nx) (\\Seen) UTF8 (~{2}\r\nyz)\r\n"),
	  "A:INBOX A:UTF8 (LS:1)|(A:\\Seen) A:UTF8 (LS:2)||", "" },
	{ ROW("a APPEND INBOX UTF8 (~{1}\r\nx) {2}\r\nyz\r\n"),
	  "A:INBOX A:UTF8 (LS:1)|LS:2||", "" },
	/* NUL, CR, LF and ")" are data in a literal8 */
	{ ROW("a APPEND INBOX UTF8 (~{5}\r\na\0\r\n)) \r\n"), "A:INBOX A:UTF8 (LS:5)||", "" },
	{ ROW("a APPEND INBOX UTF8 (~{3}\r\nabc\r\n"),
	  "A:INBOX A:UTF8 (LS:3)|ERR:Missing ')' after UTF8 literal8", "" },
	{ ROW("a APPEND INBOX UTF8 (~{3}\r\nabc"), "A:INBOX A:UTF8 (LS:3)|MORE", "" },
	{ ROW("a APPEND INBOX UTF8 (~{3}\r\nabc extra)\r\n"),
	  "A:INBOX A:UTF8 (LS:3)|ERR:Missing ')' after UTF8 literal8", "" },
	{ ROW("a APPEND INBOX UTF8 (~{1}\r\na ~{1}\r\nb)\r\n"),
	  "A:INBOX A:UTF8 (LS:1)|ERR:Missing ')' after UTF8 literal8", "" },
	{ ROW("a APPEND INBOX UTF8 (~{3}\r\nabc))\r\n"),
	  "A:INBOX A:UTF8 (LS:3)|ERR:Unexpected ')'", "" },
	{ ROW("a APPEND INBOX UTF8 (~{3}\r\nabc)x\r\n"),
	  "A:INBOX A:UTF8 (LS:3)|ERR:Missing space after argument", "" },
	/* a plain literal in the list is read as usual (the command
	   refuses the form) */
	{ ROW("a APPEND INBOX UTF8 ({3}\r\nabc)\r\n"), "A:INBOX A:UTF8 (L:abc)|", "+ OK\r\n" },
	{ ROW("a APPEND INBOX UTF8 ()\r\n"), "A:INBOX A:UTF8 ()|", "" },
	{ ROW("a APPEND INBOX UTF8 (x ~{1}\r\na)\r\n"),
	  "ERR:literal8 not allowed here", "" },
	{ ROW("a APPEND INBOX UTF8 ((~{1}\r\na))\r\n"),
	  "ERR:literal8 not allowed here", "" },
	{ ROW("a APPEND INBOX UTF9 (~{1}\r\na)\r\n"),
	  "ERR:literal8 not allowed here", "" },
	/* the mailbox is no UTF8 atom before the message */
	{ ROW("a APPEND UTF8 (~{1}\r\na)\r\n"), "ERR:literal8 not allowed here", "" },
	/* the size is the command's to check (max_append_size) */
	{ ROW("a APPEND INBOX UTF8 (~{99999999999999999999}\r\n"),
	  "A:INBOX A:UTF8 (LS:18446744073709551615)|STOP", "" },
	{ ROW("a APPEND INBOX UTF8 (~{2000+}\r\n"), "A:INBOX A:UTF8 (LS:2000+)|STOP", "" },
};

/* The stop literal of an args list (top level or UTF8's list), or NULL. */
static const struct imap_arg *utf8_find_stop(const struct imap_arg *args)
{
	const struct imap_arg *list;
	unsigned int count, n;

	for (n = 0; !IMAP_ARG_IS_EOL(&args[n]); n++) ;
	if (n == 0)
		return NULL;
	if (args[n - 1].type == IMAP_ARG_LITERAL_SIZE)
		return &args[n - 1];
	if (imap_arg_get_list(&args[n - 1], &list, &count) && count == 1 &&
	    list[0].type == IMAP_ARG_LITERAL_SIZE)
		return &list[0];
	return NULL;
}

START_TEST(test_imap_parser_utf8_literal)
{
	struct istream *in = istream_create_from_data(utf8_literal_tests[_i].in,
						      utf8_literal_tests[_i].len);
	struct buf *outbuf = buf_create(system_pool, 64);
	struct ostream *out = ostream_create_buffer(outbuf);
	struct imap_parser *parser = imap_parser_create(in, out, &test_limits);
	struct str *dump = str_new(system_pool, 64);
	const struct imap_arg *args, *lit;
	const char *msg;
	size_t size;
	int ret, rounds = 0;

	(void)istream_read(in);
	ck_assert_str_eq(imap_parser_read_word(parser), "a");
	ck_assert_str_eq(imap_parser_read_word(parser), "APPEND");
	imap_parser_enable_literal_size(parser, 1);
	for (;;) {
		ck_assert_int_lt(++rounds, 10);
		ret = imap_parser_read_args(parser, &args);
		if (ret < 0) {
			ck_assert_int_eq(imap_parser_get_error(parser, &msg), E_BAD);
			ck_assert(!imap_parser_error_is_fatal(parser));
			str_printfa(dump, "ERR:%s", msg);
			break;
		}
		if (ret == 0) {
			/* input ended inside the command */
			str_append(dump, "MORE");
			break;
		}
		dump_args(dump, args);
		str_append_c(dump, '|');
		if ((lit = utf8_find_stop(args)) == NULL)
			break;
		(void)istream_get_data(in, &size);
		if (lit->literal_size > size) {
			str_append(dump, "STOP");
			break;
		}
		istream_skip(in, (size_t)lit->literal_size);
		imap_parser_literal_data_done(parser);
	}
	ck_assert_str_eq(str_c(dump), utf8_literal_tests[_i].dump);
	ostream_flush(out);
	ck_assert_uint_eq(outbuf->used, strlen(utf8_literal_tests[_i].output));
	ck_assert(memcmp(outbuf->data, utf8_literal_tests[_i].output,
			 outbuf->used) == 0);
	str_free(&dump);
	imap_parser_destroy(&parser);
	ostream_unref(&out);
	buf_free(&outbuf);
	istream_unref(&in);
}
END_TEST

START_TEST(test_imap_arg_helpers)
{
	static const char input[] = "t CMD atom \"str\" {3+}\r\nlit NIL (x)\r\n";
	struct istream *in = istream_create_from_data(input, sizeof(input) - 1);
	struct imap_parser *parser = imap_parser_create(in, NULL, &test_limits);
	const struct imap_arg *args, *list;
	const char *str;
	unsigned int count;

	(void)istream_read(in);
	ck_assert_str_eq(imap_parser_read_word(parser), "t");
	ck_assert_str_eq(imap_parser_read_word(parser), "CMD");
	ck_assert_int_eq(imap_parser_read_args(parser, &args), 1);
	ck_assert(imap_arg_get_atom(&args[0], &str));
	ck_assert_str_eq(str, "atom");
	ck_assert(!imap_arg_get_atom(&args[1], &str));
	ck_assert(imap_arg_get_astring(&args[1], &str));
	ck_assert_str_eq(str, "str");
	ck_assert(imap_arg_get_astring(&args[2], &str));
	ck_assert_str_eq(str, "lit");
	ck_assert(imap_arg_get_astring(&args[3], &str));
	ck_assert_str_eq(str, "NIL");
	ck_assert(!imap_arg_get_astring(&args[4], &str));
	ck_assert(imap_arg_get_list(&args[4], &list, &count));
	ck_assert_uint_eq(count, 1);
	ck_assert(IMAP_ARG_IS_EOL(&list[1]));
	ck_assert(IMAP_ARG_IS_EOL(&args[5]));
	/* calling again returns the same result */
	ck_assert_int_eq(imap_parser_read_args(parser, &args), 1);
	imap_parser_destroy(&parser);
	istream_unref(&in);
}
END_TEST

/* mod-sequence-valzer atoms: 0 .. 2^63-1, nothing else */
START_TEST(test_imap_arg_get_modseq)
{
	static const char input[] =
		"t CMD 0 9223372036854775807 9223372036854775808 -1 x \"5\" 1a\r\n";
	struct istream *in = istream_create_from_data(input, sizeof(input) - 1);
	struct imap_parser *parser = imap_parser_create(in, NULL, &test_limits);
	const struct imap_arg *args;
	uint64_t modseq;
	unsigned int i;

	(void)istream_read(in);
	ck_assert_str_eq(imap_parser_read_word(parser), "t");
	ck_assert_str_eq(imap_parser_read_word(parser), "CMD");
	ck_assert_int_eq(imap_parser_read_args(parser, &args), 1);
	ck_assert(imap_arg_get_modseq(&args[0], &modseq));
	ck_assert_uint_eq(modseq, 0);
	ck_assert(imap_arg_get_modseq(&args[1], &modseq));
	ck_assert_uint_eq(modseq, 9223372036854775807ULL);
	for (i = 2; i <= 6; i++)
		ck_assert_msg(!imap_arg_get_modseq(&args[i], &modseq), "%u", i);
	imap_parser_destroy(&parser);
	istream_unref(&in);
}
END_TEST

/* limits.utf8_quoted (RFC 9051 9 / RFC 6855 3): quoted strings must be
   valid UTF-8 when set; 8-bit passes unchecked when not (as before).
   NUL is an error either way. */
static const struct utf8_test {
	const char *in;
	size_t len;
	int ret_off, ret_on;	/* read_args() result without / with it */
	const char *dump;	/* for ret 1 */
} utf8_tests[] = {
	{ ROW("a X \"caf\xc3\xa9\"\r\n"), 1, 1, "a|X|S:caf\xc3\xa9" },
	{ ROW("a X \"\xe2\x82\xac \xf0\x9f\x98\x80\"\r\n"), 1, 1,
	  "a|X|S:\xe2\x82\xac \xf0\x9f\x98\x80" },
	{ ROW("a X \"ascii\\\\\\\"\"\r\n"), 1, 1, "a|X|S:ascii\\\"" },
	/* invalid: lone continuation, Latin-1, truncated, overlong '/',
	   overlong NUL, surrogate, > U+10FFFF, 0xff */
	{ ROW("a X \"\x80\"\r\n"), 1, -1, "a|X|S:\x80" },
	{ ROW("a X \"caf\xe9\"\r\n"), 1, -1, "a|X|S:caf\xe9" },
	{ ROW("a X \"\xc3\"\r\n"), 1, -1, "a|X|S:\xc3" },
	{ ROW("a X \"\xe2\x82\"\r\n"), 1, -1, "a|X|S:\xe2\x82" },
	{ ROW("a X \"\xc0\xaf\"\r\n"), 1, -1, "a|X|S:\xc0\xaf" },
	{ ROW("a X \"\xc0\x80\"\r\n"), 1, -1, "a|X|S:\xc0\x80" },
	{ ROW("a X \"\xe0\x80\xaf\"\r\n"), 1, -1, "a|X|S:\xe0\x80\xaf" },
	{ ROW("a X \"\xed\xa0\x80\"\r\n"), 1, -1, "a|X|S:\xed\xa0\x80" },
	{ ROW("a X \"\xf4\x90\x80\x80\"\r\n"), 1, -1,
	  "a|X|S:\xf4\x90\x80\x80" },
	{ ROW("a X \"\xff\"\r\n"), 1, -1, "a|X|S:\xff" },
	{ ROW("a X \"a\0b\"\r\n"), -1, -1, NULL },
	{ ROW("a X \"\xc3\0\"\r\n"), -1, -1, NULL },
	/* literals and atoms are not quoted strings: unchanged */
	{ ROW("a X {1+}\r\n\xff\r\n"), 1, 1, "a|X|L:\xff" },
};

START_TEST(test_imap_parser_utf8_quoted)
{
	const struct utf8_test *t = &utf8_tests[_i];
	struct imap_parser_limits limits = test_limits;
	struct str *dump = str_new(system_pool, 128);
	struct str *output = str_new(system_pool, 64);
	enum imap_parser_error error;
	unsigned int c, on;
	bool fatal;
	int ret, want;

	for (on = 0; on < 2; on++) {
		limits.utf8_quoted = on == 1;
		want = on == 1 ? t->ret_on : t->ret_off;
		for (c = 0; c < N_ELEMENTS(chunk_sizes); c++) {
			str_reset(dump);
			ret = parse_input(t->in, t->len, chunk_sizes[c],
					  &limits, dump, output, &error, &fatal);
			ck_assert_msg(ret == want, "row %d on %u chunk %zu: "
				      "ret %d != %d", _i, on, chunk_sizes[c],
				      ret, want);
			ck_assert_int_eq(error, ret < 0 ? E_BAD : E_NONE);
			ck_assert(!fatal);
			if (ret == 1)
				ck_assert_str_eq(str_c(dump), t->dump);
		}
	}
	str_free(&dump);
	str_free(&output);
}
END_TEST

/* imap_parser_set_utf8_quoted() applies from the next command on, and an
   invalid string is a BAD that leaves the stream usable. */
START_TEST(test_imap_parser_utf8_setter)
{
	static const char input[] =
		"a X \"\xff\"\r\nb X \"\xff\"\r\nc X \"\xc3\xa4\"\r\n";
	struct istream *in = istream_create_from_data(input,
						      sizeof(input) - 1);
	struct imap_parser *parser = imap_parser_create(in, NULL, &test_limits);
	const struct imap_arg *args;
	const char *msg;

	(void)istream_read(in);
	ck_assert_str_eq(imap_parser_read_word(parser), "a");
	ck_assert_str_eq(imap_parser_read_word(parser), "X");
	ck_assert_int_eq(imap_parser_read_args(parser, &args), 1);
	ck_assert_str_eq(args[0].u.str, "\xff");
	imap_parser_reset(parser);
	imap_parser_set_utf8_quoted(parser, true);
	ck_assert_str_eq(imap_parser_read_word(parser), "b");
	ck_assert_str_eq(imap_parser_read_word(parser), "X");
	ck_assert_int_eq(imap_parser_read_args(parser, &args), -1);
	ck_assert_int_eq(imap_parser_get_error(parser, &msg), E_BAD);
	ck_assert_str_eq(msg, "Invalid UTF-8 in quoted string");
	ck_assert(!imap_parser_error_is_fatal(parser));
	ck_assert(imap_parser_skip_line(parser));
	imap_parser_reset(parser);
	ck_assert_str_eq(imap_parser_read_word(parser), "c");
	ck_assert_str_eq(imap_parser_read_word(parser), "X");
	ck_assert_int_eq(imap_parser_read_args(parser, &args), 1);
	ck_assert_str_eq(args[0].u.str, "\xc3\xa4");
	imap_parser_destroy(&parser);
	istream_unref(&in);
}
END_TEST

Suite *test_imap_parser_suite(void)
{
	Suite *s = suite_create("imap-parser");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_imap_parser_rows, 0, N_ELEMENTS(parse_tests));
	tcase_add_test(tc, test_imap_parser_skip_and_pipeline);
	tcase_add_loop_test(tc, test_imap_parser_line_limit, 0,
			    N_ELEMENTS(long_tests));
	tcase_add_test(tc, test_imap_parser_huge_lines);
	tcase_add_test(tc, test_imap_arg_helpers);
	tcase_add_test(tc, test_imap_arg_get_modseq);
	tcase_add_test(tc, test_imap_parser_literal_size);
	tcase_add_loop_test(tc, test_imap_parser_literal8, 0,
			    N_ELEMENTS(literal8_tests));
	tcase_add_loop_test(tc, test_imap_parser_utf8_quoted, 0,
			    N_ELEMENTS(utf8_tests));
	tcase_add_test(tc, test_imap_parser_utf8_setter);
	tcase_add_loop_test(tc, test_imap_parser_utf8_literal, 0,
			    N_ELEMENTS(utf8_literal_tests));
	suite_add_tcase(s, tc);
	return s;
}
