/* Copyright (c) dovecot-like authors. buffer.h: growable byte buffers with
   explicit lengths. A buffer may have a max size; appends beyond it fail. */
#ifndef BUFFER_H
#define BUFFER_H

struct buf {
	unsigned char *data;
	size_t used;	/* bytes of valid data */
	size_t size;	/* allocated */
	size_t max_size;	/* 0 = unlimited */
	struct pool *pool;
};

struct buf *buf_create(struct pool *pool, size_t initial_size);
/* Frees the data (if pool supports free) and the struct; *buf = NULL. */
void buf_free(struct buf **buf);
void buf_set_max_size(struct buf *buf, size_t max_size);
/* Returns 0, or -1 if max_size would be exceeded (nothing appended). */
int buf_append(struct buf *buf, const void *data, size_t len);
/* Appends as much of data as keeps buf->used <= max_used (the rest is
   dropped: for outputs cut at a size limit). */
void buf_append_max(struct buf *buf, size_t max_used, const void *data,
		    size_t len);
int buf_append_c(struct buf *buf, unsigned char c);
/* Writes at pos, growing as needed; gap is zero-filled. */
int buf_write(struct buf *buf, size_t pos, const void *data, size_t len);
/* Remove len bytes from pos. */
void buf_delete(struct buf *buf, size_t pos, size_t len);
void buf_reset(struct buf *buf);
void buf_truncate(struct buf *buf, size_t len);
/* Make room for len more bytes and return a pointer to them; caller then
   buf_append_space_commit()s how many were used. NULL if max_size. */
void *buf_get_space(struct buf *buf, size_t len);
void buf_commit_space(struct buf *buf, size_t len);
/* Make sure at least size bytes are allocated, ignoring max_size (str uses
   this for its NUL). */
void buf_reserve(struct buf *buf, size_t size);

#endif
