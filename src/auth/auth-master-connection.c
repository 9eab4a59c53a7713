/* Copyright (c) dovecot-like authors. auth-master-connection.c: the trusted
   side of auth: post-login workers finish a login with REQUEST (single use,
   cookie-checked), tools look users up with USER/PASS/LIST. */
#include "lib.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "net.h"
#include "str.h"
#include "strescape.h"
#include "strfuncs.h"
#include "auth-common.h"
#include "auth-fields.h"
#include "auth-protocol.h"
#include "auth-request.h"
#include "auth-request-handler.h"
#include "mech.h"
#include "auth-master-connection.h"

#include <unistd.h>
#include <sys/stat.h>

struct auth_master_connection {
	struct auth_master_connection *prev, *next;
	int refcount;
	int fd;
	struct io *io;
	struct istream *input;
	struct ostream *output;
	bool userdb_only;
	bool version_received, destroyed;
	/* s.1: a 0666 auth-userdb socket and a foreign peer */
	bool restricted;
	uid_t peer_uid;
};

static struct auth_master_connection *master_connections;

static void auth_master_connection_destroy(struct auth_master_connection *conn,
					   const char *reason);

static void auth_master_connection_unref(struct auth_master_connection **_conn)
{
	struct auth_master_connection *conn = *_conn;

	*_conn = NULL;
	if (--conn->refcount > 0)
		return;
	p_free(system_pool, conn);
}

static void master_send(struct auth_master_connection *conn, const char *line)
{
	if (conn->destroyed)
		return;
	ostream_cork(conn->output);
	ostream_send_str(conn->output, line);
	ostream_send(conn->output, "\n", 1);
	ostream_uncork(conn->output);
}

static struct auth_request *
master_request_new(struct auth_master_connection *conn, unsigned int id)
{
	struct auth_request *request = auth_request_new(NULL, NULL);

	request->context = conn;
	request->context_id = id;
	conn->refcount++;
	return request;
}

/* Drops the request's hold on conn; returns conn if it can still be
   written to, else NULL. */
static struct auth_master_connection *
master_request_finish(struct auth_request *request)
{
	struct auth_master_connection *conn = request->context;

	request->context = NULL;
	if (conn->destroyed) {
		auth_master_connection_unref(&conn);
		return NULL;
	}
	conn->refcount--;	/* still referenced by the connection list */
	return conn;
}

static void append_userdb_reply(struct str *str, struct auth_request *request)
{
	str_append_tabescaped(str, request->user);
	auth_fields_append(request->userdb_fields, str, NULL);
}

static void master_request_userdb_callback(enum userdb_result result,
					   struct auth_request *request)
{
	struct auth_master_connection *conn = master_request_finish(request);
	struct str *str = t_str_new(256);

	if (conn != NULL) {
		if (result == USERDB_RESULT_OK) {
			str_printfa(str, "USER\t%u\t", request->context_id);
			append_userdb_reply(str, request);
			if (request->mech != NULL)
				str_printfa(str, "\tauth_mech=%s", request->mech->name);
			master_send(conn, str_c(str));
		} else if (result == USERDB_RESULT_USER_UNKNOWN) {
			master_send(conn, tmp_printf("NOTFOUND\t%u", request->context_id));
		} else {
			master_send(conn, tmp_printf("FAIL\t%u", request->context_id));
		}
	}
	auth_request_unref(&request);
}

