/* Copyright (c) dovecot-like authors. maildir-index-state.h: the small
   "dovecot-like.index.maildir" file beside the index: the new/ cur/ mtimes
   and the uidlist's identity at which the index last matched a full scan.
   While they are unchanged, a SELECT trusts the index without a readdir. */
#ifndef MAILDIR_INDEX_STATE_H
#define MAILDIR_INDEX_STATE_H

#include "maildir-storage.h"

#include <sys/stat.h>

#define MAILDIR_INDEX_PREFIX "dovecot-like.index"
#define MAILDIR_INDEX_STATE_SUFFIX ".maildir"
#define MAILDIR_INDEX_STATE_MAGIC 0x4d44495aU	/* "MDIZ" */
#define MAILDIR_INDEX_STATE_VERSION 1

/* dovecot-like.index.maildir: fixed size, host byte order, checksummed. */
struct maildir_index_state {
	uint32_t magic, version;
	uint32_t indexid, uid_validity;
	int64_t new_sec, new_nsec, cur_sec, cur_nsec;
	int64_t uidlist_sec, uidlist_nsec;
	uint64_t uidlist_size, uidlist_ino;
	uint32_t new_count;	/* files left in new/ */
	uint32_t checksum;	/* FNV-1a of the rest, this field 0 */
};

const char *maildir_index_state_path(struct maildir_mailbox *mbox);
void maildir_index_state_delete(struct maildir_mailbox *mbox);
/* true if the state file exists and is well-formed */
bool maildir_index_state_read(struct maildir_mailbox *mbox,
			      struct maildir_index_state *state_r);
void maildir_index_state_write(struct maildir_mailbox *mbox,
			       const struct maildir_index_state *state);
/* stat() of dovecot-uidlist; false if it can't be read */
bool maildir_index_stat_uidlist(struct maildir_mailbox *mbox,
				struct stat *st_r);
/* The state of now: the index identity, the uidlist's, new_count; the
   caller sets the directory mtimes it scanned at. */
void maildir_index_state_fill(struct maildir_mailbox *mbox,
			      const struct stat *uidlist_st,
			      uint32_t new_count,
			      struct maildir_index_state *state_r);
bool maildir_index_state_matches(const struct maildir_index_state *a,
				 const struct maildir_index_state *b);

#endif
