/* Copyright (c) dovecot-like authors. Fuzzes the passwd-file line parser and
   password scheme decoding/verification, since a hand-edited users file or a
   client's password must never crash auth. */
#include "fuzz-common.h"
#include "db-passwd-file.h"
#include "password-scheme.h"

#include <strings.h>

/* Slow (key-stretching) schemes could take minutes for hostile parameters;
   only the cheap crypt(3) forms are verified. */
static bool scheme_is_fast(const char *crypted, const char *default_scheme)
{
	const char *scheme, *data;

	if (!password_verify_is_blocking(crypted, default_scheme))
		return true;
	password_split(crypted, default_scheme, &scheme, &data);
	return strcasecmp(scheme, "MD5-CRYPT") == 0 ||
		strcasecmp(scheme, "DES-CRYPT") == 0 ||
		strcasecmp(scheme, "MD5") == 0;
}

static void verify(const char *plaintext, const struct passwd_user *user,
		   const char *default_scheme)
{
	const char *error = NULL;
	int ret;

	if (user->password == NULL ||
	    !scheme_is_fast(user->password, default_scheme))
		return;
	ret = password_verify(plaintext, user->name, user->password,
			      default_scheme, &error);
	if (ret < -1 || ret > 1 || (ret < 0 && error == NULL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const schemes[] = {
		"PLAIN", "CRYPT", "SHA256", "SSHA", "PLAIN-MD5", "DIGEST-MD5",
		"SHA512.b64", "SHA1.hex", "PLAIN-TRUNC", "LDAP-MD5",
	};
	static struct passwd_file *file = NULL;
	struct db_passwd_file_args args;
	struct passwd_user user;
	struct pool *pool;
	const char *default_scheme, *error, *plaintext;
	const uint8_t *nul;
	char *text, *line, *next;
	bool userdb;

	fuzz_init();
	if (size < 1)
		return 0;
	/* [flags] passwd-file text [NUL plaintext password] */
	default_scheme = schemes[(data[0] & 0x7f) % N_ELEMENTS(schemes)];
	userdb = (data[0] & 0x80) != 0;
	data++; size--;
	nul = memchr(data, '\0', size);
	text = fuzz_strndup(data, nul == NULL ? size : (size_t)(nul - data));
	plaintext = nul == NULL ? "secret" :
		tmp_strndup(nul + 1, size - (size_t)(nul - data) - 1);

	/* the whole file, as a refresh parses it */
	if (file == NULL)
		file = passwd_file_get("/nonexistent/fuzz-passwd", false);
	(void)passwd_file_parse_data(file, text, strlen(text));

	/* and each line alone, with the verification a login does */
	pool = pool_create("fuzz passwd-file", 1024, POOL_FLAG_WIPE);
	for (line = text; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		error = NULL;
		switch (passwd_file_parse_line(pool, line, userdb, &user, &error)) {
		case 1:
			if (user.name == NULL)
				abort();
			if (passwd_file_lookup(file, user.name) == NULL &&
			    strchr(line, '\r') == NULL && !userdb)
				abort();
			for (unsigned int i = 0; user.extra_fields != NULL &&
				     user.extra_fields[i] != NULL; i++)
				(void)strlen(user.extra_fields[i]);
			verify(plaintext, &user, default_scheme);
			break;
		case 0:
			break;
		case -1:
			if (error == NULL)
				abort();
			break;
		default:
			abort();
		}
		/* the same text as passdb/userdb args */
		(void)db_passwd_file_parse_args(pool, line, !userdb, &args, &error);
	}
	pool_unref(&pool);
	free(text);
	tmp_reset();
	return 0;
}
