/* Copyright (c) dovecot-like authors. message-decoder.h: turns the blocks
   message-parser yields into searchable UTF-8 text. Header values are
   unfolded and RFC 2047 decoded; body blocks of text parts (text/ or no
   Content-Type) have their Content-Transfer-Encoding (base64,
   quoted-printable) undone and their charset converted to UTF-8, with
   state kept across blocks. Like Dovecot's search, the bodies of non-text
   parts (images, application/, multipart preambles) give no text; the
   headers of every part (including message/rfc822 ones) do. Unknown
   charsets are read as UTF-8. Output is always valid UTF-8 without NULs;
   memory is bounded by the parser's block size. */
#ifndef MESSAGE_DECODER_H
#define MESSAGE_DECODER_H

#include "message-parser.h"

struct message_decoder_context;

/* The longest Content-Type value looked at for the charset. */
#define MESSAGE_DECODER_MAX_CONTENT_TYPE 1024

struct message_decoder_context *message_decoder_init(void);
void message_decoder_deinit(struct message_decoder_context **ctx);

/* Decodes one parser block. Returns true with *output set when there is
   something for the caller:
   - a complete header field: output->hdr = input->hdr (on its last line),
     output->data/size its unfolded, decoded UTF-8 value;
   - the end of a part's header (hdr->eoh, or hdr NULL with size 0): passed
     through with size 0;
   - body text: hdr NULL, data/size UTF-8 (valid until the next call).
   False: nothing (a folded field's first lines, a non-text body, data
   kept for the next block). The parser must have been given no
   MESSAGE_HEADER_PARSER_FLAG_FULL_VALUE (folded fields are collected
   through use_full_value). */
bool message_decoder_decode_next_block(struct message_decoder_context *ctx,
				       struct message_block *input,
				       struct message_block *output);
/* The end of the message: anything still carried (a partial base64
   quantum, a dangling "=" or an incomplete character) as text. Returns
   true with output set if there is some. */
bool message_decoder_finish(struct message_decoder_context *ctx,
			    struct message_block *output);
/* Forgets everything about the current message (call between messages:
   part pointers of a new message may equal old ones). */
void message_decoder_reset(struct message_decoder_context *ctx);

#endif
