/* Copyright (c) dovecot-like authors. ostream-private.h: the vtable other
   stream kinds (TLS) implement. */
#ifndef OSTREAM_PRIVATE_H
#define OSTREAM_PRIVATE_H

#include "ostream.h"

struct ostream_vfuncs {
	/* Write up to size bytes. >0 written, 0 would block, -1 error (errno). */
	ssize_t (*write)(struct ostream_private *stream, const void *data, size_t size);
	void (*destroy)(struct ostream_private *stream);
};

struct ostream_private {
	struct ostream ostream;
	const struct ostream_vfuncs *v;
	int refcount;
	int fd;
	bool autoclose;
	bool corked;
	struct buf *buffer;	/* unsent data */
	size_t max_buffer_size;
	struct io *io;
	ostream_flush_callback_t *flush_callback;
	void *flush_context;
	void *context;
	char *error;
};

struct ostream *ostream_create_private(const struct ostream_vfuncs *v,
				       void *context, int fd, size_t max_buffer_size);

#endif
