/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The packages of a Debian kernel that are not installed, downloaded from
 * the archive (archive.h) and put together in a root of the release and
 * version in klpdiff's cache (CACHE/archive/root/RELEASE_VERSION), hard
 * links to the unpacked packages, with a dpkg status of its own: a sysroot
 * for distro.c. distro.c's own; each returns that root, or NULL after one
 * line naming what could not be had.
 */
#ifndef KLPDIFF_DISTRO_FETCH_H
#define KLPDIFF_DISTRO_FETCH_H

#include <stdbool.h>

#include "kernel/distro.h"

/*
 * Set dk->version to the newest Debian version of RELEASE's image in the
 * archive (with @need_source, the newest of those whose linux-source-X.Y
 * the archive has too). -1 after one line naming the release or the
 * missing version.
 */
int dist_fetch_version(struct dist_kernel *dk, bool need_source);
/* The image (up to 6.x, with the modules) or linux-base and linux-binary (7.x). */
const char *dist_fetch_image(struct dist_kernel *dk);
/* linux-headers-RELEASE and what it depends on: -common, linux-kbuild. */
const char *dist_fetch_headers(struct dist_kernel *dk);
/* @pkg (linux-source-X.Y) at the image's version. */
const char *dist_fetch_source(struct dist_kernel *dk, const char *pkg);
/* The -dbg package's vmlinux (only that of it). */
const char *dist_fetch_dbg(struct dist_kernel *dk);
/*
 * 7.x: linux-modules-RELEASE, when a patch changes a module of an image
 * that was downloaded (other images have their modules); NULL if no
 * package was downloaded for the release.
 */
const char *dist_fetch_modules(struct dist_kernel *dk);
void dist_fetch_free(struct dist_fetch *f);

#endif
