/* Copyright (c) dovecot-like authors. test-mailbox-recent.h: \Recent
   helpers shared by the storage and mbox unit suites. */
#ifndef TEST_MAILBOX_RECENT_H
#define TEST_MAILBOX_RECENT_H

#include <stdint.h>

struct mailbox;

/* "1,3": the seqs with \Recent ("" none) */
const char *box_recent_seqs(struct mailbox *box);
/* Syncs box, asserts its message and \Recent counts (sync result and
   status). */
void box_sync_expect(struct mailbox *box, uint32_t messages, uint32_t recent);

#endif