static bool master_cmd_request(struct auth_master_connection *conn,
			       const char *const *args)
{
	unsigned int id, client_pid, client_id, session_pid, i;
	struct auth_request *request;
	const char *value;
	pid_t peer_pid;
	uid_t uid;
	gid_t gid;

	if (str_array_length(args) < 4 || auth_protocol_parse_id(args[0], &id) < 0 ||
	    str_to_uint(args[1], &client_pid) < 0 ||
	    str_to_uint(args[2], &client_id) < 0) {
		log_error("BUG: Master sent broken REQUEST");
		return false;
	}
	request = auth_request_handler_master_take(client_pid, client_id, args[3]);
	if (request == NULL) {
		log_info("Master requested unknown login %u/%u (or wrong cookie)",
			 client_pid, client_id);
		master_send(conn, tmp_printf("FAIL\t%u", id));
		return true;
	}
	for (i = 4; args[i] != NULL; i++) {
		if (str_begins(args[i], "session_pid=", &value) &&
		    str_to_uint(value, &session_pid) == 0 &&
		    net_getunixcred(conn->fd, &peer_pid, &uid, &gid) == 0 &&
		    (unsigned int)peer_pid != session_pid) {
			auth_request_log_error(request, "auth",
				"REQUEST session_pid=%u but peer pid is %ld",
				session_pid, (long)peer_pid);
			auth_request_unref(&request);
			master_send(conn, tmp_printf("FAIL\t%u", id));
			return true;
		}
	}
	request->context = conn;
	request->context_id = id;
	conn->refcount++;
	auth_request_lookup_user(request, master_request_userdb_callback);
	return true;
}

/* USER/PASS common start: "<id> <user> service=... [params]". */
static struct auth_request *
master_lookup_begin(struct auth_master_connection *conn, const char *cmd,
		    const char *const *args, bool *protocol_error_r)
{
	struct auth_request *request;
	const char *error;
	unsigned int id, i;

	*protocol_error_r = false;
	if (args[0] == NULL || args[1] == NULL ||
	    auth_protocol_parse_id(args[0], &id) < 0) {
		log_error("BUG: %s: broken %s", "auth-master", cmd);
		*protocol_error_r = true;
		return NULL;
	}
	request = master_request_new(conn, id);
	for (i = 2; args[i] != NULL; i++)
		auth_protocol_parse_param(&request->params, request->pool, args[i]);
	if (request->params.service == NULL) {
		log_error("BUG: %s without service", cmd);
		(void)master_request_finish(request);
		auth_request_unref(&request);
		*protocol_error_r = true;
		return NULL;
	}
	if (!auth_request_set_username(request, args[1], &error)) {
		auth_request_log_info(request, "auth", "%s", error);
		(void)master_request_finish(request);
		auth_request_unref(&request);
		master_send(conn, tmp_printf("NOTFOUND\t%u", id));
		return NULL;
	}
	return request;
}

static void master_user_callback(enum userdb_result result,
				 struct auth_request *request)
{
	struct auth_master_connection *conn = request->context;
	const char *uid;
	unsigned int n;

	if (result == USERDB_RESULT_OK && conn->restricted) {
		uid = auth_fields_find(request->userdb_fields, "uid");
		if (uid == NULL || str_to_uint(uid, &n) < 0 || n != conn->peer_uid) {
			auth_request_log_info(request, "auth",
				"userdb socket peer uid %lu may not see this user",
				(unsigned long)conn->peer_uid);
			conn = master_request_finish(request);
			if (conn != NULL)
				master_send(conn, tmp_printf("FAIL\t%u", request->context_id));
			auth_request_unref(&request);
			return;
		}
	}
	/* same reply as REQUEST, without auth_mech */
	master_request_userdb_callback(result, request);
}

static bool master_cmd_user(struct auth_master_connection *conn,
			    const char *const *args)
{
	struct auth_request *request;
	bool protocol_error;

	request = master_lookup_begin(conn, "USER", args, &protocol_error);
	if (request != NULL)
		auth_request_lookup_user(request, master_user_callback);
	return !protocol_error;
}

static bool auth_pass_field_is_hidden(const char *key)
{
	return strcmp(key, "nopassword") == 0 || strcmp(key, "password") == 0;
}

static void master_pass_callback(enum passdb_result result,
				 struct auth_request *request)
{
	struct auth_master_connection *conn = master_request_finish(request);
	struct str *str = t_str_new(256);
	unsigned int id = request->context_id;

