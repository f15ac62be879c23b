/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where a kernel's modules are: its modules.dep or modules.order listing. */
#ifndef KLPDIFF_MODULE_FILES_H
#define KLPDIFF_MODULE_FILES_H

/*
 * The file of module @modname (KBUILD_MODNAME: '_' for '-') in DIR/LISTING,
 * a modules.dep or modules.order, as DIR/PATH; NULL after an error.
 */
char *kernel_find_module(const char *dir, const char *listing, const char *modname);

#endif
