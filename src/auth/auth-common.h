/* Copyright (c) dovecot-like authors. auth-common.h: the auth process's limits
   and protocol constants, shared by every file of src/auth. */
#ifndef AUTH_COMMON_H
#define AUTH_COMMON_H

#include "lib.h"

/* shared/reference/auth-protocol.md s.2: longest line we accept. */
#define AUTH_CLIENT_MAX_LINE_LENGTH 16384
/* Requests in flight on one client connection. */
#define AUTH_CLIENT_MAX_PENDING_REQUESTS 128
/* Stop reading a client while this much output is unread (s.3.5). */
#define AUTH_CLIENT_OUTPUT_THROTTLE (50 * 1024)
/* s.3.5: an unfinished request is dropped after this. */
#define AUTH_REQUEST_TIMEOUT_SECS 150
/* How long a successful login waits for the worker's REQUEST. */
#define AUTH_MASTER_REQUEST_EXPIRE_SECS 60
/* A lookup in the auth-worker that takes longer fails with temp. */
#define AUTH_WORKER_REQUEST_TIMEOUT_SECS 60
#define AUTH_WORKER_MAX_LINE_LENGTH (AUTH_CLIENT_MAX_LINE_LENGTH * 2)

#define AUTH_CLIENT_PROTOCOL_MAJOR 1
#define AUTH_CLIENT_PROTOCOL_MINOR 2
#define AUTH_MASTER_PROTOCOL_MAJOR 1
#define AUTH_MASTER_PROTOCOL_MINOR 1

/* 16 random bytes, lowercase hex (s.3.1). */
#define AUTH_COOKIE_SIZE 16

/* Sent to clients for internal errors; details only go to the log. */
#define AUTH_TEMP_FAIL_REASON "Temporary authentication failure."

#endif
