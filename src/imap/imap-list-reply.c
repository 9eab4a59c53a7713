/* Copyright (c) dovecot-like authors. imap-list-reply.c: the pieces LIST,
   LSUB (RFC 3501 7.2.2-3) and SELECT's IMAP4rev2 LIST line (RFC 9051
   6.3.2) share, so the three write the same bytes. */
#include "imap-common.h"
#include "imap-client.h"
#include "imap-mailbox-name.h"
#include "imap-list-reply.h"
#include "mail-namespace.h"
#include "str.h"

bool imap_list_ns_visible(const struct mail_namespace *ns,
			  const char *pattern)
{
	return ns->list || (ns->prefix_len > 0 &&
			    strncmp(pattern, ns->prefix, ns->prefix_len) == 0);
}

void imap_list_reply_send(struct client *client, const char *reply,
			  const char *attrs, char sep,
			  const struct imap_mailbox_client_name *cname,
			  bool childinfo)
{
	struct str *line = t_str_new(128);

	str_printfa(line, "* %s (%s) \"%c\" ", reply, attrs, sep);
	imap_mailbox_name_append_client(line, cname);
	if (childinfo)
		str_append(line, " (CHILDINFO (\"SUBSCRIBED\"))");
	client_send_line(client, str_c(line));
}
