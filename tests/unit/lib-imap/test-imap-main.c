/* Copyright (c) dovecot-like authors. Runs every lib-imap suite in one
   program so `make check` reports them together. */

#include "lib.h"
#include "test-imap.h"

#include <stdlib.h>

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	sr = srunner_create(test_imap_parser_suite());
	srunner_add_suite(sr, test_imap_quote_suite());
	srunner_add_suite(sr, test_imap_seqset_suite());
	srunner_add_suite(sr, test_imap_utf7_suite());
	srunner_add_suite(sr, test_imap_match_suite());
	srunner_add_suite(sr, test_imap_date_suite());
	srunner_add_suite(sr, test_imap_base_subject_suite());
	srunner_add_suite(sr, test_imap_binary_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
