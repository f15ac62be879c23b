// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * build/kbuild.c's kbuild_make_units() for tests/build/kbuild-units.t:
 *   kbuild-units-driver SRC LOG JOBS OBJ...   make OBJ in SRC (O=SRC) with the
 *                                             host's arch, make's output in LOG
 */
#include <stdlib.h>

#include "build/kbuild.h"
#include "build/kbuild_internal.h"
#include "base/util.h"
#include "elf/arch.h"

int main(int argc, char **argv)
{
	struct kbuild kb;

	if (argc < 5)
		return 2;
	kbuild_init(&kb);
	kb.src = argv[1];
	kb.orig = argv[1];
	kb.log = argv[2];
	kb.jobs = atoi(argv[3]);
	kb.arch = arch_host();
	return kbuild_make_units(&kb, NULL, argv + 4) ? 1 : 0;
}
