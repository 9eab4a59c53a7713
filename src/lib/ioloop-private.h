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

#endif
