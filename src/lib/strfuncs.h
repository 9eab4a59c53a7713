/* Copyright (c) dovecot-like authors. strfuncs.h: small string helpers. */
#ifndef STRFUNCS_H
#define STRFUNCS_H

/* Split on any of the separator chars; NULL-terminated array in pool. Empty
   fields are kept. */
const char **p_strsplit(struct pool *pool, const char *data, const char *separators);
const char **tmp_strsplit(const char *data, const char *separators);
/* Like above but drops empty fields (splitting on whitespace). */
const char **tmp_strsplit_spaces(const char *data, const char *separators);
unsigned int str_array_length(const char *const *arr);
const char *tmp_strarray_join(const char *const *arr, const char *separator);
const char *tmp_str_lcase(const char *str);
const char *tmp_str_ucase(const char *str);
bool str_begins(const char *str, const char *prefix, const char **suffix_r);
/* Strict unsigned decimal parse of the whole string, no sign/space; -1 on
   overflow or junk. */
int str_to_uint(const char *str, unsigned int *num_r);
int str_to_uint32(const char *str, uint32_t *num_r);
int str_to_uint64(const char *str, uint64_t *num_r);
int str_to_ulong(const char *str, unsigned long *num_r);
/* Constant-time comparison of equal-length secrets. */
bool mem_equals_timing_safe(const void *a, const void *b, size_t len);

/* 0..15 for a hex digit (either case), -1 for anything else. */
int hex_digit_value(unsigned char c);
/* data as lowercase hex into dest (2 * size + 1 bytes, NUL-terminated). */
void binary_to_hex(char *dest, const unsigned char *data, size_t size);

#endif
