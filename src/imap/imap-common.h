/* Copyright (c) dovecot-like authors. imap-common.h: what every file of the
   imap worker includes, and the process's limits in one place. */
#ifndef IMAP_COMMON_H
#define IMAP_COMMON_H

#include "lib.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "str.h"
#include "strfuncs.h"
#include "imap-parser.h"
#include "imap-seqset.h"
#include "mail-storage.h"

/* Dovecot's autologout: RFC 3501 5.4 asks for at least 30 minutes. */
#define CLIENT_IDLE_TIMEOUT_MSECS (30 * 60 * 1000)
/* A client that reads none of our output for this long is gone. */
#define CLIENT_OUTPUT_TIMEOUT_MSECS (10 * 60 * 1000)
/* Stop producing output (FETCH bodies, pipelined replies) while this much is
   still waiting in the output buffer. */
#define CLIENT_OUTPUT_OPTIMAL_SIZE (64 * 1024)
#define IMAP_MAX_LIST_DEPTH 20
#define IMAP_MAX_ARGS 10000

#define IMAP_SERVERBUG_MSG \
	"Internal error occurred. Refer to server log for more information."

/* Post-login capabilities we actually implement (imap_capability may
   replace or extend them), in Dovecot 2.3's order; main.c adds LITERAL+
   (or LITERAL-), SPECIAL-USE and APPENDLIMIT as the settings say. */
#define IMAP_CAPABILITY_DEFAULT \
	"IMAP4rev1 IMAP4rev2 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY " \
	"THREAD=REFERENCES THREAD=ORDEREDSUBJECT MULTIAPPEND UNSELECT " \
	"CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE " \
	"QRESYNC " \
	"ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE STATUS=SIZE " \
	"SAVEDATE COMPRESS=DEFLATE OBJECTID UTF8=ACCEPT"

struct imap_settings {
	size_t max_line_length;
	unsigned int idle_notify_msecs;
	unsigned int idle_check_msecs;
	const char *capability;		/* the full capability string */
	uoff_t max_append_size;		/* quota_mail_size, 0 = none */
	const char *logout_format;
	unsigned int workarounds;	/* IMAP_WORKAROUND_* */
};

/* imap_client_workarounds (Dovecot 2.3's values; bit i = names[i] in
   imap_workaround_names, main.c) */
enum imap_workaround {
	/* EXISTS/RECENT/EXPUNGE only in replies to NOOP, CHECK, EXPUNGE,
	   MOVE, APPEND and IDLE */
	IMAP_WORKAROUND_DELAY_NEWMAIL = 0x01,
	/* a trailing hierarchy separator on a mailbox name is dropped */
	IMAP_WORKAROUND_TB_EXTRA_MAILBOX_SEP = 0x02,
	/* LSUB replies carry \Noselect/\Noinferiors like LIST */
	IMAP_WORKAROUND_TB_LSUB_FLAGS = 0x04,
};

extern struct imap_settings imap_set;

/* TRUE if the post-login capability string lists name. */
bool imap_capability_has(const char *name);

#endif
