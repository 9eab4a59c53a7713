/* Copyright (c) dovecot-like authors. The child side of the master <-> child
   contract (master-service.h): every process master starts learns its name,
   settings, listeners and status pipe here. */
#include "lib.h"
#include "strfuncs.h"
#include "master-service.h"
#include "restrict-access.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* The public struct plus what only this file needs. */
struct master_service_private {
	struct master_service service;	/* must be first */
	struct pool *pool;
};

static int env_get_fd(const char *name, bool required)
{
	const char *value = getenv(name);
	unsigned int fd;

	if (value == NULL) {
		if (required)
			log_fatal("%s not set: this program must be started by "
				  "the dovecot-like master", name);
		return -1;
	}
	if (str_to_uint(value, &fd) < 0 || fd > INT32_MAX)
		log_fatal("Invalid %s: %s", name, value);
	if (fcntl((int)fd, F_GETFD) < 0)
		log_fatal("%s=%u is not an open fd: %s", name, fd, strerror(errno));
	return (int)fd;
}

static void fd_set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	/* our own children (e.g. a sendmail) must not inherit listeners */
	if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
		log_fatal("fcntl(%d, F_SETFD) failed: %s", fd, strerror(errno));
}

/* "name:inet|unix:0|1 ..." -> listeners at fds MASTER_LISTEN_FD_FIRST... */
static void master_service_parse_listeners(struct master_service *service,
					   struct pool *pool)
{
	const char *value = getenv(MASTER_ENV_LISTENERS);
	const char *const *items;
	unsigned int i, count;

	if (value == NULL)
		value = "";
	items = tmp_strsplit_spaces(value, " ");
	count = str_array_length(items);
	service->listener_count = count;
	service->listeners = pool_new(pool, struct master_listener, count + 1);
	for (i = 0; i < count; i++) {
		struct master_listener *l = &service->listeners[i];
		const char *item = items[i];
		/* parse from the right: the name is everything before */
		const char *ssl = strrchr(item, ':');
		const char *type;

		if (ssl == NULL || ssl == item)
			log_fatal("Invalid %s entry: %s", MASTER_ENV_LISTENERS, item);
		type = ssl - 1;
		while (type > item && *type != ':')
			type--;
		if (type == item)
			log_fatal("Invalid %s entry: %s", MASTER_ENV_LISTENERS, item);
		const char *type_str = tmp_strndup(type + 1, (size_t)(ssl - type - 1));

		if (strcmp(type_str, "inet") == 0)
			l->is_unix = false;
		else if (strcmp(type_str, "unix") == 0)
			l->is_unix = true;
		else
			log_fatal("Invalid %s entry type: %s", MASTER_ENV_LISTENERS, item);
		if (strcmp(ssl + 1, "0") == 0)
			l->ssl = false;
		else if (strcmp(ssl + 1, "1") == 0)
			l->ssl = true;
		else
			log_fatal("Invalid %s entry ssl flag: %s", MASTER_ENV_LISTENERS, item);
		l->name = p_strndup(pool, item, (size_t)(type - item));
		l->fd = MASTER_LISTEN_FD_FIRST + (int)i;
		if (fcntl(l->fd, F_GETFD) < 0) {
			log_fatal("Listener %s: fd %d is not open: %s", l->name,
				  l->fd, strerror(errno));
		}
		fd_set_cloexec(l->fd);
	}
}

struct master_service *master_service_init(const char *name, int *argc, char ***argv)
{
	struct pool *pool = pool_create("master service", 1024, POOL_FLAG_NONE);
	struct master_service_private *priv =
		pool_new(pool, struct master_service_private, 1);
	struct master_service *service = &priv->service;
	const char *env_name, *privileged, *error;
	int config_fd;

	priv->pool = pool;
	(void)argc;
	(void)argv;
	log_set_prefix(name);
	/* fd 2 is the log service's pipe */
	log_set_fd(STDERR_FILENO);

	env_name = getenv(MASTER_ENV_SERVICE);
	service->name = p_strdup(pool, env_name != NULL ? env_name : name);
	privileged = getenv(MASTER_ENV_PRIVILEGED);
	service->privileged = privileged != NULL && strcmp(privileged, "1") == 0;

	config_fd = env_get_fd(MASTER_ENV_CONFIG_FD, true);
	service->set = settings_snapshot_load(config_fd, &error);
	if (service->set == NULL)
		log_fatal("Can't load settings snapshot (fd %d): %s", config_fd, error);
	/* everything is in memory now; a chrooted child keeps no config fd */
	if (config_fd >= MASTER_LISTEN_FD_FIRST)
		(void)close(config_fd);

	master_service_parse_listeners(service, pool);

	service->status_fd = env_get_fd(MASTER_ENV_STATUS_FD, false);
	if (service->status_fd >= 0) {
		fd_set_cloexec(service->status_fd);
		/* a stuck master must never block a child */
		int flags = fcntl(service->status_fd, F_GETFL);
		if (flags >= 0)
			(void)fcntl(service->status_fd, F_SETFL, flags | O_NONBLOCK);
	}

	/* our own children must not think master started them */
	(void)unsetenv(MASTER_ENV_CONFIG_FD);
	(void)unsetenv(MASTER_ENV_LISTENERS);
	(void)unsetenv(MASTER_ENV_STATUS_FD);
	return service;
}

void master_service_deinit(struct master_service **_service)
{
	struct master_service *service = *_service;
	struct master_service_private *priv;
	struct pool *pool;
	unsigned int i;

	if (service == NULL)
		return;
	*_service = NULL;
	for (i = 0; i < service->listener_count; i++) {
		if (service->listeners[i].fd >= 0)
			(void)close(service->listeners[i].fd);
	}
	if (service->status_fd >= 0)
		(void)close(service->status_fd);
	settings_free(&service->set);
	priv = (struct master_service_private *)service;
	pool = priv->pool;
	pool_unref(&pool);
}

void master_service_send_status(struct master_service *service, const char *status)
{
	size_t len = strlen(status);
	const char *line = status;
	ssize_t ret;

	if (service->status_fd < 0)
		return;
	if (len == 0 || status[len - 1] != '\n') {
		line = tmp_printf("%s\n", status);
		len++;
	}
	/* one write: a pipe write up to PIPE_BUF is atomic */
	do {
		ret = write(service->status_fd, line, len);
	} while (ret < 0 && errno == EINTR);
}

void master_service_drop_privileges(struct master_service *service)
{
	const struct settings_section *sec =
		settings_find_section(service->set, "service", service->name);
	const char *user = sec == NULL ? NULL : settings_section_get(sec, "user");
	const char *chroot_dir = sec == NULL ? NULL :
		settings_section_get(sec, "chroot");
	uid_t uid;
	gid_t gid;

	if (!service->privileged || user == NULL || user[0] == '\0' ||
	    strcmp(user, "root") == 0)
		return;
	if (restrict_lookup_user(user, &uid, &gid) < 0)
		log_fatal("service(%s): user %s doesn't exist", service->name, user);
	if (chroot_dir != NULL && chroot_dir[0] == '\0')
		chroot_dir = NULL;
	else if (chroot_dir != NULL && chroot_dir[0] != '/') {
		chroot_dir = tmp_printf("%s/%s", settings_get(service->set, NULL,
							      "base_dir"),
					chroot_dir);
	}
	restrict_access(uid, gid, user, chroot_dir);
}
