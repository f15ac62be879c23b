// SPDX-License-Identifier: GPL-2.0-or-later
/* x86-64: relocations, decoding through capstone, the kernels' special sections. */
#include <capstone/capstone.h>
#include <elf.h>
#include <string.h>

#include "elf/arch.h"
#include "elf/arch/layout.h"
#include "base/util.h"

static bool x86_64_reloc_howto(uint32_t type, struct reloc_howto *h)
{
	switch (type) {
	case R_X86_64_NONE:
		*h = HOWTO(RELOC_NONE, 0);
		return true;
	case R_X86_64_64:
		*h = HOWTO(RELOC_ABS, 8);
		return true;
	case R_X86_64_32:
	case R_X86_64_32S:
		*h = HOWTO(RELOC_ABS, 4);
		return true;
	case R_X86_64_16:
		*h = HOWTO(RELOC_ABS, 2);
		return true;
	case R_X86_64_8:
		*h = HOWTO(RELOC_ABS, 1);
		return true;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		*h = HOWTO(RELOC_PCREL, 4);
		return true;
	case R_X86_64_PC64:
		*h = HOWTO(RELOC_PCREL, 8);
		return true;
	case R_X86_64_PC16:
		*h = HOWTO(RELOC_PCREL, 2);
		return true;
	case R_X86_64_PC8:
		*h = HOWTO(RELOC_PCREL, 1);
		return true;
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
	case R_X86_64_GOTPC32:
	case R_X86_64_TPOFF32:
	case R_X86_64_DTPOFF32:
	case R_X86_64_GOTTPOFF:
	case R_X86_64_TLSGD:
	case R_X86_64_TLSLD:
	case R_X86_64_GOT32:
		*h = HOWTO(RELOC_OTHER, 4);
		return true;
	case R_X86_64_GOTOFF64:
	case R_X86_64_GOTPC64:
	case R_X86_64_DTPOFF64:
	case R_X86_64_TPOFF64:
	case R_X86_64_SIZE64:
		*h = HOWTO(RELOC_OTHER, 8);
		return true;
	case R_X86_64_SIZE32:
		*h = HOWTO(RELOC_OTHER, 4);
		return true;
	}
	return false;
}

/* One decoder per thread: klpdiff diff sums both objects in parallel. */
static __thread csh capstone;
static __thread csh capstone_plain;

static csh decoder(bool detail)
{
	csh *h = detail ? &capstone : &capstone_plain;

	if (!*h) {
		if (cs_open(CS_ARCH_X86, CS_MODE_64, h) != CS_ERR_OK)
			fatal("capstone: cannot open an x86-64 decoder");
		if (detail)
			cs_option(*h, CS_OPT_DETAIL, CS_OPT_ON);
	}
	return *h;
}

static bool is_relative_branch(const cs_insn *insn)
{
	const cs_detail *d = insn->detail;

	for (unsigned i = 0; i < d->groups_count; i++)
		if (d->groups[i] == CS_GRP_BRANCH_RELATIVE)
			return true;
	return false;
}

static int x86_64_scan_refs(const uint8_t *code, size_t size, uint64_t addr, insn_ref_fn fn,
			    void *ctx)
{
	csh h = decoder(true);
	cs_insn *insn = cs_malloc(h);
	const uint8_t *p = code;
	uint64_t pc = addr;
	int ret = 0;

	while (size) {
		const cs_x86 *x;
		struct insn_ref ref = { 0 };

		if (!cs_disasm_iter(h, &p, &size, &pc, insn)) {
			/* Data in code (asm .byte): step over it and resynchronise. */
			ret = -1;
			p++;
			size--;
			pc++;
			continue;
		}
		x = &insn->detail->x86;
		ref.insn_end = pc;
		if (is_relative_branch(insn) && x->encoding.imm_offset) {
			ref.branch = true;
			ref.field = insn->address + x->encoding.imm_offset;
			ref.field_size = x->encoding.imm_size;
			ref.target = (uint64_t)x->operands[0].imm;
			fn(&ref, ctx);
		} else if (x->encoding.disp_offset && x->encoding.disp_size == 4) {
			for (unsigned i = 0; i < x->op_count; i++) {
				if (x->operands[i].type == X86_OP_MEM &&
				    x->operands[i].mem.base == X86_REG_RIP) {
					ref.field = insn->address + x->encoding.disp_offset;
					ref.field_size = 4;
					fn(&ref, ctx);
					break;
				}
			}
		}
	}
	cs_free(insn, 1);
	return ret;
}

