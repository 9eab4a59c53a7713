/* Copyright (c) dovecot-like authors. ostream.h: buffered non-blocking output
   streams. Sends never block: what the fd does not take now is buffered and
   flushed from the ioloop. Callers keep the buffer bounded by checking
   ostream_get_buffer_used() and waiting for the flush callback. */
#ifndef OSTREAM_H
#define OSTREAM_H

struct buf;

struct ostream {
	uoff_t offset;		/* bytes accepted so far */
	int stream_errno;	/* 0, or errno of a failed write */
	bool closed;
	struct ostream_private *real;
};

/* Called when the buffer has been flushed empty (and on error). Return
   1 if done (callback stays), 0 if it wants more calls when writable. */
typedef int ostream_flush_callback_t(void *context);

struct ostream *ostream_create_fd(int fd, size_t max_buffer_size, bool autoclose);
/* Collect into a buffer (tests). */
struct ostream *ostream_create_buffer(struct buf *output);
void ostream_ref(struct ostream *output);
void ostream_unref(struct ostream **output);	/* NULL-safe */
/* Flushes what it can without blocking, then unrefs. */
void ostream_destroy(struct ostream **output);
int ostream_get_fd(const struct ostream *output);

/* Buffer everything; start a write io if needed. Returns len, or -1 if the
   stream has failed (stream_errno set). */
ssize_t ostream_send(struct ostream *output, const void *data, size_t len);
ssize_t ostream_send_str(struct ostream *output, const char *str);
ssize_t ostream_printf(struct ostream *output, const char *fmt, ...) ATTR_FORMAT(2, 3);
/* Cork: gather a whole reply before writing (one syscall). */
void ostream_cork(struct ostream *output);
void ostream_uncork(struct ostream *output);
/* Try to write the buffer now. 1 = all written, 0 = some left, -1 = error. */
int ostream_flush(struct ostream *output);
size_t ostream_get_buffer_used(const struct ostream *output);
void ostream_set_flush_callback(struct ostream *output,
				ostream_flush_callback_t *callback, void *context);
const char *ostream_get_error(const struct ostream *output);
/* Call the flush callback once the fd is writable even if nothing is
   buffered (e.g. to start streaming a large reply from the loop). */
void ostream_set_flush_pending(struct ostream *output);

#endif
