/* Copyright (c) dovecot-like authors. The suites of the lib-index test
   program and the helpers they share (a temp dir per test, opening). */
#ifndef TEST_INDEX_H
#define TEST_INDEX_H

#include <check.h>
#include "mail-index-private.h"
#include "mail-index-view.h"
#include "mail-index-transaction.h"
#include "mail-index-sync.h"

Suite *test_mail_index_suite(void);
Suite *test_index_view_suite(void);
Suite *test_index_corrupt_suite(void);
Suite *test_index_concurrency_suite(void);
Suite *test_mail_cache_suite(void);

extern char test_dir[64];
void test_index_setup(void);
void test_index_teardown(void);
void test_index_settings(struct mail_index_settings *set);
struct mail_index *test_index_open(void);
struct mail_index *test_index_open_set(const struct mail_index_settings *set);
const char *test_index_path(const char *suffix);
/* Append count messages (uid=0) with flags in one external transaction;
   returns the first UID. */
uint32_t test_index_append(struct mail_index *index, unsigned int count,
			   uint8_t flags);
/* uid list of the current map as "1,2,5". */
const char *test_index_uids(struct mail_index *index);
off_t test_file_size(const char *path);
/* Flip / overwrite bytes of a file. */
void test_file_write_at(const char *path, off_t offset, const void *data,
			size_t size);

#endif
