/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A distribution's kernel, found from its release name: what its packages
 * ship (config, headers with Module.symvers, image, modules) and what
 * klpdiff needs besides (the symbols of vmlinux, the source of the same
 * version, the compiler that built it). Debian's layout: up to 6.x the image
 * package has /boot/{config,vmlinuz,System.map}-RELEASE and
 * /lib/modules/RELEASE; from 7.x linux-image-RELEASE depends on
 * linux-base-RELEASE (config, System.map), linux-binary-RELEASE (vmlinuz)
 * and linux-modules-RELEASE, all in /usr/lib/modules/RELEASE. System.map is
 * a stub in both, so vmlinux's symbols come from a kallsyms listing or the
 * -dbg package (or a System.map that is not a stub).
 *
 * What is not installed (at the image's Debian version) is downloaded from
 * Debian's archive into klpdiff's cache (archive.h) and unpacked into a root
 * of its own per release and version: only what the build needs, modules
 * when a patch changes one, the -dbg package when asked.
 */
#ifndef KLPDIFF_DISTRO_H
#define KLPDIFF_DISTRO_H

#include <stdbool.h>

#include "base/util.h"
#include "kernel/kconfig.h"
struct dist_fetch;

struct dist_kernel {
	const char *sysroot;	/* "" or where the packages were unpacked (--sysroot) */
	struct dist_fetch *fetch;	/* packages downloaded into the cache, or NULL */
	const char *image_root;	/* sysroot, or the cache's root of this release */
	bool download;		/* what is not installed is downloaded (no --sysroot) */
	char *release;		/* 6.1.0-57-amd64 */
	char *config;		/* /boot/config-RELEASE or /usr/lib/modules/RELEASE/config */
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

struct dist_request {
	const char *release;	/* NULL: the running kernel */
	const char *sysroot;	/* packages unpacked there, not in /: nothing is downloaded */
	const char *kallsyms;	/* a copy of /proc/kallsyms of a machine running RELEASE */
	const char *source;	/* a source tree given: linux-source-X.Y is not needed */
	bool dbg;		/* the -dbg package's vmlinux, downloaded if not installed */
};

/*
 * Find RELEASE's files: installed ones where they are at the image's
 * version, the rest downloaded (not with a sysroot). vmlinux's symbols come
 * from @req->kallsyms, or this machine's, or the -dbg package. -1 after one
 * line naming what is missing and the package that has it.
 */
int dist_kernel_find(struct dist_kernel *dk, const struct dist_request *req);
/*
 * Whether @release can be a kernel's release (what uname -r says, and part
 * of its packages' names: a digit first, then letters, digits and ".+~_-",
 * at most 64 characters): 0, or -1 after one line naming it.
 */
int dist_release_check(const char *release);
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
 * must match), else where the linux-source-X.Y tarball (installed, or
 * downloaded) is unpacked under @cache, the tarball in *@source_tarball
 * (build/source_tree.h unpacks it, in part). Returns the tree's path, or
 * NULL after an error.
 */
char *dist_kernel_source(struct dist_kernel *dk, const char *src, const char *cache,
			 char **source_tarball);
/*
 * The shipped module called @modname (as KBUILD_MODNAME has it: '_' for
 * '-'), from modules.dep (or modules.order), decompressed into @dir if it
 * ships compressed; NULL after an error.
 */
char *dist_kernel_module(struct dist_kernel *dk, const char *modname, const char *dir);
/*
 * The make variables of the distribution's build that reach the code, for
 * every make of its units: Debian's official builds define LINUX_PACKAGE_ID
 * (" Debian 6.1.192-3"), which stack dumps and hung-task reports print;
 * without them the originals of lib/dump_stack.c and kernel/hung_task.c
 * are not the shipped code.
 */
void dist_kernel_make_vars(const struct dist_kernel *dk, struct strlist *vars);
void dist_kernel_free(struct dist_kernel *dk);

#endif
