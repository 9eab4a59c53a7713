/* Copyright (c) dovecot-like authors. login-ssl.h: the TLS server contexts
   of a login process, built once at start-up from ssl_* settings and the
   `local_name` filters, before the process drops into its empty chroot. */
#ifndef LOGIN_SSL_H
#define LOGIN_SSL_H

struct settings;
struct ssl_iostream;
struct ssl_iostream_context;

/* Builds the default context and one per `local_name <names> { }` filter.
   Must run before the privilege drop (it may need to read nothing, but
   OpenSSL may load its configuration). log_fatal()s on an unusable
   certificate or key, or ssl = required without ssl_cert. Does nothing
   with ssl = no. */
void login_ssl_init(const struct settings *set);
void login_ssl_deinit(void);

/* TRUE when TLS can be offered: ssl != no and a certificate is set. */
bool login_ssl_is_available(void);
/* The default context (SNI picks a local_name one during the handshake);
   NULL unless login_ssl_is_available(). Not referenced for the caller. */
struct ssl_iostream_context *login_ssl_get_context(void);

/* ssl_iostream_get_last_error(), or NULL when there is none. */
const char *login_ssl_get_error(const struct ssl_iostream *ssl);

/* TRUE if name (an SNI host name) matches the space-separated local_name
   patterns (`*` wildcards, case-insensitive). Exposed for tests. */
bool login_ssl_name_matches(const char *patterns, const char *name);

#endif
