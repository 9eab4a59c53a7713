/* Copyright (c) dovecot-like authors. auth-worker-client.c: sends blocking
   work (slow password hashes, PAM, passwd/shadow lookups) to an auth-worker
   process and matches the answers by id, so the auth event loop never
   blocks. A worker that says BYE (PAM max_requests) gets no new requests:
   its connection is closed once its answers are in, and the next request
   connects to the worker master starts in its place. */
#include "lib.h"
#include "hash.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "net.h"
#include "str.h"
#include "strescape.h"
#include "strfuncs.h"
#include "auth-common.h"
#include "auth-worker-client.h"

#include <unistd.h>
#include <sodium.h>

struct auth_worker_conn {
	struct auth_worker_conn *prev, *next;
	int fd;
	struct istream *input;
	struct ostream *output;
	struct io *io;
	struct timeout *to;
	struct timeout *to_broken;	/* a write failed: close from the ioloop */
	unsigned int pending;	/* requests sent and not answered */
	bool retiring;		/* the worker said BYE */
};

struct auth_worker_request {
	unsigned int id;
	time_t sent;
	struct auth_worker_conn *conn;
	/* one of these two */
	auth_worker_callback_t *callback;
	auth_worker_reply_callback_t *reply_callback;
	void *context;
	const char *error;	/* deferred failures */
};

static char *worker_socket_path;
static struct auth_worker_conn *worker_conns;	/* all, retiring too */
static struct auth_worker_conn *worker_conn;	/* takes new requests */
static struct hash_table *worker_requests;	/* id -> request */
static unsigned int worker_next_id;
static bool worker_shutting_down;

static void auth_worker_conn_close(struct auth_worker_conn *conn,
				   const char *reason, bool log);

static void auth_worker_request_free(struct auth_worker_request *req)
{
	p_free(system_pool, req);
}

static void auth_worker_request_temp_fail(struct auth_worker_request *req,
					  const char *error)
{
	const char *reply[3] = { "TEMPFAIL", error, NULL };

	if (req->reply_callback != NULL)
		req->reply_callback(reply, req->context);
	else
		req->callback(AUTH_WORKER_RESULT_TEMP_FAIL, error, req->context);
}

static void auth_worker_deferred_fail(void *context)
{
	struct auth_worker_request *req = context;

	auth_worker_request_temp_fail(req, req->error);
	p_free(system_pool, (char *)req->error);
	auth_worker_request_free(req);
}

/* args without the id, for reply_callback */
static const char *const *auth_worker_reply_fields(const char *const *args)
{
	unsigned int i, count = str_array_length(args);
	const char **reply = t_new(const char *, count);

	reply[0] = args[0];
	for (i = 2; i < count; i++)
		reply[i - 1] = args[i];
	return reply;
}

static void auth_worker_request_reply(struct auth_worker_request *req,
				      const char *const *args)
{
	enum auth_worker_result result;

	if (req->reply_callback != NULL) {
		req->reply_callback(auth_worker_reply_fields(args), req->context);
		return;
	}
	if (strcmp(args[0], "OK") == 0)
		result = AUTH_WORKER_RESULT_OK;
	else if (strcmp(args[0], "MISMATCH") == 0)
		result = AUTH_WORKER_RESULT_MISMATCH;
	else
		result = AUTH_WORKER_RESULT_FAIL;
	req->callback(result, result == AUTH_WORKER_RESULT_FAIL ?
		      (args[2] != NULL ? args[2] : "auth-worker failed") : NULL,
		      req->context);
}

/* A retiring connection with every answer in is closed. Returns false if
   conn was closed. */
static bool auth_worker_conn_check_retired(struct auth_worker_conn *conn)
{
	if (!conn->retiring || conn->pending > 0)
		return true;
	auth_worker_conn_close(conn, "auth-worker restarting", false);
	return false;
}

