/* Copyright (c) dovecot-like authors. test-auth.h: the suites of the auth
   unit test program. */
#ifndef TEST_AUTH_H
#define TEST_AUTH_H

#include "lib.h"
#include <check.h>

Suite *passwd_file_suite(void);
Suite *password_scheme_suite(void);
Suite *auth_protocol_suite(void);
Suite *auth_worker_suite(void);

#endif
