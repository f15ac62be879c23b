// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * For tests/archive/archive.t: finds RELEASE as klpdiff build does (with a
 * kallsyms FILE), then the shipped module MODNAME, decompressed into DIR if
 * need be, as a patch that changes it would; prints its path.
 * With --find DIR LISTING MODNAME: kernel_find_module() alone (for
 * tests/build/modules-order.t).
 */
#include <stdio.h>
#include <stdlib.h>

#include "kernel/distro.h"
#include "kernel/module_files.h"
#include "base/util.h"

int main(int argc, char **argv)
{
	struct dist_request req = { 0 };
	struct dist_kernel dk;
	char *ko = NULL;

	if (argc == 5 && streq(argv[1], "--find")) {
		ko = kernel_find_module(argv[2], argv[3], argv[4]);
		if (ko)
			printf("%s\n", ko);
		free(ko);
		return ko ? 0 : 2;
	}
	if (argc != 5)
		return 2;
	req.release = argv[1];
	req.kallsyms = argv[2];
	if (!dist_kernel_find(&dk, &req))
		ko = dist_kernel_module(&dk, argv[3], argv[4]);
	if (ko)
		printf("%s\n", ko);
	dist_kernel_free(&dk);
	if (!ko)
		return 2;
	free(ko);
	return 0;
}
