/* Copyright (c) dovecot-like authors. mail-storage.c: generic dispatch from
   the public storage API to the backend of the user's mail_location, with
   the sequence-number checks done once here. */
#include "lib.h"
#include "mail-storage-private.h"
#include "mail-namespace-auto.h"

void mailbox_set_error(struct mailbox *box, enum mail_storage_error error,
		       const char *str)
{
	box->error = error;
	box->error_str = p_strdup(box->pool, str);
}

void mailbox_set_internal_error(struct mailbox *box)
{
	mailbox_set_error(box, MAIL_ERROR_TEMP, "Internal error occurred");
}

void mailbox_set_errno_error(struct mailbox *box, int err)
{
	if (err == ENOSPC || err == EDQUOT)
		mailbox_set_error(box, MAIL_ERROR_NOQUOTA,
				  "Not enough disk space");
	else
		mailbox_set_internal_error(box);
}

void mailbox_set_syscall_error(struct mailbox *box, const char *func,
			       const char *path)
{
	int err = errno;

	log_error("%s(%s) failed: %m", func, path);
	mailbox_set_errno_error(box, err);
}

enum mail_storage_error mailbox_get_last_error(struct mailbox *box,
					       const char **str_r)
{
	if (str_r != NULL) {
		*str_r = box->error_str != NULL ? box->error_str :
			"Unknown error";
	}
	return box->error;
}

int mailbox_open(struct mail_user *user, const char *name,
		 enum mailbox_flags flags, struct mailbox **box_r,
		 enum mail_storage_error *error_r, const char **error_str_r)
{
	int ret;

	ret = user->driver->mailbox_open(user, name, flags, box_r,
					 error_r, error_str_r);
	/* auto = create/subscribe mailboxes come into being when first
	   opened (mail-namespace-auto.h) */
	if (ret < 0 && *error_r == MAIL_ERROR_NOTFOUND &&
	    (flags & (MAILBOX_FLAG_POP3_SESSION |
		      MAILBOX_FLAG_NO_AUTO_CREATE)) == 0 &&
	    mail_user_auto_create(user, name) > 0) {
		ret = user->driver->mailbox_open(user, name, flags, box_r,
						 error_r, error_str_r);
	}
	return ret;
}

const struct mail_storage_driver *mail_storage_driver_find(const char *name)
{
	static const struct mail_storage_driver *const drivers[] = {
		&maildir_storage_driver, &mbox_storage_driver,
	};
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(drivers); i++) {
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	}
	return NULL;
}

void mailbox_close(struct mailbox **_box)
{
	struct mailbox *box = *_box;
	struct mail_user *user;
	struct pool *pool;

	if (box == NULL)
		return;
	*_box = NULL;
	mailbox_notify_changes_stop(box);
	box->v->close(box);
	if (box->old_view_pool != NULL)
		pool_unref(&box->old_view_pool);
	if (box->view_pool != NULL)
		pool_unref(&box->view_pool);
	user = box->user;
	pool = box->pool;
	pool_unref(&pool);
	mail_user_unref(&user);
}

static struct mailbox_msg *mail_lookup(struct mailbox *box, uint32_t seq)
{
	struct mailbox_msg *msg = mailbox_msg_lookup(box, seq);

	if (msg == NULL) {
		mailbox_set_error(box, MAIL_ERROR_PARAMS,
				  "Invalid message sequence");
	}
	return msg;
}

enum mail_flags mail_get_flags(struct mailbox *box, uint32_t seq)
{
	struct mailbox_msg *msg = mailbox_msg_lookup(box, seq);

	return msg == NULL ? 0 : msg->flags;
}

int mail_get_virtual_size(struct mailbox *box, uint32_t seq, uoff_t *size_r)
{
	struct mailbox_msg *msg = mail_lookup(box, seq);

	return msg == NULL ? -1 : box->v->get_virtual_size(box, msg, size_r);
}

int mail_get_physical_size(struct mailbox *box, uint32_t seq, uoff_t *size_r)
{
	struct mailbox_msg *msg = mail_lookup(box, seq);

	return msg == NULL ? -1 : box->v->get_physical_size(box, msg, size_r);
}

int mail_get_received_date(struct mailbox *box, uint32_t seq, time_t *date_r)
{
	struct mailbox_msg *msg = mail_lookup(box, seq);

	return msg == NULL ? -1 : box->v->get_received_date(box, msg, date_r);
}

int mail_get_pop3_uidl(struct mailbox *box, uint32_t seq, const char *format,
		       const char **uidl_r)
{
	struct mailbox_msg *msg = mail_lookup(box, seq);

	return msg == NULL ? -1 :
		box->v->get_pop3_uidl(box, msg, format, uidl_r);
}

int mail_get_stream(struct mailbox *box, uint32_t seq,
		    struct istream **stream_r)
{
	struct mailbox_msg *msg = mail_lookup(box, seq);

