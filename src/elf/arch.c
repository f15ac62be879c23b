// SPDX-License-Identifier: GPL-2.0-or-later
#include "elf/arch.h"

#include <capstone/capstone.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/util.h"

void x86_64_cleanup(void);
void s390x_cleanup(void);
void ppc64le_cleanup(void);
void arm64_cleanup(void);

static const struct arch *const arches[] = { &arch_x86_64, &arch_s390x, &arch_ppc64le,
					     &arch_arm64 };

const struct arch *arch_for_machine(unsigned elf_machine, unsigned char elf_data)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i]->elf_machine == elf_machine && arches[i]->elf_data == elf_data)
			return arches[i];
	return NULL;
}

const struct arch *arch_for_kconfig(bool (*enabled)(const void *config, const char *option),
				    const void *config, const struct arch **partial)
{
	if (partial)
		*partial = NULL;
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		const struct arch *a = arches[i];

		if (!a->kbuild.kconfig || !enabled(config, a->kbuild.kconfig))
			continue;
		if (!a->kbuild.kconfig_also || enabled(config, a->kbuild.kconfig_also))
			return a;
		if (partial)
			*partial = a;
	}
	return NULL;
}

const struct arch *arch_host(void)
{
	struct utsname u;

	if (uname(&u))
		return NULL;
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (streq(arches[i]->name, u.machine))
			return arches[i];
	return NULL;
}

const char *arch_names(bool kernels)
{
	static char names[2][128];
	char *buf = names[kernels];

	if (!buf[0])
		for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
			if (!kernels || arches[i]->kbuild.kconfig)
				snprintf(buf + strlen(buf), sizeof(names[0]) - strlen(buf), "%s%s",
					 buf[0] ? ", " : "", arches[i]->name);
	return buf;
}

size_t arch_disasm_one(size_t h, const uint8_t *code, size_t size, uint64_t addr, char *buf,
		       size_t bufsize)
{
	cs_insn *insn = cs_malloc(h);
	const uint8_t *p = code;
	uint64_t pc = addr;
	size_t len = 0;

	if (cs_disasm_iter(h, &p, &size, &pc, insn)) {
		snprintf(buf, bufsize, "%s %s", insn->mnemonic, insn->op_str);
		len = insn->size;
	}
	cs_free(insn, 1);
	return len;
}

void arch_cleanup(void)
{
	x86_64_cleanup();
	s390x_cleanup();
	ppc64le_cleanup();
	arm64_cleanup();
}
