/* Copyright (c) dovecot-like authors. lib.h: the one header every file includes
   first; common types, assertions and the pieces of src/lib almost everyone uses. */
#ifndef LIB_H
#define LIB_H

#include "config.h"	/* autoconf */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>
#include <string.h>
#include <errno.h>
#include <sys/types.h>
#include <assert.h>

typedef uint64_t uoff_t;

#define ATTR_FORMAT(a, b) __attribute__((format(printf, a, b)))
#define ATTR_NORETURN __attribute__((noreturn))
#define ATTR_UNUSED __attribute__((unused))
#define ATTR_NULL(...)
#define N_ELEMENTS(arr) (sizeof(arr) / sizeof((arr)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Always compiled in: for our own invariants, never for checking input. */
#define ASSERT(expr) \
	do { if (__builtin_expect(!(expr), 0)) \
		lib_assert_failed(__FILE__, __LINE__, __func__, #expr); } while (0)
void lib_assert_failed(const char *file, int line, const char *func,
		       const char *expr) ATTR_NORETURN;

#include "mempool.h"
#include "log.h"

/* Initialize/deinitialize src/lib globals (tmp pool, logging defaults). */
void lib_init(void);
void lib_deinit(void);

#endif
