/* Copyright (c) dovecot-like authors. mail-thread.h: the THREAD
   algorithms of RFC 5256 section 3 over a set of messages:
   ORDEREDSUBJECT (groups of equal base subject) and REFERENCES (parent
   links from Message-ID / References / In-Reply-To, dummies pruned,
   roots grouped by base subject, siblings in sent-date order). */
#ifndef MAIL_THREAD_H
#define MAIL_THREAD_H

#include "array.h"

struct mailbox;
struct pool;

enum mail_thread_type {
	MAIL_THREAD_ORDEREDSUBJECT = 0,
	MAIL_THREAD_REFERENCES,
};

struct mail_thread_node {
	uint32_t seq;			/* 0 = a dummy (no message) */
	struct mail_thread_node *first_child, *next;
};

/* "REFERENCES" / "ORDEREDSUBJECT" (any case) -> type; false if unknown. */
bool mail_thread_type_parse(const char *name, enum mail_thread_type *type_r);

/* The threads of the messages seqs of box (e.g. a search result), their
   roots as a list in *roots_r (NULL if seqs is empty), allocated from
   pool. 0, or -1 with the mailbox error set (a message expunged meanwhile
   is threaded with empty headers). */
int mail_thread(struct mailbox *box, enum mail_thread_type type,
		const ARRAY_TYPE(uint32) *seqs, struct pool *pool,
		struct mail_thread_node **roots_r);

#endif
