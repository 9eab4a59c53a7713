/* Copyright (c) dovecot-like authors. mbox-from.h: the "From " separator
   line of an mbox: the strict parse Dovecot uses to decide where a message
   starts (a date must follow the sender), and the line we write. */
#ifndef MBOX_FROM_H
#define MBOX_FROM_H

#include <time.h>

struct str;
struct pool;

/* Longest From_ line we look at; longer lines are not separators. */
#define MBOX_FROM_MAX_LINE_LEN 1024
/* mbox_from_create() writes at most this much of the sender. */
#define MBOX_FROM_MAX_SENDER_LEN 512

/* Parses the line data[0..len) (starting with "From ", without the LF; a
   trailing CR is ignored). Returns 0 with the date as a unix time (numeric
   zone applied, otherwise local time) and the zone offset in minutes (0 if
   none), or -1 if the line is not a valid From_ line. sender_r may be NULL;
   otherwise it is set to the sender, allocated from pool. Never reads past
   len. */
int mbox_from_parse(const unsigned char *data, size_t len, time_t *time_r,
		    int *tz_offset_r, struct pool *pool, const char **sender_r);

/* Appends "From <sender>  Www Mmm DD hh:mm:ss YYYY\n" (local time, as
   Dovecot writes it) to dest. An empty or NULL sender becomes
   MAILER-DAEMON; spaces and control characters in it become '_', an
   unterminated leading quote too; it is cut at MBOX_FROM_MAX_SENDER_LEN. */
void mbox_from_create(struct str *dest, const char *sender, time_t t);

#endif
