/* Copyright (c) dovecot-like authors. imap-mailbox-name.c: client mailbox
   names <-> storage names (the namespace's prefix and separator vs. '/'). */
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-utf7.h"
#include "imap-quote.h"
#include "imap-mailbox-name.h"
#include "mail-namespace.h"
#include "mail-namespace-auto.h"
#include "utf8.h"

#include <strings.h>

/* Dovecot's limit on a mailbox name (MAILBOX_LIST_NAME_MAX_LENGTH) */
#define IMAP_MAILBOX_NAME_MAX_LEN 4096

/* the user's namespaces; the default set until imap_mailbox_names_init() */
static const struct mail_namespaces *names_nss = NULL;

void imap_mailbox_names_init(const struct mail_namespaces *nss)
{
	names_nss = nss;
}

static const struct mail_namespaces *names_get(void)
{
	static struct mail_namespaces *default_nss = NULL;
	const char *error;

	if (names_nss != NULL)
		return names_nss;
	if (default_nss == NULL) {
		default_nss = mail_namespaces_new(system_pool);
		if (mail_namespaces_finish(default_nss, &error) < 0)
			ASSERT(false);	/* the default one is always valid */
	}
	return default_nss;
}

const struct mail_namespaces *imap_mailbox_names_get(void)
{
	return names_get();
}

/* Dovecot's texts for a name with a misplaced separator; NULL if fine.
   name is the part after the namespace prefix. */
static const char *name_check_separators(const char *name, size_t len,
					 char sep)
{
	const char *p;

	if (len == 0)
		return "Invalid mailbox name: Name is empty";
	if (name[0] == sep)
		return "Invalid mailbox name: Begins with hierarchy separator";
	for (p = name; *p != '\0'; p++) {
		if (p[0] == sep && p[1] == sep)
			return "Invalid mailbox name: Has adjacent hierarchy separators";
	}
	if (name[len - 1] == sep)
		return "Invalid mailbox name: Ends with hierarchy separator";
	return NULL;
}

/* RFC 6855 3: after ENABLE UTF8=ACCEPT (or IMAP4rev2) the session's
   mailbox names travel in UTF-8 (imap_mailbox_names_set_utf8()) */
static bool names_utf8_enabled = false;

void imap_mailbox_names_set_utf8(bool utf8)
{
	names_utf8_enabled = utf8;
}

static bool names_utf8(void)
{
	return names_utf8_enabled;
}

/* May cp be in a UTF-8 mailbox name? RFC 6855 3: no control characters
   (U+0000-U+001F, U+0080-U+009F), DEL, U+2028 or U+2029. */
static bool name_char_allowed(uint32_t cp)
{
	return cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f) &&
		cp != 0x2028 && cp != 0x2029;
}

const char *imap_mailbox_name_utf8_to_mutf7(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t len = strlen(name), pos = 0;
	unsigned int n;
	uint32_t cp;
	struct str *dest;

	while (pos < len) {
		n = utf8_get_char_n(p + pos, len - pos, &cp);
		if (n == 0 || !name_char_allowed(cp))
			return NULL;
		pos += n;
	}
	dest = t_str_new(len + 16);
	if (imap_utf8_to_utf7(name, dest) < 0)
		return NULL;
	return str_c(dest);
}

const char *imap_mailbox_name_from_client(const char *name)
{
	const char *mutf7;

	if (!names_utf8())
		return name;
	mutf7 = imap_mailbox_name_utf8_to_mutf7(name);
	return mutf7 != NULL ? mutf7 : name;
}

const char *imap_mailbox_name_to_client(const char *name)
{
	struct str *dest;

	if (!names_utf8())
		return name;
	dest = t_str_new(strlen(name) + 16);
	/* a name on disk that isn't valid mUTF-7 can't be told in UTF-8:
	   it goes out as it is */
	if (imap_utf7_to_utf8(name, dest) < 0)
		return name;
	return str_c(dest);
}

