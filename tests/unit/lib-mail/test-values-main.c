/* Copyright (c) dovecot-like authors. Runs the header-value suites in one
   program so `make check` reports them together. */

#include "lib.h"
#include "test-values.h"

#include <stdlib.h>

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	sr = srunner_create(test_charset_utf8_suite());
	srunner_add_suite(sr, test_rfc822_parser_suite());
	srunner_add_suite(sr, test_message_address_suite());
	srunner_add_suite(sr, test_message_date_suite());
	srunner_add_suite(sr, test_message_header_decode_suite());
	srunner_add_suite(sr, test_imap_envelope_suite());
	srunner_add_suite(sr, test_imap_bodystructure_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
