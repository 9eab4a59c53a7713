/* Copyright (c) dovecot-like authors. fdpass.h: sending fds over unix sockets
   (SCM_RIGHTS) with a small data payload. */
#ifndef FDPASS_H
#define FDPASS_H

/* Sends data (1..size bytes) with send_fd attached (-1 = none). Returns bytes
   sent or -1. */
ssize_t fd_send(int sock, int send_fd, const void *data, size_t size);
/* Receives up to size bytes; *fd_r = received fd (cloexec) or -1. Returns
   bytes, 0 on EOF, -1 on error (EAGAIN if non-blocking and nothing). */
ssize_t fd_read(int sock, void *data, size_t size, int *fd_r);

#endif
