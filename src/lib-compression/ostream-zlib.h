/* Copyright (c) dovecot-like authors. ostream-zlib.h: an output stream that
   deflates into a parent stream (raw deflate, RFC 1951), for IMAP
   COMPRESS=DEFLATE (RFC 4978). */
#ifndef OSTREAM_ZLIB_H
#define OSTREAM_ZLIB_H

struct ostream;

/* Returns a new stream (refcount 1) writing compressed data to parent. It
   takes a reference of parent; destroying it flushes and drops that
   reference. Everything the generic layer writes (an uncorked send, an
   ostream_flush() or uncork) is compressed and ended with Z_SYNC_FLUSH, so
   the peer can decompress each reply at once. Compressed data waits in the
   parent's buffer; while that is over the parent's max_buffer_size this
   stream buffers too, so ostream_get_buffer_used() grows and the flush
   callback works as for an fd stream. level: zlib level 1..9. */
struct ostream *ostream_create_zlib(struct ostream *parent, int level);

#endif
