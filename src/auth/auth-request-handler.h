/* Copyright (c) dovecot-like authors. auth-request-handler.h: the requests of
   one client connection: AUTH/CONT/CANCEL, OK/FAIL/CONT replies, the
   auth_failure_delay, and the finished logins kept for the master's REQUEST. */
#ifndef AUTH_REQUEST_HANDLER_H
#define AUTH_REQUEST_HANDLER_H

struct auth_client_connection;
struct auth_request;

enum auth_client_result {
	AUTH_CLIENT_RESULT_CONTINUE,
	AUTH_CLIENT_RESULT_SUCCESS,
	AUTH_CLIENT_RESULT_FAILURE,
	AUTH_CLIENT_RESULT_FAILURE_TEMP,
};

struct auth_request_handler;

struct auth_request_handler *
auth_request_handler_create(struct auth_client_connection *conn);
/* Aborts every pending request (no more replies). */
void auth_request_handler_destroy(struct auth_request_handler **handler);

/* AUTH/CONT/CANCEL arguments (after the command word). Return false on a
   protocol violation: the caller disconnects. */
bool auth_request_handler_auth_begin(struct auth_request_handler *handler,
				     const char *const *args);
bool auth_request_handler_auth_continue(struct auth_request_handler *handler,
					const char *const *args);
void auth_request_handler_cancel(struct auth_request_handler *handler,
				 const char *const *args);

/* From the mechanisms (via auth-request.c). code/reason: FAIL fields, both
   may be NULL. */
void auth_request_handler_reply(struct auth_request *request,
				enum auth_client_result result,
				const unsigned char *data, size_t size,
				const char *code, const char *reason);

/* The master's REQUEST: the successful login request with this request id
   and cookie (and client pid, unless client_pid is 0), removed so it works
   once. NULL if none. The caller owns the returned reference. */
struct auth_request *
auth_request_handler_master_take(unsigned int client_pid, unsigned int id,
				 const char *cookie);
void auth_request_handlers_deinit(void);

#endif
