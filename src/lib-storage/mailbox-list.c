/* Copyright (c) dovecot-like authors. mailbox-list.c: which mailboxes a user
   has (asked of the storage driver), and which are subscribed, for LIST and
   LSUB. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "strfuncs.h"
#include "mail-storage-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <sys/stat.h>

#define MAILBOX_LIST_MAX_SUBSCRIPTIONS_SIZE (1024 * 1024)

static int name_cmp(const void *p1, const void *p2)
{
	const char *const *s1 = p1, *const *s2 = p2;

	return strcmp(*s1, *s2);
}

void mailbox_list_sort_names(ARRAY_TYPE(string) *names)
{
	array_sort(names, name_cmp);
}

int mail_user_list_mailboxes(struct mail_user *user, struct pool *pool,
			     ARRAY_TYPE(string) *names_r, const char **error_r)
{
	return user->driver->list_mailboxes(user, pool, names_r, error_r);
}

/* The subscriptions file: Dovecot's v2 ("V\t2\n\n" then names whose
   hierarchy levels are separated by TAB) or the old one-name-per-line form. */
int mail_user_list_subscriptions(struct mail_user *user, struct pool *pool,
				 char separator, ARRAY_TYPE(string) *names_r,
				 const char **error_r)
{
	const char *path = tmp_printf("%s/%s", mail_user_get_mail_root(user),
				      user->driver->subscriptions_fname);
	char *line = NULL, *p;
	size_t size = 0, total = 0;
	ssize_t len;
	bool v2 = false;
	FILE *f;

	array_init(names_r, pool, 8);
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		*error_r = tmp_printf("fopen(%s) failed: %m", path);
		return -1;
	}
	while ((len = getline(&line, &size, f)) > 0) {
		const char *name;

		total += (size_t)len;
		if (total > MAILBOX_LIST_MAX_SUBSCRIPTIONS_SIZE)
			break;
		line[strcspn(line, "\r\n")] = '\0';
		if (array_count(names_r) == 0 && !v2 && strcmp(line, "V\t2") == 0) {
			v2 = true;
			continue;
		}
		if (line[0] == '\0')
			continue;
		if (v2) {
			for (p = line; *p != '\0'; p++) {
				if (*p == '\t')
					*p = separator;
			}
		}
		name = p_strdup(pool, line);
		array_append(names_r, &name);
	}
	free(line);
	if (ferror(f)) {
		*error_r = tmp_printf("read(%s) failed: %m", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}
