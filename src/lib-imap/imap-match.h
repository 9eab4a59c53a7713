/* Copyright (c) dovecot-like authors. imap-match.h: LIST/LSUB mailbox
   patterns (RFC 3501 6.3.8): '*' matches anything, '%' anything but the
   hierarchy separator; INBOX matches case-insensitively. */
#ifndef IMAP_MATCH_H
#define IMAP_MATCH_H

/* Longest pattern or name we match (bounds the matcher's work). */
#define IMAP_MATCH_MAX_LEN 1024

/* True if name matches pattern. Names or patterns over IMAP_MATCH_MAX_LEN
   never match. */
bool imap_match(const char *pattern, const char *name, char separator);

#endif
