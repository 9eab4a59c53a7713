/* Copyright (c) dovecot-like authors. imap-parser.h: incremental IMAP command
   argument parser (RFC 3501 9 / RFC 9051 9) over an istream: atoms, quoted
   strings, literals {n} / {n+} (LITERAL+) / ~{n} (literal8), lists ( ), NIL.
   Bounded: line length, literal size, list depth, argument count are limits the
   caller passes from settings. */
#ifndef IMAP_PARSER_H
#define IMAP_PARSER_H

#include "array.h"

struct istream;
struct ostream;

enum imap_arg_type {
	IMAP_ARG_NIL, IMAP_ARG_ATOM, IMAP_ARG_STRING, IMAP_ARG_LITERAL,
	IMAP_ARG_LIST, IMAP_ARG_EOL,
	/* imap_parser_enable_literal_size(): a literal whose data is not read */
	IMAP_ARG_LITERAL_SIZE,
};

struct imap_arg {
	enum imap_arg_type type;
	bool literal8;
	bool literal_nonsync;	/* LITERAL_SIZE: {n+}, no "+ OK" wanted */
	uoff_t literal_size;	/* LITERAL_SIZE: its data's length */
	size_t str_len;		/* for ATOM/STRING/LITERAL */
	union {
		const char *str;	/* NUL-terminated, may contain NUL for literals */
		ARRAY(struct imap_arg) list;	/* ends with an EOL arg */
	} u;
};

struct imap_parser_limits {
	size_t max_line_length;		/* imap_max_line_length */
	uoff_t max_literal_size;	/* bigger literal: error */
	unsigned int max_list_depth;
	unsigned int max_args;
	/* RFC 9051 9 / RFC 6855 3: quoted strings are UTF-8 (ENABLE
	   IMAP4rev2 or UTF8=ACCEPT); their 8-bit bytes must then form valid
	   UTF-8 (no overlong forms, surrogates, > U+10FFFF). Off: 8-bit bytes
	   pass unchecked, as before (and as Dovecot 2.3). */
	bool utf8_quoted;
};

enum imap_parser_error {
	IMAP_PARSER_ERROR_NONE = 0,
	IMAP_PARSER_ERROR_BAD_SYNTAX,	/* reply BAD, skip rest of line */
	/* over max_line_length: "Too long argument" (one atom, quoted
	   string, tag or command name) or "IMAP command line too large"
	   (many arguments). imap_parser_skip_line() then discards the rest
	   of the line as it arrives, so a caller may reply BAD and go on
	   (imap) or disconnect (login: error_is_fatal() is TRUE for it). */
	IMAP_PARSER_ERROR_LINE_TOO_LONG,
	IMAP_PARSER_ERROR_LITERAL_TOO_BIG,	/* reply BAD/NO [TOOBIG] */
};

struct imap_parser;

/* output: where "+ OK" continuation requests for synchronizing literals are
   written (NULL = never send them, e.g. tests). */
struct imap_parser *imap_parser_create(struct istream *input, struct ostream *output,
				       const struct imap_parser_limits *limits);
void imap_parser_destroy(struct imap_parser **parser);
/* Forget the current command's state (after a reply), keeping the stream. */
void imap_parser_reset(struct imap_parser *parser);

/* Reads the tag and command name first with imap_parser_read_word(): returns
   the word (tmp-free: valid until reset), or NULL if more input is needed;
   *error_r set on failure. Then imap_parser_read_args() parses the rest of
   the line: 1 = done (*args_r ends with an IMAP_ARG_EOL), 0 = need more input
   (call again after the next read), -1 = error (imap_parser_get_error()). */
const char *imap_parser_read_word(struct imap_parser *parser);
int imap_parser_read_args(struct imap_parser *parser, const struct imap_arg **args_r);
enum imap_parser_error imap_parser_get_error(struct imap_parser *parser,
					     const char **msg_r);
/* Skip the rest of the current line after an error (returns true when the
   line end was reached, false if more input is needed). */
bool imap_parser_skip_line(struct imap_parser *parser);
/* Added: TRUE when the error leaves the stream unusable and the caller must
   disconnect: a line over max_line_length, or a too big non-synchronizing
   literal {n+} (its data is already on the way). */
