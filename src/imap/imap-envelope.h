/* Copyright (c) dovecot-like authors. imap-envelope.h: FETCH ENVELOPE (RFC
   3501 7.4.2) from a message header, until lib-mail offers a full RFC 5322
   address parser. */
#ifndef IMAP_ENVELOPE_H
#define IMAP_ENVELOPE_H

struct str;

/* Appends the parenthesized envelope built from hdr[0..size). */
void imap_envelope_write(struct str *dest, const unsigned char *hdr, size_t size);

#endif
