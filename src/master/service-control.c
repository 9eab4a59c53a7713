/* Copyright (c) dovecot-like authors. service-control.c: reload (SIGHUP) and
   graceful stop (SIGTERM) of all services. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "ioloop.h"
#include "service.h"

#include <unistd.h>
#include <signal.h>

/* How long children get to exit after SIGTERM before SIGKILL. */
#define SERVICES_STOP_KILL_MSECS 5000

static struct timeout *stop_kill_to;

static void services_close_listeners(struct service_list *list)
{
	struct service *const *servicep;
	struct service_listener *l;

	array_foreach(&list->services, servicep) {
		array_foreach(&(*servicep)->listeners, l) {
			if (l->fd != -1) {
				close(l->fd);
				l->fd = -1;
			}
		}
	}
}

void services_reload(struct service_list *list, struct settings *new_set)
{
	const char *error;
	int fd;

	fd = settings_snapshot_create(new_set, &error);
	if (fd < 0) {
		log_error("reload: settings snapshot failed: %s", error);
		settings_free(&new_set);
		return;
	}
	close(list->config_fd);
	list->config_fd = fd;
	/* Processes started from now on read the new snapshot. Workers already
	   serving a user keep their settings until the session ends, and so do
	   login processes for the clients they have (TLS proxies included): they
	   stop accepting and new ones take over. Idle workers, auth and
	   auth-worker are restarted. Listeners stay as bound: a changed address
	   or port needs a restart. */
	settings_free(&list->set);
	list->set = new_set;
	{
		struct hash_iterate *iter = hash_table_iterate_init(list->processes);
		struct service *const *servicep;
		void *key, *value;

		while (hash_table_iterate(iter, &key, &value)) {
			if (service_process_is_login(value))
				service_process_quit(value);
			else if (service_process_is_daemon(value) ||
				 service_process_is_idle_worker(value))
				service_process_stop(value);
		}
		hash_table_iterate_deinit(&iter);
		array_foreach(&list->services, servicep)
			service_ensure_processes(*servicep);
	}
	log_info("Configuration reloaded");
}

static void services_stop_kill(void *context)
{
	struct service_list *list = context;

	timeout_remove(&stop_kill_to);
	log_warning("Processes did not exit in time, killing them");
	service_process_kill_all(list, SIGKILL, SERVICE_TYPE_LOG, true);
}

/* SIGTERM to the frontends (frontend = true) or to everyone else but log,
   which must see the others' last lines. Returns how many got it. */
static unsigned int services_stop_group(struct service_list *list, bool frontend)
{
	struct hash_iterate *iter = hash_table_iterate_init(list->processes);
	void *key, *value;
	unsigned int count = 0;

	while (hash_table_iterate(iter, &key, &value)) {
		if (service_process_is_log(value) ||
		    service_process_is_frontend(value) != frontend)
			continue;
		service_process_stop(value);
		count++;
	}
	hash_table_iterate_deinit(&iter);
	return count;
}

/* Graceful stop in two steps: the login processes and workers first, then
   auth, auth-worker and anvil once those are gone, so that no login
   process sees auth vanish under it (an error line at every stop). */
void services_stop(struct service_list *list)
{
	if (list->stopping)
		return;
	list->stopping = true;
	services_close_listeners(list);
	if (services_stop_group(list, true) == 0) {
		list->stopping_daemons = true;
		(void)services_stop_group(list, false);
	}
	stop_kill_to = timeout_add(SERVICES_STOP_KILL_MSECS, services_stop_kill, list);
}

/* Called as children exit. Only the log service is left (or nothing): the
   caller may exit. */
bool services_stop_done(struct service_list *list)
{
	struct hash_iterate *iter;
	void *key, *value;
	bool done = true, frontends = false;

	if (!list->stopping)
		return false;
	iter = hash_table_iterate_init(list->processes);
	while (hash_table_iterate(iter, &key, &value)) {
		if (!service_process_is_log(value))
			done = false;
		if (service_process_is_frontend(value))
			frontends = true;
	}
	hash_table_iterate_deinit(&iter);
	if (!frontends && !list->stopping_daemons) {
		list->stopping_daemons = true;
		if (services_stop_group(list, false) > 0)
			done = false;
	}
	if (done)
		timeout_remove(&stop_kill_to);
	return done;
}
