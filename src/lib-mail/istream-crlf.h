/* Copyright (c) dovecot-like authors. istream-crlf.h: a filter stream that
   yields its parent's data with every bare LF turned into CRLF, as IMAP and
   POP3 must send messages stored with Unix line endings. */
#ifndef ISTREAM_CRLF_H
#define ISTREAM_CRLF_H

struct istream;

/* Returns a new stream (refcount 1) reading from parent; it takes its own
   reference to parent. Existing CRLFs are kept, a lone CR is passed through.
   Reading blocks only if the parent blocks. */
struct istream *istream_create_crlf(struct istream *parent);

/* Bytes the CRLF form of data[0..len) takes, given whether the byte before
   data was a CR (*last_cr, updated). For computing RFC822.SIZE. */
uoff_t istream_crlf_count_size(const unsigned char *data, size_t len,
			       bool *last_cr);

#endif
