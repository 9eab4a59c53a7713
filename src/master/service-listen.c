/* Copyright (c) dovecot-like authors. service-listen.c: binding every
   service's inet and unix listeners before any child starts; children inherit
   them. */

#include "lib.h"
#include "array.h"
#include "net.h"
#include "strfuncs.h"
#include "restrict-access.h"
#include "service.h"

#include <stdlib.h>
#include <unistd.h>
#include <pwd.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/socket.h>

#define LISTEN_BACKLOG 128

static void service_add_listener(struct service *service, const char *name, int fd,
				 bool is_unix, bool ssl)
{
	struct service_listener *l = array_append_space(&service->listeners);

	l->name = p_strdup(service->list->pool, name);
	l->fd = fd;
	l->is_unix = is_unix;
	l->ssl = ssl;
	fd_close_on_exec(fd, true);
}

static int listen_inet(struct service *service, const struct settings_section *lsec,
		       const char **error_r)
{
	const char *addresses = settings_section_get(lsec, "address");
	const char *port_str = settings_section_get(lsec, "port");
	const char *ssl_str = settings_section_get(lsec, "ssl");
	const char *const *addrs;
	unsigned int port;
	bool ssl = ssl_str != NULL && strcmp(ssl_str, "yes") == 0;

	if (port_str == NULL || str_to_uint(port_str, &port) < 0 || port > 65535) {
		*error_r = tmp_printf("service(%s): inet_listener %s: invalid port '%s'",
				      service->name, lsec->name,
				      port_str == NULL ? "" : port_str);
		return -1;
	}
	if (port == 0)
		return 0;	/* disabled */
	if (addresses == NULL || *addresses == '\0')
		addresses = settings_get(service->list->set, NULL, "listen");
	for (addrs = tmp_strsplit_spaces(addresses, " ,"); *addrs != NULL; addrs++) {
		struct ip_addr ip;
		int fd;

		if (net_addr2ip(*addrs, &ip) < 0) {
			*error_r = tmp_printf("service(%s): inet_listener %s: "
					      "invalid address '%s'",
					      service->name, lsec->name, *addrs);
			return -1;
		}
		fd = net_listen(&ip, port, LISTEN_BACKLOG);
		if (fd < 0) {
			if (ip.family == AF_INET6 &&
			    (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)) {
				log_warning("service(%s): IPv6 not available, "
					    "not listening on [%s]:%u",
					    service->name, *addrs, port);
				continue;
			}
			*error_r = tmp_printf("service(%s): listen(%s, %u) failed: %m",
					      service->name, *addrs, port);
			return -1;
		}
		service_add_listener(service, lsec->name, fd, false, ssl);
	}
	return 0;
}

static int lookup_owner(const char *user, const char *group, uid_t *uid_r,
			gid_t *gid_r, const char **error_r)
{
	*uid_r = (uid_t)-1;
	*gid_r = (gid_t)-1;
	if (user != NULL && *user != '\0') {
		struct passwd *pw = getpwnam(user);

		if (pw == NULL) {
			*error_r = tmp_printf("user '%s' does not exist", user);
			return -1;
		}
		*uid_r = pw->pw_uid;
	}
	if (group != NULL && *group != '\0') {
		struct group *gr = getgrnam(group);

		if (gr == NULL) {
			*error_r = tmp_printf("group '%s' does not exist", group);
			return -1;
		}
		*gid_r = gr->gr_gid;
	}
	return 0;
}

