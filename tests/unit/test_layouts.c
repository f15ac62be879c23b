// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * elf/layouts.c and the arch files' tables: the layouts catalogue, a target
 * kernel's layouts, the architectures by machine and their relocation types.
 */
#include <elf.h>
#include <string.h>

#include "elf/arch.h"
#include "elf/layouts.h"
#include "base/util.h"
#include "tap.h"

static const struct arch *const arches[] = { &arch_x86_64, &arch_s390x, &arch_ppc64le,
					     &arch_arm64 };

static void versions(void)
{
	is_str(layouts_kernels(), "Linux 4.18 to 7.3", "layouts_kernels()");
	is_str(layouts_read_kernels(), "Linux 3.10 to 7.3", "layouts_read_kernels()");
	is_u64(KV(6, 1), 0x601, "KV(6, 1)");
	ok(KV(4, 20) < KV(5, 0) && KV(5, 19) < KV(5, 20), "KV() orders versions");
	ok(KV_MAJOR(KV_NEWEST) == 7 && KV_MINOR(KV_NEWEST) == 3, "KV_NEWEST is 7.3");
	ok(KV_MAJOR(KV_OLDEST) == 4 && KV_MINOR(KV_OLDEST) == 18, "KV_OLDEST is 4.18");
}

static void catalogue(void)
{
	const struct arch *x86 = &arch_x86_64;
	const struct special_layout *l;

	l = layout_first(x86, ".altinstructions");
	ok(l == &x86->special[0], "x86-64 .altinstructions: the catalogue's first entry");
	ok(l && l->entry_size == 12 && streq(l->kernels, "3.10 to 4.0, 5.10 to 6.7"),
	   "... the 12-byte alt_instr of 3.10 to 4.0 and 5.10 to 6.7");
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

/* @arch's layout of @section with entries of @size bytes (the first such), or NULL. */
static const struct special_layout *sized(const struct arch *arch, const char *section,
					  unsigned size)
{
	for (const struct special_layout *l = layout_first(arch, section);
	     l && l < arch->special + arch->nr_special && streq(l->section, section); l++)
		if (l->entry_size == size)
			return l;
	return NULL;
}

static void target(void)
{
	const struct arch *x86 = &arch_x86_64;
	const struct special_layout *alt13 = sized(x86, ".altinstructions", 13);
	const struct special_layout *jump24 = sized(x86, "__jump_table", 24);
	struct elf_layouts t = { .v = { alt13, jump24 }, .nr = 2 }, none = { 0 };

	ok(alt13 && jump24, "(x86-64: a 13-byte alt_instr and a 24-byte jump entry)");
	ok(layouts_find(&t, ".altinstructions") == alt13, "layouts_find: the target's alt_instr");
	ok(layouts_find(&t, "__jump_table") == jump24, "layouts_find: the target's jump entry");
	ok(!layouts_find(&t, "__bug_table"), "layouts_find: NULL for a section the target lacks");
	ok(!layouts_find(&none, ".altinstructions"), "layouts_find: NULL for an empty target");
	ok(!layouts_find(NULL, ".altinstructions"), "layouts_find: NULL for no target");
}

/* The layouts of kernels before 4.18, and an unpadded last entry. */
static void old_kernels(void)
{
	const struct arch *x86 = &arch_x86_64, *ppc = &arch_ppc64le;
	const struct special_layout *pv = layout_first(x86, ".parainstructions");
	const struct special_layout *ex8 = sized(x86, "__ex_table", 8);
	const struct special_layout *ppc_ex16 = sized(ppc, "__ex_table", 16);
	const struct special_layout *ppc_bug24 = sized(ppc, "__bug_table", 24);
	size_t relative_bugs = 0;

	ok(pv && pv->entry_size == 16 && pv->last_size == 12, "x86-64 .parainstructions: "
	   "a 16-byte stride, the last entry 12 bytes");
	ok(pv && layout_has_entry(pv, 28, 16) && !layout_has_entry(pv, 28, 32) &&
	   !layout_has_entry(pv, 27, 16) && layout_has_entry(pv, 32, 16),
	   "layout_has_entry: a 12-byte last entry, or a padded one");
	ok(pv && layout_entry_bytes(pv, 28, 16) == 12 && layout_entry_bytes(pv, 28, 0) == 16,
	   "layout_entry_bytes: 12 for the unpadded last entry, 16 before it");
	ok(ex8 && ex8->relocs[0].kind == RELOC_PCREL && streq(ex8->kernels, "3.10 to 4.5"),
	   "x86-64 __ex_table: the relative 8-byte entry of 3.10 to 4.5");
	ok(sized(x86, "__ex_table", 12) && sized(x86, "__ex_table", 12)[1].relocs[2].check ==
	   FIELD_HANDLER, "x86-64 __ex_table of 4.6 to 5.15: its third field a handler");
	ok(ppc_ex16 && ppc_ex16->relocs[0].kind == RELOC_ABS && ppc_ex16->relocs[1].width == 8,
	   "ppc64le __ex_table: the absolute 16-byte entry");
	ok(ppc_bug24 && ppc_bug24->line_field == 16 && ppc_bug24->relocs[1].check == FIELD_STRING,
	   "ppc64le __bug_table: the absolute 24-byte entry, file at 8, line at 16");
	ok(sized(ppc, "__jump_table", 24) && sized(ppc, "__bug_table", 16),
	   "ppc64le: absolute jump entries, bug entries without a file");
	for (const struct special_layout *l = layout_first(x86, "__bug_table");
	     l && l < x86->special + x86->nr_special && streq(l->section, "__bug_table"); l++)
		relative_bugs += l->entry_size == 12 && (l->relative_to_entry ? !l->min_gcc :
									   l->min_gcc == 501);
	is_u64(relative_bugs, 2, "x86-64 12-byte bug entries: counted from the entry (any gcc) "
	       "or from the field (gcc 5.1 or later)");
}

/* The layouts of Linux 7.x (x86-64) and what tells them apart. */
static void linux7(void)
{
	const struct arch *x86 = &arch_x86_64;
	const struct special_layout *bug16 = sized(x86, "__bug_table", 16), *l;
	size_t era = 0, formats = 0;

	ok(bug16 && bug16->format_field == 4 && bug16->line_field == 12 && bug16->entsize_era &&
	   bug16->relocs[2].check == FIELD_STRING && streq(bug16->kernels,
	   "7.0+ (format), CONFIG_DEBUG_BUGVERBOSE"), "x86-64 __bug_table of 7.0+: 16 bytes, "
	   "format at 4, file at 8, line at 12, of the sh_entsize era");
	for (l = layout_first(x86, "__bug_table"); l && l < x86->special + x86->nr_special &&
	     streq(l->section, "__bug_table"); l++) {
		era += l->entsize_era;
		formats += l->entry_size == 12 && l->format_field == 4 && l->zero_tail == 2 &&
			   l->line_field < 0 && l->min_gcc == 801;
	}
	is_u64(era, 2, "x86-64: two bug-entry layouts of the sh_entsize era (7.0+)");
	is_u64(formats, 1, "x86-64: one 12-byte bug entry with a format, padding at 10, gcc 8.1+");
	l = layout_first(x86, "runtime_ptr_dentry_hashtable");
	ok(l && l->name_prefix && l->runtime_const == RUNTIME_VALUE && l->checksummed,
	   "runtime_ptr_<variable>: a runtime constant of the whole value, by the name's start");
	l = layout_first(x86, "runtime_shift_d_hash_shift");
	ok(l && l->runtime_const == RUNTIME_PART, "runtime_shift_<variable>: a part of it");
	ok(!layout_first(x86, "runtime_ptr") && !layout_first(x86, "xruntime_ptr_a"),
	   "runtime_ptr without its underscore, or not at the start: no layout");
	l = layout_first(x86, ".cfi_sites");
	ok(l && !l->checksummed && l->entry_size == 4, ".cfi_sites: a site list");
	ok(x86->entsize_sections && streq(x86->entsize_sections[0], ".altinstructions") &&
	   streq(x86->entsize_sections[1], "__ex_table") && !x86->entsize_sections[2],
	   "x86-64: .altinstructions and __ex_table have an sh_entsize from 6.19");
}

/* x86-64: runtime_ptr's movabs made a load of its variable, of the same length. */
static void runtime_load(void)
{
	uint8_t rax[] = { 0x90, 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 0xc3 };
	uint8_t r9[] = { 0x49, 0xb9, 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t other[] = { 0x48, 0xc7, 0xc0, 1, 2, 3, 4, 0, 0, 0, 0 };
	const uint8_t rax_load[] = { 0x90, 0x48, 0x8b, 0x05, 0, 0, 0, 0, 0x0f, 0x1f, 0x00, 0xc3 };
	const uint8_t r9_load[] = { 0x4c, 0x8b, 0x0d, 0, 0, 0, 0, 0x0f, 0x1f, 0x00 };
	int64_t addend = 0;

	is_u64(arch_x86_64.runtime_load(rax, sizeof(rax), 3, &addend), 4,
	       "movabs $imm, %%rax: the displacement at 4");
	ok(!memcmp(rax, rax_load, sizeof(rax)) && addend == -4,
	   "... mov 0(%%rip), %%rax and a 3-byte NOP, addend -4");
	is_u64(arch_x86_64.runtime_load(r9, sizeof(r9), 2, &addend), 3, "movabs $imm, %%r9");
	ok(!memcmp(r9, r9_load, sizeof(r9)), "... mov 0(%%rip), %%r9 (REX.R for REX.B)");
	is_u64(arch_x86_64.runtime_load(other, sizeof(other), 3, &addend), 0,
	       "another instruction: 0, not rewritten");
	is_u64(arch_x86_64.runtime_load(rax, 6, 3, &addend), 0, "an immediate past the end: 0");
	ok(!arch_ppc64le.runtime_load, "ppc64le: no runtime constants");
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
	old_kernels();
	linux7();
	runtime_load();
	machines();
	for (size_t i = 0; i < ARRAY_SIZE(howtos); i++)
		is_str(howto(howtos[i].arch, howtos[i].type), howtos[i].howto, "%s relocation type %u",
		       howtos[i].arch->name, howtos[i].type);
	return tap_done();
}
