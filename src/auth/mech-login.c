/* Copyright (c) dovecot-like authors. mech-login.c: the LOGIN mechanism
   (draft-murchison-sasl-login): "Username:" then "Password:" challenges. */
#include "lib.h"
#include "auth-request.h"
#include "mech.h"

#define LOGIN_PROMPT_USER "Username:"
#define LOGIN_PROMPT_PASS "Password:"

enum mech_login_state {
	MECH_LOGIN_STATE_USER = 0,
	MECH_LOGIN_STATE_PASS,
};

static void mech_login_auth_continue(struct auth_request *request,
				     const unsigned char *data, size_t size)
{
	const char *value, *error;

	if (request->mech_state == MECH_LOGIN_STATE_USER) {
		if (sasl_login_parse_value(request->pool, data, size, false,
					   &value, &error) < 0 ||
		    !auth_request_set_username(request, value, &error)) {
			auth_request_log_info(request, "login", "%s", error);
			auth_request_fail(request);
			return;
		}
		request->mech_state = MECH_LOGIN_STATE_PASS;
		auth_request_continue(request, (const unsigned char *)LOGIN_PROMPT_PASS,
				      strlen(LOGIN_PROMPT_PASS));
		return;
	}
	if (sasl_login_parse_value(request->pool, data, size, true,
				   &value, &error) < 0) {
		auth_request_log_info(request, "login", "%s", error);
		auth_request_fail(request);
		return;
	}
	auth_request_verify_plain(request, value, auth_request_verify_plain_finish);
}

static void mech_login_auth_initial(struct auth_request *request, bool have_data,
				    const unsigned char *data, size_t size)
{
	request->mech_state = MECH_LOGIN_STATE_USER;
	if (!have_data || size == 0) {
		auth_request_continue(request, (const unsigned char *)LOGIN_PROMPT_USER,
				      strlen(LOGIN_PROMPT_USER));
		return;
	}
	/* s.3.6: an initial response is the user name */
	mech_login_auth_continue(request, data, size);
}

const struct mech_module mech_login = {
	.name = "LOGIN",
	.flags = MECH_SEC_PLAINTEXT,
	.auth_initial = mech_login_auth_initial,
	.auth_continue = mech_login_auth_continue,
};
