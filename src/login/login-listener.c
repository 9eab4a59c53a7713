/* Copyright (c) dovecot-like authors. Accepting client connections on the
   listeners master handed us, within the process's client limit and
   service_count, and ending the process when it has served its clients. */

#include "lib.h"
#include "ioloop.h"
#include "net.h"
#include "master-service.h"
#include "login-client.h"
#include "login-proxy.h"
#include "login-ssl.h"

#include <unistd.h>

struct login_listener {
	int fd;
	const char *name;
	struct io *io;
	bool ssl;	/* implicit TLS (imaps, pop3s) */
};

static struct login_listener *listeners;
static unsigned int listeners_count;
static unsigned int accepted_count;
static bool listening = false;
static bool stopped = false;	/* service_count reached */

static void login_listeners_start(void);
static void login_listeners_stop(void);

static void login_listener_accept(void *context)
{
	struct login_listener *l = context;
	struct ip_addr remote_ip;
	unsigned int remote_port;
	int fd;

	fd = net_accept(l->fd, &remote_ip, &remote_port);
	if (fd == -1)
		return;		/* EAGAIN: another process took it */
	if (fd == -2) {
		if (errno != ECONNABORTED)
			log_error("accept(%s) failed: %m", l->name);
		return;
	}
	/* the socket option goes with the fd to the imap/pop3 worker */
	net_set_tcp_nodelay(fd);
	accepted_count++;
	if (login_set.service_count > 0 &&
	    accepted_count >= login_set.service_count) {
		/* this process has taken all it may: let master start another
		   one for the next clients */
		stopped = true;
		login_listeners_stop();
		master_service_send_status(login_service, "BUSY");
	} else if (login_connections_count() + 1 >= login_set.client_limit) {
		login_listeners_stop();
	}
	if (client_create(fd, l->ssl, &remote_ip, remote_port) == NULL)
		login_listeners_client_gone();
}

static void login_listeners_start(void)
{
	unsigned int i;

	if (listening || stopped)
		return;
	for (i = 0; i < listeners_count; i++) {
		listeners[i].io = io_add(listeners[i].fd, IO_READ,
					 login_listener_accept, &listeners[i]);
	}
	listening = true;
}

static void login_listeners_stop(void)
{
	unsigned int i;

	for (i = 0; i < listeners_count; i++)
		io_remove(&listeners[i].io);
	listening = false;
}

void login_listeners_init(void)
{
	const struct master_listener *ml;
	unsigned int i;

	listeners = pool_new(system_pool, struct login_listener,
			     login_service->listener_count + 1);
	for (i = 0; i < login_service->listener_count; i++) {
		ml = &login_service->listeners[i];
		if (ml->ssl && !login_ssl_is_available()) {
			/* never speak plaintext on an implicit-TLS port */
			log_warning("Listener %s needs SSL/TLS, but %s: "
				    "ignoring it", ml->name,
				    login_set.ssl == LOGIN_SSL_NO ? "ssl = no" :
				    "ssl_cert is not set");
			continue;
		}
		if (ml->is_unix) {
			log_warning("Unexpected unix listener %s: ignoring it",
				    ml->name);
			continue;
		}
		fd_set_nonblock(ml->fd, true);
		fd_close_on_exec(ml->fd, true);
		listeners[listeners_count].fd = ml->fd;
		listeners[listeners_count].name = ml->name;
		listeners[listeners_count].ssl = ml->ssl;
		listeners_count++;
	}
	if (listeners_count == 0)
		log_warning("No usable listeners");
	login_listeners_start();
}

void login_listeners_deinit(void)
{
	login_listeners_stop();
	p_free(system_pool, listeners);
	listeners = NULL;
	listeners_count = 0;
}

/* SIGQUIT from master (reload): take no new clients, and exit once the
   current ones (TLS proxies included) are done. */
void login_listeners_quit(void)
{
	stopped = true;
	login_listeners_stop();
	if (login_connections_count() == 0)
		io_loop_stop(current_ioloop);
}

unsigned int login_connections_count(void)
{
	return clients_get_count() + login_proxies_count();
}

void login_listeners_client_gone(void)
{
	if (stopped) {
		if (login_connections_count() == 0)
			io_loop_stop(current_ioloop);
		return;
	}
	if (!listening && login_connections_count() < login_set.client_limit)
		login_listeners_start();
}
