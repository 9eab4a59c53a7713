/* Copyright (c) dovecot-like authors. main() of pop3-login: the POP3
   protocol plugged into the shared login process. */

#include "lib.h"
#include "pop3-login-client.h"

int main(int argc, char *argv[])
{
	return login_main(&pop3_login_binary, argc, argv);
}
