/* Copyright (c) dovecot-like authors. Fuzzes the auth protocol lines a
   login process, MTA or worker sends (handshake, AUTH, CONT, master REQUEST/
   USER/PASS) and the PLAIN/LOGIN payloads inside them, since all of it arrives
   on sockets unprivileged processes can write to. */
#include "fuzz-common.h"
#include "base64.h"
#include "buffer.h"
#include "strescape.h"
#include "strfuncs.h"
#include "auth-protocol.h"

#include <strings.h>

struct conn {
	unsigned int minor;
	bool have_version;
	/* pending LOGIN exchange: 0 none, 1 wants user, 2 wants password */
	unsigned int login_step;
	unsigned int auth_id;
	bool plain_pending;
};

static void check_str(const char *str)
{
	if (str != NULL)
		(void)strlen(str);
}

/* The mechanism sees the decoded bytes. */
static void mech_input(struct pool *pool, struct conn *conn, const char *b64)
{
	const char *authzid, *authcid, *password, *value, *error;
	struct buf *buf = buf_create(pool, strlen(b64) + 1);

	if (base64_decode(b64, strlen(b64), buf) < 0)
		return;
	if (conn->plain_pending) {
		conn->plain_pending = false;
		error = NULL;
		if (sasl_plain_parse(pool, buf->data, buf->used, &authzid,
				     &authcid, &password, &error) == 0) {
			if (authcid == NULL || authcid[0] == '\0' || password == NULL)
				abort();
			check_str(authzid);
		} else if (error == NULL) {
			abort();
		}
	} else if (conn->login_step > 0) {
		error = NULL;
		if (sasl_login_parse_value(pool, buf->data, buf->used,
					   conn->login_step == 2, &value,
					   &error) == 0) {
			if (strlen(value) != buf->used)
				abort();
			conn->login_step = conn->login_step == 1 ? 2 : 0;
		} else {
			if (error == NULL)
				abort();
			conn->login_step = 0;
		}
	}
}

static void handle_auth(struct pool *pool, struct conn *conn,
			const char *const *args)
{
	struct auth_client_params params;
	const char *error = NULL;

	memset(&params, 0, sizeof(params));
	if (auth_protocol_parse_auth(args, conn->minor, pool, &params, &error) < 0) {
		if (error == NULL)
			abort();
		return;
	}
	if (params.id == 0 || params.mech == NULL)
		abort();
	check_str(params.service);
	check_str(params.session);
	check_str(params.cert_username);
	(void)net_ip2addr(&params.remote_ip);
	conn->auth_id = params.id;
	conn->plain_pending = strcasecmp(params.mech, "PLAIN") == 0;
	conn->login_step = strcasecmp(params.mech, "LOGIN") == 0 ? 1 : 0;
	if (params.have_initial_resp) {
		if (params.initial_resp == NULL)
			abort();
		mech_input(pool, conn, params.initial_resp);
	}
}

static void handle_line(struct pool *pool, struct conn *conn, const char *line)
{
	const char *const *args = tmp_strsplit_tabescaped(line);
	struct auth_client_params params;
	struct ip_addr ip;
	unsigned int id, i;
	const char *error;

	if (args[0] == NULL)
		return;
	for (i = 0; args[i] != NULL; i++)
		(void)auth_str_sanitize(args[i]);
	(void)auth_listener_type_from_name(args[0]);

	if (strcmp(args[0], "VERSION") == 0) {
		if (auth_protocol_parse_version(args + 1, 1, &conn->minor) == 0)
			conn->have_version = true;
	} else if (strcmp(args[0], "AUTH") == 0) {
		handle_auth(pool, conn, args + 1);
	} else if (strcmp(args[0], "CONT") == 0) {
		if (args[1] != NULL && args[2] != NULL &&
		    auth_protocol_parse_id(args[1], &id) == 0 &&
		    id == conn->auth_id)
			mech_input(pool, conn, args[2]);
	} else if (strcmp(args[0], "REQUEST") == 0 ||
		   strcmp(args[0], "USER") == 0 ||
		   strcmp(args[0], "PASS") == 0 ||
		   strcmp(args[0], "LIST") == 0) {
		/* master protocol: id, then info parameters */
		if (args[1] == NULL || auth_protocol_parse_id(args[1], &id) < 0)
			return;
		if (id == 0)
			abort();
		memset(&params, 0, sizeof(params));
		for (i = 2; args[i] != NULL; i++)
			auth_protocol_parse_param(&params, pool, args[i]);
	} else if (strcmp(args[0], "NETS") == 0 && args[1] != NULL &&
		   args[2] != NULL) {
		/* allow_nets= of a passdb */
		memset(&ip, 0, sizeof(ip));
		if (args[1][0] != '\0' && net_addr2ip(args[1], &ip) < 0)
			return;
		error = NULL;
		if (auth_net_list_match(&ip, args[2], &error) < 0 &&
		    error == NULL)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conn conn = { .minor = 2 };
	struct pool *pool;
	char *text, *line, *next;

	fuzz_init();
	text = fuzz_strndup(data, size);
	pool = pool_create("fuzz auth request", 1024, POOL_FLAG_WIPE);
	for (line = text; line != NULL; line = next) {
		next = memchr(line, '\n', size - (size_t)(line - text));
		if (next != NULL)
			*next++ = '\0';
		handle_line(pool, &conn, line);
		tmp_reset();
	}
	pool_unref(&pool);
	free(text);
	return 0;
}
