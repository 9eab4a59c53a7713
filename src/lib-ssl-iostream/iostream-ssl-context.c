/* Copyright (c) dovecot-like authors. Builds the server SSL_CTX from the ssl_*
   settings (certs and keys from memory), so every error names its setting. */
#include "lib.h"
#include "iostream-ssl-private.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* the session id context: sessions resume only within our own contexts */
#define SSL_IOSTREAM_SESSION_ID_CTX "dovecot-like"
#define SSL_IOSTREAM_NUM_TICKETS 2

struct ssl_key_password {
	char *password;		/* OPENSSL_malloc'd copy, wiped after use */
	bool asked;
};

static bool ssl_iostream_initialized = false;

void ssl_iostream_init(void)
{
	if (ssl_iostream_initialized)
		return;
	ssl_iostream_initialized = true;
	(void)OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS |
			       OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
	/* allocate the index now, before any fork */
	(void)ssl_iostream_get_ex_index();
}

void ssl_iostream_deinit(void)
{
	/* OpenSSL >= 1.1 frees itself at exit; drop our thread's errors */
	ERR_clear_error();
}

static bool str_is_empty(const char *str)
{
	return str == NULL || str[0] == '\0';
}

static int ssl_key_password_cb(char *buf, int size, int rwflag ATTR_UNUSED,
			       void *userdata)
{
	struct ssl_key_password *pw = userdata;
	size_t len;

	pw->asked = true;
	if (pw->password == NULL)
		return -1;
	len = strlen(pw->password);
	if (size < 0 || len >= (size_t)size)
		return -1;
	memcpy(buf, pw->password, len);
	return (int)len;
}

static BIO *ssl_mem_bio(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);

	if (bio == NULL)
		panic("BIO_new_mem_buf() failed: out of memory");
	return bio;
}

