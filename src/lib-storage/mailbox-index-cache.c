/* Copyright (c) dovecot-like authors. mailbox-index-cache.c: the index's
   cache file for a backend's FETCH items (see mailbox-index-cache.h):
   opening it lazily, registering fields with the settings' decisions, and
   flushing / purging / closing it. */
#include "lib.h"
#include "strfuncs.h"
#include "mailbox-index-cache.h"
#include "mail-cache.h"

#include <string.h>
#include <strings.h>

/* TRUE if the settings list (names separated by spaces or commas) has
   name. */
static bool cache_list_has(const char *list, const char *name)
{
	const char *const *names = tmp_strsplit_spaces(list, " ,");

	for (; *names != NULL; names++) {
		if (strcasecmp(*names, name) == 0)
			return true;
	}
	return false;
}

/* A field's decision in a new cache file, from mail_never_cache_fields,
   mail_always_cache_fields and mail_cache_fields (in that order of
   precedence, as Dovecot); a field already in the file keeps the file's
   decision unless it is FORCED here. */
static enum mail_cache_decision_type
cache_initial_decision(const struct mail_user *user, const char *name)
{
	if (cache_list_has(user->never_cache_fields, name))
		return MAIL_CACHE_DECISION_NO | MAIL_CACHE_DECISION_FORCED;
	if (cache_list_has(user->always_cache_fields, name))
		return MAIL_CACHE_DECISION_YES | MAIL_CACHE_DECISION_FORCED;
	if (cache_list_has(user->cache_fields, name))
		return MAIL_CACHE_DECISION_TEMP;
	return MAIL_CACHE_DECISION_NO;
}

struct mailbox_index_cache *
mailbox_index_cache_get(struct mailbox_index_cache **cachep,
			struct mailbox *box, struct mail_index *index,
			const char *index_dir)
{
	struct mailbox_index_cache *cache = *cachep;

	if (index == NULL || box->uidvalidity == 0 ||
	    mail_index_get_header(index)->uid_validity != box->uidvalidity)
		return NULL;
	if (cache == NULL)
		*cachep = cache = pool_new(box->pool, struct mailbox_index_cache, 1);
	if (cache->cache != NULL && cache->index == index)
		return cache;
	if (cache->cache != NULL)
		mailbox_index_cache_close(cache);	/* a reopened index */
	cache->box = box;
	cache->index = index;
	cache->index_dir = index_dir;
	cache->hdr_fields = 0;
	cache->saved_date_uid = 0;
	cache->cache = mail_cache_open(index);
	cache->iview = mail_index_view_open(index);
	cache->view = mail_cache_view_open(cache->cache, cache->iview);
	return cache;
}

/* The cache's index of the field name, registered at its first use with
   the settings' decision (a field the file already has keeps the file's).
   hdr.* fields hold binary line lists; at most
   MAILBOX_INDEX_CACHE_MAX_HDR_FIELDS of them are registered per session.
   -1 = not cacheable. */
static int mailbox_index_cache_field(struct mailbox_index_cache *cache,
				     const char *name)
{
	struct mail_cache_field field;
	bool hdr = strncmp(name, "hdr.", 4) == 0;
	int idx = mail_cache_field_lookup(cache->cache, name);

	if (idx >= 0)
		return idx;
	if (hdr && cache->hdr_fields >= MAILBOX_INDEX_CACHE_MAX_HDR_FIELDS)
		return -1;
	memset(&field, 0, sizeof(field));
	field.name = name;
	field.type = hdr ? MAIL_CACHE_FIELD_VARIABLE_SIZE :
		MAIL_CACHE_FIELD_STRING;
	field.decision = cache_initial_decision(cache->box->user, name);
	if (mail_cache_register_fields(cache->cache, &field, 1) < 0)
		return -1;	/* an invalid name, or the file is full */
	if (hdr)
		cache->hdr_fields++;
	return (int)field.idx;
}

int mailbox_index_cache_lookup(struct mailbox_index_cache *cache,
			       uint32_t uid, const char *field,
			       time_t saved_date, struct buf *dest)
{
	int idx = mailbox_index_cache_field(cache, field);

	if (idx < 0)
		return 0;
	return mail_cache_lookup_field(cache->view, uid, (unsigned int)idx,
				       saved_date, dest);
}

void mailbox_index_cache_add(struct mailbox_index_cache *cache, uint32_t uid,
			     const char *field, const void *data, size_t size)
{
	int idx = mailbox_index_cache_field(cache, field);

	if (idx < 0)
		return;
	/* header fields are added only after a parse that read them anyway
	   (after a lookup of theirs, or for an ENVELOPE): kept for new mail
	   until purges find nobody looking them up */
	if (strncmp(field, "hdr.", 4) == 0)
		mail_cache_decision_add(cache->cache, (unsigned int)idx);
	mail_cache_add(cache->view, uid, (unsigned int)idx, data, size);
	if (mail_cache_view_pending_size(cache->view) >=
	    MAILBOX_INDEX_CACHE_FLUSH_SIZE)
		mailbox_index_cache_flush(cache);
}

void mailbox_index_cache_flush(struct mailbox_index_cache *cache)
{
	if (cache != NULL && cache->view != NULL &&
	    mail_cache_view_flush(cache->view) < 0)
		log_error("%s: writing to the cache file failed "
			  "(the data is parsed again when fetched)",
			  cache->index_dir);
}

void mailbox_index_cache_close(struct mailbox_index_cache *cache)
{
	if (cache == NULL || cache->cache == NULL)
		return;
	if (cache->view != NULL)
		mail_cache_view_close(&cache->view);
	if (cache->iview != NULL)
		mail_index_view_close(&cache->iview);
	/* dead records of expunged mail and dropped fields go away here,
	   not in the middle of a command */
	if (mail_cache_need_purge(cache->cache) &&
	    mail_cache_purge(cache->cache) < 0)
		log_error("%s: purging the cache file failed", cache->index_dir);
	mail_cache_free(&cache->cache);
}
