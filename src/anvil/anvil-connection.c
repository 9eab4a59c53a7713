/* Copyright (c) dovecot-like authors. One worker's connection to anvil: reads
   request lines, answers each with one line (LIST: several, then an empty
   line) and keeps the connection's registration while it stays open. */
#include "lib.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "net.h"
#include "str.h"
#include "anvil-request.h"
#include "anvil-registry.h"
#include "anvil-penalty.h"
#include "anvil-connection.h"

#include <errno.h>
#include <string.h>

/* A worker sends one line and waits; LIST replies may be large, but a peer
   that stops reading them is dropped rather than buffered without end.
   Room for one full PENALTY-DUMP: ANVIL_PENALTY_MAX_ENTRIES lines of at
   most ~90 bytes (an IPv6 address and three numbers). */
#define ANVIL_OUTPUT_MAX_SIZE (8 * 1024 * 1024)
static_assert(ANVIL_PENALTY_MAX_ENTRIES * 90 < ANVIL_OUTPUT_MAX_SIZE,
	      "a full PENALTY-DUMP fits the output limit");
/* Idle connections are fine (they hold a session's slot), so no idle
   timeout; only a stalled LIST reader is cut off. */
#define ANVIL_OUTPUT_STALL_MSECS (30 * 1000)

struct anvil_connection {
	struct anvil_connection *prev, *next;
	struct anvil_registry *reg;
	struct anvil_penalty *penalty;
	int fd;
	struct io *io;
	struct istream *input;
	struct ostream *output;
	struct timeout *to_stall;
	char *ident;	/* our registration, or NULL */
};

static struct anvil_connection *connections = NULL;

static void anvil_connection_destroy(struct anvil_connection *conn)
{
	if (conn->prev != NULL)
		conn->prev->next = conn->next;
	else
		connections = conn->next;
	if (conn->next != NULL)
		conn->next->prev = conn->prev;

	if (conn->ident != NULL) {
		anvil_registry_disconnect(conn->reg, conn->ident);
		p_free(system_pool, conn->ident);
	}
	timeout_remove(&conn->to_stall);
	io_remove(&conn->io);
	ostream_destroy(&conn->output);
	istream_unref(&conn->input);	/* closes fd */
	p_free(system_pool, conn);
}

static void anvil_connection_stalled(void *context)
{
	struct anvil_connection *conn = context;

	log_error("Client stopped reading LIST output for %u secs: disconnecting",
		  ANVIL_OUTPUT_STALL_MSECS / 1000);
	anvil_connection_destroy(conn);
}

static int anvil_connection_flushed(void *context)
{
	struct anvil_connection *conn = context;

	if (ostream_get_buffer_used(conn->output) == 0)
		timeout_remove(&conn->to_stall);
	return 1;
}

static void anvil_connection_connect(struct anvil_connection *conn,
				     const struct anvil_request *req)
{
	unsigned int count;

	if (conn->ident != NULL) {
		ostream_send_str(conn->output,
				 "ERROR\tconnection already registered\n");
		return;
	}
	if (!anvil_registry_connect(conn->reg, req->ident, req->limit, &count)) {
		ostream_printf(conn->output, "FULL\t%u\n", count);
		return;
	}
	conn->ident = p_strdup(system_pool, req->ident);
	ostream_printf(conn->output, "OK\t%u\n", count);
}

/* The auth penalty requests: GET answers "<penalty> <last_penalty>" (as
   Dovecot's anvil), INC "OK", DUMP one line per entry and an empty line. */
