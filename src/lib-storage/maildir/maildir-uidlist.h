/* Copyright (c) dovecot-like authors. maildir-uidlist.h: dovecot-uidlist, the
   file that maps Maildir file names to IMAP UIDs (maildir-format.md section
   4): read (versions 3 and 1), appended to and recreated exactly like
   Dovecot, under the dovecot-uidlist.lock dotlock. */
#ifndef MAILDIR_UIDLIST_H
#define MAILDIR_UIDLIST_H

#include "array.h"

#include <sys/stat.h>

#define MAILDIR_UIDLIST_NAME "dovecot-uidlist"
#define MAILDIR_UIDLIST_GUID_HEX_LEN 32
/* Reference section 4.3: a lock untouched this long is stale. */
#define MAILDIR_UIDLIST_LOCK_STALE_SECS 120
/* How long a sync waits for another process's lock. */
#define MAILDIR_UIDLIST_LOCK_TIMEOUT_SECS 120

struct maildir_uidlist_rec {
	uint32_t uid;
	const char *fname;	/* identity: file name up to the first ':' */
	/* "<KEY><value>" items, NULL-terminated; NULL if none */
	const char **exts;
	bool seen;		/* sync: the file exists */
};

struct maildir_uidlist_name {
	const char *fname;
	size_t fname_len;
	uint32_t uid;
};

struct maildir_uidlist {
	struct pool *pool;	/* paths; lives as long as the uidlist */
	struct pool *rec_pool;	/* records; replaced at every reread */
	const char *path, *lock_path, *tmp_path;

	unsigned int version;	/* of the file read; 0 = none */
	uint32_t uid_validity;
	uint32_t hdr_next_uid;	/* N in the header */
	char guid[MAILDIR_UIDLIST_GUID_HEX_LEN + 1];	/* "" = unknown */
	const char **hdr_exts;	/* unknown header items, kept verbatim */
	ARRAY(struct maildir_uidlist_rec) recs;	/* ascending uids */
	unsigned int first_new_idx;	/* recs added since the last write */
	unsigned int broken_lines;	/* skipped while parsing */
	bool need_recreate;	/* exts changed, header to change, ... */
	ARRAY(struct maildir_uidlist_name) names;	/* sorted by fname */
	bool names_valid;

	/* identity of the file as last read or written */
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;

	bool locked;
	ino_t lock_ino;
};

/* dir is where dovecot-uidlist lives (the mailbox or its CONTROL dir). */
struct maildir_uidlist *maildir_uidlist_init(const char *dir);
/* Removes our lock if still held. */
void maildir_uidlist_deinit(struct maildir_uidlist **uidlist);

/* Replaces the in-memory list with the file content data[0..len). Returns 0;
   -1 with *error_r if the header is unusable (the caller treats the file as
   missing, like Dovecot). Broken record lines are skipped with a warning and
   counted in broken_lines; a duplicate file name keeps the later line. */
int maildir_uidlist_parse(struct maildir_uidlist *uidlist,
			  const unsigned char *data, size_t len,
			  const char **error_r);
/* Rereads the file if it changed since we last read or wrote it. A missing or
   corrupt file leaves an empty list with a fresh UIDVALIDITY (now) and GUID,
   to be written by the next commit. Returns 1 if reread, 0 if unchanged, -1
   on I/O error (logged). Needs no lock. */
int maildir_uidlist_refresh(struct maildir_uidlist *uidlist);

/* max(N, last uid + 1); at least 1. */
uint32_t maildir_uidlist_get_next_uid(const struct maildir_uidlist *uidlist);
struct maildir_uidlist_rec *
maildir_uidlist_lookup(struct maildir_uidlist *uidlist, uint32_t uid);
/* Returns the uid of the record for this identity (base name), 0 if none.
   Valid until the list changes. */
uint32_t maildir_uidlist_lookup_fname(struct maildir_uidlist *uidlist,
				      const char *fname, size_t fname_len);
/* Value of the record's KEY item; NULL if not present. */
const char *maildir_uidlist_rec_get_ext(const struct maildir_uidlist_rec *rec,
					char key);
/* 32 random lowercase hex digits. */
void maildir_uidlist_new_guid(char guid_r[MAILDIR_UIDLIST_GUID_HEX_LEN + 1]);
/* Sets/replaces an item in memory; written by the next recreate. */
void maildir_uidlist_rec_set_ext(struct maildir_uidlist *uidlist,
				 struct maildir_uidlist_rec *rec, char key,
				 const char *value);
/* Appends a record with the next uid for fname (identity). Returns the uid.
   Call with the lock held. */
uint32_t maildir_uidlist_add(struct maildir_uidlist *uidlist, const char *fname,
			     size_t fname_len);
/* Drops records whose seen is false (expunged files). */
void maildir_uidlist_drop_unseen(struct maildir_uidlist *uidlist);
/* Number of records with seen == false. */
unsigned int maildir_uidlist_count_unseen(const struct maildir_uidlist *uidlist);
/* Reference 4.3: drops the records of expunged files (seen == false, as the
   sync marked them) once they are at least 25% of the list; the next commit
   then recreates the file. Call with the lock held. */
void maildir_uidlist_drop_expunged(struct maildir_uidlist *uidlist);

/* After a failed commit: drops the records added since the last write
   and makes the next refresh reread the file. */
void maildir_uidlist_forget_new(struct maildir_uidlist *uidlist);
/* Writes what changed: appends the new records, or recreates the file (temp
   file, fsync, rename) when it is missing, not version 3, broken, or
   need_recreate is set. Requires the lock. 0 or -1 (logged). */
int maildir_uidlist_commit(struct maildir_uidlist *uidlist);
/* The file content a recreate writes, for tests. In pool. */
const char *maildir_uidlist_get_content(struct maildir_uidlist *uidlist,
					struct pool *pool);

/* Takes dovecot-uidlist.lock, waiting for another holder up to timeout_secs
   (0 = one attempt) and breaking stale locks. 1 locked, 0 timeout (logged
   unless timeout_secs is 0), -1 error (logged). Blocks. */
int maildir_uidlist_lock(struct maildir_uidlist *uidlist,
			 unsigned int timeout_secs);
void maildir_uidlist_unlock(struct maildir_uidlist *uidlist);

#endif
