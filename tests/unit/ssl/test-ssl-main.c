/* Copyright (c) dovecot-like authors. Runs every lib-ssl-iostream Check suite
   in one program, over one PKI generated at start-up. */
#include "test-ssl.h"

#include <stdlib.h>

int main(void)
{
	SRunner *sr;
	int failed;

	lib_init();
	ssl_iostream_init();
	test_pki_init();
	sr = srunner_create(ssl_context_suite());
	srunner_add_suite(sr, ssl_stream_suite());
	srunner_add_suite(sr, ssl_peer_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	test_pki_deinit();
	ssl_iostream_deinit();
	lib_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