/* System V argument registers, as capstone names their 64-bit forms. */
static int arg_index(x86_reg reg)
{
	static const x86_reg args[][3] = {
		{ X86_REG_RDI, X86_REG_EDI, X86_REG_DI }, { X86_REG_RSI, X86_REG_ESI, X86_REG_SI },
		{ X86_REG_RDX, X86_REG_EDX, X86_REG_DX }, { X86_REG_RCX, X86_REG_ECX, X86_REG_CX },
		{ X86_REG_R8, X86_REG_R8D, X86_REG_R8W },  { X86_REG_R9, X86_REG_R9D, X86_REG_R9W },
	};

	for (int i = 0; i < 6; i++)
		for (int k = 0; k < 3; k++)
			if (args[i][k] == reg)
				return i;
	return -1;
}

static bool is_group(const cs_insn *insn, uint8_t group)
{
	for (unsigned i = 0; i < insn->detail->groups_count; i++)
		if (insn->detail->groups[i] == group)
			return true;
	return false;
}

/*
 * Track the last "mov $imm, %argreg" of each argument register since the
 * previous call; at a call that takes a line number, report that immediate.
 */
static void note_load(struct arg_loads *loads, int arg, uint64_t field, unsigned size,
		      const cs_insn *insn)
{
	loads->field[arg] = field;
	loads->insn_end[arg] = insn->address + insn->size;
	loads->size[arg] = (uint8_t)size;
}

static void x86_64_scan_line_args(const uint8_t *code, size_t size, uint64_t addr,
				  unsigned (*line_args)(void *ctx, uint64_t call_field,
							const struct arg_loads *loads),
				  void (*report)(void *ctx, uint64_t imm_field, unsigned imm_size),
				  void *ctx)
{
	csh h = decoder(true);
	cs_insn *insn = cs_malloc(h);
	uint64_t imm_field[6] = { 0 };
	unsigned imm_size[6] = { 0 };
	struct arg_loads loads = { 0 };
	const uint8_t *p = code;
	uint64_t pc = addr;

	while (size) {
		const cs_x86 *x;

		if (!cs_disasm_iter(h, &p, &size, &pc, insn)) {
			p++, size--, pc++;
			memset(imm_size, 0, sizeof(imm_size));
			memset(&loads, 0, sizeof(loads));
			continue;
		}
		x = &insn->detail->x86;
		if (is_group(insn, CS_GRP_CALL)) {
			unsigned args = x->encoding.imm_offset ?
				line_args(ctx, insn->address + x->encoding.imm_offset, &loads) : 0;

			for (int arg = 0; arg < 6; arg++)
				if ((args & (1u << arg)) && imm_size[arg])
					report(ctx, imm_field[arg], imm_size[arg]);
			memset(imm_size, 0, sizeof(imm_size));
			memset(&loads, 0, sizeof(loads));
			continue;
		}
		if (x->op_count >= 1 && x->operands[0].type == X86_OP_REG) {
			int arg = arg_index(x->operands[0].reg);

			if (arg < 0)
				continue;
			imm_size[arg] = 0;
			loads.size[arg] = 0;
			if (insn->id == X86_INS_MOV && x->op_count == 2 &&
			    x->operands[1].type == X86_OP_IMM && x->encoding.imm_size) {
				imm_field[arg] = insn->address + x->encoding.imm_offset;
				imm_size[arg] = x->encoding.imm_size;
				note_load(&loads, arg, imm_field[arg], imm_size[arg], insn);
			} else if (insn->id == X86_INS_LEA && x->op_count == 2 &&
				   x->operands[1].type == X86_OP_MEM &&
				   x->operands[1].mem.base == X86_REG_RIP && x->encoding.disp_size) {
				note_load(&loads, arg, insn->address + x->encoding.disp_offset,
					  x->encoding.disp_size, insn);
			}
		}
	}
	cs_free(insn, 1);
}

