/* Copyright (c) dovecot-like authors. auth-client.c: the login processes'
   connection to auth (client protocol 1.2): handshake, requests multiplexed by
   id, and reconnecting with back-off when auth goes away. */
#include "lib.h"
#include "array.h"
#include "hash.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "net.h"
#include "str.h"
#include "strescape.h"
#include "strfuncs.h"
#include "auth-client.h"

#include <unistd.h>

#define AUTH_CLIENT_MAX_LINE_LENGTH 16384
#define AUTH_CLIENT_RECONNECT_MIN_MSECS 100
#define AUTH_CLIENT_RECONNECT_MAX_MSECS 5000
/* auth answers the handshake at once; a silent server is broken */
#define AUTH_CLIENT_HANDSHAKE_TIMEOUT_MSECS 30000

struct auth_client {
	char *socket_path;
	void (*connected_callback)(struct auth_client *, void *);
	void *context;

	int fd;
	struct io *io;
	struct istream *input;
	struct ostream *output;
	struct timeout *to;	/* reconnect or handshake timeout */
	unsigned int reconnect_msecs;
	bool version_ok, connected, logged_connect_error;

	struct pool *conn_pool;	/* handshake data */
	pid_t server_pid;
	const char *cookie;
	ARRAY(const char *) mechs;

	struct hash_table *requests;	/* id -> request */
	unsigned int next_id;
};

struct auth_client_request {
	struct auth_client *client;
	unsigned int id;
	auth_request_callback_t *callback;
	void *context;
	struct timeout *to_fail;	/* deferred INTERNAL_FAIL */
	bool finished;
};

static void auth_client_connect(struct auth_client *client);

static void auth_client_request_free(struct auth_client_request *request)
{
	timeout_remove(&request->to_fail);
	p_free(system_pool, request);
}

/* Final callback, then free. */
static void auth_client_request_finish(struct auth_client_request *request,
				       enum auth_request_status status,
				       const char *const *args)
{
	static const char *const no_args[] = { NULL };

	request->finished = true;
	request->callback(request, status, NULL, args == NULL ? no_args : args,
			  request->context);
	auth_client_request_free(request);
}

static void auth_client_reconnect_timeout(void *context)
{
	struct auth_client *client = context;

	timeout_remove(&client->to);
	auth_client_connect(client);
}

static void auth_client_disconnect(struct auth_client *client, const char *reason,
				   bool reconnect)
{
	struct hash_iterate *iter;
	void *key, *value;

	if (client->fd != -1) {
		/* our own deinit (shutting down) is not worth a line */
		if (client->connected && reconnect)
			log_error("Disconnected from auth server %s: %s",
				  client->socket_path, reason);
		io_remove(&client->io);
		istream_unref(&client->input);
		ostream_destroy(&client->output);
		close(client->fd);
		client->fd = -1;
	}
	timeout_remove(&client->to);
	client->connected = false;
	client->version_ok = false;
	if (client->conn_pool != NULL)
		pool_unref(&client->conn_pool);
	client->cookie = NULL;
	client->server_pid = 0;

	/* every request in flight is lost */
	iter = hash_table_iterate_init(client->requests);
	while (hash_table_iterate(iter, &key, &value)) {
		hash_table_remove(client->requests, key);
		if (reconnect)
			auth_client_request_finish(value, AUTH_REQUEST_STATUS_INTERNAL_FAIL,
						   NULL);
		else
			auth_client_request_free(value);
	}
	hash_table_iterate_deinit(&iter);

	if (reconnect) {
		client->to = timeout_add(client->reconnect_msecs,
					 auth_client_reconnect_timeout, client);
		client->reconnect_msecs = MIN(client->reconnect_msecs * 2,
					      AUTH_CLIENT_RECONNECT_MAX_MSECS);
	}
}

static bool auth_client_handle_handshake(struct auth_client *client,
					 const char *const *args)
{
	unsigned int n;

	if (!client->version_ok) {
		if (strcmp(args[0], "VERSION") != 0 || args[1] == NULL ||
		    strcmp(args[1], "1") != 0) {
			log_error("Auth server %s speaks an incompatible protocol",
				  client->socket_path);
			return false;
		}
		client->version_ok = true;
	} else if (strcmp(args[0], "MECH") == 0 && args[1] != NULL) {
		const char *name = p_strdup(client->conn_pool, args[1]);

		array_append(&client->mechs, &name);
	} else if (strcmp(args[0], "SPID") == 0 && args[1] != NULL) {
		if (str_to_uint(args[1], &n) < 0)
			return false;
		client->server_pid = (pid_t)n;
	} else if (strcmp(args[0], "COOKIE") == 0 && args[1] != NULL) {
		client->cookie = p_strdup(client->conn_pool, args[1]);
	} else if (strcmp(args[0], "DONE") == 0) {
		if (client->server_pid == 0 || client->cookie == NULL) {
			log_error("Auth server %s handshake lacks SPID or COOKIE",
				  client->socket_path);
			return false;
		}
		client->connected = true;
		client->reconnect_msecs = AUTH_CLIENT_RECONNECT_MIN_MSECS;
		client->logged_connect_error = false;
		timeout_remove(&client->to);
		if (client->connected_callback != NULL)
			client->connected_callback(client, client->context);
	}
	/* CUID and unknown lines are ignored */
	return true;
}