bool imap_parser_error_is_fatal(const struct imap_parser *parser);
/* Added: TRUE while inside a literal (its header or data), e.g. to keep a
   client's idle timer from firing in the middle of an upload. */
bool imap_parser_is_reading_literal(const struct imap_parser *parser);

/* For this command only (until reset): a literal at the top level (from
   the first_arg'th argument on: APPEND's mailbox name may be a literal) ends
   imap_parser_read_args() with an IMAP_ARG_LITERAL_SIZE arg before the EOL,
   without sending "+ OK" and without reading the data (APPEND streams it
   to storage; max_literal_size doesn't apply). The caller reads exactly
   literal_size bytes from the stream itself, then calls
   imap_parser_literal_data_done() and imap_parser_read_args() again for
   the rest of the line (a fresh argument list; earlier args stay valid
   until reset). */
void imap_parser_enable_literal_size(struct imap_parser *parser,
				     unsigned int first_arg);
void imap_parser_literal_data_done(struct imap_parser *parser);

/* For this command only (until reset), right after the command name: the
   rest of the line is not parsed (NOOP, as in Dovecot): read_args()
   discards bytes as they arrive and at the line's LF returns 1 with only an
   IMAP_ARG_EOL. No limit applies and no literal is recognised. Call it
   before each read_args() of the command (it does nothing once the
   parse has moved on). */
void imap_parser_ignore_args(struct imap_parser *parser);

/* Switch limits.utf8_quoted from the next quoted string on (ENABLE sets it
   for the following commands). */
void imap_parser_set_utf8_quoted(struct imap_parser *parser, bool enabled);

/* Behaviour notes:
   - The parser never reads the stream itself: it parses what is buffered,
     skipping what it consumed; call again after istream_read().
   - read_word() ends a word at SP (consumed) or CR/LF (left for read_args),
     so it may return "" (empty line, or a tag without a command). Returns
     NULL with an error set on NUL or atom-specials in the word.
   - The atom NIL becomes IMAP_ARG_NIL with str "NIL" (original case);
     imap_arg_get_astring() and _get_atom() accept it.
   - An atom may follow ')' directly: BODY[HEADER.FIELDS (A B)] parses as
     ATOM "BODY[HEADER.FIELDS", LIST (A B), ATOM "]".
   - Quoted strings allow only \\ and \" escapes; NUL, CR, LF in them are
     errors, and so is invalid UTF-8 when limits.utf8_quoted is set. Literal data may contain any byte; u.str is NUL-terminated
     after str_len bytes.
   - literal8 "~{n}" is accepted only as the literal that stops the parse
     in literal-size mode (APPEND's message, RFC 3516 4.4); anywhere else
     it is a BAD_SYNTAX error "literal8 not allowed here".
   - In literal-size mode a literal8 that is the first element of a list
     right after the atom UTF8 (RFC 6855 4: "UTF8 (~{n}...)") stops the
     parse too: the args end with ATOM "UTF8", LIST (LITERAL_SIZE) (the
     list already closed), EOL. After imap_parser_literal_data_done() the
     next byte must be ")" (else BAD "Missing ')' after UTF8 literal8"),
     then SP, ")" or EOL as after any argument. Whether UTF8 is allowed
     (ENABLE UTF8=ACCEPT) is the caller's decision.
   - max_line_length counts every byte of the command, words and the data
     of literals included (not literal-size stops'): a literal bigger than
     what is left of it is LITERAL_TOO_BIG, as in Dovecot; max_args counts
     every argument, list members included. */

/* Helpers over parsed args. A literal8 is not an astring. */
bool imap_arg_get_astring(const struct imap_arg *arg, const char **str_r);
bool imap_arg_get_atom(const struct imap_arg *arg, const char **str_r);
/* An atom holding a mod-sequence-valzer (RFC 7162: 0 .. 2^63-1). */
bool imap_arg_get_modseq(const struct imap_arg *arg, uint64_t *modseq_r);
bool imap_arg_get_list(const struct imap_arg *arg, const struct imap_arg **list_r,
		       unsigned int *count_r);
#define IMAP_ARG_IS_EOL(arg) ((arg)->type == IMAP_ARG_EOL)

#endif
