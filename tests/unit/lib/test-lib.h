/* Copyright (c) dovecot-like authors. test-lib.h: the Check suites of src/lib,
   run together by test-main.c. */
#ifndef TEST_LIB_H
#define TEST_LIB_H

#include "lib.h"
#include <check.h>

Suite *mempool_suite(void);
Suite *buffer_suite(void);
Suite *hash_suite(void);
Suite *strfuncs_suite(void);
Suite *istream_suite(void);
Suite *ostream_suite(void);
Suite *base64_suite(void);
Suite *var_expand_suite(void);
Suite *strescape_suite(void);
Suite *login_handoff_suite(void);
Suite *log_suite(void);
Suite *ioloop_suite(void);
Suite *ioloop_notify_suite(void);
Suite *net_suite(void);
Suite *restrict_suite(void);

#endif