static size_t x86_64_disasm(const uint8_t *code, size_t size, uint64_t addr, char *buf,
			    size_t bufsize)
{
	return arch_disasm_one(decoder(false), code, size, addr, buf, bufsize);
}

static bool x86_64_field_is_jump(const uint8_t *sec, uint64_t off)
{
	if (off >= 1 && sec[off - 1] == 0xe9)
		return true;
	return off >= 2 && sec[off - 2] == 0x0f && (sec[off - 1] & 0xf0) == 0x80;
}

static bool x86_64_field_is_branch(const uint8_t *sec, uint64_t off)
{
	return (off >= 1 && sec[off - 1] == 0xe8) || x86_64_field_is_jump(sec, off);
}

/* endbr64: where CONFIG_X86_KERNEL_IBT lets an indirect call land. */
static const uint8_t endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };

static bool x86_64_is_prefix_symbol(const char *name)
{
	return starts_with(name, "__pfx_") || starts_with(name, "__cfi_");
}

/*
 * The layouts of x86-64 kernel special-section entries, Linux 3.10 to 7.3:
 * arch/x86/include/asm/alternative.h, paravirt_types.h, asm.h and extable.h,
 * bug.h, runtime-const.h, include/linux/jump_label.h, static_call_types.h,
 * annotate.h, asm-generic/bug.h, asm/orc_types.h. A section takes the
 * layout of its name that its sh_entsize, size, relocations (place, kind,
 * width), owners and contents fit, of several the one whose file names are
 * read whole (see elf/layouts.c). docs/layouts.md has the table by
 * version. Fields are byte offsets, -1 when the layout has none. Versions
 * are mainline's: a distribution's kernel may have backported a later
 * layout (RHEL 7's 3.10 has some), which its entries then show.
 *
 * Left out, as no function owns their entries: .static_call_tramp_key (an
 * exported trampoline and its key), .discard.annotate_data (objtool's marks
 * of special-section entries, for klp-build).
 */
/* Entries that only list places (derived data, not checksummed). */
#define SITE_LIST(name, since)							\
	{ .section = name, .entry_size = 4, .owner_field = 0, NO_CONTENT,	\
	  .line_field = -1, .relocs = { PC32(0) }, .checksummed = false, NO_KEY,	\
	  .kernels = since }
/*
 * runtime_<kind>_<variable> (6.11+, vmlinux only): the immediate of an
 * instruction the kernel patches once at boot with the variable's value.
 * Part of the owner's code: which variable it stands for is in the name.
 */
#define RUNTIME_CONST(prefix, kind)						\
	{ .section = prefix, .name_prefix = true, .runtime_const = kind, .entry_size = 4,	\
	  .owner_field = 0, NO_CONTENT, .line_field = -1, .relocs = { PC32(0) },	\
	  .checksummed = true, NO_KEY, .kernels = "6.11+ (runtime constants)" }
/*
 * 7.x's bug entries: each marked for objtool (ANNOTATE_DATA_SPECIAL), which
 * every x86-64 kernel that can be live patched runs (ORC).
 */
