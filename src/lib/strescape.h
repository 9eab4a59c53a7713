/* Copyright (c) dovecot-like authors. strescape.h: the auth protocols' TAB
   escaping (\001 -> \0011, \t -> \001t, \n -> \001n, \r -> \001r), see
   shared/reference/auth-protocol.md section 2. */
#ifndef STRESCAPE_H
#define STRESCAPE_H

#include "str.h"

void str_append_tabescaped(struct str *dest, const char *src);
const char *tmp_str_tabescape(const char *src);
/* In place; returns str. */
char *str_tabunescape(char *str);
/* Split a line on TAB and unescape each field; NULL-terminated, tmp pool. */
const char *const *tmp_strsplit_tabescaped(const char *line);

#endif
