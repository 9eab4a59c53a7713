/* Copyright (c) dovecot-like authors. STORE and UID STORE (RFC 3501 6.4.6,
   6.4.8): change system flags and report the result unless .SILENT; with
   RFC 7162 3.1.3 (UNCHANGEDSINCE n) only messages whose modseq <= n. */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-flags.h"
#include "imap-sync.h"
#include "imap-search-update.h"

#include <strings.h>

static int store_parse_item(const char *item, enum modify_type *type_r,
			    bool *silent_r)
{
	const char *p = item;

	*type_r = MODIFY_REPLACE;
	if (*p == '+') {
		*type_r = MODIFY_ADD;
		p++;
	} else if (*p == '-') {
		*type_r = MODIFY_REMOVE;
		p++;
	}
	if (strcasecmp(p, "FLAGS") == 0)
		*silent_r = false;
	else if (strcasecmp(p, "FLAGS.SILENT") == 0)
		*silent_r = true;
	else
		return -1;
	return 0;
}

/* The optional modifier list "(UNCHANGEDSINCE n)" at arg. 1 = parsed
   (*unchangedsince_r set), 0 = no list, -1 = malformed (*error_r). */
static int store_parse_modifiers(const struct imap_arg *arg,
				 uint64_t *unchangedsince_r,
				 const char **error_r)
{
	const struct imap_arg *list;
	const char *name;
	unsigned int i, count;
	bool seen = false;

	if (!imap_arg_get_list(arg, &list, &count))
		return 0;
	*error_r = "Invalid STORE modifiers.";
	if (count == 0 || count % 2 != 0)
		return -1;
	for (i = 0; i < count; i += 2) {
		if (!imap_arg_get_atom(&list[i], &name) ||
		    strcasecmp(name, "UNCHANGEDSINCE") != 0 || seen)
			return -1;
		if (!imap_arg_get_modseq(&list[i + 1], unchangedsince_r)) {
			*error_r = "Invalid modseq";
			return -1;
		}
		seen = true;
	}
	return 1;
}

/* The tagged reply of a STORE that ran (modified: the ascending seqs or
   UIDs of the [MODIFIED] set). RFC 7162 3.1.3: a non-empty MODIFIED set is
   always reported; when some messages were also expunged the reply is NO
   (as EXPUNGEISSUED would be) but carries the MODIFIED code, the only one
   the client can't learn otherwise (the expunges reach it as EXPUNGE). */
static void store_send_tagline(struct client_command *cmd, bool failed,
			       bool expunged, const ARRAY_TYPE(uint32) *modified)
{
	struct str *set = t_str_new(32);
	const uint32_t *nums;
	unsigned int count;

	nums = array_get(modified, &count);
	imap_write_uid_list(set, nums, count);
	if (failed)	/* the storage's error: NOQUOTA for a full disk */
		client_send_storage_error(cmd);
	else if (expunged && count > 0)
		client_send_tagline(cmd, tmp_strconcat("NO [MODIFIED ",
			str_c(set), "] Conditional store failed, and some of "
			"the requested messages no longer exist.", NULL));
	else if (expunged)
		client_send_tagline(cmd, "NO [EXPUNGEISSUED] "
				    "Some of the requested messages no longer exist.");
	else if (count > 0)
		client_send_tagline(cmd, tmp_strconcat("OK [MODIFIED ",
			str_c(set), "] Conditional store failed.", NULL));
	else
		client_send_tagline(cmd, "OK Store completed.");
}