/* The server cert and its chain, in the order they are in the PEM. */
static int ssl_ctx_load_cert(SSL_CTX *ssl_ctx, const char *pem,
			     const char **error_r)
{
	BIO *bio;
	X509 *x509;
	unsigned long err;
	int ret = 0;

	if (str_is_empty(pem)) {
		*error_r = "ssl_cert: not set";
		return -1;
	}
	ERR_clear_error();
	bio = ssl_mem_bio(pem);
	x509 = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL);
	if (x509 == NULL) {
		*error_r = tmp_printf("ssl_cert: can't read certificate: %s",
				      ssl_iostream_error_queue_str());
		BIO_free(bio);
		return -1;
	}
	if (SSL_CTX_use_certificate(ssl_ctx, x509) != 1) {
		*error_r = tmp_printf("ssl_cert: can't use certificate: %s",
				      ssl_iostream_error_queue_str());
		X509_free(x509);
		BIO_free(bio);
		return -1;
	}
	X509_free(x509);
	while ((x509 = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (SSL_CTX_add0_chain_cert(ssl_ctx, x509) != 1) {
			*error_r = tmp_printf(
				"ssl_cert: can't add chain certificate: %s",
				ssl_iostream_error_queue_str());
			X509_free(x509);
			ret = -1;
			break;
		}
	}
	if (ret == 0) {
		/* the end of the PEM data is "no start line" */
		err = ERR_peek_last_error();
		if (err != 0 && !(ERR_GET_LIB(err) == ERR_LIB_PEM &&
				  ERR_GET_REASON(err) == PEM_R_NO_START_LINE)) {
			*error_r = tmp_printf(
				"ssl_cert: can't read chain certificate: %s",
				ssl_iostream_error_queue_str());
			ret = -1;
		}
	}
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

static int ssl_ctx_load_key(SSL_CTX *ssl_ctx,
			    const struct ssl_iostream_settings *set,
			    const char **error_r)
{
	struct ssl_key_password pw;
	EVP_PKEY *pkey;
	BIO *bio;
	int ret = 0;

	if (str_is_empty(set->key)) {
		*error_r = "ssl_key: not set";
		return -1;
	}
	memset(&pw, 0, sizeof(pw));
	if (!str_is_empty(set->key_password)) {
		pw.password = OPENSSL_strdup(set->key_password);
		if (pw.password == NULL)
			panic("OPENSSL_strdup() failed: out of memory");
	}
	ERR_clear_error();
	bio = ssl_mem_bio(set->key);
	pkey = PEM_read_bio_PrivateKey(bio, NULL, ssl_key_password_cb, &pw);
	if (pw.password != NULL)
		OPENSSL_clear_free(pw.password, strlen(pw.password));
	BIO_free(bio);

	if (pkey == NULL) {
		if (pw.asked && str_is_empty(set->key_password)) {
			ERR_clear_error();
			*error_r = "ssl_key: key is encrypted, but "
				"ssl_key_password is not set";
		} else if (pw.asked) {
			*error_r = tmp_printf(
				"ssl_key: can't decrypt private key "
				"(wrong ssl_key_password?): %s",
				ssl_iostream_error_queue_str());
		} else {
			*error_r = tmp_printf(
				"ssl_key: can't read private key: %s",
				ssl_iostream_error_queue_str());
		}
		return -1;
	}
	if (SSL_CTX_use_PrivateKey(ssl_ctx, pkey) != 1) {
		unsigned long err = ERR_peek_last_error();

		*error_r = tmp_printf("ssl_key: %s: %s",
			ERR_GET_LIB(err) == ERR_LIB_X509 &&
			ERR_GET_REASON(err) == X509_R_KEY_VALUES_MISMATCH ?
			"private key does not match ssl_cert" :
			"can't use private key",
			ssl_iostream_error_queue_str());
		ret = -1;
	} else if (SSL_CTX_check_private_key(ssl_ctx) != 1) {
		*error_r = tmp_printf(
			"ssl_key: private key does not match ssl_cert: %s",
			ssl_iostream_error_queue_str());
		ret = -1;
	}
	EVP_PKEY_free(pkey);
	return ret;
}

static int ssl_protocol_parse(const char *name, int *version_r)
{
	static const struct {
		const char *name;
		int version;
	} protocols[] = {
		{ "ANY", 0 },
		{ "SSLv3", SSL3_VERSION },
		{ "TLSv1", TLS1_VERSION },
		{ "TLSv1.1", TLS1_1_VERSION },
		{ "TLSv1.2", TLS1_2_VERSION },
		{ "TLSv1.3", TLS1_3_VERSION },
	};
	unsigned int i;

	if (str_is_empty(name)) {
		*version_r = TLS1_2_VERSION;
		return 0;
	}
	for (i = 0; i < N_ELEMENTS(protocols); i++) {
		if (strcmp(protocols[i].name, name) == 0) {
			*version_r = protocols[i].version;
			return 0;
		}
	}
	return -1;
}

static int ssl_ctx_set_protocols(SSL_CTX *ssl_ctx,
				 const struct ssl_iostream_settings *set,
				 const char **error_r)
{
	int version;

	if (ssl_protocol_parse(set->min_protocol, &version) < 0) {
		*error_r = tmp_printf("ssl_min_protocol: Unknown value '%s' "
			"(use TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 or ANY)",
			set->min_protocol);
		return -1;
	}
	if (SSL_CTX_set_min_proto_version(ssl_ctx, version) != 1) {
		*error_r = tmp_printf("ssl_min_protocol: Can't set '%s': %s",
				      set->min_protocol,
				      ssl_iostream_error_queue_str());
		return -1;
	}
	if (version != 0 && version < TLS1_2_VERSION) {
		/* OpenSSL 3's default security level refuses TLS < 1.2
		   (SHA-1 signatures); an explicit old minimum means the admin
		   wants those clients. */
		SSL_CTX_set_security_level(ssl_ctx, 0);
	}
	return 0;
}

static int ssl_ctx_set_ciphers(SSL_CTX *ssl_ctx,
			       const struct ssl_iostream_settings *set,
			       const char **error_r)
{
	if (!str_is_empty(set->cipher_list) &&
	    SSL_CTX_set_cipher_list(ssl_ctx, set->cipher_list) != 1) {
		*error_r = tmp_printf("ssl_cipher_list: Invalid value '%s': %s",
				      set->cipher_list,
				      ssl_iostream_error_queue_str());
		return -1;
	}
	if (!str_is_empty(set->cipher_suites) &&
	    SSL_CTX_set_ciphersuites(ssl_ctx, set->cipher_suites) != 1) {
		*error_r = tmp_printf("ssl_cipher_suites: Invalid value '%s': %s",
				      set->cipher_suites,
				      ssl_iostream_error_queue_str());
		return -1;
	}
	if (!str_is_empty(set->curve_list) &&
	    SSL_CTX_set1_groups_list(ssl_ctx, set->curve_list) != 1) {
		*error_r = tmp_printf("ssl_curve_list: Invalid value '%s': %s",
				      set->curve_list,
				      ssl_iostream_error_queue_str());
		return -1;
	}
	return 0;
}

static int ssl_ctx_set_dh(SSL_CTX *ssl_ctx, const char *pem,
			  const char **error_r)
{
	BIO *bio;
	int ret = 0;

	if (str_is_empty(pem)) {
		/* OpenSSL picks parameters matching the key size */
		(void)SSL_CTX_set_dh_auto(ssl_ctx, 1);
		return 0;
	}
	ERR_clear_error();
	bio = ssl_mem_bio(pem);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	EVP_PKEY *dh = PEM_read_bio_Parameters(bio, NULL);

	if (dh == NULL || SSL_CTX_set0_tmp_dh_pkey(ssl_ctx, dh) != 1) {
		EVP_PKEY_free(dh);
		ret = -1;
	}
#else
	DH *dh = PEM_read_bio_DHparams(bio, NULL, NULL, NULL);

	if (dh == NULL || SSL_CTX_set_tmp_dh(ssl_ctx, dh) != 1)
		ret = -1;
	DH_free(dh);
#endif
	BIO_free(bio);
	if (ret < 0) {
		*error_r = tmp_printf("ssl_dh: can't load DH parameters: %s",
				      ssl_iostream_error_queue_str());
	}
	return ret;
}

static int ssl_verify_client_cb(int preverify_ok ATTR_UNUSED,
				X509_STORE_CTX *store_ctx ATTR_UNUSED)
{
	/* Keep the handshake going: SSL_get_verify_result() remembers the
	   failure and the login process decides what a bad cert means. */
	return 1;
}

static int ssl_ctx_set_client_ca(SSL_CTX *ssl_ctx, const char *pem,
				 const char **error_r)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ssl_ctx);
	STACK_OF(X509_NAME) *names;
	X509 *x509;
	BIO *bio;
	unsigned int count = 0;
	unsigned long err;

	names = sk_X509_NAME_new_null();
	if (names == NULL)
		panic("sk_X509_NAME_new_null() failed: out of memory");
	ERR_clear_error();
	bio = ssl_mem_bio(pem);
	while ((x509 = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		X509_NAME *name = X509_NAME_dup(X509_get_subject_name(x509));

		if (name == NULL || sk_X509_NAME_push(names, name) == 0)
			panic("X509_NAME_dup() failed: out of memory");
		if (X509_STORE_add_cert(store, x509) != 1)
			ERR_clear_error();	/* duplicate: harmless */
		X509_free(x509);
		count++;
	}
	BIO_free(bio);
	err = ERR_peek_last_error();
	if (count == 0 || (err != 0 && !(ERR_GET_LIB(err) == ERR_LIB_PEM &&
				ERR_GET_REASON(err) == PEM_R_NO_START_LINE))) {
		*error_r = tmp_printf("ssl_ca: can't read CA certificate: %s",
				      count == 0 && err == 0 ? "no certificates" :
				      ssl_iostream_error_queue_str());
		sk_X509_NAME_pop_free(names, X509_NAME_free);
		return -1;
	}
	ERR_clear_error();
	/* takes ownership of names */
	SSL_CTX_set_client_CA_list(ssl_ctx, names);
	SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE,
			   ssl_verify_client_cb);
	return 0;
}

