/* Copyright (c) dovecot-like authors. The imap worker's entry point: wires
   settings, the post-login bootstrap and the ioloop; serves one user. */
#include "imap-common.h"
#include "process-title.h"
#include "master-service.h"
#include "mail-storage-service.h"
#include "mail-namespace.h"
#include "imap-client.h"

#include <signal.h>

struct imap_settings imap_set;

/* In IMAP_WORKAROUND_* bit order; the same words as
   imap_client_workarounds' in settings-defaults.c */
static const char *const imap_workaround_names[] = {
	"delay-newmail", "tb-extra-mailbox-sep", "tb-lsub-flags", NULL
};

/* RFC 6154: SPECIAL-USE when a namespace declares special-use mailboxes
   (as Dovecot; the master already refused a broken namespace config). */
static const char *imap_capability_add_special_use(const struct settings *set,
						   const char *base)
{
	struct pool *pool = pool_create("namespaces", 1024, POOL_FLAG_NONE);
	struct mail_namespaces *nss;
	const char *error;

	nss = mail_namespaces_from_settings(pool, set, &error);
	if (nss != NULL && mail_namespaces_have_special_use(nss))
		base = tmp_strconcat(base, " SPECIAL-USE", NULL);
	pool_unref(&pool);
	return base;
}

static void imap_settings_init(const struct settings *set)
{
	const char *cap = settings_get(set, "imap", "imap_capability");
	const char *literal = settings_get_bool(set, "imap", "imap_literal_minus") ?
		"LITERAL-" : "LITERAL+";
	const char *base = tmp_strconcat(IMAP_CAPABILITY_DEFAULT, " ", literal, NULL);
	const char *error;

	base = imap_capability_add_special_use(set, base);
	imap_set.max_append_size = settings_get_size(set, "imap", "quota_mail_size");
	if (imap_set.max_append_size > 0) {
		/* RFC 7889 */
		base = tmp_printf("%s APPENDLIMIT=%llu", base,
				  (unsigned long long)imap_set.max_append_size);
	}

	imap_set.max_line_length =
		(size_t)settings_get_size(set, "imap", "imap_max_line_length");
	if (imap_set.max_line_length < 1024)
		imap_set.max_line_length = 1024;	/* RFC 7162 3.2.1 wants 8k+ */
	imap_set.idle_notify_msecs =
		settings_get_msecs(set, "imap", "imap_idle_notify_interval");
	imap_set.idle_check_msecs =
		settings_get_msecs(set, "imap", "mailbox_idle_check_interval");
	imap_set.logout_format =
		p_strdup(system_pool, settings_get(set, "imap", "imap_logout_format"));
	/* the master checked it already */
	if (settings_parse_workarounds(settings_get(set, "imap",
						    "imap_client_workarounds"),
				       imap_workaround_names,
				       &imap_set.workarounds, &error) < 0)
		log_fatal("imap_client_workarounds: %s", error);
	/* imap_capability: empty = ours, "+X Y" = ours plus X Y, else replace */
	if (*cap == '\0')
		cap = base;
	else if (*cap == '+')
		cap = tmp_strconcat(base, " ", cap + 1, NULL);
	imap_set.capability = p_strdup(system_pool, cap);
}

static void imap_sig_die(int signo ATTR_UNUSED, void *context ATTR_UNUSED)
{
	if (imap_client != NULL) {
		if (imap_client->disconnected)
			return;	/* a second signal: the BYE is out already */
		client_send_line(imap_client, "* BYE Server shutting down.");
		client_disconnect(imap_client, "Disconnected: Server shutting down.");
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
	service = master_service_init("imap", &argc, &argv);
	imap_settings_init(service->set);

	ioloop = io_loop_create();
	lib_signals_set_handler(SIGTERM, imap_sig_die, NULL);
	lib_signals_set_handler(SIGINT, imap_sig_die, NULL);
	mail_storage_service_start(service, "imap", client_create, NULL);
	io_loop_run(ioloop);

	if (imap_client != NULL)
		client_destroy(&imap_client);
	io_loop_destroy(&ioloop);
	master_service_deinit(&service);
	lib_deinit();
	return 0;
}
