/* Copyright (c) dovecot-like authors. Shared helpers of the lib-config Check
   suites (one suite per module group, run by test-config.c). */
#ifndef TEST_CONFIG_H
#define TEST_CONFIG_H

#include "lib.h"
#include "settings.h"

#include <check.h>

/* Parse text as "test.conf"; fails the test with the errors if any. */
struct settings *test_parse_ok(const char *text);
/* Parse text, expecting errors; returns them. */
const char *test_parse_fail(const char *text);
/* A fresh temporary directory (tmp string); test_rmdir() removes it. */
const char *test_tmpdir(void);
void test_rmdir(const char *dir);
/* Write data to dir/name; returns the full path (tmp). */
const char *test_write_file(const char *dir, const char *name, const char *data);
/* settings_dump() into a string (tmp). */
const char *test_dump(const struct settings *set, bool only_changed);

Suite *test_settings_parser_suite(void);
Suite *test_settings_legacy_suite(void);
Suite *test_settings_snapshot_suite(void);
Suite *test_settings_workarounds_suite(void);

#endif
