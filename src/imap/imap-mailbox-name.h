/* Copyright (c) dovecot-like authors. imap-mailbox-name.h: mailbox names as
   the client sees them (a namespace's prefix and hierarchy separator,
   modified UTF-7 passed through) <-> storage names ('/' between levels, see
   mail-storage.h), through the user's namespaces (mail-namespace.h). */
#ifndef IMAP_MAILBOX_NAME_H
#define IMAP_MAILBOX_NAME_H

struct client;
struct mail_namespaces;
struct client_command;
struct imap_arg;
struct str;

/* The session's namespaces (the user's, owned by it); before this call
   the default one (inbox, '.', empty prefix). */
void imap_mailbox_names_init(const struct mail_namespaces *nss);
const struct mail_namespaces *imap_mailbox_names_get(void);
/* The hierarchy separator of the namespace name belongs to (the inbox
   namespace's for NULL or a name outside every namespace). */
char imap_mailbox_name_separator(const char *name);

/* Are mailbox names exchanged in UTF-8 from now on (ENABLE UTF8=ACCEPT
   or IMAP4rev2, RFC 6855 3)? Before the first call: no. */
void imap_mailbox_names_set_utf8(bool utf8);

/* RFC 6855: the mUTF-7 form (tmp) of a UTF-8 name from the client; NULL
   if it is not valid UTF-8 or has a character RFC 6855 3 forbids
   (controls, DEL, U+2028, U+2029). */
const char *imap_mailbox_name_utf8_to_mutf7(const char *name);
/* The mUTF-7 form of a name as the client gave it (name itself before
   ENABLE UTF8=ACCEPT, or when it can't be converted). */
const char *imap_mailbox_name_from_client(const char *name);
/* The client's form of a (mUTF-7) name: UTF-8 (tmp) after ENABLE
   UTF8=ACCEPT / IMAP4rev2, else name itself; also name itself when it is
   not valid mUTF-7. */
const char *imap_mailbox_name_to_client(const char *name);
/* Appends name (mUTF-7) in the client's form to a reply: an astring, or
   after ENABLE UTF8=ACCEPT (RFC 6855 3) its UTF-8 form, as a quoted string
   when it has 8-bit characters (a literal when it has control characters
   or is long); a name that isn't valid mUTF-7 goes out as it is. */
void imap_mailbox_name_append(struct str *dest, const char *name);

/* A (mUTF-7) name in the client's form, converted once for both matching
   a pattern (imap_match() on name) and writing it (LIST, LSUB, SELECT). */
struct imap_mailbox_client_name {
	const char *name;	/* tmp, or the mUTF-7 name itself */
	bool utf8;		/* converted to UTF-8 (RFC 6855 3) */
};
void imap_mailbox_name_client_form(const char *name,
				   struct imap_mailbox_client_name *cname_r);
/* imap_mailbox_name_append() of a name already in the client's form. */
void imap_mailbox_name_append_client(struct str *dest,
				     const struct imap_mailbox_client_name *cname);

/* The storage name of a client's mailbox name (tmp), in the namespace the
   name belongs to (mail_namespaces_find()): prefix removed. "INBOX" in any case is
   "INBOX"; so is an "inbox" first level ("Inbox.Sub" -> "INBOX/Sub").
   NULL when the name can't be a mailbox (empty, too long, not valid
   mUTF-7 (control characters, 8-bit), a storage separator '/' inside, an
   empty level, a leading or trailing separator, in no namespace), with
   *error_r the rest of Dovecot's "NO " reply: "[CANNOT] <why>",
   "Client tried to access nonexistent namespace. (...)" or "Mailbox name
   is not valid mUTF-7". */
const char *imap_mailbox_name_to_storage(const char *name, const char **error_r);

/* For the mailbox commands: the client's name in arg (an astring) and its
   storage name. false after sending the tagged reply: BAD for a missing
   or non-string argument, NO (see above) for a name that can't be a
   mailbox. */
bool imap_mailbox_name_arg(struct client_command *cmd,
			   const struct imap_arg *arg, const char **name_r,
			   const char **storage_name_r);
/* The same for CREATE and SUBSCRIBE, the only argument of the command: one
   trailing separator ("foo.") is dropped, *trailing_sep_r tells whether
   there was one (CREATE: a name for children, RFC 3501 6.3.3). */
bool imap_mailbox_name_only_arg(struct client_command *cmd, const char **name_r,
				const char **storage_name_r,
				bool *trailing_sep_r);
/* MAILBOX_FLAG_NO_AUTO_CREATE when the namespace of the client's name
   does not itself declare storage_name as an auto mailbox, else 0: the
   flag mailbox_open() needs for that name. */
enum mailbox_flags imap_mailbox_name_auto_flags(const char *name,
						const char *storage_name);
/* Opens the mailbox the client named as the target of APPEND, COPY or
   MOVE, with flags added (MAILBOX_FLAG_SAVE_ONLY for APPEND). 0, or -1
   with *reply_r the tagged NO (tmp): [TRYCREATE] when it doesn't exist,
   the storage error otherwise. */
int imap_mailbox_open_target(struct client *client, const char *name,
			     enum mailbox_flags flags, struct mailbox **box_r,
			     const char **reply_r);
/* BAD for a command taking `required` arguments: "Missing arguments." if
   fewer were given, else "Invalid arguments." (Dovecot's texts). */
void imap_mailbox_args_error(struct client_command *cmd, unsigned int required);

#endif
