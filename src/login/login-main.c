/* Copyright (c) dovecot-like authors. The shared main() of imap-login and
   pop3-login: settings, the privilege drop into the empty chroot before any
   network byte is read, the auth connection and the ioloop. */

#include "lib.h"
#include "ioloop.h"
#include "strfuncs.h"
#include "process-title.h"
#include "restrict-access.h"
#include "master-service.h"
#include "settings.h"
#include "login-client.h"
#include "login-auth.h"
#include "login-proxy.h"
#include "login-ssl.h"

#include <signal.h>
#include <unistd.h>

const struct login_binary *login_binary;
struct master_service *login_service;
const char *login_handoff_socket_path;

static struct ioloop *login_ioloop;

static void login_sig_die(int signo, void *context ATTR_UNUSED)
{
	log_info("Received signal %d, shutting down", signo);
	io_loop_stop(login_ioloop);
}

static void login_sig_quit(int signo, void *context)
{
	log_info("Configuration reloaded: finishing %u client(s), taking no new ones",
		 login_connections_count());
	login_listeners_quit();
}

/* base_dir/login/login -> "/login" when chrooted into base_dir/login. */
static const char *login_socket_path(const char *chroot_dir, const char *rel_path)
{
	const char *path, *suffix;

	path = tmp_printf("%s/%s", login_set.base_dir, rel_path);
	if (chroot_dir == NULL)
		return p_strdup(system_pool, path);
	if (!str_begins(path, chroot_dir, &suffix) || suffix[0] != '/') {
		log_fatal("Socket %s is not inside the chroot %s "
			  "(service %s { chroot })", path, chroot_dir,
			  login_binary->process_name);
	}
	return p_strdup(system_pool, suffix);
}

static const char *login_get_chroot_dir(void)
{
	const char *chroot = login_set.service_chroot;

	if (!login_service->privileged || chroot[0] == '\0')
		return NULL;
	if (chroot[0] == '/')
		return chroot;
	return p_strdup(system_pool,
			tmp_printf("%s/%s", login_set.base_dir, chroot));
}

static void login_drop_privileges(const char *chroot_dir)
{
	uid_t uid;
	gid_t gid;

	if (!login_service->privileged)
		return;
	if (restrict_lookup_user(login_set.service_user, &uid, &gid) < 0) {
		log_fatal("service %s { user = %s }: no such user",
			  login_binary->process_name, login_set.service_user);
	}
	if (uid == 0)
		log_fatal("service %s must not run as root",
			  login_binary->process_name);
	restrict_access(uid, gid, login_set.service_user, chroot_dir);
}

/* Process-lifetime paths, kept here so they stay reachable until exit. */
static const char *login_chroot_dir, *login_auth_socket_path;

int login_main(const struct login_binary *binary, int argc, char *argv[])
{

	login_binary = binary;
	process_title_init(argc, &argv);
	lib_init();
	login_service = master_service_init(binary->process_name, &argc, &argv);
	login_settings_read(login_service->set, binary->process_name, &login_set);
	/* TLS contexts need the settings only (PEM data is in the snapshot),
	   but a bad key must stop us here, before any client is accepted */
	login_ssl_init(login_service->set);

	/* Drop privileges before any client byte is read: the listeners are
	   inherited but nothing is accepted until the ioloop runs. */
	login_chroot_dir = login_get_chroot_dir();
	login_handoff_socket_path = login_socket_path(login_chroot_dir,
		tmp_printf("login/%s", binary->protocol));
	login_auth_socket_path = login_socket_path(login_chroot_dir, "login/login");
	login_drop_privileges(login_chroot_dir);

	process_title_set(tmp_printf("dovecot-like/%s", binary->process_name));
	login_ioloop = io_loop_create();
	lib_signals_set_handler(SIGTERM, login_sig_die, NULL);
	lib_signals_set_handler(SIGINT, login_sig_die, NULL);
	lib_signals_set_handler(SIGQUIT, login_sig_quit, NULL);
	login_auth_init(login_auth_socket_path);
	login_listeners_init();

	io_loop_run(login_ioloop);

	login_listeners_deinit();
	clients_destroy_all("Server shutting down");
	login_proxies_destroy_all();
	login_auth_deinit();
	io_loop_destroy(&login_ioloop);
	login_ssl_deinit();
	master_service_deinit(&login_service);
	lib_deinit();
	return 0;
}
