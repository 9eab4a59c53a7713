/* Copyright (c) dovecot-like authors. The login process's TLS contexts:
   they are built from the settings snapshot (PEM data, never paths, since
   the process is chrooted) at start-up so a bad certificate stops the
   service there, and SNI picks the `local_name` one per connection. */

#include "lib.h"
#include "strfuncs.h"
#include "settings.h"
#include "iostream-ssl.h"
#include "login-common.h"
#include "login-ssl.h"

#include <fnmatch.h>

struct login_ssl_name_context {
	const char *names;	/* "mail.example.com *.example.org" */
	struct ssl_iostream_context *ctx;
};

static struct ssl_iostream_context *login_ssl_ctx = NULL;
static struct login_ssl_name_context *login_ssl_name_ctxs = NULL;
static unsigned int login_ssl_name_ctx_count = 0;
static bool login_ssl_initialized = false;

/* The keys a local_name filter may override, in struct order. */
static const char *const login_ssl_keys[] = {
	"ssl_cert", "ssl_key", "ssl_key_password", "ssl_ca",
	"ssl_min_protocol", "ssl_cipher_list", "ssl_cipher_suites",
	"ssl_curve_list", "ssl_dh", "ssl_prefer_server_ciphers",
};

static void login_ssl_settings_apply(struct ssl_iostream_settings *s,
				     const char *key, const char *value)
{
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
		const char *error;

		if (settings_parse_bool(value, &s->prefer_server_ciphers,
					&error) < 0)
			log_fatal("ssl_prefer_server_ciphers: %s", error);
	} else {
		panic("login_ssl_settings_apply(%s): unknown key", key);
	}
}

static void login_ssl_settings_read(const struct settings *set,
				    struct ssl_iostream_settings *s)
{
	const char *protocol = login_binary->protocol;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < N_ELEMENTS(login_ssl_keys); i++) {
		login_ssl_settings_apply(s, login_ssl_keys[i],
			settings_get(set, protocol, login_ssl_keys[i]));
	}
	s->verify_client_cert = login_set.ssl_verify_client_cert;
	s->cert_username_field = !login_set.auth_ssl_username_from_cert ? "" :
		settings_get(set, protocol, "ssl_cert_username_field");
}

/* A local_name filter: its own keys, then a `protocol <ours> { }` inside
   it, override the global values. */
static void login_ssl_settings_filter(const struct settings_section *sec,
				      struct ssl_iostream_settings *s)
{
	const struct settings_section *child;
	const char *value;
	unsigned int i, j, count;

	for (i = 0; i < N_ELEMENTS(login_ssl_keys); i++) {
		if ((value = settings_section_get(sec, login_ssl_keys[i])) != NULL)
			login_ssl_settings_apply(s, login_ssl_keys[i], value);
	}
	count = settings_section_count_children(sec, "protocol");
	for (j = 0; j < count; j++) {
		child = settings_section_get_child(sec, "protocol", j);
		if (strcmp(child->name, login_binary->protocol) != 0)
			continue;
		for (i = 0; i < N_ELEMENTS(login_ssl_keys); i++) {
			value = settings_section_get(child, login_ssl_keys[i]);
			if (value != NULL)
				login_ssl_settings_apply(s, login_ssl_keys[i], value);
		}
	}
}

static struct ssl_iostream_context *
login_ssl_context_create(const struct ssl_iostream_settings *s, const char *what)
{
	struct ssl_iostream_context *ctx;
	const char *error;

	if (s->cert[0] == '\0')
		log_fatal("%sssl enabled, but ssl_cert not set", what);
	if (s->key[0] == '\0')
		log_fatal("%sssl enabled, but ssl_key not set", what);
	if (s->verify_client_cert && s->ca[0] == '\0')
		log_fatal("%sssl_verify_client_cert set, but ssl_ca not", what);
	if (ssl_iostream_context_create_server(s, &ctx, &error) < 0)
		log_fatal("%sCouldn't initialize SSL context: %s", what, error);
	return ctx;
}

bool login_ssl_name_matches(const char *patterns, const char *name)
{
	const char *const *pats;
	unsigned int i;

	pats = tmp_strsplit_spaces(patterns, " ");
	for (i = 0; pats[i] != NULL; i++) {
		if (fnmatch(pats[i], name, FNM_CASEFOLD) == 0)
			return true;
	}
	return false;
}

static struct ssl_iostream_context *
login_ssl_sni_callback(const char *server_name, void *context ATTR_UNUSED)
{
	unsigned int i;

	if (server_name == NULL)
		return NULL;
	for (i = 0; i < login_ssl_name_ctx_count; i++) {
		if (login_ssl_name_matches(login_ssl_name_ctxs[i].names,
					   server_name))
			return login_ssl_name_ctxs[i].ctx;
	}
	return NULL;
}

static void login_ssl_init_local_names(const struct settings *set,
				       const struct ssl_iostream_settings *global)
{
	const struct settings_section *root, *sec;
	struct ssl_iostream_settings s;
	unsigned int i, count;

	root = settings_get_root(set);
	if (root == NULL)
		return;
	count = settings_section_count_children(root, "local_name");
	if (count == 0)
		return;
	login_ssl_name_ctxs = pool_new(system_pool,
				       struct login_ssl_name_context, count);
	for (i = 0; i < count; i++) {
		sec = settings_section_get_child(root, "local_name", i);
		s = *global;
		login_ssl_settings_filter(sec, &s);
		login_ssl_name_ctxs[i].names = sec->name;
		login_ssl_name_ctxs[i].ctx = login_ssl_context_create(&s,
			tmp_printf("local_name %s: ", sec->name));
		login_ssl_name_ctx_count++;
	}
	ssl_iostream_context_set_sni_callback(login_ssl_ctx,
					      login_ssl_sni_callback, NULL);
}

void login_ssl_init(const struct settings *set)
{
	struct ssl_iostream_settings s;

	if (login_set.ssl == LOGIN_SSL_NO)
		return;
	login_ssl_settings_read(set, &s);
	if (s.cert[0] == '\0' && login_set.ssl != LOGIN_SSL_REQUIRED) {
		/* ssl = yes is the default: without a certificate TLS is
		   simply not offered (imaps/pop3s listeners are skipped) */
		return;
	}
	ssl_iostream_init();
	login_ssl_initialized = true;
	login_ssl_ctx = login_ssl_context_create(&s, "");
	login_ssl_init_local_names(set, &s);
}

void login_ssl_deinit(void)
{
	unsigned int i;

	for (i = 0; i < login_ssl_name_ctx_count; i++)
		ssl_iostream_context_unref(&login_ssl_name_ctxs[i].ctx);
	p_free(system_pool, login_ssl_name_ctxs);
	login_ssl_name_ctxs = NULL;
	login_ssl_name_ctx_count = 0;
	if (login_ssl_ctx != NULL)
		ssl_iostream_context_unref(&login_ssl_ctx);
	if (login_ssl_initialized) {
		ssl_iostream_deinit();
		login_ssl_initialized = false;
	}
}

bool login_ssl_is_available(void)
{
	return login_ssl_ctx != NULL;
}

struct ssl_iostream_context *login_ssl_get_context(void)
{
	return login_ssl_ctx;
}
