/* Copyright (c) dovecot-like authors. main.c: the master process
   (dovecot-like): parses the config, binds listeners, starts and supervises
   every service; only wiring lives here. */

#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "strfuncs.h"
#include "process-title.h"
#include "settings.h"
#include "service.h"
#include "master-pidfile.h"
#include "iostream-ssl-settings.h"
#include "mail-namespace.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <libgen.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/resource.h>

#ifndef SYSCONFDIR
#  define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG_PATH SYSCONFDIR "/dovecot-like/dovecot-like.conf"

static struct service_list *services;
static struct ioloop *ioloop;
static const char *config_path = DEFAULT_CONFIG_PATH;

static ATTR_NORETURN void usage(void)
{
	fprintf(stderr, "Usage: dovecot-like [-F] [-c <config path>] [-n | -a] "
		"[--version]\n"
		"  -F  run in the foreground, logging to stderr unless log_path says otherwise\n"
		"  -n  print the settings that differ from the defaults and exit\n"
		"  -a  print all settings and exit\n");
	exit(64);	/* EX_USAGE */
}

/* <dir of this binary>/../libexec/dovecot-like: the tree runs from any prefix */
static const char *master_libexec_dir(void)
{
	char path[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (len <= 0)
		log_fatal("readlink(/proc/self/exe) failed: %m");
	path[len] = '\0';
	return tmp_printf("%s/../libexec/dovecot-like", dirname(path));
}

static struct settings *master_read_settings(const char *path, bool fatal)
{
	struct settings *set;
	const char *errors;

	set = settings_parse_file(path, &errors);
	if (set == NULL) {
		const char *const *lines = tmp_strsplit_spaces(errors, "\n");

		for (; *lines != NULL; lines++)
			log_error("config: %s", *lines);
		if (fatal)
			log_fatal("Invalid configuration in %s", path);
	}
	return set;
}

/* What the login processes would fail on later, found before anything is
   bound: every TLS context (default and local_name) of every protocol. */
static int master_settings_check(const struct settings *set, const char **error_r)
{
	const char *const *protos =
		tmp_strsplit_spaces(settings_get(set, NULL, "protocols"), " ,");

	struct pool *pool;
	bool ns_ok;

	for (; *protos != NULL; protos++) {
		if (ssl_iostream_settings_check(set, *protos, error_r) < 0) {
			*error_r = tmp_printf("protocol %s: %s", *protos, *error_r);
			return -1;
		}
	}
	/* namespace { } errors stop the start (as Dovecot's config check),
	   not every login later */
	pool = pool_create("namespace check", 1024, POOL_FLAG_NONE);
	ns_ok = mail_namespaces_from_settings(pool, set, error_r) != NULL;
	pool_unref(&pool);
	return ns_ok ? 0 : -1;
}

static void sig_chld(int signo, void *context)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		service_process_exited(services, pid, status);
	if (services_stop_done(services))
		io_loop_stop(ioloop);
}

static void sig_term(int signo, void *context)
{
	log_info("Shutting down (signal %d)", signo);
	services_stop(services);
	if (services_stop_done(services))
		io_loop_stop(ioloop);
}

static void sig_hup(int signo, void *context)
{
	struct settings *set;
	const char *error;

	log_info("SIGHUP received - reloading configuration");
	set = master_read_settings(config_path, false);
	if (set == NULL) {
		log_error("Configuration not reloaded: keeping the old one");
		return;
	}
	if (master_settings_check(set, &error) < 0) {
		log_error("%s", error);
		log_error("Configuration not reloaded: keeping the old one");
		settings_free(&set);
		return;
	}
	services_reload(services, set);
}

/* master holds a status pipe per child and every listener: allow as many
   fds as the hard limit does */
static void master_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			log_warning("setrlimit(RLIMIT_NOFILE) failed: %m");
	}
}

static void master_daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		log_fatal("fork() failed: %m");
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		log_fatal("setsid() failed: %m");
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		log_fatal("open(/dev/null) failed: %m");
	(void)dup2(fd, 0);
	(void)dup2(fd, 1);
	(void)dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* The log service reads the children's stderr pipe; master keeps both ends
   so a restarted log process gets the same pipe. */
static void master_log_init(bool foreground)
{
	const char *log_path = settings_get(services->set, NULL, "log_path");

	if (pipe2(services->log_pipe, O_CLOEXEC) < 0)
		log_fatal("pipe() failed: %m");
	services->orig_stderr_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (services->orig_stderr_fd < 0)
		log_fatal("dup(2) failed: %m");
	services->log_to_stderr = foreground && strcmp(log_path, "syslog") == 0;
}

int main(int argc, char *argv[])
{
	struct settings *set;
	const char *error;
	bool foreground = false, dump = false, dump_all = false;
	struct pool *pool;
	int c;

	process_title_init(argc, &argv);
	lib_init();
	log_set_prefix("dovecot-like");
	log_set_raw_stderr(true);
	while ((c = getopt(argc, argv, "c:Fna-:")) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'F': foreground = true; break;
		case 'n': dump = true; break;
		case 'a': dump_all = true; break;
		case '-':
			if (strcmp(optarg, "version") == 0) {
				printf("%s\n", PACKAGE_VERSION);
				return 0;
			}
			usage();
		default: usage();
		}
	}
	if (optind != argc)
		usage();

	set = master_read_settings(config_path, true);
	if (dump || dump_all) {
		settings_dump(set, !dump_all, 1);
		settings_free(&set);
		lib_deinit();
		return 0;
	}
	ssl_iostream_init();
	if (master_settings_check(set, &error) < 0)
		log_fatal("%s", error);
	pool = pool_create("master", 4096, POOL_FLAG_NONE);
	if (services_create(pool, set, master_libexec_dir(), geteuid() == 0,
			    &services, &error) < 0)
		log_fatal("%s", error);
	if (master_pidfile_check(services->base_dir, &error) < 0)
		log_fatal("%s", error);
	if (services_listen(services, &error) < 0)
		log_fatal("%s", error);
	services->config_fd = settings_snapshot_create(set, &error);
	if (services->config_fd < 0)
		log_fatal("settings snapshot: %s", error);

	master_raise_fd_limit();
	if (!foreground)
		master_daemonize();
	if (master_pidfile_write(services->base_dir, &error) < 0)
		log_fatal("%s", error);
	master_log_init(foreground);
	process_title_set("dovecot-like");

	ioloop = io_loop_create();
	lib_signals_set_handler(SIGCHLD, sig_chld, NULL);
	lib_signals_set_handler(SIGTERM, sig_term, NULL);
	lib_signals_set_handler(SIGINT, sig_term, NULL);
	lib_signals_set_handler(SIGHUP, sig_hup, NULL);

	services_start(services);
	/* from here on master's own lines go through the log service too */
	log_set_raw_stderr(false);
	log_set_fd(services->log_pipe[1]);
	log_set_prefix("master");
	log_info("dovecot-like v%s starting up for %s (%s mode)", PACKAGE_VERSION,
		 settings_get(set, NULL, "protocols"),
		 services->privileged ? "privileged" : "unprivileged");

	io_loop_run(ioloop);

	log_info("All processes stopped, exiting");
	master_pidfile_remove(services->base_dir);
	/* closing the pipe's write ends lets the log service drain and exit */
	close(services->log_pipe[1]);
	while (wait(NULL) > 0) ;
	io_loop_destroy(&ioloop);
	ssl_iostream_deinit();
	return 0;
}