static int listen_unix(struct service *service, const struct settings_section *lsec,
		       const char **error_r)
{
	struct service_list *list = service->list;
	const char *mode_str = settings_section_get(lsec, "mode");
	const char *path, *error;
	unsigned long mode = 0600;
	char *end;
	uid_t uid;
	gid_t gid;
	int fd;

	if (mode_str != NULL) {
		errno = 0;
		mode = strtoul(mode_str, &end, 8);
		if (errno != 0 || *end != '\0' || mode > 07777) {
			*error_r = tmp_printf("service(%s): unix_listener %s: "
					      "invalid mode '%s'", service->name,
					      lsec->name, mode_str);
			return -1;
		}
	}
	if (mode == 0)
		return 0;	/* disabled */
	path = lsec->name[0] == '/' ? lsec->name :
		tmp_printf("%s/%s", list->base_dir, lsec->name);
	fd = net_listen_unix(path, (unsigned int)mode, LISTEN_BACKLOG);
	if (fd < 0) {
		*error_r = tmp_printf("service(%s): listen(%s) failed: %m",
				      service->name, path);
		return -1;
	}
	if (list->privileged) {
		if (lookup_owner(settings_section_get(lsec, "user"),
				 settings_section_get(lsec, "group"),
				 &uid, &gid, &error) < 0) {
			*error_r = tmp_printf("service(%s): unix_listener %s: %s",
					      service->name, lsec->name, error);
			close(fd);
			return -1;
		}
		if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
		    chown(path, uid, gid) < 0) {
			*error_r = tmp_printf("chown(%s) failed: %m", path);
			close(fd);
			return -1;
		}
	}
	service_add_listener(service, lsec->name, fd, true, false);
	return 0;
}

/* mkdir base_dir and base_dir/login: the latter is the login processes'
   chroot and holds only their sockets, readable by the login user's group. */
static int services_mkdirs(struct service_list *list, const char **error_r)
{
	const char *login_dir = tmp_printf("%s/login", list->base_dir);
	const char *empty_dir = tmp_printf("%s/empty", list->base_dir);
	const char *login_user;
	struct service *login;
	uid_t uid;
	gid_t gid;

	if (mkdir(list->base_dir, 0755) < 0 && errno != EEXIST) {
		*error_r = tmp_printf("mkdir(%s) failed: %m", list->base_dir);
		return -1;
	}
	if (mkdir(login_dir, 0750) < 0 && errno != EEXIST) {
		*error_r = tmp_printf("mkdir(%s) failed: %m", login_dir);
		return -1;
	}
	/* anvil's chroot (service anvil { chroot = empty }): root's, empty */
	if (mkdir(empty_dir, 0755) < 0 && errno != EEXIST) {
		*error_r = tmp_printf("mkdir(%s) failed: %m", empty_dir);
		return -1;
	}
	if (list->privileged &&
	    (chown(empty_dir, 0, 0) < 0 || chmod(empty_dir, 0755) < 0)) {
		*error_r = tmp_printf("chown/chmod(%s) failed: %m", empty_dir);
		return -1;
	}
	if (!list->privileged)
		return chmod(login_dir, 0700);
	login = service_lookup(list, "imap-login");
	if (login == NULL)
		login = service_lookup(list, "pop3-login");
	if (login == NULL)
		return 0;
	login_user = settings_section_get(settings_find_section(list->set, "service",
								login->name), "user");
	if (login_user == NULL || *login_user == '\0')
		return 0;
	if (restrict_lookup_user(login_user, &uid, &gid) < 0) {
		*error_r = tmp_printf("service(%s): user '%s' does not exist "
				      "(create it, e.g. useradd --system %s)",
				      login->name, login_user, login_user);
		return -1;
	}
	if (chown(login_dir, 0, gid) < 0 || chmod(login_dir, 0750) < 0) {
		*error_r = tmp_printf("chown/chmod(%s) failed: %m", login_dir);
		return -1;
	}
	return 0;
}

int services_listen(struct service_list *list, const char **error_r)
{
	struct service *const *servicep;
	unsigned int i;

	if (services_mkdirs(list, error_r) < 0)
		return -1;
	array_foreach(&list->services, servicep) {
		struct service *service = *servicep;
		const struct settings_section *sec =
			settings_find_section(list->set, "service", service->name);

		for (i = 0; i < settings_section_count_children(sec, "inet_listener"); i++) {
			if (listen_inet(service, settings_section_get_child(
					sec, "inet_listener", i), error_r) < 0)
				return -1;
		}
		for (i = 0; i < settings_section_count_children(sec, "unix_listener"); i++) {
			if (listen_unix(service, settings_section_get_child(
					sec, "unix_listener", i), error_r) < 0)
				return -1;
		}
	}
	return 0;
}