/* Can the UTF-8 name go out as a quoted string after ENABLE UTF8=ACCEPT
   (RFC 6855 3)? It has 8-bit bytes (else an astring is as good), no
   control characters (mUTF-7 can encode them) and isn't too long. */
static bool name_utf8_quotable(const char *name)
{
	const unsigned char *p;
	bool eightbit = false;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p >= 0x80)
			eightbit = true;
	}
	return eightbit && (size_t)(p - (const unsigned char *)name) <= 1024;
}

void imap_mailbox_name_client_form(const char *name,
				   struct imap_mailbox_client_name *cname_r)
{
	cname_r->name = imap_mailbox_name_to_client(name);
	/* to_client() returns name itself when it converted nothing */
	cname_r->utf8 = cname_r->name != name;
}

void imap_mailbox_name_append_client(struct str *dest,
				     const struct imap_mailbox_client_name *cname)
{
	if (!cname->utf8 || !name_utf8_quotable(cname->name)) {
		/* mUTF-7 (also a name that isn't valid mUTF-7) */
		imap_append_astring(dest, cname->name);
		return;
	}
	imap_append_quoted(dest, cname->name, strlen(cname->name));
}

void imap_mailbox_name_append(struct str *dest, const char *name)
{
	struct imap_mailbox_client_name cname;

	imap_mailbox_name_client_form(name, &cname);
	imap_mailbox_name_append_client(dest, &cname);
}

const char *imap_mailbox_name_to_storage(const char *name, const char **error_r)
{
	const struct mail_namespace *ns;
	size_t len = strlen(name);
	const char *error, *rest, *storage;

	if (len == 0) {
		*error_r = "[CANNOT] Invalid mailbox name: Name is empty";
		return NULL;
	}
	if (len > IMAP_MAILBOX_NAME_MAX_LEN) {
		*error_r = "[CANNOT] Mailbox name too long";
		return NULL;
	}
	if (names_utf8()) {
		name = imap_mailbox_name_utf8_to_mutf7(name);
		if (name == NULL) {
			*error_r = "Mailbox name is not valid UTF-8";
			return NULL;
		}
		len = strlen(name);
		if (len > IMAP_MAILBOX_NAME_MAX_LEN) {
			*error_r = "[CANNOT] Mailbox name too long";
			return NULL;
		}
	} else if (!imap_utf7_is_valid(name)) {
		/* also control characters and 8-bit bytes; Dovecot's reply
		   has no response code */
		*error_r = "Mailbox name is not valid mUTF-7";
		return NULL;
	}
	ns = mail_namespaces_find(names_get(), name);
	if (ns != NULL && name[len - 1] == ns->separator &&
	    (imap_set.workarounds & IMAP_WORKAROUND_TB_EXTRA_MAILBOX_SEP) != 0) {
		/* tb-extra-mailbox-sep: Thunderbird's "box/" means "box" */
		name = tmp_strndup(name, --len);
		if (len == 0) {
			*error_r = "[CANNOT] Invalid mailbox name: Name is empty";
			return NULL;
		}
		ns = mail_namespaces_find(names_get(), name);
	}
	if (ns == NULL) {
		*error_r = tmp_printf("Client tried to access nonexistent "
			"namespace. (Mailbox name should probably be prefixed "
			"with: %s)", mail_namespaces_get_inbox(names_get())->prefix);
		return NULL;
	}
	if (ns->separator != '/' && strchr(name, '/') != NULL) {
		*error_r = "[CANNOT] Invalid mailbox name: "
			"Name must not have '/' characters";
		return NULL;
	}
	if (ns->storage_forbidden_char != '\0' &&
	    strchr(name, ns->storage_forbidden_char) != NULL) {
		*error_r = tmp_printf("[CANNOT] Character not allowed in "
				      "mailbox name: '%c'",
				      ns->storage_forbidden_char);
		return NULL;
	}
	storage = mail_namespace_to_storage(ns, name);
	if (strcmp(storage, "INBOX") != 0) {
		rest = strlen(name) >= ns->prefix_len ?
			name + ns->prefix_len : "";
		if ((error = name_check_separators(rest, strlen(rest),
						   ns->separator)) != NULL) {
			*error_r = tmp_strconcat("[CANNOT] ", error, NULL);
			return NULL;
		}
	}
	return storage;
}

