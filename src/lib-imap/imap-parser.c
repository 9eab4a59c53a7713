/* Copyright (c) dovecot-like authors. The IMAP argument parser: a resumable
   byte-at-a-time state machine, so commands may arrive in any split and every
   length the client controls is bounded before memory is spent on it. */

#include "lib.h"
#include "str.h"
#include "strfuncs.h"
#include "utf8.h"
#include "istream.h"
#include "ostream.h"
#include "imap-parser.h"

#include <strings.h>

enum imap_parser_state {
	STATE_ARG_START = 0,	/* before an argument, SP, ')' or EOL */
	STATE_ATOM,
	STATE_QUOTED,
	STATE_QUOTED_ESCAPE,
	STATE_TILDE,		/* "~" seen, "{" must follow */
	STATE_LITERAL_SIZE,	/* inside "{...}" */
	STATE_LITERAL_CRLF,	/* "}" seen, CR LF must follow */
	STATE_LITERAL_LF,	/* CR after "}" seen */
	STATE_LITERAL_DATA,
	STATE_AFTER_ARG,	/* after a quoted string or literal */
	STATE_EOL_LF,		/* CR at end of line seen */
	STATE_UTF8_CLOSE,	/* after a UTF8 (~{n}...) literal: ")" */
	STATE_IGNORE,		/* imap_parser_ignore_args(): drop to LF */
	STATE_DONE,
};

struct imap_parser {
	struct istream *input;
	struct ostream *output;
	struct imap_parser_limits limits;
	struct pool *pool;	/* per command, cleared by reset */
	struct str *token;	/* the token being read (system_pool) */

	ARRAY(struct imap_arg) root;
	/* open lists; stack[0] is &root */
	ARRAY(struct imap_arg) **stack;
	unsigned int depth;

	enum imap_parser_state state;
	size_t line_bytes;	/* bytes of this line so far, literals' data
				   included (not literal-size stops') */
	unsigned int arg_count;
	uoff_t literal_size, literal_left;
	bool literal_nonsync, literal8, literal_size_digits;

	unsigned int words_read;
	bool word_done;		/* current word finished (SP seen) */
	bool eol_consumed;	/* the line's LF has been skipped */

	enum imap_parser_error error;
	const char *error_msg;
	bool fatal;
	/* imap_parser_enable_literal_size() */
	bool literal_size_mode, literal_stopped;
	/* the stop literal was UTF8's (RFC 6855 4): ")" must follow its data */
	bool utf8_stopped;
	unsigned int literal_size_first_arg;
};

static void imap_parser_init_root(struct imap_parser *parser)
{
	array_init(&parser->root, parser->pool, 8);
	parser->stack = pool_new(parser->pool, __typeof__(*parser->stack),
				 parser->limits.max_list_depth + 1);
	parser->stack[0] = (void *)&parser->root;
	parser->depth = 0;
}

struct imap_parser *imap_parser_create(struct istream *input, struct ostream *output,
				       const struct imap_parser_limits *limits)
{
	struct imap_parser *parser;

	parser = pool_new(system_pool, struct imap_parser, 1);
	parser->input = input;
	parser->output = output;
	parser->limits = *limits;
	if (parser->limits.max_list_depth == 0)
		parser->limits.max_list_depth = 1;
	parser->pool = pool_create("imap parser", 1024, 0);
	parser->token = str_new(system_pool, 128);
	istream_ref(input);
	if (output != NULL)
		ostream_ref(output);
	imap_parser_init_root(parser);
	return parser;
}

void imap_parser_set_utf8_quoted(struct imap_parser *parser, bool enabled)
{
	parser->limits.utf8_quoted = enabled;
}

void imap_parser_destroy(struct imap_parser **_parser)
{
	struct imap_parser *parser = *_parser;

	if (parser == NULL)
		return;
	*_parser = NULL;
	istream_unref(&parser->input);
	ostream_unref(&parser->output);
	str_free(&parser->token);
	pool_unref(&parser->pool);
	p_free(system_pool, parser);
}

