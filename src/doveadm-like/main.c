/* Copyright (c) dovecot-like authors. main.c: doveadm-like, the admin CLI:
   signals the running master through its pid file, asks auth for users and
   anvil for penalties (doveadm-penalty.c). */

#include "lib.h"
#include "strfuncs.h"
#include "settings.h"
#include "auth-master.h"
#include "doveadm-penalty.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>

#ifndef SYSCONFDIR
#  define SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG_PATH SYSCONFDIR "/dovecot-like/dovecot-like.conf"
#define EXIT_USAGE 64
#define EXIT_NOTFOUND 67	/* doveadm's "user doesn't exist" */
#define EXIT_TEMPFAIL 75

static ATTR_NORETURN void usage(void)
{
	fprintf(stderr,
		"usage: doveadm-like [-c <config>] <command> [<args>]\n"
		"  reload            reload the configuration (SIGHUP to master)\n"
		"  stop              stop the server (SIGTERM to master)\n"
		"  user <user>       look up a user in the userdb\n"
		"  penalty [<ip>[/<mask>]]\n"
		"                    show the authentication failure penalties\n");
	exit(EXIT_USAGE);
}

static pid_t master_pid(const struct settings *set)
{
	const char *path = tmp_printf("%s/master.pid", settings_get(set, NULL, "base_dir"));
	char buf[32];
	unsigned long pid;
	ssize_t ret;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "doveadm-like: open(%s) failed: %m "
			"(is dovecot-like running?)\n", path);
		exit(EXIT_TEMPFAIL);
	}
	ret = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[ret > 0 ? ret : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (str_to_ulong(buf, &pid) < 0 || pid == 0 || pid > INT32_MAX) {
		fprintf(stderr, "doveadm-like: %s: invalid pid file\n", path);
		exit(EXIT_TEMPFAIL);
	}
	return (pid_t)pid;
}

static int cmd_signal(const struct settings *set, int signo)
{
	pid_t pid = master_pid(set);

	if (kill(pid, signo) < 0) {
		fprintf(stderr, "doveadm-like: kill(%ld) failed: %m\n", (long)pid);
		return EXIT_TEMPFAIL;
	}
	return 0;
}

static int cmd_user(const struct settings *set, const char *user)
{
	struct pool *pool = pool_create("doveadm user", 1024, POOL_FLAG_NONE);
	const char *socket_path = tmp_printf("%s/auth-userdb",
					     settings_get(set, NULL, "base_dir"));
	const char *const *fields, *canonical, *error;
	enum auth_master_result ret;
	int status = 0;

	ret = auth_master_user_lookup(socket_path, user, "doveadm", pool,
				      &canonical, &fields, &error);
	if (ret == AUTH_MASTER_RESULT_FAIL) {
		fprintf(stderr, "doveadm-like: userdb lookup failed for %s: %s\n",
			user, error);
		status = EXIT_TEMPFAIL;
	} else if (ret == AUTH_MASTER_RESULT_NOTFOUND) {
		fprintf(stderr, "userdb lookup: user %s doesn't exist\n", user);
		status = EXIT_NOTFOUND;
	} else {
		printf("field\tvalue\nuser\t%s\n", canonical);
		for (; *fields != NULL; fields++) {
			const char *eq = strchr(*fields, '=');

			if (eq == NULL)
				printf("%s\t\n", *fields);
			else
				printf("%.*s\t%s\n", (int)(eq - *fields), *fields, eq + 1);
		}
	}
	pool_unref(&pool);
	return status;
}

int main(int argc, char *argv[])
{
	const char *config_path = DEFAULT_CONFIG_PATH, *errors;
	struct settings *set;
	int c, ret;

	lib_init();
	log_set_prefix("doveadm-like");
	log_set_raw_stderr(true);
	while ((c = getopt(argc, argv, "+c:")) != -1) {
		if (c == 'c')
			config_path = optarg;
		else
			usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	set = settings_parse_file(config_path, &errors);
	if (set == NULL) {
		fprintf(stderr, "doveadm-like: %s\n", errors);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "reload") == 0 && argc == 1)
		ret = cmd_signal(set, SIGHUP);
	else if (strcmp(argv[0], "stop") == 0 && argc == 1)
		ret = cmd_signal(set, SIGTERM);
	else if (strcmp(argv[0], "user") == 0 && argc == 2)
		ret = cmd_user(set, argv[1]);
	else if (strcmp(argv[0], "penalty") == 0 && argc <= 2)
		ret = doveadm_penalty_cmd(set, argv[1]);
	else
		usage();
	settings_free(&set);
	lib_deinit();
	return ret;
}
