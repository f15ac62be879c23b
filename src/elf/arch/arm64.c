// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * arm64 (AArch64, little-endian): relocations, relative branches and
 * PC-relative operands, and the Linux 7.3 special-section layouts. Enough for
 * sums, diff and extract on objects; the kernel side (module PLTs, verify of
 * a linked kernel, booting a patch) is a later step (docs/arm64.md).
 *
 * Instructions are one 32-bit word. A relocation writes an immediate that
 * shares its word with the opcode and registers, so every instruction
 * relocation names the bits it writes (reloc_howto shift and bits) and the
 * rest stays code, as ppc64le's branches do. ADR and ADRP split their
 * immediate (immlo: bits 29-30, immhi: 5-23): their field is bits 5-30, the
 * opcode bits 24-28 between are fixed for the type. PC-relative values count
 * from the instruction itself (ADRP from its 4 KiB page, which changes the
 * value, not the target): the target's identity is symbol + addend.
 */
#include <capstone/capstone.h>
#include <elf.h>
#include <string.h>

#include "elf/arch.h"
#include "elf/arch/layout.h"
#include "base/util.h"

#define INSN_NOP 0xd503201fu	/* hint #0 */
#define INSN_B 0x14000000u	/* b imm26 */
#define INSN_BL 0x94000000u	/* bl imm26 */
#define MASK_B 0x7c000000u	/* b and bl without the link bit */

/* Bits [s, s + n) of the word. */
#define BITS(s, n) .shift = (s), .bits = (n)
#define IMM26 BITS(0, 26)	/* b, bl */
#define IMM19 BITS(5, 19)	/* b.cond, cbz, ldr literal */
#define IMM14 BITS(5, 14)	/* tbz */
#define ADR21 BITS(5, 26)	/* adr, adrp: immhi 5-23, immlo 29-30 */
#define IMM12 BITS(10, 12)	/* add, ldr/str unsigned offset */
#define IMM16 BITS(5, 16)	/* movz, movk, movn */

