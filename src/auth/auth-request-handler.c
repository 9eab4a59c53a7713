/* Copyright (c) dovecot-like authors. auth-request-handler.c: the requests of
   one client connection, their replies and failure delay, and the table of
   finished logins that a post-login worker picks up with REQUEST. */
#include "lib.h"
#include "base64.h"
#include "hash.h"
#include "ioloop.h"
#include "net.h"
#include "str.h"
#include "strescape.h"
#include "auth-common.h"
#include "auth-settings.h"
#include "auth-fields.h"
#include "auth-protocol.h"
#include "auth-request.h"
#include "auth-client-connection.h"
#include "mech.h"
#include "password-scheme.h"
#include "auth-penalty-policy.h"
#include "auth-penalty.h"
#include "auth-request-handler.h"

struct auth_request_handler {
	struct auth_client_connection *conn;
	struct hash_table *requests;	/* id -> struct auth_request */
};

/* A finished login waiting for the master's REQUEST. */
struct auth_master_pending {
	struct auth_request *request;
	unsigned int pid, id;
	char cookie[AUTH_COOKIE_SIZE * 2 + 1];
	struct timeout *to;
	char *key;
};

/* "id/cookie" -> pending. Keyed by the cookie, not the login's pid: our
   handoff does not carry the login process's pid, and the 128-bit cookie is
   what proves the REQUEST comes from whoever the login process trusted. */
static struct hash_table *master_pending;

struct auth_request_handler *
auth_request_handler_create(struct auth_client_connection *conn)
{
	struct auth_request_handler *handler =
		pool_new(conn->pool, struct auth_request_handler, 1);

	handler->conn = conn;
	handler->requests = hash_table_create_direct(conn->pool, 16);
	return handler;
}

/* Forget request: no more replies for it go to the client. */
static void auth_request_handler_remove(struct auth_request_handler *handler,
					struct auth_request *request)
{
	ASSERT(request->handler == handler);
	hash_table_remove(handler->requests, POINTER_CAST(request->id));
	request->handler = NULL;
	timeout_remove(&request->to_abort);
	timeout_remove(&request->to_delay);
	timeout_remove(&request->to_penalty);
	auth_request_unref(&request);
}

void auth_request_handler_destroy(struct auth_request_handler **_handler)
{
	struct auth_request_handler *handler = *_handler;
	struct hash_iterate *iter;
	void *key, *value;

	*_handler = NULL;
	iter = hash_table_iterate_init(handler->requests);
	while (hash_table_iterate(iter, &key, &value))
		auth_request_handler_remove(handler, value);
	hash_table_iterate_deinit(&iter);
	hash_table_destroy(&handler->requests);
}

static void auth_request_timeout(void *context)
{
	struct auth_request *request = context;

	/* s.3.5: dropped silently; a later CONT hears "timed out" */
	auth_request_log_info(request, "auth", "Request timed out");
	auth_request_handler_remove(request->handler, request);
}

static void
auth_request_handler_send_fail(struct auth_request_handler *handler,
			       unsigned int id, const char *code, const char *reason)
{
	struct str *str = t_str_new(128);

	str_printfa(str, "FAIL\t%u", id);
	if (code != NULL)
		str_printfa(str, "\tcode=%s", code);
	if (reason != NULL) {
		str_append(str, "\treason=");
		str_append_tabescaped(str, reason);
	}
	auth_client_connection_send(handler->conn, str_c(str));
}

static bool auth_request_is_secured(const struct auth_request *request)
{
	const struct auth_client_params *p = &request->params;

	if (p->secured || net_ip_is_loopback(&p->remote_ip))
		return true;
	/* Dovecot: a client on the server's own address is local */
	if (p->remote_ip.family == 0 || p->remote_ip.family != p->local_ip.family)
		return false;
	if (p->remote_ip.family == AF_INET)
		return p->remote_ip.u.ip4.s_addr == p->local_ip.u.ip4.s_addr;
	return memcmp(&p->remote_ip.u.ip6, &p->local_ip.u.ip6,
		      sizeof(p->remote_ip.u.ip6)) == 0;
}

static void auth_request_handler_start(struct auth_request *request)
{
	struct buf *buf;

	if (!request->params.have_initial_resp) {
		request->mech->auth_initial(request, false, NULL, 0);
		return;
	}
	buf = buf_create(request->pool, strlen(request->params.initial_resp));
	if (base64_decode(request->params.initial_resp,
			  strlen(request->params.initial_resp), buf) < 0) {
		auth_request_handler_send_fail(request->handler, request->id,
			"invalid_base64", "Invalid base64 data in initial response");
		auth_request_handler_remove(request->handler, request);
		return;
	}
	request->mech->auth_initial(request, true, buf->data, buf->used);
}

