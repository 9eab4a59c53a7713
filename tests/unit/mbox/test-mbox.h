/* Copyright (c) dovecot-like authors. The suites of the mbox test program,
   one per module, and the helpers the functional suites share. */
#ifndef TEST_MBOX_H
#define TEST_MBOX_H

#include <check.h>
#include "mail-storage.h"

Suite *test_mbox_from_suite(void);
Suite *test_mbox_headers_suite(void);
Suite *test_mbox_parse_suite(void);
Suite *test_mbox_lock_suite(void);
Suite *test_mbox_storage_suite(void);
Suite *test_mbox_crash_suite(void);
Suite *test_mbox_settings_suite(void);
Suite *test_mbox_save_suite(void);
Suite *test_mbox_mgmt_suite(void);
Suite *test_mbox_keywords_suite(void);
Suite *test_mbox_condstore_suite(void);
Suite *test_mbox_recent_suite(void);
Suite *test_mbox_recent_targets_suite(void);

/* test-mbox-common.c: a temp home per test with mail root home/mail */
extern char mbox_home[64];
void mbox_setup(void);
void mbox_teardown(void);
const char *mbox_root(void);
void mbox_write_file(const char *path, const char *data, size_t len);
/* whole file, NUL-terminated, in tmp pool; *len_r may be NULL */
const char *mbox_read_file(const char *path, size_t *len_r);
/* mail_location "mbox:<home>/mail:INBOX=<home>/inbox" */
struct mail_user *mbox_user_create(void);
const char *mbox_inbox_path(void);
/* Body of crash-test message i: 150 * (i + 1) lines, several 4 KB chunks
   (tmp). */
const char *mbox_crash_body(unsigned int i);
struct mailbox *mbox_box_open(struct mail_user *user, enum mailbox_flags flags);
/* The message as the client sees it (asserts it has no NULs). */
const char *mbox_msg_text(struct mailbox *box, uint32_t seq);
/* Same, binary-safe: NUL-terminated, *len_r = real length. */
const char *mbox_msg_data(struct mailbox *box, uint32_t seq, size_t *len_r);
/* "uid,uid,..." */
const char *mbox_box_uids(struct mailbox *box);
#include "test-mailbox-recent.h"

#endif
