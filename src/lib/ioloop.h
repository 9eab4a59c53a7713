/* Copyright (c) dovecot-like authors. ioloop.h: the one event loop per process
   (epoll), with fd watches, timers and signals (signalfd). Every callback runs
   with the tmp pool reset afterwards. Callbacks must never block. */
#ifndef IOLOOP_H
#define IOLOOP_H

#include <time.h>
#include <sys/time.h>

enum io_condition {
	IO_READ = 0x01,
	IO_WRITE = 0x02,
};

typedef void io_callback_t(void *context);
typedef void signal_callback_t(int signo, void *context);

struct io;
struct timeout;
struct ioloop;

/* Cached time of the latest wakeup. */
extern time_t ioloop_time;
extern struct timeval ioloop_timeval;
/* The ioloop in use (one per process). */
extern struct ioloop *current_ioloop;

struct ioloop *io_loop_create(void);
void io_loop_destroy(struct ioloop **ioloop);
/* Runs until io_loop_stop(). */
void io_loop_run(struct ioloop *ioloop);
void io_loop_stop(struct ioloop *ioloop);

/* Level-triggered. One io per (fd, condition); a read and a write io may share
   an fd. The callback gets context. */
struct io *io_add(int fd, enum io_condition cond, io_callback_t *callback,
		  void *context);
void io_remove(struct io **io);	/* NULL-safe, sets *io = NULL */

/* Watch a file or directory for changes (inotify): callback runs once per
   batch of changes (file created/deleted/renamed in a directory, a file
   written, appended to, closed after writing, its attributes changed, or the
   path itself deleted/moved). Several watches may share a path. Returns NULL
   with errno set when the path can't be watched (missing, inotify limit,
   no inotify); remove with io_remove(). */
struct io *io_add_notify(const char *path, io_callback_t *callback,
			 void *context);

/* One-shot unless re-added; timeout_add repeats every msecs until removed. */
struct timeout *timeout_add(unsigned int msecs, io_callback_t *callback,
			    void *context);
/* Runs once after msecs, then removes itself (the pointer the caller holds is
   invalid after the call: keep none, or clear it in the callback). */
struct timeout *timeout_add_short_once(unsigned int msecs, io_callback_t *callback,
				       void *context);
void timeout_remove(struct timeout **to);	/* NULL-safe */
/* Restart the timer from now. */
void timeout_reset(struct timeout *to);

/* Signals are delivered through the loop (signalfd), never in a handler.
   SIGPIPE is ignored by io_loop_create(). Several handlers per signal allowed. */
void lib_signals_set_handler(int signo, signal_callback_t *callback, void *context);
void lib_signals_unset_handler(int signo, signal_callback_t *callback, void *context);
/* Restore default dispositions/unblock all (e.g. before exec in a child). */
void lib_signals_reset_for_exec(void);

#endif