#define BUG_ANNOTATIONS ".discard.annotate_data"
static const struct special_layout x86_64_special[] = {
	/* struct alt_instr: relative since 3.1, padlen (u8 at 12) from 4.1 to 5.9 */
	{ .section = ".altinstructions", .entry_size = 12, .owner_field = 0,
	  .content_field = 4, .content_len_field = 11, .line_field = -1,
	  .relocs = { PC32(0), PC32(4) }, .checksummed = true, NO_KEY,
	  .kernels = "3.10 to 4.0, 5.10 to 6.7" },
	{ .section = ".altinstructions", .entry_size = 13, .owner_field = 0,
	  .content_field = 4, .content_len_field = 11, .line_field = -1,
	  .relocs = { PC32(0), PC32(4) }, .checksummed = true, NO_KEY,
	  .kernels = "4.1 to 5.9 (padlen)" },
	{ .section = ".altinstructions", .entry_size = 14, .owner_field = 0,
	  .content_field = 4, .content_len_field = 13, .line_field = -1,
	  .relocs = { PC32(0), PC32(4) }, .checksummed = true, NO_KEY,
	  .kernels = "6.8+ (ft_flags)" },
	/*
	 * _paravirt_alt() aligns each {u8 *instr; u8 type; u8 len; u16 clobbers}
	 * at its start: a 16-byte stride whose last entry ends at 12 (5.10's
	 * does; 6.1 aligns after each entry too).
	 */
	{ .section = ".parainstructions", .entry_size = 16, .last_size = 12, .owner_field = 0,
	  NO_CONTENT, .line_field = -1, .relocs = { ABS64(0) }, .checksummed = true, NO_KEY,
	  .kernels = "3.10 to 6.7" },
	{ .section = "__ex_table", .entry_size = 12, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0), PC32(4) }, .checksummed = true, NO_KEY,
	  .kernels = "5.16+ (type and data)" },
	{ .section = "__ex_table", .entry_size = 12, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0), PC32(4), PC32_HANDLER(8) }, .checksummed = true,
	  NO_KEY, .kernels = "4.6 to 5.15 (handler)" },
	/* {int insn, fixup}: relative since 3.5 (_ASM_EXTABLE) */
	{ .section = "__ex_table", .entry_size = 8, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0), PC32(4) }, .checksummed = true, NO_KEY,
	  .kernels = "3.10 to 4.5" },
	{ .section = "__jump_table", .entry_size = 16, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0), PC32(4), PC64(8) }, .checksummed = true,
	  .key_kind = KEY_JUMP_LABEL, .code_field = 0, .target_field = 4, .key_field = 8,
	  .branch_flag = 1, .nop_flag = 2, .key_flags = 3, .kernels = "4.20+ (relative)" },
	/* u64 code, target, key; the key's bit 0 is the branch from 4.3 (always 0 before) */
	{ .section = "__jump_table", .entry_size = 24, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { ABS64(0), ABS64(8), ABS64(16) }, .checksummed = true,
	  .key_kind = KEY_JUMP_LABEL, .code_field = 0, .target_field = 8, .key_field = 16,
	  .branch_flag = 1, .nop_flag = 0, .key_flags = 1, .kernels = "3.10 to 4.19 (absolute)" },
	{ .section = ".static_call_sites", .entry_size = 8, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0), PC32(4) }, .checksummed = true,
	  .key_kind = KEY_STATIC_CALL, .code_field = 0, .target_field = -1, .key_field = 4,
	  .key_flags = 3, .kernels = "5.10+" },
	/* GENERIC_BUG_RELATIVE_POINTERS: counted from each field since 5.19, before from the entry */
	{ .section = "__bug_table", .entry_size = 12, .owner_field = 0, NO_CONTENT,
	  .line_field = 8, .relocs = { PC32(0), PC32_FILE(4) }, .checksummed = true, NO_KEY,
	  .min_gcc = GCC_5_1, .kernels = "5.19 to 6.19, CONFIG_DEBUG_BUGVERBOSE" },
	{ .section = "__bug_table", .entry_size = 12, .owner_field = 0, NO_CONTENT,
	  .line_field = 8, .relocs = { PC32(0), PC32_FILE(4) }, .relative_to_entry = true,
	  .checksummed = true, NO_KEY,
	  .kernels = "3.10 to 5.18, CONFIG_DEBUG_BUGVERBOSE (from the entry)" },
	{ .section = "__bug_table", .entry_size = 8, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0) }, .checksummed = true, NO_KEY,
	  .kernels = "3.10 to 6.19, no CONFIG_DEBUG_BUGVERBOSE" },
	/*
	 * 7.0+: bug_addr, format (a string, "" at least), then file and line
	 * as before, flags. WARN() with arguments passes its entry's address
	 * to __WARN_trap (lea 2f(%rip)): the code refers to the entry.
	 */
	{ .section = "__bug_table", .entry_size = 16, .owner_field = 0, NO_CONTENT,
	  .line_field = 12, .relocs = { PC32(0), PC32_FILE(4), PC32_FILE(8) }, .format_field = 4,
	  .entsize_era = true, .marked_by = BUG_ANNOTATIONS, .checksummed = true, NO_KEY,
	  .min_gcc = GCC_8_1, .kernels = "7.0+ (format), CONFIG_DEBUG_BUGVERBOSE" },
	/*
	 * As 5.19's with a line, but flags at 8 and padding at 10: a line is
	 * never 0 and padding always is; else an object before 6.19 (no
	 * sh_entsize), without objtool's annotations of its bug entries, or
	 * -k, tells them apart.
	 */
	{ .section = "__bug_table", .entry_size = 12, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .zero_tail = 2, .relocs = { PC32(0), PC32_FILE(4) }, .format_field = 4,
	  .entsize_era = true, .marked_by = BUG_ANNOTATIONS, .checksummed = true, NO_KEY,
	  .min_gcc = GCC_8_1, .kernels = "7.0+ (format), no CONFIG_DEBUG_BUGVERBOSE" },
	RUNTIME_CONST("runtime_ptr_", RUNTIME_VALUE),	/* movabs $imm64, %reg */
	RUNTIME_CONST("runtime_shift_", RUNTIME_PART),	/* shrl $imm8, %reg */
	RUNTIME_CONST("runtime_mask_", RUNTIME_PART),	/* and $imm32, %reg */
	SITE_LIST(".smp_locks", "3.10+"),
	SITE_LIST(".retpoline_sites", "5.16+"),
	SITE_LIST(".return_sites", "5.19+"),
	SITE_LIST(".call_sites", "6.2+"),
	SITE_LIST(".ibt_endbr_seal", "5.18+"),
	SITE_LIST(".cfi_sites", "6.2+ (kCFI with FineIBT)"),
	/*
	 * objtool's instruction annotations (include/linux/annotate.h, 6.13+:
	 * label, type): copied with their function for objtool's run on the
	 * linked module (ANNOTATE_REACHABLE after a WARN's ud2, NOENDBR...).
	 */
	{ .section = ".discard.annotate_insn", .entry_size = 8, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0) }, .checksummed = false, NO_KEY,
	  .kernels = "6.13+ (objtool annotations)" },
	{ .section = "__mcount_loc", .entry_size = 8, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { ABS64(0) }, .checksummed = false, NO_KEY,
	  .kernels = "3.10+" },
	{ .section = ".orc_unwind_ip", .entry_size = 4, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0) }, .checksummed = false, NO_KEY,
	  .companion = ".orc_unwind", .companion_size = 6, .kernels = "4.14+" },
};
#undef BUG_ANNOTATIONS
#undef RUNTIME_CONST
#undef SITE_LIST

