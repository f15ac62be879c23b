// SPDX-License-Identifier: GPL-2.0-or-later
#include "arch.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

void x86_64_cleanup(void);

static const struct arch *const arches[] = { &arch_x86_64 };

const struct arch *arch_for_machine(unsigned elf_machine)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i]->elf_machine == elf_machine)
			return arches[i];
	return NULL;
}

const struct arch *arch_for_kconfig(const char *config)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		const char *p = strstr(config, arches[i]->kconfig);
		size_t n = strlen(arches[i]->kconfig);

		for (; p; p = strstr(p + n, arches[i]->kconfig))
			if ((p == config || p[-1] == '\n') && starts_with(p + n, "=y\n"))
				return arches[i];
	}
	return NULL;
}

const char *arch_names(void)
{
	static char names[128];

	if (!names[0])
		for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", arches[i]->name);
	return names;
}

void arch_cleanup(void)
{
	x86_64_cleanup();
}
