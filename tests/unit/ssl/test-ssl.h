/* Copyright (c) dovecot-like authors. test-ssl.h: the Check suites of
   lib-ssl-iostream and their shared fixtures (generated PKI, an OpenSSL
   test client driven by our ioloop). */
#ifndef TEST_SSL_H
#define TEST_SSL_H

#include "lib.h"
#include "iostream-ssl.h"

#include <check.h>
#include <openssl/ssl.h>

struct buf;
struct ioloop;

/* Keys and certs made with the OpenSSL API at start-up, PEM encoded. */
struct test_cert {
	EVP_PKEY *key;
	X509 *cert;
	char *cert_pem;
	char *key_pem;
};

struct test_pki {
	struct test_cert ca, other_ca;
	/* signed by ca; server.cert_pem holds the chain (server, ca) */
	struct test_cert server, sni_server;
	struct test_cert client_valid, client_expired, client_other_ca;
	struct test_cert client_nul_cn, client_uid;
	/* server.key encrypted with TEST_KEY_PASSWORD */
	char *server_key_encrypted_pem;
};

#define TEST_KEY_PASSWORD "s3cret pw"
#define TEST_SNI_NAME "other.example.com"

extern struct test_pki test_pki;
void test_pki_init(void);
void test_pki_deinit(void);

/* Default server settings over test_pki (min_protocol TLSv1.2). */
void test_server_settings(struct ssl_iostream_settings *set_r);
/* A client SSL_CTX trusting test_pki.ca; max_version 0 = any. */
SSL_CTX *test_client_ctx_create(int max_version);

/* A non-blocking OpenSSL client on one end of a socketpair. */
struct test_client {
	SSL *ssl;
	int fd;
	struct io *io_read, *io_write;
	bool handshaked, failed, eof;
	char *error;
	/* sent after the handshake */
	const unsigned char *send_data;
	size_t send_size, sent;
	struct buf *received;
	/* io_loop_stop() once this much came in (or on failure/EOF) */
	size_t stop_at;
	bool stop_on_handshake;
};

struct test_client *test_client_create(SSL_CTX *ctx, int fd);
void test_client_start(struct test_client *client);
void test_client_destroy(struct test_client **client);

/* socketpair, both ends non-blocking. */
void test_socketpair(int fds[2]);
/* Run the loop until io_loop_stop(); false if msecs passed first. */
bool test_run_loop(struct ioloop *ioloop, unsigned int msecs);

Suite *ssl_context_suite(void);
Suite *ssl_stream_suite(void);
Suite *ssl_peer_suite(void);

#endif
