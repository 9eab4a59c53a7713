/* Copyright (c) dovecot-like authors. mech-external.c: SASL EXTERNAL
   (RFC 4422 appendix A): the TLS client certificate, already verified by
   the login process, names the user; the client may only ask to act as
   that same user. */
#include "lib.h"
#include "auth-settings.h"
#include "auth-request.h"
#include "mech.h"

static void mech_external_auth_continue(struct auth_request *request,
					const unsigned char *data, size_t size)
{
	const char *authzid;

	if (!request->params.valid_client_cert || !request->cert_username ||
	    request->user == NULL) {
		/* no verified certificate, or auth_ssl_username_from_cert
		   is off: there is no external identity to use */
		auth_request_log_info(request, "external",
				      "username not known");
		auth_request_fail(request);
		return;
	}
	if (memchr(data, '\0', size) != NULL) {
		auth_request_log_info(request, "external",
				      "invalid input (NUL in authzid)");
		auth_request_fail(request);
		return;
	}
	authzid = p_strndup(request->pool, data, size);
	if (authzid[0] != '\0' && strcmp(authzid, request->user) != 0 &&
	    strcmp(authzid, request->original_username) != 0) {
		/* acting as someone else would be a master-user login,
		   which we do not support (as in mech-plain.c) */
		auth_request_log_info(request, "external",
				      "Master user logins are not supported");
		auth_request_fail_with_reason(request, "authz_fail", NULL);
		return;
	}
	/* the passdb still decides whether the user exists and may log in:
	   like Dovecot, it is asked with an empty password (nopassword) */
	auth_request_verify_plain(request, "", auth_request_verify_plain_finish);
}

static void mech_external_auth_initial(struct auth_request *request,
				       bool have_data,
				       const unsigned char *data, size_t size)
{
	if (!have_data) {
		/* RFC 4422 A.1: an empty challenge asks for the authzid */
		auth_request_continue(request, NULL, 0);
		return;
	}
	mech_external_auth_continue(request, data, size);
}

const struct mech_module mech_external = {
	.name = "EXTERNAL",
	.flags = 0,
	.auth_initial = mech_external_auth_initial,
	.auth_continue = mech_external_auth_continue,
};
