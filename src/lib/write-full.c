/* Copyright (c) dovecot-like authors. write-full.c: see write-full.h. */
#include "lib.h"
#include "write-full.h"

#include <unistd.h>

int write_full(int fd, const void *data, size_t size)
{
	const unsigned char *p = data;
	ssize_t ret;

	while (size > 0) {
		ret = write(fd, p, size);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (ret == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += ret;
		size -= (size_t)ret;
	}
	return 0;
}

int pwrite_full(int fd, const void *data, size_t size, off_t offset)
{
	const unsigned char *p = data;
	ssize_t ret;

	while (size > 0) {
		ret = pwrite(fd, p, size, offset);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (ret == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += ret;
		size -= (size_t)ret;
		offset += ret;
	}
	return 0;
}

int pread_full(int fd, void *data, size_t size, off_t offset)
{
	unsigned char *p = data;
	ssize_t ret;

	while (size > 0) {
		ret = pread(fd, p, size, offset);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (ret == 0) {
			errno = EIO;	/* the file is shorter than expected */
			return -1;
		}
		p += ret;
		size -= (size_t)ret;
		offset += ret;
	}
	return 0;
}