void imap_parser_reset(struct imap_parser *parser)
{
	pool_clear(parser->pool);
	imap_parser_init_root(parser);
	str_reset(parser->token);
	parser->state = STATE_ARG_START;
	parser->line_bytes = 0;
	parser->arg_count = 0;
	parser->literal_size = parser->literal_left = 0;
	parser->literal_nonsync = parser->literal8 = false;
	parser->literal_size_digits = false;
	parser->words_read = 0;
	parser->word_done = false;
	parser->eol_consumed = false;
	parser->error = IMAP_PARSER_ERROR_NONE;
	parser->error_msg = NULL;
	parser->fatal = false;
	parser->literal_size_mode = parser->literal_stopped = false;
	parser->utf8_stopped = false;
}

void imap_parser_ignore_args(struct imap_parser *parser)
{
	/* called again on each input: only the first call, before any
	   argument byte, switches */
	if (parser->state == STATE_ARG_START && parser->arg_count == 0 &&
	    parser->depth == 0)
		parser->state = STATE_IGNORE;
}

void imap_parser_enable_literal_size(struct imap_parser *parser,
				     unsigned int first_arg)
{
	parser->literal_size_mode = true;
	parser->literal_size_first_arg = first_arg;
}

/* RFC 6855 4: utf8-literal = "UTF8" SP "(" literal8 ")": is a literal8
   starting now the first element of a list right after the atom UTF8? */
static bool imap_parser_utf8_literal_stops(const struct imap_parser *parser)
{
	const struct imap_arg *args;
	unsigned int count;

	if (!parser->literal8 || parser->depth != 1 ||
	    array_count(parser->stack[1]) != 0)
		return false;
	args = array_get(&parser->root, &count);
	/* args[count - 1] is the open list */
	return count >= 2 && count - 2 >= parser->literal_size_first_arg &&
		args[count - 2].type == IMAP_ARG_ATOM &&
		args[count - 2].str_len == 4 &&
		strcasecmp(args[count - 2].u.str, "UTF8") == 0;
}

/* Does a literal starting now stop the parse? */
static bool imap_parser_literal_stops(const struct imap_parser *parser)
{
	if (!parser->literal_size_mode)
		return false;
	if (parser->depth == 0)
		return array_count(&parser->root) >= parser->literal_size_first_arg;
	return imap_parser_utf8_literal_stops(parser);
}

void imap_parser_literal_data_done(struct imap_parser *parser)
{
	ASSERT(parser->literal_stopped);
	imap_parser_init_root(parser);
	str_reset(parser->token);
	parser->arg_count = 0;
	parser->literal_size = parser->literal_left = 0;
	parser->literal_nonsync = parser->literal8 = false;
	parser->literal_size_digits = false;
	parser->literal_stopped = false;
	parser->literal_size_first_arg = 0;
	parser->state = parser->utf8_stopped ? STATE_UTF8_CLOSE : STATE_AFTER_ARG;
	parser->utf8_stopped = false;
}

static void imap_parser_set_error(struct imap_parser *parser,
				  enum imap_parser_error error, const char *msg)
{
	if (parser->error != IMAP_PARSER_ERROR_NONE)
		return;
	parser->error = error;
	parser->error_msg = msg;
	if (error == IMAP_PARSER_ERROR_LINE_TOO_LONG)
		parser->fatal = true;
}

enum imap_parser_error imap_parser_get_error(struct imap_parser *parser,
					     const char **msg_r)
{
	if (msg_r != NULL)
		*msg_r = parser->error_msg;
	return parser->error;
}

bool imap_parser_error_is_fatal(const struct imap_parser *parser)
{
	return parser->fatal;
}

/* Bytes a command may put in an atom: ATOM-CHAR plus the list wildcards,
   "\" (flags), "]" (BODY[]) and 8-bit (UTF-8 in RFC 9051). */
static bool imap_parser_is_atom_char(unsigned char c)
{
	if (c <= 0x20 || c == 0x7f)
		return false;
	return c != '(' && c != ')' && c != '{' && c != '"';
}

