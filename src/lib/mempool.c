/* Copyright (c) dovecot-like authors. Memory pools: one allocation arena per
   lifetime, so a connection or command frees everything it used at once. */
#include "lib.h"

#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>

/* Under AddressSanitizer every allocation gets its own malloc() so that
   overflows and use-after-clear inside pools are caught too. */
#if defined(__SANITIZE_ADDRESS__)
#  define POOL_SEPARATE_BLOCKS 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define POOL_SEPARATE_BLOCKS 1
#  endif
#endif
#ifndef POOL_SEPARATE_BLOCKS
#  define POOL_SEPARATE_BLOCKS 0
#endif

#define POOL_ALIGN 16
#define POOL_ALIGN_UP(n) (((n) + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1))
#define POOL_MIN_BLOCK_SIZE 1024
#define POOL_DEFAULT_BLOCK_SIZE 8192
#define POOL_MAX_BLOCK_SIZE (1024 * 1024)

struct pool_block {
	struct pool_block *next;
	size_t size;	/* usable bytes after the header */
	size_t used;
	bool dedicated;	/* holds exactly one large allocation */
};
#define BLOCK_HDR_SIZE POOL_ALIGN_UP(sizeof(struct pool_block))
#define BLOCK_DATA(b) ((unsigned char *)(b) + BLOCK_HDR_SIZE)

struct pool {
	const char *name;
	int refcount;
	enum pool_flags flags;
	bool system;
	bool static_pool;	/* struct itself is not malloc()ed */
	size_t block_size;	/* size of the next normal block */
	/* head = the normal block small allocations come from */
	struct pool_block *blocks;
	void *last_alloc;	/* may be grown in place by p_realloc */
};

static struct pool system_pool_struct = {
	.name = "system", .refcount = 1, .system = true, .static_pool = true,
};
static struct pool tmp_pool_struct = {
	.name = "tmp", .refcount = 1, .static_pool = true,
	.block_size = 32 * 1024,
};
struct pool *system_pool = &system_pool_struct;
struct pool *tmp_pool = &tmp_pool_struct;

static void ATTR_NORETURN out_of_memory(size_t size)
{
	/* log_fatal would allocate; keep this path allocation-free */
	static const char msg[] = "Fatal: Out of memory\n";
	(void)size;
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more we can do */
	}
	abort();
}

static void *lib_malloc(size_t size)
{
	void *mem = calloc(1, size == 0 ? 1 : size);

	if (mem == NULL)
		out_of_memory(size);
	return mem;
}

void safe_memzero(void *data, size_t size)
{
	explicit_bzero(data, size);
}

struct pool *pool_create(const char *name, size_t initial_size,
			 enum pool_flags flags)
{
	struct pool *pool = lib_malloc(sizeof(*pool));

	pool->name = name;
	pool->refcount = 1;
	pool->flags = flags;
	pool->block_size = initial_size < POOL_MIN_BLOCK_SIZE ?
		POOL_MIN_BLOCK_SIZE : initial_size;
	return pool;
}

void pool_ref(struct pool *pool)
{
	if (pool->system)
		return;
	ASSERT(pool->refcount > 0);
	pool->refcount++;
}

static void pool_block_free(struct pool *pool, struct pool_block *block)
{
	if ((pool->flags & POOL_FLAG_WIPE) != 0)
		safe_memzero(BLOCK_DATA(block), block->used);
	free(block);
}

/* Free all blocks; keep the head normal block (emptied) if keep_one. */
static void pool_free_blocks(struct pool *pool, bool keep_one)
{
	struct pool_block *block, *next, *kept = NULL;

	for (block = pool->blocks; block != NULL; block = next) {
		next = block->next;
		if (keep_one && kept == NULL && !block->dedicated &&
		    !POOL_SEPARATE_BLOCKS) {
			if ((pool->flags & POOL_FLAG_WIPE) != 0)
				safe_memzero(BLOCK_DATA(block), block->used);
			block->used = 0;
			block->next = NULL;
			kept = block;
		} else {
			pool_block_free(pool, block);
		}
	}
	pool->blocks = kept;
	pool->last_alloc = NULL;
}

