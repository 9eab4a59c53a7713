/* Copyright (c) dovecot-like authors. main.c: the anvil service: counts the
   live connections per user+IP (mail_max_userip_connections) for the
   workers and the authentication failure penalty per IP for auth; only
   wiring lives here. */
#include "lib.h"
#include "ioloop.h"
#include "net.h"
#include "process-title.h"
#include "master-service.h"
#include "anvil-registry.h"
#include "anvil-penalty.h"
#include "anvil-connection.h"

#include <signal.h>
#include <string.h>

/* How often expired penalty entries are dropped (lookups ignore them
   anyway; this only returns the memory). */
#define ANVIL_PENALTY_EXPIRE_INTERVAL_MSECS (60 * 1000)

static struct anvil_registry *registry;
static struct anvil_penalty *penalty;

static void anvil_penalty_expire_timeout(void *context ATTR_UNUSED)
{
	anvil_penalty_expire(penalty, ioloop_time);
}

static void anvil_listen_input(void *context)
{
	struct master_listener *l = context;
	int fd;

	fd = net_accept(l->fd, NULL, NULL);
	if (fd == -1)
		return;	/* nothing to accept after all */
	if (fd < 0) {
		log_error("accept(%s) failed: %m", l->name);
		return;
	}
	anvil_connection_create(fd, registry, penalty);
}

static void anvil_sig_die(int signo ATTR_UNUSED, void *context ATTR_UNUSED)
{
	io_loop_stop(current_ioloop);
}

int main(int argc, char *argv[])
{
	struct master_service *service;
	struct ioloop *ioloop;
	struct io **ios;
	struct timeout *to_expire;
	unsigned int i;

	lib_init();
	process_title_init(argc, &argv);
	service = master_service_init("anvil", &argc, &argv);
	master_service_drop_privileges(service);
	process_title_set("dovecot-like/anvil");
	registry = anvil_registry_create();
	penalty = anvil_penalty_create();

	ioloop = io_loop_create();
	lib_signals_set_handler(SIGTERM, anvil_sig_die, NULL);
	lib_signals_set_handler(SIGINT, anvil_sig_die, NULL);
	ios = pool_new(system_pool, struct io *, service->listener_count + 1);
	for (i = 0; i < service->listener_count; i++) {
		struct master_listener *l = &service->listeners[i];

		/* every listener speaks the same protocol (anvil,
		   anvil-auth-penalty) */
		if (!l->is_unix || l->fd < 0)
			continue;
		fd_set_nonblock(l->fd, true);
		ios[i] = io_add(l->fd, IO_READ, anvil_listen_input, l);
	}
	to_expire = timeout_add(ANVIL_PENALTY_EXPIRE_INTERVAL_MSECS,
				anvil_penalty_expire_timeout, NULL);
	io_loop_run(ioloop);
	timeout_remove(&to_expire);

	for (i = 0; i < service->listener_count; i++)
		io_remove(&ios[i]);
	p_free(system_pool, ios);
	anvil_connections_destroy_all();
	anvil_registry_destroy(&registry);
	anvil_penalty_destroy(&penalty);
	io_loop_destroy(&ioloop);
	master_service_deinit(&service);
	lib_deinit();
	return 0;
}