/*
 * scripts/Makefile.build's delay-objtool (5.19+: IBT; 7.x: also
 * CONFIG_KLP_BUILD, set on every x86-64 kernel with LIVEPATCH), and the
 * sections objtool --link writes then. It warns about a part that has one
 * already (an error with CONFIG_OBJTOOL_WERROR), except .static_call_sites
 * and __mcount_loc in a module whose .modinfo says livepatch=Y (7.x).
 * CONFIG_LTO_CLANG delays it too, but there the parts' own copies are what
 * was tested end to end (tests/e2e/lto.t): not yet here.
 */
static const char *const objtool_link_kconfig[] = { "CONFIG_X86_KERNEL_IBT", "CONFIG_KLP_BUILD",
						    NULL };
static const char *const objtool_link_sections[] = { ".return_sites", ".retpoline_sites",
						     ".call_sites", ".ibt_endbr_seal",
						     ".cfi_sites", ".orc_unwind_ip", NULL };

/* "aM" with an entry size in alternative.h and asm.h since 6.19. */
static const char *const entsize_sections[] = { ".altinstructions", "__ex_table", NULL };

/* Jump-label sites: objtool's NOPs (arch_nop_insn) or the jumps they replace. */
static const uint8_t nop2[] = { 0x66, 0x90 };
static const uint8_t nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };

