/* Copyright (c) dovecot-like authors. master-service.h: the child side of the
   master <-> child contract. Every process master starts calls
   master_service_init() first.

   Contract (master sets it up before exec):
   - env DLIKE_SERVICE: the service name ("imap-login", "imap", "auth", "log"...)
   - env DLIKE_CONFIG_FD: fd of the settings snapshot (settings_snapshot_load)
   - env DLIKE_LISTENERS: space-separated "name:inet|unix:0|1" (1 = ssl), one per
     inherited listening fd, starting at fd MASTER_LISTEN_FD_FIRST in that order
   - env DLIKE_STATUS_FD: write end of a pipe to master (status lines below)
   - env DLIKE_PRIVILEGED: "1" when master runs as root (drop privileges),
     "0" in unprivileged mode (everything runs as the invoking user)
   - fd 2: the log service's pipe (log.h wire format)
   Status lines (child -> master, one write each):
     "BUSY\n"  a one-client worker took its client: master may start another
               idle worker for the service.
*/
#ifndef MASTER_SERVICE_H
#define MASTER_SERVICE_H

#include "settings.h"

#define MASTER_LISTEN_FD_FIRST 3
#define MASTER_ENV_SERVICE "DLIKE_SERVICE"
#define MASTER_ENV_CONFIG_FD "DLIKE_CONFIG_FD"
#define MASTER_ENV_LISTENERS "DLIKE_LISTENERS"
#define MASTER_ENV_STATUS_FD "DLIKE_STATUS_FD"
#define MASTER_ENV_PRIVILEGED "DLIKE_PRIVILEGED"

struct master_listener {
	const char *name;	/* "imap", "imaps", "login/login", "auth-master" */
	int fd;
	bool is_unix;
	bool ssl;
};

struct master_service {
	const char *name;
	struct settings *set;
	bool privileged;	/* master runs as root */
	unsigned int listener_count;
	struct master_listener *listeners;
	int status_fd;
};

/* Reads the environment, loads the snapshot, sets the log prefix to name,
   installs the log fd. Fatal on failure. Does not drop privileges. */
struct master_service *master_service_init(const char *name, int *argc, char ***argv);
void master_service_deinit(struct master_service **service);
/* In privileged mode, drop to the service's `user` (unless empty or root)
   and chroot to its `chroot` (relative to base_dir; empty = none), before
   reading any byte from a client; inherited fds stay open. Fatal if the
   user doesn't exist. */
void master_service_drop_privileges(struct master_service *service);
/* "BUSY" etc.; ignores errors (master may be gone). */
void master_service_send_status(struct master_service *service, const char *status);

#endif