static int ssl_username_nid(const char *field, int *nid_r,
			    const char **error_r)
{
	int nid;

	if (str_is_empty(field)) {
		*nid_r = NID_undef;
		return 0;
	}
	nid = OBJ_txt2nid(field);
	if (nid == NID_undef) {
		*error_r = tmp_printf("auth_ssl_username_from_cert: "
				      "Unknown certificate field '%s'", field);
		ERR_clear_error();
		return -1;
	}
	*nid_r = nid;
	return 0;
}

static int ssl_ctx_setup(struct ssl_iostream_context *ctx,
			 const struct ssl_iostream_settings *set,
			 const char **error_r)
{
	SSL_CTX *ssl_ctx = ctx->ssl_ctx;
	uint64_t options;

	options = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
		SSL_OP_SINGLE_DH_USE | SSL_OP_SINGLE_ECDH_USE;
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* clients often just close the TCP connection: that is EOF */
	options |= SSL_OP_IGNORE_UNEXPECTED_EOF;
#endif
	if (set->prefer_server_ciphers)
		options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
	(void)SSL_CTX_set_options(ssl_ctx, options);
	(void)SSL_CTX_set_mode(ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			       SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
			       SSL_MODE_RELEASE_BUFFERS);

	if (ssl_ctx_set_protocols(ssl_ctx, set, error_r) < 0 ||
	    ssl_ctx_set_ciphers(ssl_ctx, set, error_r) < 0 ||
	    ssl_ctx_load_cert(ssl_ctx, set->cert, error_r) < 0 ||
	    ssl_ctx_load_key(ssl_ctx, set, error_r) < 0 ||
	    ssl_ctx_set_dh(ssl_ctx, set->dh, error_r) < 0 ||
	    ssl_username_nid(set->cert_username_field, &ctx->username_nid,
			     error_r) < 0)
		return -1;

	if (set->verify_client_cert) {
		if (str_is_empty(set->ca)) {
			*error_r = "ssl_verify_client_cert is set, "
				"but ssl_ca is not";
			return -1;
		}
		if (ssl_ctx_set_client_ca(ssl_ctx, set->ca, error_r) < 0)
			return -1;
		ctx->verify_client_cert = true;
	}

	(void)SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_SERVER);
	if (SSL_CTX_set_session_id_context(ssl_ctx,
			(const unsigned char *)SSL_IOSTREAM_SESSION_ID_CTX,
			strlen(SSL_IOSTREAM_SESSION_ID_CTX)) != 1 ||
	    SSL_CTX_set_num_tickets(ssl_ctx, SSL_IOSTREAM_NUM_TICKETS) != 1) {
		*error_r = tmp_printf("Can't set up session resumption: %s",
				      ssl_iostream_error_queue_str());
		return -1;
	}
	return 0;
}

