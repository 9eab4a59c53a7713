/* Copyright (c) dovecot-like authors. Fuzzes RFC 2047 encoded-word
   decoding (subjects and names, later SEARCH): the result must always be
   valid UTF-8 without NULs, whatever charsets and encodings are named. */
#include "fuzz-common.h"
#include "str.h"
#include "charset-utf8.h"
#include "message-header-decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str *out, *check;
	unsigned char *copy;

	fuzz_init();
	copy = malloc(size == 0 ? 1 : size);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	out = t_str_new(size * 2 + 16);
	check = t_str_new(size * 2 + 16);
	message_header_decode_utf8(copy, size, out);
	if (memchr(str_data(out), '\0', str_len(out)) != NULL)
		abort();
	charset_utf8_append_valid(check, str_data(out), str_len(out));
	if (str_len(check) != str_len(out) ||
	    memcmp(str_data(check), str_data(out), str_len(out)) != 0)
		abort();
	free(copy);
	tmp_reset();
	return 0;
}
