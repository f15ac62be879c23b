/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A distribution's shipped kernel image: the ELF vmlinux inside an x86
 * bzImage, and the banner that names the build.
 */
#ifndef KLPDIFF_KERNEL_IMAGE_H
#define KLPDIFF_KERNEL_IMAGE_H

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

#endif
