/* Copyright (c) dovecot-like authors. The post-login TLS proxy: the worker
   must never hold the TLS socket (it cannot do TLS and must not see the
   keys), so the login process shuttles bytes between the TLS streams and
   the socketpair the worker got, with bounded buffers both ways, until one
   side is done. Many proxies per process, all on the one ioloop. */

#include "lib.h"
#include "ioloop.h"
#include "istream.h"
#include "ostream.h"
#include "iostream-ssl.h"
#include "login-client.h"
#include "login-proxy.h"
#include "login-ssl.h"

#include <unistd.h>
#include <sys/socket.h>

/* One direction: reading src, writing dest. */
struct login_proxy_side {
	struct login_proxy *proxy;
	struct login_proxy_side *other;
	const char *name;	/* "client" or "worker": who we read from */
	int fd;
	struct istream *input;
	struct ostream *output;	/* towards this side */
	struct io *io;
	struct timeout *to_pending;
	uoff_t bytes;		/* read from this side */
	bool eof;		/* this side sent EOF */
	bool shut_down;		/* we sent EOF (SHUT_WR) towards this side */
};

struct login_proxy {
	struct login_proxy *prev, *next;
	struct pool *pool;
	struct ssl_iostream *ssl;
	struct login_proxy_side client, server;
	const char *log_elements;
	time_t created;
	bool destroyed;
};

static struct login_proxy *login_proxies = NULL;
static unsigned int login_proxies_counter = 0;

static void login_proxy_side_read(struct login_proxy_side *side);
static void login_proxy_check_done(struct login_proxy *proxy);

/* Writing to the worker failed: it is gone or going. What it wrote before
   still has to reach the client, so only the client's input is dropped
   from now on; the worker's EOF ends the proxy. */
static void login_proxy_worker_write_failed(struct login_proxy *proxy)
{
	proxy->client.eof = true;
	proxy->server.shut_down = true;
	io_remove(&proxy->client.io);
	timeout_remove(&proxy->client.to_pending);
	login_proxy_check_done(proxy);
}

static void login_proxy_side_pending(void *context)
{
	struct login_proxy_side *side = context;

	side->to_pending = NULL;	/* removed itself */
	login_proxy_side_read(side);
}

static void login_proxy_destroy(struct login_proxy *proxy, const char *reason)
{
	struct login_proxy_side *sides[2] = { &proxy->client, &proxy->server };
	struct pool *pool = proxy->pool;
	unsigned int i;

	if (proxy->destroyed)
		return;
	proxy->destroyed = true;
	log_info("Disconnected: %s (TLS proxy, in=%llu out=%llu, %u secs): %s",
		 reason, (unsigned long long)proxy->client.bytes,
		 (unsigned long long)proxy->server.bytes,
		 (unsigned int)(ioloop_time - proxy->created),
		 proxy->log_elements);

	if (proxy->prev != NULL)
		proxy->prev->next = proxy->next;
	else
		login_proxies = proxy->next;
	if (proxy->next != NULL)
		proxy->next->prev = proxy->prev;
	login_proxies_counter--;

	for (i = 0; i < 2; i++) {
		io_remove(&sides[i]->io);
		timeout_remove(&sides[i]->to_pending);
		istream_unref(&sides[i]->input);
		/* best effort: the last words (a BYE) go out if they can */
		ostream_destroy(&sides[i]->output);
	}
	if (proxy->ssl != NULL)
		ssl_iostream_unref(&proxy->ssl);
	for (i = 0; i < 2; i++) {
		if (sides[i]->fd != -1 && close(sides[i]->fd) < 0)
			log_error("close(proxy %s) failed: %m", sides[i]->name);
	}
	pool_unref(&pool);
	login_listeners_client_gone();
}

static const char *login_proxy_side_error(struct login_proxy_side *side,
					  bool reading)
{
	struct login_proxy *proxy = side->proxy;
	const char *error = NULL;

	if (side == &proxy->client && proxy->ssl != NULL)
		error = login_ssl_get_error(proxy->ssl);
	if (error == NULL) {
		error = reading ? istream_get_error(side->input) :
			ostream_get_error(side->output);
	}
	return tmp_printf("%s %s failed: %s", side->name,
			  reading ? "read" : "write", error);
}

/* Both directions are done once each side sent EOF and what it sent was
   delivered; a worker's EOF ends the session even if the client keeps
   its half open (it has nothing more to say to anyone). */
static void login_proxy_check_done(struct login_proxy *proxy)
{
	if (proxy->server.eof &&
	    ostream_get_buffer_used(proxy->client.output) == 0) {
		login_proxy_destroy(proxy, proxy->client.eof ?
				    "Connection closed" :
				    "Connection closed by the worker");
		return;
	}
	if (proxy->client.eof && !proxy->server.shut_down &&
	    ostream_get_buffer_used(proxy->server.output) == 0) {
		/* pass the client's EOF on; the worker ends the session and
		   closes, which ends us */
		proxy->server.shut_down = true;
		if (shutdown(proxy->server.fd, SHUT_WR) < 0 && errno != ENOTCONN)
			log_error("shutdown(proxy worker) failed: %m");
	}
}

