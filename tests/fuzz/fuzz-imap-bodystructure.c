/* Copyright (c) dovecot-like authors. Fuzzes a whole message through the
   MIME parser into BODYSTRUCTURE, BODY and ENVELOPE (every FETCH of an
   untrusted message does this): the BODYSTRUCTURE must parse back (as the
   cache will) into exactly the BODY written directly. */
#include "fuzz-common.h"
#include "str.h"
#include "istream.h"
#include "imap-envelope.h"
#include "imap-bodystructure.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool *pool;
	struct istream *input;
	struct message_part *parts;
	struct str *bs, *body, *body2, *env;
	const char *error;

	fuzz_init();
	pool = pool_create("fuzz bodystructure", 4096, POOL_FLAG_NONE);
	input = istream_create_from_data(data, size);
	parts = imap_bodystructure_parse_full(pool, input);
	istream_unref(&input);
	if (parts == NULL)
		abort();	/* a memory stream cannot fail */

	bs = str_new(system_pool, 256);
	body = str_new(system_pool, 256);
	body2 = str_new(system_pool, 256);
	imap_bodystructure_write(parts, bs, true);
	imap_bodystructure_write(parts, body, false);
	if (imap_body_parse_from_bodystructure(str_c(bs), body2, &error) < 0 ||
	    strcmp(str_c(body), str_c(body2)) != 0)
		abort();

	env = str_new(system_pool, 256);
	input = istream_create_from_data(data, size);
	if (imap_envelope_from_stream(pool, input, 0, env) < 0)
		abort();
	/* no NUL may reach a client, not even inside a literal */
	if (strlen(str_c(env)) != str_len(env) ||
	    strlen(str_c(bs)) != str_len(bs))
		abort();
	istream_unref(&input);

	str_free(&bs);
	str_free(&body);
	str_free(&body2);
	str_free(&env);
	pool_unref(&pool);
	tmp_reset();
	return 0;
}
