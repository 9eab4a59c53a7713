/* Copyright (c) dovecot-like authors. Runs the decoding suites in one
   program so `make check` reports them together. */

#include "lib.h"
#include "test-decode.h"

#include <stdlib.h>

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	sr = srunner_create(test_message_decoder_suite());
	srunner_add_suite(sr, test_unicode_casefold_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
