/* Copyright (c) dovecot-like authors. imap-search.h: what SEARCH and SORT
   (and later THREAD) share: building the search program with its CHARSET
   and running it, and the result line with RFC 7162's "(MODSEQ n)". */
#ifndef IMAP_SEARCH_H
#define IMAP_SEARCH_H

#include "imap-common.h"
#include "mail-search.h"

struct client_command;

/* Builds the program from args (charset NULL = US-ASCII/UTF-8) and runs it
   over the selected mailbox: the matching sequence numbers in *seqs_r
   (cmd's pool), *with_modseq_r set if it has a MODSEQ key (CONDSTORE is
   then enabled). false after sending the tagged error (BAD for a bad
   program or, after ENABLE UTF8=ACCEPT, a charset other than UTF-8
   (RFC 6855 3); NO [BADCHARSET], NO for a storage error). */
bool imap_search_run(struct client_command *cmd, const struct imap_arg *args,
		     const char *charset, ARRAY_TYPE(uint32) *seqs_r,
		     bool *with_modseq_r);

/* Sends "* <name> n n ...": nums are sequence numbers, written as UIDs for
   a UID command; with_modseq: " (MODSEQ m)" after a non-empty list, m the
   highest modseq of the messages. */
void imap_search_send_result(struct client_command *cmd, const char *name,
			     const ARRAY_TYPE(uint32) *nums,
			     bool with_modseq);

/* RETURN options (RFC 4731 3.1, RFC 5267 3, RFC 5182 2). */
enum imap_search_return_flags {
	IMAP_SEARCH_RETURN_ESEARCH = 0x01,	/* RETURN given: "* ESEARCH" */
	IMAP_SEARCH_RETURN_MIN = 0x02,
	IMAP_SEARCH_RETURN_MAX = 0x04,
	IMAP_SEARCH_RETURN_ALL = 0x08,
	IMAP_SEARCH_RETURN_COUNT = 0x10,
	IMAP_SEARCH_RETURN_SAVE = 0x20,
	/* RFC 5267 4.4: range in imap_search_return.partial_low/high */
	IMAP_SEARCH_RETURN_PARTIAL = 0x40,
	IMAP_SEARCH_RETURN_UPDATE = 0x80,	/* RFC 5267 4.3 */
	IMAP_SEARCH_RETURN_CONTEXT = 0x100,	/* RFC 5267 4.2: a hint */
};

/* A command's parsed RETURN: its options and PARTIAL's range. */
struct imap_search_return {
	enum imap_search_return_flags flags;
	uint32_t partial_low, partial_high;	/* with ..._PARTIAL */
};

/* If *argsp starts with "RETURN (options)", parses them into ret_r->flags
   (an empty list is ALL) and PARTIAL's range into ret_r->partial_low/high,
   and advances *argsp past them; otherwise ret_r->flags = 0 and *argsp is
   left alone. false after sending the BAD (Dovecot's texts: non-atoms,
   unknown options, PARTIAL's range). */
bool imap_search_parse_return(struct client_command *cmd,
			      const struct imap_arg **argsp,
			      struct imap_search_return *ret_r);

/* imap_search_run() where "$" is the client's saved result, and with
   IMAP_SEARCH_RETURN_SAVE in opts a storage failure empties the saved
   result (RFC 5182 2.1; a BAD for bad keys leaves it, as Dovecot does). */
bool imap_search_run_opts(struct client_command *cmd,
			  const struct imap_arg *args, const char *charset,
			  enum imap_search_return_flags opts,
			  ARRAY_TYPE(uint32) *seqs_r, bool *with_modseq_r);

/* The result of SEARCH or SORT (name): without RETURN as
   imap_search_send_result(), else SAVE stores it for "$" and "* ESEARCH"
   is sent unless SAVE is the only option. seqs are sequence numbers in the
   reply's order. */
void imap_search_reply(struct client_command *cmd, const char *name,
		       const struct imap_search_return *ret,
		       const ARRAY_TYPE(uint32) *seqs, bool with_modseq);

/* Forget the saved result (SELECT, EXAMINE, UNSELECT, CLOSE: RFC 5182
   2.1). */
void imap_search_saved_reset(struct client *client);
/* The saved result as a UID set ("" when empty); valid until the next
   SAVE or reset. */
const char *imap_search_saved_get(struct client *client);

/* The end of SEARCH/SORT/THREAD: for the UID form the expunges RFC 3501
   7.4.1 allows after it, then the tagged reply ok_reply ("OK Search
   completed."). */
void imap_search_finish(struct client_command *cmd, const char *ok_reply);

#endif
