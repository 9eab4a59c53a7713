/* Copyright (c) dovecot-like authors. Tests the TLS istream/ostream against a
   real OpenSSL client: handshake, data both ways, big transfers through small
   buffers, refused protocols, and peers that close or send garbage. */
#include "test-ssl-server.h"
#include "buffer.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"

#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <openssl/err.h>

#define BIG_SIZE (1024 * 1024)
#define LOOP_MSECS 10000

static unsigned char *test_big_data(void)
{
	unsigned char *data = p_malloc(system_pool, BIG_SIZE);
	uint32_t x = 12345;
	size_t i;

	for (i = 0; i < BIG_SIZE; i++) {
		x = x * 1103515245 + 12345;
		data[i] = (unsigned char)(x >> 16);
	}
	return data;
}

static void test_small_sndbuf(int fd)
{
	int size = 4096;

	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

START_TEST(test_handshake_and_data)
{
	struct test_env env;
	const char *greeting = "* OK hello\r\n", *expect;

	test_env_init(&env, NULL, 0, 0);
	/* sent before the handshake: it happens on this write */
	ck_assert_int_eq(ostream_send_str(env.server.output, greeting),
			 (ssize_t)strlen(greeting));
	ck_assert(!ssl_iostream_is_handshaked(env.server.ssl));
	ck_assert_str_eq(ssl_iostream_get_security_string(env.server.ssl), "");
	env.server.echo = true;
	env.client->send_data = (const unsigned char *)"PING\r\n";
	env.client->send_size = 6;
	expect = "* OK hello\r\nPING\r\n";
	env.client->stop_at = strlen(expect);
	test_client_start(env.client);
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert_msg(!env.client->failed, "%s", env.client->error);
	ck_assert_uint_eq(env.client->received->used, strlen(expect));
	ck_assert(memcmp(env.client->received->data, expect, strlen(expect)) == 0);

	ck_assert(ssl_iostream_is_handshaked(env.server.ssl));
	ck_assert_int_eq(ssl_iostream_handshake(env.server.ssl), 1);
	ck_assert_msg(strncmp(ssl_iostream_get_security_string(env.server.ssl),
			      "TLSv1.3 with cipher TLS_", 24) == 0, "%s",
		      ssl_iostream_get_security_string(env.server.ssl));
	ck_assert_ptr_nonnull(strstr(ssl_iostream_get_security_string(
		env.server.ssl), " bits)"));
	ck_assert_ptr_null(ssl_iostream_get_server_name(env.server.ssl));
	ck_assert(!ssl_iostream_has_valid_client_cert(env.server.ssl));
	ck_assert_ptr_null(ssl_iostream_get_peer_username(env.server.ssl));

	/* close_notify from the client is a clean EOF */
	(void)SSL_shutdown(env.client->ssl);
	env.server.stop_on_eof = true;
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert(env.server.input->eof);
	ck_assert_int_eq(env.server.input->stream_errno, 0);
	test_env_deinit(&env);
}
END_TEST

START_TEST(test_explicit_handshake)
{
	struct test_env env;

	test_env_init(&env, NULL, 0, 0);
	ck_assert_int_eq(ssl_iostream_handshake(env.server.ssl), 0);
	env.server.handshake_only = true;
	test_client_start(env.client);
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert_msg(!env.client->failed, "%s", env.client->error);
	ck_assert(ssl_iostream_is_handshaked(env.server.ssl));
	test_env_deinit(&env);
}
END_TEST

/* 1 MB from the client, echoed back, through 4 kB buffers and sockets */
START_TEST(test_big_echo)
{
	struct test_env env;
	unsigned char *big = test_big_data();

	test_env_init(&env, NULL, 4096, 4096);
	test_small_sndbuf(env.fds[0]);
	test_small_sndbuf(env.fds[1]);
	env.server.echo = true;
	env.client->send_data = big;
	env.client->send_size = BIG_SIZE;
	env.client->stop_at = BIG_SIZE;
	test_client_start(env.client);
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS * 3));
	ck_assert_msg(!env.client->failed, "%s", env.client->error);
	ck_assert_uint_eq(env.server.received->used, BIG_SIZE);
	ck_assert_uint_eq(env.client->received->used, BIG_SIZE);
	ck_assert(memcmp(env.client->received->data, big, BIG_SIZE) == 0);
	ck_assert(memcmp(env.server.received->data, big, BIG_SIZE) == 0);
	/* buffers stayed bounded */
	ck_assert_uint_le(env.server.max_output_used, 4096 + 65536);
	test_env_deinit(&env);
	p_free(system_pool, big);
}
END_TEST

