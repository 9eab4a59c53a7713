/* Copyright (c) dovecot-like authors. password-scheme.c: the table of stored
   password schemes, their encodings, and the cheap digest verifiers; the slow
   crypt-family ones live in password-scheme-crypt.c. */
#include "lib.h"
#include "base64.h"
#include "strfuncs.h"
#include "password-scheme.h"

#include <stdlib.h>
#include <openssl/evp.h>
#include <sodium.h>

bool password_equals(const void *a, size_t a_len, const void *b, size_t b_len)
{
	if (a_len != b_len)
		return false;
	if (a_len == 0)
		return true;
	return sodium_memcmp(a, b, a_len) == 0;
}

int password_hex_decode(const char *src, size_t len, struct buf *dest)
{
	size_t i;

	if (len % 2 != 0)
		return -1;
	for (i = 0; i < len; i += 2) {
		int hi = hex_digit_value((unsigned char)src[i]),
		    lo = hex_digit_value((unsigned char)src[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		if (buf_append_c(dest, (unsigned char)(hi * 16 + lo)) < 0)
			return -1;
	}
	return 0;
}

static int verify_plain(const char *plaintext, const char *user,
			const unsigned char *raw, size_t raw_len,
			const char **error_r)
{
	return password_equals(plaintext, strlen(plaintext), raw, raw_len) ? 1 : 0;
}

/* "<len>-<password>": the stored value may have been cut to len bytes. */
static int verify_plain_trunc(const char *plaintext, const char *user,
			      const unsigned char *raw, size_t raw_len,
			      const char **error_r)
{
	const char *dash = memchr(raw, '-', raw_len);
	const char *stored;
	unsigned int trunc_len;
	size_t plain_len = strlen(plaintext), stored_len;

	if (dash == NULL ||
	    str_to_uint(tmp_strndup(raw, dash - (const char *)raw), &trunc_len) < 0) {
		*error_r = "PLAIN-TRUNC: Missing length";
		return -1;
	}
	stored = dash + 1;
	stored_len = raw_len - (stored - (const char *)raw);
	if (stored_len > trunc_len) {
		*error_r = "PLAIN-TRUNC: Stored password longer than its length";
		return -1;
	}
	if (stored_len == trunc_len && plain_len > trunc_len)
		plain_len = trunc_len;
	return password_equals(plaintext, plain_len, stored, stored_len) ? 1 : 0;
}

static int digest_verify(const EVP_MD *md, const char *plaintext,
			 const unsigned char *raw, size_t raw_len, bool salted,
			 const char **error_r)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;
	size_t md_len = (size_t)EVP_MD_get_size(md);
	EVP_MD_CTX *ctx;
	int ok;

	if (salted ? raw_len <= md_len : raw_len != md_len) {
		*error_r = "Password data has the wrong length";
		return -1;
	}
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		*error_r = "EVP_MD_CTX_new() failed";
		return -1;
	}
	ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		EVP_DigestUpdate(ctx, plaintext, strlen(plaintext)) == 1 &&
		(!salted || EVP_DigestUpdate(ctx, raw + md_len, raw_len - md_len) == 1) &&
		EVP_DigestFinal_ex(ctx, digest, &digest_len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		*error_r = "EVP digest failed";
		return -1;
	}
	ok = password_equals(digest, digest_len, raw, md_len);
	sodium_memzero(digest, sizeof(digest));
	return ok ? 1 : 0;
}

#define DIGEST_VERIFIER(fname, md, salted) \
static int fname(const char *plaintext, const char *user, \
		 const unsigned char *raw, size_t raw_len, const char **error_r) \
{ \
	return digest_verify(md, plaintext, raw, raw_len, salted, error_r); \
}
DIGEST_VERIFIER(verify_sha1, EVP_sha1(), false)
DIGEST_VERIFIER(verify_sha256, EVP_sha256(), false)
DIGEST_VERIFIER(verify_sha512, EVP_sha512(), false)
DIGEST_VERIFIER(verify_ssha, EVP_sha1(), true)
DIGEST_VERIFIER(verify_ssha256, EVP_sha256(), true)
DIGEST_VERIFIER(verify_ssha512, EVP_sha512(), true)
DIGEST_VERIFIER(verify_smd5, EVP_md5(), true)
DIGEST_VERIFIER(verify_plain_md5, EVP_md5(), false)

