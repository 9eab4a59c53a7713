/* Copyright (c) dovecot-like authors. mail-sort.h: ordering messages by a
   SORT program (RFC 5256 section 3, DISPLAYFROM/DISPLAYTO of RFC 5957).
   Strings compare with i;unicode-casemap; messages equal under every key
   stay in mailbox (sequence) order. */
#ifndef MAIL_SORT_H
#define MAIL_SORT_H

#include "array.h"

struct mailbox;

enum mail_sort_type {
	MAIL_SORT_ARRIVAL = 0,	/* INTERNALDATE */
	MAIL_SORT_CC,		/* addr-mailbox of the first Cc address */
	MAIL_SORT_DATE,		/* Date: in UTC, else INTERNALDATE */
	MAIL_SORT_FROM,
	MAIL_SORT_SIZE,		/* RFC822.SIZE */
	MAIL_SORT_SUBJECT,	/* RFC 5256 base subject */
	MAIL_SORT_TO,
	MAIL_SORT_DISPLAYFROM,	/* display name, else addr-spec */
	MAIL_SORT_DISPLAYTO,
};

/* One key per type at most (a repeated key can't change the order). */
#define MAIL_SORT_MAX_KEYS (MAIL_SORT_DISPLAYTO + 1)

struct mail_sort_key {
	enum mail_sort_type type;
	bool reverse;
};

/* "ARRIVAL" etc. (any case) -> type; false if unknown. */
bool mail_sort_type_parse(const char *name, enum mail_sort_type *type_r);

/* Sorts seqs (message sequence numbers of box, e.g. a search result) by
   the count keys (each type once) in place. 0, or -1 with the mailbox error set (a
   message that vanished while being read is not an error: it sorts with
   empty keys). */
int mail_sort(struct mailbox *box, const struct mail_sort_key *keys,
	      unsigned int count, ARRAY_TYPE(uint32) *seqs);

#endif