static void auth_request_penalty_waited(void *context)
{
	struct auth_request *request = context;

	timeout_remove(&request->to_penalty);
	auth_request_ref(request);
	auth_request_handler_start(request);
	auth_request_unref(&request);
}

/* Dovecot's auth penalty: a request from an IP that failed recently starts
   only after the penalty's delay; the loop keeps running meanwhile. */
static void auth_request_penalty_callback(struct auth_request *request,
					  unsigned int penalty,
					  time_t last_penalty)
{
	unsigned int secs;

	if (request->handler == NULL)
		return;	/* cancelled or timed out while we asked anvil */
	secs = auth_penalty_delay_secs(penalty, last_penalty, ioloop_time);
	request->penalty_checked = true;
	request->penalty_stored = penalty > 0;
	request->penalty = secs > 0 ? penalty : 0;
	if (secs == 0) {
		auth_request_penalty_waited(request);
		return;
	}
	auth_request_log_debug(request, "penalty",
			       "Delaying the request by %u secs (penalty %u)",
			       secs, penalty);
	request->to_penalty = timeout_add(secs * 1000,
					  auth_request_penalty_waited, request);
}

bool auth_request_handler_auth_begin(struct auth_request_handler *handler,
				     const char *const *args)
{
	struct auth_client_connection *conn = handler->conn;
	struct auth_client_params params;
	const struct mech_module *mech;
	struct auth_request *request;
	const char *error;

	request = auth_request_new(handler, NULL);
	if (auth_protocol_parse_auth(args, conn->version_minor, request->pool,
				     &params, &error) < 0) {
		log_error("BUG: Authentication client %u: %s", conn->pid, error);
		auth_request_unref(&request);
		return false;
	}
	mech = mech_find(params.mech);
	if (mech == NULL) {
		log_error("BUG: Authentication client %u requested unsupported "
			  "authentication mechanism %s", conn->pid, params.mech);
		auth_request_unref(&request);
		return false;
	}
	if (hash_table_lookup(handler->requests, POINTER_CAST(params.id)) != NULL) {
		log_error("BUG: Authentication client %u sent a duplicate ID %u",
			  conn->pid, params.id);
		auth_request_unref(&request);
		return false;
	}
	request->mech = mech;
	request->params = params;
	request->id = params.id;
	if (hash_table_count(handler->requests) >= AUTH_CLIENT_MAX_PENDING_REQUESTS) {
		log_error("Authentication client %u has too many pending requests",
			  conn->pid);
		auth_request_handler_send_fail(handler, params.id, "temp_fail",
					       AUTH_TEMP_FAIL_REASON);
		auth_request_unref(&request);
		return true;
	}
	hash_table_insert(handler->requests, POINTER_CAST(request->id), request);
	request->to_abort = timeout_add(AUTH_REQUEST_TIMEOUT_SECS * 1000,
					auth_request_timeout, request);

	if (conn->login_type && auth_set->disable_plaintext_auth &&
	    (mech->flags & MECH_SEC_PLAINTEXT) != 0 &&
	    !auth_request_is_secured(request)) {
		/* login processes refuse this already; a second line of
		   defence for requests that finish a login */
		auth_request_log_info(request, "auth",
				      "Plaintext authentication disabled");
		auth_request_fail_with_reason(request, NULL,
					      "Plaintext authentication disabled.");
		return true;
	}
	if (auth_set->ssl_require_client_cert &&
	    !request->params.valid_client_cert) {
		/* Dovecot's auth_ssl_require_client_cert check and text */
		auth_request_log_info(request, "auth",
				      "Client didn't present valid SSL certificate");
		auth_request_fail_with_reason(request, NULL,
			"Client didn't present valid SSL certificate");
		return true;
	}
	if (auth_set->ssl_username_from_cert &&
	    request->params.valid_client_cert &&
	    request->params.cert_username != NULL &&
	    request->params.cert_username[0] != '\0') {
		/* the certificate's name wins over the mechanism's */
		if (!auth_request_set_username(request,
					       request->params.cert_username,
					       &error)) {
			auth_request_log_info(request, "auth",
				"Invalid cert_username: %s", error);
			auth_request_fail(request);
			return true;
		}
		request->cert_username = true;
	}
	if (auth_penalty_is_applicable(request)) {
		auth_penalty_lookup(request, auth_request_penalty_callback);
		return true;
	}
	auth_request_ref(request);
	auth_request_handler_start(request);
	auth_request_unref(&request);
	return true;
}

