/* Copyright (c) dovecot-like authors. process-title.h: what `ps` shows, e.g.
   "dovecot-like/imap [demo 127.0.0.1]". */
#ifndef PROCESS_TITLE_H
#define PROCESS_TITLE_H

/* Call first in main(); may move environ. */
void process_title_init(int argc, char **argv[]);
/* Sets argv[0] area (and prctl PR_SET_NAME to the first 15 chars). */
void process_title_set(const char *title);

#endif
