/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz inputs become files in memory: klpdiff's loader reads files by path. */
#ifndef KLPDIFF_FUZZ_COMMON_H
#define KLPDIFF_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* A memfd holding @data; its path in @path. Returns the fd, or -1. */
static inline int fuzz_file(const unsigned char *data, size_t size, char *path, size_t path_size)
{
	int fd = memfd_create("klpdiff-fuzz", 0);

	if (fd < 0)
		return -1;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, path_size, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
