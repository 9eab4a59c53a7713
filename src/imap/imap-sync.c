/* Copyright (c) dovecot-like authors. Reporting what a sync point found:
   the client's view only changes through these untagged responses (RFC 3501
   7.3.1, 7.4.1, 5.2). */
#include "imap-common.h"
#include "imap-client.h"
#include "imap-flags.h"
#include "imap-sync.h"

void imap_sync_send_expunges(struct client *client, const ARRAY_TYPE(uint32) *seqs)
{
	const uint32_t *seq;

	if (!array_is_created(seqs))
		return;
	array_foreach(seqs, seq) {
		client_send_line(client, tmp_printf("* %u EXPUNGE", *seq));
		if (client->messages_count > 0)
			client->messages_count--;
	}
}

void imap_sync_send_flags_fetch(struct client *client, uint32_t seq,
				bool with_uid, bool with_flags)
{
	struct str *line = t_str_new(128);
	uint64_t modseq = 0;
	const char *sep = "";

	if (client->condstore_enabled)
		modseq = mail_get_modseq(client->box, seq);
	str_printfa(line, "* %u FETCH (", seq);
	if (with_uid) {
		str_printfa(line, "UID %u", mailbox_seq_to_uid(client->box, seq));
		sep = " ";
	}
	if (with_flags) {
		str_append(line, sep);
		str_append(line, "FLAGS ");
		imap_write_flags(line, mail_get_flags(client->box, seq),
				 client->box, mail_get_keywords(client->box, seq));
		sep = " ";
	}
	if (modseq != 0) {
		str_append(line, sep);
		str_printfa(line, "MODSEQ (%llu)", (unsigned long long)modseq);
	}
	str_append_c(line, ')');
	client_send_line(client, str_c(line));
}

int imap_sync(struct client *client, bool allow_expunges)
{
	struct mailbox_sync_result result;
	struct pool *pool;
	const uint32_t *seq;

	if (client->box == NULL || !allow_expunges)
		return 0;

	pool = pool_create("imap sync", 1024, POOL_FLAG_NONE);
	memset(&result, 0, sizeof(result));
	if (mailbox_sync(client->box, pool, &result) < 0) {
		pool_unref(&pool);
		if (mailbox_get_last_error(client->box, NULL) == MAIL_ERROR_NOTFOUND) {
			/* deleted or renamed by another session: the view
			   can't go on (as Dovecot) */
			client_send_line(client, "* BYE Selected mailbox was "
					 "deleted, have to disconnect.");
			client_disconnect(client, "Disconnected: Selected mailbox "
					  "was deleted under us");
		}
		return -1;
	}
	imap_send_mailbox_flags_if_changed(client);
	imap_sync_send_expunges(client, &result.expunged_seqs);
	if (result.messages != client->messages_count) {
		/* RFC 3501 7.3.1: EXISTS, with RECENT alongside */
		client->messages_count = result.messages;
		client_send_line(client, tmp_printf("* %u EXISTS", result.messages));
		client->recent_count = result.recent;
		client_send_line(client, tmp_printf("* %u RECENT", result.recent));
	} else if (result.recent != client->recent_count) {
		client->recent_count = result.recent;
		client_send_line(client, tmp_printf("* %u RECENT", result.recent));
	}
	if (array_is_created(&result.flag_changed_seqs)) {
		array_foreach(&result.flag_changed_seqs, seq) {
			if (*seq == 0 || *seq > client->messages_count)
				continue;
			imap_sync_send_flags_fetch(client, *seq, true, true);
		}
	}
	pool_unref(&pool);
	return 0;
}