static void anvil_connection_penalty(struct anvil_connection *conn,
				     const struct anvil_request *req)
{
	struct str *dump;
	unsigned int value;
	time_t last_penalty;

	switch (req->type) {
	case ANVIL_REQUEST_PENALTY_GET:
		value = anvil_penalty_get(conn->penalty, req->ident, ioloop_time,
					  &last_penalty);
		ostream_printf(conn->output, "%u %lld\n", value,
			       (long long)last_penalty);
		break;
	case ANVIL_REQUEST_PENALTY_INC:
		anvil_penalty_inc(conn->penalty, req->ident, req->checksum,
				  req->value, ioloop_time);
		ostream_send_str(conn->output, "OK\n");
		break;
	case ANVIL_REQUEST_PENALTY_DUMP:
		dump = t_str_new(256);
		anvil_penalty_dump(conn->penalty, ioloop_time, dump);
		str_append_c(dump, '\n');
		ostream_send(conn->output, str_data(dump), str_len(dump));
		break;
	default:
		panic("anvil_connection_penalty(%d)", req->type);
	}
}

static void anvil_connection_line(struct anvil_connection *conn,
				  const char *line, size_t len)
{
	struct anvil_request req;
	struct str *list;
	const char *error;

	if (anvil_request_parse(line, len, &req, &error) < 0) {
		log_error("Invalid request: %s", error);
		ostream_printf(conn->output, "ERROR\t%s\n", error);
		return;
	}
	switch (req.type) {
	case ANVIL_REQUEST_CONNECT:
		anvil_connection_connect(conn, &req);
		break;
	case ANVIL_REQUEST_LIST:
		list = t_str_new(256);
		anvil_registry_list(conn->reg, list);
		str_append_c(list, '\n');
		ostream_send(conn->output, str_data(list), str_len(list));
		break;
	case ANVIL_REQUEST_PENALTY_GET:
	case ANVIL_REQUEST_PENALTY_INC:
	case ANVIL_REQUEST_PENALTY_DUMP:
		anvil_connection_penalty(conn, &req);
		break;
	}
}

static void anvil_connection_input(void *context)
{
	struct anvil_connection *conn = context;
	const char *line;
	size_t len;
	ssize_t ret;

	ret = istream_read(conn->input);
	ostream_cork(conn->output);
	while ((line = istream_next_line(conn->input, &len)) != NULL)
		anvil_connection_line(conn, line, len);
	ostream_uncork(conn->output);

	if (ret == -2 || conn->input->stream_errno == ENOBUFS) {
		log_error("Request line too long: disconnecting");
		ostream_send_str(conn->output, "ERROR\tline too long\n");
		anvil_connection_destroy(conn);
		return;
	}
	if (ret < 0 || conn->output->stream_errno != 0 ||
	    ostream_get_buffer_used(conn->output) > ANVIL_OUTPUT_MAX_SIZE) {
		/* EOF: the worker's session ended (or it died) */
		anvil_connection_destroy(conn);
		return;
	}
	if (ostream_get_buffer_used(conn->output) > 0 && conn->to_stall == NULL) {
		conn->to_stall = timeout_add(ANVIL_OUTPUT_STALL_MSECS,
					     anvil_connection_stalled, conn);
	}
}

void anvil_connection_create(int fd, struct anvil_registry *reg,
			     struct anvil_penalty *penalty)
{
	struct anvil_connection *conn =
		pool_new(system_pool, struct anvil_connection, 1);

	fd_set_nonblock(fd, true);
	fd_close_on_exec(fd, true);
	conn->reg = reg;
	conn->penalty = penalty;
	conn->fd = fd;
	/* +2: room for the LF (and a CR) after a maximum-length line */
	conn->input = istream_create_fd(fd, ANVIL_LINE_MAX_LEN + 2, true);
	conn->output = ostream_create_fd(fd, 0, false);
	ostream_set_flush_callback(conn->output, anvil_connection_flushed, conn);
	conn->io = io_add(fd, IO_READ, anvil_connection_input, conn);

	conn->next = connections;
	if (connections != NULL)
		connections->prev = conn;
	connections = conn;
}

void anvil_connections_destroy_all(void)
{
	while (connections != NULL)
		anvil_connection_destroy(connections);
}
