/* Copyright (c) dovecot-like authors. fuzz-common.h: the set-up every fuzz
   target shares (library init, quiet logging, a chunked memory istream). */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include "lib.h"
#include "istream-private.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Once per process: lib_init() and logging to /dev/null, so parsers that
   warn about bad input do not flood the fuzzer's output. */
static inline void fuzz_init(void)
{
	static bool initialized = false;
	int fd;

	if (initialized)
		return;
	initialized = true;
	lib_init();
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd != -1)
		log_set_fd(fd);
}

/* Input as a NUL-terminated copy (malloc, so ASan sees its real end). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *str = malloc(size + 1);

	if (str == NULL)
		abort();
	memcpy(str, data, size);
	str[size] = '\0';
	return str;
}

/* A memory istream that hands out at most chunk bytes per read, so the
   parsers' state carried across reads is exercised. */
struct fuzz_chunk_input {
	const unsigned char *data;
	size_t len, pos, chunk;
};

static inline ssize_t
fuzz_chunk_read(struct istream_private *stream, void *data, size_t size)
{
	struct fuzz_chunk_input *ci = stream->context;
	size_t n = ci->len - ci->pos;

	if (n == 0) {
		errno = 0;
		return -1;
	}
	n = MIN(n, MIN(size, ci->chunk));
	memcpy(data, ci->data + ci->pos, n);
	ci->pos += n;
	return (ssize_t)n;
}

static inline void fuzz_chunk_destroy(struct istream_private *stream ATTR_UNUSED)
{
}

static const struct istream_vfuncs fuzz_chunk_vfuncs = {
	fuzz_chunk_read, fuzz_chunk_destroy
};

/* ci must outlive the stream. */
static inline struct istream *
fuzz_istream_create_chunked(struct fuzz_chunk_input *ci, const void *data,
			    size_t len, size_t chunk, size_t max_buffer_size)
{
	ci->data = data;
	ci->len = len;
	ci->pos = 0;
	ci->chunk = chunk == 0 ? 1 : chunk;
	return istream_create_private(&fuzz_chunk_vfuncs, ci, -1, max_buffer_size);
}

#endif
