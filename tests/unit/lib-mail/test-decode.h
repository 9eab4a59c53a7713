/* Copyright (c) dovecot-like authors. The suites of the decoding test
   program (message-decoder, unicode-casefold). */
#ifndef TEST_DECODE_H
#define TEST_DECODE_H

#include <check.h>

Suite *test_message_decoder_suite(void);
Suite *test_unicode_casefold_suite(void);

#endif
