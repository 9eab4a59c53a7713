/* Copyright (c) dovecot-like authors. istream.h: buffered non-blocking input
   streams. The base implementation reads a non-blocking fd; others (TLS in
   issue 3) plug in through istream-private.h. Data stays in the stream's buffer
   until istream_skip()ped. */
#ifndef ISTREAM_H
#define ISTREAM_H

struct istream {
	uoff_t v_offset;	/* bytes skipped so far */
	int stream_errno;	/* 0, or errno; ENOBUFS = line/buffer limit hit */
	bool eof;		/* EOF or error: no more data will come */
	bool blocking;		/* fd is blocking (files) */
	struct istream_private *real;
};

/* max_buffer_size bounds the buffer (and so the longest line). autoclose:
   close fd in unref. */
struct istream *istream_create_fd(int fd, size_t max_buffer_size, bool autoclose);
/* A stream over memory (copied), for tests and pre-read input. */
struct istream *istream_create_from_data(const void *data, size_t len);
void istream_ref(struct istream *input);
void istream_unref(struct istream **input);	/* NULL-safe */
int istream_get_fd(const struct istream *input);
void istream_set_max_buffer_size(struct istream *input, size_t max_size);
size_t istream_get_max_buffer_size(const struct istream *input);

/* Put data (e.g. client input the login process already read) in front of
   whatever is buffered. */
void istream_prepend(struct istream *input, const void *data, size_t len);

/* Read more: >0 new bytes, 0 would block (nothing new), -1 EOF/error
   (see eof/stream_errno), -2 buffer full (max_buffer_size reached). */
ssize_t istream_read(struct istream *input);
/* All buffered, not yet skipped data. */
const unsigned char *istream_get_data(struct istream *input, size_t *size_r);
void istream_skip(struct istream *input, size_t count);

/* Next full line from the buffer (without CR LF or LF), NUL-terminated in
   place, and skips it; NULL if no full line is buffered. Does not read: call
   istream_read() first. If the buffer is full with no LF, stream_errno is set to
   ENOBUFS (the caller answers "line too long" and disconnects). */
const char *istream_next_line(struct istream *input, size_t *len_r);
/* istream_next_line() after reading as needed; NULL when it would block or at
   EOF. */
const char *istream_read_next_line(struct istream *input, size_t *len_r);

/* Human-readable reason for eof/errors ("EOF", "read(...) failed: ...",
   "Line too long"). */
const char *istream_get_error(const struct istream *input);

#endif
