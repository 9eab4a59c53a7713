/* Copyright (c) dovecot-like authors. Fuzzes modified UTF-7 mailbox names
   both ways and checks the round trip, since the decoder must give every name
   exactly one encoding. */
#include "fuzz-common.h"
#include "str.h"
#include "imap-utf7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str *dest, *back;
	char *src;
	int ret;

	fuzz_init();
	src = fuzz_strndup(data, size);
	dest = str_new(system_pool, 64);
	back = str_new(system_pool, 64);

	/* mUTF-7 -> UTF-8: valid iff decodable, and the canonical re-encoding
	   decodes to the same name. (Not necessarily byte-identical to src:
	   adjacent sections "&AOQ-&AOQ-" are accepted though the encoder
	   merges them.) */
	ret = imap_utf7_to_utf8(src, dest);
	if ((ret == 0) != imap_utf7_is_valid(src))
		abort();
	if (ret == 0) {
		struct str *again = str_new(system_pool, 64);

		if (imap_utf8_to_utf7(str_c(dest), back) != 0)
			abort();
		if (imap_utf7_to_utf8(str_c(back), again) != 0 ||
		    strcmp(str_c(again), str_c(dest)) != 0)
			abort();
		if (strstr(src, "-&") == NULL && strcmp(str_c(back), src) != 0)
			abort();
		str_free(&again);
	}

	/* UTF-8 -> mUTF-7: the result is valid and decodes back */
	str_truncate(dest, 0);
	str_truncate(back, 0);
	if (imap_utf8_to_utf7(src, dest) == 0) {
		if (!imap_utf7_is_valid(str_c(dest)))
			abort();
		if (imap_utf7_to_utf8(str_c(dest), back) != 0)
			abort();
		if (strcmp(str_c(back), src) != 0)
			abort();
	}
	str_free(&dest);
	str_free(&back);
	free(src);
	tmp_reset();
	return 0;
}
