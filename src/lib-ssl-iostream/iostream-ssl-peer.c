/* Copyright (c) dovecot-like authors. Client certificate checks: whether the
   peer's cert verified against ssl_ca, and the username taken from it. */
#include "lib.h"
#include "iostream-ssl-private.h"

#include <openssl/err.h>
#include <openssl/x509.h>

static X509 *ssl_iostream_get_peer_cert(const struct ssl_iostream *ssl)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	return SSL_get1_peer_certificate(ssl->ssl);
#else
	return SSL_get_peer_certificate(ssl->ssl);
#endif
}

bool ssl_iostream_has_valid_client_cert(const struct ssl_iostream *ssl)
{
	X509 *x509;

	if (!ssl->handshaked || !ssl->ctx->verify_client_cert)
		return false;
	x509 = ssl_iostream_get_peer_cert(ssl);
	if (x509 == NULL)
		return false;
	X509_free(x509);
	return SSL_get_verify_result(ssl->ssl) == X509_V_OK;
}

bool ssl_iostream_has_broken_client_cert(const struct ssl_iostream *ssl)
{
	X509 *x509;

	if (!ssl->handshaked || !ssl->ctx->verify_client_cert)
		return false;
	x509 = ssl_iostream_get_peer_cert(ssl);
	if (x509 == NULL)
		return false;
	X509_free(x509);
	return SSL_get_verify_result(ssl->ssl) != X509_V_OK;
}

/* The first nid entry of the subject as text; NULL if missing, not
   convertible or containing a NUL (a "user\0@evil" trick). */
static char *ssl_x509_get_field(X509 *x509, int nid)
{
	X509_NAME *subject = X509_get_subject_name(x509);
	const ASN1_STRING *asn1;
	unsigned char *utf8 = NULL;
	char *value;
	int idx, len;

	idx = X509_NAME_get_index_by_NID(subject, nid, -1);
	if (idx < 0)
		return NULL;
	asn1 = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
	if (asn1 == NULL)
		return NULL;
	len = ASN1_STRING_to_UTF8(&utf8, asn1);
	if (len < 0) {
		/* not a string type (x500UniqueIdentifier is a BIT STRING):
		   use its bytes as they are */
		ERR_clear_error();
		len = ASN1_STRING_length(asn1);
		if (len <= 0 || memchr(ASN1_STRING_get0_data(asn1), '\0',
				       (size_t)len) != NULL)
			return NULL;
		return p_strndup(system_pool, ASN1_STRING_get0_data(asn1),
				 (size_t)len);
	}
	if (len == 0 || memchr(utf8, '\0', (size_t)len) != NULL)
		value = NULL;
	else
		value = p_strndup(system_pool, utf8, (size_t)len);
	OPENSSL_free(utf8);
	return value;
}

const char *ssl_iostream_get_peer_username(const struct ssl_iostream *ssl)
{
	struct ssl_iostream *mssl = (struct ssl_iostream *)ssl;
	X509 *x509;

	if (ssl->peer_username_checked)
		return ssl->peer_username;
	if (!ssl_iostream_has_valid_client_cert(ssl) ||
	    ssl->ctx->username_nid == NID_undef)
		return NULL;
	x509 = ssl_iostream_get_peer_cert(ssl);
	if (x509 == NULL)
		return NULL;
	mssl->peer_username = ssl_x509_get_field(x509, ssl->ctx->username_nid);
	mssl->peer_username_checked = true;
	X509_free(x509);
	return ssl->peer_username;
}
