/* Copyright (c) dovecot-like authors. Runs every storage suite in one program
   so `make check` reports them together. */

#include "lib.h"
#include "test-storage.h"

#include <stdlib.h>

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	sr = srunner_create(test_maildir_filename_suite());
	srunner_add_suite(sr, test_maildir_uidlist_suite());
	srunner_add_suite(sr, test_istream_crlf_suite());
	srunner_add_suite(sr, test_mail_location_suite());
	srunner_add_suite(sr, test_maildir_storage_suite());
	srunner_add_suite(sr, test_maildir_dovecot_suite());
	srunner_add_suite(sr, test_maildir_index_suite());
	srunner_add_suite(sr, test_maildir_save_suite());
	srunner_add_suite(sr, test_maildir_mgmt_suite());
	srunner_add_suite(sr, test_mailbox_subscriptions_suite());
	srunner_add_suite(sr, test_maildir_keywords_suite());
	srunner_add_suite(sr, test_mail_keywords_suite());
	srunner_add_suite(sr, test_mail_namespace_suite());
	srunner_add_suite(sr, test_mail_search_suite());
	srunner_add_suite(sr, test_mail_modseq_suite());
	srunner_add_suite(sr, test_mbox_index_suite());
	srunner_add_suite(sr, test_mail_cache_fields_suite());
	srunner_add_suite(sr, test_maildir_condstore_suite());
	srunner_add_suite(sr, test_mailbox_vanished_suite());
	srunner_add_suite(sr, test_mailbox_notify_suite());
	srunner_add_suite(sr, test_mail_namespace_auto_suite());
	srunner_add_suite(sr, test_recent_targets_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
