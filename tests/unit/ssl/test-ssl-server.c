/* Copyright (c) dovecot-like authors. The server side of the stream tests:
   a login-process-like user of our TLS streams, driven by the ioloop. */
#include "test-ssl-server.h"
#include "buffer.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"

#include <unistd.h>

#define TEST_SEND_CHUNK 16384
#define TEST_OUT_LIMIT_DEFAULT 65536

static void test_server_note_output(struct test_server *server)
{
	size_t used = ostream_get_buffer_used(server->output);

	if (used > server->max_output_used)
		server->max_output_used = used;
}

static void test_server_input(void *context)
{
	struct test_server *server = context;
	const unsigned char *data;
	size_t size;
	ssize_t ret;

	if (server->handshake_only) {
		if (ssl_iostream_handshake(server->ssl) != 0) {
			io_remove(&server->io);
			io_loop_stop(current_ioloop);
		}
		return;
	}
	do {
		if (server->echo && ostream_get_buffer_used(server->output) >=
		    server->out_limit) {
			/* resumed by the flush callback */
			io_remove(&server->io);
			return;
		}
		ret = istream_read(server->input);
		data = istream_get_data(server->input, &size);
		if (size > 0) {
			(void)buf_append(server->received, data, size);
			if (server->echo)
				(void)ostream_send(server->output, data, size);
			istream_skip(server->input, size);
			test_server_note_output(server);
		}
		if (ret == -1) {
			io_remove(&server->io);
			if (server->stop_on_eof)
				io_loop_stop(current_ioloop);
			return;
		}
	} while (ret != 0 && !server->one_read_per_callback);
	if (server->stop_at > 0 && server->received->used >= server->stop_at)
		io_loop_stop(current_ioloop);
}

static void test_server_send_more(struct test_server *server)
{
	size_t n;

	while (server->sent < server->send_size &&
	       ostream_get_buffer_used(server->output) < server->out_limit) {
		n = MIN(server->send_size - server->sent, TEST_SEND_CHUNK);
		if (ostream_send(server->output, server->send_data + server->sent,
				 n) < 0)
			return;
		server->sent += n;
		test_server_note_output(server);
	}
}

static int test_server_flush(void *context)
{
	struct test_server *server = context;

	server->flush_calls++;
	if (server->stop_on_flush) {
		io_loop_stop(current_ioloop);
		return 1;
	}
	if (server->output->stream_errno != 0)
		return 1;
	if (server->send_data != NULL) {
		test_server_send_more(server);
		return server->sent < server->send_size &&
			ostream_get_buffer_used(server->output) == 0 ? 0 : 1;
	}
	if (server->echo && server->io == NULL && !server->input->eof) {
		server->io = io_add(server->fd, IO_READ, test_server_input,
				    server);
		/* TLS may hold input the fd will not signal */
		test_server_input(server);
	}
	return 1;
}

void test_server_send_start(struct test_server *server,
			    const unsigned char *data, size_t size)
{
	server->send_data = data;
	server->send_size = size;
	server->sent = 0;
	test_server_send_more(server);
}

void test_env_init_ctx(struct test_env *env, struct ssl_iostream_context *ctx,
		       SSL_CTX *client_ctx, size_t in_max, size_t out_max)
{
	struct test_server *server = &env->server;
	const char *error;

	memset(env, 0, sizeof(*env));
	env->ioloop = io_loop_create();
	test_socketpair(env->fds);
	env->ctx = ctx;
	ssl_iostream_context_ref(ctx);
	env->client_ctx = client_ctx;

	server->fd = env->fds[0];
	server->received = buf_create(system_pool, 1024);
	server->out_limit = out_max != 0 ? out_max : TEST_OUT_LIMIT_DEFAULT;
	if (ssl_iostream_create_server(ctx, server->fd, in_max,
				       &server->input, &server->output,
				       &server->ssl, &error) < 0)
		ck_abort_msg("ssl_iostream_create_server() failed: %s", error);
	ostream_set_flush_callback(server->output, test_server_flush, server);
	server->io = io_add(server->fd, IO_READ, test_server_input, server);
	env->client = test_client_create(client_ctx, env->fds[1]);
}

void test_env_init_full(struct test_env *env,
			const struct ssl_iostream_settings *set,
			SSL_CTX *client_ctx, size_t in_max, size_t out_max)
{
	struct ssl_iostream_settings default_set;
	struct ssl_iostream_context *ctx;
	const char *error;

	if (set == NULL) {
		test_server_settings(&default_set);
		set = &default_set;
	}
	if (ssl_iostream_context_create_server(set, &ctx, &error) < 0)
		ck_abort_msg("context failed: %s", error);
	test_env_init_ctx(env, ctx, client_ctx, in_max, out_max);
	ssl_iostream_context_unref(&ctx);
}

void test_env_init(struct test_env *env, const struct ssl_iostream_settings *set,
		   size_t in_max, size_t out_max)
{
	test_env_init_full(env, set, test_client_ctx_create(0), in_max,
			   out_max);
}

void test_env_deinit(struct test_env *env)
{
	struct test_server *server = &env->server;

	io_remove(&server->io);
	istream_unref(&server->input);
	ostream_destroy(&server->output);
	ssl_iostream_unref(&server->ssl);
	buf_free(&server->received);
	test_client_destroy(&env->client);
	SSL_CTX_free(env->client_ctx);
	ssl_iostream_context_unref(&env->ctx);
	if (close(env->fds[0]) < 0)
		ck_abort_msg("close() failed");
	if (env->fds[1] >= 0 && close(env->fds[1]) < 0)
		ck_abort_msg("close() failed");
	io_loop_destroy(&env->ioloop);
}
