/* Copyright (c) dovecot-like authors. The process's single event loop: epoll
   for fds (one registration per fd, read and write ios combined), a sorted
   timer list, and signals delivered through signalfd. */
#include "lib.h"
#include "ioloop.h"
#include "ioloop-private.h"

#include <unistd.h>
#include <sys/epoll.h>

#define IOLOOP_MAX_EVENTS 128

time_t ioloop_time;
struct timeval ioloop_timeval;
struct ioloop *current_ioloop = NULL;

struct io {
	struct ioloop *ioloop;
	int fd;
	enum io_condition cond;
	io_callback_t *callback;
	void *context;
};

/* What is registered for one fd. */
struct io_fd {
	struct io *read, *write;
	uint32_t registered;	/* epoll events currently set, 0 = none */
	bool always_ready;	/* regular file: epoll refuses it (EPERM) */
};

struct timeout {
	struct ioloop *ioloop;
	struct timeout *prev, *next;
	uint64_t next_run_ms;	/* monotonic */
	unsigned int msecs;
	unsigned int run_gen;
	io_callback_t *callback;
	void *context;
	bool one_shot, running, removed, linked;
};

struct ioloop {
	struct ioloop *prev;
	int epfd;
	bool running;
	struct io_fd *fds;
	unsigned int fds_count;
	unsigned int always_ready_count;
	struct timeout *timeouts;
	unsigned int run_gen;
	unsigned int callback_depth;
	struct io *signal_io;
	struct ioloop_notify *notify;	/* ioloop-notify.c, NULL = unused */
};

static unsigned int ioloop_callback_depth;

static uint64_t ioloop_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void ioloop_update_time(void)
{
	if (gettimeofday(&ioloop_timeval, NULL) < 0)
		panic("gettimeofday() failed: %m");
	ioloop_time = ioloop_timeval.tv_sec;
}

/* Run a callback; the tmp pool is reset when the outermost one returns, so
   a nested loop inside a callback does not free the caller's tmp values. */
static void ioloop_call(io_callback_t *callback, void *context)
{
	ioloop_callback_depth++;
	callback(context);
	if (--ioloop_callback_depth == 0)
		tmp_reset();
}

void ioloop_call_signal(signal_callback_t *callback, int signo, void *context)
{
	ioloop_callback_depth++;
	callback(signo, context);
	if (--ioloop_callback_depth == 0)
		tmp_reset();
}

struct ioloop *io_loop_create(void)
{
	struct ioloop *ioloop = p_malloc(system_pool, sizeof(*ioloop));

	ioloop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ioloop->epfd < 0)
		log_fatal("epoll_create1() failed: %m");
	ioloop->prev = current_ioloop;
	current_ioloop = ioloop;
	ioloop_update_time();
	lib_signals_ioloop_attach(ioloop);
	return ioloop;
}

void io_loop_destroy(struct ioloop **_ioloop)
{
	struct ioloop *ioloop = *_ioloop;
	struct timeout *to, *next;
	unsigned int i;

	if (ioloop == NULL)
		return;
	*_ioloop = NULL;
	lib_signals_ioloop_detach(ioloop);
	io_remove(&ioloop->signal_io);
	io_loop_notify_deinit(ioloop);
	for (i = 0; i < ioloop->fds_count; i++) {
		struct io_fd *f = &ioloop->fds[i];

		if (f->read != NULL || f->write != NULL)
			log_warning("I/O leak: fd %u still watched", i);
		p_free(system_pool, f->read);
		p_free(system_pool, f->write);
	}
	for (to = ioloop->timeouts; to != NULL; to = next) {
		next = to->next;
		log_warning("Timeout leak: %p", (void *)to->callback);
		p_free(system_pool, to);
	}
	if (close(ioloop->epfd) < 0)
		log_error("close(epoll) failed: %m");
	p_free(system_pool, ioloop->fds);
	if (current_ioloop == ioloop)
		current_ioloop = ioloop->prev;
	p_free(system_pool, ioloop);
}

void io_loop_set_signal_io(struct ioloop *ioloop, struct io *io)
{
	ioloop->signal_io = io;
}

struct io *io_loop_get_signal_io(struct ioloop *ioloop)
{
	return ioloop->signal_io;
}

struct ioloop_notify **io_loop_get_notify_ptr(struct ioloop *ioloop)
{
	return &ioloop->notify;
}

struct io *io_alloc_notify(void)
{
	struct io *io = p_malloc(system_pool, sizeof(*io));

	ASSERT(current_ioloop != NULL);
	io->ioloop = current_ioloop;
	io->fd = -1;	/* marks a file-change watch (ioloop-notify.c) */
	return io;
}

