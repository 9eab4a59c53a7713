/* Copyright (c) dovecot-like authors. The ostream backend for plain fds:
   non-blocking writes, send(MSG_NOSIGNAL) on sockets so a gone peer is EPIPE,
   and TCP_QUICKACK after each complete write to a TCP peer. */
#include "lib.h"
#include "net.h"
#include "ostream-private.h"

#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

struct ostream_fd {
	bool is_socket, is_tcp;
};


static ssize_t ostream_fd_write(struct ostream_private *stream,
				const void *data, size_t size)
{
	struct ostream_fd *fstream = stream->context;
	ssize_t ret;

	do {
		if (fstream->is_socket)
			ret = send(stream->fd, data, size, MSG_NOSIGNAL);
		else
			ret = write(stream->fd, data, size);
	} while (ret < 0 && errno == EINTR);
	if (ret >= 0) {
		/* a reply went out whole: the client's next bytes (the
		   literal after "+ OK", the CRLF a client sends apart from
		   it) are ACKed at once instead of after the delayed-ACK
		   timer its Nagle waits for */
		if (fstream->is_tcp && (size_t)ret == size)
			net_set_tcp_quickack(stream->fd);
		return ret;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return -1;
}

static void ostream_fd_destroy(struct ostream_private *stream)
{
	if (stream->autoclose && stream->fd >= 0) {
		if (close(stream->fd) < 0)
			log_error("close(%d) failed: %m", stream->fd);
		stream->fd = -1;
	}
	p_free(system_pool, stream->context);
}

static const struct ostream_vfuncs ostream_fd_vfuncs = {
	.write = ostream_fd_write,
	.destroy = ostream_fd_destroy,
};

struct ostream *ostream_create_fd(int fd, size_t max_buffer_size, bool autoclose)
{
	struct ostream_fd *fstream = p_malloc(system_pool, sizeof(*fstream));
	struct ostream *output;
	struct stat st;

	fstream->is_socket = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
	fstream->is_tcp = fstream->is_socket && net_is_tcp_socket(fd);
	output = ostream_create_private(&ostream_fd_vfuncs, fstream, fd,
					max_buffer_size);
	output->real->autoclose = autoclose;
	return output;
}
