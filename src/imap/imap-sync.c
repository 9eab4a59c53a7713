/* Copyright (c) dovecot-like authors. Reporting what a sync point found:
   the client's view only changes through these untagged responses (RFC 3501
   7.3.1, 7.4.1, 5.2). */
#include "imap-common.h"
#include "imap-client.h"
#include "imap-flags.h"
#include "imap-sync.h"
#include "imap-search-update.h"

/* RFC 7162 3.2.10: one "* VANISHED uid-set" for all of them. */
static void imap_sync_send_vanished(struct client *client,
				    const ARRAY_TYPE(mailbox_expunged) *expunged)
{
	const struct mailbox_expunged *exp;
	ARRAY_TYPE(uint32) uids;
	struct str *line;

	array_init(&uids, tmp_pool, array_count(expunged));
	array_foreach(expunged, exp)
		array_append(&uids, &exp->uid);
	array_sort(&uids, uint32_cmp);
	line = t_str_new(64);
	str_append(line, "* VANISHED ");
	imap_write_uid_list(line, array_idx(&uids, 0), array_count(&uids));
	client_send_line(client, str_c(line));
}

void imap_sync_send_recent(struct client *client, uint32_t recent)
{
	client->recent_count = recent;
	/* RFC 9051 7.4: IMAP4rev2 has no RECENT response (Appendix E) */
	if (!client->imap4rev2_enabled)
		client_send_line(client, tmp_printf("* %u RECENT", recent));
}

void imap_sync_send_expunges(struct client *client,
			     const ARRAY_TYPE(mailbox_expunged) *expunged)
{
	const struct mailbox_expunged *exp;
	unsigned int count;

	if (!array_is_created(expunged) || array_count(expunged) == 0)
		return;
	count = array_count(expunged);
	/* RFC 5267 4.3: REMOVEFROM while the seqs still mean them */
	imap_search_updates_expunged(client, expunged);
	if (client->qresync_enabled)
		imap_sync_send_vanished(client, expunged);
	else {
		array_foreach(expunged, exp) {
			client_send_line(client, tmp_printf("* %u EXPUNGE",
							    exp->seq));
		}
	}
	client->messages_count = client->messages_count > count ?
		client->messages_count - count : 0;
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
	/* RFC 7162 3.2.4: with QRESYNC every unsolicited FETCH has the UID */
	if (with_uid || client->qresync_enabled) {
		str_printfa(line, "UID %u", mailbox_seq_to_uid(client->box, seq));
		sep = " ";
	}
	if (with_flags) {
		str_append(line, sep);
		str_append(line, "FLAGS ");
		imap_write_flags(line, mail_get_flags(client->box, seq),
				 client, mail_get_keywords(client->box, seq));
		sep = " ";
	}
	if (modseq != 0) {
		str_append(line, sep);
		str_printfa(line, "MODSEQ (%llu)", (unsigned long long)modseq);
	}
	str_append_c(line, ')');
	client_send_line(client, str_c(line));
}

/* delay-newmail: may this command report new mail and expunges? Dovecot
   lets only NOOP, CHECK, EXPUNGE, MOVE, APPEND (and COPY to another
   mailbox, which doesn't sync here) and IDLE do it. The storage can't
   sync without taking the expunges, so the others don't sync at all
   (others' flag changes wait for them too; Dovecot sends those). */
static bool imap_sync_delayed(struct client *client)
{
	static const char *const safe_cmds[] = {
		"NOOP", "CHECK", "EXPUNGE", "MOVE", "APPEND", "IDLE", NULL
	};
	const char *name;
	unsigned int i;

	if ((imap_set.workarounds & IMAP_WORKAROUND_DELAY_NEWMAIL) == 0 ||
	    client->cmd == NULL || client->cmd->name == NULL)
		return false;
	name = client->cmd->name;
	for (i = 0; safe_cmds[i] != NULL; i++) {
		if (strcmp(name, safe_cmds[i]) == 0)
			return false;
	}
	return true;
}

int imap_sync(struct client *client, bool allow_expunges)
{
	struct mailbox_sync_result result;
	struct pool *pool;
	const uint32_t *seq;

	if (client->box == NULL || !allow_expunges ||
	    imap_sync_delayed(client))
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
	imap_sync_send_expunges(client, &result.expunged);
	/* RFC 5267 4.3: only what changed is searched again */
	imap_search_updates_changed(client, &result.flag_changed_seqs,
				    result.messages > client->messages_count ?
				    client->messages_count + 1 : 0);
	if (result.messages != client->messages_count) {
		/* RFC 3501 7.3.1: EXISTS, with RECENT alongside */
		client->messages_count = result.messages;
		client_send_line(client, tmp_printf("* %u EXISTS", result.messages));
		imap_sync_send_recent(client, result.recent);
	} else if (result.recent != client->recent_count) {
		imap_sync_send_recent(client, result.recent);
	}
	if (array_is_created(&result.flag_changed_seqs)) {
		array_foreach(&result.flag_changed_seqs, seq) {
			if (*seq == 0 || *seq > client->messages_count)
				continue;
			imap_sync_send_flags_fetch(client, *seq, true, true);
		}
	}
	imap_search_updates_sync(client);
	pool_unref(&pool);
	return 0;
}

/* "* n RECENT" if the view's \Recent count differs from the last one
   sent (walks the view: mailbox_get_status()). */
static void imap_sync_send_recent_if_changed(struct client *client)
{
	struct mailbox_status status;

	if (client->box == NULL)
		return;
	mailbox_get_status(client->box, &status);
	if (status.recent != client->recent_count)
		imap_sync_send_recent(client, status.recent);
}

const char *imap_sync_expunge_reply(struct client *client,
				    unsigned int expunged_count,
				    const char *text)
{
	uint64_t modseq;

	if (expunged_count == 0 || client->box == NULL)
		return tmp_strconcat("OK ", text, NULL);
	if (!client->qresync_enabled) {
		imap_sync_send_recent_if_changed(client);
		return tmp_strconcat("OK ", text, NULL);
	}
	if (imap_sync(client, true) < 0 ||
	    client->box == NULL ||
	    (modseq = mailbox_get_highest_modseq(client->box)) == 0)
		return tmp_strconcat("OK ", text, NULL);
	return tmp_printf("OK [HIGHESTMODSEQ %llu] %s",
			  (unsigned long long)modseq, text);
}
