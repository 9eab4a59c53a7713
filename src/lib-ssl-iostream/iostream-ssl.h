/* Copyright (c) dovecot-like authors. iostream-ssl.h: server-side TLS
   (OpenSSL) as an istream/ostream pair over a non-blocking socket, for the
   login processes: implicit TLS (imaps/pop3s), STARTTLS/STLS, SNI, client
   certificates, session resumption, and contexts rebuilt on reload. Depends
   on src/lib and OpenSSL only. */
#ifndef IOSTREAM_SSL_H
#define IOSTREAM_SSL_H

struct istream;
struct ostream;

/* Values as the settings give them: PEM data for cert/key/ca (the config
   parser has already read "<file" values), names for the rest. */
struct ssl_iostream_settings {
	const char *cert;		/* ssl_cert: PEM chain, server cert first */
	const char *key;		/* ssl_key: PEM private key */
	const char *key_password;	/* ssl_key_password, "" = none */
	const char *ca;			/* ssl_ca: PEM CAs for client certs, "" = none */
	const char *min_protocol;	/* ssl_min_protocol: "TLSv1.2", "TLSv1.3", "ANY"... */
	const char *cipher_list;	/* ssl_cipher_list (TLS <= 1.2) */
	const char *cipher_suites;	/* ssl_cipher_suites (TLS 1.3), "" = default */
	const char *curve_list;		/* ssl_curve_list, "" = default */
	const char *dh;			/* ssl_dh: PEM DH parameters, "" = none */
	bool prefer_server_ciphers;	/* ssl_prefer_server_ciphers */
	bool verify_client_cert;	/* ssl_verify_client_cert: ask for one */
	/* auth_ssl_username_from_cert: the cert field, e.g. "commonName",
	   "x500UniqueIdentifier"; "" = none */
	const char *cert_username_field;
};

struct ssl_iostream_context;
struct ssl_iostream;

/* Build a server context. Fails (with a clear *error_r naming the setting)
   on an unreadable/mismatching cert or key, an encrypted key without a
   password ("ssl_key: key is encrypted, but ssl_key_password is not set"),
   a bad min_protocol or cipher list. */
int ssl_iostream_context_create_server(const struct ssl_iostream_settings *set,
				       struct ssl_iostream_context **ctx_r,
				       const char **error_r);
void ssl_iostream_context_ref(struct ssl_iostream_context *ctx);
void ssl_iostream_context_unref(struct ssl_iostream_context **ctx);

/* SNI: called during the handshake with the client's server name; return
   the context to use (e.g. from a `local_name mail.example.com { }` filter),
   or NULL to keep the default. */
typedef struct ssl_iostream_context *
ssl_iostream_sni_callback_t(const char *server_name, void *context);
void ssl_iostream_context_set_sni_callback(struct ssl_iostream_context *ctx,
					   ssl_iostream_sni_callback_t *callback,
					   void *context);

/* Start TLS on fd (non-blocking, already connected). The handshake is driven
   by reads/writes of the returned streams (or ssl_iostream_handshake()). For
   STARTTLS the caller first destroys its plaintext streams, discarding any
   input buffered after the STARTTLS line (RFC 3207 / CVE-2011-0411
   injection defence), then calls this. The streams keep a reference to the
   ssl_iostream; destroying both streams and the ssl_iostream frees it.
   The fd stays the caller's: close it after that. Stream errors read as
   "read(fd) failed: Protocol error"; ssl_iostream_get_last_error() has the
   TLS reason. Destroying the ostream sends close_notify. */
int ssl_iostream_create_server(struct ssl_iostream_context *ctx, int fd,
			       size_t max_buffer_size, struct istream **input_r,
			       struct ostream **output_r, struct ssl_iostream **ssl_r,
			       const char **error_r);
void ssl_iostream_unref(struct ssl_iostream **ssl);

/* 1 = handshake done, 0 = in progress (wait for the fd), -1 = failed
   (ssl_iostream_get_last_error()). Reads of the istream return -1 with
   stream_errno set if the handshake fails. */
int ssl_iostream_handshake(struct ssl_iostream *ssl);
bool ssl_iostream_is_handshaked(const struct ssl_iostream *ssl);
/* The client sent a certificate that verified against ssl_ca. */
bool ssl_iostream_has_valid_client_cert(const struct ssl_iostream *ssl);
/* The peer sent a certificate, but it did not verify against ssl_ca
   (expired, unknown CA, revoked...). */
bool ssl_iostream_has_broken_client_cert(const struct ssl_iostream *ssl);
/* cert_username_field of a valid client cert, or NULL. */
const char *ssl_iostream_get_peer_username(const struct ssl_iostream *ssl);
/* SNI name the client asked for, or NULL. */
const char *ssl_iostream_get_server_name(const struct ssl_iostream *ssl);
/* The strings returned by the getters below live as long as ssl. */
/* "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)", for logs;
   "" before the handshake. */
const char *ssl_iostream_get_security_string(const struct ssl_iostream *ssl);
const char *ssl_iostream_get_last_error(const struct ssl_iostream *ssl);
/* TLS holds decrypted input that the fd will not signal again. The istream
   reads it all up to max_buffer_size; after istream_read() returned -2,
   read again once you skipped data instead of waiting for the fd. */
bool ssl_iostream_has_pending_input(const struct ssl_iostream *ssl);

/* Process-wide OpenSSL init/cleanup. */
void ssl_iostream_init(void);
void ssl_iostream_deinit(void);

#endif
