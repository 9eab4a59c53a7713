/* Copyright (c) dovecot-like authors. The suites of the lib-imap test
   program, one per module. */
#ifndef TEST_IMAP_H
#define TEST_IMAP_H

#include <check.h>

Suite *test_imap_parser_suite(void);
Suite *test_imap_quote_suite(void);
Suite *test_imap_seqset_suite(void);
Suite *test_imap_utf7_suite(void);
Suite *test_imap_match_suite(void);
Suite *test_imap_date_suite(void);
Suite *test_imap_base_subject_suite(void);
Suite *test_imap_binary_suite(void);

#endif
