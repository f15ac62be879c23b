/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the arch files: how a relocation writes its field, and for the
 * special_layout tables a relocated field and absent fields.
 */
#ifndef KLPDIFF_ARCH_LAYOUT_H
#define KLPDIFF_ARCH_LAYOUT_H

#include "elf/arch.h"

#define HOWTO(k, w) ((struct reloc_howto){ .kind = (k), .width = (w) })

#define PC32(off) { off, RELOC_PCREL, 4 }
#define PC32_ALWAYS(off) { off, RELOC_PCREL, 4, true }
#define PC64(off) { off, RELOC_PCREL, 8 }
#define ABS64(off) { off, RELOC_ABS, 8 }
#define NO_KEY .key_kind = KEY_NONE, .code_field = -1, .target_field = -1, .key_field = -1
#define NO_CONTENT .content_field = -1, .content_len_field = -1

#endif
