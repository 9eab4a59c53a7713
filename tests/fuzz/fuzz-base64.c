/* Copyright (c) dovecot-like authors. Fuzzes the strict base64 decoder (and
   the encoder it must agree with), since SASL responses and handoff input
   arrive base64-encoded. */
#include "fuzz-common.h"
#include "base64.h"
#include "buffer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf *dec, *enc, *dec2;
	unsigned char *copy;

	fuzz_init();
	/* exact-size copy, so a read past the end is caught */
	copy = malloc(size == 0 ? 1 : size);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	dec = buf_create(system_pool, 64);
	enc = buf_create(system_pool, 64);
	dec2 = buf_create(system_pool, 64);

	if (base64_decode(copy, size, dec) == 0) {
		if (size % 4 != 0 || dec->used > size / 4 * 3 ||
		    dec->used + 2 < size / 4 * 3)
			abort();
		/* re-encoding gives the same length and decodes the same */
		base64_encode(dec->data, dec->used, enc);
		if (enc->used != size)
			abort();
		if (base64_decode(enc->data, enc->used, dec2) != 0 ||
		    dec2->used != dec->used ||
		    memcmp(dec2->data, dec->data, dec->used) != 0)
			abort();
	}

	/* any bytes survive an encode/decode round trip */
	buf_reset(enc);
	buf_reset(dec2);
	base64_encode(copy, size, enc);
	if (enc->used != BASE64_ENCODED_SIZE(size))
		abort();
	if (base64_decode(enc->data, enc->used, dec2) != 0 ||
	    dec2->used != size || (size > 0 && memcmp(dec2->data, copy, size) != 0))
		abort();

	buf_free(&dec);
	buf_free(&enc);
	buf_free(&dec2);
	free(copy);
	tmp_reset();
	return 0;
}
