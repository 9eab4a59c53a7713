/* Copyright (c) dovecot-like authors. array.h: type-safe dynamic arrays.
   ARRAY(struct foo) declares one; array_init() before use. Element pointers
   are invalidated by appends. */
#ifndef ARRAY_H
#define ARRAY_H

#include "buffer.h"
#include <stdlib.h>	/* qsort() for array_sort() */

struct array {
	struct buf *buf;
	size_t elem_size;
};

/* The union carries the element type for the macros' type checks. */
#define ARRAY(type) union { struct array arr; type const *v; type *v_mod; }
#define ARRAY_TYPE(name) array_type_##name
typedef ARRAY(const char *) ARRAY_TYPE(string);
typedef ARRAY(unsigned int) ARRAY_TYPE(uint);
typedef ARRAY(uint32_t) ARRAY_TYPE(uint32);

void array_create_i(struct array *arr, struct pool *pool, size_t elem_size,
		    unsigned int init_count);
void *array_append_space_i(struct array *arr);
void *array_insert_space_i(struct array *arr, unsigned int idx);
void array_delete_i(struct array *arr, unsigned int idx, unsigned int count);
const void *array_idx_i(const struct array *arr, unsigned int idx);
void *array_idx_modifiable_i(struct array *arr, unsigned int idx);

#define array_init(a, pool, init_count) \
	array_create_i(&(a)->arr, pool, sizeof(*(a)->v), init_count)
#define array_is_created(a) ((a)->arr.buf != NULL)
#define array_free(a) buf_free(&(a)->arr.buf)
#define array_count(a) \
	((unsigned int)((a)->arr.buf->used / (a)->arr.elem_size))
#define array_append(a, elemp) \
	memcpy(array_append_space_i(&(a)->arr), (1 ? (elemp) : (a)->v), \
	       (a)->arr.elem_size)
#define array_append_space(a) \
	((__typeof__((a)->v_mod))array_append_space_i(&(a)->arr))
#define array_insert(a, idx, elemp) \
	memcpy(array_insert_space_i(&(a)->arr, idx), (1 ? (elemp) : (a)->v), \
	       (a)->arr.elem_size)
#define array_delete(a, idx, count) array_delete_i(&(a)->arr, idx, count)
#define array_clear(a) buf_reset((a)->arr.buf)
#define array_idx(a, idx) \
	((__typeof__((a)->v))array_idx_i(&(a)->arr, idx))
#define array_idx_modifiable(a, idx) \
	((__typeof__((a)->v_mod))array_idx_modifiable_i(&(a)->arr, idx))
#define array_front(a) array_idx(a, 0)
/* const pointer to all elements, count in *count_r */
#define array_get(a, count_r) \
	((*(count_r) = array_count(a)), (__typeof__((a)->v))(a)->arr.buf->data)
#define array_get_modifiable(a, count_r) \
	((*(count_r) = array_count(a)), (__typeof__((a)->v_mod))(a)->arr.buf->data)
/* for (elem = first; elem != end; elem++) over elements */
#define array_foreach(a, elem) \
	for (elem = (__typeof__((a)->v_mod))(a)->arr.buf->data; \
	     (const unsigned char *)(elem) < (a)->arr.buf->data + (a)->arr.buf->used; \
	     (elem)++)
/* Ascending order of uint32_t, for array_sort() and bsearch(). */
int uint32_cmp(const uint32_t *a, const uint32_t *b);
/* Is str (compared bytewise) one of the array's strings? A linear scan. */
bool string_array_contains(const ARRAY_TYPE(string) *arr, const char *str);
#define array_sort(a, cmp) \
	qsort((a)->arr.buf->data, array_count(a), (a)->arr.elem_size, \
	      (int (*)(const void *, const void *))(cmp))

#endif
