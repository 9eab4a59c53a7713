/* Copyright (c) dovecot-like authors. auth-worker-server.c: the auth-worker
   process: runs the blocking password checks auth hands it, one line at a
   time, so a slow hash never stalls the auth event loop. */
#include "lib.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "net.h"
#include "str.h"
#include "strescape.h"
#include "strfuncs.h"
#include "auth-common.h"
#include "password-scheme.h"
#include "auth-worker-server.h"

#include <unistd.h>
#include <sodium.h>

struct auth_worker_listener {
	struct auth_worker_listener *next;
	int fd;
	struct io *io;
};

struct auth_worker_conn {
	struct auth_worker_conn *prev, *next;
	int fd;
	struct io *io;
	struct istream *input;
	struct ostream *output;
};

static struct auth_worker_listener *listeners;
static struct auth_worker_conn *conns;

static void wipe_str(const char *s)
{
	if (s != NULL)
		sodium_memzero((char *)s, strlen(s));
}

bool auth_worker_server_handle_line(char *line, struct str *reply)
{
	const char *const *args = tmp_strsplit_tabescaped(line);
	const char *error = NULL;
	unsigned int id;
	int ret;

	sodium_memzero(line, strlen(line));
	if (args[0] == NULL || args[1] == NULL || str_to_uint(args[1], &id) < 0)
		return false;
	if (strcmp(args[0], "VERIFY") != 0 || str_array_length(args) != 6) {
		wipe_str(args[3]);
		str_printfa(reply, "FAIL\t%u\t", id);
		str_append_tabescaped(reply, tmp_printf("Unknown auth-worker command %s",
							args[0]));
		return true;
	}
	ret = password_verify(args[3], args[2][0] == '\0' ? NULL : args[2],
			      args[4], args[5], &error);
	wipe_str(args[3]);
	if (ret > 0)
		str_printfa(reply, "OK\t%u", id);
	else if (ret == 0)
		str_printfa(reply, "MISMATCH\t%u", id);
	else {
		str_printfa(reply, "FAIL\t%u\t", id);
		str_append_tabescaped(reply, error);
	}
	return true;
}

static void auth_worker_conn_destroy(struct auth_worker_conn *conn)
{
	if (conn->prev != NULL)
		conn->prev->next = conn->next;
	else
		conns = conn->next;
	if (conn->next != NULL)
		conn->next->prev = conn->prev;
	io_remove(&conn->io);
	istream_unref(&conn->input);
	ostream_destroy(&conn->output);
	close(conn->fd);
	p_free(system_pool, conn);
}

static void auth_worker_conn_input(void *context)
{
	struct auth_worker_conn *conn = context;
	struct str *reply;
	const char *line;
	size_t len;
	ssize_t ret;

	ret = istream_read(conn->input);
	ostream_cork(conn->output);
	while ((line = istream_next_line(conn->input, &len)) != NULL) {
		reply = t_str_new(128);
		if (!auth_worker_server_handle_line((char *)line, reply)) {
			log_error("auth sent a broken worker request");
			auth_worker_conn_destroy(conn);
			return;
		}
		str_append_c(reply, '\n');
		ostream_send(conn->output, str_data(reply), str_len(reply));
	}
	ostream_uncork(conn->output);
	if (ret == -1 || conn->input->stream_errno != 0)
		auth_worker_conn_destroy(conn);
}

static void auth_worker_accept(void *context)
{
	struct auth_worker_listener *l = context;
	struct auth_worker_conn *conn;
	int fd;

	fd = net_accept(l->fd, NULL, NULL);
	if (fd < 0) {
		if (fd == -2)
			log_error("accept(auth-worker) failed: %m");
		return;
	}
	conn = pool_new(system_pool, struct auth_worker_conn, 1);
	conn->fd = fd;
	conn->input = istream_create_fd(fd, AUTH_WORKER_MAX_LINE_LENGTH, false);
	conn->output = ostream_create_fd(fd, (size_t)-1, false);
	conn->io = io_add(fd, IO_READ, auth_worker_conn_input, conn);
	conn->next = conns;
	if (conns != NULL)
		conns->prev = conn;
	conns = conn;
}

void auth_worker_server_listen(int listen_fd)
{
	struct auth_worker_listener *l =
		pool_new(system_pool, struct auth_worker_listener, 1);

	l->fd = listen_fd;
	fd_set_nonblock(listen_fd, true);
	l->io = io_add(listen_fd, IO_READ, auth_worker_accept, l);
	l->next = listeners;
	listeners = l;
}

void auth_worker_server_deinit(void)
{
	while (conns != NULL)
		auth_worker_conn_destroy(conns);
	while (listeners != NULL) {
		struct auth_worker_listener *l = listeners;

		listeners = l->next;
		io_remove(&l->io);
		p_free(system_pool, l);
	}
}
