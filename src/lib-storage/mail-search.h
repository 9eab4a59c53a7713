/* Copyright (c) dovecot-like authors. mail-search.h: a SEARCH program (RFC
   3501 6.4.4) as a tree of keys, and the matcher that runs it over the
   messages of a mailbox. Built from IMAP args by mail-search-build.h. */
#ifndef MAIL_SEARCH_H
#define MAIL_SEARCH_H

#include "mail-storage.h"
#include "imap-seqset.h"

enum mail_search_arg_type {
	SEARCH_ALL,
	SEARCH_SUB,		/* AND of value.subargs */
	SEARCH_OR,		/* OR of value.subargs */
	SEARCH_FLAGS,		/* all of value.flags set (MAIL_RECENT too) */
	SEARCH_KEYWORD,		/* value.str set (unknown name: never) */
	SEARCH_SEQSET,		/* seqset_str, resolved by mail_search_run */
	SEARCH_UIDSET,
	SEARCH_BEFORE, SEARCH_ON, SEARCH_SINCE,	/* INTERNALDATE's day */
	SEARCH_SENTBEFORE, SEARCH_SENTON, SEARCH_SENTSINCE,	/* Date: */
	SEARCH_SMALLER, SEARCH_LARGER,	/* RFC822.SIZE */
	SEARCH_HEADER,		/* hdr_field contains value.str */
	SEARCH_BODY,		/* body contains value.str */
	SEARCH_TEXT,		/* header or body contains value.str */
	SEARCH_MODSEQ,		/* RFC 7162 3.1.5: modseq >= value.size */
	/* RFC 5032 WITHIN: INTERNALDATE <= value.date (OLDER) or
	   >= value.date (YOUNGER); value.date is "now - interval" */
	SEARCH_OLDER, SEARCH_YOUNGER,
	/* RFC 8514: the save date's day (no save date: never) and
	   SAVEDATESUPPORTED (all when the mailbox keeps save dates) */
	SEARCH_SAVEDBEFORE, SEARCH_SAVEDON, SEARCH_SAVEDSINCE,
	SEARCH_SAVEDATESUPPORTED,
	/* RFC 8474 6: EMAILID / THREADID value.str (THREADID: never, we
	   give no message a THREADID) */
	SEARCH_EMAILID, SEARCH_THREADID,
};

struct mail_search_arg {
	struct mail_search_arg *next;	/* sibling in an AND list */
	enum mail_search_arg_type type;
	bool negate;			/* NOT */
	union {
		struct mail_search_arg *subargs;
		enum mail_flags flags;
		const char *str;	/* UTF-8 */
		time_t date;		/* midnight UTC of the day */
		uoff_t size;
	} value;
	const char *hdr_field;		/* SEARCH_HEADER */
	const char *seqset_str;		/* SEARCH_SEQSET / SEARCH_UIDSET */
	/* matcher state: resolved seqset ranges (per search), matched
	   (content keys, per message) */
	struct seq_range_array ranges;
	bool matched;
	/* SEARCH_KEYWORD resolved once per search (unknown name: never) */
	bool keyword_known;
	unsigned int keyword_idx;
	/* SEARCH_BEFORE/ON/SINCE resolved once per search: the key day in
	   the server's local zone as [day_start, day_end) */
	time_t day_start, day_end;
};

/* Runs the program over every message of box. The matching seqs (or uids
   when uids is true) are appended to result_r in ascending order. 0, or -1
   with the storage error set on box (a message vanishing is not an error:
   it just doesn't match). */
int mail_search_run(struct mailbox *box, struct mail_search_arg *args,
		    bool uids, ARRAY_TYPE(uint32) *result_r);
/* mail_search_run() over only the messages seqs[0..count) (ascending;
   seqs beyond the mailbox are skipped): the matching ones, in order. */
int mail_search_run_seqs(struct mailbox *box, struct mail_search_arg *args,
			 const uint32_t *seqs, unsigned int count, bool uids,
			 ARRAY_TYPE(uint32) *result_r);

#endif