static const struct howto_entry arm64_howtos[] = {
	[R_AARCH64_NONE] = MARKER,
	[R_AARCH64_TLSDESC_LDR] = MARKER,	/* relaxation hints on an instruction */
	[R_AARCH64_TLSDESC_ADD] = MARKER,
	[R_AARCH64_TLSDESC_CALL] = MARKER,
	[R_AARCH64_ABS64] = FIELD(RELOC_ABS, 8),
	[R_AARCH64_ABS32] = FIELD(RELOC_ABS, 4),
	[R_AARCH64_ABS16] = FIELD(RELOC_ABS, 2),
	[R_AARCH64_PREL64] = FIELD(RELOC_PCREL, 8),
	[R_AARCH64_PREL32] = FIELD(RELOC_PCREL, 4),
	[R_AARCH64_PREL16] = FIELD(RELOC_PCREL, 2),
	/* Absolute address parts: the low 12 bits (add, ld/st), 16-bit groups (mov*). */
	[R_AARCH64_ADD_ABS_LO12_NC] = FIELD(RELOC_ABS, 4, IMM12),
	[R_AARCH64_LDST8_ABS_LO12_NC] = FIELD(RELOC_ABS, 4, IMM12),
	[R_AARCH64_LDST16_ABS_LO12_NC] = FIELD(RELOC_ABS, 4, IMM12),
	[R_AARCH64_LDST32_ABS_LO12_NC] = FIELD(RELOC_ABS, 4, IMM12),
	[R_AARCH64_LDST64_ABS_LO12_NC] = FIELD(RELOC_ABS, 4, IMM12),
	[R_AARCH64_LDST128_ABS_LO12_NC] = FIELD(RELOC_ABS, 4, IMM12),
	[R_AARCH64_MOVW_UABS_G0] = FIELD(RELOC_ABS, 4, IMM16),
	[R_AARCH64_MOVW_UABS_G0_NC] = FIELD(RELOC_ABS, 4, IMM16),
	[R_AARCH64_MOVW_UABS_G1] = FIELD(RELOC_ABS, 4, IMM16),
	[R_AARCH64_MOVW_UABS_G1_NC] = FIELD(RELOC_ABS, 4, IMM16),
	[R_AARCH64_MOVW_UABS_G2] = FIELD(RELOC_ABS, 4, IMM16),
	[R_AARCH64_MOVW_UABS_G2_NC] = FIELD(RELOC_ABS, 4, IMM16),
	[R_AARCH64_MOVW_UABS_G3] = FIELD(RELOC_ABS, 4, IMM16),
	/* The signed ones also pick movn or movz (bit 30) by the value's sign. */
	[R_AARCH64_MOVW_SABS_G0] = FIELD(RELOC_ABS, 4, BITS(5, 26)),
	[R_AARCH64_MOVW_SABS_G1] = FIELD(RELOC_ABS, 4, BITS(5, 26)),
	[R_AARCH64_MOVW_SABS_G2] = FIELD(RELOC_ABS, 4, BITS(5, 26)),
	/* S + A - P, from the instruction (adrp: from its page). */
	[R_AARCH64_CALL26] = FIELD(RELOC_PCREL, 4, IMM26),
	[R_AARCH64_JUMP26] = FIELD(RELOC_PCREL, 4, IMM26),
	[R_AARCH64_CONDBR19] = FIELD(RELOC_PCREL, 4, IMM19),
	[R_AARCH64_LD_PREL_LO19] = FIELD(RELOC_PCREL, 4, IMM19),
	[R_AARCH64_TSTBR14] = FIELD(RELOC_PCREL, 4, IMM14),
	[R_AARCH64_ADR_PREL_LO21] = FIELD(RELOC_PCREL, 4, ADR21),
	[R_AARCH64_ADR_PREL_PG_HI21] = FIELD(RELOC_PCREL, 4, ADR21),
	[R_AARCH64_ADR_PREL_PG_HI21_NC] = FIELD(RELOC_PCREL, 4, ADR21),
	[R_AARCH64_MOVW_PREL_G0] = FIELD(RELOC_PCREL, 4, BITS(5, 26)),
	[R_AARCH64_MOVW_PREL_G0_NC] = FIELD(RELOC_PCREL, 4, IMM16),
	[R_AARCH64_MOVW_PREL_G1] = FIELD(RELOC_PCREL, 4, BITS(5, 26)),
	[R_AARCH64_MOVW_PREL_G1_NC] = FIELD(RELOC_PCREL, 4, IMM16),
	[R_AARCH64_MOVW_PREL_G2] = FIELD(RELOC_PCREL, 4, BITS(5, 26)),
	[R_AARCH64_MOVW_PREL_G2_NC] = FIELD(RELOC_PCREL, 4, IMM16),
	[R_AARCH64_MOVW_PREL_G3] = FIELD(RELOC_PCREL, 4, BITS(5, 26)),
	/* GOT and TLS (the kernel has neither in C, but assembly may): symbol and addend. */
	[R_AARCH64_GOTREL64] = FIELD(RELOC_OTHER, 8),
	[R_AARCH64_GOTREL32] = FIELD(RELOC_OTHER, 4),
	[R_AARCH64_GOT_LD_PREL19] = FIELD(RELOC_OTHER, 4, IMM19),
	[R_AARCH64_ADR_GOT_PAGE] = FIELD(RELOC_OTHER, 4, ADR21),
	[R_AARCH64_LD64_GOT_LO12_NC] = FIELD(RELOC_OTHER, 4, IMM12),
	[R_AARCH64_LD64_GOTPAGE_LO15] = FIELD(RELOC_OTHER, 4, IMM12),
	[R_AARCH64_TLSGD_ADR_PAGE21] = FIELD(RELOC_OTHER, 4, ADR21),
	[R_AARCH64_TLSGD_ADD_LO12_NC] = FIELD(RELOC_OTHER, 4, IMM12),
	[R_AARCH64_TLSIE_ADR_GOTTPREL_PAGE21] = FIELD(RELOC_OTHER, 4, ADR21),
	[R_AARCH64_TLSIE_LD64_GOTTPREL_LO12_NC] = FIELD(RELOC_OTHER, 4, IMM12),
	[R_AARCH64_TLSLE_ADD_TPREL_HI12] = FIELD(RELOC_OTHER, 4, IMM12),
	[R_AARCH64_TLSLE_ADD_TPREL_LO12] = FIELD(RELOC_OTHER, 4, IMM12),
	[R_AARCH64_TLSLE_ADD_TPREL_LO12_NC] = FIELD(RELOC_OTHER, 4, IMM12),
	[R_AARCH64_TLSDESC_ADR_PAGE21] = FIELD(RELOC_OTHER, 4, ADR21),
	[R_AARCH64_TLSDESC_LD64_LO12] = FIELD(RELOC_OTHER, 4, IMM12),
	[R_AARCH64_TLSDESC_ADD_LO12] = FIELD(RELOC_OTHER, 4, IMM12),
};

