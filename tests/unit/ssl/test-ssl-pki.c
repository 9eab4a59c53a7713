/* Copyright (c) dovecot-like authors. Generates the tests' CAs, server and
   client certs with the OpenSSL API, so no key material is committed. */
#include "test-ssl.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define DAY_SECS (24 * 60 * 60)

struct test_pki test_pki;

static EVP_PKEY *test_key_gen(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");

	if (key == NULL)
		panic("EVP_EC_gen() failed");
	return key;
}

static X509_NAME *test_name_cn(const char *cn)
{
	X509_NAME *name = X509_NAME_new();

	if (name == NULL ||
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
				       (const unsigned char *)"dovecot-like test",
				       -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				       (const unsigned char *)cn, -1, -1, 0) != 1)
		panic("X509_NAME_add_entry_by_txt() failed");
	return name;
}

static void test_cert_add_ext(X509 *cert, X509 *issuer, int nid,
			      const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ext == NULL || X509_add_ext(cert, ext, -1) != 1)
		panic("X509V3_EXT_conf_nid(%s) failed", value);
	X509_EXTENSION_free(ext);
}

static char *test_pem_cert(X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem;
	long len;

	if (bio == NULL || PEM_write_bio_X509(bio, cert) != 1)
		panic("PEM_write_bio_X509() failed");
	len = BIO_get_mem_data(bio, &data);
	pem = p_strndup(system_pool, data, (size_t)len);
	BIO_free(bio);
	return pem;
}

static char *test_pem_key(EVP_PKEY *key, const char *password)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem;
	long len;
	int ret;

	if (bio == NULL)
		panic("BIO_new() failed");
	if (password == NULL)
		ret = PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
	else {
		ret = PEM_write_bio_PrivateKey(bio, key, EVP_aes_256_cbc(),
			(const unsigned char *)password, (int)strlen(password),
			NULL, NULL);
	}
	if (ret != 1)
		panic("PEM_write_bio_PrivateKey() failed");
	len = BIO_get_mem_data(bio, &data);
	pem = p_strndup(system_pool, data, (size_t)len);
	BIO_free(bio);
	return pem;
}

/* subject is consumed; issuer NULL = self-signed */
static void test_cert_make(struct test_cert *tc, X509_NAME *subject,
			   const struct test_cert *issuer, bool ca,
			   long from_days, long to_days)
{
	static long serial = 1;
	X509 *cert = X509_new();
	X509 *issuer_cert;

	tc->key = test_key_gen();
	if (cert == NULL)
		panic("X509_new() failed");
	issuer_cert = issuer == NULL ? cert : issuer->cert;
	(void)X509_set_version(cert, 2);
	(void)ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
	(void)X509_gmtime_adj(X509_getm_notBefore(cert), from_days * DAY_SECS);
	(void)X509_gmtime_adj(X509_getm_notAfter(cert), to_days * DAY_SECS);
	(void)X509_set_pubkey(cert, tc->key);
	(void)X509_set_subject_name(cert, subject);
	(void)X509_set_issuer_name(cert, issuer == NULL ? subject :
				   X509_get_subject_name(issuer->cert));
	X509_NAME_free(subject);
	test_cert_add_ext(cert, issuer_cert, NID_basic_constraints,
			  ca ? "critical,CA:TRUE" : "CA:FALSE");
	test_cert_add_ext(cert, issuer_cert, NID_subject_key_identifier, "hash");
	if (ca) {
		test_cert_add_ext(cert, issuer_cert, NID_key_usage,
				  "critical,keyCertSign,cRLSign");
	}
	if (X509_sign(cert, issuer == NULL ? tc->key : issuer->key,
		      EVP_sha256()) == 0)
		panic("X509_sign() failed");
	tc->cert = cert;
	tc->cert_pem = test_pem_cert(cert);
	tc->key_pem = test_pem_key(tc->key, NULL);
}

static void test_cert_free(struct test_cert *tc)
{
	X509_free(tc->cert);
	EVP_PKEY_free(tc->key);
	p_free(system_pool, tc->cert_pem);
	p_free(system_pool, tc->key_pem);
}

void test_pki_init(void)
{
	struct test_pki *pki = &test_pki;
	X509_NAME *name;
	char *chain;

	test_cert_make(&pki->ca, test_name_cn("Test CA"), NULL, true, -1, 30);
	test_cert_make(&pki->other_ca, test_name_cn("Other CA"), NULL, true,
		       -1, 30);
	test_cert_make(&pki->server, test_name_cn("mail.example.com"),
		       &pki->ca, false, -1, 30);
	test_cert_make(&pki->sni_server, test_name_cn(TEST_SNI_NAME),
		       &pki->ca, false, -1, 30);
	test_cert_make(&pki->client_valid, test_name_cn("alice"),
		       &pki->ca, false, -1, 30);
	test_cert_make(&pki->client_expired, test_name_cn("bob"),
		       &pki->ca, false, -10, -1);
	test_cert_make(&pki->client_other_ca, test_name_cn("mallory"),
		       &pki->other_ca, false, -1, 30);

	/* "alice\0evil": a CA-signed name that must not become "alice" */
	name = X509_NAME_new();
	if (name == NULL ||
	    X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_UTF8STRING,
				       (const unsigned char *)"alice\0evil",
				       10, -1, 0) != 1)
		panic("X509_NAME_add_entry_by_NID() failed");
	test_cert_make(&pki->client_nul_cn, name, &pki->ca, false, -1, 30);

	name = test_name_cn("carol-cn");
	if (X509_NAME_add_entry_by_NID(name, NID_x500UniqueIdentifier,
				       MBSTRING_ASC,
				       (const unsigned char *)"carol-uid",
				       -1, -1, 0) != 1)
		panic("X509_NAME_add_entry_by_NID() failed");
	test_cert_make(&pki->client_uid, name, &pki->ca, false, -1, 30);

	/* the server sends its chain */
	chain = p_strconcat(system_pool, pki->server.cert_pem,
			    pki->ca.cert_pem, NULL);
	p_free(system_pool, pki->server.cert_pem);
	pki->server.cert_pem = chain;
	pki->server_key_encrypted_pem =
		test_pem_key(pki->server.key, TEST_KEY_PASSWORD);
}

void test_pki_deinit(void)
{
	struct test_pki *pki = &test_pki;

	test_cert_free(&pki->ca);
	test_cert_free(&pki->other_ca);
	test_cert_free(&pki->server);
	test_cert_free(&pki->sni_server);
	test_cert_free(&pki->client_valid);
	test_cert_free(&pki->client_expired);
	test_cert_free(&pki->client_other_ca);
	test_cert_free(&pki->client_nul_cn);
	test_cert_free(&pki->client_uid);
	p_free(system_pool, pki->server_key_encrypted_pem);
}

void test_server_settings(struct ssl_iostream_settings *set_r)
{
	memset(set_r, 0, sizeof(*set_r));
	set_r->cert = test_pki.server.cert_pem;
	set_r->key = test_pki.server.key_pem;
	set_r->key_password = "";
	set_r->ca = "";
	set_r->min_protocol = "TLSv1.2";
	set_r->cipher_list = "ALL:!aNULL:!eNULL";
	set_r->cipher_suites = "";
	set_r->curve_list = "";
	set_r->dh = "";
	set_r->prefer_server_ciphers = true;
	set_r->cert_username_field = "";
}
