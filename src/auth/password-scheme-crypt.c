/* Copyright (c) dovecot-like authors. password-scheme-crypt.c: the slow
   verifiers (libcrypt crypt_rn, libsodium argon2, OpenSSL PBKDF2); they block,
   so only auth-worker processes (and tests) call them. */
#include "lib.h"
#include "strfuncs.h"
#include "password-scheme.h"

#include <crypt.h>
#include <openssl/evp.h>
#include <sodium.h>

/* crypt_data is ~32 KB: too large for the stack of a deep call, and the
   worker is single-threaded. */
static struct crypt_data crypt_state;

static int crypt_compare(const char *plaintext, const char *hash, size_t hash_len,
			 const char **error_r)
{
	const char *result;
	int ret;

	if (hash_len == 0) {
		/* s.1.2: an empty CRYPT hash never matches */
		return 0;
	}
	memset(&crypt_state, 0, sizeof(crypt_state));
	result = crypt_rn(plaintext, hash, &crypt_state, sizeof(crypt_state));
	if (result == NULL || result[0] == '*') {
		*error_r = "Invalid crypt() hash";
		ret = -1;
	} else {
		ret = password_equals(result, strlen(result), hash, hash_len) ? 1 : 0;
	}
	sodium_memzero(&crypt_state, sizeof(crypt_state));
	return ret;
}

int password_verify_crypt(const char *plaintext, const char *user,
			  const unsigned char *raw, size_t raw_len,
			  const char **error_r)
{
	return crypt_compare(plaintext, (const char *)raw, raw_len, error_r);
}

static int crypt_verify_prefix(const char *plaintext, const unsigned char *raw,
			       size_t raw_len, const char *prefix,
			       const char **error_r)
{
	size_t len = strlen(prefix);

	if (raw_len <= len || memcmp(raw, prefix, len) != 0) {
		*error_r = tmp_printf("Hash doesn't begin with %s", prefix);
		return -1;
	}
	return crypt_compare(plaintext, (const char *)raw, raw_len, error_r);
}

int password_verify_des_crypt(const char *plaintext, const char *user,
			      const unsigned char *raw, size_t raw_len,
			      const char **error_r)
{
	if (raw_len != 13 || raw[0] == '$') {
		*error_r = "Not a DES crypt hash";
		return -1;
	}
	return crypt_compare(plaintext, (const char *)raw, raw_len, error_r);
}

int password_verify_md5_crypt(const char *plaintext, const char *user,
			      const unsigned char *raw, size_t raw_len,
			      const char **error_r)
{
	return crypt_verify_prefix(plaintext, raw, raw_len, "$1$", error_r);
}

int password_verify_sha256_crypt(const char *plaintext, const char *user,
				 const unsigned char *raw, size_t raw_len,
				 const char **error_r)
{
	return crypt_verify_prefix(plaintext, raw, raw_len, "$5$", error_r);
}

int password_verify_sha512_crypt(const char *plaintext, const char *user,
				 const unsigned char *raw, size_t raw_len,
				 const char **error_r)
{
	return crypt_verify_prefix(plaintext, raw, raw_len, "$6$", error_r);
}

/* "$2" + lowercase letter + "$" (2a, 2b, 2y...) */
int password_verify_blf_crypt(const char *plaintext, const char *user,
			      const unsigned char *raw, size_t raw_len,
			      const char **error_r)
{
	if (raw_len < 7 || raw[0] != '$' || raw[1] != '2' ||
	    raw[2] < 'a' || raw[2] > 'z' || raw[3] != '$') {
		*error_r = "Not a bcrypt hash";
		return -1;
	}
	return crypt_compare(plaintext, (const char *)raw, raw_len, error_r);
}

int password_verify_argon2i(const char *plaintext, const char *user,
			    const unsigned char *raw, size_t raw_len,
			    const char **error_r)
{
	if (raw_len <= 9 || memcmp(raw, "$argon2i$", 9) != 0) {
		*error_r = "Not an argon2i hash";
		return -1;
	}
	return crypto_pwhash_argon2i_str_verify((const char *)raw, plaintext,
						strlen(plaintext)) == 0 ? 1 : 0;
}

int password_verify_argon2id(const char *plaintext, const char *user,
			     const unsigned char *raw, size_t raw_len,
			     const char **error_r)
{
	if (raw_len <= 10 || memcmp(raw, "$argon2id$", 10) != 0) {
		*error_r = "Not an argon2id hash";
		return -1;
	}
	return crypto_pwhash_argon2id_str_verify((const char *)raw, plaintext,
						 strlen(plaintext)) == 0 ? 1 : 0;
}

/* Dovecot's layout: "$1$<salt>$<rounds>$<40 hex of PBKDF2-HMAC-SHA1>". */
int password_verify_pbkdf2(const char *plaintext, const char *user,
			   const unsigned char *raw, size_t raw_len,
			   const char **error_r)
{
	const char *const *parts;
	unsigned char key[20];
	struct buf *expected;
	unsigned int rounds;
	bool ok;

	parts = tmp_strsplit((const char *)raw, "$");
	if (str_array_length(parts) != 5 || parts[0][0] != '\0' ||
	    strcmp(parts[1], "1") != 0 || str_to_uint(parts[3], &rounds) < 0 ||
	    rounds == 0 || rounds > 100000000) {
		*error_r = "Invalid PBKDF2 hash";
		return -1;
	}
	expected = buf_create(tmp_pool, 20);
	if (strlen(parts[4]) != 40 ||
	    password_hex_decode(parts[4], 40, expected) < 0) {
		*error_r = "Invalid PBKDF2 hash";
		return -1;
	}
	if (PKCS5_PBKDF2_HMAC_SHA1(plaintext, (int)strlen(plaintext),
				   (const unsigned char *)parts[2],
				   (int)strlen(parts[2]), (int)rounds,
				   sizeof(key), key) != 1) {
		*error_r = "PBKDF2 failed";
		return -1;
	}
	ok = password_equals(key, sizeof(key), expected->data, expected->used);
	sodium_memzero(key, sizeof(key));
	return ok ? 1 : 0;
}
