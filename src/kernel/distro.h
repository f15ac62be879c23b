/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A distribution's installed kernel, found from its release name: what its
 * packages ship (config, headers with Module.symvers, image, modules) and
 * what klpdiff needs besides (the symbols of vmlinux, the source of the same
 * version, the compiler that built it). Debian's layout; the image package's
 * System.map is a stub, so vmlinux's symbols come from a kallsyms listing or
 * the -dbg package.
 */
#ifndef KLPDIFF_DISTRO_H
#define KLPDIFF_DISTRO_H

#include <stdbool.h>

#include "kernel/kconfig.h"

struct dist_kernel {
	const char *sysroot;	/* "" or where the packages were unpacked */
	char *release;		/* 6.1.0-57-amd64 */
	char *config;		/* /boot/config-RELEASE */
	struct kconfig kconfig;	/* what it says */
	char *headers;		/* /usr/src/linux-headers-RELEASE: where modules are built */
	char *symvers;		/* its Module.symvers */
	char *image;		/* /boot/vmlinuz-RELEASE */
	char *modules;		/* /lib/modules/RELEASE */
	char *vmlinux_symbols;	/* a kallsyms listing, or the -dbg package's vmlinux */
	const char *symbols_from;	/* what vmlinux_symbols is, for the user */
	char *line;		/* kernel line: "6.1" */
	char *upstream;		/* upstream version from the config: "6.1.192" */
	char *version;		/* Debian version of the image: "6.1.192-3" */
	char *cc;		/* the compiler that built it: "gcc-12" */
	char *cc_text;		/* what it says: CONFIG_CC_VERSION_TEXT */
};

/*
 * Find RELEASE's files (default: the running kernel). @kallsyms: a copy of
 * /proc/kallsyms from a machine running RELEASE, or NULL to use this one's
 * or the -dbg package. -1 after one line naming what is missing and the
 * package that has it.
 */
int dist_kernel_find(struct dist_kernel *dk, const char *sysroot, const char *release,
		     const char *kallsyms);
/*
 * The compiler: CONFIG_CC_VERSION_TEXT names it; it must be installed and
 * say exactly that (0), or be a Debian gcc that this machine has not got at
 * that version (DIST_CC_ROOT: build/toolchain_root.h makes a root of the
 * release that has it). @override: use this one instead, with a warning.
 * -1 after an error.
 */
#define DIST_CC_ROOT 1
int dist_kernel_check_compiler(struct dist_kernel *dk, const char *override);
/*
 * Whether @text is what a native Debian gcc says, "[TRIPLET-]gcc-N (Debian
 * VERSION) UPSTREAM"; then its package (gcc-N) and VERSION, if asked.
 */
bool debian_gcc(const char *text, char **package, char **version);
/*
 * The source tree of the same version: @src if given (its Makefile's version
 * must match), else the linux-source-X.Y tarball unpacked once under
 * @cache. Returns the tree's path, or NULL after an error.
 */
char *dist_kernel_source(const struct dist_kernel *dk, const char *src, const char *cache);
/*
 * The shipped module called @modname (as KBUILD_MODNAME has it: '_' for
 * '-'), from modules.dep, decompressed into @dir if it ships compressed;
 * NULL after an error.
 */
char *dist_kernel_module(const struct dist_kernel *dk, const char *modname, const char *dir);
void dist_kernel_free(struct dist_kernel *dk);

#endif
