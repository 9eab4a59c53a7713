/* Copyright (c) dovecot-like authors. Fuzzes the SEARCH key builder the way
   a connection drives it: the input is "t SEARCH " plus the fuzzer's bytes,
   parsed by imap_parser, then given to mail_search_build() with no charset
   and with ISO-8859-1. Never crashes, hangs or leaks; a built tree is
   never deeper than MAIL_SEARCH_MAX_DEPTH allows and its strings are valid
   C strings. */
#include "fuzz-common.h"
#include "imap-parser.h"
#include "mail-search-build.h"

#include <string.h>

static const struct imap_parser_limits limits = {
	.max_line_length = 65536,
	.max_literal_size = 65536,
	.max_list_depth = 1000,	/* more than the builder allows */
	.max_args = 100000,
};

static void check_tree(const struct mail_search_arg *arg, unsigned int depth)
{
	/* the root's keys are at depth 1; a list, NOT and OR each add one
	   level and the builder refuses a key at its depth
	   MAIL_SEARCH_MAX_DEPTH, so keys sit at depth <= MAIL_SEARCH_MAX_DEPTH;
	   NEW (a SUB of RECENT UNSEEN) adds one more */
	if (depth > MAIL_SEARCH_MAX_DEPTH + 1)
		abort();
	for (; arg != NULL; arg = arg->next) {
		switch (arg->type) {
		case SEARCH_SUB:
		case SEARCH_OR:
			if (arg->value.subargs == NULL)
				abort();
			check_tree(arg->value.subargs, depth + 1);
			break;
		case SEARCH_HEADER:
			if (arg->hdr_field == NULL)
				abort();
			/* fall through */
		case SEARCH_BODY:
		case SEARCH_TEXT:
		case SEARCH_KEYWORD:
			(void)strlen(arg->value.str);
			break;
		case SEARCH_SEQSET:
		case SEARCH_UIDSET:
			if (arg->seqset_str == NULL)
				abort();
			break;
		default:
			break;
		}
	}
}

static void build_one(const struct imap_arg *args, const char *charset)
{
	struct pool *pool = pool_create("fuzz search", 1024, 0);
	struct mail_search_arg *tree;
	const char *error;

	if (mail_search_build(pool, args, charset, &tree, &error) ==
	    MAIL_SEARCH_BUILD_OK) {
		if (tree == NULL || tree->type != SEARCH_SUB)
			abort();
		check_tree(tree, 0);
	} else if (error == NULL || tree != NULL) {
		abort();
	}
	pool_unref(&pool);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "t SEARCH ";
	char *line = malloc(sizeof(prefix) - 1 + size + 2);
	struct istream *input;
	struct imap_parser *parser;
	const struct imap_arg *args;
	size_t len;

	fuzz_init();
	if (line == NULL)
		abort();
	memcpy(line, prefix, sizeof(prefix) - 1);
	memcpy(line + sizeof(prefix) - 1, data, size);
	len = sizeof(prefix) - 1 + size;
	memcpy(line + len, "\r\n", 2);
	len += 2;
	input = istream_create_from_data(line, len);
	parser = imap_parser_create(input, NULL, &limits);
	(void)istream_read(input);
	if (imap_parser_read_word(parser) != NULL &&
	    imap_parser_read_word(parser) != NULL &&
	    imap_parser_read_args(parser, &args) == 1) {
		build_one(args, NULL);
		build_one(args, "ISO-8859-1");
	}
	imap_parser_destroy(&parser);
	istream_unref(&input);
	free(line);
	tmp_reset();
	return 0;
}
