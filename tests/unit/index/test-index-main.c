/* Copyright (c) dovecot-like authors. Runs every lib-index suite in one
   program so `make check` reports them together. */

#include "lib.h"
#include "test-index.h"

#include <stdlib.h>

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	sr = srunner_create(test_mail_index_suite());
	srunner_add_suite(sr, test_index_view_suite());
	srunner_add_suite(sr, test_index_corrupt_suite());
	srunner_add_suite(sr, test_index_concurrency_suite());
	srunner_add_suite(sr, test_mail_cache_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
