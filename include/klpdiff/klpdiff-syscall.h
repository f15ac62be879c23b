/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KLPDIFF_SYSCALL_DEFINE0..6: define a system call for a live patch.
 *
 * SYSCALL_DEFINEn puts the body in __do_sys_NAME, a static inline (so
 * notrace) function: it has no ftrace entry and cannot be patched itself.
 * These macros generate the same entry point (x86-64: __x64_sys_NAME;
 * ppc64 with ARCH_HAS_SYSCALL_WRAPPER: sys_NAME; arm64, which always has
 * the wrapper: __arm64_sys_NAME, its first argument from orig_x0, as
 * asm/syscall_wrapper.h's SC_ARM64_REGS_TO_ARGS), taking the arguments from
 * struct pt_regs as the kernel's wrapper does, but around inner functions of
 * other names: the entry point then differs from the original, and the patch
 * replaces it (it has an ftrace entry). They also leave out the tracing
 * metadata, which is data a live patch cannot change.
 */
#ifndef KLPDIFF_SYSCALL_H
#define KLPDIFF_SYSCALL_H

#include <linux/syscalls.h>

#if defined(CONFIG_X86_64)
#define __KLPDIFF_SYS(name) __x64_sys##name
#define __KLPDIFF_REGS_TO_ARGS SC_X86_64_REGS_TO_ARGS
#elif defined(CONFIG_PPC64) && defined(CONFIG_ARCH_HAS_SYSCALL_WRAPPER)
#define __KLPDIFF_SYS(name) sys##name
#define __KLPDIFF_REGS_TO_ARGS SC_POWERPC_REGS_TO_ARGS
#elif defined(CONFIG_ARM64)
#define __KLPDIFF_SYS(name) __arm64_sys##name
#define __KLPDIFF_REGS_TO_ARGS SC_ARM64_REGS_TO_ARGS
#else
#error "klpdiff-syscall.h: only x86-64's, arm64's and ppc64's (with ARCH_HAS_SYSCALL_WRAPPER) syscall entry points are supported so far"
#endif

#define KLPDIFF_SYSCALL_DEFINEx(x, name, ...)                                         \
	static long __klpdiff_se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__));         \
	static inline long __klpdiff_do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__));  \
	long __KLPDIFF_SYS(name)(const struct pt_regs *regs);                         \
	long __KLPDIFF_SYS(name)(const struct pt_regs *regs)                          \
	{                                                                             \
		return __klpdiff_se_sys##name(__KLPDIFF_REGS_TO_ARGS(x, __VA_ARGS__)); \
	}                                                                             \
	static long __klpdiff_se_sys##name(__MAP(x, __SC_LONG, __VA_ARGS__))          \
	{                                                                             \
		long ret = __klpdiff_do_sys##name(__MAP(x, __SC_CAST, __VA_ARGS__));  \
		__MAP(x, __SC_TEST, __VA_ARGS__);                                     \
		__PROTECT(x, ret, __MAP(x, __SC_ARGS, __VA_ARGS__));                  \
		return ret;                                                           \
	}                                                                             \
	static inline long __klpdiff_do_sys##name(__MAP(x, __SC_DECL, __VA_ARGS__))

#define KLPDIFF_SYSCALL_DEFINE0(sname)                                                \
	long __KLPDIFF_SYS(_##sname)(const struct pt_regs *__unused);                 \
	static inline long __klpdiff_do_sys_##sname(void);                            \
	long __KLPDIFF_SYS(_##sname)(const struct pt_regs *__unused)                  \
	{                                                                             \
		return __klpdiff_do_sys_##sname();                                    \
	}                                                                             \
	static inline long __klpdiff_do_sys_##sname(void)
#define KLPDIFF_SYSCALL_DEFINE1(name, ...) KLPDIFF_SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define KLPDIFF_SYSCALL_DEFINE2(name, ...) KLPDIFF_SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define KLPDIFF_SYSCALL_DEFINE3(name, ...) KLPDIFF_SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define KLPDIFF_SYSCALL_DEFINE4(name, ...) KLPDIFF_SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define KLPDIFF_SYSCALL_DEFINE5(name, ...) KLPDIFF_SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define KLPDIFF_SYSCALL_DEFINE6(name, ...) KLPDIFF_SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#endif
