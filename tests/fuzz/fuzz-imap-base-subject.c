/* Copyright (c) dovecot-like authors. Fuzzes the RFC 5256 base subject of
   any Subject value: the result is valid UTF-8 with no leading, trailing
   or doubled spaces, and no "(FWD)" trailer is left. */
#include "fuzz-common.h"
#include "str.h"
#include "utf8.h"
#include "imap-base-subject.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str *dest;
	const unsigned char *p;
	size_t i, len;
	unsigned int n;
	uint32_t cp;

	fuzz_init();
	dest = str_new(system_pool, 64);
	imap_base_subject_append(tmp_pool, dest, data, size, NULL);
	p = str_data(dest);
	len = str_len(dest);
	for (i = 0; i < len; i += n) {
		n = utf8_get_char_n(p + i, len - i, &cp);
		if (n == 0)
			abort();
		if (p[i] == ' ' && (i == 0 || i + 1 == len || p[i + 1] == ' '))
			abort();
		if (p[i] == '\t' || p[i] == '\r' || p[i] == '\n')
			abort();
	}
	if (len >= 5 && memcmp(p + len - 5, "(FWD)", 5) == 0)
		abort();
	str_free(&dest);
	return 0;
}
