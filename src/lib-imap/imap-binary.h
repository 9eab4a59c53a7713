/* Copyright (c) dovecot-like authors. imap-binary.h: the decoding FETCH
   BINARY[] does (RFC 3516 4.2): undoing a part's Content-Transfer-Encoding
   (base64, quoted-printable; 7bit/8bit/binary are identity). */
#ifndef IMAP_BINARY_H
#define IMAP_BINARY_H

#include "buffer.h"

enum imap_binary_cte {
	IMAP_BINARY_CTE_IDENTITY,	/* 7bit, 8bit, binary or none */
	IMAP_BINARY_CTE_BASE64,
	IMAP_BINARY_CTE_QP,
	IMAP_BINARY_CTE_UNKNOWN,	/* RFC 3516 4.3: NO [UNKNOWN-CTE] */
};

/* The encoding named by the first Content-Transfer-Encoding field of the
   header block hdr[0..len) ("Name: value" lines, continuations
   indented). No field gives IDENTITY. */
enum imap_binary_cte imap_binary_cte_parse(const unsigned char *hdr, size_t len);

/* Appends the decoded data[0..len) to dest. base64 skips bytes outside
   its alphabet and stops at '='; quoted-printable drops soft line breaks
   and trailing whitespace of lines and keeps a malformed '=' as is. */
void imap_binary_decode(enum imap_binary_cte cte, const unsigned char *data,
			size_t len, struct buf *dest);

#endif
