/* Copyright (c) dovecot-like authors. iostream-ssl-settings.c: one place
   that maps the ssl_* settings (and their local_name/protocol overrides) to
   TLS contexts, so master's start-up check and the login processes agree. */

#include "lib.h"
#include "settings.h"
#include "iostream-ssl-settings.h"

/* The keys a local_name filter may override. */
static const char *const ssl_setting_keys[] = {
	"ssl_cert", "ssl_key", "ssl_key_password", "ssl_ca",
	"ssl_min_protocol", "ssl_cipher_list", "ssl_cipher_suites",
	"ssl_curve_list", "ssl_dh", "ssl_prefer_server_ciphers",
};

static int ssl_settings_apply(struct ssl_iostream_settings *s, const char *key,
			      const char *value, const char **error_r)
{
	const char *error;

	if (strcmp(key, "ssl_cert") == 0)
		s->cert = value;
	else if (strcmp(key, "ssl_key") == 0)
		s->key = value;
	else if (strcmp(key, "ssl_key_password") == 0)
		s->key_password = value;
	else if (strcmp(key, "ssl_ca") == 0)
		s->ca = value;
	else if (strcmp(key, "ssl_min_protocol") == 0)
		s->min_protocol = value;
	else if (strcmp(key, "ssl_cipher_list") == 0)
		s->cipher_list = value;
	else if (strcmp(key, "ssl_cipher_suites") == 0)
		s->cipher_suites = value;
	else if (strcmp(key, "ssl_curve_list") == 0)
		s->curve_list = value;
	else if (strcmp(key, "ssl_dh") == 0)
		s->dh = value;
	else if (strcmp(key, "ssl_prefer_server_ciphers") == 0) {
		if (settings_parse_bool(value, &s->prefer_server_ciphers, &error) < 0) {
			*error_r = tmp_printf("ssl_prefer_server_ciphers: %s", error);
			return -1;
		}
	} else {
		panic("ssl_settings_apply(%s): unknown key", key);
	}
	return 0;
}

int ssl_iostream_settings_read(const struct settings *set, const char *protocol,
			       struct ssl_iostream_settings *s_r, const char **error_r)
{
	bool require_cert, name_from_cert;
	unsigned int i;

	memset(s_r, 0, sizeof(*s_r));
	for (i = 0; i < N_ELEMENTS(ssl_setting_keys); i++) {
		if (ssl_settings_apply(s_r, ssl_setting_keys[i],
				       settings_get(set, protocol, ssl_setting_keys[i]),
				       error_r) < 0)
			return -1;
	}
	require_cert = settings_get_bool(set, protocol, "auth_ssl_require_client_cert");
	name_from_cert = settings_get_bool(set, protocol, "auth_ssl_username_from_cert");
	/* like Dovecot: requiring a cert (or a name from it) means asking */
	s_r->verify_client_cert = require_cert || name_from_cert ||
		settings_get_bool(set, protocol, "ssl_verify_client_cert");
	s_r->cert_username_field = !name_from_cert ? "" :
		settings_get(set, protocol, "ssl_cert_username_field");
	return 0;
}

static int ssl_settings_apply_section(const struct settings_section *sec,
				      struct ssl_iostream_settings *s,
				      const char **error_r)
{
	const char *value;
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(ssl_setting_keys); i++) {
		value = settings_section_get(sec, ssl_setting_keys[i]);
		if (value != NULL &&
		    ssl_settings_apply(s, ssl_setting_keys[i], value, error_r) < 0)
			return -1;
	}
	return 0;
}

int ssl_iostream_settings_apply_filter(const struct settings_section *sec,
				       const char *protocol,
				       struct ssl_iostream_settings *s,
				       const char **error_r)
{
	const struct settings_section *child;
	unsigned int i, count;

	if (ssl_settings_apply_section(sec, s, error_r) < 0)
		return -1;
	count = settings_section_count_children(sec, "protocol");
	for (i = 0; i < count; i++) {
		child = settings_section_get_child(sec, "protocol", i);
		if (strcmp(child->name, protocol) == 0 &&
		    ssl_settings_apply_section(child, s, error_r) < 0)
			return -1;
	}
	return 0;
}

bool ssl_iostream_settings_enabled(const struct settings *set, const char *protocol)
{
	const char *ssl = settings_get(set, protocol, "ssl");

	if (strcmp(ssl, "no") == 0)
		return false;
	return strcmp(ssl, "required") == 0 ||
		settings_get(set, protocol, "ssl_cert")[0] != '\0';
}

int ssl_iostream_settings_create_context(const struct ssl_iostream_settings *s,
					 const char *what,
					 struct ssl_iostream_context **ctx_r,
					 const char **error_r)
{
	const char *error;

	if (s->cert[0] == '\0')
		error = "ssl enabled, but ssl_cert not set";
	else if (s->key[0] == '\0')
		error = "ssl enabled, but ssl_key not set";
	else if (s->verify_client_cert && s->ca[0] == '\0')
		error = "ssl_verify_client_cert set, but ssl_ca not";
	else if (ssl_iostream_context_create_server(s, ctx_r, &error) == 0)
		return 0;
	else
		error = tmp_printf("Couldn't initialize SSL context: %s", error);
	*error_r = tmp_strconcat(what, error, NULL);
	return -1;
}

int ssl_iostream_settings_check(const struct settings *set, const char *protocol,
				const char **error_r)
{
	const struct settings_section *root, *sec;
	struct ssl_iostream_settings global, s;
	struct ssl_iostream_context *ctx;
	unsigned int i, count;

	if (!ssl_iostream_settings_enabled(set, protocol))
		return 0;
	if (ssl_iostream_settings_read(set, protocol, &global, error_r) < 0 ||
	    ssl_iostream_settings_create_context(&global, "", &ctx, error_r) < 0)
		return -1;
	ssl_iostream_context_unref(&ctx);
	root = settings_get_root(set);
	count = root == NULL ? 0 : settings_section_count_children(root, "local_name");
	for (i = 0; i < count; i++) {
		sec = settings_section_get_child(root, "local_name", i);
		s = global;
		if (ssl_iostream_settings_apply_filter(sec, protocol, &s, error_r) < 0 ||
		    ssl_iostream_settings_create_context(&s,
			tmp_printf("local_name %s: ", sec->name), &ctx, error_r) < 0)
			return -1;
		ssl_iostream_context_unref(&ctx);
	}
	return 0;
}