/* MD5: an MD5-CRYPT string or a PLAIN-MD5 digest (hex or base64). */
static int verify_md5(const char *plaintext, const char *user,
		      const unsigned char *raw, size_t raw_len,
		      const char **error_r)
{
	struct buf *digest;
	int ret;

	if (raw_len > 3 && memcmp(raw, "$1$", 3) == 0)
		return password_verify_md5_crypt(plaintext, user, raw, raw_len, error_r);
	digest = buf_create(tmp_pool, 16);
	if (raw_len == 32 && password_hex_decode((const char *)raw, raw_len, digest) == 0)
		;
	else {
		buf_reset(digest);
		if (base64_decode(raw, raw_len, digest) < 0) {
			*error_r = "Password data is not valid for scheme MD5";
			return -1;
		}
	}
	ret = digest_verify(EVP_md5(), plaintext, digest->data, digest->used,
			    false, error_r);
	return ret;
}

/* MD5("user:realm:password"), realm after the last '@' of the user. */
static int verify_digest_md5(const char *plaintext, const char *user,
			     const unsigned char *raw, size_t raw_len,
			     const char **error_r)
{
	const char *at, *input;
	int ret;

	if (user == NULL) {
		*error_r = "DIGEST-MD5 needs the user name";
		return -1;
	}
	at = strrchr(user, '@');
	input = at == NULL ? tmp_strconcat(user, "::", plaintext, NULL) :
		tmp_strconcat(tmp_strndup(user, at - user), ":", at + 1, ":",
			      plaintext, NULL);
	ret = digest_verify(EVP_md5(), input, raw, raw_len, false, error_r);
	sodium_memzero((void *)input, strlen(input));
	return ret;
}

static const struct password_scheme schemes[] = {
	{ "PLAIN", PASSWORD_ENCODING_NONE, 0, false, verify_plain },
	{ "CLEAR", PASSWORD_ENCODING_NONE, 0, false, verify_plain },
	{ "CLEARTEXT", PASSWORD_ENCODING_NONE, 0, false, verify_plain },
	{ "PLAIN-TRUNC", PASSWORD_ENCODING_NONE, 0, false, verify_plain_trunc },
	{ "CRYPT", PASSWORD_ENCODING_NONE, 0, true, password_verify_crypt },
	{ "DES-CRYPT", PASSWORD_ENCODING_NONE, 0, true, password_verify_des_crypt },
	{ "MD5-CRYPT", PASSWORD_ENCODING_NONE, 0, true, password_verify_md5_crypt },
	{ "MD5", PASSWORD_ENCODING_NONE, 0, true, verify_md5 },
	{ "SHA256-CRYPT", PASSWORD_ENCODING_NONE, 0, true, password_verify_sha256_crypt },
	{ "SHA512-CRYPT", PASSWORD_ENCODING_NONE, 0, true, password_verify_sha512_crypt },
	{ "BLF-CRYPT", PASSWORD_ENCODING_NONE, 0, true, password_verify_blf_crypt },
	{ "ARGON2I", PASSWORD_ENCODING_NONE, 0, true, password_verify_argon2i },
	{ "ARGON2ID", PASSWORD_ENCODING_NONE, 0, true, password_verify_argon2id },
	{ "PBKDF2", PASSWORD_ENCODING_NONE, 0, true, password_verify_pbkdf2 },
	{ "SHA", PASSWORD_ENCODING_BASE64, 20, false, verify_sha1 },
	{ "SHA1", PASSWORD_ENCODING_BASE64, 20, false, verify_sha1 },
	{ "SHA256", PASSWORD_ENCODING_BASE64, 32, false, verify_sha256 },
	{ "SHA512", PASSWORD_ENCODING_BASE64, 64, false, verify_sha512 },
	{ "SSHA", PASSWORD_ENCODING_BASE64, 0, false, verify_ssha },
	{ "SSHA256", PASSWORD_ENCODING_BASE64, 0, false, verify_ssha256 },
	{ "SSHA512", PASSWORD_ENCODING_BASE64, 0, false, verify_ssha512 },
	{ "SMD5", PASSWORD_ENCODING_BASE64, 0, false, verify_smd5 },
	{ "PLAIN-MD5", PASSWORD_ENCODING_HEX, 16, false, verify_plain_md5 },
	{ "LDAP-MD5", PASSWORD_ENCODING_BASE64, 16, false, verify_plain_md5 },
	{ "DIGEST-MD5", PASSWORD_ENCODING_HEX, 16, false, verify_digest_md5 },
};

const struct password_scheme *
password_scheme_find(const char *name, enum password_encoding *encoding_r,
		     bool *explicit_r)
{
	const char *dot = strchr(name, '.');
	size_t name_len = dot == NULL ? strlen(name) : (size_t)(dot - name);
	const struct password_scheme *scheme = NULL;
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(schemes); i++) {
		if (strlen(schemes[i].name) == name_len &&
		    strncasecmp(schemes[i].name, name, name_len) == 0) {
			scheme = &schemes[i];
			break;
		}
	}
	if (scheme == NULL)
		return NULL;
	*explicit_r = dot != NULL;
	if (dot == NULL)
		*encoding_r = scheme->default_encoding;
	else if (strcasecmp(dot + 1, "b64") == 0 || strcasecmp(dot + 1, "base64") == 0)
		*encoding_r = PASSWORD_ENCODING_BASE64;
	else if (strcasecmp(dot + 1, "hex") == 0)
		*encoding_r = PASSWORD_ENCODING_HEX;
	else
		return NULL;
	return scheme;
}