/* 1 MB from the server, started before the handshake, flushed by the loop */
START_TEST(test_big_server_to_client)
{
	struct test_env env;
	unsigned char *big = test_big_data();

	test_env_init(&env, NULL, 0, 4096);
	test_small_sndbuf(env.fds[0]);
	test_small_sndbuf(env.fds[1]);
	test_server_send_start(&env.server, big, BIG_SIZE);
	env.client->stop_at = BIG_SIZE;
	test_client_start(env.client);
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS * 3));
	ck_assert_msg(!env.client->failed, "%s", env.client->error);
	ck_assert_uint_eq(env.client->received->used, BIG_SIZE);
	ck_assert(memcmp(env.client->received->data, big, BIG_SIZE) == 0);
	ck_assert_uint_le(env.server.max_output_used, 4096 + 65536);
	test_env_deinit(&env);
	p_free(system_pool, big);
}
END_TEST

/* A server that reads only once per io callback must still see all data:
   16 kB records arrive, the istream hands out 4 kB chunks. */
START_TEST(test_drain_pending)
{
	struct test_env env;
	unsigned char *big = test_big_data();
	size_t size = 200 * 1024;

	test_env_init(&env, NULL, 0, 0);
	env.server.one_read_per_callback = true;
	env.server.stop_at = size;
	env.client->send_data = big;
	env.client->send_size = size;
	test_client_start(env.client);
	ck_assert_msg(test_run_loop(env.ioloop, LOOP_MSECS),
		      "stuck at %zu bytes", env.server.received->used);
	ck_assert_uint_eq(env.server.received->used, size);
	ck_assert(memcmp(env.server.received->data, big, size) == 0);
	test_env_deinit(&env);
	p_free(system_pool, big);
}
END_TEST

START_TEST(test_tls11_refused)
{
	struct test_env env;

	test_env_init_full(&env, NULL, test_client_ctx_create(TLS1_1_VERSION),
			   0, 0);
	ck_assert_int_eq(ostream_send_str(env.server.output, "* OK\r\n"), 6);
	env.server.stop_on_eof = true;
	test_client_start(env.client);
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert(env.server.input->eof);
	ck_assert_int_ne(env.server.input->stream_errno, 0);
	ck_assert(!ssl_iostream_is_handshaked(env.server.ssl));
	ck_assert_int_eq(ssl_iostream_handshake(env.server.ssl), -1);
	ck_assert_msg(strstr(ssl_iostream_get_last_error(env.server.ssl),
			     "SSL handshake failed: ") != NULL, "%s",
		      ssl_iostream_get_last_error(env.server.ssl));
	ck_assert_msg(strstr(ssl_iostream_get_last_error(env.server.ssl),
			     "unsupported protocol") != NULL, "%s",
		      ssl_iostream_get_last_error(env.server.ssl));
	/* the ostream reports the failure too */
	ck_assert_int_eq(ostream_flush(env.server.output), -1);
	test_env_deinit(&env);
}
END_TEST

START_TEST(test_tls11_allowed)
{
	struct test_env env;
	struct ssl_iostream_settings set;

	test_server_settings(&set);
	set.min_protocol = "TLSv1";
	test_env_init_full(&env, &set, test_client_ctx_create(TLS1_1_VERSION),
			   0, 0);
	env.server.handshake_only = true;
	test_client_start(env.client);
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert_msg(!env.client->failed, "%s", env.client->error);
	ck_assert_msg(strncmp(ssl_iostream_get_security_string(env.server.ssl),
			      "TLSv1.1 with cipher ", 20) == 0, "%s",
		      ssl_iostream_get_security_string(env.server.ssl));
	test_env_deinit(&env);
}
END_TEST

/* A real ClientHello's first half, then the client goes away. */
static void test_write_partial_client_hello(int fd)
{
	SSL_CTX *ctx = test_client_ctx_create(0);
	SSL *ssl = SSL_new(ctx);
	BIO *rbio = BIO_new(BIO_s_mem()), *wbio = BIO_new(BIO_s_mem());
	char *data;
	long len;

	SSL_set_bio(ssl, rbio, wbio);
	ck_assert_int_eq(SSL_connect(ssl), -1);
	len = BIO_get_mem_data(wbio, &data);
	ck_assert_int_gt(len, 20);
	ck_assert_int_eq(write(fd, data, (size_t)len / 2), len / 2);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
}

START_TEST(test_peer_closes_mid_handshake)
{
	struct test_env env;

	test_env_init(&env, NULL, 0, 0);
	env.server.stop_on_eof = true;
	test_write_partial_client_hello(env.fds[1]);
	ck_assert_int_eq(close(env.fds[1]), 0);
	env.fds[1] = -1;
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert(env.server.input->eof);
	ck_assert_int_ne(env.server.input->stream_errno, 0);
	ck_assert_int_eq(ssl_iostream_handshake(env.server.ssl), -1);
	ck_assert_msg(strncmp(ssl_iostream_get_last_error(env.server.ssl),
			      "SSL handshake failed: ", 22) == 0, "%s",
		      ssl_iostream_get_last_error(env.server.ssl));
	test_env_deinit(&env);
}
END_TEST

/* Only an ostream waiting for the handshake: the close must still reach
   the flush callback (no read io anywhere, no spinning write io). */
