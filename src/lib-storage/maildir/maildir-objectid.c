/* Copyright (c) dovecot-like authors. maildir-objectid.c: the Maildir
   backend's RFC 8474 / RFC 8514 vfuncs. The save date comes from the
   file's base name, whose first field is the time the file was created
   by the saving (APPEND, COPY, MOVE all give a new name) or delivering
   process: unlike the ctime it survives flag changes (renames) and needs
   no index, so an index rebuild keeps it. A name without a time falls
   back to the file's ctime, as Dovecot does for files it has no save
   date for. */
#include "lib.h"
#include "maildir-storage.h"
#include "maildir-filename.h"
#include "mailbox-objectid.h"

#include <sys/stat.h>

/* base names with a time before this are not ours (2000-01-01) */
#define MAILDIR_SAVE_DATE_MIN 946684800

const char *maildir_objectid_get_id_dir(struct mailbox *box)
{
	/* the Maildir itself: RENAME moves it, INBOX is the root */
	return ((struct maildir_mailbox *)box)->path;
}

/* The creation time at the start of a base name, false if none. */
static bool maildir_fname_get_time(const char *fname, size_t len,
				   time_t *time_r)
{
	unsigned long long t = 0;
	size_t i;

	for (i = 0; i < len && fname[i] >= '0' && fname[i] <= '9'; i++) {
		if (i >= 12)
			return false;
		t = t * 10 + (unsigned long long)(fname[i] - '0');
	}
	if (i == 0 || i == len || fname[i] != '.' ||
	    t < MAILDIR_SAVE_DATE_MIN)
		return false;
	*time_r = (time_t)t;
	return true;
}

/* 1 and the file's ctime, -1 on error (maildir_msg_stat()) */
static int maildir_objectid_get_ctime(struct maildir_mailbox *mbox,
				      struct maildir_msg *msg, time_t *date_r)
{
	struct stat st;

	if (maildir_msg_stat(mbox, msg, &st) < 0)
		return -1;
	*date_r = st.st_ctime;
	return 1;
}

int maildir_objectid_get_save_date(struct mailbox *box,
				   struct mailbox_msg *msg, time_t *date_r)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	struct maildir_msg *mmsg = (struct maildir_msg *)msg;
	const char *fname = maildir_msg_get_fname(mbox, mmsg, msg->flags);

	if (fname == NULL) {
		maildir_set_expunged(mbox);
		return -1;
	}
	if (maildir_fname_get_time(fname, maildir_filename_base_len(fname),
				   date_r))
		return 1;
	return maildir_objectid_get_ctime(mbox, mmsg, date_r);
}

int maildir_objectid_get_email_key(struct mailbox *box,
				   struct mailbox_msg *msg, const char **key_r)
{
	struct maildir_mailbox *mbox = (struct maildir_mailbox *)box;
	const char *fname = maildir_msg_get_fname(mbox,
		(struct maildir_msg *)msg, msg->flags);

	if (fname == NULL) {
		maildir_set_expunged(mbox);
		return -1;
	}
	/* the base name names the content for the file's whole life (the
	   uidlist keeps it across renames); a copy gets a new one */
	*key_r = tmp_printf("maildir/%.*s",
			    (int)maildir_filename_base_len(fname), fname);
	return 0;
}