void pool_unref(struct pool **_pool)
{
	struct pool *pool = *_pool;

	if (pool == NULL)
		return;
	*_pool = NULL;
	if (pool->system)
		return;
	ASSERT(pool->refcount > 0);
	if (--pool->refcount > 0)
		return;
	pool_free_blocks(pool, false);
	if (!pool->static_pool)
		free(pool);
}

void pool_clear(struct pool *pool)
{
	ASSERT(!pool->system);
	pool_free_blocks(pool, true);
}

const char *pool_get_name(const struct pool *pool)
{
	return pool->name;
}

static struct pool_block *pool_block_new(size_t size, bool dedicated)
{
	struct pool_block *block;

	if (size > SIZE_MAX - BLOCK_HDR_SIZE)
		out_of_memory(size);
	block = lib_malloc(BLOCK_HDR_SIZE + size);
	block->size = size;
	block->dedicated = dedicated;
	return block;
}

static void *pool_alloc(struct pool *pool, size_t size)
{
	struct pool_block *block = pool->blocks;
	size_t asize = POOL_ALIGN_UP(size == 0 ? 1 : size);
	void *mem;

	if (asize < size)
		out_of_memory(size);
	if (POOL_SEPARATE_BLOCKS || asize > pool->block_size / 2) {
		/* big: own block, linked after the head so the head stays
		   the block small allocations come from */
		block = pool_block_new(asize, true);
		block->used = asize;
		if (pool->blocks == NULL || POOL_SEPARATE_BLOCKS) {
			block->next = pool->blocks;
			pool->blocks = block;
		} else {
			block->next = pool->blocks->next;
			pool->blocks->next = block;
		}
		pool->last_alloc = NULL;
		return BLOCK_DATA(block);
	}
	if (block == NULL || block->dedicated ||
	    block->size - block->used < asize) {
		block = pool_block_new(pool->block_size, false);
		block->next = pool->blocks;
		pool->blocks = block;
		if (pool->block_size < POOL_MAX_BLOCK_SIZE)
			pool->block_size *= 2;
	}
	mem = BLOCK_DATA(block) + block->used;
	block->used += asize;
	pool->last_alloc = mem;
	/* blocks come from calloc and are zeroed again on clear */
	memset(mem, 0, size);
	return mem;
}

void *p_malloc(struct pool *pool, size_t size)
{
	if (pool->system)
		return lib_malloc(size);
	return pool_alloc(pool, size);
}

void *p_realloc(struct pool *pool, void *mem, size_t old_size, size_t new_size)
{
	struct pool_block *block = pool->blocks;
	void *new_mem;

	if (mem == NULL)
		return p_malloc(pool, new_size);
	if (pool->system) {
		new_mem = realloc(mem, new_size == 0 ? 1 : new_size);
		if (new_mem == NULL)
			out_of_memory(new_size);
		if (new_size > old_size)
			memset((unsigned char *)new_mem + old_size, 0,
			       new_size - old_size);
		return new_mem;
	}
	if (new_size <= old_size)
		return mem;
	if (mem == pool->last_alloc && block != NULL && !block->dedicated) {
		size_t start = (unsigned char *)mem - BLOCK_DATA(block);
		size_t asize = POOL_ALIGN_UP(new_size);

		if (asize >= new_size && start + asize <= block->size) {
			block->used = start + asize;
			memset((unsigned char *)mem + old_size, 0,
			       new_size - old_size);
			return mem;
		}
	}
	if ((pool->flags & POOL_FLAG_WIPE) == 0) {
		/* a big buffer that keeps growing sits in a dedicated block
		   near the head: grow that block instead of leaving copies */
		struct pool_block **bp = &pool->blocks;

		if (*bp != NULL && !(*bp)->dedicated)
			bp = &(*bp)->next;
		if (*bp != NULL && (*bp)->dedicated && BLOCK_DATA(*bp) == mem &&
		    new_size <= SIZE_MAX - BLOCK_HDR_SIZE) {
			struct pool_block *nb =
				realloc(*bp, BLOCK_HDR_SIZE + new_size);

			if (nb == NULL)
				out_of_memory(new_size);
			memset(BLOCK_DATA(nb) + old_size, 0, new_size - old_size);
			nb->size = nb->used = new_size;
			*bp = nb;
			return BLOCK_DATA(nb);
		}
	}
	new_mem = pool_alloc(pool, new_size);
	memcpy(new_mem, mem, old_size);
	return new_mem;
}

