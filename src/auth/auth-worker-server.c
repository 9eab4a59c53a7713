/* Copyright (c) dovecot-like authors. auth-worker-server.c: the auth-worker
   process: runs the blocking work auth hands it (slow hashes, PAM, system
   passwd/shadow lookups), one line at a time, so it never stalls the auth
   event loop. */
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
#include "db-pam.h"
#include "db-passwd.h"
#include "auth-worker-server.h"

#include <time.h>
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
/* PAM requests answered; max_requests reached: BYE sent, exit once auth
   has closed every connection (master starts a new worker) */
static unsigned int pam_request_count;
static bool worker_restart_requested, worker_retiring;

static void wipe_str(const char *s)
{
	if (s != NULL)
		sodium_memzero((char *)s, strlen(s));
}

/* The reply word of a passdb result (auth-worker-client.h). */
static const char *auth_worker_result_word(enum passdb_result result)
{
	switch (result) {
	case PASSDB_RESULT_OK:
		return "OK";
	case PASSDB_RESULT_PASSWORD_MISMATCH:
		return "MISMATCH";
	case PASSDB_RESULT_USER_UNKNOWN:
		return "UNKNOWN";
	case PASSDB_RESULT_USER_DISABLED:
		return "DISABLED";
	case PASSDB_RESULT_PASS_EXPIRED:
		return "EXPIRED";
	case PASSDB_RESULT_INTERNAL_FAILURE:
	case PASSDB_RESULT_SCHEME_NOT_AVAILABLE:
		break;
	}
	return "FAIL";
}

static void auth_worker_reply_fail(struct str *reply, unsigned int id,
				   const char *error)
{
	str_printfa(reply, "FAIL\t%u\t", id);
	str_append_tabescaped(reply, error);
}

/* VERIFY <id> <user> <password> <crypted> <default-scheme> */
static void auth_worker_verify(const struct auth_worker_request *req,
			       struct str *reply)
{
	const char *const *args = req->args;
	unsigned int id = req->id;
	const char *error = NULL;
	int ret;

	ret = password_verify(args[3], args[2][0] == '\0' ? NULL : args[2],
			      args[4], args[5], &error);
	if (ret > 0)
		str_printfa(reply, "OK\t%u", id);
	else if (ret == 0)
		str_printfa(reply, "MISMATCH\t%u", id);
	else
		auth_worker_reply_fail(reply, id, error);
}

/* A passdb result with its log line and (PAM) client message. */
static void auth_worker_reply_passdb(struct str *reply, unsigned int id,
				     enum passdb_result result,
				     const char *log_msg, const char *client_msg)
{
	str_printfa(reply, "%s\t%u", auth_worker_result_word(result), id);
	if (result == PASSDB_RESULT_OK)
		return;
	str_append_c(reply, '\t');
	str_append_tabescaped(reply, log_msg == NULL ? "" : log_msg);
	if (client_msg != NULL) {
		str_append_c(reply, '\t');
		str_append_tabescaped(reply, client_msg);
	}
}

/* PAM <id> <service> <user> <password> <rip> <flags> <max_requests> */
static bool auth_worker_pam_check(struct auth_worker_request *req)
{
	const char *const *args = req->args;

	return str_to_uint(args[6], &req->pam_flags) == 0 &&
		(req->pam_flags & ~DB_PAM_FLAGS_ALL) == 0 &&
		str_to_uint(args[7], &req->pam_max_requests) == 0 &&
		args[2][0] != '\0' && args[3][0] != '\0';
}

static void auth_worker_pam(const struct auth_worker_request *req,
			    struct str *reply)
{
	const char *const *args = req->args;
	const char *log_msg, *client_msg;
	enum passdb_result result;

	result = db_pam_authenticate(args[2], args[3], args[4], args[5],
				     req->pam_flags, &log_msg, &client_msg);
	auth_worker_reply_passdb(reply, req->id, result, log_msg, client_msg);
	/* PAM modules leak: max_requests restarts the process (Dovecot) */
	pam_request_count++;
	if (req->pam_max_requests > 0 &&
	    pam_request_count >= req->pam_max_requests)
		worker_restart_requested = true;
}

/* SHADOW <id> <user> <password>, PASSWD <id> <user>: a user name */
static bool auth_worker_user_check(struct auth_worker_request *req)
{
	return req->args[2][0] != '\0';
}

static void auth_worker_shadow(const struct auth_worker_request *req,
			       struct str *reply)
{
	const char *log_msg = NULL;
	enum passdb_result result;

	result = db_shadow_verify(req->args[2], req->args[3], time(NULL),
				  &log_msg);
	auth_worker_reply_passdb(reply, req->id, result, log_msg, NULL);
}

