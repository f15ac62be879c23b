/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpdiff's patch-author API: include this from a patched kernel source file
 * (klpdiff build puts it on the include path of the patched build).
 *
 * Callbacks: KLPDIFF_PRE_PATCH_CALLBACK(fn) and friends register fn as a
 * livepatch callback of the object the file belongs to (vmlinux, or the
 * module it is built into). Pre-patch callbacks return int (non-zero aborts
 * patching); the others return void. Their argument is a struct klp_object *.
 *
 * The macros only record what they ask for in .klpdiff.* sections of the
 * patched object; `klpdiff extract` reads those records and turns them into
 * the module's klp_object callbacks and ignore lists.
 */
#ifndef KLPDIFF_MACROS_H
#define KLPDIFF_MACROS_H

/*
 * The record format: klpdiff reads these records with this very definition
 * (src/patch_object.h includes this file without __KERNEL__), so it stays
 * free of kernel headers.
 */
enum klpdiff_callback_kind {
	KLPDIFF_PRE_PATCH = 1,
	KLPDIFF_POST_PATCH,
	KLPDIFF_PRE_UNPATCH,
	KLPDIFF_POST_UNPATCH,
	KLPDIFF_NR_CALLBACK_KINDS	/* one past the last */
};

/* One record in .klpdiff.callbacks; objname NULL means vmlinux. */
struct klpdiff_callback {
	const char *objname;
	unsigned long kind;
	void *fn;
};

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/livepatch.h>

#ifdef MODULE
#define KLPDIFF_OBJNAME KBUILD_MODNAME
#else
#define KLPDIFF_OBJNAME NULL
#endif

/* The unused pointer makes the compiler check fn's type; it emits nothing. */
#define __KLPDIFF_CALLBACK(kind, ret, fn)                                           \
	static ret (*__klpdiff_check_##fn)(struct klp_object *) __maybe_unused = fn; \
	static struct klpdiff_callback __klpdiff_callback_##fn __used                \
		__section(".klpdiff.callbacks") = { KLPDIFF_OBJNAME, kind, (void *)fn }

#define KLPDIFF_PRE_PATCH_CALLBACK(fn) \
	__KLPDIFF_CALLBACK(KLPDIFF_PRE_PATCH, int, fn)
#define KLPDIFF_POST_PATCH_CALLBACK(fn) \
	__KLPDIFF_CALLBACK(KLPDIFF_POST_PATCH, void, fn)
#define KLPDIFF_PRE_UNPATCH_CALLBACK(fn) \
	__KLPDIFF_CALLBACK(KLPDIFF_PRE_UNPATCH, void, fn)
#define KLPDIFF_POST_UNPATCH_CALLBACK(fn) \
	__KLPDIFF_CALLBACK(KLPDIFF_POST_UNPATCH, void, fn)

/* Leave a function out of the patch even though its code changed. */
#define KLPDIFF_IGNORE_FUNCTION(fn)                                                 \
	static void *__klpdiff_ignore_func_##fn __used                              \
		__section(".klpdiff.ignore.functions") = (void *)fn
/* Leave a whole section out (its name as a string). */
#define KLPDIFF_IGNORE_SECTION(name)                                                \
	static const char *__UNIQUE_ID(klpdiff_ignore_section_) __used              \
		__section(".klpdiff.ignore.sections") = name
/* Patch a function even where klpdiff would refuse (the author takes responsibility). */
#define KLPDIFF_FORCE_UNSAFE(fn)                                                    \
	static void *__klpdiff_force_##fn __used                                    \
		__section(".klpdiff.force") = (void *)fn

/* printk that is unaffected by line shifts (no __LINE__ in it). */
#define KLPDIFF_PRINTK(fmt, ...) printk(fmt, ##__VA_ARGS__)

#endif /* __KERNEL__ */
#endif
