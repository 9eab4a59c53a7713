/* Copyright (c) dovecot-like authors. The IMAP side of imap-login: reading
   commands with the bounded lib-imap parser, and wording greetings, auth
   results and disconnects the way Dovecot's imap-login does (RFC 3501,
   RFC 5530 response codes). */

#include "lib.h"
#include "str.h"
#include "istream.h"
#include "ostream.h"
#include "auth-client.h"
#include "imap-parser.h"
#include "login-auth.h"
#include "login-ssl.h"
#include "imap-login-client.h"

#include <strings.h>

/* ID lists and the LOGIN literals are all a pre-login client needs. */
#define IMAP_LOGIN_MAX_LIST_DEPTH 2
#define IMAP_LOGIN_MAX_ARGS (IMAP_ID_MAX_FIELDS * 2 + 8)

#define IMAP_BAD_COMMAND_MSG "Error in IMAP command received by server."

static void imap_client_init(struct client *client)
{
	struct imap_client *ic = (struct imap_client *)client;
	struct imap_parser_limits limits = {
		.max_line_length = login_set.max_line_length,
		.max_literal_size = login_set.max_line_length,
		.max_list_depth = IMAP_LOGIN_MAX_LIST_DEPTH,
		.max_args = IMAP_LOGIN_MAX_ARGS,
	};

	ic->parser = imap_parser_create(client->input, client->output, &limits);
}

static void imap_client_deinit(struct client *client)
{
	struct imap_client *ic = (struct imap_client *)client;

	imap_parser_destroy(&ic->parser);
}

void imap_client_send_tagline(struct imap_client *client, const char *text)
{
	const char *tag = client->cmd_tag;

	if (tag == NULL || tag[0] == '\0')
		tag = "*";
	client_send_line(&client->common, tmp_printf("%s %s", tag, text));
}

const char *imap_client_get_capability(struct imap_client *client)
{
	const char *set_cap = login_set.imap_capability;
	const char *const *mechs;
	struct str *cap;

	if (set_cap[0] != '\0' && set_cap[0] != '+')
		return set_cap;

	cap = t_str_new(256);
	str_append(cap, "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE");
	str_append(cap, login_set.imap_literal_minus ? " LITERAL-" : " LITERAL+");
	/* RFC 3501 6.2.1: not once TLS is active */
	if (login_ssl_is_available() && client->common.ssl == NULL)
		str_append(cap, " STARTTLS");
	/* RFC 3501 6.2.3: LOGIN is PLAIN for the auth server */
	if (!client_plaintext_allowed(&client->common) ||
	    !auth_client_has_mech(login_auth_client, "PLAIN"))
		str_append(cap, " LOGINDISABLED");
	for (mechs = client_auth_get_mechs(&client->common); *mechs != NULL; mechs++)
		str_printfa(cap, " AUTH=%s", *mechs);
	if (set_cap[0] == '+') {
		str_append_c(cap, ' ');
		str_append(cap, set_cap + 1);
	}
	return str_c(cap);
}

static void imap_client_send_greeting(struct client *client)
{
	struct imap_client *ic = (struct imap_client *)client;

	client_send_line(client, tmp_printf("* OK [CAPABILITY %s] %s",
		imap_client_get_capability(ic), login_set.greeting));
}

void imap_client_command_finish(struct imap_client *client)
{
	client->cmd_tag = NULL;
	client->cmd_name = NULL;
	client->cmd_running = false;
	imap_parser_reset(client->parser);
}

/* RFC 3501 9: tag = 1*<any ASTRING-CHAR except "+"> */
static bool imap_tag_is_valid(const char *tag)
{
	if (*tag == '\0')
		return false;
	for (; *tag != '\0'; tag++) {
		if (strchr("+*%(){\"\\", *tag) != NULL ||
		    (unsigned char)*tag <= 0x20 || (unsigned char)*tag >= 0x7f)
			return false;
	}
	return true;
}

/* Returns FALSE if the client was disconnected. */
static bool imap_client_bad(struct imap_client *client, const char *text)
{
	if (!client_bad_command(&client->common,
				"* BYE Too many invalid IMAP commands."))
		return false;
	imap_client_send_tagline(client, tmp_printf("BAD %s", text));
	return true;
}

