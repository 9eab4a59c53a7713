/* Copyright (c) dovecot-like authors. The login process's TLS contexts:
   they are built from the settings snapshot (PEM data, never paths, since
   the process is chrooted) at start-up so a bad certificate stops the
   service there, and SNI picks the `local_name` one per connection. */

#include "lib.h"
#include "strfuncs.h"
#include "settings.h"
#include "iostream-ssl.h"
#include "iostream-ssl-settings.h"
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

static struct ssl_iostream_context *
login_ssl_context_create(const struct ssl_iostream_settings *s, const char *what)
{
	struct ssl_iostream_context *ctx;
	const char *error;

	if (ssl_iostream_settings_create_context(s, what, &ctx, &error) < 0)
		log_fatal("%s", error);
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
	const char *error;
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
		if (ssl_iostream_settings_apply_filter(sec, login_binary->protocol,
						       &s, &error) < 0)
			log_fatal("local_name %s: %s", sec->name, error);
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
	const char *error;

	/* ssl = yes is the default: without a certificate TLS is simply not
	   offered (imaps/pop3s listeners are skipped) */
	if (!ssl_iostream_settings_enabled(set, login_binary->protocol))
		return;
	if (ssl_iostream_settings_read(set, login_binary->protocol, &s, &error) < 0)
		log_fatal("%s", error);
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