/* Is an atom or quoted string being read? */
static bool imap_parser_in_token(const struct imap_parser *parser)
{
	return parser->state == STATE_ATOM || parser->state == STATE_QUOTED ||
		parser->state == STATE_QUOTED_ESCAPE;
}

/* Count a non-literal byte against the line limit. Returns false when the
   limit is exceeded; the byte is then left unconsumed. As in Dovecot, one
   atom or quoted string over the limit is "Too long argument", while a line
   of smaller arguments over it is "IMAP command line too large", found
   once the argument that crossed the limit ends (not at all when it ends
   the line: see imap_parser_is_line_end()). Either way the token kept in
   memory stays within the limit. */
static bool imap_parser_count_byte(struct imap_parser *parser)
{
	if (++parser->line_bytes <= parser->limits.max_line_length)
		return true;
	if (imap_parser_in_token(parser) &&
	    str_len(parser->token) < parser->limits.max_line_length)
		return true;
	imap_parser_set_error(parser, IMAP_PARSER_ERROR_LINE_TOO_LONG,
			      imap_parser_in_token(parser) ?
			      "Too long argument" :
			      "IMAP command line too large");
	return false;
}

/* The line's own CR LF is not counted: a line whose last argument (atom or
   literal) just fits is complete. */
static bool imap_parser_is_line_end(const struct imap_parser *parser,
				    unsigned char c)
{
	if (c != '\r' && c != '\n')
		return false;
	return parser->state == STATE_ARG_START || parser->state == STATE_ATOM ||
		parser->state == STATE_AFTER_ARG || parser->state == STATE_EOL_LF;
}

/* Counts a byte of the tag or command name. */
static bool imap_parser_count_word_byte(struct imap_parser *parser)
{
	if (++parser->line_bytes <= parser->limits.max_line_length)
		return true;
	imap_parser_set_error(parser, IMAP_PARSER_ERROR_LINE_TOO_LONG,
			      "Too long argument");
	return false;
}

const char *imap_parser_read_word(struct imap_parser *parser)
{
	const unsigned char *data;
	size_t size, i;
	const char *word;

	if (parser->error != IMAP_PARSER_ERROR_NONE)
		return NULL;

	data = istream_get_data(parser->input, &size);
	for (i = 0; i < size; i++) {
		if (data[i] == ' ' || data[i] == '\r' || data[i] == '\n')
			break;
		if (!imap_parser_count_word_byte(parser))
			goto consumed;
		if (!imap_parser_is_atom_char(data[i]) || data[i] == '\\') {
			imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
				data[i] == '\0' ? "NUL in command" :
				"Invalid characters in command");
			goto consumed;
		}
	}
	str_append_n(parser->token, data, i);
	if (i == size) {
		istream_skip(parser->input, i);
		return NULL;
	}
	if (data[i] == ' ') {
		/* RFC 3501 9: exactly one SP; it belongs to the word */
		i++;
		if (!imap_parser_count_word_byte(parser)) {
			i--;
			goto consumed;
		}
	}
	istream_skip(parser->input, i);
	word = p_strndup(parser->pool, str_data(parser->token),
			 str_len(parser->token));
	str_reset(parser->token);
	parser->words_read++;
	return word;
consumed:
	istream_skip(parser->input, i);
	return NULL;
}

static struct imap_arg *imap_parser_new_arg(struct imap_parser *parser)
{
	if (parser->arg_count >= parser->limits.max_args) {
		imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
				      "Too many arguments");
		return NULL;
	}
	parser->arg_count++;
	return array_append_space(parser->stack[parser->depth]);
}

static bool imap_parser_finish_token(struct imap_parser *parser,
				     enum imap_arg_type type)
{
	struct imap_arg *arg;
	char *str;
	size_t len = str_len(parser->token);