static unsigned x86_64_branch_site_size(const uint8_t *code, size_t avail, bool *is_jump)
{
	*is_jump = avail >= 2 && (code[0] == 0xeb || code[0] == 0xe9);
	if (avail >= 2 && (code[0] == 0xeb || !memcmp(code, nop2, 2)))
		return 2;
	if (avail >= 5 && (code[0] == 0xe9 || !memcmp(code, nop5, 5)))
		return 5;
	return 0;
}

static bool x86_64_write_branch_site(uint8_t *code, unsigned size, bool jump, int64_t disp)
{
	if (!jump) {
		memcpy(code, size == 2 ? nop2 : nop5, size);
		return size == 2 || size == 5;
	}
	if (size == 2 && disp >= INT8_MIN && disp <= INT8_MAX) {
		code[0] = 0xeb;
		code[1] = (uint8_t)(int8_t)disp;
		return true;
	}
	if (size == 5 && disp >= INT32_MIN && disp <= INT32_MAX) {
		uint32_t d = (uint32_t)(int32_t)disp;

		code[0] = 0xe9;
		for (int i = 0; i < 4; i++)	/* little-endian, whatever the host */
			code[1 + i] = (uint8_t)(d >> (8 * i));
		return true;
	}
	return false;
}

/*
 * The layout probe: one alternative, exception entry, jump label, two bug
 * entries and a static call, made by the kernel's macros (the same names
 * since 4.18; static calls since 5.10). Its relocations tell the layouts
 * apart, and a WARN (flags) with a BUG() (none) the two 12-byte bug entries.
 */
static const char x86_64_layout_probe[] =
	"#include <linux/module.h>\n"
	"#include <linux/bug.h>\n"
	"#include <linux/jump_label.h>\n"
	"#include <asm/alternative.h>\n"
	"#include <asm/asm.h>\n"
	"#ifdef CONFIG_HAVE_STATIC_CALL_INLINE\n"
	"#include <linux/static_call.h>\n"
	"static int klpdiff_probe_target(int x) { return x + 1; }\n"
	"DEFINE_STATIC_CALL(klpdiff_probe_call, klpdiff_probe_target);\n"
	"#endif\n"
	"MODULE_LICENSE(\"GPL\");\n"
	"MODULE_DESCRIPTION(\"klpdiff layout probe\");\n"
	"DEFINE_STATIC_KEY_FALSE(klpdiff_probe_key);\n"
	"int klpdiff_probe(int x);\n"
	"int klpdiff_probe(int x)\n"
	"{\n"
	"\talternative(\"nop\", \"pause\", X86_FEATURE_XMM2);\n"
	"\tasm volatile(\"1: nop\\n2:\\n\" _ASM_EXTABLE(1b, 2b));\n"
	"\tif (static_branch_unlikely(&klpdiff_probe_key))\n"
	"\t\tx++;\n"
	"\tWARN_ON(x == 42);\n"
	"\tif (x == 43)\n"
	"\t\tBUG();\n"
	"#ifdef CONFIG_HAVE_STATIC_CALL_INLINE\n"
	"\tx = static_call(klpdiff_probe_call)(x);\n"
	"#endif\n"
	"\treturn x;\n"
	"}\n";

/* The types x86-64's apply_relocate_add() of Linux 4.18 to 7.3 handles. */
static bool x86_64_klp_reloc_ok(uint32_t type)
{
	switch (type) {
	case R_X86_64_64:
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_PC64:
		return true;
	}
	return false;
}

