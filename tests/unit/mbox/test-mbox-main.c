/* Copyright (c) dovecot-like authors. Runs every mbox suite in one program
   so `make check` reports them together. */
#include "lib.h"
#include "test-mbox.h"

#include <stdlib.h>

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	setenv("TZ", "UTC", 1);
	sr = srunner_create(test_mbox_from_suite());
	srunner_add_suite(sr, test_mbox_headers_suite());
	srunner_add_suite(sr, test_mbox_parse_suite());
	srunner_add_suite(sr, test_mbox_lock_suite());
	srunner_add_suite(sr, test_mbox_storage_suite());
	srunner_add_suite(sr, test_mbox_crash_suite());
	srunner_add_suite(sr, test_mbox_settings_suite());
	srunner_add_suite(sr, test_mbox_save_suite());
	srunner_add_suite(sr, test_mbox_mgmt_suite());
	srunner_add_suite(sr, test_mbox_keywords_suite());
	srunner_add_suite(sr, test_mbox_condstore_suite());
	srunner_add_suite(sr, test_mbox_recent_suite());
	srunner_add_suite(sr, test_mbox_recent_targets_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
