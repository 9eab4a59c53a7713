/* Copyright (c) dovecot-like authors. auth-client-connection.c: the server
   side of auth client protocol 1.2: handshake (VERSION, MECH, SPID, CUID,
   COOKIE, DONE), line limits and output flow control; requests are handled by
   auth-request-handler.c. */
#include "lib.h"
#include "hash.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "str.h"
#include "strescape.h"
#include "strfuncs.h"
#include "auth-protocol.h"
#include "auth-request-handler.h"
#include "mech.h"
#include "auth-client-connection.h"

#include <unistd.h>
#include <sodium.h>

static struct auth_client_connection **connections;
static unsigned int connections_count, connections_size;
static unsigned int connect_uid_counter;

static void auth_client_input(void *context);
static void auth_client_resume(void *context);

static void auth_client_connection_ref(struct auth_client_connection *conn)
{
	conn->refcount++;
}

static void auth_client_connection_unref(struct auth_client_connection **_conn)
{
	struct auth_client_connection *conn = *_conn;
	struct pool *pool;

	*_conn = NULL;
	if (--conn->refcount > 0)
		return;
	pool = conn->pool;
	pool_unref(&pool);
}

static void connections_add(struct auth_client_connection *conn)
{
	if (connections_count == connections_size) {
		unsigned int new_size = connections_size == 0 ? 16 : connections_size * 2;

		connections = p_realloc(system_pool, connections,
					sizeof(*connections) * connections_size,
					sizeof(*connections) * new_size);
		connections_size = new_size;
	}
	connections[connections_count++] = conn;
}

static void connections_remove(struct auth_client_connection *conn)
{
	unsigned int i;

	for (i = 0; i < connections_count; i++) {
		if (connections[i] == conn) {
			connections[i] = connections[--connections_count];
			return;
		}
	}
}

static bool login_pid_in_use(unsigned int pid)
{
	unsigned int i;

	for (i = 0; i < connections_count; i++) {
		if (connections[i]->login_type && connections[i]->pid == pid &&
		    !connections[i]->destroyed)
			return true;
	}
	return false;
}

void auth_client_connection_send(struct auth_client_connection *conn,
				 const char *line)
{
	if (conn->destroyed)
		return;
	ostream_cork(conn->output);
	ostream_send_str(conn->output, line);
	ostream_send(conn->output, "\n", 1);
	ostream_uncork(conn->output);
	if (ostream_get_buffer_used(conn->output) > AUTH_CLIENT_OUTPUT_THROTTLE) {
		/* s.3.5: stop reading until the client drains its replies */
		io_remove(&conn->io);
	}
}

static int auth_client_output(void *context)
{
	struct auth_client_connection *conn = context;

	if (conn->output->stream_errno != 0) {
		auth_client_connection_destroy(&conn, "Write failed");
		return 1;
	}
	if (conn->io == NULL && !conn->destroyed &&
	    ostream_get_buffer_used(conn->output) < AUTH_CLIENT_OUTPUT_THROTTLE / 2) {
		conn->io = io_add(conn->fd, IO_READ, auth_client_input, conn);
		/* lines may already wait in the input buffer */
		auth_client_connection_ref(conn);
		(void)timeout_add_short_once(0, auth_client_resume, conn);
	}
	return 1;
}

static void auth_client_send_handshake(struct auth_client_connection *conn)
{
	struct str *str = t_str_new(256);
	unsigned char cookie[AUTH_COOKIE_SIZE];

	randombytes_buf(cookie, sizeof(cookie));
	sodium_bin2hex(conn->cookie, sizeof(conn->cookie), cookie, sizeof(cookie));
	sodium_memzero(cookie, sizeof(cookie));

	str_printfa(str, "VERSION\t%u\t%u\n", AUTH_CLIENT_PROTOCOL_MAJOR,
		    AUTH_CLIENT_PROTOCOL_MINOR);
	/* Postfix: MECH lines must come before SPID (s.4) */
	mechs_append_handshake(str);
	str_printfa(str, "SPID\t%ld\nCUID\t%u\nCOOKIE\t%s\nDONE",
		    (long)getpid(), conn->connect_uid, conn->cookie);
	auth_client_connection_send(conn, str_c(str));
}

