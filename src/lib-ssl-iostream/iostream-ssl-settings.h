/* Copyright (c) dovecot-like authors. iostream-ssl-settings.h: the TLS
   settings of a protocol as struct ssl_iostream_settings, from the config
   (global ssl_* keys, protocol filters, `local_name` filters), shared by the
   login processes (which build the contexts) and master (which checks them
   at start-up and on reload). */
#ifndef IOSTREAM_SSL_SETTINGS_H
#define IOSTREAM_SSL_SETTINGS_H

#include "iostream-ssl.h"

struct settings;
struct settings_section;

/* The ssl_* settings for protocol ("imap", "pop3"). Strings point into set.
   verify_client_cert is also implied by auth_ssl_require_client_cert and
   auth_ssl_username_from_cert, as in Dovecot. Returns 0, or -1 with
   *error_r for an invalid boolean. */
int ssl_iostream_settings_read(const struct settings *set, const char *protocol,
			       struct ssl_iostream_settings *s_r, const char **error_r);
/* Apply a `local_name <names> { }` section's keys, then those of a
   `protocol <protocol> { }` inside it, over s. */
int ssl_iostream_settings_apply_filter(const struct settings_section *sec,
				       const char *protocol,
				       struct ssl_iostream_settings *s,
				       const char **error_r);
/* Whether TLS is to be offered: ssl != no and a certificate is set (ssl =
   yes, the default, without one just offers no TLS), or ssl = required. */
bool ssl_iostream_settings_enabled(const struct settings *set, const char *protocol);
/* Build a context from s; errors name what is missing ("ssl_cert not
   set") or what OpenSSL refused. what prefixes the error ("local_name x: "). */
int ssl_iostream_settings_create_context(const struct ssl_iostream_settings *s,
					 const char *what,
					 struct ssl_iostream_context **ctx_r,
					 const char **error_r);
/* Build (and drop) every context protocol would use: the default and one
   per local_name filter. 0, or -1 with the first error. Does nothing
   unless ssl_iostream_settings_enabled(). */
int ssl_iostream_settings_check(const struct settings *set, const char *protocol,
				const char **error_r);

#endif
