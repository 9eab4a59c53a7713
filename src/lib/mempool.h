/* Copyright (c) dovecot-like authors. mempool.h: memory pools, one per lifetime
   (connection, command, mailbox view), freed all at once; and the tmp pool whose
   values last until the current ioloop callback returns. Only src/lib calls malloc. */
#ifndef MEMPOOL_H
#define MEMPOOL_H

enum pool_flags {
	POOL_FLAG_NONE = 0,
	/* sodium_memzero()-equivalent wipe of every block when the pool is freed */
	POOL_FLAG_WIPE = 0x01,
};

struct pool;

/* An allocate-only pool: p_free() of a single block is a no-op (except the last
   block may be grown in place by p_realloc). Starts with refcount 1. */
struct pool *pool_create(const char *name, size_t initial_size,
			 enum pool_flags flags);
void pool_ref(struct pool *pool);
/* Frees everything when the last reference goes; sets *pool = NULL. */
void pool_unref(struct pool **pool);
/* Free every block but keep the pool (for per-command reuse). */
void pool_clear(struct pool *pool);
const char *pool_get_name(const struct pool *pool);

/* The system pool: p_malloc = calloc, p_free = free, p_realloc = realloc.
   Never unref'd. Use for long-lived growable things. */
extern struct pool *system_pool;

/* Returns zeroed memory, never NULL (out of memory is fatal). */
void *p_malloc(struct pool *pool, size_t size);
void *p_realloc(struct pool *pool, void *mem, size_t old_size, size_t new_size);
void p_free(struct pool *pool, void *mem);
char *p_strdup(struct pool *pool, const char *str);	/* NULL -> NULL */
char *p_strndup(struct pool *pool, const void *str, size_t len);
void *p_memdup(struct pool *pool, const void *data, size_t len);
char *p_printf(struct pool *pool, const char *fmt, ...) ATTR_FORMAT(2, 3);
char *p_vprintf(struct pool *pool, const char *fmt, va_list args) ATTR_FORMAT(2, 0);
/* NULL-terminated list of strings into one pool-allocated string. */
char *p_strconcat(struct pool *pool, const char *str1, ...) __attribute__((sentinel));

#define pool_new(pool, type, count) \
	((type *)p_malloc(pool, sizeof(type) * (count)))

/* tmp: cleared by the ioloop after every callback (and by tmp_reset()).
   Never keep a tmp value in a struct. */
extern struct pool *tmp_pool;
void tmp_reset(void);
/* A scratch frame for one long piece of work inside a single callback
   (e.g. parsing thousands of messages in one FETCH): tmp allocations
   between tmp_frame_begin() and tmp_frame_end() go to a pool of their own,
   freed at tmp_frame_end(). Nothing allocated in the frame may be used
   after it; frames nest. */
struct pool *tmp_frame_begin(void);
void tmp_frame_end(struct pool *saved);
#define t_new(type, count) pool_new(tmp_pool, type, count)
const char *tmp_strdup(const char *str);
const char *tmp_strndup(const void *str, size_t len);
const char *tmp_printf(const char *fmt, ...) ATTR_FORMAT(1, 2);
const char *tmp_strconcat(const char *str1, ...) __attribute__((sentinel));

/* Wipe memory so the compiler cannot elide it (explicit_bzero). */
void safe_memzero(void *data, size_t size);

#endif