static bool auth_client_handle_handshake(struct auth_client_connection *conn,
					 const char *const *args)
{
	unsigned int pid;

	if (!conn->version_received) {
		if (strcmp(args[0], "VERSION") != 0 ||
		    auth_protocol_parse_version(args + 1, AUTH_CLIENT_PROTOCOL_MAJOR,
						&conn->version_minor) < 0) {
			log_error("Authentication client not compatible with this "
				  "server (mixed old and new binaries?)");
			return false;
		}
		conn->version_received = true;
		return true;
	}
	if (strcmp(args[0], "CPID") != 0) {
		log_error("BUG: Authentication client sent unknown handshake "
			  "command: %s", auth_str_sanitize(args[0]));
		return false;
	}
	if (args[1] == NULL || str_to_uint(args[1], &pid) < 0 || pid == 0) {
		log_error("BUG: Authentication client sent invalid CPID");
		return false;
	}
	if (conn->login_type && login_pid_in_use(pid)) {
		/* REQUEST finds logins by this pid: it must be unique */
		log_error("BUG: Authentication client gave a PID %u of existing "
			  "connection", pid);
		return false;
	}
	conn->pid = pid;
	conn->handshake_done = true;
	return true;
}

static bool auth_client_handle_line(struct auth_client_connection *conn,
				    const char *line)
{
	const char *const *args = tmp_strsplit_tabescaped(line);

	if (args[0] == NULL)
		return false;
	if (!conn->handshake_done)
		return auth_client_handle_handshake(conn, args);
	if (strcmp(args[0], "AUTH") == 0)
		return auth_request_handler_auth_begin(conn->handler, args + 1);
	if (strcmp(args[0], "CONT") == 0)
		return auth_request_handler_auth_continue(conn->handler, args + 1);
	if (strcmp(args[0], "CANCEL") == 0) {
		if (args[1] == NULL)
			return false;
		auth_request_handler_cancel(conn->handler, args + 1);
		return true;
	}
	log_error("BUG: Authentication client sent unknown command: %s",
		  auth_str_sanitize(args[0]));
	return false;
}

static void auth_client_input(void *context)
{
	struct auth_client_connection *conn = context, *tmp;
	const char *line;
	size_t len;
	ssize_t ret;

	ret = istream_read(conn->input);
	auth_client_connection_ref(conn);
	while (!conn->destroyed && conn->io != NULL &&
	       (line = istream_next_line(conn->input, &len)) != NULL) {
		if (!auth_client_handle_line(conn, line)) {
			tmp = conn;
			auth_client_connection_destroy(&tmp, "Protocol error");
		}
	}
	if (!conn->destroyed && conn->input->stream_errno == ENOBUFS) {
		log_error("BUG: Auth client %u sent us more than %d bytes",
			  conn->pid, AUTH_CLIENT_MAX_LINE_LENGTH);
		tmp = conn;
		auth_client_connection_destroy(&tmp, "Line too long");
	}
	if (!conn->destroyed && ret == -1) {
		tmp = conn;
		auth_client_connection_destroy(&tmp, istream_get_error(conn->input));
	}
	auth_client_connection_unref(&conn);
}

static void auth_client_resume(void *context)
{
	struct auth_client_connection *conn = context;

	if (!conn->destroyed && conn->io != NULL)
		auth_client_input(conn);
	auth_client_connection_unref(&conn);
}

struct auth_client_connection *
auth_client_connection_create(int fd, bool login_type)
{
	struct pool *pool = pool_create("auth client connection", 1024, POOL_FLAG_NONE);
	struct auth_client_connection *conn;

	conn = pool_new(pool, struct auth_client_connection, 1);
	conn->refcount = 1;
	conn->pool = pool;
	conn->fd = fd;
	conn->login_type = login_type;
	conn->connect_uid = ++connect_uid_counter;
	conn->input = istream_create_fd(fd, AUTH_CLIENT_MAX_LINE_LENGTH + 2, false);
	conn->output = ostream_create_fd(fd, (size_t)-1, false);
	ostream_set_flush_callback(conn->output, auth_client_output, conn);
	conn->handler = auth_request_handler_create(conn);
	conn->io = io_add(fd, IO_READ, auth_client_input, conn);
	connections_add(conn);
	auth_client_send_handshake(conn);
	return conn;
}

void auth_client_connection_destroy(struct auth_client_connection **_conn,
				    const char *reason)
{
	struct auth_client_connection *conn = *_conn;

	*_conn = NULL;
	if (conn->destroyed)
		return;
	conn->destroyed = true;
	log_debug("auth client %u disconnected: %s", conn->pid, reason);
	connections_remove(conn);
	io_remove(&conn->io);
	/* closing the connection aborts its requests (s.3.5) */
	auth_request_handler_destroy(&conn->handler);
	istream_unref(&conn->input);
	ostream_destroy(&conn->output);
	if (close(conn->fd) < 0)
		log_error("close(auth client) failed: %m");
	conn->fd = -1;
	auth_client_connection_unref(&conn);
}

void auth_client_connections_destroy_all(void)
{
	while (connections_count > 0) {
		struct auth_client_connection *conn = connections[0];

		auth_client_connection_destroy(&conn, "Shutting down");
	}
}