static bool imap_client_parse_error(struct imap_client *client)
{
	enum imap_parser_error error;
	const char *msg;

	error = imap_parser_get_error(client->parser, &msg);
	if (imap_parser_error_is_fatal(client->parser)) {
		/* RFC 7888 4: the data of a too big {n+} is already coming */
		if (error == IMAP_PARSER_ERROR_LITERAL_TOO_BIG)
			imap_client_send_tagline(client, "BAD [TOOBIG] Literal too big.");
		client_disconnect(&client->common, CLIENT_DISCONNECT_LINE_TOO_LONG,
				  tmp_printf("Input buffer full (%s)", msg));
		return false;
	}
	client->skip_line = true;
	if (error == IMAP_PARSER_ERROR_LITERAL_TOO_BIG) {
		if (!client_bad_command(&client->common,
					"* BYE Too many invalid IMAP commands."))
			return false;
		imap_client_send_tagline(client, "BAD [TOOBIG] Literal too big.");
		return true;
	}
	return imap_client_bad(client, IMAP_BAD_COMMAND_MSG);
}

/* Returns FALSE when more input is needed or the client is gone. */
static bool imap_client_handle_command(struct imap_client *client)
{
	const struct imap_arg *args;
	imap_login_command_t *cmd;
	const char *word;
	int ret;

	if (client->skip_line) {
		if (!imap_parser_skip_line(client->parser))
			return false;
		client->skip_line = false;
		imap_client_command_finish(client);
	}
	if (client->cmd_tag == NULL) {
		if ((word = imap_parser_read_word(client->parser)) == NULL)
			goto parse_fail;
		client->cmd_tag = word;
	}
	if (client->cmd_name == NULL) {
		if ((word = imap_parser_read_word(client->parser)) == NULL)
			goto parse_fail;
		client->cmd_name = word;
		if (!imap_tag_is_valid(client->cmd_tag) ||
		    client->cmd_name[0] == '\0') {
			client->cmd_tag = "*";
			client->skip_line = true;
			return imap_client_bad(client, IMAP_BAD_COMMAND_MSG);
		}
		if (imap_login_command_find(client->cmd_name) == NULL) {
			client->skip_line = true;
			return imap_client_bad(client, IMAP_BAD_COMMAND_MSG);
		}
	}
	ret = imap_parser_read_args(client->parser, &args);
	if (ret == 0)
		return false;
	if (ret < 0)
		return imap_client_parse_error(client);

	cmd = imap_login_command_find(client->cmd_name);
	client->cmd_running = true;
	ret = cmd(client, args);
	if (client->common.destroyed)
		return false;
	if (ret < 0) {
		if (!imap_client_bad(client, IMAP_BAD_COMMAND_MSG))
			return false;
		imap_client_command_finish(client);
	} else if (ret > 0) {
		imap_client_command_finish(client);
	}
	/* ret == 0: the auth result finishes the command */
	return true;
parse_fail:
	if (imap_parser_get_error(client->parser, NULL) == IMAP_PARSER_ERROR_NONE)
		return false;
	return imap_client_parse_error(client);
}

static void imap_client_input(struct client *client)
{
	struct imap_client *ic = (struct imap_client *)client;

	while (!client->destroyed && !client->input_blocked) {
		if (client->auth_waiting_client) {
			if (!client_auth_read_response(client))
				break;
			continue;
		}
		if (ic->cmd_running)
			break;	/* waiting for auth */
		if (!imap_client_handle_command(ic))
			break;
	}
}

static void imap_client_auth_send_challenge(struct client *client,
					    const char *data_base64)
{
	/* RFC 3501 7.5: "+" SP base64 */
	client_send_line(client, tmp_printf("+ %s", data_base64));
}

