/* Copyright (c) dovecot-like authors. Runs every src/lib Check suite in one
   program so `make check` covers the library in a single binary. */
#include "test-lib.h"

#include <stdlib.h>

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	sr = srunner_create(mempool_suite());
	srunner_add_suite(sr, buffer_suite());
	srunner_add_suite(sr, hash_suite());
	srunner_add_suite(sr, strfuncs_suite());
	srunner_add_suite(sr, istream_suite());
	srunner_add_suite(sr, ostream_suite());
	srunner_add_suite(sr, base64_suite());
	srunner_add_suite(sr, var_expand_suite());
	srunner_add_suite(sr, strescape_suite());
	srunner_add_suite(sr, login_handoff_suite());
	srunner_add_suite(sr, log_suite());
	srunner_add_suite(sr, ioloop_suite());
	srunner_add_suite(sr, ioloop_notify_suite());
	srunner_add_suite(sr, net_suite());
	srunner_add_suite(sr, restrict_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
