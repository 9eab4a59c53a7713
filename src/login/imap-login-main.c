/* Copyright (c) dovecot-like authors. main() of imap-login: the IMAP
   protocol plugged into the shared login process. */

#include "lib.h"
#include "imap-login-client.h"

int main(int argc, char *argv[])
{
	return login_main(&imap_login_binary, argc, argv);
}
