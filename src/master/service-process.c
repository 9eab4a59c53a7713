/* Copyright (c) dovecot-like authors. service-process.c: forking and exec'ing
   one child of a service with the inherited-fd contract of master-service.h,
   and accounting for it until it exits. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "str.h"
#include "strfuncs.h"
#include "ioloop.h"
#include "net.h"
#include "master-service.h"
#include "service.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

/* A process that dies this soon after start counts towards throttling. */
#define SERVICE_STARTUP_FAILURE_SECS 10
#define SERVICE_THROTTLE_MAX_SECS 60

struct service_process {
	struct service *service;
	pid_t pid;
	int status_fd;		/* read end of the child's status pipe */
	struct io *io;
	bool idle;		/* worker that has not taken a client yet */
	bool sigterm_sent;	/* we asked it to stop (reload, shutdown) */
	time_t start_time;
};

/* Environment variables passed through to children (sanitizer runs). */
static const char *const passthrough_env[] = {
	"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TZ", NULL
};

static void status_input(void *context)
{
	struct service_process *process = context;
	char buf[128];
	ssize_t ret;

	ret = read(process->status_fd, buf, sizeof(buf) - 1);
	if (ret <= 0) {
		if (ret < 0 && errno == EAGAIN)
			return;
		/* child is exiting; SIGCHLD does the accounting */
		io_remove(&process->io);
		return;
	}
	buf[ret] = '\0';
	if (strstr(buf, "BUSY") != NULL && process->idle) {
		process->idle = false;
		process->service->idle_count--;
		service_ensure_processes(process->service);
	}
}

static const char *service_listeners_env(const struct service *service)
{
	struct str *env = t_str_new(128);
	const struct service_listener *l;

	array_foreach(&service->listeners, l) {
		if (str_len(env) > 0)
			str_append_c(env, ' ');
		str_printfa(env, "%s:%s:%d", l->name, l->is_unix ? "unix" : "inet",
			    l->ssl ? 1 : 0);
	}
	return str_c(env);
}

/* In the child: put src_fds[i] at fd target i (0..count-1), close the rest.
   Every source is first parked above both the targets and all sources, so
   no dup2() overwrites a source still to be moved (master may hold many
   fds: a status pipe per child). */
static void child_arrange_fds(const int *src_fds, unsigned int count)
{
	int parked[count], park_base = (int)count;
	unsigned int i;

	for (i = 0; i < count; i++)
		park_base = MAX(park_base, src_fds[i] + 1);
	for (i = 0; i < count; i++) {
		parked[i] = fcntl(src_fds[i], F_DUPFD, park_base);
		if (parked[i] < 0)
			_exit(FATAL_EXIT_CODE);
	}
	for (i = 0; i < count; i++) {
		if (dup2(parked[i], (int)i) < 0)
			_exit(FATAL_EXIT_CODE);
	}
	close_range(count, ~0U, 0);
}

static ATTR_NORETURN void
service_child_exec(struct service *service, int status_write_fd)
{
	struct service_list *list = service->list;
	const struct service_listener *l;
	const char *saved_env[N_ELEMENTS(passthrough_env)];
	const char *const *argv;
	int fds[64], null_fd, config_fd;
	unsigned int i, n = 0;

	for (i = 0; passthrough_env[i] != NULL; i++)
		saved_env[i] = tmp_strdup(getenv(passthrough_env[i]));

	null_fd = open("/dev/null", O_RDWR);
	/* a new open file description, so children don't share a read offset */
	config_fd = open(tmp_printf("/proc/self/fd/%d", list->config_fd), O_RDONLY);
	if (null_fd < 0 || config_fd < 0)
		_exit(FATAL_EXIT_CODE);

	if (service->type == SERVICE_TYPE_LOG) {
		fds[n++] = list->log_pipe[0];
		fds[n++] = list->orig_stderr_fd;
		fds[n++] = list->orig_stderr_fd;
	} else {
		fds[n++] = null_fd;
		fds[n++] = null_fd;
		fds[n++] = list->log_pipe[1];
	}
	ASSERT(n == MASTER_LISTEN_FD_FIRST);
	array_foreach(&service->listeners, l) {
		if (n >= N_ELEMENTS(fds) - 2)
			_exit(FATAL_EXIT_CODE);
		fds[n++] = l->fd;
	}
	fds[n++] = config_fd;
	fds[n++] = status_write_fd;

	if (clearenv() != 0)
		_exit(FATAL_EXIT_CODE);
	for (i = 0; passthrough_env[i] != NULL; i++) {
		if (saved_env[i] != NULL)
			setenv(passthrough_env[i], saved_env[i], 1);
	}
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv(MASTER_ENV_SERVICE, service->name, 1);
	setenv(MASTER_ENV_LISTENERS, service_listeners_env(service), 1);
	setenv(MASTER_ENV_CONFIG_FD, tmp_printf("%u", n - 2), 1);
	setenv(MASTER_ENV_STATUS_FD, tmp_printf("%u", n - 1), 1);
	setenv(MASTER_ENV_PRIVILEGED, list->privileged ? "1" : "0", 1);
	if (service->type == SERVICE_TYPE_LOG && list->log_to_stderr)
		setenv("DLIKE_LOG_STDERR", "1", 1);

	argv = tmp_strsplit_spaces(service->executable, " ");
	child_arrange_fds(fds, n);
	lib_signals_reset_for_exec();
	execv(argv[0], (char *const *)argv);
	log_set_fd(2);
	log_error("execv(%s) failed: %m", argv[0]);
	_exit(FATAL_EXIT_CODE);
}