	if ((arg = imap_parser_new_arg(parser)) == NULL)
		return false;
	/* literals may hold NULs: copy by length */
	str = p_malloc(parser->pool, len + 1);
	memcpy(str, str_data(parser->token), len);
	if (type == IMAP_ARG_ATOM && len == 3 && strcasecmp(str, "NIL") == 0)
		type = IMAP_ARG_NIL;
	arg->type = type;
	arg->literal8 = type == IMAP_ARG_LITERAL && parser->literal8;
	arg->str_len = len;
	arg->u.str = str;
	str_reset(parser->token);
	return true;
}

/* RFC 9051 9: with UTF-8 quoted strings, QUOTED-CHAR's 8-bit forms are
   UTF8-2 / UTF8-3 / UTF8-4 only; checked once the closing quote is seen
   (the token holds the unescaped bytes; escapes are ASCII). */
static bool imap_parser_quoted_valid(struct imap_parser *parser)
{
	const unsigned char *data = str_data(parser->token);
	size_t len = str_len(parser->token), i = 0;
	unsigned int n;
	uint32_t cp;

	if (!parser->limits.utf8_quoted)
		return true;
	while (i < len) {
		if (data[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_get_char_n(data + i, len - i, &cp);
		if (n == 0) {
			imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
					      "Invalid UTF-8 in quoted string");
			return false;
		}
		i += n;
	}
	return true;
}

static bool imap_parser_open_list(struct imap_parser *parser)
{
	struct imap_arg *arg;

	if (parser->depth >= parser->limits.max_list_depth) {
		imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
				      "Too deep list nesting");
		return false;
	}
	if ((arg = imap_parser_new_arg(parser)) == NULL)
		return false;
	arg->type = IMAP_ARG_LIST;
	array_init(&arg->u.list, parser->pool, 4);
	/* The parent is not appended to while this list is open, so the
	   pointer into its array stays valid. */
	parser->stack[++parser->depth] = (void *)&arg->u.list;
	return true;
}

static void imap_parser_close_list(struct imap_parser *parser)
{
	struct imap_arg *eol;

	eol = array_append_space(parser->stack[parser->depth]);
	eol->type = IMAP_ARG_EOL;
	parser->depth--;
}

/* A top-level literal in literal-size mode: an arg with its size, and the
   parse stops before the data. */
static bool imap_parser_literal_stop(struct imap_parser *parser)
{
	struct imap_arg *arg;

	if ((arg = imap_parser_new_arg(parser)) == NULL)
		return false;
	arg->type = IMAP_ARG_LITERAL_SIZE;
	arg->literal8 = parser->literal8;
	arg->literal_nonsync = parser->literal_nonsync;
	arg->literal_size = parser->literal_size;
	arg->u.str = "";
	parser->literal_stopped = true;
	parser->state = STATE_DONE;
	if (parser->depth > 0) {
		/* UTF8's list: closed here, its ")" is read after the data */
		imap_parser_close_list(parser);
		parser->utf8_stopped = true;
	}
	return true;
}

static bool imap_parser_literal_start(struct imap_parser *parser)
{
	if (imap_parser_literal_stops(parser))
		return imap_parser_literal_stop(parser);
	/* RFC 3501 7.5: a synchronizing literal needs our go-ahead;
	   RFC 7888: "{n+}" does not. */
	if (!parser->literal_nonsync && parser->output != NULL)
		ostream_send_str(parser->output, "+ OK\r\n");
	parser->literal_left = parser->literal_size;
	parser->state = STATE_LITERAL_DATA;
	if (parser->literal_size == 0) {
		if (!imap_parser_finish_token(parser, IMAP_ARG_LITERAL))
			return false;
		parser->state = STATE_AFTER_ARG;
	}
	return true;
}

/* As Dovecot, a literal the parser keeps counts toward the line: it may
   not be bigger than what is left of max_line_length either. */
static bool imap_parser_literal_too_big(const struct imap_parser *parser)
{
	size_t used = MIN(parser->line_bytes, parser->limits.max_line_length);

	return parser->literal_size > parser->limits.max_literal_size ||
		parser->literal_size > parser->limits.max_line_length - used;
}

