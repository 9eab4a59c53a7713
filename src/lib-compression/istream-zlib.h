/* Copyright (c) dovecot-like authors. istream-zlib.h: an input stream that
   inflates raw deflate data (RFC 1951, no zlib/gzip header) read from a
   parent stream, for IMAP COMPRESS=DEFLATE (RFC 4978). */
#ifndef ISTREAM_ZLIB_H
#define ISTREAM_ZLIB_H

struct istream;

/* Returns a new stream (refcount 1) reading decompressed data from parent.
   It takes a reference of parent and drops it when destroyed; the fd is the
   parent's (for io_add). max_buffer_size bounds the decompressed bytes held
   (0 = default). Corrupt or truncated input makes reads fail with
   stream_errno EINVAL and an error string starting "COMPRESS: ". Never
   blocks unless the parent does. */
struct istream *istream_create_zlib(struct istream *parent,
				    size_t max_buffer_size);

/* True when the stream may produce more data without new bytes on the fd:
   compressed input still waits in the parent's buffer. A reader that waits
   for fd readiness must read again first while this holds. */
bool istream_zlib_has_pending(struct istream *input);

#endif
