/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's own compiler when this machine has not got it: a minimal root
 * of the Debian release that ships that gcc at exactly the version the
 * kernel's CONFIG_CC_VERSION_TEXT names, made once with mmdebstrap and kept
 * in klpdiff's cache (TOOLCHAINS/PACKAGE_VERSION). make, gcc and binutils
 * run in it (chroot) with the host directories a build uses bound at the
 * same paths, so that what kbuild records (.cmd files) names the host's.
 */
#ifndef KLPDIFF_TOOLCHAIN_ROOT_H
#define KLPDIFF_TOOLCHAIN_ROOT_H

#include "base/util.h"

/*
 * The root whose gcc says exactly @cc_text (a Debian gcc's: debian_gcc()),
 * from the cache, or made now: the first suite whose lists (apt, private to
 * the cache) have that package at that version, then mmdebstrap. Its
 * binutils (and pahole, for BTF) must be those @config records
 * (CONFIG_AS_VERSION, ...). The root stays locked (shared) while this
 * process runs. NULL after one line naming what is wrong (@release: the
 * kernel, for the message). With @rust (make prepare of a kernel with
 * CONFIG_RUST=y), a root with the rustc and bindgen the config names.
 */
char *toolchain_root_get(const char *cc_text, const char *config, const char *release, bool rust);

/*
 * Make @argv run in @root (nothing if NULL): in a private mount namespace,
 * @binds (absolute paths, NULL-terminated; missing ones are left out) and
 * /dev, /proc, /tmp bound at the same paths inside it, then chroot. The
 * cached root is never written: the mount points are made in a tmpfs
 * overlay of it.
 */
void toolchain_root_wrap(const char *root, const char *const binds[], struct strlist *argv);

#endif
