// SPDX-License-Identifier: GPL-2.0-or-later
#include "arch.h"

#include <stddef.h>

void x86_64_cleanup(void);

static const struct arch *const arches[] = { &arch_x86_64 };

const struct arch *arch_for_machine(unsigned elf_machine)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i]->elf_machine == elf_machine)
			return arches[i];
	return NULL;
}

void arch_cleanup(void)
{
	x86_64_cleanup();
}
