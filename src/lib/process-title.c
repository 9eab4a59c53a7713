/* Copyright (c) dovecot-like authors. Setting what ps shows by overwriting
   the argv (and environ) area, so admins can see who each process serves. */
#include "lib.h"
#include "process-title.h"

#include <stdlib.h>
#include <sys/prctl.h>

extern char **environ;

static char *title_area = NULL;
static size_t title_area_size = 0;
/* The moved environment strings. Held here too, because setenv/unsetenv may
   drop environ's pointers to them while they must stay valid for the whole
   process (and not look like leaks). */
static char **volatile env_copies = NULL;
static char **volatile env_array = NULL;	/* glibc may replace environ */
static char **volatile argv_copy = NULL;	/* main's argv points here */

void process_title_init(int argc, char **argv[])
{
	char **orig_argv = *argv, **new_argv, **new_env;
	char *end, *slash;
	int i, env_count;

	if (argc <= 0 || orig_argv == NULL || orig_argv[0] == NULL)
		return;
	/* the area is as long as argv (and environ after it) is contiguous */
	end = orig_argv[0] + strlen(orig_argv[0]) + 1;
	for (i = 1; i < argc; i++) {
		if (orig_argv[i] != end)
			break;
		end = orig_argv[i] + strlen(orig_argv[i]) + 1;
	}
	for (env_count = 0; environ != NULL && environ[env_count] != NULL;
	     env_count++) ;
	for (i = 0; i < env_count; i++) {
		if (environ[i] != end)
			break;
		end = environ[i] + strlen(environ[i]) + 1;
	}

	/* move argv and environ out of the area we are going to overwrite */
	new_argv = p_malloc(system_pool, sizeof(char *) * ((size_t)argc + 1));
	for (i = 0; i < argc; i++)
		new_argv[i] = p_strdup(system_pool, orig_argv[i]);
	new_env = p_malloc(system_pool, sizeof(char *) * ((size_t)env_count + 1));
	for (i = 0; i < env_count; i++)
		new_env[i] = p_strdup(system_pool, environ[i]);
	env_copies = p_malloc(system_pool, sizeof(char *) * ((size_t)env_count + 1));
	memcpy(env_copies, new_env, sizeof(char *) * (size_t)env_count);
	env_array = new_env;
	argv_copy = new_argv;
	environ = new_env;
	*argv = new_argv;
	/* glibc's error messages use these; keep them off the title area */
	program_invocation_name = new_argv[0];
	slash = strrchr(new_argv[0], '/');
	program_invocation_short_name = slash == NULL ? new_argv[0] : slash + 1;

	title_area = orig_argv[0];
	title_area_size = (size_t)(end - title_area);
}

void process_title_set(const char *title)
{
	char name[16];
	size_t len = strlen(title);

	memset(name, 0, sizeof(name));
	memcpy(name, title, MIN(len, sizeof(name) - 1));
	(void)prctl(PR_SET_NAME, name, 0, 0, 0);

	if (title_area == NULL || title_area_size < 2)
		return;
	if (len > title_area_size - 1)
		len = title_area_size - 1;
	memset(title_area, 0, title_area_size);
	memcpy(title_area, title, len);
}