/* Consumes literal bytes directly from data. Returns bytes used. */
static size_t imap_parser_literal_data(struct imap_parser *parser,
				       const unsigned char *data, size_t size)
{
	size_t n = size;

	if (n > parser->literal_left)
		n = (size_t)parser->literal_left;
	/* buf_append: str_append_n() would stop at a NUL */
	(void)buf_append(&parser->token->buf, data, n);
	parser->literal_left -= n;
	parser->line_bytes += n;
	if (parser->literal_left == 0) {
		if (imap_parser_finish_token(parser, IMAP_ARG_LITERAL))
			parser->state = STATE_AFTER_ARG;
	}
	return n;
}

/* One byte of the line (not literal data). Returns false on error. Sets
   *consume = false to leave the byte unconsumed (EOL at an error, so
   imap_parser_skip_line() still finds it). */
static bool imap_parser_byte(struct imap_parser *parser, unsigned char c,
			     bool *consume)
{
	switch (parser->state) {
	case STATE_AFTER_ARG:
		/* after a string or literal: SP, ')' or EOL */
		if (c != ' ' && c != ')' && c != '\r' && c != '\n') {
			*consume = false;
			imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
					      "Missing space after argument");
			return false;
		}
		parser->state = STATE_ARG_START;
		/* fall through */
	case STATE_ARG_START:
		switch (c) {
		case ' ':
			return true;
		case '\r':
		case '\n':
			if (parser->depth > 0) {
				*consume = false;
				imap_parser_set_error(parser,
					IMAP_PARSER_ERROR_BAD_SYNTAX,
					"Missing ')'");
				return false;
			}
			parser->state = c == '\r' ? STATE_EOL_LF : STATE_DONE;
			return true;
		case '(':
			return imap_parser_open_list(parser);
		case ')':
			if (parser->depth == 0) {
				imap_parser_set_error(parser,
					IMAP_PARSER_ERROR_BAD_SYNTAX,
					"Unexpected ')'");
				return false;
			}
			imap_parser_close_list(parser);
			/* An atom may follow directly: BODY[HEADER.FIELDS (A)]
			   parses as ATOM, LIST, ATOM "]". */
			return true;
		case '"':
			parser->state = STATE_QUOTED;
			return true;
		case '~':
			parser->literal8 = true;
			parser->state = STATE_TILDE;
			return true;
		case '{':
			parser->literal8 = false;
			goto literal;
		}
		if (!imap_parser_is_atom_char(c))
			goto bad_atom;
		str_append_c(parser->token, (char)c);
		parser->state = STATE_ATOM;
		return true;
	case STATE_ATOM:
		if (c == ' ' || c == ')' || c == '\r' || c == '\n') {
			if (!imap_parser_finish_token(parser, IMAP_ARG_ATOM))
				return false;
			parser->state = STATE_ARG_START;
			return imap_parser_byte(parser, c, consume);
		}
		if (!imap_parser_is_atom_char(c))
			goto bad_atom;
		str_append_c(parser->token, (char)c);
		return true;
	case STATE_QUOTED:
		if (c == '"') {
			if (!imap_parser_quoted_valid(parser))
				return false;
			if (!imap_parser_finish_token(parser, IMAP_ARG_STRING))
				return false;
			parser->state = STATE_AFTER_ARG;
			return true;
		}
		if (c == '\\') {
			parser->state = STATE_QUOTED_ESCAPE;
			return true;
		}
		if (c == '\r' || c == '\n' || c == '\0') {
			*consume = c == '\0';
			imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
				c == '\0' ? "NUL in quoted string" :
				"Missing '\"'");
			return false;
		}
		str_append_c(parser->token, (char)c);
		return true;
	case STATE_QUOTED_ESCAPE:
		/* RFC 3501 9: quoted-specials only */
		if (c != '"' && c != '\\') {
			*consume = c != '\r' && c != '\n';
			imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
					      "Invalid escape in quoted string");
			return false;
		}
		str_append_c(parser->token, (char)c);
		parser->state = STATE_QUOTED;
		return true;
	case STATE_TILDE:
		if (c != '{') {
			*consume = c != '\r' && c != '\n';
			imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
					      "Expected '{' after '~'");
			return false;
		}
		if (!imap_parser_literal_stops(parser)) {
			/* RFC 3516 4.4: only APPEND's message data (the
			   literal-size mode's stop literal); the data is then
			   skipped as lines, as Dovecot does */
			imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
					      "literal8 not allowed here");
			return false;
		}
		goto literal;
	case STATE_LITERAL_SIZE:
		if (c >= '0' && c <= '9' && !parser->literal_nonsync) {
			uoff_t digit = (uoff_t)(c - '0');

			if (parser->literal_size > (UINT64_MAX - digit) / 10)
				parser->literal_size = UINT64_MAX;
			else
				parser->literal_size = parser->literal_size * 10 + digit;
			parser->literal_size_digits = true;
			return true;
		}
		if (c == '+' && parser->literal_size_digits &&
		    !parser->literal_nonsync) {
			parser->literal_nonsync = true;
			return true;
		}
		if (c != '}' || !parser->literal_size_digits) {
			*consume = c != '\r' && c != '\n';
			imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
					      "Invalid literal size");
			return false;
		}
		if (imap_parser_literal_too_big(parser) &&
		    !imap_parser_literal_stops(parser)) {
			imap_parser_set_error(parser,
				IMAP_PARSER_ERROR_LITERAL_TOO_BIG,
				"Literal too big");
			/* the data of a non-synchronizing literal is on its
			   way and cannot be told from commands */
			if (parser->literal_nonsync)
				parser->fatal = true;
			return false;
		}
		parser->state = STATE_LITERAL_CRLF;
		return true;
	case STATE_LITERAL_CRLF:
		if (c == '\r') {
			parser->state = STATE_LITERAL_LF;
			return true;
		}
		/* fall through */
	case STATE_LITERAL_LF:
		if (c != '\n') {
			*consume = c != '\r';
			imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
					      "Missing CRLF after literal size");
			return false;
		}
		return imap_parser_literal_start(parser);
	case STATE_UTF8_CLOSE:
		if (c != ')') {
			*consume = c != '\r' && c != '\n';
			imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
					      "Missing ')' after UTF8 literal8");
			return false;
		}
		parser->state = STATE_AFTER_ARG;
		return true;
	case STATE_EOL_LF:
		if (c != '\n') {
			*consume = false;
			imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
					      "CR without LF");
			return false;
		}
		parser->state = STATE_DONE;
		return true;
	case STATE_LITERAL_DATA:
	case STATE_IGNORE:
	case STATE_DONE:
		break;
	}
	panic("imap_parser_byte(): state %d", parser->state);
