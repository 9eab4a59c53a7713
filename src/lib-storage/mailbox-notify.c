/* Copyright (c) dovecot-like authors. Change notification for a mailbox (IMAP
   IDLE): watches the paths the backend names (get_notify_paths) with the
   ioloop's file watches and tells the caller when to sync. */
#include "lib.h"
#include "ioloop.h"
#include "mail-storage-private.h"

struct mailbox_notify {
	struct mailbox *box;
	void (*callback)(void *context);
	void *context;
	unsigned int count;
	struct io **ios;	/* count of them, NULL = path not watched */
};

static void mailbox_notify_unwatch(struct mailbox_notify *notify)
{
	unsigned int i;

	for (i = 0; i < notify->count; i++)
		io_remove(&notify->ios[i]);
}

static void mailbox_notify_event(void *context);

/* Watches every path. -1 (errno set) if the first can't be watched, or a
   later one for another reason than not existing yet. */
static int mailbox_notify_watch(struct mailbox_notify *notify,
				const char *const *paths)
{
	unsigned int i;

	for (i = 0; i < notify->count && paths[i] != NULL; i++) {
		notify->ios[i] = io_add_notify(paths[i], mailbox_notify_event,
					       notify);
		if (notify->ios[i] == NULL && (i == 0 || errno != ENOENT))
			return -1;
	}
	return 0;
}

/* The files may have been replaced (an index log rotated, a log created
   since): watch the paths afresh before telling the caller. Changes between
   the unwatch and the watch are not lost: the caller's sync comes after. */
static void mailbox_notify_event(void *context)
{
	struct mailbox_notify *notify = context;
	const char *const *paths = notify->box->v->get_notify_paths(notify->box);

	mailbox_notify_unwatch(notify);
	if (mailbox_notify_watch(notify, paths) < 0) {
		log_warning("%s: can't watch for changes any more: %m",
			    notify->box->name);
	}
	notify->callback(notify->context);
}

int mailbox_notify_changes(struct mailbox *box,
			   void (*callback)(void *context), void *context)
{
	struct mailbox_notify *notify;
	const char *const *paths;
	unsigned int count;

	mailbox_notify_changes_stop(box);
	if (box->v->get_notify_paths == NULL) {
		errno = ENOTSUP;
		return -1;
	}
	paths = box->v->get_notify_paths(box);
	for (count = 0; paths[count] != NULL; count++) ;
	if (count == 0) {
		errno = ENOTSUP;
		return -1;
	}
	notify = p_malloc(system_pool, sizeof(*notify));
	notify->box = box;
	notify->callback = callback;
	notify->context = context;
	notify->count = count;
	notify->ios = p_malloc(system_pool, sizeof(*notify->ios) * count);
	box->notify = notify;
	if (mailbox_notify_watch(notify, paths) < 0) {
		int saved_errno = errno;

		mailbox_notify_changes_stop(box);
		errno = saved_errno;
		return -1;
	}
	return 0;
}

void mailbox_notify_changes_stop(struct mailbox *box)
{
	struct mailbox_notify *notify = box->notify;

	if (notify == NULL)
		return;
	box->notify = NULL;
	mailbox_notify_unwatch(notify);
	p_free(system_pool, notify->ios);
	p_free(system_pool, notify);
}
