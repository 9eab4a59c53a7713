/* Copyright (c) dovecot-like authors. Process-wide setup of src/lib and the
   assertion failure path shared by every ASSERT(). */
#include "lib.h"

void lib_init(void)
{
	/* system_pool and tmp_pool are static, so nothing can use them too
	   early; start from a clean tmp pool. */
	tmp_reset();
}

void lib_deinit(void)
{
	tmp_reset();
}

void lib_assert_failed(const char *file, int line, const char *func,
		       const char *expr)
{
	panic("file %s: line %d (%s): assertion failed: (%s)",
	      file, line, func, expr);
}
