/* Copyright (c) dovecot-like authors. mailbox-mgmt.c: CREATE, DELETE and
   RENAME of mailboxes: the checks every backend shares (names, INBOX,
   renaming into itself or its child, children's name lengths) before the
   storage driver's. Texts are Dovecot 2.3's, so clients see the same
   replies. */
#include "lib.h"
#include "array.h"
#include "mail-storage-private.h"
#include "mailbox-mgmt.h"
#include "mail-namespace-auto.h"

#include <strings.h>

#define MAILBOX_MGMT_NOT_SUPPORTED "Not supported by this storage"

int mailbox_mgmt_error(enum mail_storage_error error, const char *str,
		       enum mail_storage_error *error_r,
		       const char **error_str_r)
{
	*error_r = error;
	*error_str_r = str;
	return -1;
}

int mailbox_mgmt_internal_error(const char *log_msg,
				enum mail_storage_error *error_r,
				const char **error_str_r)
{
	if (log_msg != NULL)
		log_error("%s", log_msg);
	return mailbox_mgmt_error(MAIL_ERROR_TEMP, "Internal error occurred",
				  error_r, error_str_r);
}

/* One level: within MAILBOX_NAME_MAX_LEVEL_LEN, and not a path element
   that would leave the mailbox's directory. */
static const char *name_check_level(const char *level, size_t len, bool first)
{
	if (len == 0)
		return "Invalid mailbox name: Has adjacent hierarchy separators";
	if (len > MAILBOX_NAME_MAX_LEVEL_LEN)
		return "Mailbox name too long";
	if ((len == 1 && level[0] == '.') ||
	    (len == 2 && level[0] == '.' && level[1] == '.'))
		return "Invalid mailbox name";
	if (first && level[0] == '~')
		return "Invalid mailbox name";
	return NULL;
}

int mailbox_name_check(const char *name, bool for_create,
		       enum mail_storage_error *error_r,
		       const char **error_str_r)
{
	size_t len = strlen(name);
	const char *p, *level, *error;

	if (len == 0)
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
			"Invalid mailbox name: Name is empty", error_r,
			error_str_r);
	if (len > MAILBOX_NAME_MAX_LEN)
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
					  "Mailbox name too long", error_r,
					  error_str_r);
	if (name[0] == '/')
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
			"Invalid mailbox name: Begins with hierarchy separator",
			error_r, error_str_r);
	if (name[len - 1] == '/')
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
			"Invalid mailbox name: Ends with hierarchy separator",
			error_r, error_str_r);
	for (level = p = name;; p++) {
		if (*p == '/' || *p == '\0') {
			error = name_check_level(level, (size_t)(p - level),
						 level == name);
			if (error != NULL)
				return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
							  error, error_r,
							  error_str_r);
			if (*p == '\0')
				break;
			level = p + 1;
		} else if (for_create && ((unsigned char)*p < 0x20 ||
					  *p == 0x7f)) {
			return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
				"Control characters not allowed in new mailbox names",
				error_r, error_str_r);
		}
	}
	return 0;
}

const char *mailbox_name_fix_inbox(const char *name)
{
	if (strncasecmp(name, "INBOX", 5) != 0 ||
	    (name[5] != '\0' && name[5] != '/') ||
	    strncmp(name, "INBOX", 5) == 0)
		return name;
	return tmp_strconcat("INBOX", name + 5, NULL);
}

bool mailbox_name_is_child(const char *parent, const char *child)
{
	size_t len = strlen(parent);

	return strncmp(parent, child, len) == 0 && child[len] == '/';
}

static bool name_is_inbox(const char *name)
{
	return strcmp(name, "INBOX") == 0;
}

/* -1 (error set) if a child's new name would be too long, else 0. */
static int rename_check_children(struct mail_user *user, const char *oldname,
				 const char *newname,
				 enum mail_storage_error *error_r,
				 const char **error_str_r)
{
	size_t old_len = strlen(oldname), new_len = strlen(newname);
	ARRAY_TYPE(string) names;
	const char *const *np, *error;
	struct pool *pool;
	int ret = 0;

	pool = pool_create("mailbox rename", 1024, 0);
	if (mail_user_list_mailboxes(user, pool, &names, &error) < 0) {
		log_error("Listing mailboxes failed: %s", error);
		ret = mailbox_mgmt_error(MAIL_ERROR_TEMP,
					 "Internal error occurred", error_r,
					 error_str_r);
	} else {
		array_foreach(&names, np) {
			if (mailbox_name_is_child(oldname, *np) &&
			    strlen(*np) - old_len + new_len > MAILBOX_NAME_MAX_LEN) {
				ret = mailbox_mgmt_error(MAIL_ERROR_PARAMS,
					"Mailbox or child name too long",
					error_r, error_str_r);
				break;
			}
		}
	}
	pool_unref(&pool);
	return ret;
}

