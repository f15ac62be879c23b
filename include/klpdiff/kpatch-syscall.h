/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kpatch's syscall macro names, mapped onto klpdiff-syscall.h. */
#ifndef KLPDIFF_KPATCH_SYSCALL_H
#define KLPDIFF_KPATCH_SYSCALL_H

#include "klpdiff-syscall.h"

#define KPATCH_SYSCALL_DEFINE0(name) KLPDIFF_SYSCALL_DEFINE0(name)
#define KPATCH_SYSCALL_DEFINE1(name, ...) KLPDIFF_SYSCALL_DEFINE1(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE2(name, ...) KLPDIFF_SYSCALL_DEFINE2(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE3(name, ...) KLPDIFF_SYSCALL_DEFINE3(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE4(name, ...) KLPDIFF_SYSCALL_DEFINE4(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE5(name, ...) KLPDIFF_SYSCALL_DEFINE5(name, __VA_ARGS__)
#define KPATCH_SYSCALL_DEFINE6(name, ...) KLPDIFF_SYSCALL_DEFINE6(name, __VA_ARGS__)

#endif