static struct io_fd *ioloop_fd(struct ioloop *ioloop, int fd)
{
	if ((unsigned int)fd >= ioloop->fds_count) {
		unsigned int new_count = ioloop->fds_count < 64 ?
			64 : ioloop->fds_count;

		while (new_count <= (unsigned int)fd)
			new_count *= 2;
		ioloop->fds = p_realloc(system_pool, ioloop->fds,
					sizeof(struct io_fd) * ioloop->fds_count,
					sizeof(struct io_fd) * new_count);
		ioloop->fds_count = new_count;
	}
	return &ioloop->fds[fd];
}

static void ioloop_fd_update(struct ioloop *ioloop, int fd, struct io_fd *f)
{
	struct epoll_event ev;
	uint32_t events = 0;
	int op;

	if (f->read != NULL)
		events |= EPOLLIN;
	if (f->write != NULL)
		events |= EPOLLOUT;
	if (f->always_ready) {
		if (events == 0) {
			f->always_ready = false;
			ioloop->always_ready_count--;
		}
		return;
	}
	if (events == f->registered)
		return;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.fd = fd;
	op = f->registered == 0 ? EPOLL_CTL_ADD :
		events == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
	if (epoll_ctl(ioloop->epfd, op, fd, &ev) < 0) {
		if (op == EPOLL_CTL_ADD && errno == EPERM) {
			/* regular files are always readable/writable */
			f->always_ready = true;
			ioloop->always_ready_count++;
			return;
		}
		if (op == EPOLL_CTL_DEL && (errno == EBADF || errno == ENOENT)) {
			/* fd was closed before io_remove(): already gone */
		} else if (op == EPOLL_CTL_MOD && errno == ENOENT &&
			   epoll_ctl(ioloop->epfd, EPOLL_CTL_ADD, fd, &ev) == 0) {
			/* the old fd was closed and its number reused */
		} else {
			panic("epoll_ctl(%s, %d) failed: %m",
			      op == EPOLL_CTL_ADD ? "add" :
			      op == EPOLL_CTL_DEL ? "del" : "mod", fd);
		}
	}
	f->registered = events;
}

struct io *io_add(int fd, enum io_condition cond, io_callback_t *callback,
		  void *context)
{
	struct ioloop *ioloop = current_ioloop;
	struct io_fd *f;
	struct io *io;

	ASSERT(ioloop != NULL);
	ASSERT(fd >= 0);
	ASSERT(cond == IO_READ || cond == IO_WRITE);

	f = ioloop_fd(ioloop, fd);
	io = p_malloc(system_pool, sizeof(*io));
	io->ioloop = ioloop;
	io->fd = fd;
	io->cond = cond;
	io->callback = callback;
	io->context = context;
	if (cond == IO_READ) {
		ASSERT(f->read == NULL);
		f->read = io;
	} else {
		ASSERT(f->write == NULL);
		f->write = io;
	}
	ioloop_fd_update(ioloop, fd, f);
	return io;
}

void io_remove(struct io **_io)
{
	struct io *io = *_io;
	struct io_fd *f;

	if (io == NULL)
		return;
	*_io = NULL;
	if (io->fd < 0) {
		io_notify_remove(io->ioloop, io);
		p_free(system_pool, io);
		return;
	}
	f = &io->ioloop->fds[io->fd];
	if (io->cond == IO_READ) {
		ASSERT(f->read == io);
		f->read = NULL;
	} else {
		ASSERT(f->write == io);
		f->write = NULL;
	}
	ioloop_fd_update(io->ioloop, io->fd, f);
	p_free(system_pool, io);
}

static void timeout_link(struct ioloop *ioloop, struct timeout *to)
{
	struct timeout *pos, *prev = NULL;

	/* after equal times, so a 0 ms timer cannot starve the others */
	for (pos = ioloop->timeouts; pos != NULL; pos = pos->next) {
		if (pos->next_run_ms > to->next_run_ms)
			break;
		prev = pos;
	}
	to->prev = prev;
	to->next = pos;
	if (pos != NULL)
		pos->prev = to;
	if (prev != NULL)
		prev->next = to;
	else
		ioloop->timeouts = to;
	to->linked = true;
}

static void timeout_unlink(struct timeout *to)
{
	if (!to->linked)
		return;
	if (to->prev != NULL)
		to->prev->next = to->next;
	else
		to->ioloop->timeouts = to->next;
	if (to->next != NULL)
		to->next->prev = to->prev;
	to->prev = to->next = NULL;
	to->linked = false;
}