/* Returns false if conn was closed. */
static bool auth_worker_handle_line(struct auth_worker_conn *conn,
				    const char *line)
{
	const char *const *args = tmp_strsplit_tabescaped(line);
	struct auth_worker_request *req;
	unsigned int id;

	if (args[0] != NULL && strcmp(args[0], "BYE") == 0 && args[1] == NULL) {
		conn->retiring = true;
		if (worker_conn == conn)
			worker_conn = NULL;
		return auth_worker_conn_check_retired(conn);
	}
	if (args[0] == NULL || args[1] == NULL || str_to_uint(args[1], &id) < 0) {
		auth_worker_conn_close(conn, "auth-worker sent a broken line", true);
		return false;
	}
	req = hash_table_lookup(worker_requests, POINTER_CAST(id));
	if (req == NULL || req->conn != conn) {
		log_error("auth-worker sent a reply for unknown id %u", id);
		return true;
	}
	hash_table_remove(worker_requests, POINTER_CAST(id));
	conn->pending--;
	auth_worker_request_reply(req, args);
	auth_worker_request_free(req);
	return auth_worker_conn_check_retired(conn);
}

static void auth_worker_input(void *context)
{
	struct auth_worker_conn *conn = context;
	const char *line;
	size_t len;
	ssize_t ret;

	ret = istream_read(conn->input);
	while ((line = istream_next_line(conn->input, &len)) != NULL) {
		if (!auth_worker_handle_line(conn, line))
			return;
	}
	/* an idle worker exiting (stopped with the server, restarted by
	   master) loses nothing: only lost requests are an error */
	if (ret == -1 || conn->input->stream_errno != 0) {
		auth_worker_conn_close(conn, "auth-worker process disconnected",
				       conn->pending > 0);
	}
}

static void auth_worker_check_timeouts(void *context)
{
	struct auth_worker_conn *conn = context;
	struct hash_iterate *iter;
	void *key, *value;
	bool stale = false;

	iter = hash_table_iterate_init(worker_requests);
	while (hash_table_iterate(iter, &key, &value)) {
		struct auth_worker_request *req = value;

		if (req->conn == conn &&
		    ioloop_time - req->sent > AUTH_WORKER_REQUEST_TIMEOUT_SECS)
			stale = true;
	}
	hash_table_iterate_deinit(&iter);
	if (stale)
		auth_worker_conn_close(conn, "auth-worker request timed out", true);
}

/* Closes conn; its unanswered requests fail with temp. */
static void auth_worker_conn_close(struct auth_worker_conn *conn,
				   const char *reason, bool log)
{
	struct hash_iterate *iter;
	void *key, *value;

	if (log && !worker_shutting_down)
		log_error("%s", reason);
	if (worker_conn == conn)
		worker_conn = NULL;
	if (conn->prev != NULL)
		conn->prev->next = conn->next;
	else
		worker_conns = conn->next;
	if (conn->next != NULL)
		conn->next->prev = conn->prev;
	io_remove(&conn->io);
	timeout_remove(&conn->to);
	timeout_remove(&conn->to_broken);
	istream_unref(&conn->input);
	ostream_destroy(&conn->output);
	close(conn->fd);

	iter = hash_table_iterate_init(worker_requests);
	while (hash_table_iterate(iter, &key, &value)) {
		struct auth_worker_request *req = value;

		if (req->conn != conn)
			continue;
		hash_table_remove(worker_requests, key);
		auth_worker_request_temp_fail(req, reason);
		auth_worker_request_free(req);
	}
	hash_table_iterate_deinit(&iter);
	p_free(system_pool, conn);
}

static void auth_worker_conn_broken(void *context)
{
	struct auth_worker_conn *conn = context;

	conn->to_broken = NULL;	/* one-shot: already gone */
	auth_worker_conn_close(conn, "write to auth-worker failed", true);
}

