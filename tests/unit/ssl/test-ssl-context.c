/* Copyright (c) dovecot-like authors. Tests that a bad ssl_* setting fails
   context creation with an error naming the setting. */
#include "test-ssl.h"

static const char *test_context_error(const struct ssl_iostream_settings *set)
{
	struct ssl_iostream_context *ctx = NULL;
	const char *error = NULL;

	ck_assert_int_eq(ssl_iostream_context_create_server(set, &ctx, &error),
			 -1);
	ck_assert_ptr_null(ctx);
	ck_assert_ptr_nonnull(error);
	return error;
}

static void test_context_ok(const struct ssl_iostream_settings *set)
{
	struct ssl_iostream_context *ctx = NULL;
	const char *error = NULL;

	if (ssl_iostream_context_create_server(set, &ctx, &error) < 0)
		ck_abort_msg("context failed: %s", error);
	ck_assert_ptr_nonnull(ctx);
	ssl_iostream_context_unref(&ctx);
	ck_assert_ptr_null(ctx);
}

START_TEST(test_context_defaults)
{
	struct ssl_iostream_settings set;
	struct ssl_iostream_context *ctx, *ctx2;
	const char *error;

	test_server_settings(&set);
	ck_assert_int_eq(ssl_iostream_context_create_server(&set, &ctx,
							    &error), 0);
	ctx2 = ctx;
	ssl_iostream_context_ref(ctx2);
	ssl_iostream_context_unref(&ctx);
	ck_assert_ptr_null(ctx);
	ssl_iostream_context_unref(&ctx2);
	ssl_iostream_context_unref(&ctx2);	/* NULL-safe */

	/* empty values mean defaults */
	set.min_protocol = "";
	set.cipher_list = "";
	set.key_password = NULL;
	set.ca = NULL;
	test_context_ok(&set);
}
END_TEST

START_TEST(test_context_bad_cert)
{
	struct ssl_iostream_settings set;
	const char *error;

	test_server_settings(&set);
	set.cert = "-----BEGIN CERTIFICATE-----\nnot base64 !!\n"
		"-----END CERTIFICATE-----\n";
	error = test_context_error(&set);
	ck_assert_msg(strncmp(error, "ssl_cert: ", 10) == 0, "%s", error);

	set.cert = "garbage";
	error = test_context_error(&set);
	ck_assert_msg(strncmp(error, "ssl_cert: ", 10) == 0, "%s", error);

	set.cert = "";
	error = test_context_error(&set);
	ck_assert_str_eq(error, "ssl_cert: not set");

	test_server_settings(&set);
	set.key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
	error = test_context_error(&set);
	ck_assert_msg(strncmp(error, "ssl_key: ", 9) == 0, "%s", error);
}
END_TEST

START_TEST(test_context_key_mismatch)
{
	struct ssl_iostream_settings set;
	const char *error;

	test_server_settings(&set);
	set.key = test_pki.client_valid.key_pem;
	error = test_context_error(&set);
	ck_assert_msg(strstr(error, "ssl_key: private key does not match "
			     "ssl_cert") == error, "%s", error);
}
END_TEST

START_TEST(test_context_encrypted_key)
{
	struct ssl_iostream_settings set;
	const char *error;

	test_server_settings(&set);
	set.key = test_pki.server_key_encrypted_pem;
	error = test_context_error(&set);
	ck_assert_str_eq(error, "ssl_key: key is encrypted, but "
			 "ssl_key_password is not set");

	set.key_password = NULL;
	error = test_context_error(&set);
	ck_assert_str_eq(error, "ssl_key: key is encrypted, but "
			 "ssl_key_password is not set");

	set.key_password = "wrong password";
	error = test_context_error(&set);
	ck_assert_msg(strncmp(error, "ssl_key: can't decrypt", 22) == 0,
		      "%s", error);

	set.key_password = TEST_KEY_PASSWORD;
	test_context_ok(&set);

	/* a password for a plain key is harmless */
	set.key = test_pki.server.key_pem;
	test_context_ok(&set);
}
END_TEST

START_TEST(test_context_bad_settings)
{
	struct ssl_iostream_settings set;
	const char *error;

	test_server_settings(&set);
	set.min_protocol = "TLSv9";
	error = test_context_error(&set);
	ck_assert_msg(strstr(error, "ssl_min_protocol: Unknown value 'TLSv9'")
		      == error, "%s", error);

	test_server_settings(&set);
	set.cipher_list = "NO-SUCH-CIPHER";
	error = test_context_error(&set);
	ck_assert_msg(strncmp(error, "ssl_cipher_list: ", 17) == 0, "%s", error);

	test_server_settings(&set);
	set.cipher_suites = "TLS_NO_SUCH_SUITE";
	error = test_context_error(&set);
	ck_assert_msg(strncmp(error, "ssl_cipher_suites: ", 19) == 0,
		      "%s", error);

	test_server_settings(&set);
	set.curve_list = "nosuchcurve";
	error = test_context_error(&set);
	ck_assert_msg(strncmp(error, "ssl_curve_list: ", 16) == 0, "%s", error);

	test_server_settings(&set);
	set.dh = "not dh params";
	error = test_context_error(&set);
	ck_assert_msg(strncmp(error, "ssl_dh: ", 8) == 0, "%s", error);

	test_server_settings(&set);
	set.verify_client_cert = true;
	error = test_context_error(&set);
	ck_assert_msg(strncmp(error, "ssl_verify_client_cert", 22) == 0,
		      "%s", error);
	set.ca = "garbage";
	error = test_context_error(&set);
	ck_assert_msg(strncmp(error, "ssl_ca: ", 8) == 0, "%s", error);

	test_server_settings(&set);
	set.cert_username_field = "noSuchField";
	error = test_context_error(&set);
	ck_assert_msg(strstr(error, "noSuchField") != NULL, "%s", error);
}
END_TEST

START_TEST(test_context_protocols)
{
	static const char *const names[] = {
		"ANY", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"
	};
	struct ssl_iostream_settings set;
	unsigned int i;

	test_server_settings(&set);
	set.curve_list = "X25519:P-256";
	set.cipher_suites = "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256";
	set.verify_client_cert = true;
	set.ca = test_pki.ca.cert_pem;
	set.cert_username_field = "x500UniqueIdentifier";
	for (i = 0; i < N_ELEMENTS(names); i++) {
		set.min_protocol = names[i];
		test_context_ok(&set);
	}
}
END_TEST

Suite *ssl_context_suite(void)
{
	Suite *s = suite_create("ssl-context");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_context_defaults);
	tcase_add_test(tc, test_context_bad_cert);
	tcase_add_test(tc, test_context_key_mismatch);
	tcase_add_test(tc, test_context_encrypted_key);
	tcase_add_test(tc, test_context_bad_settings);
	tcase_add_test(tc, test_context_protocols);
	suite_add_tcase(s, tc);
	return s;
}
