/* Copyright (c) dovecot-like authors. mail-keywords.c: a mailbox's keyword
   names (RFC 3501 2.3.2 flag-keyword) and the per-message sets of them. The
   list only grows while the mailbox is open, so bits stay meaningful across
   syncs; names compare case-insensitively as in Dovecot. */
#include "lib.h"
#include "array.h"
#include "mail-storage-private.h"

#include <strings.h>

/* atom-specials (RFC 3501 9) and '\\', which only system flags start with */
#define KEYWORD_SPECIALS "(){ %*\"\\]"

bool mail_keywords_is_empty(const struct mail_keywords *kw)
{
	for (unsigned int i = 0; i < sizeof(kw->bits); i++) {
		if (kw->bits[i] != 0)
			return false;
	}
	return true;
}

bool mail_keyword_name_is_valid(const char *name, size_t len, size_t max_len)
{
	size_t i;

	if (len == 0 || len > max_len)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= 0x20 || c >= 0x7f ||
		    strchr(KEYWORD_SPECIALS, c) != NULL)
			return false;
	}
	return true;
}

bool mail_keyword_is_valid(const char *name, const char **error_r)
{
	size_t len = strlen(name);

	if (len == 0) {
		*error_r = "Empty keyword";
		return false;
	}
	if (len > MAILBOX_MAX_KEYWORD_LEN) {
		*error_r = "Keyword length too long";
		return false;
	}
	if (!mail_keyword_name_is_valid(name, len, MAILBOX_MAX_KEYWORD_LEN)) {
		*error_r = "Invalid characters in keyword";
		return false;
	}
	return true;
}

const char *const *mailbox_get_keywords(struct mailbox *box,
					unsigned int *count_r)
{
	/* array_idx(, 0) asserts on an empty list */
	return array_get(&box->keywords, count_r);
}

bool mailbox_can_create_keywords(struct mailbox *box)
{
	return (box->flags & MAILBOX_FLAG_READONLY) == 0 &&
		array_count(&box->keywords) < box->keywords_max;
}

int mailbox_keyword_lookup_n(struct mailbox *box, const char *name,
			     size_t len)
{
	const char *const *names;
	unsigned int i, count;

	names = array_get(&box->keywords, &count);
	for (i = 0; i < count; i++) {
		if (strncasecmp(names[i], name, len) == 0 &&
		    names[i][len] == '\0')
			return (int)i;
	}
	return -1;
}

int mailbox_keyword_lookup(struct mailbox *box, const char *name)
{
	return mailbox_keyword_lookup_n(box, name, strlen(name));
}

int mailbox_keyword_add(struct mailbox *box, const char *name)
{
	int idx = mailbox_keyword_lookup(box, name);
	const char *copy;

	if (idx >= 0)
		return idx;
	if (array_count(&box->keywords) >= MAILBOX_MAX_KEYWORDS)
		return -1;
	copy = p_strdup(box->pool, name);
	array_append(&box->keywords, &copy);
	return (int)array_count(&box->keywords) - 1;
}

/* Adds the new names of names[] to the list; *first_new_r = where they
   start. -1 with the error set if one is invalid or there's no room. */
static int mailbox_keywords_add_new(struct mailbox *box,
				    const char *const *names,
				    unsigned int count,
				    unsigned int *first_new_r)
{
	const char *error;
	unsigned int i;

	*first_new_r = array_count(&box->keywords);
	for (i = 0; i < count; i++) {
		if (mailbox_keyword_lookup(box, names[i]) >= 0)
			continue;
		if (!mail_keyword_is_valid(names[i], &error)) {
			mailbox_set_error(box, MAIL_ERROR_PARAMS, error);
			return -1;
		}
		if (!mailbox_can_create_keywords(box) ||
		    mailbox_keyword_add(box, names[i]) < 0) {
			mailbox_set_error(box, (box->flags & MAILBOX_FLAG_READONLY) != 0 ?
					  MAIL_ERROR_PERM : MAIL_ERROR_LIMIT,
					  (box->flags & MAILBOX_FLAG_READONLY) != 0 ?
					  "Mailbox is read-only" :
					  "Too many keywords in the mailbox");
			return -1;
		}
	}
	return 0;
}

int mailbox_keywords_create(struct mailbox *box, const char *const *names,
			    unsigned int count, bool create,
			    struct mail_keywords *kw_r)
{
	unsigned int i, first_new;
	int idx, ret = 0;

	memset(kw_r, 0, sizeof(*kw_r));
	if (create) {
		ret = mailbox_keywords_add_new(box, names, count, &first_new);
		if (ret == 0 && first_new < array_count(&box->keywords) &&
		    box->v->keywords_created != NULL)
			ret = box->v->keywords_created(box, first_new);
		if (ret < 0) {
			/* nothing used them yet: forget them again */
			array_delete(&box->keywords, first_new,
				     array_count(&box->keywords) - first_new);
			return -1;
		}
	}
	for (i = 0; i < count; i++) {
		idx = mailbox_keyword_lookup(box, names[i]);
		if (idx >= 0)
			mail_keywords_set(kw_r, (unsigned int)idx, true);
	}
	return 0;
}

const char *const *mailbox_keywords_get_names(struct mailbox *box,
					      struct pool *pool,
					      const struct mail_keywords *kw)
{
	const char *const *names;
	const char **result;
	unsigned int i, n = 0, count;

	names = array_get(&box->keywords, &count);
	result = pool_new(pool, const char *, count + 1);
	for (i = 0; i < count; i++) {
		if (mail_keywords_has(kw, i))
			result[n++] = names[i];
	}
	result[n] = NULL;
	return result;
}
