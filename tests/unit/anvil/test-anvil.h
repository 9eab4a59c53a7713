/* Copyright (c) dovecot-like authors. test-anvil.h: the suites of the anvil
   unit test program. */
#ifndef TEST_ANVIL_H
#define TEST_ANVIL_H

#include "lib.h"
#include <check.h>

Suite *anvil_request_suite(void);
Suite *anvil_registry_suite(void);
Suite *anvil_client_suite(void);
Suite *anvil_penalty_suite(void);

#endif
