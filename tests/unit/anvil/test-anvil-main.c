/* Copyright (c) dovecot-like authors. test-anvil-main.c: runs every anvil
   unit suite. */
#include "test-anvil.h"
#include <stdlib.h>

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	sr = srunner_create(anvil_request_suite());
	srunner_add_suite(sr, anvil_registry_suite());
	srunner_add_suite(sr, anvil_client_suite());
	srunner_add_suite(sr, anvil_penalty_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
