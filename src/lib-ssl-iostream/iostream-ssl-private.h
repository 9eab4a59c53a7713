/* Copyright (c) dovecot-like authors. iostream-ssl-private.h: the structs and
   helpers shared by the context, connection, stream and peer-check files. */
#ifndef IOSTREAM_SSL_PRIVATE_H
#define IOSTREAM_SSL_PRIVATE_H

#include "iostream-ssl.h"

#include <openssl/ssl.h>

struct io;

struct ssl_iostream_context {
	int refcount;
	SSL_CTX *ssl_ctx;
	/* NID of cert_username_field, NID_undef = none */
	int username_nid;
	bool verify_client_cert;

	ssl_iostream_sni_callback_t *sni_callback;
	void *sni_context;
};

struct ssl_iostream {
	/* the caller's reference + one per stream still alive */
	int refcount;
	/* the context in use; SNI may switch it (we hold a reference) */
	struct ssl_iostream_context *ctx;
	SSL *ssl;
	int fd;
	/* dup(fd) for our own watches, so they never collide with the
	   caller's io on fd (one io per fd and condition); -1 until needed */
	int watch_fd;
	/* continues a handshake that blocked on writing from the read side */
	struct io *handshake_io;

	/* weak: cleared by the streams' destroy */
	struct istream *input;
	struct ostream *output;

	char *last_error;
	/* errno for the streams when last_error is set */
	int last_errno;
	char *server_name;
	/* cached answers, valid as long as the ssl_iostream */
	char *peer_username;
	char *security_string;

	bool handshaked:1;
	bool handshake_failed:1;
	/* the handshake last blocked on reading (else on writing) */
	bool want_read:1;
	/* a read or write failed: the SSL must not be used again */
	bool failed:1;
	/* fd is TCP: TCP_QUICKACK after each complete write */
	bool is_tcp:1;
	bool peer_username_checked:1;
	/* close_notify or EOF seen */
	bool input_closed:1;
	/* the ostream's io is our read watch (SSL wanted to read) */
	bool output_waits_read:1;
};

/* What an SSL_* call left us with. */
enum ssl_iostream_result {
	SSL_IOSTREAM_RESULT_OK = 1,
	SSL_IOSTREAM_RESULT_WANT_READ,
	SSL_IOSTREAM_RESULT_WANT_WRITE,
	SSL_IOSTREAM_RESULT_EOF,
	SSL_IOSTREAM_RESULT_ERROR,
};

/* Classify a failed SSL_* call (ret <= 0 / !ok), set last_error for
   errors (with func naming the call) and consume the OpenSSL error queue. */
enum ssl_iostream_result
ssl_iostream_result(struct ssl_iostream *ssl, int ret, const char *func);
/* Set last_error (copied). */
void ssl_iostream_set_error(struct ssl_iostream *ssl, const char *error);
/* All queued OpenSSL errors as one line ("" if none); clears the queue. */
const char *ssl_iostream_error_queue_str(void);
/* The fd for our own watches (dup of fd), or -1 on failure (logged). */
int ssl_iostream_get_watch_fd(struct ssl_iostream *ssl);
/* After the read side made progress: let a blocked ostream retry. */
void ssl_iostream_output_kick(struct ssl_iostream *ssl);
/* The errno the streams report for a failure: EPIPE/ECONNRESET for a gone
   peer, EPROTO for TLS errors. */
int ssl_iostream_get_errno(const struct ssl_iostream *ssl);

/* SNI: install the servername callback on a new SSL_CTX. */
void ssl_iostream_sni_init(struct ssl_iostream_context *ctx);
/* ex_data index where an SSL keeps its struct ssl_iostream. */
int ssl_iostream_get_ex_index(void);

struct istream *istream_ssl_create(struct ssl_iostream *ssl,
				   size_t max_buffer_size);
struct ostream *ostream_ssl_create(struct ssl_iostream *ssl,
				   size_t max_buffer_size);
/* The ostream of ssl wants to be retried: take its io back from us. */
void ostream_ssl_kick(struct ostream *output);

#endif
