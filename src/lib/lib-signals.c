/* Copyright (c) dovecot-like authors. Signals through signalfd: handlers run
   from the ioloop like any callback, never in async-signal context. */
#include "lib.h"
#include "ioloop.h"
#include "ioloop-private.h"

#include <signal.h>
#include <unistd.h>
#include <sys/signalfd.h>

#define MAX_SIGNAL 65

struct signal_handler {
	struct signal_handler *next;
	signal_callback_t *callback;
	void *context;
};

static struct signal_handler *signal_handlers[MAX_SIGNAL];
static sigset_t signal_mask;
static bool signal_mask_inited = false;
static int signal_fd = -1;

static bool signal_handler_exists(int signo, signal_callback_t *callback,
				  void *context)
{
	struct signal_handler *h;

	for (h = signal_handlers[signo]; h != NULL; h = h->next) {
		if (h->callback == callback && h->context == context)
			return true;
	}
	return false;
}

static void signal_dispatch(int signo)
{
	struct signal_handler *h, **copy;
	unsigned int i, count = 0;

	for (h = signal_handlers[signo]; h != NULL; h = h->next)
		count++;
	/* a handler may unset handlers: iterate over a snapshot and skip
	   the ones that are gone by the time their turn comes */
	copy = p_malloc(system_pool, sizeof(*copy) * (count + 1));
	i = 0;
	for (h = signal_handlers[signo]; h != NULL; h = h->next) {
		struct signal_handler *c = p_malloc(system_pool, sizeof(*c));

		*c = *h;
		copy[i++] = c;
	}
	for (i = 0; i < count; i++) {
		if (signal_handler_exists(signo, copy[i]->callback,
					  copy[i]->context))
			ioloop_call_signal(copy[i]->callback, signo,
					   copy[i]->context);
		p_free(system_pool, copy[i]);
	}
	p_free(system_pool, copy);
}

static void signal_read(void *context ATTR_UNUSED)
{
	struct signalfd_siginfo si[16];
	ssize_t ret;
	size_t i;

	for (;;) {
		ret = read(signal_fd, si, sizeof(si));
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_error("read(signalfd) failed: %m");
			return;
		}
		for (i = 0; i < (size_t)ret / sizeof(si[0]); i++) {
			if (si[i].ssi_signo < MAX_SIGNAL)
				signal_dispatch((int)si[i].ssi_signo);
		}
		if ((size_t)ret < sizeof(si))
			return;
	}
}

static void signals_update_fd(void)
{
	signal_fd = signalfd(signal_fd, &signal_mask,
			     SFD_NONBLOCK | SFD_CLOEXEC);
	if (signal_fd < 0)
		log_fatal("signalfd() failed: %m");
	if (current_ioloop != NULL &&
	    io_loop_get_signal_io(current_ioloop) == NULL)
		lib_signals_ioloop_attach(current_ioloop);
}

void lib_signals_ioloop_attach(struct ioloop *ioloop)
{
	struct sigaction sa;

	/* a write to a closed peer must give EPIPE, not kill us */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);

	if (signal_fd == -1 || io_loop_get_signal_io(ioloop) != NULL)
		return;
	io_loop_set_signal_io(ioloop, io_add(signal_fd, IO_READ,
					     signal_read, NULL));
}

void lib_signals_ioloop_detach(struct ioloop *ioloop)
{
	struct io *io = io_loop_get_signal_io(ioloop);

	io_remove(&io);
	io_loop_set_signal_io(ioloop, NULL);
}

void lib_signals_set_handler(int signo, signal_callback_t *callback, void *context)
{
	struct signal_handler *h;

	ASSERT(signo > 0 && signo < MAX_SIGNAL);
	if (!signal_mask_inited) {
		sigemptyset(&signal_mask);
		signal_mask_inited = true;
	}
	h = p_malloc(system_pool, sizeof(*h));
	h->callback = callback;
	h->context = context;
	h->next = signal_handlers[signo];
	signal_handlers[signo] = h;

	if (!sigismember(&signal_mask, signo)) {
		sigset_t set;

		sigaddset(&signal_mask, signo);
		sigemptyset(&set);
		sigaddset(&set, signo);
		if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
			log_fatal("sigprocmask() failed: %m");
		signals_update_fd();
	}
}

void lib_signals_unset_handler(int signo, signal_callback_t *callback, void *context)
{
	struct signal_handler **hp, *h;

	ASSERT(signo > 0 && signo < MAX_SIGNAL);
	for (hp = &signal_handlers[signo]; *hp != NULL; hp = &(*hp)->next) {
		if ((*hp)->callback == callback && (*hp)->context == context) {
			h = *hp;
			*hp = h->next;
			p_free(system_pool, h);
			break;
		}
	}
	/* the signal stays blocked and in the signalfd mask: unblocking
	   would let its default action (often: terminate) happen */
}

void lib_signals_reset_for_exec(void)
{
	struct sigaction sa;
	sigset_t set;
	int signo;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (signo = 1; signo < MAX_SIGNAL; signo++) {
		if (signo == SIGKILL || signo == SIGSTOP)
			continue;
		(void)sigaction(signo, &sa, NULL);
	}
	sigemptyset(&set);
	(void)sigprocmask(SIG_SETMASK, &set, NULL);
	sigemptyset(&signal_mask);
	if (signal_fd != -1) {
		(void)close(signal_fd);
		signal_fd = -1;
	}
}