/* side's output drained: resume reading the other side. */
static int login_proxy_output_flushed(void *context)
{
	struct login_proxy_side *side = context;
	struct login_proxy_side *reader = side->other;
	struct login_proxy *proxy = side->proxy;

	if (side->output->stream_errno != 0) {
		if (side == &proxy->server)
			login_proxy_worker_write_failed(proxy);
		else {
			login_proxy_destroy(proxy,
				login_proxy_side_error(side, false));
		}
		return 1;
	}
	if (ostream_get_buffer_used(side->output) > 0)
		return 1;
	if (reader->eof) {
		login_proxy_check_done(proxy);
		return 1;
	}
	if (reader->io == NULL && reader->to_pending == NULL) {
		/* not from inside the ostream's callback */
		reader->to_pending = timeout_add_short_once(0,
			login_proxy_side_pending, reader);
	}
	return 1;
}

static void login_proxy_side_input(void *context)
{
	login_proxy_side_read(context);
}

static void login_proxy_side_read(struct login_proxy_side *side)
{
	struct login_proxy *proxy = side->proxy;
	struct ostream *dest = side->other->output;
	const unsigned char *data;
	size_t size;
	ssize_t ret;

	for (;;) {
		if (ostream_get_buffer_used(dest) >= LOGIN_PROXY_MAX_OUTBUF_SIZE) {
			/* stop reading until the other side catches up */
			io_remove(&side->io);
			return;
		}
		ret = istream_read(side->input);
		data = istream_get_data(side->input, &size);
		if (size > 0) {
			if (side->other->output->stream_errno != 0 ||
			    ostream_send(dest, data, size) < 0) {
				if (side == &proxy->client) {
					login_proxy_worker_write_failed(proxy);
					return;
				}
				login_proxy_destroy(proxy,
					login_proxy_side_error(side->other, false));
				return;
			}
			side->bytes += size;
			istream_skip(side->input, size);
		}
		if (ret == 0)
			break;
		if (ret == -1) {
			/* a worker closing with unread input resets the
			   socketpair: after its data, that is just EOF */
			if (side->input->stream_errno != 0 &&
			    !(side == &proxy->server &&
			      side->input->stream_errno == ECONNRESET)) {
				login_proxy_destroy(proxy,
					login_proxy_side_error(side, true));
				return;
			}
			side->eof = true;
			io_remove(&side->io);
			login_proxy_check_done(proxy);
			return;
		}
		/* ret > 0 or -2 (buffer was full, now emptied): keep going,
		   TLS may hold more than the fd shows */
	}
	if (side->io == NULL)
		side->io = io_add(side->fd, IO_READ, login_proxy_side_input, side);
}

static void login_proxy_side_init(struct login_proxy *proxy,
				  struct login_proxy_side *side,
				  struct login_proxy_side *other, const char *name)
{
	side->proxy = proxy;
	side->other = other;
	side->name = name;
	ostream_set_flush_callback(side->output, login_proxy_output_flushed, side);
	/* start from the loop: there may be data buffered already */
	side->to_pending = timeout_add_short_once(0, login_proxy_side_pending,
						   side);
}

void login_proxy_create(struct client *client, int server_fd)
{
	struct login_proxy *proxy;
	struct pool *pool;

	ASSERT(client->ssl != NULL && client->fd != -1);

	pool = pool_create("login proxy", 512, 0);
	proxy = pool_new(pool, struct login_proxy, 1);
	proxy->pool = pool;
	proxy->created = ioloop_time;
	proxy->log_elements = p_strdup(pool, client_get_log_elements(client));

	/* steal the client's TLS connection */
	proxy->ssl = client->ssl;
	client->ssl = NULL;
	proxy->client.fd = client->fd;
	client->fd = -1;
	io_remove(&client->io);
	proxy->client.input = client->input;
	client->input = NULL;
	proxy->client.output = client->output;
	client->output = NULL;
	istream_set_max_buffer_size(proxy->client.input,
				    LOGIN_PROXY_MAX_INBUF_SIZE);

	fd_set_nonblock(server_fd, true);
	fd_close_on_exec(server_fd, true);
	proxy->server.fd = server_fd;
	proxy->server.input = istream_create_fd(server_fd,
						LOGIN_PROXY_MAX_INBUF_SIZE, false);
	proxy->server.output = ostream_create_fd(server_fd, 0, false);

	login_proxy_side_init(proxy, &proxy->client, &proxy->server, "client");
	login_proxy_side_init(proxy, &proxy->server, &proxy->client, "worker");

	proxy->next = login_proxies;
	if (login_proxies != NULL)
		login_proxies->prev = proxy;
	login_proxies = proxy;
	login_proxies_counter++;
}

unsigned int login_proxies_count(void)
{
	return login_proxies_counter;
}

void login_proxies_destroy_all(void)
{
	while (login_proxies != NULL)
		login_proxy_destroy(login_proxies, "Server shutting down");
}