literal:
	parser->literal_size = 0;
	parser->literal_nonsync = false;
	parser->literal_size_digits = false;
	parser->state = STATE_LITERAL_SIZE;
	return true;
bad_atom:
	imap_parser_set_error(parser, IMAP_PARSER_ERROR_BAD_SYNTAX,
			      c == '\0' ? "NUL in atom" :
			      "Invalid characters in atom");
	return false;
}

/* STATE_IGNORE: discard the line as it arrives; at its LF the command gets
   no arguments. */
static int imap_parser_read_ignored(struct imap_parser *parser,
				    const unsigned char *data, size_t size,
				    const struct imap_arg **args_r)
{
	const unsigned char *lf = memchr(data, '\n', size);
	struct imap_arg *eol;

	if (lf == NULL) {
		istream_skip(parser->input, size);
		return 0;
	}
	istream_skip(parser->input, (size_t)(lf - data) + 1);
	parser->state = STATE_DONE;
	parser->eol_consumed = true;
	eol = array_append_space(&parser->root);
	eol->type = IMAP_ARG_EOL;
	*args_r = array_front(&parser->root);
	return 1;
}

int imap_parser_read_args(struct imap_parser *parser, const struct imap_arg **args_r)
{
	const unsigned char *data;
	size_t size, i = 0;
	struct imap_arg *eol;
	bool consume;

	*args_r = NULL;
	if (parser->error != IMAP_PARSER_ERROR_NONE)
		return -1;
	if (parser->state == STATE_DONE) {
		*args_r = array_front(&parser->root);
		return 1;
	}

	data = istream_get_data(parser->input, &size);
	if (parser->state == STATE_IGNORE)
		return imap_parser_read_ignored(parser, data, size, args_r);
	while (i < size) {
		if (parser->state == STATE_LITERAL_DATA) {
			i += imap_parser_literal_data(parser, data + i, size - i);
			if (parser->error != IMAP_PARSER_ERROR_NONE)
				break;
			continue;
		}
		consume = true;
		if (!imap_parser_is_line_end(parser, data[i]) &&
		    !imap_parser_count_byte(parser))
			break;
		if (!imap_parser_byte(parser, data[i], &consume)) {
			if (consume)
				i++;
			break;
		}
		i++;
		if (parser->state == STATE_DONE)
			break;
	}
	if (parser->state == STATE_DONE && parser->error == IMAP_PARSER_ERROR_NONE) {
		/* a stop before literal data: the line goes on after it */
		parser->eol_consumed = !parser->literal_stopped;
		eol = array_append_space(&parser->root);
		eol->type = IMAP_ARG_EOL;
		*args_r = array_front(&parser->root);
	}
	istream_skip(parser->input, i);
	if (parser->error != IMAP_PARSER_ERROR_NONE)
		return -1;
	return *args_r != NULL ? 1 : 0;
}