static bool arm64_reloc_howto(uint32_t type, struct reloc_howto *h)
{
	return howto_lookup(arm64_howtos, ARRAY_SIZE(arm64_howtos), type, h);
}

static uint32_t insn_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int64_t sign_extend(uint64_t v, unsigned bits)
{
	return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

/*
 * The PC-relative instruction forms (Arm ARM, "A64 instruction set
 * encoding"): which bits tell them, where the immediate sits, how many bits
 * it scales by, and whether it is a branch.
 */
static const struct pcrel_form {
	uint32_t mask, match;
	uint8_t shift, bits;	/* the field, as in reloc_howto */
	uint8_t imm_bits, scale;	/* the immediate's width and its unit (log2) */
	bool branch, page;
} arm64_forms[] = {
	{ 0x7c000000u, 0x14000000u, 0, 26, 26, 2, true, false },	/* b, bl */
	{ 0xff000010u, 0x54000000u, 5, 19, 19, 2, true, false },	/* b.cond */
	{ 0x7e000000u, 0x34000000u, 5, 19, 19, 2, true, false },	/* cbz, cbnz */
	{ 0x7e000000u, 0x36000000u, 5, 14, 14, 2, true, false },	/* tbz, tbnz */
	{ 0x3b000000u, 0x18000000u, 5, 19, 19, 2, false, false },	/* ldr (literal), prfm */
	{ 0x9f000000u, 0x10000000u, 5, 26, 21, 0, false, false },	/* adr */
	{ 0x9f000000u, 0x90000000u, 5, 26, 21, 12, false, true },	/* adrp */
};

/* ADR and ADRP: immhi (bits 5-23) above immlo (29-30). */
static uint64_t adr_imm(uint32_t w)
{
	return (uint64_t)((w >> 5) & 0x7ffff) << 2 | ((w >> 29) & 3);
}

static bool pcrel_ref(uint32_t w, uint64_t pc, struct insn_ref *ref)
{
	for (size_t i = 0; i < ARRAY_SIZE(arm64_forms); i++) {
		const struct pcrel_form *f = &arm64_forms[i];
		uint64_t imm;

		if ((w & f->mask) != f->match)
			continue;
		imm = f->imm_bits == 21 ? adr_imm(w) : (w >> f->shift) & ((1u << f->bits) - 1);
		ref->field = pc;
		ref->field_size = 4;
		ref->insn_end = pc;	/* the displacement's anchor: the instruction */
		ref->shift = f->shift;
		ref->bits = f->bits;
		ref->branch = f->branch;
		ref->target = (f->page ? pc & ~0xfffull : pc) +
			      (uint64_t)(sign_extend(imm, f->imm_bits) * (int64_t)(1ll << f->scale));
		return true;
	}
	return false;
}

static int arm64_scan_refs(const uint8_t *code, size_t size, uint64_t addr, insn_ref_fn fn,
			   void *ctx)
{
	for (size_t off = 0; off + 4 <= size; off += 4) {
		struct insn_ref ref = { 0 };

		if (pcrel_ref(insn_at(code + off), addr + off, &ref))
			fn(&ref, ctx);
	}
	return size % 4 ? -1 : 0;
}

/* The argument register (x0-x5) @reg is, or -1. */
static int arg_of(unsigned reg)
{
	return reg < 6 ? (int)reg : -1;
}

static void forget_arg(struct arg_loads *loads, unsigned *imm, unsigned reg)
{
	int arg = arg_of(reg);

	if (arg < 0)
		return;
	loads->size[arg] = 0;
	*imm &= ~(1u << arg);
}

/*
 * Line numbers passed to helpers: `mov wN, #line` (movz, imm16 in bits 5-20:
 * the field reported is the word's first 3 bytes) before a `bl`, and what
 * last wrote each argument register, whose relocation (adrp/add, ldr of a
 * string) tells its string. Any other branch ends what is known.
 */
static void arm64_scan_line_args(const uint8_t *code, size_t size, uint64_t addr,
				 unsigned (*line_args)(void *ctx, uint64_t call_field,
						       const struct arg_loads *loads),
				 void (*report)(void *ctx, uint64_t imm_field, unsigned imm_size),
				 void *ctx)
{
	struct arg_loads loads = { 0 };
	unsigned imm = 0;	/* bit N: argument N was loaded by a movz */

	for (uint64_t off = 0; off + 4 <= size; off += 4) {
		uint32_t w = insn_at(code + off);
		uint64_t pc = addr + off;
		struct insn_ref ref;
		int arg = arg_of(w & 31);

		if ((w & 0xfc000000u) == INSN_BL) {
			unsigned args = line_args(ctx, pc, &loads);

			for (int i = 0; i < 6; i++)
				if ((args & imm & (1u << i)) && loads.size[i])
					report(ctx, loads.field[i], loads.size[i]);
		}
		/* Branches, and br/blr/ret (unconditional branch, register). */
		if ((pcrel_ref(w, pc, &ref) && ref.branch) || (w & 0xfe000000u) == 0xd6000000u) {
			memset(&loads, 0, sizeof(loads));
			imm = 0;
			continue;
		}
		/* A store (load/store class, L bit 22 clear) reads its registers. */
		if ((w & 0x0a000000u) == 0x08000000u && !(w & (1u << 22)))
			continue;
		/* Load pairs write a second register, Rt2 at bits 10-14. */
		if ((w & 0x3a000000u) == 0x28000000u)
			forget_arg(&loads, &imm, (w >> 10) & 31);
		forget_arg(&loads, &imm, w & 31);
		if (arg < 0)
			continue;
		loads.field[arg] = pc;
		loads.insn_end[arg] = pc;
		loads.size[arg] = 4;
		/* movz wN/xN, #imm16 (hw 0): a number. */
		if ((w & 0x7fe00000u) == 0x52800000u) {
			loads.size[arg] = 3;
			imm |= 1u << arg;
		}
	}
}


/*
 * The immediates relocations write, for verify (a linked kernel): branch and
 * literal offsets count words, ADR's and ADRP's are split (immlo, immhi) and
 * ADRP's is a page number, the low 12 bits of an address are scaled by the
 * access size of the load or store. Each encoding is the field within the
 * howto's mask; ADR and ADRP's fixed opcode bit 28 lies inside theirs.
 */
static uint64_t adr_field(uint64_t imm)
{
	return (imm & 3) << 29 | ((imm >> 2) & 0x7ffff) << 5 | 1u << 28;
}

enum imm_kind { IMM_UNKNOWN, IMM_WORDS, IMM_ADR, IMM_PAGE, IMM_LO12, IMM_BYTES };

/* How each instruction relocation's field holds its value: bits, unit (log2). */
static const struct imm_form {
	uint32_t type;
	uint8_t kind, shift, bits, scale;
} arm64_imms[] = {
	{ R_AARCH64_CALL26, IMM_WORDS, 0, 26, 2 },
	{ R_AARCH64_JUMP26, IMM_WORDS, 0, 26, 2 },
	{ R_AARCH64_CONDBR19, IMM_WORDS, 5, 19, 2 },
	{ R_AARCH64_LD_PREL_LO19, IMM_WORDS, 5, 19, 2 },
	{ R_AARCH64_TSTBR14, IMM_WORDS, 5, 14, 2 },
	{ R_AARCH64_ADR_PREL_LO21, IMM_ADR, 5, 21, 0 },
	{ R_AARCH64_ADR_PREL_PG_HI21, IMM_PAGE, 5, 21, 12 },
	{ R_AARCH64_ADR_PREL_PG_HI21_NC, IMM_PAGE, 5, 21, 12 },
	{ R_AARCH64_ADD_ABS_LO12_NC, IMM_LO12, 10, 12, 0 },
	{ R_AARCH64_LDST8_ABS_LO12_NC, IMM_LO12, 10, 12, 0 },
	{ R_AARCH64_LDST16_ABS_LO12_NC, IMM_LO12, 10, 12, 1 },
	{ R_AARCH64_LDST32_ABS_LO12_NC, IMM_LO12, 10, 12, 2 },
	{ R_AARCH64_LDST64_ABS_LO12_NC, IMM_LO12, 10, 12, 3 },
	{ R_AARCH64_LDST128_ABS_LO12_NC, IMM_LO12, 10, 12, 4 },
};

static enum imm_kind imm_kind(uint32_t type, unsigned *shift, unsigned *bits, unsigned *scale)
{
	struct reloc_howto h;

	for (size_t i = 0; i < ARRAY_SIZE(arm64_imms); i++) {
		if (arm64_imms[i].type != type)
			continue;
		*shift = arm64_imms[i].shift;
		*bits = arm64_imms[i].bits;
		*scale = arm64_imms[i].scale;
		return arm64_imms[i].kind;
	}
	/* Whole bytes (ABS64, PREL32, ...): the value itself; not MOVW groups, GOT, TLS. */
	if (!arm64_reloc_howto(type, &h) || h.bits || (h.kind != RELOC_ABS && h.kind != RELOC_PCREL))
		return IMM_UNKNOWN;
	*shift = *scale = 0;
	*bits = 8 * h.width;
	return IMM_BYTES;
}

static bool arm64_field_encode(uint32_t type, uint64_t v, uint64_t p, uint64_t *field)
{
	unsigned shift, bits, scale;

	switch (imm_kind(type, &shift, &bits, &scale)) {
	case IMM_WORDS:
		*field = ((v >> scale) & ((1ull << bits) - 1)) << shift;
		return true;
	case IMM_ADR:
		*field = adr_field(v);
		return true;
	case IMM_PAGE:	/* Page(S + A) - Page(P), in pages */
		*field = adr_field(((v + p) >> 12) - (p >> 12));
		return true;
	case IMM_LO12:
		*field = ((v & 0xfff) >> scale) << 10;
		return true;
	case IMM_BYTES:
		*field = bits == 64 ? v : v & ((1ull << bits) - 1);
		return true;
	default:
		return false;
	}
}

static bool arm64_field_decode(uint32_t type, uint64_t field, uint64_t p, uint64_t *v, int *part)
{
	uint32_t w = (uint32_t)field;
	unsigned shift, bits, scale;

	*part = 0;
	switch (imm_kind(type, &shift, &bits, &scale)) {
	case IMM_WORDS:
		*v = (uint64_t)sign_extend((w >> shift) & ((1u << bits) - 1), bits) << scale;
		return true;
	case IMM_ADR:
		*v = (uint64_t)sign_extend(adr_imm(w), 21);
		return true;
	case IMM_PAGE:
		*v = (uint64_t)sign_extend(adr_imm(w), 21) << 12;
		*part = 12;
		return true;
	case IMM_LO12:
		*v = (uint64_t)((w >> 10) & 0xfff) << scale;
		*part = -12;
		return true;
	case IMM_BYTES:
		*v = bits == 64 ? field : (uint64_t)sign_extend(field, bits);
		return true;
	default:
		return false;
	}
}

/* One decoder per thread: klpdiff diff sums both objects in parallel. */
static __thread csh capstone;

static size_t arm64_disasm(const uint8_t *code, size_t size, uint64_t addr, char *buf,
			   size_t bufsize)
{
	if (!capstone && cs_open(CS_ARCH_ARM64, CS_MODE_LITTLE_ENDIAN, &capstone) != CS_ERR_OK)
		fatal("capstone: cannot open an arm64 decoder");
	size_t len = arch_disasm_one(capstone, code, size, addr, buf, bufsize);

	if (!len && size >= 4) {	/* a word of data in the code */
		snprintf(buf, bufsize, ".inst 0x%08x", insn_at(code));
		len = 4;
	}
	return len;
}

/* A relocated field is the whole word of its instruction. */
static bool arm64_field_is_branch(const uint8_t *sec, uint64_t off)
{
	struct insn_ref ref = { 0 };

	return pcrel_ref(insn_at(sec + off), off, &ref) && ref.branch;
}

/* Every branch form but bl. */
static bool arm64_field_is_jump(const uint8_t *sec, uint64_t off)
{
	return arm64_field_is_branch(sec, off) && (insn_at(sec + off) & 0xfc000000u) != INSN_BL;
}

/*
 * The types arm64's apply_relocate_add() of Linux 7.3 handles
 * (arch/arm64/kernel/module.c): every one in the table above but GOT and TLS.
 * CALL26 and JUMP26 out of range go through a PLT the loader makes
 * (module-plts.c), sized by module_frob_arch_sections() from the
 * relocation sections: a livepatch relocation section counts too.
 */
static bool arm64_klp_reloc_ok(uint32_t type)
{
	struct reloc_howto h;

	return type != R_AARCH64_NONE && arm64_reloc_howto(type, &h) && h.kind != RELOC_OTHER &&
	       h.kind != RELOC_NONE;
}

/*
 * Erratum 843419 (CONFIG_ARM64_ERRATUM_843419, default y; Cortex-A53 up to
 * r0p4): on such a CPU 7.3's loader relocates an ADRP whose address ends in
 * 0xff8 or 0xffc (is_forbidden_offset_for_adrp()) by making it an ADR, or,
 * out of the ADR's 1 MiB, a branch to a veneer that does the ADRP
 * (reloc_insn_adrp(), module_emit_veneer_for_adrp(), which takes the
 * register from the instruction at the place). module_frob_arch_sections()
 * keeps the others out of those places by raising the alignment of the
 * section to 2 << ffz(r_offset | 7) when that is at most 4 KiB
 * (count_plts()), and reserves a veneer for the rest. A module's livepatch
 * relocations are applied again each time that module loads, and arm64 has
 * no clear_relocate_add(): an ADRP made a branch would be relocated as an
 * ADRP again (its register read from the branch). The same alignment, of
 * the patch's function section, keeps its ADRP at the same low bits in
 * the module: never at such a place. At 0xff8 or 0xffc of a page of its
 * section none does.
 */
static uint64_t arm64_klp_place_align(uint32_t type, uint64_t offset)
{
	unsigned zero = 3;

	if (type != R_AARCH64_ADR_PREL_PG_HI21 && type != R_AARCH64_ADR_PREL_PG_HI21_NC)
		return 1;
	while (zero < 12 && (offset >> zero & 1))
		zero++;
	return zero < 12 ? (uint64_t)2 << zero : 0;
}

static bool arm64_is_prefix_symbol(const char *name)
{
	return false;
}

/* Jump labels are a nop or a b, one word (asm/jump_label.h). */
static unsigned arm64_branch_site_size(const uint8_t *code, size_t avail, bool *is_jump)
{
	uint32_t w = avail >= 4 ? insn_at(code) : 0;

	*is_jump = avail >= 4 && (w & 0xfc000000u) == INSN_B;
	return *is_jump || (avail >= 4 && w == INSN_NOP) ? 4 : 0;
}

static bool arm64_write_branch_site(uint8_t *code, unsigned size, bool jump, int64_t disp)
{
	int64_t from_site = disp + 4;	/* @disp counts from the site's end */
	uint32_t w = INSN_NOP;

	if (size != 4 || (jump && ((from_site & 3) || from_site < -(1 << 27) ||
				   from_site >= (1 << 27))))
		return false;
	if (jump)
		w = INSN_B | (((uint32_t)from_site >> 2) & 0x03ffffffu);
	for (int i = 0; i < 4; i++)	/* little-endian, whatever the host */
		code[i] = (uint8_t)(w >> (8 * i));
	return true;
}

/*
 * Linux 7.3's arm64 entries: asm/asm-extable.h (insn, fixup, u16 type, u16
 * data), asm/alternative-macros.h (struct alt_instr: orig_offset,
 * alt_offset, u16 cpucap, u8 orig_len, u8 alt_len; with a callback the
 * alternative is the callback function), asm/asm-bug.h (relative, no
 * format), the generic relative jump_entry (asm/jump_label.h), and
 * __patchable_function_entries: gcc's list of the NOPs
 * -fpatchable-function-entry put at each function (ftrace's call sites, as
 * __mcount_loc elsewhere): derived data.
 */
static const struct special_layout arm64_special[] = {
	{ .section = "__ex_table", .entry_size = 12, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0), PC32(4) }, .checksummed = true, NO_KEY,
	  .kernels = "7.3 (arm64, type and data)" },
	{ .section = ".altinstructions", .entry_size = 12, .owner_field = 0,
	  .content_field = 4, .content_len_field = 11, .line_field = -1,
	  .callback_flag = 0x8000, .callback_field = 8,	/* ARM64_CB_BIT: ALTERNATIVE_CB */
	  .relocs = { PC32(0), PC32(4) }, .checksummed = true, NO_KEY, .kernels = "7.3 (arm64)" },
	{ .section = "__jump_table", .entry_size = 16, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0), PC32(4), PC64(8) }, .checksummed = true,
	  .key_kind = KEY_JUMP_LABEL, .code_field = 0, .target_field = 4, .key_field = 8,
	  .branch_flag = 1, .nop_flag = 0, .key_flags = 3, .kernels = "7.3 (arm64, relative)" },
	{ .section = "__bug_table", .entry_size = 12, .owner_field = 0, NO_CONTENT,
	  .line_field = 8, .relocs = { PC32(0), PC32(4) }, .checksummed = true, NO_KEY,
	  .kernels = "7.3 (arm64), CONFIG_DEBUG_BUGVERBOSE" },
	{ .section = "__bug_table", .entry_size = 8, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0) }, .checksummed = true, NO_KEY,
	  .kernels = "7.3 (arm64), no CONFIG_DEBUG_BUGVERBOSE" },
	{ .section = "__patchable_function_entries", .entry_size = 8, .owner_field = 0,
	  NO_CONTENT, .line_field = -1, .relocs = { ABS64(0) }, .checksummed = false, NO_KEY,
	  .kernels = "7.3 (arm64, -fpatchable-function-entry)" },
	{ .section = "__mcount_loc", .entry_size = 8, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { ABS64(0) }, .checksummed = false, NO_KEY,
	  .kernels = "7.3 (arm64, -pg without DYNAMIC_FTRACE_WITH_ARGS)" },
};

