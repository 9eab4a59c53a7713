/* Copyright (c) dovecot-like authors. Fuzzes the IMAP command parser the way
   a client connection drives it, whole and in small chunks, under tight and
   generous limits, since every byte of it comes from the network. */
#include "fuzz-common.h"
#include "buffer.h"
#include "ostream.h"
#include "imap-parser.h"

#include <strings.h>

static const struct imap_parser_limits tight_limits = {
	.max_line_length = 200,
	.max_literal_size = 1000,
	.max_list_depth = 3,
	.max_args = 16,
	/* RFC 9051 9: UTF-8 quoted strings checked (ENABLE IMAP4rev2) */
	.utf8_quoted = true,
};
static const struct imap_parser_limits wide_limits = {
	.max_line_length = 65536,
	.max_literal_size = 1024 * 1024,
	.max_list_depth = 100,
	.max_args = 100000,
};

static void check_args(const struct imap_arg *args, unsigned int depth)
{
	const struct imap_arg *list;
	const char *str;
	unsigned int count;

	for (; !IMAP_ARG_IS_EOL(args); args++) {
		switch (args->type) {
		case IMAP_ARG_NIL:
		case IMAP_ARG_ATOM:
		case IMAP_ARG_STRING:
		case IMAP_ARG_LITERAL:
			/* u.str is NUL-terminated after str_len bytes; ASan
			   checks every byte is readable */
			if (args->u.str[args->str_len] != '\0')
				abort();
			if (args->type != IMAP_ARG_LITERAL &&
			    strlen(args->u.str) != args->str_len)
				abort();
			(void)imap_arg_get_astring(args, &str);
			(void)imap_arg_get_atom(args, &str);
			break;
		case IMAP_ARG_LIST:
			if (!imap_arg_get_list(args, &list, &count))
				abort();
			if (depth > 1000)
				abort();
			check_args(list, depth + 1);
			break;
		case IMAP_ARG_LITERAL_SIZE:
			/* only the last top-level arg, in APPEND mode, or the
			   only one of UTF8's list (RFC 6855 4) */
			if (depth > 1 || !IMAP_ARG_IS_EOL(&args[1]))
				abort();
			break;
		case IMAP_ARG_EOL:
			break;
		}
	}
}

/* The arg the parse stopped at, if it was a literal in APPEND mode. */
static const struct imap_arg *stopped_literal(const struct imap_arg *args)
{
	const struct imap_arg *last = NULL, *list;
	unsigned int count;

	for (; !IMAP_ARG_IS_EOL(args); args++)
		last = args;
	/* UTF8 (~{n}...): the literal is the only element of the last list */
	if (last != NULL && imap_arg_get_list(last, &list, &count) &&
	    count == 1 && list[0].type == IMAP_ARG_LITERAL_SIZE)
		return &list[0];
	return last != NULL && last->type == IMAP_ARG_LITERAL_SIZE ? last : NULL;
}

struct conn {
	struct imap_parser *parser;
	unsigned int words;
	bool skipping, dead;
	bool append;		/* the command word was APPEND */
	bool noop;		/* NOOP: imap_parser_ignore_args() */
	uoff_t literal_left;	/* APPEND literal data still to skip */
};

/* Skips APPEND literal data the way cmd-append reads it. Returns false
   while more is needed. */
static bool skip_literal_data(struct conn *conn, struct istream *input)
{
	size_t size;

	(void)istream_get_data(input, &size);
	if (size > conn->literal_left)
		size = (size_t)conn->literal_left;
	istream_skip(input, size);
	conn->literal_left -= size;
	if (conn->literal_left > 0)
		return false;
	imap_parser_literal_data_done(conn->parser);
	return true;
}

/* Parse every command that is complete in the buffer, as a client
   connection would after each read. */
static void process(struct conn *conn, struct istream *input)
{
	const struct imap_arg *args, *lit;
	const char *word;
	int ret;

	while (!conn->dead) {
		if (conn->literal_left > 0 && !skip_literal_data(conn, input))
			return;
		if (conn->skipping) {
			if (!imap_parser_skip_line(conn->parser))
				return;
			conn->skipping = false;
			imap_parser_reset(conn->parser);
			conn->words = 0;
			continue;
		}
		while (conn->words < 2) {
			word = imap_parser_read_word(conn->parser);
			if (word == NULL)
				break;
			if (strlen(word) > 65536)
				abort();
			if (++conn->words == 2) {
				conn->append = strcasecmp(word, "APPEND") == 0;
				if (conn->append)
					imap_parser_enable_literal_size(conn->parser, 1);
				conn->noop = strcasecmp(word, "NOOP") == 0;
			}
		}
		if (imap_parser_get_error(conn->parser, NULL) !=
		    IMAP_PARSER_ERROR_NONE) {
			ret = -1;
		} else if (conn->words < 2) {
			return;
		} else {
			if (conn->noop)
				imap_parser_ignore_args(conn->parser);
			ret = imap_parser_read_args(conn->parser, &args);
			if (ret == 0)
				return;
		}
		if (ret < 0) {
			const char *msg = NULL;

			(void)imap_parser_get_error(conn->parser, &msg);
			if (msg == NULL)
				abort();
			/* as the imap worker: an over-long line is skipped */
			if (imap_parser_error_is_fatal(conn->parser) &&
			    imap_parser_get_error(conn->parser, NULL) !=
			    IMAP_PARSER_ERROR_LINE_TOO_LONG)
				conn->dead = true;
			else
				conn->skipping = true;
			continue;
		}
		check_args(args, 0);
		(void)imap_parser_is_reading_literal(conn->parser);
		lit = conn->append ? stopped_literal(args) : NULL;
		if (lit != NULL) {
			/* bounded so a huge size doesn't swallow the input */
			conn->literal_left = lit->literal_size % 4096;
			if (conn->literal_left == 0)
				imap_parser_literal_data_done(conn->parser);
			continue;
		}
		imap_parser_reset(conn->parser);
		conn->words = 0;
	}
}

static void run(struct istream *input, const struct imap_parser_limits *limits)
{
	struct buf *outbuf = buf_create(system_pool, 64);
	struct ostream *output = ostream_create_buffer(outbuf);
	struct conn conn = { 0 };
	ssize_t ret;

	conn.parser = imap_parser_create(input, output, limits);
	process(&conn, input);
	while (!conn.dead) {
		ret = istream_read(input);
		if (ret <= 0 && ret != -2)
			break;
		process(&conn, input);
		if (ret == -2)
			break;	/* buffer full: the parser had its chance */
	}
	process(&conn, input);
	(void)ostream_flush(output);
	imap_parser_destroy(&conn.parser);
	ostream_unref(&output);
	buf_free(&outbuf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_chunk_input ci;
	struct istream *input;

	fuzz_init();

	/* everything buffered at once */
	input = istream_create_from_data(data, size);
	run(input, &wide_limits);
	istream_unref(&input);

	/* byte by byte, tight limits and a small buffer */
	input = fuzz_istream_create_chunked(&ci, data, size, 1, 256);
	run(input, &tight_limits);
	istream_unref(&input);

	/* odd-sized chunks, generous limits */
	input = fuzz_istream_create_chunked(&ci, data, size, 7, 8192);
	run(input, &wide_limits);
	istream_unref(&input);

	tmp_reset();
	return 0;
}
