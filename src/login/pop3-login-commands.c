/* Copyright (c) dovecot-like authors. The commands POP3 allows in the
   AUTHORIZATION state (RFC 1939 7, RFC 2449 CAPA, RFC 5034 AUTH). The rest
   of POP3 belongs to the worker. */

#include "lib.h"
#include "str.h"
#include "buffer.h"
#include "base64.h"
#include "ostream.h"
#include "login-auth.h"
#include "login-ssl.h"
#include "pop3-login-client.h"

#include <strings.h>

/* RFC 2449 5, in Dovecot's order (imap-capabilities.md 2.1) */
static bool cmd_capa(struct pop3_client *client)
{
	const char *const *mechs;
	struct str *str = t_str_new(256);

	str_append(str, "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\n"
		   "PIPELINING\r\nAUTH-RESP-CODE\r\n");
	if (login_ssl_is_available() && client->common.ssl == NULL)
		str_append(str, "STLS\r\n");
	if (client_plaintext_allowed(&client->common))
		str_append(str, "USER\r\n");
	str_append(str, "SASL");
	for (mechs = client_auth_get_mechs(&client->common); *mechs != NULL; mechs++)
		str_printfa(str, " %s", *mechs);
	str_append(str, "\r\n.");
	client_send_line(&client->common, str_c(str));
	return true;
}

static bool pop3_plaintext_refused(struct pop3_client *client)
{
	if (client_plaintext_allowed(&client->common))
		return false;
	client->common.auth_plaintext_refused = true;
	client_send_line(&client->common,
			 "-ERR [AUTH] " LOGIN_PLAINTEXT_DISALLOWED_MSG);
	return true;
}

/* RFC 1939 7: USER name */
static bool cmd_user(struct pop3_client *client, const char *args, size_t len)
{
	if (pop3_plaintext_refused(client))
		return true;
	if (len == 0 || memchr(args, '\0', len) != NULL) {
		client_send_line(&client->common, "-ERR No username given.");
		return true;
	}
	if (client->user == NULL)
		client->user = str_new(client->common.pool, 64);
	str_reset(client->user);
	str_append_n(client->user, args, len);
	client_set_auth_user(&client->common, args, len);
	client_send_line(&client->common, "+OK");
	return true;
}

/* RFC 1939 7: PASS string (may contain spaces), run as SASL PLAIN */
static bool cmd_pass(struct pop3_client *client, char *args, size_t len)
{
	struct buf *plain, *b64;

	if (pop3_plaintext_refused(client))
		return true;
	if (client->user == NULL || str_len(client->user) == 0) {
		client_send_line(&client->common, "-ERR No username given.");
		return true;
	}
	if (memchr(args, '\0', len) != NULL) {
		client_send_line(&client->common, "-ERR [AUTH] " LOGIN_AUTH_FAILED_MSG);
		return true;
	}
	plain = buf_create(tmp_pool, str_len(client->user) + len + 2);
	buf_append_c(plain, '\0');
	buf_append(plain, str_data(client->user), str_len(client->user));
	buf_append_c(plain, '\0');
	buf_append(plain, args, len);
	safe_memzero(args, len);
	b64 = buf_create(tmp_pool, BASE64_ENCODED_SIZE(plain->used) + 1);
	base64_encode(plain->data, plain->used, b64);
	buf_append_c(b64, '\0');
	safe_memzero(plain->data, plain->used);

	/* RFC 1939: USER/PASS is one attempt; a new one needs USER again */
	str_reset(client->user);
	client->cmd_running = true;
	client_auth_begin(&client->common, "PLAIN", (const char *)b64->data);
	safe_memzero(b64->data, b64->used);
	return true;
}

/* RFC 5034 4: AUTH mechanism [initial-response]; bare AUTH lists the
   mechanisms (RFC 1734 style, as Dovecot does). */
static bool cmd_auth(struct pop3_client *client, char *args)
{
	const char *const *mechs;
	char *ir;
	struct str *str;

	if (*args == '\0') {
		str = t_str_new(128);
		str_append(str, "+OK");
		for (mechs = client_auth_get_mechs(&client->common); *mechs != NULL; mechs++)
			str_printfa(str, "\r\n%s", *mechs);
		str_append(str, "\r\n.");
		client_send_line(&client->common, str_c(str));
		return true;
	}
	ir = strchr(args, ' ');
	if (ir != NULL) {
		*ir++ = '\0';
		/* "=" is an empty initial response */
		if (strcmp(ir, "=") == 0)
			ir[0] = '\0';
	}
	client->cmd_running = true;
	client_auth_begin(&client->common, args, ir);
	return true;
}

/* RFC 2595 4, with Dovecot's wording */
static bool cmd_stls(struct pop3_client *client)
{
	if (client->common.ssl != NULL) {
		client_send_line(&client->common, "-ERR TLS is already active.");
		return true;
	}
	if (!login_ssl_is_available()) {
		client_send_line(&client->common, "-ERR TLS support isn't enabled.");
		return true;
	}
	client_send_line(&client->common, "+OK Begin TLS negotiation now.");
	client_starttls(&client->common);
	/* input is blocked (or the client is gone): stop the command loop */
	return false;
}

bool pop3_client_command(struct pop3_client *client, const char *cmd,
			 char *args, size_t args_len)
{
	if (strcasecmp(cmd, "CAPA") == 0)
		return cmd_capa(client);
	if (strcasecmp(cmd, "USER") == 0)
		return cmd_user(client, args, args_len);
	if (strcasecmp(cmd, "PASS") == 0)
		return cmd_pass(client, args, args_len);
	if (strcasecmp(cmd, "AUTH") == 0)
		return cmd_auth(client, args);
	if (strcasecmp(cmd, "STLS") == 0)
		return cmd_stls(client);
	if (strcasecmp(cmd, "APOP") == 0) {
		client_send_line(&client->common, "-ERR APOP not enabled.");
		return true;
	}
	if (strcasecmp(cmd, "QUIT") == 0) {
		client->common.logged_out = true;
		client_send_line(&client->common, "+OK Logging out");
		ostream_uncork(client->common.output);
		client_destroy(&client->common, "Aborted login by logging out");
		return false;
	}
	if (!client_bad_command(&client->common, "-ERR Too many bad commands."))
		return false;
	client_send_line(&client->common, "-ERR Unknown command.");
	return true;
}