START_TEST(test_peer_closes_output_only)
{
	struct test_env env;
	clock_t cpu;

	test_env_init(&env, NULL, 0, 0);
	io_remove(&env.server.io);
	env.server.stop_on_flush = true;
	ck_assert_int_eq(ostream_send_str(env.server.output, "* OK\r\n"), 6);
	ck_assert_uint_eq(ostream_get_buffer_used(env.server.output), 6);
	/* nothing comes: the loop must sleep, not spin on a write io */
	cpu = clock();
	ck_assert(!test_run_loop(env.ioloop, 300));
	cpu = clock() - cpu;
	ck_assert_msg(cpu < CLOCKS_PER_SEC / 10, "spinning: %ld", (long)cpu);
	ck_assert_uint_eq(env.server.flush_calls, 0);
	test_write_partial_client_hello(env.fds[1]);
	ck_assert_int_eq(close(env.fds[1]), 0);
	env.fds[1] = -1;
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert_uint_eq(env.server.flush_calls, 1);
	ck_assert_int_ne(env.server.output->stream_errno, 0);
	test_env_deinit(&env);
}
END_TEST

START_TEST(test_garbage_client_hello)
{
	struct test_env env;
	const char *http = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";

	test_env_init(&env, NULL, 0, 0);
	env.server.stop_on_eof = true;
	ck_assert_int_eq(write(env.fds[1], http, strlen(http)),
			 (ssize_t)strlen(http));
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert(env.server.input->eof);
	ck_assert_int_ne(env.server.input->stream_errno, 0);
	ck_assert_msg(strncmp(ssl_iostream_get_last_error(env.server.ssl),
			      "SSL handshake failed: ", 22) == 0, "%s",
		      ssl_iostream_get_last_error(env.server.ssl));
	ck_assert_uint_eq(env.server.received->used, 0);
	test_env_deinit(&env);
}
END_TEST

START_TEST(test_peer_closes_before_hello)
{
	struct test_env env;

	test_env_init(&env, NULL, 0, 0);
	env.server.stop_on_eof = true;
	ck_assert_int_eq(close(env.fds[1]), 0);
	env.fds[1] = -1;
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert(env.server.input->eof);
	ck_assert(!ssl_iostream_is_handshaked(env.server.ssl));
	test_env_deinit(&env);
}
END_TEST

START_TEST(test_session_resumption)
{
	struct test_env env;
	SSL_SESSION *session;
	SSL_CTX *client_ctx = test_client_ctx_create(0);
	struct ssl_iostream_context *ctx;
	struct ssl_iostream_settings set;
	const char *error;

	test_server_settings(&set);
	ck_assert_int_eq(ssl_iostream_context_create_server(&set, &ctx,
							    &error), 0);
	SSL_CTX_up_ref(client_ctx);
	test_env_init_ctx(&env, ctx, client_ctx, 0, 0);
	env.server.echo = true;
	/* TLS 1.3 tickets come after the handshake: exchange data first */
	env.client->send_data = (const unsigned char *)"x\n";
	env.client->send_size = 2;
	env.client->stop_at = 2;
	test_client_start(env.client);
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert_msg(!env.client->failed, "%s", env.client->error);
	session = SSL_get1_session(env.client->ssl);
	ck_assert_ptr_nonnull(session);
	ck_assert(SSL_SESSION_is_resumable(session) == 1);
	/* SSL_free() without close_notify makes the session unresumable */
	(void)SSL_shutdown(env.client->ssl);
	test_env_deinit(&env);

	test_env_init_ctx(&env, ctx, client_ctx, 0, 0);
	ck_assert_int_eq(SSL_set_session(env.client->ssl, session), 1);
	env.server.echo = true;
	env.client->send_data = (const unsigned char *)"y\n";
	env.client->send_size = 2;
	env.client->stop_at = 2;
	test_client_start(env.client);
	ck_assert(test_run_loop(env.ioloop, LOOP_MSECS));
	ck_assert_msg(!env.client->failed, "%s", env.client->error);
	ck_assert_int_eq(SSL_session_reused(env.client->ssl), 1);
	test_env_deinit(&env);
	SSL_SESSION_free(session);
	ssl_iostream_context_unref(&ctx);
}
END_TEST

Suite *ssl_stream_suite(void)
{
	Suite *s = suite_create("ssl-stream");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_handshake_and_data);
	tcase_add_test(tc, test_explicit_handshake);
	tcase_add_test(tc, test_big_echo);
	tcase_add_test(tc, test_big_server_to_client);
	tcase_add_test(tc, test_drain_pending);
	tcase_add_test(tc, test_tls11_refused);
	tcase_add_test(tc, test_tls11_allowed);
	tcase_add_test(tc, test_peer_closes_mid_handshake);
	tcase_add_test(tc, test_peer_closes_output_only);
	tcase_add_test(tc, test_garbage_client_hello);
	tcase_add_test(tc, test_peer_closes_before_hello);
	tcase_add_test(tc, test_session_resumption);
	suite_add_tcase(s, tc);
	return s;
}
