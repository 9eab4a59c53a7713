/* Copyright (c) dovecot-like authors. The suites of the header-value test
   program (lib-mail value parsers and lib-imap ENVELOPE/BODYSTRUCTURE). */
#ifndef TEST_VALUES_H
#define TEST_VALUES_H

#include <check.h>

Suite *test_charset_utf8_suite(void);
Suite *test_rfc822_parser_suite(void);
Suite *test_message_address_suite(void);
Suite *test_message_date_suite(void);
Suite *test_message_header_decode_suite(void);
Suite *test_imap_envelope_suite(void);
Suite *test_imap_bodystructure_suite(void);

#endif
