/* Copyright (c) dovecot-like authors. istream-private.h: the vtable other
   stream kinds (TLS) implement. */
#ifndef ISTREAM_PRIVATE_H
#define ISTREAM_PRIVATE_H

#include "istream.h"

struct istream_vfuncs {
	/* Read up to size bytes into data. Returns >0, 0 (would block), or -1
	   with errno set (0 = EOF). */
	ssize_t (*read)(struct istream_private *stream, void *data, size_t size);
	void (*destroy)(struct istream_private *stream);
};

struct istream_private {
	struct istream istream;
	const struct istream_vfuncs *v;
	int refcount;
	int fd;
	bool autoclose;
	struct buf *buffer;	/* data[skip..used) is unread */
	size_t skip;
	size_t max_buffer_size;
	void *context;		/* for the vtable implementation */
	char *error;
};

struct istream *istream_create_private(const struct istream_vfuncs *v,
				       void *context, int fd, size_t max_buffer_size);

#endif
