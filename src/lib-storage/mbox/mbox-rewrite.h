/* Copyright (c) dovecot-like authors. mbox-rewrite.h: crash-safe changes to
   an mbox file. A change is a list of writes (offset + bytes that are new or
   copied from the old file) and a final size. All of it is first written to
   a journal file and fsynced; only then is the mbox modified in place and
   truncated. If we die half way, mbox_rewrite_recover() replays the journal,
   so every message survives any crash point. */
#ifndef MBOX_REWRITE_H
#define MBOX_REWRITE_H

struct mbox_rewrite;

/* fd: the mbox, write-locked by the caller for the whole rewrite. */
struct mbox_rewrite *mbox_rewrite_begin(struct pool *pool, int fd,
					const char *journal_path);
/* Starts a write at offset of the mbox (offsets increasing, writes not
   overlapping). */
void mbox_rewrite_seek(struct mbox_rewrite *rw, uoff_t offset);
/* Appends new bytes (copied) or a range of the current mbox to the write. */
void mbox_rewrite_add_data(struct mbox_rewrite *rw, const void *data,
			   size_t len);
void mbox_rewrite_add_old(struct mbox_rewrite *rw, uoff_t offset, uoff_t len);
/* true if nothing was added (no write started). */
bool mbox_rewrite_is_empty(const struct mbox_rewrite *rw);
/* Writes the journal, applies it, truncates the mbox to final_size, fsyncs
   and removes the journal. 0, or -1 with *error_r (the mbox is unchanged or
   the journal stays for recovery). Blocking file I/O. */
int mbox_rewrite_commit(struct mbox_rewrite *rw, uoff_t final_size,
			const char **error_r);

/* If journal_path holds a complete journal for this fd's file, applies it.
   An incomplete one (crash while writing it) is removed: the mbox wasn't
   touched yet. 1 replayed, 0 nothing to do, -1 error. Write lock needed. */
int mbox_rewrite_recover(int fd, const char *journal_path,
			 const char **error_r);

/* Appending (mbox-save.c): writes and fsyncs (with its directory) a journal
   without writes whose final size is fd's current size, so that
   mbox_rewrite_recover() truncates away a half-done append. 0, or -1 with
   *error_r and errno (no journal left behind). Write lock needed. */
int mbox_rewrite_append_begin(int fd, const char *journal_path,
			      const char **error_r);
/* The appended data is fsynced: removes the journal durably (fsyncs the
   directory, so a power loss can't bring it back to truncate committed
   mail). 0, or -1 with *error_r. */
int mbox_rewrite_append_end(const char *journal_path, const char **error_r);

#endif
