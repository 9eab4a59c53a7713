/* Copyright (c) dovecot-like authors. message-size.h: physical and virtual
   (every LF counted as CRLF, as IMAP sends it) sizes and line counts of
   message parts. */
#ifndef MESSAGE_SIZE_H
#define MESSAGE_SIZE_H

#include "lib.h"

struct istream;

struct message_size {
	uoff_t physical_size;
	uoff_t virtual_size;
	unsigned int lines;
};

/* Adds data[0..len) to size: physical and virtual size (a LF without a
   CR before it counts one byte more: the CRLF form IMAP sends) and lines.
   *last_cr says whether the byte before data was CR and is updated for the
   next call. Returns true if data contains a NUL. */
bool message_size_add_data(struct message_size *size,
			   const unsigned char *data, size_t len, bool *last_cr);
/* Reads the header from input (up to and including the empty line). */
int message_get_header_size(struct istream *input, struct message_size *hdr_r,
			    bool *has_nuls_r);
/* Reads the rest of input as a body. */
int message_get_body_size(struct istream *input, struct message_size *body_r,
			  bool *has_nuls_r);
void message_size_add(struct message_size *dest, const struct message_size *src);

#endif
