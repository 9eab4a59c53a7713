/* Copyright (c) dovecot-like authors. auth-worker-client.c: sends slow
   password checks to an auth-worker process and matches the answers by id,
   so the auth event loop never runs crypt() or argon2 itself. */
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

struct auth_worker_request {
	unsigned int id;
	time_t sent;
	auth_worker_callback_t *callback;
	void *context;
	const char *error;	/* deferred failures */
};

static char *worker_socket_path;
static int worker_fd = -1;
static struct istream *worker_input;
static struct ostream *worker_output;
static struct io *worker_io;
static struct timeout *worker_to;
static struct hash_table *worker_requests;	/* id -> request */
static unsigned int worker_next_id;

static void auth_worker_disconnect(const char *reason);
static bool worker_shutting_down;

static void auth_worker_request_free(struct auth_worker_request *req)
{
	p_free(system_pool, req);
}

static void auth_worker_deferred_fail(void *context)
{
	struct auth_worker_request *req = context;

	req->callback(AUTH_WORKER_RESULT_TEMP_FAIL, req->error, req->context);
	p_free(system_pool, (char *)req->error);
	auth_worker_request_free(req);
}

static void auth_worker_handle_line(const char *line)
{
	const char *const *args = tmp_strsplit_tabescaped(line);
	struct auth_worker_request *req;
	enum auth_worker_result result;
	unsigned int id;

	if (args[0] == NULL || args[1] == NULL || str_to_uint(args[1], &id) < 0) {
		auth_worker_disconnect("auth-worker sent a broken line");
		return;
	}
	req = hash_table_lookup(worker_requests, POINTER_CAST(id));
	if (req == NULL) {
		log_error("auth-worker sent a reply for unknown id %u", id);
		return;
	}
	hash_table_remove(worker_requests, POINTER_CAST(id));
	if (strcmp(args[0], "OK") == 0)
		result = AUTH_WORKER_RESULT_OK;
	else if (strcmp(args[0], "MISMATCH") == 0)
		result = AUTH_WORKER_RESULT_MISMATCH;
	else
		result = AUTH_WORKER_RESULT_FAIL;
	req->callback(result, result == AUTH_WORKER_RESULT_FAIL ?
		      (args[2] != NULL ? args[2] : "auth-worker failed") : NULL,
		      req->context);
	auth_worker_request_free(req);
}

static void auth_worker_input(void *context)
{
	const char *line;
	size_t len;
	ssize_t ret;

	ret = istream_read(worker_input);
	while (worker_input != NULL &&
	       (line = istream_next_line(worker_input, &len)) != NULL)
		auth_worker_handle_line(line);
	if (worker_input != NULL && (ret == -1 || worker_input->stream_errno != 0))
		auth_worker_disconnect("auth-worker process disconnected");
}

static void auth_worker_check_timeouts(void *context)
{
	struct hash_iterate *iter;
	void *key, *value;
	bool stale = false;

	iter = hash_table_iterate_init(worker_requests);
	while (hash_table_iterate(iter, &key, &value)) {
		struct auth_worker_request *req = value;

		if (ioloop_time - req->sent > AUTH_WORKER_REQUEST_TIMEOUT_SECS)
			stale = true;
	}
	hash_table_iterate_deinit(&iter);
	if (stale)
		auth_worker_disconnect("auth-worker request timed out");
}

static void auth_worker_disconnect(const char *reason)
{
	struct hash_iterate *iter;
	void *key, *value;

	if (worker_fd == -1)
		return;
	if (!worker_shutting_down)
		log_error("%s", reason);
	io_remove(&worker_io);
	timeout_remove(&worker_to);
	istream_unref(&worker_input);
	ostream_destroy(&worker_output);
	close(worker_fd);
	worker_fd = -1;

	/* every pending lookup fails with temp */
	iter = hash_table_iterate_init(worker_requests);
	while (hash_table_iterate(iter, &key, &value)) {
		struct auth_worker_request *req = value;

		hash_table_remove(worker_requests, key);
		req->callback(AUTH_WORKER_RESULT_TEMP_FAIL, reason, req->context);
		auth_worker_request_free(req);
	}
	hash_table_iterate_deinit(&iter);
}

static int auth_worker_connect(const char **error_r)
{
	if (worker_fd != -1)
		return 0;
	worker_fd = net_connect_unix(worker_socket_path);
	if (worker_fd < 0) {
		*error_r = tmp_printf("connect(%s) failed: %m", worker_socket_path);
		return -1;
	}
	fd_set_nonblock(worker_fd, true);
	fd_close_on_exec(worker_fd, true);
	worker_input = istream_create_fd(worker_fd, AUTH_WORKER_MAX_LINE_LENGTH, false);
	worker_output = ostream_create_fd(worker_fd, (size_t)-1, false);
	worker_io = io_add(worker_fd, IO_READ, auth_worker_input, NULL);
	worker_to = timeout_add(5000, auth_worker_check_timeouts, NULL);
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
	auth_worker_disconnect("auth shutting down");
	hash_table_destroy(&worker_requests);
	p_free(system_pool, worker_socket_path);
}

void auth_worker_verify(const char *user, const char *password,
			const char *crypted, const char *default_scheme,
			auth_worker_callback_t *callback, void *context)
{
	struct auth_worker_request *req;
	struct pool *pool;
	struct str *line;
	const char *error;

	req = pool_new(system_pool, struct auth_worker_request, 1);
	req->callback = callback;
	req->context = context;
	if (auth_worker_connect(&error) < 0) {
		/* no worker: fail with temp, from the ioloop */
		req->error = p_strdup(system_pool, error);
		(void)timeout_add_short_once(0, auth_worker_deferred_fail, req);
		return;
	}
	if (++worker_next_id == 0)
		worker_next_id = 1;
	req->id = worker_next_id;
	req->sent = ioloop_time;
	hash_table_insert(worker_requests, POINTER_CAST(req->id), req);

	pool = pool_create("auth-worker line", 512, POOL_FLAG_WIPE);
	line = str_new(pool, 512);
	str_printfa(line, "VERIFY\t%u\t", req->id);
	str_append_tabescaped(line, user == NULL ? "" : user);
	str_append_c(line, '\t');
	str_append_tabescaped(line, password);
	str_append_c(line, '\t');
	str_append_tabescaped(line, crypted);
	str_append_c(line, '\t');
	str_append_tabescaped(line, default_scheme);
	str_append_c(line, '\n');
	if (ostream_send(worker_output, str_data(line), str_len(line)) < 0) {
		pool_unref(&pool);
		auth_worker_disconnect("write to auth-worker failed");
		return;
	}
	pool_unref(&pool);
}
