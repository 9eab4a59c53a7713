#ifndef IMAP_LIST_ARGS_H
#define IMAP_LIST_ARGS_H

/* The arguments of LIST (RFC 3501 6.3.8 with RFC 5258 LIST-EXTENDED and
   RFC 5819 LIST-STATUS):
     LIST [(<selection options>)] <reference> <pattern>|(<patterns>)
          [RETURN (<return options>)]
   LSUB takes only <reference> <pattern>. */

#include "array.h"
#include "imap-status.h"

enum imap_list_select {
	IMAP_LIST_SELECT_SUBSCRIBED = 0x01,
	IMAP_LIST_SELECT_REMOTE = 0x02,	/* accepted, no remote mailboxes */
	IMAP_LIST_SELECT_RECURSIVEMATCH = 0x04,
	IMAP_LIST_SELECT_SPECIAL_USE = 0x08,
};

enum imap_list_return {
	IMAP_LIST_RETURN_SUBSCRIBED = 0x01,
	IMAP_LIST_RETURN_CHILDREN = 0x02,
	IMAP_LIST_RETURN_SPECIAL_USE = 0x04,
	IMAP_LIST_RETURN_STATUS = 0x08,
};

struct imap_list_args {
	const char *ref;
	ARRAY_TYPE(string) patterns;	/* as given, without ref */
	enum imap_list_select select;
	enum imap_list_return ret;
	enum imap_status_items status_items;	/* with RETURN_STATUS */
	/* any LIST-EXTENDED syntax was used: attributes are only those the
	   options ask for, \NonExistent in place of \Noselect, no root
	   reply for an empty pattern */
	bool extended;
};

/* Parses cmd->args into args_r (strings in cmd's pool or the args').
   false after sending the tagged BAD with Dovecot's texts. */
bool imap_list_args_parse(struct client_command *cmd, bool lsub,
			  struct imap_list_args *args_r);
/* The patterns to match: ref + each pattern (cmd's pool). false after
   sending BAD "Pattern too long." for one longer than IMAP_MATCH_MAX_LEN. */
bool imap_list_args_full_patterns(struct client_command *cmd,
				  const struct imap_list_args *args,
				  ARRAY_TYPE(string) *patterns_r);

#endif
