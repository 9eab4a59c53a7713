/* Copyright (c) dovecot-like authors. maildir-cache.c: the Maildir
   backend's use of the index's cache file ("dovecot-like.index.cache") for
   the FETCH items that need a message parse (mail-fetch-cache.h). Opened
   at the first lookup, so a session that never asks for them pays
   nothing. Which fields are kept is the cache's decision from how clients
   fetch them; additions are written at the next sync, at close, or when
   MAILDIR_CACHE_FLUSH_SIZE bytes of them are waiting. */
#include "lib.h"
#include "strfuncs.h"
#include "maildir-storage.h"
#include "mail-cache.h"

#include <string.h>
#include <strings.h>

/* Buffered additions written in the middle of a FETCH past this size. */
#define MAILDIR_CACHE_FLUSH_SIZE (1024 * 1024)
/* Header fields (hdr.<name>) one session registers at most: clients
   choose the names, the file holds MAIL_CACHE_MAX_FIELDS in all. */
#define MAILDIR_CACHE_MAX_HDR_FIELDS 64

/* TRUE if the settings list (names separated by spaces or commas) has
   name. */
static bool cache_list_has(const char *list, const char *name)
{
	const char *const *names = tmp_strsplit_spaces(list, " ,");

	for (; *names != NULL; names++) {
		if (strcasecmp(*names, name) == 0)
			return true;
	}
	return false;
}

/* A field's decision in a new cache file, from mail_never_cache_fields,
   mail_always_cache_fields and mail_cache_fields (in that order of
   precedence, as Dovecot); a field already in the file keeps the file's
   decision unless it is FORCED here. */
static enum mail_cache_decision_type
cache_initial_decision(const struct mail_user *user, const char *name)
{
	if (cache_list_has(user->never_cache_fields, name))
		return MAIL_CACHE_DECISION_NO | MAIL_CACHE_DECISION_FORCED;
	if (cache_list_has(user->always_cache_fields, name))
		return MAIL_CACHE_DECISION_YES | MAIL_CACHE_DECISION_FORCED;
	if (cache_list_has(user->cache_fields, name))
		return MAIL_CACHE_DECISION_TEMP;
	return MAIL_CACHE_DECISION_NO;
}

/* Opens the cache; FALSE without an index or when the index doesn't
   belong to the current UIDVALIDITY. */
static bool maildir_cache_want(struct maildir_mailbox *mbox)
{
	if (mbox->index == NULL || mbox->box.uidvalidity == 0 ||
	    mail_index_get_header(mbox->index)->uid_validity !=
	    mbox->box.uidvalidity)
		return false;
	if (mbox->cache_view != NULL)
		return true;
	mbox->cache = mail_cache_open(mbox->index);
	mbox->cache_iview = mail_index_view_open(mbox->index);
	mbox->cache_view = mail_cache_view_open(mbox->cache, mbox->cache_iview);
	return true;
}

/* The cache's index of the field name, registered at its first use with
   the settings' decision (a field the file already has keeps the file's).
   hdr.* fields hold binary line lists; at most MAILDIR_CACHE_MAX_HDR_FIELDS
   of them are registered per session. -1 = not cacheable. */
static int maildir_cache_field(struct maildir_mailbox *mbox, const char *name)
{
	struct mail_cache_field field;
	bool hdr = strncmp(name, "hdr.", 4) == 0;
	int idx = mail_cache_field_lookup(mbox->cache, name);

	if (idx >= 0)
		return idx;
	if (hdr && mbox->cache_hdr_fields >= MAILDIR_CACHE_MAX_HDR_FIELDS)
		return -1;
	memset(&field, 0, sizeof(field));
	field.name = name;
	field.type = hdr ? MAIL_CACHE_FIELD_VARIABLE_SIZE :
		MAIL_CACHE_FIELD_STRING;
	field.decision = cache_initial_decision(mbox->box.user, name);
	if (mail_cache_register_fields(mbox->cache, &field, 1) < 0)
		return -1;	/* an invalid name, or the file is full */
	if (hdr)
		mbox->cache_hdr_fields++;
	return (int)field.idx;
}

int maildir_cache_lookup(struct mailbox *box, struct mailbox_msg *msg,
			 const char *field, struct buf *dest)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	struct maildir_index_info info;
	time_t saved_date = 0;
	int idx;

	if (!maildir_cache_want(mbox) ||
	    (idx = maildir_cache_field(mbox, field)) < 0)
		return 0;
	/* the delivery time stands in for the save date: it tells the
	   cache whether the mail is old (decision TEMP -> YES) */
	if (maildir_index_get_info(mbox, msg->uid, &info) &&
	    (info.have & MAILDIR_INDEX_INFO_RECEIVED) != 0)
		saved_date = (time_t)info.received;
	return mail_cache_lookup_field(mbox->cache_view, msg->uid,
				       (unsigned int)idx, saved_date, dest);
}

void maildir_cache_add(struct mailbox *box, struct mailbox_msg *msg,
		       const char *field, const void *data, size_t size)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	int idx;

	if (!maildir_cache_want(mbox) ||
	    (idx = maildir_cache_field(mbox, field)) < 0)
		return;
	mail_cache_add(mbox->cache_view, msg->uid, (unsigned int)idx,
		       data, size);
	if (mail_cache_view_pending_size(mbox->cache_view) >=
	    MAILDIR_CACHE_FLUSH_SIZE)
		maildir_cache_flush(mbox);
}

void maildir_cache_flush(struct maildir_mailbox *mbox)
{
	if (mbox->cache_view != NULL &&
	    mail_cache_view_flush(mbox->cache_view) < 0)
		log_error("%s: writing to the cache file failed "
			  "(the data is parsed again when fetched)",
			  mbox->index_dir);
}

void maildir_cache_close(struct maildir_mailbox *mbox)
{
	if (mbox->cache == NULL)
		return;
	if (mbox->cache_view != NULL)
		mail_cache_view_close(&mbox->cache_view);
	if (mbox->cache_iview != NULL)
		mail_index_view_close(&mbox->cache_iview);
	/* dead records of expunged mail and dropped fields go away here,
	   not in the middle of a command */
	if (mail_cache_need_purge(mbox->cache) &&
	    mail_cache_purge(mbox->cache) < 0)
		log_error("%s: purging the cache file failed", mbox->index_dir);
	mail_cache_free(&mbox->cache);
}
