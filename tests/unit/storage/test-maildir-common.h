/* Copyright (c) dovecot-like authors. test-maildir-common.h: helpers of the
   functional maildir suites (see test-maildir-common.c). */
#ifndef TEST_MAILDIR_COMMON_H
#define TEST_MAILDIR_COMMON_H

#include "mail-storage.h"

extern char home[64];		/* this test's temp home */
extern const char *maildir;	/* home/Maildir */

void setup(void);
void teardown(void);
void mkdirs(const char *dir);
void write_path(const char *path, const char *data);
/* maildir/<subdir>/<fname> */
void deliver(const char *subdir, const char *fname, const char *data);
/* Three messages in cur/: a and b without flags, c \Seen (UIDs 1-3). */
void deliver_three(void);
const char *read_path(const char *path);
const char *md5_hex(const char *data);
/* maildir/<subdir> entries without dot files, sorted, ' '-separated */
const char *list_dir(const char *subdir);
struct mail_user *user_create(const char *location);
struct mailbox *box_open(struct mail_user *user, enum mailbox_flags flags);
/* "uid,uid,..." of the view */
const char *box_uids(struct mailbox *box);
const char *uidl(struct mailbox *box, uint32_t seq, const char *format);
#include "test-mailbox-recent.h"

#endif
