/* Copyright (c) dovecot-like authors. service.c: which services master runs,
   built from the settings, and keeping each at its minimum process count. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "strfuncs.h"
#include "ioloop.h"
#include "service.h"

#include <unistd.h>
#include <signal.h>

/* Services every instance runs, then the per-protocol pairs. */
static const char *const always_services[] = {
	"log", "anvil", "auth", "auth-worker"
};

static bool protocol_enabled(const struct settings *set, const char *protocol)
{
	const char *const *protos =
		tmp_strsplit_spaces(settings_get(set, NULL, "protocols"), " ,");

	for (; *protos != NULL; protos++) {
		if (strcmp(*protos, protocol) == 0)
			return true;
	}
	return false;
}

static bool service_is_needed(const struct settings *set, const char *name)
{
	unsigned int i;

	for (i = 0; i < N_ELEMENTS(always_services); i++) {
		if (strcmp(always_services[i], name) == 0)
			return true;
	}
	if (strcmp(name, "imap") == 0 || strcmp(name, "imap-login") == 0)
		return protocol_enabled(set, "imap");
	if (strcmp(name, "pop3") == 0 || strcmp(name, "pop3-login") == 0)
		return protocol_enabled(set, "pop3");
	return false;
}

static unsigned int section_get_uint(const struct settings_section *sec,
				     const char *key, unsigned int def)
{
	const char *value = settings_section_get(sec, key);
	unsigned int num;

	if (value == NULL || str_to_uint(value, &num) < 0)
		return def;
	return num;
}

static struct service *
service_create(struct service_list *list, const struct settings_section *sec,
	       const char **error_r)
{
	struct service *service;
	const char *exec = settings_section_get(sec, "executable");
	const char *const *argv;

	if (exec == NULL || *exec == '\0')
		exec = sec->name;
	argv = tmp_strsplit_spaces(exec, " ");
	if (argv[0] == NULL) {
		*error_r = tmp_printf("service(%s): executable is empty", sec->name);
		return NULL;
	}

	service = pool_new(list->pool, struct service, 1);
	service->list = list;
	service->name = p_strdup(list->pool, sec->name);
	service->executable = argv[0][0] == '/' ?
		p_strdup(list->pool, exec) :
		p_printf(list->pool, "%s/%s", list->libexec_dir, exec);
	if (strcmp(sec->name, "log") == 0)
		service->type = SERVICE_TYPE_LOG;
	else if (strcmp(sec->name, "imap") == 0 || strcmp(sec->name, "pop3") == 0)
		service->type = SERVICE_TYPE_WORKER;
	else
		service->type = SERVICE_TYPE_DAEMON;
	service->process_min_avail = section_get_uint(sec, "process_min_avail", 0);
	service->process_limit = section_get_uint(sec, "process_limit", 0);
	if (service->process_limit == 0) {
		service->process_limit =
			settings_get_uint(list->set, NULL, "default_process_limit");
	}
	/* auth keeps the login cookies in memory, anvil the connection
	   counts: exactly one process each. */
	if (strcmp(sec->name, "auth") == 0 || strcmp(sec->name, "anvil") == 0 ||
	    service->type == SERVICE_TYPE_LOG)
		service->process_limit = 1;
	/* a process_limit below what must stay available is a config error
	   Dovecot would report; we just cap it */
	if (service->process_min_avail == 0)
		service->process_min_avail = 1;
	if (service->process_min_avail > service->process_limit)
		service->process_min_avail = service->process_limit;

	argv = tmp_strsplit_spaces(service->executable, " ");
	if (access(argv[0], X_OK) < 0) {
		*error_r = tmp_printf("service(%s): executable %s: %m",
				      sec->name, argv[0]);
		return NULL;
	}
	array_init(&service->listeners, list->pool, 4);
	return service;
}

int services_create(struct pool *pool, struct settings *set, const char *libexec_dir,
		    bool privileged, struct service_list **list_r, const char **error_r)
{
	struct service_list *list;
	unsigned int i, count;

	list = pool_new(pool, struct service_list, 1);
	list->pool = pool;
	list->set = set;
	list->base_dir = p_strdup(pool, settings_get(set, NULL, "base_dir"));
	list->libexec_dir = p_strdup(pool, libexec_dir);
	list->privileged = privileged;
	list->config_fd = -1;
	list->log_pipe[0] = list->log_pipe[1] = -1;
	list->orig_stderr_fd = -1;
	array_init(&list->services, pool, 16);
	list->processes = hash_table_create_direct(pool, 64);

	count = settings_count_sections(set, "service");
	for (i = 0; i < count; i++) {
		const struct settings_section *sec =
			settings_get_section(set, "service", i);
		struct service *service;

		if (!service_is_needed(set, sec->name))
			continue;
		service = service_create(list, sec, error_r);
		if (service == NULL)
			return -1;
		array_append(&list->services, &service);
	}
	if (service_lookup(list, "log") == NULL || service_lookup(list, "auth") == NULL) {
		*error_r = "settings define no log or auth service";
		return -1;
	}
	*list_r = list;
	return 0;
}

struct service *service_lookup(struct service_list *list, const char *name)
{
	struct service *const *servicep;

	array_foreach(&list->services, servicep) {
		if (strcmp((*servicep)->name, name) == 0)
			return *servicep;
	}
	return NULL;
}

static void service_throttle_end(void *context)
{
	struct service *service = context;

	timeout_remove(&service->throttle_to);
	service->throttled = false;
	service_ensure_processes(service);
}

/* Called when a process of the service died early: wait before the next. */
void service_throttle(struct service *service, unsigned int secs)
{
	if (service->throttled)
		return;
	log_error("service(%s): command startup failed, throttling for %u secs",
		  service->name, secs);
	service->throttled = true;
	service->throttle_to = timeout_add(secs * 1000, service_throttle_end, service);
}

void service_ensure_processes(struct service *service)
{
	if (service->list->stopping || service->throttled)
		return;
	if (service->type == SERVICE_TYPE_LOG) {
		if (service->process_count == 0)
			(void)service_process_create(service);
		return;
	}
	/* keep process_min_avail processes accepting: idle workers ready for
	   handoffs, login processes below their service_count */
	while (service->idle_count < service->process_min_avail &&
	       service->process_count < service->process_limit) {
		if (service_process_create(service) == NULL)
			return;
	}
	if (service->idle_count == 0 &&
	    service->process_count >= service->process_limit) {
		log_warning("service(%s): process_limit (%u) reached, "
			    "client connections are being queued",
			    service->name, service->process_limit);
	}
}

void services_start(struct service_list *list)
{
	struct service *const *servicep;

	/* log first, so every other child's stderr already has a reader */
	service_ensure_processes(service_lookup(list, "log"));
	array_foreach(&list->services, servicep) {
		if ((*servicep)->type != SERVICE_TYPE_LOG)
			service_ensure_processes(*servicep);
	}
}

unsigned int services_process_count(const struct service_list *list)
{
	return hash_table_count(list->processes);
}