bool cmd_store(struct client_command *cmd)
{
	struct client *client = cmd->client;
	struct seq_range_array seqs;
	const struct seq_range *ranges;
	const struct imap_arg *args = cmd->args;
	enum modify_type type;
	enum mail_flags flags;
	struct mail_keywords keywords;
	const char *const *keyword_names;
	const char *set, *item, *error, *str;
	unsigned int i, n;
	bool silent, failed = false, expunged = false;
	ARRAY_TYPE(uint32) changed, modified;
	uint64_t unchangedsince = 0;
	uint32_t seq, num;
	const uint32_t *seqp;
	int conditional;

	set = imap_arg_as_string(&args[0]);
	if (set == NULL || args[0].type != IMAP_ARG_ATOM) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	conditional = store_parse_modifiers(&args[1], &unchangedsince, &error);
	if (conditional < 0) {
		client_send_command_error(cmd, error);
		return true;
	}
	if (conditional > 0)
		args++;
	if (!imap_arg_get_atom(&args[1], &item) || IMAP_ARG_IS_EOL(&args[2])) {
		client_send_command_error(cmd, "Invalid arguments.");
		return true;
	}
	if (store_parse_item(item, &type, &silent) < 0) {
		client_send_command_error(cmd, tmp_strconcat(
			"Invalid STORE parameter ", item, NULL));
		return true;
	}
	if (imap_parse_flags(&args[2], &flags, &keyword_names, &error) < 0) {
		client_send_command_error(cmd, error);
		return true;
	}
	if (imap_cmd_parse_seqset(cmd, set, &seqs) < 0)
		return true;
	if (conditional > 0) {
		client_enable_condstore(client);	/* RFC 7162 3.1 */
		if (!client_box_has_modseqs(client)) {
			/* RFC 7162 3.1.2: rejected in a NOMODSEQ mailbox */
			client_send_command_error(cmd, "UNCHANGEDSINCE can't "
				"be used with non-permanent modseqs");
			return true;
		}
	}
	if (client->box_readonly) {
		client_send_tagline(cmd, "NO Mailbox is read-only.");
		return true;
	}
	/* removing a keyword the mailbox doesn't have is a no-op */
	if (mailbox_keywords_create(client->box, keyword_names,
				    str_array_length(keyword_names),
				    type != MODIFY_REMOVE, &keywords) < 0) {
		client_send_storage_error(cmd);
		return true;
	}
	imap_send_mailbox_flags_if_changed(client);

	array_init(&changed, cmd->pool, 16);
	array_init(&modified, cmd->pool, 4);
	/* RFC 7162 3.1.3: check-and-set of each message atomic against the
	   other sessions (their changes after our last sync count) */
	if (conditional > 0 && mailbox_store_lock(client->box) < 0) {
		client_send_storage_error(cmd);
		return true;
	}
	ranges = seq_range_array_get(&seqs, &n);
	for (i = 0; i < n && !failed; i++) {
		for (seq = ranges[i].seq1; seq <= ranges[i].seq2; seq++) {
			enum mail_flags old = mail_get_flags(client->box, seq);
			int ret;

			if (conditional > 0) {
				ret = mail_update_flags_unchanged(client->box,
					seq, type, flags, &keywords,
					unchangedsince);
			} else {
				ret = mail_update_flags(client->box, seq, type,
							flags, &keywords);
			}
			if (ret == 0 && conditional > 0) {
				num = !cmd->uid ? seq :
					mailbox_seq_to_uid(client->box, seq);
				array_append(&modified, &num);
				continue;
			}
			if (ret < 0) {
				enum mail_storage_error err =
					mailbox_get_last_error(client->box, &str);
				if (err == MAIL_ERROR_EXPUNGED ||
				    err == MAIL_ERROR_NOTFOUND) {
					expunged = true;
					continue;
				}
				log_error("STORE failed: %s",
					  str == NULL ? "unknown error" : str);
				failed = true;
				break;
			}
			enum mail_flags new_flags = mail_get_flags(client->box, seq);
			if ((new_flags & MAIL_DELETED) != 0 && (old & MAIL_DELETED) == 0)
				client->stats.deleted++;
			array_append(&changed, &seq);
		}
	}
	/* once for the whole command (mbox_lazy_writes = no: one rewrite);
	   Maildir: the new modseqs become visible for the replies below.
	   The conditional form commits and releases the lock. */
	if ((conditional > 0 ? mailbox_store_unlock(client->box) :
	     mailbox_changes_commit(client->box)) < 0) {
		(void)mailbox_get_last_error(client->box, &str);
		log_error("STORE in %s: writing the flag changes failed: %s",
			  mailbox_get_name(client->box),
			  str == NULL ? "unknown error" : str);
		failed = true;
	}
	/* RFC 7162 3.1.3: with UNCHANGEDSINCE even .SILENT reports MODSEQ;
	   once CONDSTORE is on, so does any .SILENT change (as Dovecot: the
	   client learns its own changes' modseqs) */
	if (!silent || conditional > 0 || client->condstore_enabled) {
		array_foreach(&changed, seqp) {
			imap_sync_send_flags_fetch(client, *seqp, cmd->uid,
						   !silent);
		}
	}
	imap_search_updates_changed(client, &changed, 0);
	if (!failed && cmd->uid && imap_sync(client, true) < 0)
		failed = true;
	else if (!cmd->uid)	/* RFC 5267 4.3: own flag changes, as Dovecot */
		imap_search_updates_sync(client);
	store_send_tagline(cmd, failed, expunged, &modified);
	return true;
}
