/* Copyright (c) dovecot-like authors. maildir-list.c: the mailboxes of a
   Maildir++ root: INBOX and every ".Name.Sub" folder that has a cur/. */
#include "lib.h"
#include "array.h"
#include "strfuncs.h"
#include "maildir-storage.h"

#include <dirent.h>
#include <sys/stat.h>

/* Maildir++: every folder is a ".Name.Sub" directory with a cur/. */
static bool maildirpp_is_folder(const char *root, const char *name)
{
	struct stat st;

	if (name[0] != '.' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return stat(tmp_printf("%s/%s/cur", root, name), &st) == 0 &&
		S_ISDIR(st.st_mode);
}

int maildir_list_mailboxes(struct mail_user *user, struct pool *pool,
			   ARRAY_TYPE(string) *names_r, const char **error_r)
{
	const char *root = mail_user_get_mail_root(user);
	const char *inbox = "INBOX";
	struct dirent *d;
	DIR *dir;

	array_init(names_r, pool, 8);
	array_append(names_r, &inbox);
	dir = opendir(root);
	if (dir == NULL) {
		if (errno == ENOENT)
			return 0;
		*error_r = tmp_printf("opendir(%s) failed: %m", root);
		return -1;
	}
	while ((d = readdir(dir)) != NULL) {
		const char *name;

		if (!maildirpp_is_folder(root, d->d_name))
			continue;
		name = p_strdup(pool, d->d_name + 1);
		array_append(names_r, &name);
	}
	if (closedir(dir) < 0) {
		*error_r = tmp_printf("closedir(%s) failed: %m", root);
		return -1;
	}
	mailbox_list_sort_names(names_r);
	return 0;
}