	return msg == NULL ? -1 : box->v->get_stream(box, msg, stream_r);
}

const struct mail_keywords *mail_get_keywords(struct mailbox *box,
					      uint32_t seq)
{
	static const struct mail_keywords empty;
	struct mailbox_msg *msg = mailbox_msg_lookup(box, seq);

	return msg == NULL ? &empty : &msg->keywords;
}

/* The keyword set after applying the change. */
static void mail_keywords_modify(struct mail_keywords *kw,
				 enum modify_type type,
				 const struct mail_keywords *change)
{
	for (unsigned int i = 0; i < sizeof(kw->bits); i++) {
		switch (type) {
		case MODIFY_ADD:
			kw->bits[i] |= change->bits[i];
			break;
		case MODIFY_REMOVE:
			kw->bits[i] &= (uint8_t)~change->bits[i];
			break;
		case MODIFY_REPLACE:
		default:
			kw->bits[i] = change->bits[i];
			break;
		}
	}
}

/* The flags and keywords msg gets from this change (into msg; the old ones
   into *old_flags_r / *old_kw_r). true if anything changes. */
static bool mail_flags_apply(struct mailbox_msg *msg, enum modify_type type,
			     enum mail_flags flags,
			     const struct mail_keywords *keywords,
			     enum mail_flags *old_flags_r,
			     struct mail_keywords *old_kw_r)
{
	static const struct mail_keywords no_keywords;
	enum mail_flags old_flags = msg->flags, new_flags;

	flags &= MAIL_FLAGS_MASK;	/* \Recent can't be set */
	switch (type) {
	case MODIFY_ADD:
		new_flags = old_flags | flags;
		break;
	case MODIFY_REMOVE:
		new_flags = old_flags & ~flags;
		break;
	case MODIFY_REPLACE:
	default:
		new_flags = (old_flags & MAIL_RECENT) | flags;
		break;
	}
	*old_flags_r = old_flags;
	*old_kw_r = msg->keywords;
	mail_keywords_modify(&msg->keywords, type,
			     keywords == NULL ? &no_keywords : keywords);
	msg->flags = new_flags;
	return new_flags != old_flags ||
		memcmp(old_kw_r, &msg->keywords, sizeof(*old_kw_r)) != 0;
}

/* The message of seq if it may be changed, else NULL (error set). */
static struct mailbox_msg *mail_lookup_writable(struct mailbox *box,
						uint32_t seq)
{
	struct mailbox_msg *msg = mail_lookup(box, seq);

	if (msg == NULL)
		return NULL;
	if ((box->flags & MAILBOX_FLAG_READONLY) != 0) {
		mailbox_set_error(box, MAIL_ERROR_PERM,
				  "Mailbox is read-only");
		return NULL;
	}
	return msg;
}

int mail_update_flags(struct mailbox *box, uint32_t seq, enum modify_type type,
		      enum mail_flags flags,
		      const struct mail_keywords *keywords)
{
	struct mailbox_msg *msg = mail_lookup_writable(box, seq);
	enum mail_flags old_flags;
	struct mail_keywords old_keywords;

	if (msg == NULL)
		return -1;
	if (!mail_flags_apply(msg, type, flags, keywords, &old_flags,
			      &old_keywords))
		return 0;
	if (box->v->write_flags(box, msg, old_flags, &old_keywords) < 0) {
		msg->flags = old_flags;
		msg->keywords = old_keywords;
		return -1;
	}
	return 0;
}

int mailbox_store_lock(struct mailbox *box)
{
	return box->v->store_lock == NULL ? 0 : box->v->store_lock(box);
}

int mailbox_store_unlock(struct mailbox *box)
{
	return box->v->store_unlock == NULL ? mailbox_changes_commit(box) :
		box->v->store_unlock(box);
}

int mail_update_flags_unchanged(struct mailbox *box, uint32_t seq,
				enum modify_type type, enum mail_flags flags,
				const struct mail_keywords *keywords,
				uint64_t unchangedsince)
{
	struct mailbox_msg *msg;
	enum mail_flags old_flags;
	struct mail_keywords old_keywords;
	int ret;

	if (box->v->write_flags_unchanged == NULL) {
		/* no lock to take: as good as the view is */
		if (mail_get_modseq(box, seq) > unchangedsince)
			return 0;
		return mail_update_flags(box, seq, type, flags,
					 keywords) < 0 ? -1 : 1;
	}
	if ((msg = mail_lookup_writable(box, seq)) == NULL)
		return -1;
	(void)mail_flags_apply(msg, type, flags, keywords, &old_flags,
			       &old_keywords);
	ret = box->v->write_flags_unchanged(box, msg, old_flags, &old_keywords,
					    unchangedsince);
	if (ret <= 0) {
		msg->flags = old_flags;
		msg->keywords = old_keywords;
	}
	return ret;
}
