/* Copyright (c) dovecot-like authors. imap-base-subject.h: the "base
   subject" of RFC 5256 2.1 that SORT (SUBJECT) and THREAD compare: the
   Subject value decoded to UTF-8, mapped with i;unicode-casemap, with
   reply/forward leaders ("Re:", "Fwd:", "[list] Re:"), "(fwd)" trailers
   and a "[Fwd: ...]" wrapper removed. */
#ifndef IMAP_BASE_SUBJECT_H
#define IMAP_BASE_SUBJECT_H

#include "str.h"

/* Appends the base subject of the raw Subject value (RFC 2047 encoded
   words allowed) to dest; scratch space comes from pool (a per-message
   pool when called for many messages). *is_reply_or_fwd_r (may be NULL)
   tells whether a leader, trailer or wrapper was removed
   (THREAD=ORDEREDSUBJECT). */
void imap_base_subject_append(struct pool *pool, struct str *dest,
			      const unsigned char *value, size_t size,
			      bool *is_reply_or_fwd_r);

#endif
