/* Copyright (c) dovecot-like authors. The POP3 side of pop3-login: line
   input, and wording greetings, auth results and disconnects the way
   Dovecot's pop3-login does (RFC 1939, RFC 2449 and RFC 3206 codes). */

#include "lib.h"
#include "istream.h"
#include "ostream.h"
#include "str.h"
#include "login-auth.h"
#include "pop3-login-client.h"

static void pop3_client_init(struct client *client ATTR_UNUSED)
{
}

static void pop3_client_deinit(struct client *client ATTR_UNUSED)
{
}

static void pop3_client_send_greeting(struct client *client)
{
	client_send_line(client, tmp_printf("+OK %s", login_set.greeting));
}

static void pop3_client_input(struct client *client)
{
	struct pop3_client *pc = (struct pop3_client *)client;
	char *line, *args;
	const char *cmd;
	size_t len;

	while (!client->destroyed && !client->input_blocked) {
		if (client->auth_waiting_client) {
			if (!client_auth_read_response(client))
				break;
			continue;
		}
		if (pc->cmd_running)
			break;
		line = (char *)istream_next_line(client->input, &len);
		if (line == NULL)
			break;
		args = memchr(line, ' ', len);
		if (args != NULL)
			*args++ = '\0';
		cmd = line;
		if (!pop3_client_command(pc, cmd, args != NULL ? args : "",
					 args != NULL ? len - (size_t)(args - line) : 0))
			break;
	}
}

static void pop3_client_auth_send_challenge(struct client *client,
					    const char *data_base64)
{
	/* RFC 5034 4: "+" SP base64 */
	client_send_line(client, tmp_printf("+ %s", data_base64));
}

static void pop3_client_auth_result(struct client *client,
				    enum client_auth_result result,
				    const char *text)
{
	struct pop3_client *pc = (struct pop3_client *)client;
	const char *reply = NULL;

	switch (result) {
	case CLIENT_AUTH_RESULT_FAILED:
	case CLIENT_AUTH_RESULT_NOLOGIN:
		reply = tmp_printf("-ERR [AUTH] %s",
				   text != NULL ? text : LOGIN_AUTH_FAILED_MSG);
		break;
	case CLIENT_AUTH_RESULT_TEMPFAIL:
		reply = "-ERR [SYS/TEMP] " LOGIN_TEMP_FAILED_MSG;
		break;
	case CLIENT_AUTH_RESULT_AUTHZFAILED:
		reply = tmp_printf("-ERR [AUTH] %s",
				   text != NULL ? text : "Authorization failed.");
		break;
	case CLIENT_AUTH_RESULT_USER_DISABLED:
		reply = tmp_printf("-ERR [AUTH] %s",
				   text != NULL ? text : "Account is disabled.");
		break;
	case CLIENT_AUTH_RESULT_PASS_EXPIRED:
		reply = tmp_printf("-ERR [AUTH] %s",
				   text != NULL ? text : "Password expired.");
		break;
	case CLIENT_AUTH_RESULT_PRIVACY_REQUIRED:
		reply = "-ERR [AUTH] " LOGIN_PLAINTEXT_DISALLOWED_MSG;
		break;
	case CLIENT_AUTH_RESULT_SSL_REQUIRED:
		reply = "-ERR [AUTH] " LOGIN_SSL_REQUIRED_MSG;
		break;
	case CLIENT_AUTH_RESULT_MECH_UNSUPPORTED:
		reply = "-ERR Unsupported authentication mechanism.";
		break;
	case CLIENT_AUTH_RESULT_ABORTED:
		reply = "-ERR Authentication aborted by client.";
		break;
	case CLIENT_AUTH_RESULT_INTERNAL_ERROR:
		reply = "-ERR [SYS/TEMP] " LOGIN_INTERNAL_ERROR_MSG;
		break;
	case CLIENT_AUTH_RESULT_LIMIT_REACHED:
		/* RFC 3206 4: the maildrop is in use; Dovecot 2.3's code for
		   mail_max_userip_connections */
		reply = tmp_printf("-ERR [IN-USE] %s", text);
		break;
	}
	client_send_line(client, reply);
	pc->cmd_running = false;
}

static void pop3_client_notify_disconnect(struct client *client,
					  enum client_disconnect_reason reason)
{
	switch (reason) {
	case CLIENT_DISCONNECT_IDLE:
		client_send_line(client, "-ERR Disconnected for inactivity.");
		break;
	case CLIENT_DISCONNECT_LINE_TOO_LONG:
		client_send_line(client, "-ERR Input line too long.");
		break;
	case CLIENT_DISCONNECT_SHUTDOWN:
		client_send_line(client, "-ERR Server shutting down.");
		break;
	case CLIENT_DISCONNECT_INTERNAL_ERROR:
		client_send_line(client, "-ERR [SYS/TEMP] " LOGIN_INTERNAL_ERROR_MSG);
		break;
	case CLIENT_DISCONNECT_OUTPUT_STALL:
	case CLIENT_DISCONNECT_TOO_MANY_FAILURES:
		/* the failure reply was the last response */
		break;
	}
}

static const char *pop3_client_get_handoff_tag(struct client *client ATTR_UNUSED)
{
	return "";
}

static void pop3_client_streams_changed(struct client *client)
{
	struct pop3_client *pc = (struct pop3_client *)client;

	/* RFC 2595 4: a USER given before STLS does not carry over */
	if (pc->user != NULL)
		str_reset(pc->user);
}

const struct login_binary pop3_login_binary = {
	.protocol = "pop3",
	.process_name = "pop3-login",
	.client_size = sizeof(struct pop3_client),
	.client_init = pop3_client_init,
	.client_deinit = pop3_client_deinit,
	.send_greeting = pop3_client_send_greeting,
	.input = pop3_client_input,
	.auth_send_challenge = pop3_client_auth_send_challenge,
	.auth_result = pop3_client_auth_result,
	.notify_disconnect = pop3_client_notify_disconnect,
	.get_handoff_tag = pop3_client_get_handoff_tag,
	.streams_changed = pop3_client_streams_changed,
};
