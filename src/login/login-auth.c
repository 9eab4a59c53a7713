/* Copyright (c) dovecot-like authors. Authentication of login clients: the
   login process never sees a password database, it only relays SASL between
   the client and the auth server and turns the verdict into a reply. */

#include "lib.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "strfuncs.h"
#include "auth-client.h"
#include "login-client.h"
#include "login-auth.h"
#include "login-handoff-client.h"

#include <strings.h>

struct auth_client *login_auth_client = NULL;

/* The auth client API answers "is mech X offered?", so we ask about every
   mechanism the 2.3 auth server knows, in Dovecot's advertising order. */
static const struct {
	const char *name;
	bool plaintext;
} login_auth_mechs[] = {
	{ "PLAIN", true }, { "LOGIN", true }, { "CRAM-MD5", false },
	{ "DIGEST-MD5", false }, { "SCRAM-SHA-1", false },
	{ "SCRAM-SHA-256", false }, { "NTLM", false }, { "GSS-SPNEGO", false },
	{ "GSSAPI", false }, { "OTP", false }, { "ANONYMOUS", false },
	{ "EXTERNAL", false }, { "OAUTHBEARER", true }, { "XOAUTH2", true },
};

static void login_auth_connected(struct auth_client *auth ATTR_UNUSED,
				 void *context ATTR_UNUSED)
{
	clients_notify_auth_connected();
}

void login_auth_init(const char *socket_path)
{
	login_auth_client = auth_client_init(socket_path, login_auth_connected,
					     NULL);
}

void login_auth_deinit(void)
{
	auth_client_deinit(&login_auth_client);
}

static int login_auth_mech_idx(const char *mech)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(login_auth_mechs); i++) {
		if (strcasecmp(login_auth_mechs[i].name, mech) == 0)
			return (int)i;
	}
	return -1;
}

bool login_auth_mech_is_plaintext(const char *mech)
{
	int idx = login_auth_mech_idx(mech);

	return idx >= 0 && login_auth_mechs[idx].plaintext;
}

const char *const *client_auth_get_mechs(const struct client *client)
{
	const char **mechs;
	unsigned int i, count = 0;

	mechs = t_new(const char *, N_ELEMENTS(login_auth_mechs) + 1);
	/* imap-capabilities.md 1.1: ssl = required and not secured, no
	   AUTH= at all */
	if (!client->secured && login_set.ssl == LOGIN_SSL_REQUIRED)
		return mechs;
	for (i = 0; i < N_ELEMENTS(login_auth_mechs); i++) {
		if (!auth_client_has_mech(login_auth_client,
					  login_auth_mechs[i].name))
			continue;
		/* RFC 3501 6.2.2 / Dovecot: plaintext mechanisms are hidden
		   where plaintext auth is refused */
		if (login_auth_mechs[i].plaintext &&
		    !client_plaintext_allowed(client))
			continue;
		/* RFC 4422 A: EXTERNAL only means something with a verified
		   client certificate */
		if (strcmp(login_auth_mechs[i].name, "EXTERNAL") == 0 &&
		    !client_has_valid_client_cert(client))
			continue;
		mechs[count++] = login_auth_mechs[i].name;
	}
	return mechs;
}

void client_auth_result(struct client *client, enum client_auth_result result,
			const char *text)
{
	bool failure = false;

	client->authenticating = false;
	client->auth_waiting_client = false;
	switch (result) {
	case CLIENT_AUTH_RESULT_FAILED:
	case CLIENT_AUTH_RESULT_NOLOGIN:
	case CLIENT_AUTH_RESULT_AUTHZFAILED:
	case CLIENT_AUTH_RESULT_USER_DISABLED:
	case CLIENT_AUTH_RESULT_PASS_EXPIRED:
		failure = true;
		break;
	default:
		break;
	}

	client_ref(client);
	ostream_cork(client->output);
	login_binary->auth_result(client, result, text);
	ostream_uncork(client->output);
	if (failure && ++client->auth_failures >= CLIENT_MAX_AUTH_FAILURES) {
		client_disconnect(client, CLIENT_DISCONNECT_TOO_MANY_FAILURES,
				  "Too many authentication failures");
	}
	if (!client->destroyed) {
		client_output_check(client);
		client_input_unblock(client);
	}
	client_unref(&client);
}

static const char *auth_args_get(const char *const *args, const char *key)
{
	const char *value;

	for (; args != NULL && *args != NULL; args++) {
		if (str_begins(*args, key, &value) && *value == '=')
			return value + 1;
		if (strcmp(*args, key) == 0)
			return "";
	}
	return NULL;
}