/* PASSWD <id> <user> -> OK <id> <uid> <gid> <home> | UNKNOWN <id> */
static void auth_worker_passwd(const struct auth_worker_request *req,
			       struct str *reply)
{
	const char *const *args = req->args;
	unsigned int id = req->id;
	const char *home, *error;
	uid_t uid;
	gid_t gid;
	int ret;

	ret = db_passwd_lookup(args[2], &uid, &gid, &home, &error);
	if (ret < 0)
		auth_worker_reply_fail(reply, id, error);
	else if (ret == 0)
		str_printfa(reply, "UNKNOWN\t%u", id);
	else {
		str_printfa(reply, "OK\t%u\t%lu\t%lu\t", id,
			    (unsigned long)uid, (unsigned long)gid);
		str_append_tabescaped(reply, home);
	}
}

static const struct {
	const char *name;
	unsigned int argc;	/* including the name and id */
	/* the fields' syntax (NULL: any), before anything runs */
	bool (*check)(struct auth_worker_request *req);
	void (*handle)(const struct auth_worker_request *req,
		       struct str *reply);
} auth_worker_commands[] = {
	{ "VERIFY", 6, NULL, auth_worker_verify },
	{ "PAM", 8, auth_worker_pam_check, auth_worker_pam },
	{ "SHADOW", 4, auth_worker_user_check, auth_worker_shadow },
	{ "PASSWD", 3, auth_worker_user_check, auth_worker_passwd },
};

void auth_worker_request_wipe(struct auth_worker_request *req)
{
	unsigned int i;

	for (i = 2; i < req->argc; i++)
		wipe_str(req->args[i]);
}

bool auth_worker_request_parse(char *line, struct auth_worker_request *req_r)
{
	unsigned int i;

	memset(req_r, 0, sizeof(*req_r));
	req_r->args = tmp_strsplit_tabescaped(line);
	req_r->argc = str_array_length(req_r->args);
	sodium_memzero(line, strlen(line));
	if (req_r->args[0] == NULL || req_r->args[1] == NULL ||
	    str_to_uint(req_r->args[1], &req_r->id) < 0) {
		auth_worker_request_wipe(req_r);
		return false;
	}
	for (i = 0; i < N_ELEMENTS(auth_worker_commands); i++) {
		if (strcmp(req_r->args[0], auth_worker_commands[i].name) == 0)
			break;
	}
	req_r->command = i;
	if (i == N_ELEMENTS(auth_worker_commands)) {
		req_r->error = tmp_printf("Unknown auth-worker command %s",
					  req_r->args[0]);
	} else if (req_r->argc != auth_worker_commands[i].argc ||
		   (auth_worker_commands[i].check != NULL &&
		    !auth_worker_commands[i].check(req_r))) {
		req_r->error = tmp_printf("Malformed %s request",
					  req_r->args[0]);
	}
	return true;
}

bool auth_worker_server_handle_line(char *line, struct str *reply)
{
	struct auth_worker_request req;

	if (!auth_worker_request_parse(line, &req))
		return false;
	if (req.error != NULL)
		auth_worker_reply_fail(reply, req.id, req.error);
	else
		auth_worker_commands[req.command].handle(&req, reply);
	/* every field is wiped: a password may sit anywhere in a bad line */
	auth_worker_request_wipe(&req);
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
	if (worker_retiring && conns == NULL)
		io_loop_stop(current_ioloop);
}

/* max_requests reached: tell every auth connection "BYE" (auth sends no
   more requests on it and closes it once answered) and accept no more. */
static void auth_worker_retire(void)
{
	struct auth_worker_conn *conn;
	struct auth_worker_listener *l;

	worker_retiring = true;
	for (l = listeners; l != NULL; l = l->next)
		io_remove(&l->io);
	for (conn = conns; conn != NULL; conn = conn->next)
		ostream_send(conn->output, "BYE\n", 4);
}

static void auth_worker_conn_input(void *context)
{
	struct auth_worker_conn *conn = context;
	struct str *reply;
	const char *line;
	size_t len;
	ssize_t ret;
	bool ok;

	ret = istream_read(conn->input);
	ostream_cork(conn->output);
	while ((line = istream_next_line(conn->input, &len)) != NULL) {
		reply = t_str_new(128);
		ok = auth_worker_server_handle_line((char *)line, reply);
		/* handle_line() wipes up to a NUL; auth sends none, but the
		   rest of a broken line may hold a password too */
		sodium_memzero((char *)line, len);
		if (!ok) {
			log_error("auth sent a broken worker request");
			auth_worker_conn_destroy(conn);
			return;
		}
		str_append_c(reply, '\n');
		ostream_send(conn->output, str_data(reply), str_len(reply));
	}
	ostream_uncork(conn->output);
	if (worker_restart_requested && !worker_retiring)
		auth_worker_retire();
	if (ret == -1 || conn->input->stream_errno != 0)
		auth_worker_conn_destroy(conn);
}

bool auth_worker_server_restart_requested(void)
{
	return worker_restart_requested;
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
