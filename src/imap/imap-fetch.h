/* Copyright (c) dovecot-like authors. imap-fetch.h: FETCH response building
   (RFC 3501 6.4.5, 7.4.2): parsing fetch-att, and producing the untagged
   FETCH lines with message data streamed as literals in bounded chunks. */
#ifndef IMAP_FETCH_H
#define IMAP_FETCH_H

#include "imap-client.h"

enum imap_fetch_field {
	IMAP_FETCH_FIELD_FLAGS = 0x01,
	IMAP_FETCH_FIELD_UID = 0x02,
	IMAP_FETCH_FIELD_RFC822_SIZE = 0x04,
	IMAP_FETCH_FIELD_INTERNALDATE = 0x08,
	IMAP_FETCH_FIELD_ENVELOPE = 0x10,
	IMAP_FETCH_FIELD_BODY = 0x20,		/* non-extensible BODYSTRUCTURE */
	IMAP_FETCH_FIELD_BODYSTRUCTURE = 0x40,
	IMAP_FETCH_FIELD_MODSEQ = 0x80,		/* RFC 7162 3.1.4.1 */
	IMAP_FETCH_FIELD_SAVEDATE = 0x100,	/* RFC 8514 4 */
	IMAP_FETCH_FIELD_EMAILID = 0x200,	/* RFC 8474 5.1 */
	IMAP_FETCH_FIELD_THREADID = 0x400,	/* RFC 8474 5.2 */
};

enum imap_fetch_section {
	IMAP_FETCH_SECTION_ALL,		/* BODY[], RFC822 */
	IMAP_FETCH_SECTION_HEADER,	/* BODY[HEADER], RFC822.HEADER */
	IMAP_FETCH_SECTION_TEXT,	/* BODY[TEXT], RFC822.TEXT */
	IMAP_FETCH_SECTION_HEADER_FIELDS,
	IMAP_FETCH_SECTION_HEADER_FIELDS_NOT,
};

struct imap_msgpart;
struct message_part;

struct imap_fetch_body {
	const char *reply_name;	/* "BODY[]", "RFC822", "BODY[]<5>" */
	enum imap_fetch_section section;	/* for the statistics */
	struct imap_msgpart *msgpart;	/* what to send (lib-imap) */
	const char *const *fields;	/* HEADER.FIELDS[.NOT], NULL-terminated */
	bool peek;		/* doesn't set \Seen */
	bool partial;
	uoff_t partial_start, partial_size;
	/* RFC 3516: BINARY[] decodes the section's Content-Transfer-
	   Encoding; BINARY.SIZE[] sends only the decoded size */
	bool binary, binary_size;
};

/* One body item being sent. */
struct imap_fetch_body_state {
	struct istream *input;	/* stream source, or NULL */
	const unsigned char *data;	/* memory source (header subsets) */
	uoff_t size;		/* the literal's size */
	uoff_t left;		/* not yet sent */
	bool literal8;		/* RFC 3516 4.1: send as ~{n} */
	/* a normal literal carries no NULs (RFC 3501 4.3): like Dovecot,
	   they go out as 0x80 (RFC 3516 4.4 allows APPENDing them) */
	bool replace_nuls;
	bool unknown_cte;	/* BINARY of an unknown encoding: no data */
};

struct imap_fetch;

/* Parses the fetch-att arguments (a macro, one item or a list). Returns the
   context, or NULL with a client-safe *error_r for the BAD reply. */
struct imap_fetch *imap_fetch_init(struct client_command *cmd,
				   const struct imap_arg *args,
				   const struct seq_range_array *seqs,
				   const char **error_r);
/* Sends more FETCH lines; returns true when done, false when it waits for
   the client to read. */
bool imap_fetch_more(struct imap_fetch *fetch);
/* After the last imap_fetch_more(): commits the implicit \Seen changes
   once for the command and, with CONDSTORE, sends each such message's
   FLAGS with its new MODSEQ. 0, or -1 (logged with the mailbox). */
int imap_fetch_commit_seen(struct imap_fetch *fetch);
/* Returns 0 if all went fine, 1 if some messages were expunged meanwhile,
   2 if a BINARY item met an unknown Content-Transfer-Encoding (the reply
   is "NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding.", RFC 3516
   4.3), -1 on an internal error (logged). Frees the context. */
int imap_fetch_deinit(struct imap_fetch **fetch);

/* imap-fetch-body.c: prepare body for message seq: computes the literal
   size and positions the source. Returns 0, or -1 (storage error in box).
   Memory it needs is taken from pool. *parts is the message's MIME tree
   (of its CRLF form, in pool): NULL until a section with a part number
   needs it, then kept there for the message's further sections.
   BINARY (body->binary) decodes the section in memory from pool (bounded
   by the message size); an unknown encoding sets state_r->unknown_cte. */
int imap_fetch_body_open(struct mailbox *box, uint32_t seq,
			 const struct imap_fetch_body *body, struct pool *pool,
			 struct message_part **parts,
			 struct imap_fetch_body_state *state_r);
/* Writes more of the literal. 1 = all sent, 0 = output is full, -1 = the
   message was shorter than announced (caller must disconnect). */
int imap_fetch_body_send(struct client *client,
			 struct imap_fetch_body_state *state);
void imap_fetch_body_close(struct imap_fetch_body_state *state);

/* UID FETCH ... (CHANGEDSINCE n VANISHED): true with n in
   *changedsince_r. */
bool imap_fetch_get_vanished(const struct imap_fetch *fetch,
			     uint64_t *changedsince_r);

#endif
