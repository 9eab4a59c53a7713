/* Copyright (c) dovecot-like authors. The untyped half of ARRAY(): element
   storage in a struct buf, with bounds checked on every index. */
#include "lib.h"
#include "array.h"

#include <string.h>

void array_create_i(struct array *arr, struct pool *pool, size_t elem_size,
		    unsigned int init_count)
{
	ASSERT(elem_size > 0);
	arr->buf = buf_create(pool, elem_size * (init_count == 0 ? 1 : init_count));
	arr->elem_size = elem_size;
}

void *array_append_space_i(struct array *arr)
{
	void *space = buf_get_space(arr->buf, arr->elem_size);

	ASSERT(space != NULL);
	memset(space, 0, arr->elem_size);
	buf_commit_space(arr->buf, arr->elem_size);
	return space;
}

void *array_insert_space_i(struct array *arr, unsigned int idx)
{
	size_t pos = (size_t)idx * arr->elem_size;
	unsigned char *space;

	ASSERT(pos <= arr->buf->used);
	(void)array_append_space_i(arr);
	space = arr->buf->data + pos;
	memmove(space + arr->elem_size, space,
		arr->buf->used - arr->elem_size - pos);
	memset(space, 0, arr->elem_size);
	return space;
}

void array_delete_i(struct array *arr, unsigned int idx, unsigned int count)
{
	unsigned int total = (unsigned int)(arr->buf->used / arr->elem_size);

	ASSERT(idx <= total && count <= total - idx);
	buf_delete(arr->buf, (size_t)idx * arr->elem_size,
		   (size_t)count * arr->elem_size);
}

const void *array_idx_i(const struct array *arr, unsigned int idx)
{
	ASSERT((size_t)idx < arr->buf->used / arr->elem_size);
	return arr->buf->data + (size_t)idx * arr->elem_size;
}

void *array_idx_modifiable_i(struct array *arr, unsigned int idx)
{
	ASSERT((size_t)idx < arr->buf->used / arr->elem_size);
	return arr->buf->data + (size_t)idx * arr->elem_size;
}

int uint32_cmp(const uint32_t *a, const uint32_t *b)
{
	return *a < *b ? -1 : (*a > *b ? 1 : 0);
}

bool string_array_contains(const ARRAY_TYPE(string) *arr, const char *str)
{
	const char *const *s;

	array_foreach(arr, s) {
		if (strcmp(*s, str) == 0)
			return true;
	}
	return false;
}
