/* Copyright (c) dovecot-like authors. The suites of the storage test program
   (lib-storage and the lib-mail pieces it uses), one per module. */
#ifndef TEST_STORAGE_H
#define TEST_STORAGE_H

#include <check.h>

Suite *test_maildir_filename_suite(void);
Suite *test_maildir_uidlist_suite(void);
Suite *test_istream_crlf_suite(void);
Suite *test_mail_location_suite(void);
Suite *test_maildir_storage_suite(void);
Suite *test_maildir_dovecot_suite(void);
Suite *test_maildir_index_suite(void);
Suite *test_maildir_save_suite(void);
Suite *test_maildir_mgmt_suite(void);
Suite *test_mailbox_subscriptions_suite(void);
Suite *test_maildir_keywords_suite(void);
Suite *test_mail_keywords_suite(void);
Suite *test_mail_namespace_suite(void);
Suite *test_mail_search_suite(void);
Suite *test_mail_modseq_suite(void);
Suite *test_mbox_index_suite(void);
Suite *test_mail_cache_fields_suite(void);
Suite *test_maildir_condstore_suite(void);
Suite *test_mailbox_vanished_suite(void);
Suite *test_mailbox_notify_suite(void);
Suite *test_mail_namespace_auto_suite(void);
Suite *test_recent_targets_suite(void);

#endif