	if (conn != NULL) {
		switch (result) {
		case PASSDB_RESULT_OK:
			str_printfa(str, "PASS\t%u\tuser=", id);
			str_append_tabescaped(str, request->user);
			auth_fields_append(request->extra_fields, str,
					   auth_pass_field_is_hidden);
			master_send(conn, str_c(str));
			break;
		case PASSDB_RESULT_USER_UNKNOWN:
		case PASSDB_RESULT_USER_DISABLED:
		case PASSDB_RESULT_PASS_EXPIRED:
		case PASSDB_RESULT_PASSWORD_MISMATCH:
			master_send(conn, tmp_printf("NOTFOUND\t%u", id));
			break;
		case PASSDB_RESULT_SCHEME_NOT_AVAILABLE:
			master_send(conn, tmp_printf("FAIL\t%u\treason=Configured "
				"passdbs don't support credentials lookups", id));
			break;
		case PASSDB_RESULT_INTERNAL_FAILURE:
			master_send(conn, tmp_printf("FAIL\t%u", id));
			break;
		}
	}
	auth_request_unref(&request);
}

static bool master_cmd_pass(struct auth_master_connection *conn,
			    const char *const *args)
{
	struct auth_request *request;
	bool protocol_error;
	unsigned int id;

	if (conn->restricted) {
		if (args[0] != NULL && auth_protocol_parse_id(args[0], &id) == 0)
			master_send(conn, tmp_printf("FAIL\t%u", id));
		return true;
	}
	request = master_lookup_begin(conn, "PASS", args, &protocol_error);
	if (request != NULL)
		auth_request_lookup_credentials(request, master_pass_callback);
	return !protocol_error;
}

static bool master_cmd_list(struct auth_master_connection *conn,
			    const char *const *args)
{
	struct pool *pool;
	const char *const *users, *error;
	unsigned int id, i, j;
	bool failed = conn->restricted;

	if (args[0] == NULL || auth_protocol_parse_id(args[0], &id) < 0) {
		log_error("BUG: broken LIST");
		return false;
	}
	pool = pool_create("userdb list", 1024, POOL_FLAG_NONE);
	ostream_cork(conn->output);
	for (i = 0; i < userdbs_count() && !failed; i++) {
		struct userdb_module *userdb = userdb_get(i);

		if (userdb->driver->iterate == NULL)
			continue;
		if (userdb->driver->iterate(userdb, pool, &users, &error) < 0) {
			log_error("userdb %s: LIST failed: %s", userdb->name, error);
			failed = true;
			break;
		}
		for (j = 0; users[j] != NULL; j++) {
			struct str *str = t_str_new(64);

			str_printfa(str, "LIST\t%u\t", id);
			str_append_tabescaped(str, users[j]);
			master_send(conn, str_c(str));
		}
	}
	master_send(conn, tmp_printf("DONE\t%u\t%s", id, failed ? "fail" : ""));
	ostream_uncork(conn->output);
	pool_unref(&pool);
	return true;
}

static bool master_handle_line(struct auth_master_connection *conn, const char *line)
{
	const char *const *args = tmp_strsplit_tabescaped(line);
	unsigned int minor;

	if (args[0] == NULL)
		return false;
	if (!conn->version_received) {
		if (strcmp(args[0], "VERSION") != 0 ||
		    auth_protocol_parse_version(args + 1, AUTH_MASTER_PROTOCOL_MAJOR,
						&minor) < 0) {
			log_error("Master not compatible with this server "
				  "(mixed old and new binaries?)");
			return false;
		}
		conn->version_received = true;
		return true;
	}
	if (strcmp(args[0], "USER") == 0)
		return master_cmd_user(conn, args + 1);
	if (strcmp(args[0], "PASS") == 0)
		return master_cmd_pass(conn, args + 1);
	if (strcmp(args[0], "LIST") == 0)
		return master_cmd_list(conn, args + 1);
	if (!conn->userdb_only) {
		if (strcmp(args[0], "REQUEST") == 0)
			return master_cmd_request(conn, args + 1);
		if (strcmp(args[0], "CACHE-FLUSH") == 0) {
			unsigned int id;

			if (args[1] == NULL || auth_protocol_parse_id(args[1], &id) < 0)
				return false;
			/* no auth cache yet: nothing flushed */
			master_send(conn, tmp_printf("OK\t%u\t0", id));
			return true;
		}
	}
	if (strcmp(args[0], "CPID") == 0) {
		log_error("Authentication client trying to connect to master "
			  "socket");
		return false;
	}
	log_error("BUG: Unknown command in %s socket: %s",
		  conn->userdb_only ? "userdb" : "master", auth_str_sanitize(args[0]));
	return false;
}