static void client_auth_failed(struct client *client, const char *const *args)
{
	const char *code = auth_args_get(args, "code");
	const char *reason = auth_args_get(args, "reason");
	const char *user = auth_args_get(args, "user");
	enum client_auth_result result = CLIENT_AUTH_RESULT_FAILED;

	if (user != NULL && user[0] != '\0')
		client_set_auth_user(client, user, strlen(user));
	if (code == NULL)
		code = "";
	/* 2.3 sends code=..., 2.2 bare flags */
	if (strcmp(code, "temp_fail") == 0 || auth_args_get(args, "temp") != NULL)
		result = CLIENT_AUTH_RESULT_TEMPFAIL;
	else if (strcmp(code, "authz_fail") == 0 ||
		 auth_args_get(args, "authz") != NULL)
		result = CLIENT_AUTH_RESULT_AUTHZFAILED;
	else if (strcmp(code, "user_disabled") == 0 ||
		 auth_args_get(args, "user_disabled") != NULL)
		result = CLIENT_AUTH_RESULT_USER_DISABLED;
	else if (strcmp(code, "pass_expired") == 0 ||
		 auth_args_get(args, "pass_expired") != NULL)
		result = CLIENT_AUTH_RESULT_PASS_EXPIRED;
	if (reason != NULL && reason[0] == '\0')
		reason = NULL;
	client_auth_result(client, result, reason);
}

static void client_auth_succeeded(struct client *client, unsigned int auth_id,
				  const char *const *args)
{
	const char *user = auth_args_get(args, "user");
	const char *reason = auth_args_get(args, "reason");

	if (user == NULL || user[0] == '\0') {
		log_error("Auth server sent OK without user=");
		client_auth_result(client, CLIENT_AUTH_RESULT_TEMPFAIL, NULL);
		return;
	}
	client_set_auth_user(client, user, strlen(user));
	if (auth_args_get(args, "nologin") != NULL) {
		/* password was right, but the user may not log in */
		client_auth_result(client, CLIENT_AUTH_RESULT_NOLOGIN,
				   reason != NULL && reason[0] != '\0' ?
				   reason : NULL);
		return;
	}
	if (auth_args_get(args, "proxy") != NULL ||
	    auth_args_get(args, "proxy_maybe") != NULL ||
	    auth_args_get(args, "host") != NULL) {
		log_error("user %s: passdb requested proxying, "
			  "which is not supported", user);
		client_auth_result(client, CLIENT_AUTH_RESULT_TEMPFAIL, NULL);
		return;
	}
	client->authenticating = false;
	login_handoff_client_start(client, user, auth_id);
}

/* Forgets the request auth hasn't answered yet (wiping its response, which
   may carry a password). */
static void client_auth_pending_clear(struct client *client)
{
	if (client->auth_pending_resp != NULL) {
		safe_memzero(client->auth_pending_resp,
			     strlen(client->auth_pending_resp));
		client->auth_pending_resp = NULL;
	}
	client->auth_pending_mech = NULL;
}

static void client_auth_wait(struct client *client);

/* auth went away before answering: nothing of the exchange reached the
   client yet, so the request can start again on the next auth process
   (the usual case being a reload restarting auth). Once per attempt. */
static bool client_auth_retry(struct client *client)
{
	if (client->auth_pending_mech == NULL || client->auth_retried)
		return false;
	client->auth_retried = true;
	client->auth_attempts--;	/* the retry counts it again */
	client->authenticating = false;
	log_info("Authentication server went away, retrying the request");
	client_auth_wait(client);
	return true;
}

static void client_auth_callback(struct auth_client_request *request,
				 enum auth_request_status status,
				 const char *data_base64,
				 const char *const *args, void *context)
{
	struct client *client = context;

	if (status != AUTH_REQUEST_STATUS_CONTINUE)
		client->auth_request = NULL;	/* freed after we return */
	if (status == AUTH_REQUEST_STATUS_INTERNAL_FAIL && client_auth_retry(client))
		return;
	client_auth_pending_clear(client);
	client->auth_retried = false;
	switch (status) {
	case AUTH_REQUEST_STATUS_CONTINUE:
		client->auth_waiting_client = true;
		login_binary->auth_send_challenge(client,
			data_base64 != NULL ? data_base64 : "");
		client_output_check(client);
		client_input_unblock(client);
		break;
	case AUTH_REQUEST_STATUS_OK:
		client_auth_succeeded(client, auth_client_request_get_id(request),
				      args);
		break;
	case AUTH_REQUEST_STATUS_FAIL:
		client_auth_failed(client, args);
		break;
	case AUTH_REQUEST_STATUS_INTERNAL_FAIL:
		log_error("Authentication server unavailable for the request");
		client_auth_result(client, CLIENT_AUTH_RESULT_TEMPFAIL, NULL);
		break;
	}
}

