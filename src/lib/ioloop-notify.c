/* Copyright (c) dovecot-like authors. File-change watches for the event loop:
   one inotify fd per ioloop, read as a normal io, whose events wake the
   watches (io_add_notify()) registered on the changed path. */
#include "lib.h"
#include "ioloop.h"
#include "ioloop-private.h"

#include <limits.h>
#include <unistd.h>
#include <sys/inotify.h>

/* Everything that can mean "the mailbox changed": entries appearing or going
   in a directory (an MTA's tmp/ -> new/ rename, a flag change renaming a file
   in cur/), and a file written or appended to (an index log, an mbox). */
#define IO_NOTIFY_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
			IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB | \
			IN_DELETE_SELF | IN_MOVE_SELF)
/* Room for many events per read (each is a header + a NAME_MAX name). */
#define IO_NOTIFY_BUF_SIZE (16 * (sizeof(struct inotify_event) + NAME_MAX + 1))

struct io_notify_watch {
	struct io_notify_watch *next;
	struct io *io;
	int wd;		/* -1 once the kernel dropped it (IN_IGNORED) */
	bool pending;	/* an event arrived; callback not yet run */
	io_callback_t *callback;
	void *context;
};

struct ioloop_notify {
	int fd;
	struct io *io;
	struct io_notify_watch *watches;
};

static struct io_notify_watch *
io_notify_find_pending(struct ioloop_notify *notify)
{
	struct io_notify_watch *w;

	for (w = notify->watches; w != NULL; w = w->next) {
		if (w->pending)
			return w;
	}
	return NULL;
}

static void io_notify_mark(struct ioloop_notify *notify,
			   const struct inotify_event *ev)
{
	struct io_notify_watch *w;

	for (w = notify->watches; w != NULL; w = w->next) {
		if (w->wd != ev->wd || w->wd < 0)
			continue;
		w->pending = true;
		if ((ev->mask & IN_IGNORED) != 0)
			w->wd = -1;	/* path gone: no more events */
	}
}

/* Reads every queued event, then runs each woken watch's callback once.
   A callback may remove any watch: the list is searched again each time. */
static void io_notify_input(void *context)
{
	struct ioloop_notify *notify = context;
	char buf[IO_NOTIFY_BUF_SIZE]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	struct io_notify_watch *w;
	ssize_t ret;
	size_t pos;

	for (;;) {
		ret = read(notify->fd, buf, sizeof(buf));
		if (ret < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_error("read(inotify) failed: %m");
			break;
		}
		for (pos = 0; pos + sizeof(struct inotify_event) <= (size_t)ret; ) {
			const struct inotify_event *ev =
				(const struct inotify_event *)(buf + pos);

			io_notify_mark(notify, ev);
			pos += sizeof(*ev) + ev->len;
		}
		if ((size_t)ret < sizeof(buf) / 2)
			break;	/* most likely drained */
	}
	while ((w = io_notify_find_pending(notify)) != NULL) {
		w->pending = false;
		w->callback(w->context);
	}
}

static struct ioloop_notify *io_notify_get(struct ioloop *ioloop)
{
	struct ioloop_notify **notifyp = io_loop_get_notify_ptr(ioloop);
	int fd;

	if (*notifyp != NULL)
		return *notifyp;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return NULL;
	*notifyp = p_malloc(system_pool, sizeof(**notifyp));
	(*notifyp)->fd = fd;
	(*notifyp)->io = io_add(fd, IO_READ, io_notify_input, *notifyp);
	return *notifyp;
}

struct io *io_add_notify(const char *path, io_callback_t *callback,
			 void *context)
{
	struct ioloop_notify *notify;
	struct io_notify_watch *w;
	int wd;

	ASSERT(current_ioloop != NULL);
	notify = io_notify_get(current_ioloop);
	if (notify == NULL)
		return NULL;
	/* the same path gives the same wd; the mask is always the same, so
	   a second add does not change the first watch */
	wd = inotify_add_watch(notify->fd, path, IO_NOTIFY_MASK);
	if (wd < 0)
		return NULL;
	w = p_malloc(system_pool, sizeof(*w));
	w->io = io_alloc_notify();
	w->wd = wd;
	w->callback = callback;
	w->context = context;
	w->next = notify->watches;
	notify->watches = w;
	return w->io;
}

static bool io_notify_wd_used(struct ioloop_notify *notify, int wd)
{
	struct io_notify_watch *w;

	for (w = notify->watches; w != NULL; w = w->next) {
		if (w->wd == wd)
			return true;
	}
	return false;
}

void io_notify_remove(struct ioloop *ioloop, struct io *io)
{
	struct ioloop_notify *notify = *io_loop_get_notify_ptr(ioloop);
	struct io_notify_watch **wp, *w;

	ASSERT(notify != NULL);
	for (wp = &notify->watches; *wp != NULL; wp = &(*wp)->next) {
		if ((*wp)->io == io)
			break;
	}
	ASSERT(*wp != NULL);
	w = *wp;
	*wp = w->next;
	/* the kernel keeps one watch per path: drop it with the last user
	   (EINVAL: it went away with the path already) */
	if (w->wd >= 0 && !io_notify_wd_used(notify, w->wd) &&
	    inotify_rm_watch(notify->fd, w->wd) < 0 && errno != EINVAL)
		log_error("inotify_rm_watch() failed: %m");
	p_free(system_pool, w);
}

void io_loop_notify_deinit(struct ioloop *ioloop)
{
	struct ioloop_notify **notifyp = io_loop_get_notify_ptr(ioloop);
	struct ioloop_notify *notify = *notifyp;
	struct io_notify_watch *w;

	if (notify == NULL)
		return;
	*notifyp = NULL;
	while ((w = notify->watches) != NULL) {
		notify->watches = w->next;
		log_warning("Notify leak: %p", (void *)w->callback);
		p_free(system_pool, w->io);
		p_free(system_pool, w);
	}
	io_remove(&notify->io);
	if (close(notify->fd) < 0)
		log_error("close(inotify) failed: %m");
	p_free(system_pool, notify);
}
