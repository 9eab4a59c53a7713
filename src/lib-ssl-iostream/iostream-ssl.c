/* Copyright (c) dovecot-like authors. One TLS connection: the SSL object over
   the client fd, its non-blocking handshake and the error reporting the
   istream and ostream share. */
#include "lib.h"
#include "str.h"
#include "ioloop.h"
#include "net.h"
#include "istream.h"
#include "ostream.h"
#include "iostream-ssl-private.h"

#include <fcntl.h>
#include <unistd.h>
#include <openssl/err.h>

int ssl_iostream_get_ex_index(void)
{
	static int ex_index = -1;

	if (ex_index < 0) {
		ex_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
		if (ex_index < 0)
			panic("SSL_get_ex_new_index() failed");
	}
	return ex_index;
}

const char *ssl_iostream_error_queue_str(void)
{
	struct str *str = t_str_new(128);
	const char *data, *reason;
	unsigned long err;
	char buf[256];
	int flags;

	while ((err = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		if (str_len(str) > 0)
			str_append(str, ", ");
		reason = ERR_reason_error_string(err);
		if (reason != NULL) {
			str_append(str, reason);
		} else {
			ERR_error_string_n(err, buf, sizeof(buf));
			str_append(str, buf);
		}
		if ((flags & ERR_TXT_STRING) != 0 && data != NULL &&
		    data[0] != '\0') {
			str_append(str, " (");
			str_append(str, data);
			str_append(str, ")");
		}
	}
	return str_c(str);
}

void ssl_iostream_set_error(struct ssl_iostream *ssl, const char *error)
{
	char *old = ssl->last_error;

	/* error may point into the old one */
	ssl->last_error = p_strdup(system_pool, error);
	p_free(system_pool, old);
}

enum ssl_iostream_result
ssl_iostream_result(struct ssl_iostream *ssl, int ret, const char *func)
{
	int err = SSL_get_error(ssl->ssl, ret);
	int saved_errno = errno;
	const char *queue;

	switch (err) {
	case SSL_ERROR_WANT_READ:
		return SSL_IOSTREAM_RESULT_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return SSL_IOSTREAM_RESULT_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		ssl->input_closed = true;
		ERR_clear_error();
		return SSL_IOSTREAM_RESULT_EOF;
	case SSL_ERROR_SYSCALL:
		queue = ssl_iostream_error_queue_str();
		if (queue[0] != '\0') {
			ssl->last_errno = EPROTO;
			ssl_iostream_set_error(ssl, tmp_printf("%s failed: %s",
							       func, queue));
		} else if (saved_errno != 0 && saved_errno != EAGAIN) {
			ssl->last_errno = saved_errno;
			ssl_iostream_set_error(ssl, tmp_printf("%s failed: %s",
				func, strerror(saved_errno)));
		} else {
			/* EOF without close_notify */
			ssl->input_closed = true;
			return SSL_IOSTREAM_RESULT_EOF;
		}
		return SSL_IOSTREAM_RESULT_ERROR;
	case SSL_ERROR_SSL:
		queue = ssl_iostream_error_queue_str();
		ssl->last_errno = EPROTO;
		ssl_iostream_set_error(ssl, tmp_printf("%s failed: %s", func,
			queue[0] != '\0' ? queue : "unknown error"));
		return SSL_IOSTREAM_RESULT_ERROR;
	default:
		ERR_clear_error();
		ssl->last_errno = EPROTO;
		ssl_iostream_set_error(ssl, tmp_printf(
			"%s failed: SSL_get_error() = %d", func, err));
		return SSL_IOSTREAM_RESULT_ERROR;
	}
}

int ssl_iostream_get_errno(const struct ssl_iostream *ssl)
{
	return ssl->last_errno != 0 ? ssl->last_errno : EPROTO;
}

int ssl_iostream_get_watch_fd(struct ssl_iostream *ssl)
{
	if (ssl->watch_fd < 0) {
		ssl->watch_fd = fcntl(ssl->fd, F_DUPFD_CLOEXEC, 0);
		if (ssl->watch_fd < 0)
			log_error("fcntl(F_DUPFD_CLOEXEC) failed: %m");
	}
	return ssl->watch_fd;
}

void ssl_iostream_output_kick(struct ssl_iostream *ssl)
{
	if (ssl->output != NULL && ssl->output_waits_read)
		ostream_ssl_kick(ssl->output);
}

int ssl_iostream_create_server(struct ssl_iostream_context *ctx, int fd,
			       size_t max_buffer_size, struct istream **input_r,
			       struct ostream **output_r, struct ssl_iostream **ssl_r,
			       const char **error_r)
{
	struct ssl_iostream *ssl;
	SSL *ssl_obj;

	ERR_clear_error();
	ssl_obj = SSL_new(ctx->ssl_ctx);
	if (ssl_obj == NULL) {
		*error_r = tmp_printf("SSL_new() failed: %s",
				      ssl_iostream_error_queue_str());
		return -1;
	}
	if (SSL_set_fd(ssl_obj, fd) != 1) {
		*error_r = tmp_printf("SSL_set_fd() failed: %s",
				      ssl_iostream_error_queue_str());
		SSL_free(ssl_obj);
		return -1;
	}
	SSL_set_accept_state(ssl_obj);

	ssl = p_malloc(system_pool, sizeof(*ssl));
	/* the caller's, the istream's and the ostream's */
	ssl->refcount = 3;
	ssl->ssl = ssl_obj;
	ssl->fd = fd;
	ssl->is_tcp = net_is_tcp_socket(fd);
	ssl->watch_fd = -1;
	ssl->ctx = ctx;
	ssl_iostream_context_ref(ctx);
	if (SSL_set_ex_data(ssl_obj, ssl_iostream_get_ex_index(), ssl) != 1)
		panic("SSL_set_ex_data() failed");

	ssl->input = istream_ssl_create(ssl, max_buffer_size);
	ssl->output = ostream_ssl_create(ssl, max_buffer_size);
	*input_r = ssl->input;
	*output_r = ssl->output;
	*ssl_r = ssl;
	return 0;
}

void ssl_iostream_unref(struct ssl_iostream **_ssl)
{
	struct ssl_iostream *ssl = *_ssl;

	if (ssl == NULL)
		return;
	*_ssl = NULL;
	ASSERT(ssl->refcount > 0);
	if (--ssl->refcount > 0)
		return;
	ASSERT(ssl->input == NULL && ssl->output == NULL);
	/* remove the watches before closing their fd: epoll keeps a closed
	   dup registered as long as the original fd is open */
	io_remove(&ssl->handshake_io);
	if (ssl->watch_fd >= 0 && close(ssl->watch_fd) < 0)
		log_error("close(ssl watch fd) failed: %m");
	SSL_free(ssl->ssl);
	ssl_iostream_context_unref(&ssl->ctx);
	p_free(system_pool, ssl->last_error);
	p_free(system_pool, ssl->server_name);
	p_free(system_pool, ssl->peer_username);
	p_free(system_pool, ssl->security_string);
	p_free(system_pool, ssl);
	ERR_clear_error();
}

static void ssl_iostream_handshake_io(void *context)
{
	struct ssl_iostream *ssl = context;

	io_remove(&ssl->handshake_io);
	(void)ssl_iostream_handshake(ssl);
	/* a failure shows up in the ostream's flush; the client then waits
	   for nothing, so the idle timeout ends it otherwise */
	ssl_iostream_output_kick(ssl);
}

int ssl_iostream_handshake(struct ssl_iostream *ssl)
{
	int ret, fd;

	if (ssl->handshaked)
		return 1;
	if (ssl->handshake_failed)
		return -1;

	ERR_clear_error();
	errno = 0;
	ret = SSL_do_handshake(ssl->ssl);
	if (ret == 1) {
		ssl->handshaked = true;
		ssl->want_read = false;
		io_remove(&ssl->handshake_io);
		ssl_iostream_output_kick(ssl);
		return 1;
	}
	switch (ssl_iostream_result(ssl, ret, "SSL_do_handshake")) {
	case SSL_IOSTREAM_RESULT_OK:
		break;
	case SSL_IOSTREAM_RESULT_WANT_READ:
		ssl->want_read = true;
		io_remove(&ssl->handshake_io);
		return 0;
	case SSL_IOSTREAM_RESULT_WANT_WRITE:
		/* the caller waits for input, but the peer waits for us */
		ssl->want_read = false;
		fd = ssl_iostream_get_watch_fd(ssl);
		if (ssl->handshake_io == NULL && fd >= 0 &&
		    current_ioloop != NULL) {
			ssl->handshake_io = io_add(fd, IO_WRITE,
				ssl_iostream_handshake_io, ssl);
		}
		return 0;
	case SSL_IOSTREAM_RESULT_EOF:
		ssl->last_errno = ECONNRESET;
		ssl_iostream_set_error(ssl,
			"SSL handshake failed: Connection closed by peer");
		break;
	case SSL_IOSTREAM_RESULT_ERROR:
		ssl_iostream_set_error(ssl, tmp_printf(
			"SSL handshake failed: %s", ssl->last_error));
		break;
	}
	ssl->handshake_failed = true;
	io_remove(&ssl->handshake_io);
	ssl_iostream_output_kick(ssl);
	return -1;
}

bool ssl_iostream_is_handshaked(const struct ssl_iostream *ssl)
{
	return ssl->handshaked;
}

const char *ssl_iostream_get_server_name(const struct ssl_iostream *ssl)
{
	return ssl->server_name;
}

const char *ssl_iostream_get_security_string(const struct ssl_iostream *ssl)
{
	struct ssl_iostream *mssl = (struct ssl_iostream *)ssl;
	const SSL_CIPHER *cipher;
	int bits, alg_bits;

	if (!ssl->handshaked)
		return "";
	if (ssl->security_string == NULL) {
		cipher = SSL_get_current_cipher(ssl->ssl);
		if (cipher == NULL)
			return "";
		bits = SSL_CIPHER_get_bits(cipher, &alg_bits);
		mssl->security_string = p_printf(system_pool,
			"%s with cipher %s (%d/%d bits)",
			SSL_get_version(ssl->ssl), SSL_CIPHER_get_name(cipher),
			bits, alg_bits);
	}
	return ssl->security_string;
}

const char *ssl_iostream_get_last_error(const struct ssl_iostream *ssl)
{
	return ssl->last_error != NULL ? ssl->last_error : "(no error)";
}

bool ssl_iostream_has_pending_input(const struct ssl_iostream *ssl)
{
	return SSL_pending(ssl->ssl) > 0 || SSL_has_pending(ssl->ssl) == 1;
}
