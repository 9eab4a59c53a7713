/* Copyright (c) dovecot-like authors. mail-index-modseq.h: modseq history
   kept in the transaction log (RFC 7162 QRESYNC). Per-message modseqs and
   HIGHESTMODSEQ are in the index itself (record modseq, header
   highest_modseq). */
#ifndef MAIL_INDEX_MODSEQ_H
#define MAIL_INDEX_MODSEQ_H

#include "mail-index.h"

/* Append to uid_ranges (pairs uid1, uid2; may overlap, unsorted) the UIDs
   expunged with a modseq > since_modseq, from .log.2 and .log. Returns 1 if
   the log history reached back far enough to be complete, 0 if older
   history is gone (the caller falls back to reporting every missing UID,
   reference section 5), -1 on error. Reads files; may block on I/O. */
int mail_index_modseq_get_expunges(struct mail_index *index,
				   uint64_t since_modseq,
				   ARRAY_TYPE(uint32) *uid_ranges);

#endif