struct service_process *service_process_create(struct service *service)
{
	struct service_list *list = service->list;
	struct service_process *process;
	int status[2];
	pid_t pid;

	if (pipe2(status, O_CLOEXEC) < 0) {
		log_error("pipe() failed: %m");
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		log_error("service(%s): fork() failed: %m", service->name);
		close(status[0]);
		close(status[1]);
		return NULL;
	}
	if (pid == 0) {
		close(status[0]);
		service_child_exec(service, status[1]);
	}
	close(status[1]);
	fd_set_nonblock(status[0], true);

	process = pool_new(list->pool, struct service_process, 1);
	process->service = service;
	process->pid = pid;
	process->status_fd = status[0];
	process->start_time = time(NULL);
	/* available until it says BUSY: a worker took its one client, or a
	   login process reached service_count and stopped accepting */
	process->idle = service->type != SERVICE_TYPE_LOG;
	process->io = io_add(status[0], IO_READ, status_input, process);
	hash_table_insert(list->processes, POINTER_CAST(pid), process);
	service->process_count++;
	if (process->idle)
		service->idle_count++;
	return process;
}

static void service_process_log_exit(struct service_process *process, int status,
				     bool *failed_r)
{
	const char *name = process->service->name;

	*failed_r = true;
	if (WIFSIGNALED(status)) {
		/* dying of the SIGTERM we sent (reload, shutdown) is no error */
		if (process->sigterm_sent && WTERMSIG(status) == SIGTERM) {
			*failed_r = false;
			return;
		}
		log_error("service(%s): child %ld killed with signal %d%s", name,
			  (long)process->pid, WTERMSIG(status),
			  WCOREDUMP(status) ? " (core dumped)" : "");
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		log_error("service(%s): child %ld returned error %d%s", name,
			  (long)process->pid, WEXITSTATUS(status),
			  WEXITSTATUS(status) == FATAL_EXIT_CODE ? " (Fatal failure)" : "");
	} else {
		*failed_r = false;
	}
}

void service_process_exited(struct service_list *list, pid_t pid, int status)
{
	struct service_process *process =
		hash_table_lookup(list->processes, POINTER_CAST(pid));
	struct service *service;
	bool failed;

	if (process == NULL)
		return;
	service = process->service;
	hash_table_remove(list->processes, POINTER_CAST(pid));
	io_remove(&process->io);
	close(process->status_fd);
	service->process_count--;
	if (process->idle)
		service->idle_count--;

	service_process_log_exit(process, status, &failed);
	if (!failed) {
		service->crash_count = 0;
	} else if (time(NULL) - process->start_time < SERVICE_STARTUP_FAILURE_SECS) {
		unsigned int shift = MIN(service->crash_count, 6);

		/* failing right at start-up: back off, doubling up to a minute */
		if (++service->crash_count > 1) {
			service_throttle(service, MIN(1U << shift,
						      SERVICE_THROTTLE_MAX_SECS));
		}
	}
	service_ensure_processes(service);
}

void service_process_kill_all(struct service_list *list, int signo,
			      enum service_type only_type, bool all_types)
{
	struct hash_iterate *iter = hash_table_iterate_init(list->processes);
	void *key, *value;

	while (hash_table_iterate(iter, &key, &value)) {
		struct service_process *process = value;

		if (!all_types && process->service->type != only_type)
			continue;
		if (signo == SIGTERM)
			process->sigterm_sent = true;
		if (kill(process->pid, signo) < 0 && errno != ESRCH) {
			log_error("kill(%ld, %d) failed: %m", (long)process->pid,
				  signo);
		}
	}
	hash_table_iterate_deinit(&iter);
}


void service_process_stop(struct service_process *process)
{
	process->sigterm_sent = true;
	if (kill(process->pid, SIGTERM) < 0 && errno != ESRCH)
		log_error("kill(%ld, SIGTERM) failed: %m", (long)process->pid);
}

void service_process_quit(struct service_process *process)
{
	/* it finishes its clients but takes no new ones: replace it now */
	if (process->idle) {
		process->idle = false;
		process->service->idle_count--;
	}
	process->sigterm_sent = true;
	if (kill(process->pid, SIGQUIT) < 0 && errno != ESRCH)
		log_error("kill(%ld, SIGQUIT) failed: %m", (long)process->pid);
}

bool service_process_is_daemon(const struct service_process *process)
{
	return process->service->type == SERVICE_TYPE_DAEMON;
}

bool service_process_is_login(const struct service_process *process)
{
	return process->service->type == SERVICE_TYPE_DAEMON &&
		strstr(process->service->name, "-login") != NULL;
}

bool service_process_is_idle_worker(const struct service_process *process)
{
	return process->idle && process->service->type == SERVICE_TYPE_WORKER;
}

bool service_process_is_frontend(const struct service_process *process)
{
	return service_process_is_login(process) ||
		process->service->type == SERVICE_TYPE_WORKER;
}

bool service_process_is_log(const struct service_process *process)
{
	return process->service->type == SERVICE_TYPE_LOG;
}