int ssl_iostream_context_create_server(const struct ssl_iostream_settings *set,
				       struct ssl_iostream_context **ctx_r,
				       const char **error_r)
{
	struct ssl_iostream_context *ctx;
	SSL_CTX *ssl_ctx;

	ssl_iostream_init();
	ERR_clear_error();
	ssl_ctx = SSL_CTX_new(TLS_server_method());
	if (ssl_ctx == NULL) {
		*error_r = tmp_printf("SSL_CTX_new() failed: %s",
				      ssl_iostream_error_queue_str());
		return -1;
	}
	ctx = p_malloc(system_pool, sizeof(*ctx));
	ctx->refcount = 1;
	ctx->ssl_ctx = ssl_ctx;
	ctx->username_nid = NID_undef;
	SSL_CTX_set_app_data(ssl_ctx, ctx);

	if (ssl_ctx_setup(ctx, set, error_r) < 0) {
		ERR_clear_error();
		ssl_iostream_context_unref(&ctx);
		return -1;
	}
	ssl_iostream_sni_init(ctx);
	*ctx_r = ctx;
	return 0;
}

void ssl_iostream_context_ref(struct ssl_iostream_context *ctx)
{
	ASSERT(ctx->refcount > 0);
	ctx->refcount++;
}

void ssl_iostream_context_unref(struct ssl_iostream_context **_ctx)
{
	struct ssl_iostream_context *ctx = *_ctx;

	if (ctx == NULL)
		return;
	*_ctx = NULL;
	ASSERT(ctx->refcount > 0);
	if (--ctx->refcount > 0)
		return;
	SSL_CTX_free(ctx->ssl_ctx);
	p_free(system_pool, ctx);
}
