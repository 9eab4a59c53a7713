/* Copyright (c) dovecot-like authors. mailbox-objectid.c: RFC 8474 object
   ids and RFC 8514 save dates over the backends' optional vfuncs. */
#include "lib.h"
#include "strfuncs.h"
#include "mail-storage-private.h"
#include "mailbox-objectid.h"
#include "maildir/maildir-storage.h"

#include <sodium.h>

/* hex digits of the SHA-256 kept in an EMAILID (96 bits) */
#define MAIL_EMAILID_HEX_LEN 24

bool mailbox_objectid_is_valid(const char *id, size_t len)
{
	size_t i;

	if (len == 0 || len > MAILBOX_OBJECTID_MAX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int mailbox_get_mailbox_id(struct mailbox *box, const char **id_r)
{
	char guid[MAILBOX_GUID_HEX_LEN + 1];
	const char *dir;

	if (box->mailbox_id != NULL) {
		/* read once per open: EMAILID asks for it per message */
		*id_r = box->mailbox_id;
		return 0;
	}
	dir = box->v->get_id_dir == NULL ? NULL : box->v->get_id_dir(box);
	if (dir == NULL) {
		mailbox_set_error(box, MAIL_ERROR_PARAMS,
				  "Mailbox has no MAILBOXID");
		return -1;
	}
	/* RFC 8474 4.1: created once, never changes (a read-only EXAMINE
	   still gives the mailbox its id) */
	if (mailbox_guid_get(dir, true, guid) < 0) {
		mailbox_set_internal_error(box);
		return -1;
	}
	box->mailbox_id = p_strconcat(box->pool, "F", guid, NULL);
	*id_r = box->mailbox_id;
	return 0;
}

/* The Maildir keeping mailbox name's id file, as
   maildir_objectid_get_id_dir() gives it once open; NULL for a name that
   can't be a mailbox (tmp). */
static const char *maildir_id_dir_by_name(struct mail_user *user,
					  const char *name)
{
	const struct mail_storage_location *loc = &user->location;
	const char *dir = maildir_name_to_dir(loc, name);

	if (dir == NULL)
		return NULL;
	if (*dir == '\0')	/* INBOX, as maildir-storage.c opens it */
		return loc->inbox_path != NULL ? loc->inbox_path : loc->root;
	return tmp_strconcat(loc->root, "/", dir, NULL);
}

/* Other backends (mbox: where its id lives depends on its index
   settings): open the mailbox read-only and ask it. */
static int mailbox_id_by_open(struct mail_user *user, const char *name,
			      const char **id_r)
{
	enum mail_storage_error error;
	const char *error_str, *id;
	struct mailbox *box;
	int ret = 1;

	if (mailbox_open(user, name, MAILBOX_FLAG_READONLY, &box,
			 &error, &error_str) < 0)
		return error == MAIL_ERROR_NOTFOUND ? 0 : -1;
	if (mailbox_get_mailbox_id(box, &id) < 0) {
		/* MAIL_ERROR_PARAMS: no place for one */
		ret = mailbox_get_last_error(box, &error_str) ==
			MAIL_ERROR_PARAMS ? 0 : -1;
	} else {
		*id_r = tmp_strdup(id);
	}
	mailbox_close(&box);
	return ret;
}

int mail_user_get_mailbox_id(struct mail_user *user, const char *name,
			     const char **id_r)
{
	char guid[MAILBOX_GUID_HEX_LEN + 1];
	const char *dir;

	if (user->driver != &maildir_storage_driver)
		return mailbox_id_by_open(user, name, id_r);
	if ((dir = maildir_id_dir_by_name(user, name)) == NULL)
		return 0;
	if (mailbox_guid_get(dir, true, guid) < 0)
		return -1;
	*id_r = tmp_strconcat("F", guid, NULL);
	return 1;
}

int mail_get_email_id(struct mailbox *box, uint32_t seq, const char **id_r)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[MAIL_EMAILID_HEX_LEN + 1];
	struct mailbox_msg *msg = mailbox_msg_lookup(box, seq);
	const char *key = NULL, *box_id;

	if (msg == NULL) {
		mailbox_set_error(box, MAIL_ERROR_EXPUNGED,
				  "Message was expunged");
		return -1;
	}
	if (box->v->get_email_key != NULL &&
	    box->v->get_email_key(box, msg, &key) < 0)
		return -1;
	if (key == NULL) {
		/* a new id for every (mailbox, UID): RFC 8474 5.1 allows a
		   copy to get a new one */
		if (mailbox_get_mailbox_id(box, &box_id) < 0)
			return -1;
		key = tmp_printf("%s/%u/%u", box_id, box->uidvalidity,
				 msg->uid);
	}
	/* libsodium's SHA-256 needs no sodium_init() and cannot fail */
	(void)crypto_hash_sha256(digest, (const unsigned char *)key,
				 strlen(key));
	binary_to_hex(hex, digest, MAIL_EMAILID_HEX_LEN / 2);
	*id_r = tmp_printf("M%s", hex);
	return 0;
}

bool mailbox_has_save_dates(struct mailbox *box)
{
	return box->v->get_save_date != NULL;
}

int mail_get_save_date(struct mailbox *box, uint32_t seq, time_t *date_r)
{
	struct mailbox_msg *msg = mailbox_msg_lookup(box, seq);

	*date_r = (time_t)-1;
	if (msg == NULL) {
		mailbox_set_error(box, MAIL_ERROR_EXPUNGED,
				  "Message was expunged");
		return -1;
	}
	if (box->v->get_save_date == NULL)
		return 0;
	return box->v->get_save_date(box, msg, date_r);
}
