/* Copyright (c) dovecot-like authors. The pop3 worker's entry point: wires
   settings, the post-login bootstrap and the ioloop; serves one user. */
#include "pop3-client.h"
#include "process-title.h"
#include "master-service.h"
#include "mail-storage-service.h"

#include <signal.h>

struct pop3_settings pop3_set;

/* In POP3_WORKAROUND_* bit order; the same words as
   pop3_client_workarounds' in settings-defaults.c */
static const char *const pop3_workaround_names[] = {
	"outlook-no-nuls", "oe-ns-eoh", NULL
};

static void pop3_settings_init(const struct settings *set)
{
	const char *error;

	pop3_set.uidl_format =
		p_strdup(system_pool, settings_get(set, "pop3", "pop3_uidl_format"));
	pop3_set.logout_format =
		p_strdup(system_pool, settings_get(set, "pop3", "pop3_logout_format"));
	pop3_set.no_flag_updates =
		settings_get_bool(set, "pop3", "pop3_no_flag_updates");
	/* the master checked it already */
	if (settings_parse_workarounds(settings_get(set, "pop3",
						    "pop3_client_workarounds"),
				       pop3_workaround_names,
				       &pop3_set.workarounds, &error) < 0)
		log_fatal("pop3_client_workarounds: %s", error);
	if (*pop3_set.uidl_format == '\0')
		pop3_set.uidl_format = "%08Xu%08Xv";
}

static void pop3_sig_die(int signo ATTR_UNUSED, void *context ATTR_UNUSED)
{
	if (pop3_client != NULL) {
		if (pop3_client->disconnected)
			return;	/* a second signal: the BYE is out already */
		client_send_line(pop3_client, "-ERR [SYS/TEMP] Server shutting down.");
		client_disconnect(pop3_client, "Disconnected: Server shutting down.");
	} else {
		mail_storage_service_stop();
		io_loop_stop(current_ioloop);
	}
}

int main(int argc, char *argv[])
{
	struct master_service *service;
	struct ioloop *ioloop;

	lib_init();
	process_title_init(argc, &argv);
	service = master_service_init("pop3", &argc, &argv);
	pop3_settings_init(service->set);

	ioloop = io_loop_create();
	lib_signals_set_handler(SIGTERM, pop3_sig_die, NULL);
	lib_signals_set_handler(SIGINT, pop3_sig_die, NULL);
	mail_storage_service_start(service, "pop3", client_create, NULL);
	io_loop_run(ioloop);

	if (pop3_client != NULL)
		client_destroy(&pop3_client);
	io_loop_destroy(&ioloop);
	master_service_deinit(&service);
	lib_deinit();
	return 0;
}