/* How long a login waits for a restarting auth process. */
#define LOGIN_AUTH_WAIT_MSECS (30 * 1000)

static void client_auth_wait_timeout(void *context)
{
	struct client *client = context;

	timeout_remove(&client->to_auth_wait);
	client_auth_pending_clear(client);
	client_auth_result(client, CLIENT_AUTH_RESULT_TEMPFAIL, NULL);
}

/* The pending request waits for auth to (re)connect. */
static void client_auth_wait(struct client *client)
{
	client_input_block(client);
	client->to_auth_wait = timeout_add(LOGIN_AUTH_WAIT_MSECS,
					   client_auth_wait_timeout, client);
}

static void client_auth_send(struct client *client);

void client_auth_resume(struct client *client)
{
	if (client->to_auth_wait == NULL)
		return;
	timeout_remove(&client->to_auth_wait);
	client_auth_send(client);
}

void client_auth_abort_wait(struct client *client)
{
	timeout_remove(&client->to_auth_wait);
	client_auth_pending_clear(client);
}

void client_auth_begin(struct client *client, const char *mech,
		       const char *initial_resp_base64)
{
	client_auth_pending_clear(client);
	client->auth_pending_mech = p_strdup(client->pool, mech);
	client->auth_pending_resp = p_strdup(client->pool, initial_resp_base64);
	client_auth_send(client);
}

/* Sends the pending request to auth (or waits for auth to be back). */
static void client_auth_send(struct client *client)
{
	const char *mech = client->auth_pending_mech;
	struct auth_request_info info;
	int idx;

	ASSERT(client->auth_request == NULL);
	if (!auth_client_is_connected(login_auth_client)) {
		client_auth_wait(client);
		return;
	}
	if (!client->secured && login_set.ssl == LOGIN_SSL_REQUIRED) {
		/* Dovecot: counted as an attempt, whatever the mechanism */
		client->auth_attempts++;
		client->auth_started = ioloop_time;
		client_auth_pending_clear(client);
		client_auth_result(client, CLIENT_AUTH_RESULT_SSL_REQUIRED, NULL);
		return;
	}
	/* requesting a mechanism auth does not offer makes it drop the whole
	   connection (auth-protocol.md 3.1), so check first */
	idx = login_auth_mech_idx(mech);
	if (idx < 0 || !auth_client_has_mech(login_auth_client,
					     login_auth_mechs[idx].name)) {
		client_auth_pending_clear(client);
		client_auth_result(client, CLIENT_AUTH_RESULT_MECH_UNSUPPORTED, NULL);
		return;
	}
	if (login_auth_mechs[idx].plaintext && !client_plaintext_allowed(client)) {
		client->auth_plaintext_refused = true;
		client_auth_pending_clear(client);
		client_auth_result(client, CLIENT_AUTH_RESULT_PRIVACY_REQUIRED, NULL);
		return;
	}

	client->auth_attempts++;
	client->auth_started = ioloop_time;
	client->auth_mech = login_auth_mechs[idx].name;	/* static */
	client->authenticating = true;
	client_input_block(client);

	memset(&info, 0, sizeof(info));
	info.mech = login_auth_mechs[idx].name;
	info.service = login_binary->protocol;
	info.local_ip = client->local_ip;
	info.remote_ip = client->remote_ip;
	info.local_port = client->local_port;
	info.remote_port = client->remote_port;
	info.secured = client->secured;
	info.tls = client->tls;
	info.valid_client_cert = client_has_valid_client_cert(client);
	info.no_penalty = client->trusted;
	if (login_set.auth_ssl_username_from_cert)
		info.cert_username = client_get_cert_username(client);
	info.local_name = client_get_local_name(client);
	info.initial_resp_base64 = client->auth_pending_resp;
	client->auth_request = auth_client_request_new(login_auth_client, &info,
						       client_auth_callback, client);
}

bool client_auth_read_response(struct client *client)
{
	const char *line;
	size_t len;

	ASSERT(client->auth_waiting_client);
	if ((line = istream_next_line(client->input, &len)) == NULL)
		return false;
	client->auth_waiting_client = false;
	if (len == 1 && line[0] == '*') {
		/* RFC 4959 / RFC 5034: the client cancels */
		auth_client_request_abort(&client->auth_request);
		client_auth_pending_clear(client);
		client_auth_result(client, CLIENT_AUTH_RESULT_ABORTED, NULL);
		return true;
	}
	client_input_block(client);
	auth_client_request_continue(client->auth_request, line);
	/* the response may carry a password */
	safe_memzero((char *)line, len);
	return true;
}