static void imap_client_auth_result(struct client *client,
				    enum client_auth_result result,
				    const char *text)
{
	struct imap_client *ic = (struct imap_client *)client;
	const char *reply = NULL;

	switch (result) {
	case CLIENT_AUTH_RESULT_FAILED:
		reply = tmp_printf("NO [AUTHENTICATIONFAILED] %s",
				   text != NULL ? text : LOGIN_AUTH_FAILED_MSG);
		break;
	case CLIENT_AUTH_RESULT_TEMPFAIL:
		reply = "NO [UNAVAILABLE] " LOGIN_TEMP_FAILED_MSG;
		break;
	case CLIENT_AUTH_RESULT_NOLOGIN:
		reply = text != NULL ? tmp_printf("NO [CONTACTADMIN] %s", text) :
			"NO [AUTHENTICATIONFAILED] " LOGIN_AUTH_FAILED_MSG;
		break;
	case CLIENT_AUTH_RESULT_AUTHZFAILED:
		reply = tmp_printf("NO [AUTHORIZATIONFAILED] %s",
				   text != NULL ? text : "Authorization failed.");
		break;
	case CLIENT_AUTH_RESULT_USER_DISABLED:
		reply = tmp_printf("NO [CONTACTADMIN] %s",
				   text != NULL ? text : "Account is disabled.");
		break;
	case CLIENT_AUTH_RESULT_PASS_EXPIRED:
		reply = tmp_printf("NO [EXPIRED] %s",
				   text != NULL ? text : "Password expired.");
		break;
	case CLIENT_AUTH_RESULT_PRIVACY_REQUIRED:
		reply = "NO [PRIVACYREQUIRED] " LOGIN_PLAINTEXT_DISALLOWED_MSG;
		break;
	case CLIENT_AUTH_RESULT_SSL_REQUIRED:
		reply = "NO [PRIVACYREQUIRED] " LOGIN_SSL_REQUIRED_MSG;
		break;
	case CLIENT_AUTH_RESULT_MECH_UNSUPPORTED:
		reply = "NO Unsupported authentication mechanism.";
		break;
	case CLIENT_AUTH_RESULT_ABORTED:
		reply = "BAD Authentication aborted by client.";
		break;
	case CLIENT_AUTH_RESULT_INTERNAL_ERROR:
		reply = "NO [UNAVAILABLE] " LOGIN_INTERNAL_ERROR_MSG;
		break;
	case CLIENT_AUTH_RESULT_LIMIT_REACHED:
		/* Dovecot 2.3's code for mail_max_userip_connections */
		reply = tmp_printf("NO [LIMIT] %s", text);
		break;
	}
	imap_client_send_tagline(ic, reply);
	imap_client_command_finish(ic);
}

static void imap_client_notify_disconnect(struct client *client,
					  enum client_disconnect_reason reason)
{
	switch (reason) {
	case CLIENT_DISCONNECT_IDLE:
		client_send_line(client, "* BYE Disconnected for inactivity.");
		break;
	case CLIENT_DISCONNECT_LINE_TOO_LONG:
		client_send_line(client, "* BAD Too long line.");
		client_send_line(client, "* BYE Too long line.");
		break;
	case CLIENT_DISCONNECT_OUTPUT_STALL:
		break;
	case CLIENT_DISCONNECT_SHUTDOWN:
		client_send_line(client, "* BYE Server shutting down.");
		break;
	case CLIENT_DISCONNECT_TOO_MANY_FAILURES:
		client_send_line(client, "* BYE Too many authentication failures.");
		break;
	case CLIENT_DISCONNECT_INTERNAL_ERROR:
		client_send_line(client, "* BYE " LOGIN_INTERNAL_ERROR_MSG);
		break;
	}
}

static const char *imap_client_get_handoff_tag(struct client *client)
{
	struct imap_client *ic = (struct imap_client *)client;

	return ic->cmd_tag != NULL ? ic->cmd_tag : "";
}

static void imap_client_streams_changed(struct client *client)
{
	/* the parser holds the plaintext streams (and any half-read
	   command after STARTTLS, which must not survive) */
	imap_client_deinit(client);
	imap_client_init(client);
}

const struct login_binary imap_login_binary = {
	.protocol = "imap",
	.process_name = "imap-login",
	.client_size = sizeof(struct imap_client),
	.client_init = imap_client_init,
	.client_deinit = imap_client_deinit,
	.send_greeting = imap_client_send_greeting,
	.input = imap_client_input,
	.auth_send_challenge = imap_client_auth_send_challenge,
	.auth_result = imap_client_auth_result,
	.notify_disconnect = imap_client_notify_disconnect,
	.get_handoff_tag = imap_client_get_handoff_tag,
	.streams_changed = imap_client_streams_changed,
};