static bool auth_client_handle_reply(struct auth_client *client,
				     const char *const *args)
{
	struct auth_client_request *request;
	enum auth_request_status status;
	ARRAY(const char *) fields;
	const char *field, *null = NULL;
	unsigned int id, i;

	if (strcmp(args[0], "OK") == 0)
		status = AUTH_REQUEST_STATUS_OK;
	else if (strcmp(args[0], "FAIL") == 0)
		status = AUTH_REQUEST_STATUS_FAIL;
	else if (strcmp(args[0], "CONT") == 0)
		status = AUTH_REQUEST_STATUS_CONTINUE;
	else
		return true;	/* unknown lines are ignored */
	if (args[1] == NULL || str_to_uint(args[1], &id) < 0)
		return false;
	request = hash_table_lookup(client->requests, POINTER_CAST(id));
	if (request == NULL)
		return true;	/* aborted meanwhile */

	if (status == AUTH_REQUEST_STATUS_CONTINUE) {
		request->callback(request, status, args[2] == NULL ? "" : args[2],
				  NULL, request->context);
		return true;
	}
	array_init(&fields, tmp_pool, 8);
	for (i = 2; args[i] != NULL; i++) {
		if (args[i][0] == '\0')
			continue;	/* s.2: trailing empty fields */
		array_append(&fields, &args[i]);
		if (strcmp(args[i], "code=temp_fail") == 0) {
			/* the header's contract: "temp" marks temp failures */
			field = "temp";
			array_append(&fields, &field);
		}
	}
	array_append(&fields, &null);
	hash_table_remove(client->requests, POINTER_CAST(id));
	auth_client_request_finish(request, status, array_front(&fields));
	return true;
}

static void auth_client_input(void *context)
{
	struct auth_client *client = context;
	const char *line;
	const char *const *args;
	size_t len;
	ssize_t ret;

	ret = istream_read(client->input);
	while (client->fd != -1 &&
	       (line = istream_next_line(client->input, &len)) != NULL) {
		bool ok;

		args = tmp_strsplit_tabescaped(line);
		if (args[0] == NULL)
			continue;
		ok = client->connected ? auth_client_handle_reply(client, args) :
			auth_client_handle_handshake(client, args);
		if (!ok) {
			auth_client_disconnect(client, "Protocol error", true);
			return;
		}
	}
	if (client->fd == -1)
		return;
	if (client->input->stream_errno == ENOBUFS)
		auth_client_disconnect(client, "Line too long", true);
	else if (ret == -1)
		auth_client_disconnect(client, istream_get_error(client->input), true);
}

static void auth_client_handshake_timeout(void *context)
{
	struct auth_client *client = context;

	auth_client_disconnect(client, "Handshake timed out", true);
}

static void auth_client_connect(struct auth_client *client)
{
	client->fd = net_connect_unix(client->socket_path);
	if (client->fd < 0) {
		if (!client->logged_connect_error) {
			log_error("connect(%s) failed: %m", client->socket_path);
			client->logged_connect_error = true;
		}
		auth_client_disconnect(client, "connect failed", true);
		return;
	}
	fd_set_nonblock(client->fd, true);
	fd_close_on_exec(client->fd, true);
	client->conn_pool = pool_create("auth client handshake", 512, POOL_FLAG_NONE);
	array_init(&client->mechs, client->conn_pool, 8);
	client->input = istream_create_fd(client->fd, AUTH_CLIENT_MAX_LINE_LENGTH + 2,
					  false);
	client->output = ostream_create_fd(client->fd, (size_t)-1, false);
	client->io = io_add(client->fd, IO_READ, auth_client_input, client);
	client->to = timeout_add(AUTH_CLIENT_HANDSHAKE_TIMEOUT_MSECS,
				 auth_client_handshake_timeout, client);
	ostream_printf(client->output, "VERSION\t1\t2\nCPID\t%ld\n", (long)getpid());
}

struct auth_client *auth_client_init(const char *socket_path,
				     void (*connected_callback)(struct auth_client *, void *),
				     void *context)
{
	struct auth_client *client = pool_new(system_pool, struct auth_client, 1);

	client->socket_path = p_strdup(system_pool, socket_path);
	client->connected_callback = connected_callback;
	client->context = context;
	client->fd = -1;
	client->reconnect_msecs = AUTH_CLIENT_RECONNECT_MIN_MSECS;
	client->requests = hash_table_create_direct(system_pool, 32);
	auth_client_connect(client);
	return client;
}