bool imap_parser_skip_line(struct imap_parser *parser)
{
	const unsigned char *data, *lf;
	size_t size;

	if (parser->eol_consumed ||
	    (parser->state == STATE_DONE && !parser->literal_stopped))
		return true;
	data = istream_get_data(parser->input, &size);
	lf = memchr(data, '\n', size);
	if (lf == NULL) {
		istream_skip(parser->input, size);
		return false;
	}
	istream_skip(parser->input, (size_t)(lf - data) + 1);
	parser->eol_consumed = true;
	return true;
}

bool imap_parser_is_reading_literal(const struct imap_parser *parser)
{
	return parser->state == STATE_LITERAL_DATA ||
		parser->state == STATE_LITERAL_CRLF ||
		parser->state == STATE_LITERAL_LF;
}

bool imap_arg_get_astring(const struct imap_arg *arg, const char **str_r)
{
	/* NIL is a valid astring atom (RFC 3501 9: astring); a literal8
	   is no string (RFC 3516 4.4: it is only APPEND's message data) */
	if (arg->type != IMAP_ARG_ATOM && arg->type != IMAP_ARG_STRING &&
	    arg->type != IMAP_ARG_LITERAL && arg->type != IMAP_ARG_NIL)
		return false;
	if (arg->literal8)
		return false;
	*str_r = arg->u.str;
	return true;
}

bool imap_arg_get_atom(const struct imap_arg *arg, const char **str_r)
{
	if (arg->type != IMAP_ARG_ATOM && arg->type != IMAP_ARG_NIL)
		return false;
	*str_r = arg->u.str;
	return true;
}

bool imap_arg_get_modseq(const struct imap_arg *arg, uint64_t *modseq_r)
{
	const char *str;

	return imap_arg_get_atom(arg, &str) &&
		str_to_uint64(str, modseq_r) == 0 && *modseq_r <= INT64_MAX;
}

bool imap_arg_get_list(const struct imap_arg *arg, const struct imap_arg **list_r,
		       unsigned int *count_r)
{
	if (arg->type != IMAP_ARG_LIST)
		return false;
	*list_r = array_front(&arg->u.list);
	/* the list's own EOL is not counted */
	*count_r = array_count(&arg->u.list) - 1;
	return true;
}
