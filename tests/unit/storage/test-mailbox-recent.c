/* Copyright (c) dovecot-like authors. test-mailbox-recent.c: \Recent
   helpers the Maildir and mbox suites share (backend-independent: only
   the lib-storage API). */
#include "lib.h"
#include "mail-storage.h"
#include "test-mailbox-recent.h"

#include <check.h>

/* "1,3": the seqs with \Recent ("" none) */
const char *box_recent_seqs(struct mailbox *box)
{
	uint32_t seq, count = mailbox_get_messages_count(box);
	const char *ret = "";

	for (seq = 1; seq <= count; seq++) {
		if ((mail_get_flags(box, seq) & MAIL_RECENT) == 0)
			continue;
		ret = tmp_printf("%s%s%u", ret, *ret == '\0' ? "" : ",", seq);
	}
	return ret;
}

/* Syncs box and asserts its message and \Recent counts, as the sync
   result and as the status give them. */
void box_sync_expect(struct mailbox *box, uint32_t messages, uint32_t recent)
{
	struct mailbox_sync_result result;
	struct mailbox_status st;

	ck_assert_int_eq(mailbox_sync(box, tmp_pool, &result), 0);
	ck_assert_uint_eq(result.messages, messages);
	ck_assert_uint_eq(result.recent, recent);
	mailbox_get_status(box, &st);
	ck_assert_uint_eq(st.messages, messages);
	ck_assert_uint_eq(st.recent, recent);
}
