/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A distribution's shipped kernel image: the ELF vmlinux inside an x86
 * bzImage, and the banner that names the build.
 */
#ifndef KLPDIFF_KERNEL_IMAGE_H
#define KLPDIFF_KERNEL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Write the ELF vmlinux of @vmlinuz (a bzImage, or already an ELF vmlinux)
 * to @out_elf, atomically. The payload is decompressed by the matching tool
 * (xz, gzip, zstd, lz4, lzma, bzip2, lzop) run as a child process.
 * -1 after an error naming the file.
 */
int kernel_image_extract(const char *vmlinuz, const char *out_elf);
/*
 * The "Linux version ..." banner of an ELF vmlinux (searched in .rodata:
 * a distribution's vmlinux has no symbols), without its newline; malloc'ed.
 * NULL after an error naming the file.
 */
char *kernel_image_banner(const char *vmlinux_elf);

/* A linked kernel's loaded bytes, by virtual address, and its allocated sections. */
struct image {
	const char *path;
	const uint8_t *data;
	size_t size;
	struct segment {
		uint64_t vaddr, size, offset;
	} *segs;
	size_t nr_segs;
	uint64_t text_start;
	struct image_section {
		char *name;
		uint64_t addr, size, flags;
	} *secs;
	size_t nr_secs;
};

/* Map the ELF vmlinux @path (ET_EXEC or ET_DYN); -1 after an error naming it. */
int image_open(struct image *im, const char *path);
void image_close(struct image *im);
/* The bytes at @addr and how many follow in the image (*@avail), or NULL. */
const uint8_t *image_at(const struct image *im, uint64_t addr, uint64_t *avail);
/* The @len bytes at @addr, or NULL if the image does not hold them all. */
const uint8_t *image_bytes(const struct image *im, uint64_t addr, uint64_t len);
/* The allocated section called @name, or the one holding @addr; NULL if none. */
const struct image_section *image_section(const struct image *im, const char *name);
const struct image_section *image_section_at(const struct image *im, uint64_t addr);

#endif
