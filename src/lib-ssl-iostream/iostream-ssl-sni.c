/* Copyright (c) dovecot-like authors. SNI: during the handshake, asks the
   login process which context serves the name the client asked for. */
#include "lib.h"
#include "iostream-ssl-private.h"

#include <openssl/err.h>

/* The client's name must be a plain host name before we log or match it. */
static bool ssl_server_name_is_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > 255)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == '_'))
			return false;
	}
	return true;
}

static int ssl_servername_cb(SSL *ssl, int *al, void *arg)
{
	struct ssl_iostream_context *ctx = arg;
	struct ssl_iostream *ssl_io =
		SSL_get_ex_data(ssl, ssl_iostream_get_ex_index());
	struct ssl_iostream_context *new_ctx;
	const char *name;

	name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if (name == NULL || ssl_io == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	if (!ssl_server_name_is_valid(name)) {
		/* not a host name: ignore it, keep the default context */
		return SSL_TLSEXT_ERR_NOACK;
	}
	p_free(system_pool, ssl_io->server_name);
	ssl_io->server_name = p_strdup(system_pool, name);

	if (ctx->sni_callback == NULL)
		return SSL_TLSEXT_ERR_OK;
	new_ctx = ctx->sni_callback(ssl_io->server_name, ctx->sni_context);
	if (new_ctx == NULL || new_ctx == ssl_io->ctx)
		return SSL_TLSEXT_ERR_OK;

	if (SSL_set_SSL_CTX(ssl, new_ctx->ssl_ctx) == NULL) {
		ssl_iostream_set_error(ssl_io, tmp_printf(
			"SSL_set_SSL_CTX(%s) failed: %s", ssl_io->server_name,
			ssl_iostream_error_queue_str()));
		*al = SSL_AD_INTERNAL_ERROR;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	/* SSL_set_SSL_CTX() switches the cert, key and CA store; the
	   per-connection copies of these must follow by hand */
	SSL_set_verify(ssl, SSL_CTX_get_verify_mode(new_ctx->ssl_ctx),
		       SSL_CTX_get_verify_callback(new_ctx->ssl_ctx));
	(void)SSL_set_options(ssl, SSL_CTX_get_options(new_ctx->ssl_ctx));
	ssl_iostream_context_ref(new_ctx);
	ssl_iostream_context_unref(&ssl_io->ctx);
	ssl_io->ctx = new_ctx;
	return SSL_TLSEXT_ERR_OK;
}

void ssl_iostream_sni_init(struct ssl_iostream_context *ctx)
{
	/* always installed: it also records the name for get_server_name() */
	SSL_CTX_set_tlsext_servername_callback(ctx->ssl_ctx, ssl_servername_cb);
	SSL_CTX_set_tlsext_servername_arg(ctx->ssl_ctx, ctx);
}

void ssl_iostream_context_set_sni_callback(struct ssl_iostream_context *ctx,
					   ssl_iostream_sni_callback_t *callback,
					   void *context)
{
	ctx->sni_callback = callback;
	ctx->sni_context = context;
}