void p_free(struct pool *pool, void *mem)
{
	if (pool->system)
		free(mem);
}

char *p_strdup(struct pool *pool, const char *str)
{
	if (str == NULL)
		return NULL;
	return p_memdup(pool, str, strlen(str) + 1);
}

char *p_strndup(struct pool *pool, const void *str, size_t len)
{
	const char *end = memchr(str, '\0', len);
	char *mem;

	if (end != NULL)
		len = (size_t)(end - (const char *)str);
	mem = p_malloc(pool, len + 1);
	memcpy(mem, str, len);
	return mem;
}

void *p_memdup(struct pool *pool, const void *data, size_t len)
{
	void *mem = p_malloc(pool, len);

	if (len > 0)
		memcpy(mem, data, len);
	return mem;
}

char *p_vprintf(struct pool *pool, const char *fmt, va_list args)
{
	char buf[256], *mem;
	va_list args2;
	int saved_errno = errno;
	int len;

	va_copy(args2, args);
	len = vsnprintf(buf, sizeof(buf), fmt, args);
	if (len < 0) {
		va_end(args2);
		return p_strdup(pool, "");
	}
	mem = p_malloc(pool, (size_t)len + 1);
	if ((size_t)len < sizeof(buf))
		memcpy(mem, buf, (size_t)len + 1);
	else {
		errno = saved_errno;	/* %m */
		(void)vsnprintf(mem, (size_t)len + 1, fmt, args2);
	}
	va_end(args2);
	errno = saved_errno;
	return mem;
}

char *p_printf(struct pool *pool, const char *fmt, ...)
{
	va_list args;
	char *ret;

	va_start(args, fmt);
	ret = p_vprintf(pool, fmt, args);
	va_end(args);
	return ret;
}

static char *p_vstrconcat(struct pool *pool, const char *str1, va_list args)
{
	va_list args2;
	const char *s;
	size_t len = 0, pos = 0;
	char *mem;

	va_copy(args2, args);
	for (s = str1; s != NULL; s = va_arg(args, const char *))
		len += strlen(s);
	mem = p_malloc(pool, len + 1);
	for (s = str1; s != NULL; s = va_arg(args2, const char *)) {
		size_t n = strlen(s);

		memcpy(mem + pos, s, n);
		pos += n;
	}
	va_end(args2);
	return mem;
}

char *p_strconcat(struct pool *pool, const char *str1, ...)
{
	va_list args;
	char *ret;

	va_start(args, str1);
	ret = p_vstrconcat(pool, str1, args);
	va_end(args);
	return ret;
}

void tmp_reset(void)
{
	pool_clear(tmp_pool);
}

struct pool *tmp_frame_begin(void)
{
	struct pool *saved = tmp_pool;

	tmp_pool = pool_create("tmp frame", 16 * 1024, 0);
	return saved;
}

void tmp_frame_end(struct pool *saved)
{
	struct pool *frame = tmp_pool;

	tmp_pool = saved;
	pool_unref(&frame);
}

const char *tmp_strdup(const char *str)
{
	return p_strdup(tmp_pool, str);
}

const char *tmp_strndup(const void *str, size_t len)
{
	return p_strndup(tmp_pool, str, len);
}

const char *tmp_printf(const char *fmt, ...)
{
	va_list args;
	char *ret;

	va_start(args, fmt);
	ret = p_vprintf(tmp_pool, fmt, args);
	va_end(args);
	return ret;
}

const char *tmp_strconcat(const char *str1, ...)
{
	va_list args;
	char *ret;

	va_start(args, str1);
	ret = p_vstrconcat(tmp_pool, str1, args);
	va_end(args);
	return ret;
}