bool auth_request_handler_auth_continue(struct auth_request_handler *handler,
					const char *const *args)
{
	struct auth_request *request;
	unsigned int id;
	struct buf *buf;

	if (args[0] == NULL || args[1] == NULL ||
	    auth_protocol_parse_id(args[0], &id) < 0) {
		log_error("BUG: Authentication client %u sent broken CONT",
			  handler->conn->pid);
		return false;
	}
	request = hash_table_lookup(handler->requests, POINTER_CAST(id));
	if (request == NULL) {
		auth_request_handler_send_fail(handler, id, NULL,
			"Authentication request timed out");
		return true;
	}
	if (!request->waiting_continue) {
		auth_request_handler_send_fail(handler, id, NULL,
					       "Unexpected continuation");
		auth_request_handler_remove(handler, request);
		return true;
	}
	buf = buf_create(request->pool, strlen(args[1]));
	if (base64_decode(args[1], strlen(args[1]), buf) < 0) {
		auth_request_handler_send_fail(handler, id, "invalid_base64",
			"Invalid base64 data in continued response");
		auth_request_handler_remove(handler, request);
		return true;
	}
	request->waiting_continue = false;
	auth_request_ref(request);
	request->mech->auth_continue(request, buf->data, buf->used);
	auth_request_unref(&request);
	return true;
}

void auth_request_handler_cancel(struct auth_request_handler *handler,
				 const char *const *args)
{
	struct auth_request *request;
	unsigned int id;

	if (auth_protocol_parse_id(args[0], &id) < 0)
		return;
	request = hash_table_lookup(handler->requests, POINTER_CAST(id));
	if (request != NULL)
		auth_request_handler_remove(handler, request);
}

/* --- the master's REQUEST table --- */

static void auth_master_pending_free(struct auth_master_pending *pending)
{
	hash_table_remove(master_pending, pending->key);
	timeout_remove(&pending->to);
	auth_request_unref(&pending->request);
	p_free(system_pool, pending->key);
	p_free(system_pool, pending);
}

static void auth_master_pending_expire(void *context)
{
	struct auth_master_pending *pending = context;

	auth_request_log_info(pending->request, "auth",
			      "Login was never picked up by a REQUEST");
	auth_master_pending_free(pending);
}

static void auth_master_pending_add(struct auth_request *request)
{
	struct auth_client_connection *conn = request->handler->conn;
	struct auth_master_pending *pending, *old;

	if (master_pending == NULL)
		master_pending = hash_table_create_str(system_pool, 64);
	pending = pool_new(system_pool, struct auth_master_pending, 1);
	pending->pid = conn->pid;
	pending->id = request->id;
	memcpy(pending->cookie, conn->cookie, sizeof(pending->cookie));
	pending->key = p_printf(system_pool, "%u/%s", request->id, conn->cookie);
	old = hash_table_lookup(master_pending, pending->key);
	if (old != NULL)
		auth_master_pending_free(old);
	auth_request_ref(request);
	pending->request = request;
	pending->to = timeout_add(AUTH_MASTER_REQUEST_EXPIRE_SECS * 1000,
				  auth_master_pending_expire, pending);
	hash_table_insert(master_pending, pending->key, pending);
}

struct auth_request *
auth_request_handler_master_take(unsigned int client_pid, unsigned int id,
				 const char *cookie)
{
	struct auth_master_pending *pending;
	struct auth_request *request;
	bool cookie_ok;

	if (master_pending == NULL)
		return NULL;
	pending = hash_table_lookup(master_pending, tmp_printf("%u/%s", id, cookie));
	if (pending == NULL)
		return NULL;
	/* client_pid 0: the caller does not know the login's pid */
	cookie_ok = password_equals(cookie, strlen(cookie), pending->cookie,
				    strlen(pending->cookie)) &&
		(client_pid == 0 || client_pid == pending->pid);
	request = pending->request;
	auth_request_ref(request);
	/* single use, also after a wrong cookie */
	auth_master_pending_free(pending);
	if (!cookie_ok) {
		auth_request_unref(&request);
		return NULL;
	}
	return request;
}

void auth_request_handlers_deinit(void)
{
	struct hash_iterate *iter;
	void *key, *value;

	if (master_pending == NULL)
		return;
	iter = hash_table_iterate_init(master_pending);
	while (hash_table_iterate(iter, &key, &value))
		auth_master_pending_free(value);
	hash_table_iterate_deinit(&iter);
	hash_table_destroy(&master_pending);
}

