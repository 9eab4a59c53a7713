/* Copyright (c) dovecot-like authors. maildir-storage.h: the maildir backend's
   mailbox and message records, shared by its open, sync and mail modules. */
#ifndef MAILDIR_STORAGE_H
#define MAILDIR_STORAGE_H

#include "mail-storage-private.h"
#include "maildir-uidlist.h"

#include <time.h>

struct maildir_msg {
	struct mailbox_msg m;	/* must be first */
	const char *fname;	/* current name in new/ or cur/, view pool */
	bool in_new;
	bool vsize_set;
	bool vsize_write_pending;	/* to go into the uidlist as W */
	uoff_t vsize;
};

struct maildir_mailbox {
	struct mailbox box;	/* must be first */
	const char *path;	/* the Maildir: cur/ new/ tmp/ below */
	const char *control_path;	/* where dovecot-uidlist lives */
	struct maildir_uidlist *uidlist;

	/* directory mtimes at the last full scan, to skip unchanged ones */
	struct timespec new_mtime, cur_mtime;
	bool scanned;
	bool scan_dirty;	/* mtime too recent to trust: rescan */
	unsigned int vsize_pending;
};

/* maildir-sync.c: the backend sync (vfunc), and writing pending W sizes
   without waiting for the lock (at close). */
int maildir_sync(struct mailbox *box);
void maildir_sync_write_pending(struct maildir_mailbox *mbox);

/* maildir-tmp-clean.c: deletes regular files in path/tmp untouched for
   36 hours; returns how many. Errors are logged, never fatal. */
unsigned int maildir_tmp_cleanup(const char *path);
/* The same as if the clock said now (tests). */
unsigned int maildir_tmp_cleanup_at(const char *path, time_t now);

/* maildir-mail.c */
extern const struct mailbox_vfuncs maildir_mailbox_vfuncs;
/* "<path>/cur/<fname>" or new/. In tmp pool. */
const char *maildir_msg_get_path(struct maildir_mailbox *mbox,
				 const struct maildir_msg *msg);

#endif
