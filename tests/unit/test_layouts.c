// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * elf/layouts.c and the arch files' tables: the layouts catalogue, a target
 * kernel's layouts, the architectures by machine and their relocation types.
 */
#include <elf.h>

#include "elf/arch.h"
#include "elf/layouts.h"
#include "base/util.h"
#include "tap.h"

static const struct arch *const arches[] = { &arch_x86_64, &arch_s390x, &arch_ppc64le,
					     &arch_arm64 };

static void versions(void)
{
	is_str(layouts_kernels(), "Linux 4.18 to 6.12", "layouts_kernels()");
	is_u64(KV(6, 1), 0x601, "KV(6, 1)");
	ok(KV(4, 20) < KV(5, 0) && KV(5, 19) < KV(5, 20), "KV() orders versions");
	ok(KV_MAJOR(KV_NEWEST) == 6 && KV_MINOR(KV_NEWEST) == 12, "KV_NEWEST is 6.12");
	ok(KV_MAJOR(KV_OLDEST) == 4 && KV_MINOR(KV_OLDEST) == 18, "KV_OLDEST is 4.18");
}

static void catalogue(void)
{
	const struct arch *x86 = &arch_x86_64;
	const struct special_layout *l;

	l = layout_first(x86, ".altinstructions");
	ok(l == &x86->special[0], "x86-64 .altinstructions: the catalogue's first entry");
	ok(l && l->entry_size == 12 && streq(l->kernels, "5.10 to 6.7"),
	   "... the 12-byte alt_instr of 5.10 to 6.7");
	l = layout_first(x86, "__jump_table");
	ok(l && l->entry_size == 16 && l->key_kind == KEY_JUMP_LABEL && l->key_field == 8,
	   "x86-64 __jump_table: first the relative 16-byte entry, key at 8");
	l = layout_first(x86, "__bug_table");
	ok(l && l->entry_size == 12 && l->line_field == 8, "x86-64 __bug_table: 12 bytes, line at 8");
	l = layout_first(x86, ".orc_unwind_ip");
	ok(l && !l->checksummed && l->companion && streq(l->companion, ".orc_unwind") &&
	   l->companion_size == 6, "x86-64 .orc_unwind_ip: not checksummed, with .orc_unwind");
	ok(!layout_first(x86, ".text") && !layout_first(x86, "") &&
	   !layout_first(x86, ".altinstructions.x"), "no layout for other sections");
	ok(!layout_first(&arch_ppc64le, ".altinstructions"), "ppc64le has no .altinstructions");
	l = layout_first(&arch_s390x, ".altinstructions");
	ok(l && l->entry_size == 12, "s390x .altinstructions: 12 bytes");
	l = layout_first(&arch_ppc64le, "__bug_table");
	ok(l && l->entry_size == 12, "ppc64le __bug_table: first the 12-byte entry");
}

/* choose_layout() walks from a section's first layout while the name is the same. */
static void adjacency(void)
{
	for (size_t a = 0; a < ARRAY_SIZE(arches); a++) {
		const struct arch *arch = arches[a];
		size_t bad = 0;

		for (size_t i = 0; i < arch->nr_special; i++) {
			const struct special_layout *first = layout_first(arch, arch->special[i].section);

			for (const struct special_layout *l = first; l && l < &arch->special[i]; l++)
				bad += !streq(l->section, arch->special[i].section);
			bad += !first;
		}
		is_u64(bad, 0, "%s: each section's layouts are adjacent in the catalogue",
		       arch->name);
	}
}

static void target(void)
{
	const struct arch *x86 = &arch_x86_64;
	const struct special_layout *alt13 = &x86->special[1], *jump24 = &x86->special[7];
	struct elf_layouts t = { .v = { alt13, jump24 }, .nr = 2 }, none = { 0 };

	ok(alt13->entry_size == 13 && jump24->entry_size == 24, "(x86-64 layouts 1 and 7: "
	   "13-byte alt_instr, 24-byte jump entry)");
	ok(layouts_find(&t, ".altinstructions") == alt13, "layouts_find: the target's alt_instr");
	ok(layouts_find(&t, "__jump_table") == jump24, "layouts_find: the target's jump entry");
	ok(!layouts_find(&t, "__bug_table"), "layouts_find: NULL for a section the target lacks");
	ok(!layouts_find(&none, ".altinstructions"), "layouts_find: NULL for an empty target");
	ok(!layouts_find(NULL, ".altinstructions"), "layouts_find: NULL for no target");
}

static void machines(void)
{
	ok(arch_for_machine(EM_X86_64, ELFDATA2LSB) == &arch_x86_64, "EM_X86_64: x86-64");
	ok(arch_for_machine(EM_PPC64, ELFDATA2LSB) == &arch_ppc64le, "EM_PPC64 LSB: ppc64le");
	ok(!arch_for_machine(EM_PPC64, ELFDATA2MSB), "EM_PPC64 MSB: none");
	ok(arch_for_machine(EM_S390, ELFDATA2MSB) == &arch_s390x, "EM_S390 MSB: s390x");
	ok(arch_for_machine(EM_AARCH64, ELFDATA2LSB) == &arch_arm64, "EM_AARCH64 LSB: arm64");
	ok(!arch_for_machine(EM_AARCH64, ELFDATA2MSB), "EM_AARCH64 MSB: none");
}

