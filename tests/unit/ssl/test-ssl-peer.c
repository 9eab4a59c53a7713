/* Copyright (c) dovecot-like authors. Tests what the login process learns
   about the peer: SNI picking a context, client certs and their username. */
#include "test-ssl-server.h"
#include "ioloop.h"

#include <openssl/x509.h>

#define LOOP_MSECS 10000

struct sni_ctx {
	struct ssl_iostream_context *other;
	unsigned int calls;
	char last_name[256];
};

static struct ssl_iostream_context *
test_sni_callback(const char *server_name, void *context)
{
	struct sni_ctx *sni = context;

	sni->calls++;
	(void)snprintf(sni->last_name, sizeof(sni->last_name), "%s",
		       server_name);
	return strcmp(server_name, TEST_SNI_NAME) == 0 ? sni->other : NULL;
}

static const char *test_peer_cn(SSL *ssl)
{
	static char cn[256];
	X509 *x509 = SSL_get1_peer_certificate(ssl);

	ck_assert_ptr_nonnull(x509);
	cn[0] = '\0';
	(void)X509_NAME_get_text_by_NID(X509_get_subject_name(x509),
					NID_commonName, cn, sizeof(cn));
	X509_free(x509);
	return cn;
}

static void test_sni_run(const char *name, const char *expect_cn)
{
	struct ssl_iostream_settings set;
	struct test_env env;
	struct sni_ctx sni;
	const char *error;

	memset(&sni, 0, sizeof(sni));
	test_server_settings(&set);
	set.cert = test_pki.sni_server.cert_pem;
	set.key = test_pki.sni_server.key_pem;
	ck_assert_int_eq(ssl_iostream_context_create_server(&set, &sni.other,
							    &error), 0);
	test_env_init(&env, NULL, 0, 0);
	ssl_iostream_context_set_sni_callback(env.ctx, test_sni_callback, &sni);
	if (name != NULL)
		ck_assert_int_eq(SSL_set_tlsext_host_name(env.client->ssl,
							  name), 1);
	/* the server finishes last (it reads the client's Finished) */
	env.server.handshake_only = true;
	test_client_start(env.client);
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert_msg(!env.client->failed, "%s", env.client->error);
	ck_assert(ssl_iostream_is_handshaked(env.server.ssl));
	ck_assert_str_eq(test_peer_cn(env.client->ssl), expect_cn);
	if (name == NULL) {
		ck_assert_uint_eq(sni.calls, 0);
		ck_assert_ptr_null(ssl_iostream_get_server_name(env.server.ssl));
	} else {
		ck_assert_uint_eq(sni.calls, 1);
		ck_assert_str_eq(sni.last_name, name);
		ck_assert_str_eq(ssl_iostream_get_server_name(env.server.ssl),
				 name);
	}
	test_env_deinit(&env);
	/* the connection held its own reference until now */
	ssl_iostream_context_unref(&sni.other);
}

START_TEST(test_sni_switches_context)
{
	test_sni_run(TEST_SNI_NAME, TEST_SNI_NAME);
}
END_TEST

START_TEST(test_sni_unknown_name_keeps_default)
{
	test_sni_run("unknown.example.com", "mail.example.com");
}
END_TEST

START_TEST(test_sni_no_name)
{
	test_sni_run(NULL, "mail.example.com");
}
END_TEST

struct client_cert_result {
	bool valid;
	const char *username;
};