void auth_client_deinit(struct auth_client **_client)
{
	struct auth_client *client = *_client;

	*_client = NULL;
	if (client == NULL)
		return;
	auth_client_disconnect(client, "Deinitializing", false);
	hash_table_destroy(&client->requests);
	p_free(system_pool, client->socket_path);
	p_free(system_pool, client);
}

bool auth_client_is_connected(const struct auth_client *client)
{
	return client->connected;
}

pid_t auth_client_get_server_pid(const struct auth_client *client)
{
	return client->server_pid;
}

const char *auth_client_get_cookie(const struct auth_client *client)
{
	return client->cookie;
}

bool auth_client_has_mech(const struct auth_client *client, const char *mech)
{
	const char *const *namep;

	if (!client->connected)
		return false;
	array_foreach(&client->mechs, namep) {
		if (strcasecmp(*namep, mech) == 0)
			return true;
	}
	return false;
}

static void auth_client_request_deferred_fail(void *context)
{
	struct auth_client_request *request = context;

	timeout_remove(&request->to_fail);
	auth_client_request_finish(request, AUTH_REQUEST_STATUS_INTERNAL_FAIL, NULL);
}

static void str_append_param(struct str *str, const char *key, const char *value)
{
	str_printfa(str, "\t%s=", key);
	str_append_tabescaped(str, value);
}

struct auth_client_request *
auth_client_request_new(struct auth_client *client, const struct auth_request_info *info,
			auth_request_callback_t *callback, void *context)
{
	struct auth_client_request *request;
	struct str *str;

	request = pool_new(system_pool, struct auth_client_request, 1);
	request->client = client;
	request->callback = callback;
	request->context = context;
	if (!client->connected) {
		request->to_fail = timeout_add(0, auth_client_request_deferred_fail,
					       request);
		return request;
	}
	do {
		if (++client->next_id == 0)
			client->next_id = 1;
	} while (hash_table_lookup(client->requests, POINTER_CAST(client->next_id)) != NULL);
	request->id = client->next_id;
	hash_table_insert(client->requests, POINTER_CAST(request->id), request);

	str = t_str_new(256);
	str_printfa(str, "AUTH\t%u\t", request->id);
	str_append_tabescaped(str, info->mech);
	str_append_param(str, "service", info->service);
	if (info->local_ip.family != 0)
		str_append_param(str, "lip", net_ip2addr(&info->local_ip));
	if (info->remote_ip.family != 0)
		str_append_param(str, "rip", net_ip2addr(&info->remote_ip));
	if (info->local_port != 0)
		str_printfa(str, "\tlport=%u", info->local_port);
	if (info->remote_port != 0)
		str_printfa(str, "\trport=%u", info->remote_port);
	if (info->tls)
		str_append(str, "\tsecured=tls");
	else if (info->secured)
		str_append(str, "\tsecured");
	if (info->valid_client_cert)
		str_append(str, "\tvalid-client-cert");
	if (info->no_penalty)
		str_append(str, "\tno-penalty");
	if (info->cert_username != NULL && info->cert_username[0] != '\0')
		str_append_param(str, "cert_username", info->cert_username);
	if (info->local_name != NULL && info->local_name[0] != '\0')
		str_append_param(str, "local_name", info->local_name);
	/* s.3.3: resp= must be the last parameter */
	if (info->initial_resp_base64 != NULL)
		str_append_param(str, "resp", info->initial_resp_base64);
	str_append_c(str, '\n');
	ostream_send(client->output, str_data(str), str_len(str));
	/* the initial response may carry a password */
	safe_memzero((void *)str_data(str), str_len(str));
	return request;
}

void auth_client_request_continue(struct auth_client_request *request,
				  const char *data_base64)
{
	struct auth_client *client = request->client;
	struct str *str;

	if (!client->connected || request->id == 0 ||
	    hash_table_lookup(client->requests, POINTER_CAST(request->id)) != request)
		return;
	str = t_str_new(128 + strlen(data_base64));
	str_printfa(str, "CONT\t%u\t", request->id);
	str_append_tabescaped(str, data_base64);
	str_append_c(str, '\n');
	ostream_send(client->output, str_data(str), str_len(str));
	safe_memzero((void *)str_data(str), str_len(str));
}

void auth_client_request_abort(struct auth_client_request **_request)
{
	struct auth_client_request *request = *_request;
	struct auth_client *client;

	*_request = NULL;
	if (request == NULL || request->finished)
		return;	/* freed by the callback's caller */
	client = request->client;
	if (request->id != 0 &&
	    hash_table_lookup(client->requests, POINTER_CAST(request->id)) == request) {
		hash_table_remove(client->requests, POINTER_CAST(request->id));
		if (client->connected)
			ostream_printf(client->output, "CANCEL\t%u\n", request->id);
	}
	auth_client_request_free(request);
}

unsigned int auth_client_request_get_id(const struct auth_client_request *request)
{
	return request->id;
}