static const char *howto(const struct arch *a, uint32_t type)
{
	static char text[96];
	struct reloc_howto h;

	if (!a->reloc_howto(type, &h))
		return "unknown";
	snprintf(text, sizeof(text), "kind %u width %u shift %u bits %u%s%s value>>%u", h.kind,
		 h.width, h.shift, h.bits, h.toc_relative ? " toc" : "",
		 h.value_rounded ? " rounded" : "", h.value_shift);
	return text;
}

static const struct {
	const struct arch *arch;
	uint32_t type;
	const char *howto;
} howtos[] = {
	{ &arch_x86_64, R_X86_64_PC32, "kind 2 width 4 shift 0 bits 0 value>>0" },
	{ &arch_x86_64, R_X86_64_64, "kind 1 width 8 shift 0 bits 0 value>>0" },
	{ &arch_x86_64, R_X86_64_NONE, "kind 0 width 0 shift 0 bits 0 value>>0" },
	{ &arch_ppc64le, R_PPC64_ADDR16_HA, "kind 1 width 2 shift 0 bits 0 rounded value>>16" },
	{ &arch_ppc64le, R_PPC64_ADDR16_HI, "kind 1 width 2 shift 0 bits 0 value>>16" },
	{ &arch_ppc64le, R_PPC64_ADDR16_HIGHESTA, "kind 1 width 2 shift 0 bits 0 rounded value>>48" },
	{ &arch_ppc64le, R_PPC64_TOC16_HA, "kind 1 width 2 shift 0 bits 0 toc rounded value>>16" },
	{ &arch_ppc64le, R_PPC64_TOC16_LO_DS, "kind 1 width 2 shift 2 bits 14 toc value>>0" },
	{ &arch_ppc64le, R_PPC64_REL24, "kind 2 width 4 shift 2 bits 24 value>>0" },
	{ &arch_ppc64le, R_PPC64_REL16_HA, "kind 2 width 2 shift 0 bits 0 rounded value>>16" },
	{ &arch_ppc64le, R_PPC64_GOT16_DS, "kind 3 width 2 shift 2 bits 14 value>>0" },
	{ &arch_ppc64le, R_PPC64_TLS, "kind 0 width 0 shift 0 bits 0 value>>0" },
	{ &arch_ppc64le, 118, "kind 0 width 0 shift 0 bits 0 value>>0" },	/* R_PPC64_ENTRY */
	{ &arch_ppc64le, 253, "unknown" },
	{ &arch_ppc64le, 0xffffffff, "unknown" },
	{ &arch_s390x, R_390_PC32DBL, "kind 2 width 4 shift 0 bits 0 value>>0" },
	{ &arch_s390x, R_390_20, "kind 1 width 3 shift 0 bits 0 value>>0" },
	{ &arch_s390x, R_390_GOTENT, "kind 3 width 4 shift 0 bits 0 value>>0" },
	{ &arch_s390x, 65, "kind 2 width 3 shift 0 bits 0 value>>0" },	/* R_390_PLT24DBL */
	{ &arch_s390x, 66, "unknown" },
	{ &arch_arm64, R_AARCH64_CALL26, "kind 2 width 4 shift 0 bits 26 value>>0" },
	{ &arch_arm64, R_AARCH64_ADR_PREL_PG_HI21, "kind 2 width 4 shift 5 bits 26 value>>0" },
	{ &arch_arm64, R_AARCH64_LDST64_ABS_LO12_NC, "kind 1 width 4 shift 10 bits 12 value>>0" },
	{ &arch_arm64, R_AARCH64_TSTBR14, "kind 2 width 4 shift 5 bits 14 value>>0" },
	{ &arch_arm64, R_AARCH64_MOVW_UABS_G3, "kind 1 width 4 shift 5 bits 16 value>>0" },
	{ &arch_arm64, R_AARCH64_PREL32, "kind 2 width 4 shift 0 bits 0 value>>0" },
	{ &arch_arm64, R_AARCH64_ABS64, "kind 1 width 8 shift 0 bits 0 value>>0" },
	{ &arch_arm64, R_AARCH64_P32_ABS32, "unknown" },	/* ILP32: not the kernel's */
	{ &arch_arm64, 0xffffffff, "unknown" },
};

int main(void)
{
	versions();
	catalogue();
	adjacency();
	target();
	machines();
	for (size_t i = 0; i < ARRAY_SIZE(howtos); i++)
		is_str(howto(howtos[i].arch, howtos[i].type), howtos[i].howto, "%s relocation type %u",
		       howtos[i].arch->name, howtos[i].type);
	return tap_done();
}
