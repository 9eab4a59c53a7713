/* Copyright (c) dovecot-like authors. imap-list-reply.h: what LIST, LSUB
   and SELECT's IMAP4rev2 LIST line share: the namespaces a pattern shows
   and the one writer of a "* LIST" / "* LSUB" line. */
#ifndef IMAP_LIST_REPLY_H
#define IMAP_LIST_REPLY_H

struct client;
struct mail_namespace;
struct imap_mailbox_client_name;

/* Does LIST/LSUB with pattern show ns? A list = no namespace only when
   the pattern starts with its prefix ("INBOX/%" for prefix "INBOX/"), as
   in Dovecot. */
bool imap_list_ns_visible(const struct mail_namespace *ns,
			  const char *pattern);

/* Sends "* <reply> (<attrs>) "<sep>" <name>" (reply "LIST" or "LSUB",
   attrs space-separated, may be ""), with " (CHILDINFO ("SUBSCRIBED"))"
   (RFC 5258) when childinfo. */
void imap_list_reply_send(struct client *client, const char *reply,
			  const char *attrs, char sep,
			  const struct imap_mailbox_client_name *cname,
			  bool childinfo);

#endif
