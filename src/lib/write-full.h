/* Copyright (c) dovecot-like authors. write-full.h: write()/pwrite()/pread()
   until every byte is done, for blocking fds (files, blocking sockets). */
#ifndef WRITE_FULL_H
#define WRITE_FULL_H

#include <stddef.h>
#include <sys/types.h>

/* 0, or -1 with errno (a 0-byte write counts as ENOSPC). EINTR retried. */
int write_full(int fd, const void *data, size_t size);
/* The same at offset (pwrite), and reading exactly size bytes at offset:
   0, or -1 with errno (EOF before size bytes is EIO). */
int pwrite_full(int fd, const void *data, size_t size, off_t offset);
int pread_full(int fd, void *data, size_t size, off_t offset);

#endif
