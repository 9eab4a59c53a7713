/* Copyright (c) dovecot-like authors. test-ssl-server.h: the server side of
   the stream tests (our TLS streams on one end of a socketpair) and the
   environment that pairs it with a test client. */
#ifndef TEST_SSL_SERVER_H
#define TEST_SSL_SERVER_H

#include "test-ssl.h"

struct test_server {
	struct ssl_iostream *ssl;
	struct istream *input;
	struct ostream *output;
	struct io *io;
	int fd;
	struct buf *received;

	/* send back what comes in, pausing input while the output holds
	   out_limit bytes */
	bool echo;
	/* one istream_read() per io callback, like a naive caller */
	bool one_read_per_callback;
	/* only drive ssl_iostream_handshake(), stop when it is decided */
	bool handshake_only;
	bool stop_on_eof, stop_on_flush;
	/* stop when this much has been received */
	size_t stop_at;
	size_t out_limit;
	size_t max_output_used;
	unsigned int flush_calls;

	const unsigned char *send_data;
	size_t send_size, sent;
};

struct test_env {
	struct ioloop *ioloop;
	int fds[2];
	struct ssl_iostream_context *ctx;
	SSL_CTX *client_ctx;
	struct test_server server;
	struct test_client *client;
};

/* set NULL = test_server_settings(); *_max 0 = stream defaults */
void test_env_init(struct test_env *env, const struct ssl_iostream_settings *set,
		   size_t in_max, size_t out_max);
/* client_ctx is consumed */
void test_env_init_full(struct test_env *env,
			const struct ssl_iostream_settings *set,
			SSL_CTX *client_ctx, size_t in_max, size_t out_max);
/* ctx gets another reference; client_ctx is consumed */
void test_env_init_ctx(struct test_env *env, struct ssl_iostream_context *ctx,
		       SSL_CTX *client_ctx, size_t in_max, size_t out_max);
void test_env_deinit(struct test_env *env);

/* Send data through the server's ostream, out_limit at a time. */
void test_server_send_start(struct test_server *server,
			    const unsigned char *data, size_t size);

#endif
