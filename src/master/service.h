/* Copyright (c) dovecot-like authors. service.h: master's model of the
   services it runs (log, auth, auth-worker, imap-login, imap, ...), their
   listeners and processes. */
#ifndef SERVICE_H
#define SERVICE_H

#include "array.h"
#include "settings.h"

struct ioloop;
struct io;
struct timeout;

enum service_type {
	/* the log service: reads every child's stderr pipe */
	SERVICE_TYPE_LOG,
	/* long-lived, many clients each (login, auth, auth-worker) */
	SERVICE_TYPE_DAEMON,
	/* one client each (imap, pop3): keep idle ones ready for handoffs */
	SERVICE_TYPE_WORKER,
};

struct service_listener {
	const char *name;	/* inet: listener name; unix: path as configured */
	int fd;
	bool is_unix, ssl;
};

struct service_process;

struct service {
	struct service_list *list;
	const char *name;
	const char *executable;	/* full path */
	enum service_type type;
	unsigned int process_min_avail, process_limit;
	ARRAY(struct service_listener) listeners;

	unsigned int process_count, idle_count;
	/* crash throttling: consecutive early deaths and the pending restart */
	unsigned int crash_count;
	struct timeout *throttle_to;
	bool throttled;
};

struct service_list {
	struct pool *pool;
	struct settings *set;
	const char *base_dir;
	const char *libexec_dir;
	bool privileged;
	bool stopping;
	/* stopping: the login processes and workers are gone, auth, anvil
	   and auth-worker got their SIGTERM */
	bool stopping_daemons;
	int config_fd;		/* settings snapshot for children */
	int log_pipe[2];	/* every child's fd 2 writes [1]; log reads [0] */
	int orig_stderr_fd;	/* the log service writes here with -F */
	bool log_to_stderr;
	ARRAY(struct service *) services;
	struct hash_table *processes;	/* pid -> struct service_process */
};

/* Build the service list from settings: which services the `protocols`
   setting needs, their executables and limits. 0 or -1 with *error_r. */
int services_create(struct pool *pool, struct settings *set, const char *libexec_dir,
		    bool privileged, struct service_list **list_r, const char **error_r);
/* Bind every listener (inet and unix, with owners/modes). Fatal on errors:
   called before anything else runs. */
int services_listen(struct service_list *list, const char **error_r);
/* Start the log service first, then the rest up to their minimums. */
void services_start(struct service_list *list);
/* Keep each service at its minimum (idle workers, long-lived daemons). */
void service_ensure_processes(struct service *service);
/* Stop starting processes of the service for secs (it keeps failing). */
void service_throttle(struct service *service, unsigned int secs);
/* New settings (SIGHUP): new snapshot for future processes, and restart the
   long-lived ones that have no sessions (login processes, auth). */
void services_reload(struct service_list *list, struct settings *new_set);
/* SIGTERM to every child; after a grace period SIGKILL. */
void services_stop(struct service_list *list);
unsigned int services_process_count(const struct service_list *list);
struct service *service_lookup(struct service_list *list, const char *name);

/* service-process.c */
struct service_process *service_process_create(struct service *service);
/* A child exited (from the SIGCHLD handler). */
void service_process_exited(struct service_list *list, pid_t pid, int status);
bool service_process_is_idle_worker(const struct service_process *process);
/* SIGQUIT: a login process stops accepting and exits once its clients are
   gone (reload without dropping connections); a new one replaces it. */
void service_process_quit(struct service_process *process);
bool service_process_is_login(const struct service_process *process);
bool service_process_is_daemon(const struct service_process *process);
/* SIGTERM, remembering that its death is expected. */
void service_process_stop(struct service_process *process);
bool service_process_is_log(const struct service_process *process);
/* facing clients: a login process or a worker (stopped first) */
bool service_process_is_frontend(const struct service_process *process);
/* service-control.c: true once only the log service is left after stop */
bool services_stop_done(struct service_list *list);
void service_process_kill_all(struct service_list *list, int signo,
			      enum service_type only_type, bool all_types);

#endif
