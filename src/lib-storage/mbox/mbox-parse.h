/* Copyright (c) dovecot-like authors. mbox-parse.h: splitting an mbox file
   into messages the way Dovecot does: strict From_ lines, Content-Length
   trusted only when it leads to the next From_ line or EOF, and the UIDs
   the metadata headers give. Pure functions over memory, so they can be
   fuzzed; mbox_parse_fd() maps the file. */
#ifndef MBOX_PARSE_H
#define MBOX_PARSE_H

#include "mail-storage.h"
#include "mbox-headers.h"
#include <time.h>

/* Headers bigger than this aren't searched for our metadata headers. */
#define MBOX_PARSE_MAX_HEADER_SIZE (1024 * 1024)

struct mbox_rec {
	uoff_t from_offset;	/* "From " line */
	uoff_t hdr_offset;	/* after the From_ line */
	uoff_t hdr_end;		/* the empty line (or body_offset if none) */
	uoff_t body_offset;	/* after the empty line ending the header */
	uoff_t body_end;	/* body without the separator line end */
	uoff_t next_offset;	/* next From_ line or EOF */
	time_t received;	/* From_ line date */
	uint32_t uid;		/* valid X-UID, or newly assigned */
	bool uid_new;		/* uid isn't in the file yet */
	bool pseudo;		/* X-IMAP internal message: hidden */
	bool crlf;		/* From_ line ended with CRLF */
	bool cl_missing;	/* no usable Content-Length */
	struct mbox_header_info hdr;
};

struct mbox_parsed {
	ARRAY(struct mbox_rec) recs;	/* file order, incl. a pseudo msg */
	uint32_t uidvalidity;	/* 0 = no X-IMAPbase */
	uint32_t next_uid;	/* after assigning UIDs */
	const char *base_keywords;
	bool dirty;		/* something must be written to the file */
};

/* Parses data[0..size). Returns 0, or -1 with *error_r if the file doesn't
   start with a From_ line. Records and strings in pool. */
int mbox_parse_data(const unsigned char *data, size_t size, struct pool *pool,
		    struct mbox_parsed *parsed_r, const char **error_r);
/* true if data[pos..size) starts with a valid From_ line */
bool mbox_parse_is_from_line(const unsigned char *data, size_t size,
			     size_t pos);
/* Maps fd and parses it. -1 with *error_r (logged by the caller). */
int mbox_parse_fd(int fd, struct pool *pool, struct mbox_parsed *parsed_r,
		  const char **error_r);

#endif