static void master_input(void *context)
{
	struct auth_master_connection *conn = context;
	const char *line;
	size_t len;
	ssize_t ret;

	ret = istream_read(conn->input);
	conn->refcount++;
	while (!conn->destroyed &&
	       (line = istream_next_line(conn->input, &len)) != NULL) {
		if (!master_handle_line(conn, line))
			auth_master_connection_destroy(conn, "Protocol error");
	}
	if (!conn->destroyed && conn->input->stream_errno == ENOBUFS) {
		log_error("BUG: Master sent a line longer than %d bytes",
			  AUTH_CLIENT_MAX_LINE_LENGTH);
		auth_master_connection_destroy(conn, "Line too long");
	}
	if (!conn->destroyed && ret == -1)
		auth_master_connection_destroy(conn, istream_get_error(conn->input));
	auth_master_connection_unref(&conn);
}

static void master_check_restricted(struct auth_master_connection *conn,
				    const char *socket_path)
{
	struct stat st;
	pid_t pid;
	uid_t uid;
	gid_t gid;

	if (socket_path == NULL || stat(socket_path, &st) < 0 ||
	    (st.st_mode & 0777) != 0666)
		return;
	if (net_getunixcred(conn->fd, &pid, &uid, &gid) < 0) {
		/* cannot tell who it is: assume the worst */
		conn->restricted = true;
		conn->peer_uid = (uid_t)-1;
		return;
	}
	if (uid != st.st_uid && gid != st.st_gid && uid != 0) {
		conn->restricted = true;
		conn->peer_uid = uid;
	}
}

void auth_master_connection_create(int fd, bool userdb_only,
				   const char *socket_path)
{
	struct auth_master_connection *conn =
		pool_new(system_pool, struct auth_master_connection, 1);

	conn->refcount = 1;
	conn->fd = fd;
	conn->userdb_only = userdb_only;
	if (userdb_only)
		master_check_restricted(conn, socket_path);
	conn->input = istream_create_fd(fd, AUTH_CLIENT_MAX_LINE_LENGTH + 2, false);
	conn->output = ostream_create_fd(fd, (size_t)-1, false);
	conn->io = io_add(fd, IO_READ, master_input, conn);
	conn->next = master_connections;
	if (master_connections != NULL)
		master_connections->prev = conn;
	master_connections = conn;
	master_send(conn, tmp_printf("VERSION\t%u\t%u\nSPID\t%ld",
				     AUTH_MASTER_PROTOCOL_MAJOR,
				     AUTH_MASTER_PROTOCOL_MINOR, (long)getpid()));
}

static void auth_master_connection_destroy(struct auth_master_connection *conn,
					   const char *reason)
{
	if (conn->destroyed)
		return;
	conn->destroyed = true;
	log_debug("master connection closed: %s", reason);
	if (conn->prev != NULL)
		conn->prev->next = conn->next;
	else
		master_connections = conn->next;
	if (conn->next != NULL)
		conn->next->prev = conn->prev;
	io_remove(&conn->io);
	istream_unref(&conn->input);
	ostream_destroy(&conn->output);
	if (close(conn->fd) < 0)
		log_error("close(master connection) failed: %m");
	conn->fd = -1;
	/* requests still running hold their own references */
	auth_master_connection_unref(&conn);
}

void auth_master_connections_destroy_all(void)
{
	while (master_connections != NULL)
		auth_master_connection_destroy(master_connections, "Shutting down");
}
