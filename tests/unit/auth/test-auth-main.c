/* Copyright (c) dovecot-like authors. test-auth-main.c: runs every auth
   unit suite. */
#include "test-auth.h"
#include <stdlib.h>
#include <sodium.h>

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	if (sodium_init() < 0)
		return EXIT_FAILURE;
	sr = srunner_create(passwd_file_suite());
	srunner_add_suite(sr, password_scheme_suite());
	srunner_add_suite(sr, auth_protocol_suite());
	srunner_add_suite(sr, auth_worker_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
