/* Copyright (c) dovecot-like authors. mbox-storage.h: the mbox backend's
   mailbox and message records, shared by its open, sync and mail modules. */
#ifndef MBOX_STORAGE_H
#define MBOX_STORAGE_H

#include "mail-storage-private.h"
#include "mbox-lock.h"
#include "mbox-parse.h"

#include <sys/stat.h>

struct mbox_msg {
	struct mailbox_msg m;	/* must be first */
	bool flags_pending;	/* m.flags not yet in the file */
	bool vsize_set;
	uoff_t vsize;
};

/* Per-record change for mbox_sync_write(). */
struct mbox_change {
	bool expunge;
	bool set_flags;
	bool mark_old;		/* write Status 'O': no longer \Recent */
	enum mail_flags flags;
};

struct mbox_mailbox {
	struct mailbox box;	/* must be first */
	const char *path;	/* the mbox file */
	const char *journal_path;
	int fd;			/* -1 = not open (file missing) */
	bool writable;
	struct mbox_lock lock;
	struct mbox_lock_settings lock_set;

	/* the last parse of the file, and the file it was made from */
	struct pool *parse_pool;
	struct mbox_parsed parsed;
	bool parsed_valid;
	struct stat parsed_st;
	uint32_t mem_uidvalidity;	/* used while X-IMAPbase is unwritten */
	/* view messages with flags_pending: written together at the next
	   sync, expunge or close, so that STORE 1:* or FETCH BODY[] rewrites
	   headers once, not per message (like Dovecot's mbox_lazy_writes) */
	unsigned int pending_count;
	/* UIDs expunged from the view but not yet from the file: done in
	   one rewrite at the same points */
	ARRAY_TYPE(uint32) expunge_pending;
};

/* mbox-storage.c */
/* The lock settings of a mailbox of the user (strings stay the user's). */
void mbox_lock_settings_from_user(const struct mail_user_mbox_settings *uset,
				  struct mbox_lock_settings *set_r);
/* Mailbox name -> file path; NULL if the name can't be a mailbox. */
const char *mbox_mailbox_path(const struct mail_storage_location *loc,
			      const char *name);

/* mbox-sync.c */
int mbox_sync(struct mailbox *box);
/* Locks (type), (re)opens and re-parses the file if it changed. 0 or -1
   (error set). Caller unlocks with mbox_unlock(&mbox->lock). */
int mbox_sync_lock_parse(struct mbox_mailbox *mbox, enum mbox_lock_type type);
/* The parsed record of uid, NULL if not in the file. */
struct mbox_rec *mbox_sync_find_rec(struct mbox_mailbox *mbox, uint32_t uid);
/* Applies changes (one per parsed record, may be NULL = only persist new
   UIDs) crash-safely and re-parses. Needs the write lock. 0 or -1. */
int mbox_sync_write(struct mbox_mailbox *mbox,
		    const struct mbox_change *changes);

void mbox_sync_close(struct mbox_mailbox *mbox);
/* Writes the pending flag changes and expunges. 0 or -1 (error set; they
   stay pending). */
int mbox_sync_flush(struct mbox_mailbox *mbox);

/* mbox-mail.c */
extern const struct mailbox_vfuncs mbox_mailbox_vfuncs;

#endif
