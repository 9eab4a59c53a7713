/* Copyright (c) dovecot-like authors. write-full.h: write() until every
   byte is written, for blocking fds (files, blocking sockets). */
#ifndef WRITE_FULL_H
#define WRITE_FULL_H

#include <stddef.h>

/* 0, or -1 with errno (a 0-byte write counts as ENOSPC). EINTR retried. */
int write_full(int fd, const void *data, size_t size);

#endif