/*
 * The layout probe: one exception entry, alternative, jump label and bug
 * entry, made by the kernel's macros (kernel_profile.c builds it against the
 * target). The alternative's capability is any one the kernel knows.
 */
static const char arm64_layout_probe[] =
	"#include <linux/module.h>\n"
	"#include <linux/bug.h>\n"
	"#include <linux/jump_label.h>\n"
	"#include <asm/alternative.h>\n"
	"#include <asm/asm-extable.h>\n"
	"#include <asm/cpucaps.h>\n"
	"MODULE_LICENSE(\"GPL\");\n"
	"DEFINE_STATIC_KEY_FALSE(klpdiff_probe_key);\n"
	"int klpdiff_probe(int x);\n"
	"int klpdiff_probe(int x)\n"
	"{\n"
	"\tasm volatile(\"1: nop\\n2:\\n\" _ASM_EXTABLE_KACCESS(1b, 2b));\n"
	"\tasm volatile(ALTERNATIVE(\"nop\", \"nop\", ARM64_HAS_CACHE_IDC));\n"
	"\tif (static_branch_unlikely(&klpdiff_probe_key))\n"
	"\t\tx++;\n"
	"\tWARN_ON(x == 42);\n"
	"\treturn x;\n"
	"}\n";

const struct arch arch_arm64 = {
	.name = "aarch64",	/* uname -m */
	.elf_machine = EM_AARCH64,
	.elf_data = ELFDATA2LSB,
	.reloc_howto = arm64_reloc_howto,
	.reloc_pc32 = R_AARCH64_PREL32,
	.reloc_abs64 = R_AARCH64_ABS64,
	.pcrel_field_bias = 0,	/* S + A - P: the field's instruction is the anchor */
	.scan_refs = arm64_scan_refs,
	.scan_line_args = arm64_scan_line_args,
	.disasm = arm64_disasm,
	.field_is_jump = arm64_field_is_jump,
	.field_is_branch = arm64_field_is_branch,
	.field_encode = arm64_field_encode,
	.field_decode = arm64_field_decode,
	.branch_site_size = arm64_branch_site_size,
	.write_branch_site = arm64_write_branch_site,
	.kernel = {
		.klp_reloc_ok = arm64_klp_reloc_ok,
		.klp_place_zeroed = false,	/* reloc_insn_imm() keeps the opcode bits */
		.klp_place_align = arm64_klp_place_align,
		.is_prefix_symbol = arm64_is_prefix_symbol,
		/* -fpatchable-function-entry has no call; plain -pg calls _mcount. */
		.fentry_name = "_mcount",
		.ftrace_site_section = "__patchable_function_entries",
		.tracepoint_prefix = "__tracepoint_",
		.static_call_tramp_prefix = "__SCT__",
		.tracepoint_key_offset = 8,
		.special = arm64_special,
		.nr_special = ARRAY_SIZE(arm64_special),
	},
	.kbuild = {
		.kconfig = "CONFIG_ARM64",
		.kbuild_arch = "arm64",
		.cross_prefix = "aarch64-linux-gnu-",
		.layout_probe = arm64_layout_probe,
		.sections_change_code = true,	/* section anchors (-fsection-anchors) */
	},
};

void arm64_cleanup(void);
void arm64_cleanup(void)
{
	if (capstone)
		cs_close(&capstone);
}