void password_split(const char *crypted, const char *default_scheme,
		    const char **scheme_r, const char **data_r)
{
	const char *end;

	if (crypted[0] == '{' && (end = strchr(crypted, '}')) != NULL) {
		*scheme_r = tmp_strndup(crypted + 1, end - (crypted + 1));
		*data_r = end + 1;
		return;
	}
	if (strncmp(crypted, "$1$", 3) == 0 && strchr(crypted + 3, '$') != NULL)
		*scheme_r = "MD5-CRYPT";
	else
		*scheme_r = default_scheme;
	*data_r = crypted;
}

int password_decode(const char *data, const struct password_scheme *scheme,
		    enum password_encoding encoding, bool explicit_encoding,
		    struct buf *dest, const char **error_r)
{
	size_t len = strlen(data);
	int ret = 0;

	if (!explicit_encoding && scheme->raw_len > 0) {
		/* s.2.1: a fixed-length digest guesses its encoding */
		if (len == scheme->raw_len * 2 &&
		    password_hex_decode(data, len, dest) == 0)
			encoding = PASSWORD_ENCODING_NONE;	/* done */
		else {
			buf_reset(dest);
			encoding = PASSWORD_ENCODING_BASE64;
		}
		if (encoding == PASSWORD_ENCODING_NONE)
			goto decoded;
	}
	switch (encoding) {
	case PASSWORD_ENCODING_NONE:
		ret = buf_append(dest, data, len);
		break;
	case PASSWORD_ENCODING_BASE64:
		if (base64_decode(data, len, dest) < 0) {
			*error_r = tmp_printf("Password data is not valid for scheme %s: "
					      "Input isn't valid base64 encoded data",
					      scheme->name);
			return -1;
		}
		break;
	case PASSWORD_ENCODING_HEX:
		if (password_hex_decode(data, len, dest) < 0) {
			*error_r = tmp_printf("Password data is not valid for scheme %s: "
					      "Input isn't valid hex encoded data",
					      scheme->name);
			return -1;
		}
		break;
	}
decoded:
	if (ret < 0) {
		*error_r = "Password data too long";
		return -1;
	}
	if (scheme->raw_len > 0 && dest->used != scheme->raw_len) {
		*error_r = tmp_printf("Password data is not valid for scheme %s: "
				      "Input length isn't valid (%zu instead of %zu)",
				      scheme->name, dest->used, scheme->raw_len);
		return -1;
	}
	/* verifiers may treat the data as a C string */
	if (buf_append_c(dest, '\0') < 0) {
		*error_r = "Password data too long";
		return -1;
	}
	dest->used--;
	return 0;
}

int password_verify(const char *plaintext, const char *user, const char *crypted,
		    const char *default_scheme, const char **error_r)
{
	const struct password_scheme *scheme;
	const char *scheme_name, *data;
	enum password_encoding encoding;
	struct pool *pool;
	struct buf *raw;
	bool explicit_encoding;
	int ret;

	password_split(crypted, default_scheme, &scheme_name, &data);
	scheme = password_scheme_find(scheme_name, &encoding, &explicit_encoding);
	if (scheme == NULL) {
		*error_r = tmp_printf("Unknown scheme %s", scheme_name);
		return -1;
	}
	/* the decoded hash (or a PLAIN password) is a secret too */
	pool = pool_create("password verify", 256, POOL_FLAG_WIPE);
	raw = buf_create(pool, strlen(data) + 1);
	if (password_decode(data, scheme, encoding, explicit_encoding, raw, error_r) < 0)
		ret = -1;
	else {
		ret = scheme->verify(plaintext, user, raw->data, raw->used, error_r);
		if (ret < 0) {
			*error_r = tmp_printf("Password data is not valid for scheme %s: %s",
					      scheme->name, *error_r);
		}
	}
	pool_unref(&pool);
	return ret;
}

bool password_verify_is_blocking(const char *crypted, const char *default_scheme)
{
	const struct password_scheme *scheme;
	const char *scheme_name, *data;
	enum password_encoding encoding;
	bool explicit_encoding;

	password_split(crypted, default_scheme, &scheme_name, &data);
	scheme = password_scheme_find(scheme_name, &encoding, &explicit_encoding);
	return scheme != NULL && scheme->blocking;
}
