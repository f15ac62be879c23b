/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kpatch's patch-author macro names, so that patches written for kpatch-build
 * build unchanged with klpdiff. Everything maps onto klpdiff-macros.h.
 */
#ifndef KLPDIFF_KPATCH_MACROS_H
#define KLPDIFF_KPATCH_MACROS_H

#include "klpdiff-macros.h"

/* kpatch's callbacks take a patch_object: the kernel's struct klp_object. */
typedef struct klp_object patch_object;

#define KPATCH_PRE_PATCH_CALLBACK(fn) KLPDIFF_PRE_PATCH_CALLBACK(fn)
#define KPATCH_POST_PATCH_CALLBACK(fn) KLPDIFF_POST_PATCH_CALLBACK(fn)
#define KPATCH_PRE_UNPATCH_CALLBACK(fn) KLPDIFF_PRE_UNPATCH_CALLBACK(fn)
#define KPATCH_POST_UNPATCH_CALLBACK(fn) KLPDIFF_POST_UNPATCH_CALLBACK(fn)
#define KPATCH_IGNORE_FUNCTION(fn) KLPDIFF_IGNORE_FUNCTION(fn)
#define KPATCH_IGNORE_SECTION(name) KLPDIFF_IGNORE_SECTION(name)
#define KPATCH_FORCE_UNSAFE(fn) KLPDIFF_FORCE_UNSAFE(fn)
#define KPATCH_PRINTK(fmt, ...) KLPDIFF_PRINTK(fmt, ##__VA_ARGS__)
/* Static calls need no special form in a klpdiff patch. */
#define KPATCH_STATIC_CALL(name) static_call(name)

#endif
