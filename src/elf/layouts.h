/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The catalogue of kernel special-section layouts (each arch file's
 * `special` table), the kernel versions it covers, and a target kernel's
 * own layouts, which the objects opened for that kernel must have.
 */
#ifndef KLPDIFF_LAYOUTS_H
#define KLPDIFF_LAYOUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "elf/arch.h"

/* Linux MAJOR.MINOR as one ordered number. */
#define KV(major, minor) ((unsigned)(major) << 8 | (unsigned)(minor))
#define KV_MAJOR(kv) ((kv) >> 8)
#define KV_MINOR(kv) ((kv) & 0xff)
/* The kernel lines klpdiff has profiles of (builds patches for, -k). */
#define KV_OLDEST KV(4, 18)
#define KV_NEWEST KV(7, 3)
/* The oldest kernel whose objects the catalogue's layouts read (to KV_NEWEST). */
#define KV_LAYOUTS_OLDEST KV(3, 10)

/* "Linux 4.18 to 7.3": the kernels klpdiff has profiles of, for messages. */
const char *layouts_kernels(void);
/* "Linux 3.10 to 7.3": the kernels whose objects klpdiff reads, for messages. */
const char *layouts_read_kernels(void);

/* Is @l a layout of the section named @name (runtime_ptr_<variable>: by its start)? */
static inline bool layout_names(const struct special_layout *l, const char *name)
{
	return l->name_prefix ? !strncmp(name, l->section, strlen(l->section)) :
				!strcmp(name, l->section);
}

/* An entry of @l starts at @off of a section of @size (the last one maybe unpadded). */
static inline bool layout_has_entry(const struct special_layout *l, uint64_t size, uint64_t off)
{
	return off + (l->last_size ? l->last_size : l->entry_size) <= size;
}

/* The bytes of the entry of @l at @off of a section of @size: the last one's may be fewer. */
static inline uint64_t layout_entry_bytes(const struct special_layout *l, uint64_t size,
					  uint64_t off)
{
	return size - off < l->entry_size ? size - off : l->entry_size;
}

/*
 * Does the entry of @l at @entry (@avail bytes, in byte order @elf_data) point
 * at a function with its content field rather than at code (callback_flag)?
 */
static inline bool layout_entry_callback(const struct special_layout *l, const uint8_t *entry,
					 uint64_t avail, unsigned char elf_data)
{
	const uint8_t *p = entry + l->callback_field;
	unsigned v;

	if (!l->callback_flag || l->callback_field < 0 || (uint64_t)l->callback_field + 2 > avail)
		return false;
	v = elf_data == 2 /* ELFDATA2MSB */ ? (unsigned)p[0] << 8 | p[1] : p[0] | (unsigned)p[1] << 8;
	return v & l->callback_flag;
}

/*
 * The first layout of @section in @arch's catalogue, or NULL. The layouts
 * of one section are adjacent there, the first the one tried first.
 */
const struct special_layout *layout_first(const struct arch *arch, const char *section);

/*
 * A target kernel's layouts, one per special section its layout probe
 * fills (kernel_profile_probe()). Given to elf_open(), a section of one of
 * these names must have that layout; NULL or empty: each section's layout
 * is recognised from its size, relocations and entries (elf/layouts.c).
 */
struct elf_layouts {
	const struct special_layout *v[16];
	size_t nr;
};

/* @target's layout of @section, or NULL (also when @target is NULL). */
const struct special_layout *layouts_find(const struct elf_layouts *target, const char *section);

#endif
