/* Copyright (c) dovecot-like authors. The tests' peer: a plain OpenSSL client
   over a socketpair, non-blocking and driven by our ioloop like the server. */
#include "test-ssl.h"
#include "buffer.h"
#include "ioloop.h"
#include "net.h"

#include <unistd.h>
#include <sys/socket.h>
#include <openssl/err.h>

#define TEST_CLIENT_WRITE_CHUNK 16384

SSL_CTX *test_client_ctx_create(int max_version)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	X509_STORE *store;

	if (ctx == NULL)
		panic("SSL_CTX_new() failed");
	store = SSL_CTX_get_cert_store(ctx);
	if (X509_STORE_add_cert(store, test_pki.ca.cert) != 1)
		panic("X509_STORE_add_cert() failed");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (max_version != 0) {
		/* an old client: allow what OpenSSL 3 refuses by default */
		SSL_CTX_set_security_level(ctx, 0);
		(void)SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
		(void)SSL_CTX_set_max_proto_version(ctx, max_version);
		(void)SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
	}
	return ctx;
}

void test_socketpair(int fds[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0)
		panic("socketpair() failed: %m");
	fd_set_nonblock(fds[0], true);
	fd_set_nonblock(fds[1], true);
}

static void test_run_loop_timeout(void *context)
{
	bool *timed_out = context;

	*timed_out = true;
	io_loop_stop(current_ioloop);
}

bool test_run_loop(struct ioloop *ioloop, unsigned int msecs)
{
	struct timeout *to;
	bool timed_out = false;

	to = timeout_add(msecs, test_run_loop_timeout, &timed_out);
	io_loop_run(ioloop);
	timeout_remove(&to);
	return !timed_out;
}

static void test_client_step(void *context);

static void test_client_fail(struct test_client *client, const char *func,
			     int ret)
{
	const char *reason;
	unsigned long err;

	err = ERR_get_error();
	reason = err != 0 ? ERR_reason_error_string(err) : NULL;
	client->failed = true;
	client->error = p_printf(system_pool, "%s: SSL_get_error()=%d: %s",
				 func, SSL_get_error(client->ssl, ret),
				 reason != NULL ? reason : "-");
	ERR_clear_error();
}

static void test_client_set_write_io(struct test_client *client, bool want)
{
	if (want && client->io_write == NULL) {
		client->io_write = io_add(client->fd, IO_WRITE,
					  test_client_step, client);
	} else if (!want) {
		io_remove(&client->io_write);
	}
}

static bool test_client_handshake(struct test_client *client, bool *want_write)
{
	int ret;

	ERR_clear_error();
	ret = SSL_connect(client->ssl);
	if (ret == 1) {
		client->handshaked = true;
		return true;
	}
	switch (SSL_get_error(client->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		break;
	case SSL_ERROR_WANT_WRITE:
		*want_write = true;
		break;
	default:
		test_client_fail(client, "SSL_connect", ret);
		break;
	}
	return false;
}

static void test_client_write(struct test_client *client, bool *want_write)
{
	size_t n;
	int ret;

	while (client->sent < client->send_size) {
		ERR_clear_error();
		ret = SSL_write_ex(client->ssl, client->send_data + client->sent,
				   MIN(client->send_size - client->sent,
				       TEST_CLIENT_WRITE_CHUNK), &n);
		if (ret == 1) {
			client->sent += n;
			continue;
		}
		switch (SSL_get_error(client->ssl, ret)) {
		case SSL_ERROR_WANT_WRITE:
			*want_write = true;
			return;
		case SSL_ERROR_WANT_READ:
			return;
		default:
			test_client_fail(client, "SSL_write", ret);
			return;
		}
	}
}

static void test_client_read(struct test_client *client, bool *want_write)
{
	unsigned char buf[8192];
	size_t n;
	int ret;

	for (;;) {
		ERR_clear_error();
		ret = SSL_read_ex(client->ssl, buf, sizeof(buf), &n);
		if (ret == 1) {
			(void)buf_append(client->received, buf, n);
			continue;
		}
		switch (SSL_get_error(client->ssl, ret)) {
		case SSL_ERROR_WANT_READ:
			return;
		case SSL_ERROR_WANT_WRITE:
			*want_write = true;
			return;
		case SSL_ERROR_ZERO_RETURN:
			client->eof = true;
			return;
		case SSL_ERROR_SYSCALL:
			if (ERR_peek_error() == 0) {
				client->eof = true;
				return;
			}
			/* fall through */
		default:
			test_client_fail(client, "SSL_read", ret);
			return;
		}
	}
}

static void test_client_step(void *context)
{
	struct test_client *client = context;
	bool want_write = false;

	if (client->failed)
		return;
	if (!client->handshaked &&
	    !test_client_handshake(client, &want_write)) {
		test_client_set_write_io(client, want_write);
		if (client->failed) {
			io_remove(&client->io_read);
			io_loop_stop(current_ioloop);
		}
		return;
	}
	test_client_write(client, &want_write);
	if (!client->failed && !client->eof)
		test_client_read(client, &want_write);
	test_client_set_write_io(client, want_write && !client->failed);
	if (client->failed || client->eof)
		io_remove(&client->io_read);
	if (client->failed || client->eof || client->stop_on_handshake ||
	    (client->stop_at > 0 && client->received->used >= client->stop_at))
		io_loop_stop(current_ioloop);
}

struct test_client *test_client_create(SSL_CTX *ctx, int fd)
{
	struct test_client *client = p_malloc(system_pool, sizeof(*client));

	client->ssl = SSL_new(ctx);
	if (client->ssl == NULL || SSL_set_fd(client->ssl, fd) != 1)
		panic("SSL_new() failed");
	SSL_set_connect_state(client->ssl);
	client->fd = fd;
	client->received = buf_create(system_pool, 1024);
	return client;
}

void test_client_start(struct test_client *client)
{
	client->io_read = io_add(client->fd, IO_READ, test_client_step, client);
	test_client_step(client);
}

void test_client_destroy(struct test_client **_client)
{
	struct test_client *client = *_client;

	*_client = NULL;
	io_remove(&client->io_read);
	io_remove(&client->io_write);
	SSL_free(client->ssl);
	buf_free(&client->received);
	p_free(system_pool, client->error);
	p_free(system_pool, client);
}
