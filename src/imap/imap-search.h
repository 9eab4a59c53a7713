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
   program, NO [BADCHARSET], NO for a storage error). */
bool imap_search_run(struct client_command *cmd, const struct imap_arg *args,
		     const char *charset, ARRAY_TYPE(uint32) *seqs_r,
		     bool *with_modseq_r);

/* Sends "* <name> n n ...": nums are sequence numbers, written as UIDs for
   a UID command; with_modseq: " (MODSEQ m)" after a non-empty list, m the
   highest modseq of the messages. */
void imap_search_send_result(struct client_command *cmd, const char *name,
			     const ARRAY_TYPE(uint32) *nums,
			     bool with_modseq);

/* The end of SEARCH/SORT/THREAD: for the UID form the expunges RFC 3501
   7.4.1 allows after it, then the tagged reply ok_reply ("OK Search
   completed."). */
void imap_search_finish(struct client_command *cmd, const char *ok_reply);

#endif