static int auth_worker_connect(const char **error_r)
{
	struct auth_worker_conn *conn;
	int fd;

	if (worker_conn != NULL)
		return 0;
	fd = net_connect_unix(worker_socket_path);
	if (fd < 0) {
		*error_r = tmp_printf("connect(%s) failed: %m", worker_socket_path);
		return -1;
	}
	fd_set_nonblock(fd, true);
	fd_close_on_exec(fd, true);
	conn = pool_new(system_pool, struct auth_worker_conn, 1);
	conn->fd = fd;
	conn->input = istream_create_fd(fd, AUTH_WORKER_MAX_LINE_LENGTH, false);
	conn->output = ostream_create_fd(fd, (size_t)-1, false);
	conn->io = io_add(fd, IO_READ, auth_worker_input, conn);
	conn->to = timeout_add(5000, auth_worker_check_timeouts, conn);
	conn->next = worker_conns;
	if (worker_conns != NULL)
		worker_conns->prev = conn;
	worker_conns = conn;
	worker_conn = conn;
	return 0;
}

void auth_worker_client_init(const char *socket_path)
{
	worker_socket_path = p_strdup(system_pool, socket_path);
	worker_requests = hash_table_create_direct(system_pool, 64);
}

void auth_worker_client_deinit(void)
{
	if (worker_requests == NULL)
		return;
	worker_shutting_down = true;
	while (worker_conns != NULL)
		auth_worker_conn_close(worker_conns, "auth shutting down", false);
	hash_table_destroy(&worker_requests);
	p_free(system_pool, worker_socket_path);
}

/* Sends "cmd id fields..." for req (callback and context set) or fails it
   with temp from the ioloop. */
static void auth_worker_send(struct auth_worker_request *req, const char *cmd,
			     const char *const *fields)
{
	struct auth_worker_conn *conn;
	struct pool *pool;
	struct str *line;
	const char *error;
	unsigned int i;
	ssize_t ret;

	if (auth_worker_connect(&error) < 0) {
		/* no worker: fail with temp, from the ioloop */
		req->error = p_strdup(system_pool, error);
		(void)timeout_add_short_once(0, auth_worker_deferred_fail, req);
		return;
	}
	conn = worker_conn;
	if (++worker_next_id == 0)
		worker_next_id = 1;
	req->id = worker_next_id;
	req->sent = ioloop_time;
	req->conn = conn;
	hash_table_insert(worker_requests, POINTER_CAST(req->id), req);
	conn->pending++;

	/* the line holds a password: wiped with its pool */
	pool = pool_create("auth-worker line", 512, POOL_FLAG_WIPE);
	line = str_new(pool, 512);
	str_printfa(line, "%s\t%u", cmd, req->id);
	for (i = 0; fields[i] != NULL; i++) {
		str_append_c(line, '\t');
		str_append_tabescaped(line, fields[i]);
	}
	str_append_c(line, '\n');
	ret = ostream_send(conn->output, str_data(line), str_len(line));
	pool_unref(&pool);
	if (ret < 0 && conn->to_broken == NULL) {
		/* not from here: a reply callback of this conn may be the
		   caller */
		if (worker_conn == conn)
			worker_conn = NULL;
		conn->to_broken = timeout_add_short_once(0, auth_worker_conn_broken,
							 conn);
	}
}

void auth_worker_verify(const char *user, const char *password,
			const char *crypted, const char *default_scheme,
			auth_worker_callback_t *callback, void *context)
{
	struct auth_worker_request *req;
	const char *fields[5];

	req = pool_new(system_pool, struct auth_worker_request, 1);
	req->callback = callback;
	req->context = context;
	fields[0] = user == NULL ? "" : user;
	fields[1] = password;
	fields[2] = crypted;
	fields[3] = default_scheme;
	fields[4] = NULL;
	auth_worker_send(req, "VERIFY", fields);
}

void auth_worker_call(const char *cmd, const char *const *fields,
		      auth_worker_reply_callback_t *callback, void *context)
{
	struct auth_worker_request *req;

	req = pool_new(system_pool, struct auth_worker_request, 1);
	req->reply_callback = callback;
	req->context = context;
	auth_worker_send(req, cmd, fields);
}
