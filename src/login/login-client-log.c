/* Copyright (c) dovecot-like authors. Log lines about a login client in
   Dovecot's format (login_log_format_elements), so existing log parsers and
   fail2ban filters keep working. Never includes a secret. */

#include "lib.h"
#include "ioloop.h"
#include "str.h"
#include "strfuncs.h"
#include "var-expand.h"
#include "iostream-ssl.h"
#include "login-client.h"

#include <unistd.h>

/* Dovecot's %c: "TLS", "TLS handshaking", with ": <error>" after a TLS
   failure, "secured" (trusted/loopback) or "". */
static const char *client_get_secured_str(const struct client *client)
{
	const char *state, *error;

	if (client->ssl == NULL)
		return client->secured ? "secured" : "";
	state = client->tls ? "TLS" : "TLS handshaking";
	error = client_get_tls_error(client);
	if (error == NULL)
		return state;
	return tmp_printf("%s: %s", state, error);
}

const char *client_get_log_elements(struct client *client)
{
	struct var_expand_table tab[] = {
		{ 'u', client->auth_user != NULL ? client->auth_user : "", "user" },
		{ 'm', client->auth_mech != NULL ? client->auth_mech : "", "mechanism" },
		{ 'r', net_ip2addr(&client->remote_ip), "rip" },
		{ 'l', net_ip2addr(&client->local_ip), "lip" },
		{ 'b', tmp_printf("%u", client->remote_port), "rport" },
		{ 'a', tmp_printf("%u", client->local_port), "lport" },
		{ 'e', client->mail_pid != 0 ?
			tmp_printf("%ld", (long)client->mail_pid) : "", "mail_pid" },
		{ 'c', client_get_secured_str(client), "secured" },
		{ 's', login_binary->protocol, "service" },
		{ 'p', tmp_printf("%ld", (long)getpid()), "pid" },
		{ '\0', client->session_id, "session" },
		{ '\0', NULL, NULL },
	};
	const char **elements, *error;
	struct str *dest = t_str_new(256), *elem = t_str_new(64);
	unsigned int i;

	elements = tmp_strsplit_spaces(login_set.log_format_elements, " ");
	for (i = 0; elements[i] != NULL; i++) {
		str_reset(elem);
		if (var_expand(elem, elements[i], tab, &error) < 0)
			continue;
		/* Like Dovecot: an element whose variables are all empty is
		   left out ("method=" before any auth), except the user. */
		if (!var_has_key(elements[i], 'u', "user")) {
			bool empty = true;
			unsigned int j;

			for (j = 0; tab[j].value != NULL; j++) {
				if (tab[j].value[0] != '\0' &&
				    var_has_key(elements[i], tab[j].key,
						tab[j].long_key))
					empty = false;
			}
			if (empty)
				continue;
		}
		if (str_len(dest) > 0)
			str_append(dest, ", ");
		str_append_str(dest, elem);
	}
	return str_c(dest);
}

const char *client_get_extra_disconnect_reason(struct client *client)
{
	unsigned int secs;

	if (login_set.auth_ssl_require_client_cert && client->tls &&
	    !client_has_valid_client_cert(client)) {
		if (client->ssl != NULL &&
		    ssl_iostream_has_broken_client_cert(client->ssl))
			return " (client sent an invalid cert)";
		return " (client didn't send a cert)";
	}
	if (client->auth_plaintext_refused && client->auth_attempts == 0)
		return " (tried to use disallowed plaintext auth)";
	if (client->auth_attempts == 0) {
		secs = (unsigned int)(ioloop_time - client->created);
		return tmp_printf(" (no auth attempts in %u secs)", secs);
	}
	secs = (unsigned int)(ioloop_time - client->auth_started);
	if (client->auth_waiting_client)
		return tmp_printf(" (client didn't finish SASL auth, waited %u secs)", secs);
	if (client->authenticating)
		return tmp_printf(" (disconnected while authenticating, waited %u secs)", secs);
	if (client->auth_failures > 0) {
		secs = (unsigned int)(ioloop_time - client->created);
		return tmp_printf(" (auth failed, %u attempts in %u secs)",
				  client->auth_failures, secs);
	}
	return "";
}

void client_log_login(struct client *client)
{
	log_info("Login: %s", client_get_log_elements(client));
}
