/* Copyright (c) dovecot-like authors. The commands IMAP allows before
   authentication (RFC 3501 6.1, 6.2; RFC 2971 ID; RFC 4959 SASL-IR). Every
   other command is refused until the worker takes over. */

#include "lib.h"
#include "str.h"
#include "buffer.h"
#include "base64.h"
#include "ostream.h"
#include "imap-parser.h"
#include "imap-quote.h"
#include "login-auth.h"
#include "login-ssl.h"
#include "imap-login-client.h"

#include <strings.h>

/* RFC 3501 6.1.1 */
static int cmd_capability(struct imap_client *client, const struct imap_arg *args)
{
	if (!IMAP_ARG_IS_EOL(&args[0]))
		return -1;
	client_send_line(&client->common, tmp_printf("* CAPABILITY %s",
		imap_client_get_capability(client)));
	imap_client_send_tagline(client,
		"OK Pre-login capabilities listed, post-login capabilities have more.");
	return 1;
}

/* RFC 3501 6.1.2 */
static int cmd_noop(struct imap_client *client, const struct imap_arg *args)
{
	if (!IMAP_ARG_IS_EOL(&args[0]))
		return -1;
	imap_client_send_tagline(client, "OK NOOP completed.");
	return 1;
}

/* RFC 3501 6.1.3 */
static int cmd_logout(struct imap_client *client, const struct imap_arg *args)
{
	if (!IMAP_ARG_IS_EOL(&args[0]))
		return -1;
	client->common.logged_out = true;
	client_send_line(&client->common, "* BYE Logging out");
	imap_client_send_tagline(client, "OK Logout completed.");
	ostream_uncork(client->common.output);
	client_destroy(&client->common, "Aborted login by logging out");
	return 1;
}

/* RFC 2971: ID NIL | ID ("field" "value" ...) with at most 30 pairs. */
static int cmd_id(struct imap_client *client, const struct imap_arg *args)
{
	const struct imap_arg *list;
	unsigned int count, i;
	const char *str;

	if (args[0].type == IMAP_ARG_LIST) {
		if (!imap_arg_get_list(&args[0], &list, &count) ||
		    count % 2 != 0 || count / 2 > IMAP_ID_MAX_FIELDS)
			return -1;
		for (i = 0; i < count; i++) {
			if (list[i].type == IMAP_ARG_LIST)
				return -1;
			/* field names are strings, values nstrings */
			if (i % 2 == 0 && !imap_arg_get_astring(&list[i], &str))
				return -1;
		}
	} else if (args[0].type != IMAP_ARG_NIL) {
		return -1;
	}
	if (!IMAP_ARG_IS_EOL(&args[1]))
		return -1;
	client_send_line(&client->common, "* ID (\"name\" \"Dovecot-like\")");
	imap_client_send_tagline(client, "OK ID completed.");
	return 1;
}

/* RFC 3501 6.2.1, RFC 2595 3.1, with Dovecot's wording. */
static int cmd_starttls(struct imap_client *client, const struct imap_arg *args)
{
	if (!IMAP_ARG_IS_EOL(&args[0]))
		return -1;
	if (client->common.ssl != NULL) {
		imap_client_send_tagline(client, "BAD TLS is already active.");
		return 1;
	}
	if (!login_ssl_is_available()) {
		imap_client_send_tagline(client, "BAD TLS support isn't enabled.");
		return 1;
	}
	imap_client_send_tagline(client, "OK Begin TLS negotiation now.");
	imap_client_command_finish(client);
	/* may replace the parser (and destroy the client) */
	client_starttls(&client->common);
	return 1;
}

/* RFC 3501 6.2.3: LOGIN user password, run as SASL PLAIN. */
static int cmd_login(struct imap_client *client, const struct imap_arg *args)
{
	const char *user, *pass;
	struct buf *plain, *b64;
	size_t user_len, pass_len;

	if (!imap_arg_get_astring(&args[0], &user) ||
	    !imap_arg_get_astring(&args[1], &pass) ||
	    !IMAP_ARG_IS_EOL(&args[2]))
		return -1;

	if (!client_plaintext_allowed(&client->common)) {
		client->common.auth_plaintext_refused = true;
		client_send_line(&client->common,
			"* BAD [ALERT] Plaintext authentication not allowed "
			"without SSL/TLS, but your client did it anyway. "
			"If anyone was listening, the password was exposed.");
		imap_client_send_tagline(client, "NO [PRIVACYREQUIRED] "
					 LOGIN_PLAINTEXT_DISALLOWED_MSG);
		return 1;
	}
	user_len = args[0].str_len;
	pass_len = args[1].str_len;
	if (memchr(user, '\0', user_len) != NULL ||
	    memchr(pass, '\0', pass_len) != NULL)
		return -1;	/* would break the PLAIN framing */

	/* authzid NUL authcid NUL password (RFC 4616) */
	plain = buf_create(tmp_pool, user_len + pass_len + 2);
	buf_append_c(plain, '\0');
	buf_append(plain, user, user_len);
	buf_append_c(plain, '\0');
	buf_append(plain, pass, pass_len);
	b64 = buf_create(tmp_pool, BASE64_ENCODED_SIZE(plain->used) + 1);
	base64_encode(plain->data, plain->used, b64);
	buf_append_c(b64, '\0');

	client_set_auth_user(&client->common, user, user_len);
	client_auth_begin(&client->common, "PLAIN", (const char *)b64->data);
	safe_memzero(plain->data, plain->used);
	safe_memzero(b64->data, b64->used);
	return 0;
}

/* RFC 3501 6.2.2 + RFC 4959: AUTHENTICATE mech [initial-response] */
static int cmd_authenticate(struct imap_client *client, const struct imap_arg *args)
{
	const char *mech, *ir = NULL;

	if (!imap_arg_get_atom(&args[0], &mech))
		return -1;
	if (!IMAP_ARG_IS_EOL(&args[1])) {
		if (!imap_arg_get_atom(&args[1], &ir) || !IMAP_ARG_IS_EOL(&args[2]))
			return -1;
		/* RFC 4959: "=" is an empty initial response */
		if (strcmp(ir, "=") == 0)
			ir = "";
	}
	client_auth_begin(&client->common, mech, ir);
	return 0;
}

static const struct {
	const char *name;
	imap_login_command_t *func;
} imap_login_commands[] = {
	{ "CAPABILITY", cmd_capability },
	{ "NOOP", cmd_noop },
	{ "LOGOUT", cmd_logout },
	{ "ID", cmd_id },
	{ "STARTTLS", cmd_starttls },
	{ "LOGIN", cmd_login },
	{ "AUTHENTICATE", cmd_authenticate },
};

imap_login_command_t *imap_login_command_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(imap_login_commands); i++) {
		if (strcasecmp(imap_login_commands[i].name, name) == 0)
			return imap_login_commands[i].func;
	}
	return NULL;
}