static struct timeout *
timeout_add_full(unsigned int msecs, io_callback_t *callback, void *context,
		 bool one_shot)
{
	struct timeout *to;

	ASSERT(current_ioloop != NULL);
	to = p_malloc(system_pool, sizeof(*to));
	to->ioloop = current_ioloop;
	to->msecs = msecs;
	to->callback = callback;
	to->context = context;
	to->one_shot = one_shot;
	to->run_gen = current_ioloop->run_gen;
	to->next_run_ms = ioloop_now_ms() + msecs;
	timeout_link(current_ioloop, to);
	return to;
}

struct timeout *timeout_add(unsigned int msecs, io_callback_t *callback,
			    void *context)
{
	return timeout_add_full(msecs, callback, context, false);
}

struct timeout *timeout_add_short_once(unsigned int msecs, io_callback_t *callback,
				       void *context)
{
	return timeout_add_full(msecs, callback, context, true);
}

void timeout_remove(struct timeout **_to)
{
	struct timeout *to = *_to;

	if (to == NULL)
		return;
	*_to = NULL;
	timeout_unlink(to);
	if (to->running)
		to->removed = true;	/* freed when its callback returns */
	else
		p_free(system_pool, to);
}

void timeout_reset(struct timeout *to)
{
	if (to->removed || (to->one_shot && to->running))
		return;
	timeout_unlink(to);
	to->next_run_ms = ioloop_now_ms() + to->msecs;
	timeout_link(to->ioloop, to);
}

static int ioloop_get_wait_msecs(struct ioloop *ioloop)
{
	uint64_t now;

	if (ioloop->always_ready_count > 0)
		return 0;
	if (ioloop->timeouts == NULL)
		return -1;
	now = ioloop_now_ms();
	if (ioloop->timeouts->next_run_ms <= now)
		return 0;
	if (ioloop->timeouts->next_run_ms - now > INT32_MAX)
		return INT32_MAX;
	return (int)(ioloop->timeouts->next_run_ms - now);
}

static void ioloop_run_timeouts(struct ioloop *ioloop)
{
	uint64_t now = ioloop_now_ms();
	struct timeout *to;

	ioloop->run_gen++;
	while ((to = ioloop->timeouts) != NULL && to->next_run_ms <= now &&
	       to->run_gen != ioloop->run_gen && ioloop->running) {
		to->run_gen = ioloop->run_gen;
		timeout_unlink(to);
		if (!to->one_shot) {
			to->next_run_ms = now + to->msecs;
			timeout_link(ioloop, to);
		}
		to->running = true;
		ioloop_call(to->callback, to->context);
		to->running = false;
		if (to->one_shot || to->removed)
			p_free(system_pool, to);
	}
}

static void ioloop_handle_fd(struct ioloop *ioloop, int fd, uint32_t events)
{
	struct io_fd *f;
	struct io *io;

	if ((unsigned int)fd >= ioloop->fds_count)
		return;
	f = &ioloop->fds[fd];
	/* errors/hangups wake both sides so they see the EOF or error */
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0 &&
	    (io = f->read) != NULL)
		ioloop_call(io->callback, io->context);
	/* the read callback may have removed or replaced ios: look again */
	f = &ioloop->fds[fd];
	if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0 &&
	    (io = f->write) != NULL && ioloop->running)
		ioloop_call(io->callback, io->context);
}

static void ioloop_run_always_ready(struct ioloop *ioloop)
{
	unsigned int fd;

	for (fd = 0; fd < ioloop->fds_count && ioloop->running; fd++) {
		if (ioloop->fds[fd].always_ready)
			ioloop_handle_fd(ioloop, (int)fd, EPOLLIN | EPOLLOUT);
	}
}

static void io_loop_handler_run(struct ioloop *ioloop)
{
	struct epoll_event events[IOLOOP_MAX_EVENTS];
	int i, n;

	n = epoll_wait(ioloop->epfd, events, IOLOOP_MAX_EVENTS,
		       ioloop_get_wait_msecs(ioloop));
	if (n < 0 && errno != EINTR)
		panic("epoll_wait() failed: %m");
	ioloop_update_time();
	for (i = 0; i < n && ioloop->running; i++)
		ioloop_handle_fd(ioloop, events[i].data.fd, events[i].events);
	if (ioloop->always_ready_count > 0 && ioloop->running)
		ioloop_run_always_ready(ioloop);
	if (ioloop->running)
		ioloop_run_timeouts(ioloop);
}

void io_loop_run(struct ioloop *ioloop)
{
	ASSERT(!ioloop->running);
	ioloop->running = true;
	while (ioloop->running)
		io_loop_handler_run(ioloop);
}

void io_loop_stop(struct ioloop *ioloop)
{
	ioloop->running = false;
}
