/* Copyright (c) dovecot-like authors. SEARCH and UID SEARCH (RFC 3501
   6.4.4): [CHARSET name] search keys; replies "* SEARCH" with the matching
   sequence numbers (or UIDs), and with a MODSEQ key (RFC 7162 3.1.5) the
   highest modseq of the matches as "(MODSEQ n)". RETURN (options) before
   CHARSET gives "* ESEARCH" (RFC 4731) and SAVE (RFC 5182), as does
   every SEARCH once IMAP4rev2 is enabled (RFC 9051 6.4.4). */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-search.h"

#include <strings.h>

bool cmd_search(struct client_command *cmd)
{
	const struct imap_arg *args = cmd->args;
	const char *charset = NULL;
	ARRAY_TYPE(uint32) result;
	struct imap_search_return ret;
	bool with_modseq;

	if (!imap_search_parse_return(cmd, &args, &ret))
		return true;
	/* RFC 9051 6.4.4: an IMAP4rev2 client always gets ESEARCH; no
	   RETURN is RETURN (ALL) */
	if (ret.flags == 0 && cmd->client->imap4rev2_enabled)
		ret.flags = IMAP_SEARCH_RETURN_ESEARCH | IMAP_SEARCH_RETURN_ALL;
	if (args[0].type == IMAP_ARG_ATOM &&
	    strcasecmp(args[0].u.str, "CHARSET") == 0) {
		if (args[1].type != IMAP_ARG_ATOM &&
		    args[1].type != IMAP_ARG_STRING) {
			client_send_command_error(cmd, "Invalid charset argument.");
			return true;
		}
		if (cmd->client->utf8_accept_enabled) {
			/* RFC 6855 3: no charset after ENABLE UTF8=ACCEPT */
			client_send_command_error(cmd, "CHARSET not allowed "
				"after ENABLE UTF8=ACCEPT.");
			return true;
		}
		charset = args[1].u.str;
		args += 2;
	}
	if (!imap_search_run_opts(cmd, args, charset, ret.flags, &result,
				  &with_modseq))
		return true;
	imap_search_reply(cmd, "SEARCH", &ret, &result, with_modseq);
	imap_search_finish(cmd, "OK Search completed.");
	return true;
}