/* Handshake with cert (NULL = none) against a server asking for one. */
static void test_client_cert_run(const struct test_cert *cert,
				 const char *field,
				 struct client_cert_result *result_r,
				 char **username_r)
{
	struct ssl_iostream_settings set;
	struct test_env env;
	const char *username;

	test_server_settings(&set);
	set.verify_client_cert = true;
	set.ca = test_pki.ca.cert_pem;
	set.cert_username_field = field;
	test_env_init(&env, &set, 0, 0);
	if (cert != NULL) {
		ck_assert_int_eq(SSL_use_certificate(env.client->ssl,
						     cert->cert), 1);
		ck_assert_int_eq(SSL_use_PrivateKey(env.client->ssl,
						    cert->key), 1);
	}
	/* the client's cert reaches the server with the client's first
	   flight; data makes sure the server has processed it */
	env.server.echo = true;
	env.client->send_data = (const unsigned char *)"hi\n";
	env.client->send_size = 3;
	env.client->stop_at = 3;
	test_client_start(env.client);
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert_msg(!env.client->failed, "%s", env.client->error);
	ck_assert(ssl_iostream_is_handshaked(env.server.ssl));
	result_r->valid = ssl_iostream_has_valid_client_cert(env.server.ssl);
	username = ssl_iostream_get_peer_username(env.server.ssl);
	*username_r = username == NULL ? NULL :
		p_strdup(system_pool, username);
	/* asking twice gives the same answer */
	if (username != NULL) {
		ck_assert_str_eq(ssl_iostream_get_peer_username(env.server.ssl),
				 username);
	}
	test_env_deinit(&env);
}

START_TEST(test_client_cert_valid)
{
	struct client_cert_result result;
	char *username;

	test_client_cert_run(&test_pki.client_valid, "commonName", &result,
			     &username);
	ck_assert(result.valid);
	ck_assert_str_eq(username, "alice");
	p_free(system_pool, username);

	/* no username field configured */
	test_client_cert_run(&test_pki.client_valid, "", &result, &username);
	ck_assert(result.valid);
	ck_assert_ptr_null(username);

	/* a field the cert lacks */
	test_client_cert_run(&test_pki.client_valid, "x500UniqueIdentifier",
			     &result, &username);
	ck_assert(result.valid);
	ck_assert_ptr_null(username);
}
END_TEST

START_TEST(test_client_cert_uid_field)
{
	struct client_cert_result result;
	char *username;

	test_client_cert_run(&test_pki.client_uid, "x500UniqueIdentifier",
			     &result, &username);
	ck_assert(result.valid);
	ck_assert_str_eq(username, "carol-uid");
	p_free(system_pool, username);

	test_client_cert_run(&test_pki.client_uid, "CN", &result, &username);
	ck_assert_str_eq(username, "carol-cn");
	p_free(system_pool, username);
}
END_TEST

START_TEST(test_client_cert_nul_in_name)
{
	struct client_cert_result result;
	char *username;

	test_client_cert_run(&test_pki.client_nul_cn, "commonName", &result,
			     &username);
	ck_assert(result.valid);
	ck_assert_ptr_null(username);
}
END_TEST

START_TEST(test_client_cert_expired)
{
	struct client_cert_result result;
	char *username;

	test_client_cert_run(&test_pki.client_expired, "commonName", &result,
			     &username);
	ck_assert(!result.valid);
	ck_assert_ptr_null(username);
}
END_TEST

START_TEST(test_client_cert_other_ca)
{
	struct client_cert_result result;
	char *username;

	test_client_cert_run(&test_pki.client_other_ca, "commonName", &result,
			     &username);
	ck_assert(!result.valid);
	ck_assert_ptr_null(username);
}
END_TEST

START_TEST(test_client_cert_none)
{
	struct client_cert_result result;
	char *username;

	test_client_cert_run(NULL, "commonName", &result, &username);
	ck_assert(!result.valid);
	ck_assert_ptr_null(username);
}
END_TEST

Suite *ssl_peer_suite(void)
{
	Suite *s = suite_create("ssl-peer");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sni_switches_context);
	tcase_add_test(tc, test_sni_unknown_name_keeps_default);
	tcase_add_test(tc, test_sni_no_name);
	tcase_add_test(tc, test_client_cert_valid);
	tcase_add_test(tc, test_client_cert_uid_field);
	tcase_add_test(tc, test_client_cert_nul_in_name);
	tcase_add_test(tc, test_client_cert_expired);
	tcase_add_test(tc, test_client_cert_other_ca);
	tcase_add_test(tc, test_client_cert_none);
	suite_add_tcase(s, tc);
	return s;
}
