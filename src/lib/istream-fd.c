/* Copyright (c) dovecot-like authors. The istream backend for plain fds
   (sockets, pipes, files): non-blocking read() into the stream buffer. */
#include "lib.h"
#include "istream-private.h"

#include <fcntl.h>
#include <unistd.h>

static ssize_t istream_fd_read(struct istream_private *stream, void *data,
			       size_t size)
{
	ssize_t ret;

	do {
		ret = read(stream->fd, data, size);
	} while (ret < 0 && errno == EINTR);
	if (ret > 0)
		return ret;
	if (ret == 0) {
		errno = 0;	/* EOF */
		return -1;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	if (errno == 0)
		errno = EIO;
	return -1;
}

static void istream_fd_destroy(struct istream_private *stream)
{
	if (stream->autoclose && stream->fd >= 0) {
		if (close(stream->fd) < 0)
			log_error("close(%d) failed: %m", stream->fd);
		stream->fd = -1;
	}
}

static const struct istream_vfuncs istream_fd_vfuncs = {
	.read = istream_fd_read,
	.destroy = istream_fd_destroy,
};

struct istream *istream_create_fd(int fd, size_t max_buffer_size, bool autoclose)
{
	struct istream *input =
		istream_create_private(&istream_fd_vfuncs, NULL, fd,
				       max_buffer_size);
	int flags = fcntl(fd, F_GETFL);

	input->real->autoclose = autoclose;
	input->blocking = flags >= 0 && (flags & O_NONBLOCK) == 0;
	return input;
}