/* --- replies --- */

static bool auth_reply_field_is_hidden(const char *key)
{
	static const char *const hidden[] = {
		"nopassword", "allow_nets", "allow_real_nets", "noauthenticate",
		"fail", "delay_until", "login_user", "k5principals", "password",
		"nodelay",
	};
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(hidden); i++) {
		if (strcmp(hidden[i], key) == 0)
			return true;
	}
	return false;
}

static void auth_request_delayed_send(void *context)
{
	struct auth_request *request = context;
	struct auth_request_handler *handler = request->handler;

	timeout_remove(&request->to_delay);
	auth_client_connection_send(handler->conn, request->delayed_reply);
	auth_request_handler_remove(handler, request);
}

/* auth_failure_delay: the answer waits, the loop does not. */
static void auth_request_handler_send_final(struct auth_request *request,
					    const char *line, bool delay)
{
	struct auth_request_handler *handler = request->handler;

	if (!delay || auth_set->failure_delay_msecs == 0 ||
	    auth_fields_exists(request->extra_fields, "nodelay")) {
		auth_client_connection_send(handler->conn, line);
		auth_request_handler_remove(handler, request);
		return;
	}
	request->delayed_reply = p_strdup(request->pool, line);
	timeout_remove(&request->to_abort);
	request->to_delay = timeout_add(auth_set->failure_delay_msecs,
					auth_request_delayed_send, request);
}

void auth_request_handler_reply(struct auth_request *request,
				enum auth_client_result result,
				const unsigned char *data, size_t size,
				const char *code, const char *reason)
{
	struct auth_request_handler *handler = request->handler;
	const char *user = request->user != NULL ? request->user :
		request->original_username;
	struct str *str;
	struct buf *b64;
	bool nologin;

	if (handler == NULL || request->finished) {
		/* the client went away or the request timed out */
		return;
	}
	str = t_str_new(256);
	switch (result) {
	case AUTH_CLIENT_RESULT_CONTINUE:
		b64 = buf_create(tmp_pool, BASE64_ENCODED_SIZE(size) + 1);
		base64_encode(data, size, b64);
		str_printfa(str, "CONT\t%u\t", request->id);
		str_append_n(str, b64->data, b64->used);
		request->waiting_continue = true;
		auth_client_connection_send(handler->conn, str_c(str));
		return;
	case AUTH_CLIENT_RESULT_SUCCESS:
		request->finished = true;
		request->successful = true;
		str_printfa(str, "OK\t%u\tuser=", request->id);
		str_append_tabescaped(str, request->user);
		auth_fields_append(request->extra_fields, str,
				   auth_reply_field_is_hidden);
		nologin = auth_fields_exists(request->extra_fields, "nologin") ||
			auth_fields_exists(request->extra_fields, "proxy") ||
			auth_fields_exists(request->extra_fields, "proxy_maybe");
		auth_request_log_debug(request, "auth", "Authenticated");
		if (request->penalty_checked && request->penalty_stored)
			auth_penalty_update(request, true);
		if (handler->conn->login_type && !nologin)
			auth_master_pending_add(request);
		/* nologin is a refusal: it waits like a failure, so the
		   timing does not tell that the password was right */
		auth_request_handler_send_final(request, str_c(str),
			auth_fields_exists(request->extra_fields, "nologin"));
		return;
	case AUTH_CLIENT_RESULT_FAILURE:
	case AUTH_CLIENT_RESULT_FAILURE_TEMP:
		request->finished = true;
		str_printfa(str, "FAIL\t%u", request->id);
		if (user != NULL) {
			str_append(str, "\tuser=");
			str_append_tabescaped(str, user);
		}
		if (code != NULL)
			str_printfa(str, "\tcode=%s", code);
		if (reason == NULL)
			reason = auth_fields_find(request->extra_fields, "reason");
		if (reason != NULL) {
			str_append(str, "\treason=");
			str_append_tabescaped(str, reason);
		}
		auth_request_log_info(request, "auth", "%s",
			result == AUTH_CLIENT_RESULT_FAILURE ?
			"Authentication failed" : "Temporary authentication failure");
		/* a temporary failure is ours, not a wrong guess; nodelay
		   (passdb extra field) exempts from the penalty as in Dovecot */
		if (result == AUTH_CLIENT_RESULT_FAILURE && request->penalty_checked &&
		    !auth_fields_exists(request->extra_fields, "nodelay"))
			auth_penalty_update(request, false);
		auth_request_handler_send_final(request, str_c(str),
			result == AUTH_CLIENT_RESULT_FAILURE);
		return;
	}
}
