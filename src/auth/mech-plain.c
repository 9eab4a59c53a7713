/* Copyright (c) dovecot-like authors. mech-plain.c: SASL PLAIN (RFC 4616),
   which is also how login processes send IMAP LOGIN and POP3 USER/PASS. */
#include "lib.h"
#include "auth-request.h"
#include "mech.h"

static void mech_plain_auth_continue(struct auth_request *request,
				     const unsigned char *data, size_t size)
{
	const char *authzid, *authcid, *password, *error;

	if (sasl_plain_parse(request->pool, data, size, &authzid, &authcid,
			     &password, &error) < 0) {
		auth_request_log_info(request, "plain", "%s", error);
		auth_request_fail(request);
		return;
	}
	if (!auth_request_set_username(request, authcid, &error)) {
		auth_request_log_info(request, "plain", "%s", error);
		auth_request_fail(request);
		return;
	}
	if (authzid != NULL && strcmp(authzid, authcid) != 0) {
		/* s.3.6: a master-user login; we have no master passdbs */
		auth_request_log_info(request, "plain",
				      "Master user logins are not supported");
		auth_request_fail_with_reason(request, "authz_fail", NULL);
		return;
	}
	auth_request_verify_plain(request, password,
				  auth_request_verify_plain_finish);
}

static void mech_plain_auth_initial(struct auth_request *request, bool have_data,
				    const unsigned char *data, size_t size)
{
	if (!have_data) {
		/* s.3.7: an empty CONT asks for the payload */
		auth_request_continue(request, NULL, 0);
		return;
	}
	mech_plain_auth_continue(request, data, size);
}

const struct mech_module mech_plain = {
	.name = "PLAIN",
	.flags = MECH_SEC_PLAINTEXT,
	.auth_initial = mech_plain_auth_initial,
	.auth_continue = mech_plain_auth_continue,
};
