/* Copyright (c) dovecot-like authors. rfc822-parser.h: a tokenizer for
   RFC 5322 / RFC 2045 structured header values (atoms, dot-atoms, quoted
   strings, comments, domain literals, MIME tokens) and the Content-Type /
   Content-Disposition parameter lists with RFC 2231 continuations and
   charset decoding. Works on an unfolded or folded value; never reads past
   the given length; NULs are kept out of results (replaced by 0x80). */
#ifndef RFC822_PARSER_H
#define RFC822_PARSER_H

#include "array.h"
#include "str.h"

struct rfc822_parser_context {
	const unsigned char *data, *end;
	/* when non-NULL, the text of the last skipped comment */
	struct str *last_comment;
};

/* Return values of the parse functions: 1 = parsed, more data follows;
   0 = parsed, at end of data; -1 = syntax error. */
void rfc822_parser_init(struct rfc822_parser_context *ctx,
			const unsigned char *data, size_t size,
			struct str *last_comment);
/* Skips whitespace, folding and (nested) comments. */
int rfc822_skip_lwsp(struct rfc822_parser_context *ctx);
/* Appends the token to str (str is not cleared). */
int rfc822_parse_atom(struct rfc822_parser_context *ctx, struct str *str);
int rfc822_parse_dot_atom(struct rfc822_parser_context *ctx, struct str *str);
int rfc822_parse_mime_token(struct rfc822_parser_context *ctx, struct str *str);
/* The unescaped content, without the quotes. */
int rfc822_parse_quoted_string(struct rfc822_parser_context *ctx,
			       struct str *str);
/* word *(word) with single spaces between words. */
int rfc822_parse_phrase(struct rfc822_parser_context *ctx, struct str *str);
/* domain after '@' (dot-atom or [literal]); ctx->data must be at '@'. */
int rfc822_parse_domain(struct rfc822_parser_context *ctx, struct str *str);

/* "type/subtype" of a Content-Type value, as written (caller lowercases or
   uppercases). Stops before the first ';'. */
int rfc822_parse_content_type(struct rfc822_parser_context *ctx,
			      struct str *str);

struct rfc822_param {
	const char *key;	/* lowercased */
	/* the key as written (without the RFC 2231 "*N*" suffixes of
	   continuations): IMAP BODYSTRUCTURE sends it so */
	const char *key_written;
	const char *value;	/* unquoted; RFC 2231 segments joined */
	/* RFC 2231: the parameter was key*= (charset'lang'%xx form); value
	   is then the raw %-encoded text as IMAP BODYSTRUCTURE sends it;
	   rfc822_param_get_decoded() converts it to UTF-8 */
	bool extended;
	const char *charset, *language;
};
typedef ARRAY(struct rfc822_param) ARRAY_TYPE(rfc822_param);

/* Parses "; key=value; key*0=..." parameters until the end of data into
   params (values allocated from pool). Broken parameters are skipped, never
   fatal. Returns the number of parameters. */
unsigned int rfc2231_parse(struct rfc822_parser_context *ctx, struct pool *pool,
			   ARRAY_TYPE(rfc822_param) *params);
/* The value of key (case-insensitive) or NULL; for an extended value the
   UTF-8 text if its charset is known (then from tmp_pool: copy it to
   keep it), else the raw value. */
const char *rfc822_params_get(const ARRAY_TYPE(rfc822_param) *params,
			      const char *key);
/* An extended param's text converted to UTF-8 (invalid sequences become
   U+FFFD), allocated from pool; NULL if the charset is unknown or param
   isn't extended. Opens a charset converter: call only for the values
   that are used. */
const char *rfc822_param_get_decoded(struct pool *pool,
				     const struct rfc822_param *param);

#endif
