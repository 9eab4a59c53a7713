/* Copyright (c) dovecot-like authors. main.c: the auth and auth-worker
   processes (one binary; "-w" or DLIKE_SERVICE=auth-worker selects the
   worker): only wiring of settings, privilege drop, listeners and the ioloop. */
#include "lib.h"
#include "ioloop.h"
#include "net.h"
#include "process-title.h"
#include "master-service.h"
#include "auth-common.h"
#include "auth-settings.h"
#include "auth-protocol.h"
#include "auth-client-connection.h"
#include "auth-master-connection.h"
#include "auth-request-handler.h"
#include "auth-penalty.h"
#include "auth-worker-client.h"
#include "auth-worker-server.h"
#include "db-passwd-file.h"
#include "mech.h"
#include "passdb.h"
#include "userdb.h"

#include <stdlib.h>
#include <signal.h>
#include <sodium.h>

struct auth_listener {
	const struct master_listener *ml;
	enum auth_listener_type type;
	struct io *io;
	const char *path;
};

static struct ioloop *ioloop;
static struct auth_listener *auth_listeners;
static unsigned int auth_listener_count;

static void sig_die(int signo, void *context)
{
	io_loop_stop(ioloop);
}

static void auth_accept(void *context)
{
	struct auth_listener *l = context;
	int fd;

	fd = net_accept(l->ml->fd, NULL, NULL);
	if (fd < 0) {
		if (fd == -2)
			log_error("accept(%s) failed: %m", l->ml->name);
		return;
	}
	switch (l->type) {
	case AUTH_LISTENER_LOGIN:
	case AUTH_LISTENER_CLIENT:
		(void)auth_client_connection_create(fd, l->type == AUTH_LISTENER_LOGIN);
		break;
	case AUTH_LISTENER_MASTER:
	case AUTH_LISTENER_USERDB:
		auth_master_connection_create(fd, l->type == AUTH_LISTENER_USERDB,
					      l->path);
		break;
	case AUTH_LISTENER_TOKEN:
		(void)auth_client_connection_create(fd, false);
		break;
	}
}

static void auth_listeners_init(struct master_service *service, bool worker)
{
	unsigned int i;

	auth_listeners = pool_new(system_pool, struct auth_listener,
				  service->listener_count + 1);
	for (i = 0; i < service->listener_count; i++) {
		const struct master_listener *ml = &service->listeners[i];
		struct auth_listener *l = &auth_listeners[auth_listener_count++];

		l->ml = ml;
		if (worker) {
			auth_worker_server_listen(ml->fd);
			continue;
		}
		l->type = auth_listener_type_from_name(ml->name);
		if (ml->is_unix) {
			l->path = p_printf(system_pool, "%s/%s",
					   auth_set->base_dir, ml->name);
		}
		fd_set_nonblock(ml->fd, true);
		l->io = io_add(ml->fd, IO_READ, auth_accept, l);
	}
}

static void auth_listeners_deinit(void)
{
	unsigned int i;

	for (i = 0; i < auth_listener_count; i++)
		io_remove(&auth_listeners[i].io);
}

int main(int argc, char *argv[])
{
	struct master_service *service;
	const char *service_name, *error;
	bool worker = false;
	int i;

	process_title_init(argc, &argv);
	lib_init();
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-w") == 0)
			worker = true;
	}
	service_name = getenv(MASTER_ENV_SERVICE);
	if (service_name != NULL && strcmp(service_name, "auth-worker") == 0)
		worker = true;
	service = master_service_init(worker ? "auth-worker" : "auth", &argc, &argv);
	if (sodium_init() < 0)
		log_fatal("sodium_init() failed");
	auth_settings_init(service->set);
	log_set_debug(auth_set->debug);

	if (!worker) {
		if (mechs_init(auth_set->mechanisms, &error) < 0)
			log_fatal("auth_mechanisms: %s", error);
		passdbs_init(service->set);
		userdbs_init(service->set);
		/* before the privilege drop: the socket is root's, 0600 */
		auth_penalty_init(tmp_printf("%s/anvil-auth-penalty",
					     auth_set->base_dir));
	}
	master_service_drop_privileges(service);
	process_title_set(worker ? "dovecot-like/auth-worker" : "dovecot-like/auth");

	ioloop = io_loop_create();
	lib_signals_set_handler(SIGTERM, sig_die, NULL);
	lib_signals_set_handler(SIGINT, sig_die, NULL);
	if (!worker) {
		auth_worker_client_init(tmp_printf("%s/auth-worker",
						   auth_set->base_dir));
	}
	auth_listeners_init(service, worker);

	io_loop_run(ioloop);

	auth_listeners_deinit();
	if (worker)
		auth_worker_server_deinit();
	else {
		auth_client_connections_destroy_all();
		auth_master_connections_destroy_all();
		auth_request_handlers_deinit();
		auth_penalty_deinit();
		auth_worker_client_deinit();
		passwd_files_deinit();
	}
	io_loop_destroy(&ioloop);
	master_service_deinit(&service);
	lib_deinit();
	return 0;
}