/*
 * runtime_ptr's "movabs $imm64, %reg" (REX.W [+B], B8+r, imm64: 10 bytes)
 * becomes "mov var(%rip), %reg" (REX.W [+R], 8B, ModRM 00 reg 101, disp32)
 * and a 3-byte NOP: the variable holds the value the kernel wrote at boot
 * (__ro_after_init).
 */
static uint64_t x86_64_runtime_load(uint8_t *code, uint64_t size, uint64_t imm, int64_t *addend)
{
	static const uint8_t nop3[] = { 0x0f, 0x1f, 0x00 };
	uint8_t rex, reg;

	if (imm < 2 || imm + 8 > size || (code[imm - 2] & 0xfe) != 0x48 ||
	    (code[imm - 1] & 0xf8) != 0xb8)
		return 0;
	rex = code[imm - 2];
	reg = code[imm - 1] & 7;
	code[imm - 2] = 0x48 | (rex & 1 ? 0x04 : 0);
	code[imm - 1] = 0x8b;
	code[imm] = (uint8_t)(reg << 3 | 5);
	memset(code + imm + 1, 0, 4);
	memcpy(code + imm + 5, nop3, sizeof(nop3));
	*addend = -4;	/* from the end of the mov, 4 bytes past the field */
	return imm + 1;
}

/* CPU vendor descriptors, freed with init memory (arch/x86/kernel/cpu/cpu.h). */
static const char *const x86_64_init_sections[] = { ".x86_cpu_dev.init", NULL };

const struct arch arch_x86_64 = {
	.name = "x86_64",
	.elf_machine = EM_X86_64,
	.elf_data = ELFDATA2LSB,
	.reloc_howto = x86_64_reloc_howto,
	.reloc_pc32 = R_X86_64_PC32,
	.reloc_abs64 = R_X86_64_64,
	.pcrel_field_bias = 4,
	.scan_refs = x86_64_scan_refs,
	.scan_line_args = x86_64_scan_line_args,
	.disasm = x86_64_disasm,
	.field_is_jump = x86_64_field_is_jump,
	.field_is_branch = x86_64_field_is_branch,
	.ibt_landing = endbr64,
	.ibt_landing_len = sizeof(endbr64),
	.ibt_seal_section = ".ibt_endbr_seal",	/* objtool's, applied by apply_seal_endbr() */
	.klp_placeholders = true,	/* IBT and LTO kernels run objtool on a linked module */
	.objtool_link_kconfig = objtool_link_kconfig,
	.objtool_link_sections = objtool_link_sections,
	.entsize_sections = entsize_sections,
	.ibt_kconfig = "CONFIG_X86_KERNEL_IBT",
	.init_sections = x86_64_init_sections,
	.is_prefix_symbol = x86_64_is_prefix_symbol,
	.branch_site_size = x86_64_branch_site_size,
	.write_branch_site = x86_64_write_branch_site,
	.fentry_name = "__fentry__",
	.tracepoint_prefix = "__tracepoint_",
	.static_call_tramp_prefix = "__SCT__",	/* include/linux/static_call_types.h */
	.tracepoint_key_offset = 8,	/* after const char *name (include/linux/tracepoint-defs.h) */
	.special = x86_64_special,
	.nr_special = ARRAY_SIZE(x86_64_special),
	.klp_reloc_ok = x86_64_klp_reloc_ok,
	/* "Skipping invalid relocation target, existing value is nonzero" */
	.klp_place_zeroed = true,
	.runtime_load = x86_64_runtime_load,
	.kconfig = "CONFIG_X86_64",
	.kbuild_arch = "x86",
	.cross_prefix = "x86_64-linux-gnu-",
	.layout_probe = x86_64_layout_probe,
};

void x86_64_cleanup(void);
void x86_64_cleanup(void)
{
	if (capstone)
		cs_close(&capstone);
	if (capstone_plain)
		cs_close(&capstone_plain);
}
