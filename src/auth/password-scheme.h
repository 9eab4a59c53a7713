/* Copyright (c) dovecot-like authors. password-scheme.h: verifying a plaintext
   password against a stored "{SCHEME[.enc]}data" value, per
   shared/reference/passwd-file-and-schemes.md s.2. */
#ifndef PASSWORD_SCHEME_H
#define PASSWORD_SCHEME_H

#include "buffer.h"

enum password_encoding {
	PASSWORD_ENCODING_NONE,
	PASSWORD_ENCODING_BASE64,
	PASSWORD_ENCODING_HEX,
};

struct password_scheme {
	const char *name;
	enum password_encoding default_encoding;
	/* Length of the decoded digest for fixed-length schemes, else 0. */
	size_t raw_len;
	/* Verification is slow (crypt, argon2, PBKDF2): auth runs it in an
	   auth-worker process, never in its event loop. */
	bool blocking;
	/* raw is NUL-terminated (raw[raw_len] == 0). user may be NULL.
	   Returns 1 on match, 0 on mismatch, -1 with *error_r on bad data. */
	int (*verify)(const char *plaintext, const char *user,
		      const unsigned char *raw, size_t raw_len,
		      const char **error_r);
};

/* Case-insensitive; name may carry ".b64", ".base64" or ".hex". Returns NULL
   if the scheme or suffix is unknown. *encoding_r is the encoding to decode
   with and *explicit_r whether the name gave it. */
const struct password_scheme *
password_scheme_find(const char *name, enum password_encoding *encoding_r,
		     bool *explicit_r);

/* Splits crypted into scheme name and data. "{X}data" gives X; "$1$salt$hash"
   without braces gives MD5-CRYPT; anything else gives default_scheme.
   Results point into crypted or are tmp strings. */
void password_split(const char *crypted, const char *default_scheme,
		    const char **scheme_r, const char **data_r);

/* Decodes data as the scheme needs into dest (which is NUL-terminated after
   the data, the NUL not counted in dest->used). Returns 0 or -1 with a
   log-safe *error_r. */
int password_decode(const char *data, const struct password_scheme *scheme,
		    enum password_encoding encoding, bool explicit_encoding,
		    struct buf *dest, const char **error_r);

/* Verify plaintext against crypted (see password_split for its form).
   user is needed only by DIGEST-MD5. Returns 1 match, 0 mismatch, -1 error
   with *error_r ("Unknown scheme FOO", "Password data is not valid for
   scheme SHA: ..."). Blocking for schemes marked blocking. Never logs. */
int password_verify(const char *plaintext, const char *user, const char *crypted,
		    const char *default_scheme, const char **error_r);

/* True if verifying crypted would block (see struct password_scheme). An
   unknown scheme is not blocking (it fails at once). */
bool password_verify_is_blocking(const char *crypted, const char *default_scheme);

/* Constant-time equality of two byte strings (lengths compared first). */
bool password_equals(const void *a, size_t a_len, const void *b, size_t b_len);

/* Hex decoding (either case). Returns 0, or -1 on odd length/junk. */
int password_hex_decode(const char *src, size_t len, struct buf *dest);

/* The crypt(3)-family, argon2 and PBKDF2 verifiers
   (password-scheme-crypt.c). */
int password_verify_crypt(const char *plaintext, const char *user,
			  const unsigned char *raw, size_t raw_len,
			  const char **error_r);
int password_verify_des_crypt(const char *plaintext, const char *user,
			      const unsigned char *raw, size_t raw_len,
			      const char **error_r);
int password_verify_md5_crypt(const char *plaintext, const char *user,
			      const unsigned char *raw, size_t raw_len,
			      const char **error_r);
int password_verify_sha256_crypt(const char *plaintext, const char *user,
				 const unsigned char *raw, size_t raw_len,
				 const char **error_r);
int password_verify_sha512_crypt(const char *plaintext, const char *user,
				 const unsigned char *raw, size_t raw_len,
				 const char **error_r);
int password_verify_blf_crypt(const char *plaintext, const char *user,
			      const unsigned char *raw, size_t raw_len,
			      const char **error_r);
int password_verify_argon2i(const char *plaintext, const char *user,
			    const unsigned char *raw, size_t raw_len,
			    const char **error_r);
int password_verify_argon2id(const char *plaintext, const char *user,
			     const unsigned char *raw, size_t raw_len,
			     const char **error_r);
int password_verify_pbkdf2(const char *plaintext, const char *user,
			   const unsigned char *raw, size_t raw_len,
			   const char **error_r);

#endif