int mail_user_mailbox_create(struct mail_user *user, const char *name,
			     bool directory, enum mail_storage_error *error_r,
			     const char **error_str_r)
{
	if (mailbox_name_check(name, true, error_r, error_str_r) < 0)
		return -1;
	name = mailbox_name_fix_inbox(name);
	if (name_is_inbox(name)) {
		/* INBOX always exists (it is created on first open) */
		return mailbox_mgmt_error(MAIL_ERROR_EXISTS,
					  "Mailbox already exists", error_r,
					  error_str_r);
	}
	if (user->driver->mailbox_create == NULL)
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
					  MAILBOX_MGMT_NOT_SUPPORTED, error_r,
					  error_str_r);
	return user->driver->mailbox_create(user, name, directory,
					    error_r, error_str_r);
}

int mail_user_mailbox_delete(struct mail_user *user, const char *name,
			     enum mail_storage_error *error_r,
			     const char **error_str_r)
{
	const struct mail_namespace *ns;

	if (mailbox_name_check(name, false, error_r, error_str_r) < 0)
		return -1;
	name = mailbox_name_fix_inbox(name);
	if (name_is_inbox(name)) {
		/* RFC 3501 allows it; Dovecot refuses, and so do we */
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
					  "INBOX can't be deleted.", error_r,
					  error_str_r);
	}
	if (user->driver->mailbox_delete == NULL)
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
					  MAILBOX_MGMT_NOT_SUPPORTED, error_r,
					  error_str_r);
	/* Children are the layout's business, as in Dovecot: Maildir++
	   deletes a mailbox and keeps its children (a parent that isn't a
	   mailbox is NOTFOUND); mbox refuses a directory with children
	   (MAIL_ERROR_EXISTS "Mailbox has children, delete them first",
	   RFC 3501 6.3.4). Subscriptions are kept either way. */
	if (user->driver->mailbox_delete(user, name, error_r,
					 error_str_r) == 0)
		return 0;
	/* a missing auto mailbox "exists" (it is listed): deleting it
	   succeeds without creating it, as in Dovecot */
	if (*error_r == MAIL_ERROR_NOTFOUND &&
	    mail_namespaces_find_auto(mail_user_get_namespaces(user), name,
				      &ns) != NULL)
		return 0;
	return -1;
}

int mail_user_mailbox_rename(struct mail_user *user, const char *oldname,
			     const char *newname, enum mail_storage_error *error_r,
			     const char **error_str_r)
{
	if (mailbox_name_check(oldname, false, error_r, error_str_r) < 0 ||
	    mailbox_name_check(newname, true, error_r, error_str_r) < 0)
		return -1;
	oldname = mailbox_name_fix_inbox(oldname);
	newname = mailbox_name_fix_inbox(newname);
	if (strcmp(oldname, newname) == 0)
		return mailbox_mgmt_error(MAIL_ERROR_EXISTS,
					  "Can't rename mailbox to itself.",
					  error_r, error_str_r);
	if (mailbox_name_is_child(oldname, newname))
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
			"Can't rename mailbox under its own child.", error_r,
			error_str_r);
	if (name_is_inbox(newname))
		return mailbox_mgmt_error(MAIL_ERROR_EXISTS,
					  "Target mailbox already exists",
					  error_r, error_str_r);
	if (user->driver->mailbox_rename == NULL)
		return mailbox_mgmt_error(MAIL_ERROR_PARAMS,
					  MAILBOX_MGMT_NOT_SUPPORTED, error_r,
					  error_str_r);
	if (rename_check_children(user, oldname, newname,
				  error_r, error_str_r) < 0)
		return -1;
	/* Subscriptions stay as they are, as in Dovecot (only doveadm's
	   "mailbox rename -s" moves them). */
	if (user->driver->mailbox_rename(user, oldname, newname,
					 error_r, error_str_r) < 0) {
		/* for RENAME, "exists" is always the target: one text for
		   every backend, Dovecot's */
		if (*error_r == MAIL_ERROR_EXISTS)
			*error_str_r = "Target mailbox already exists";
		return -1;
	}
	return 0;
}

const char *mailbox_get_name(const struct mailbox *box)
{
	return box->name;
}
