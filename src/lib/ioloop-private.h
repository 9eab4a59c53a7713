/* Copyright (c) dovecot-like authors. ioloop-private.h: the glue between the
   event loop and the signal code (lib-signals.c). */
#ifndef IOLOOP_PRIVATE_H
#define IOLOOP_PRIVATE_H

#include "ioloop.h"

/* Run a signal callback like any other loop callback (tmp reset after). */
void ioloop_call_signal(signal_callback_t *callback, int signo, void *context);
void io_loop_set_signal_io(struct ioloop *ioloop, struct io *io);
struct io *io_loop_get_signal_io(struct ioloop *ioloop);
/* Start/stop watching the signalfd from this loop. */
void lib_signals_ioloop_attach(struct ioloop *ioloop);
void lib_signals_ioloop_detach(struct ioloop *ioloop);

/* File-change watches (ioloop-notify.c). A notify io has fd -1; io_remove()
   calls io_notify_remove() before freeing it. */
struct ioloop_notify;
struct ioloop_notify **io_loop_get_notify_ptr(struct ioloop *ioloop);
struct io *io_alloc_notify(void);
void io_notify_remove(struct ioloop *ioloop, struct io *io);
/* Closes the inotify fd; warns about watches still registered. */
void io_loop_notify_deinit(struct ioloop *ioloop);

#endif