char imap_mailbox_name_separator(const char *name)
{
	const struct mail_namespace *ns = name == NULL ? NULL :
		mail_namespaces_find(names_get(), name);

	if (ns == NULL)
		ns = mail_namespaces_get_inbox(names_get());
	return ns->separator;
}

bool imap_mailbox_name_arg(struct client_command *cmd,
			   const struct imap_arg *arg, const char **name_r,
			   const char **storage_name_r)
{
	const char *error;

	*name_r = imap_arg_as_string(arg);
	if (*name_r == NULL) {
		client_send_command_error(cmd, IMAP_ARG_IS_EOL(arg) ?
					  "Missing arguments." :
					  "Invalid arguments.");
		return false;
	}
	*storage_name_r = imap_mailbox_name_to_storage(*name_r, &error);
	if (*storage_name_r == NULL) {
		client_send_tagline(cmd, tmp_strconcat("NO ", error, NULL));
		return false;
	}
	return true;
}

bool imap_mailbox_name_only_arg(struct client_command *cmd, const char **name_r,
				const char **storage_name_r,
				bool *trailing_sep_r)
{
	const char *name = imap_arg_as_string(&cmd->args[0]), *error;
	size_t len;

	*trailing_sep_r = false;
	if (name == NULL || !IMAP_ARG_IS_EOL(&cmd->args[1])) {
		imap_mailbox_args_error(cmd, 1);
		return false;
	}
	len = strlen(name);
	if (len > 1 && name[len - 1] == imap_mailbox_name_separator(name)) {
		*trailing_sep_r = true;
		name = tmp_strndup(name, len - 1);
	}
	*name_r = name;
	*storage_name_r = imap_mailbox_name_to_storage(name, &error);
	if (*storage_name_r == NULL) {
		client_send_tagline(cmd, tmp_strconcat("NO ", error, NULL));
		return false;
	}
	return true;
}

enum mailbox_flags imap_mailbox_name_auto_flags(const char *name,
						const char *storage_name)
{
	const struct mail_namespace *ns = mail_namespaces_find(names_get(),
							       name);

	/* an auto mailbox is created only through the namespace declaring
	   it, not through another one over the same storage (Dovecot) */
	return ns != NULL && mail_namespace_has_auto(ns, storage_name) ? 0 :
		MAILBOX_FLAG_NO_AUTO_CREATE;
}

int imap_mailbox_open_target(struct client *client, const char *name,
			     enum mailbox_flags flags, struct mailbox **box_r,
			     const char **reply_r)
{
	enum mail_storage_error error;
	const char *storage_name, *error_str;

	storage_name = imap_mailbox_name_to_storage(name, &error_str);
	if (storage_name == NULL) {
		*reply_r = tmp_strconcat("NO ", error_str, NULL);
		return -1;
	}
	if (mailbox_open(client->user, storage_name, flags | MAILBOX_FLAG_NO_RECENT |
			 imap_mailbox_name_auto_flags(name, storage_name),
			 box_r, &error, &error_str) < 0) {
		*reply_r = client_mailbox_error_reply(name, error, error_str, true);
		return -1;
	}
	return 0;
}

void imap_mailbox_args_error(struct client_command *cmd, unsigned int required)
{
	for (unsigned int i = 0; i < required; i++) {
		if (IMAP_ARG_IS_EOL(&cmd->args[i])) {
			client_send_command_error(cmd, "Missing arguments.");
			return;
		}
	}
	client_send_command_error(cmd, "Invalid arguments.");
}
