// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ppc64le (ELFv2, little-endian): relocations, relative branches, the TOC,
 * the special-section layouts of Linux 3.10 to 7.3, and what the module loader
 * (arch/powerpc/kernel/module_64.c) does with a live patch's relocations.
 *
 * Instructions are one 32-bit word. A branch's displacement and a DS-form
 * offset share it with the opcode and flags, so their relocations name the
 * bits they write (reloc_howto shift and bits) and the rest stays code: b and
 * bl to one target differ. Code reaches data through the TOC: r2 plus a
 * 16-bit offset (TOC16_*) to the object itself or to a .toc entry holding its
 * address; a .toc entry counts as what it points at (arch address_table).
 */
#include <capstone/capstone.h>
#include <elf.h>
#include <string.h>

#include "elf/arch.h"
#include "elf/arch/layout.h"
#include "base/util.h"

#define OPCODE(w) ((w) >> 26)
#define OP_BC 16		/* B-form: conditional branch, 14-bit displacement */
#define OP_B 18			/* I-form: branch, 24-bit displacement */
#define INSN_AA 2u		/* absolute address, not relative */
#define INSN_LK 1u		/* link: a call */
#define INSN_NOP 0x60000000u	/* ori r0,r0,0 */

/* Binutils' marker of a large-code-model global entry (ld r2,-8(r12); add r2,r2,r12). */
#ifndef R_PPC64_ENTRY
#define R_PPC64_ENTRY 118
#endif

/* Field shorthands: bits [2, 2 + n) of the word or halfword (the low two are the opcode's). */
#define BITS(n) .shift = 2, .bits = (n)
/* The TOC-relative ones address their symbol (r2 is fixed), but only within one TOC. */
#define TOC .toc_relative = true
/* A 16-bit field holding bits @n up of the value; _HA and friends rounded (see reloc_howto). */
#define HI(n) .value_shift = (n)
#define HA(n) .value_shift = (n), .value_rounded = true

static const struct howto_entry ppc64le_howtos[] = {
	/* Markers on an instruction: no field. */
	[R_PPC64_NONE] = MARKER,
	[R_PPC64_TLS] = MARKER,
	[R_PPC64_TLSGD] = MARKER,
	[R_PPC64_TLSLD] = MARKER,
	[R_PPC64_TOCSAVE] = MARKER,
	[R_PPC64_ENTRY] = MARKER,
	[R_PPC64_ADDR16] = FIELD(RELOC_ABS, 2),
	[R_PPC64_ADDR16_LO] = FIELD(RELOC_ABS, 2),
	[R_PPC64_ADDR16_HI] = FIELD(RELOC_ABS, 2, HI(16)),
	[R_PPC64_ADDR16_HA] = FIELD(RELOC_ABS, 2, HA(16)),
	[R_PPC64_ADDR16_HIGH] = FIELD(RELOC_ABS, 2, HI(16)),
	[R_PPC64_ADDR16_HIGHA] = FIELD(RELOC_ABS, 2, HA(16)),
	[R_PPC64_ADDR16_HIGHER] = FIELD(RELOC_ABS, 2, HI(32)),
	[R_PPC64_ADDR16_HIGHERA] = FIELD(RELOC_ABS, 2, HA(32)),
	[R_PPC64_ADDR16_HIGHEST] = FIELD(RELOC_ABS, 2, HI(48)),
	[R_PPC64_ADDR16_HIGHESTA] = FIELD(RELOC_ABS, 2, HA(48)),
	[R_PPC64_UADDR16] = FIELD(RELOC_ABS, 2),
	/* Absolute for a checksum: they address their symbol. */
	[R_PPC64_TOC16] = FIELD(RELOC_ABS, 2, TOC),
	[R_PPC64_TOC16_LO] = FIELD(RELOC_ABS, 2, TOC),
	[R_PPC64_TOC16_HI] = FIELD(RELOC_ABS, 2, TOC, HI(16)),
	[R_PPC64_TOC16_HA] = FIELD(RELOC_ABS, 2, TOC, HA(16)),
	[R_PPC64_ADDR16_DS] = FIELD(RELOC_ABS, 2, BITS(14)),
	[R_PPC64_ADDR16_LO_DS] = FIELD(RELOC_ABS, 2, BITS(14)),
	[R_PPC64_TOC16_DS] = FIELD(RELOC_ABS, 2, BITS(14), TOC),
	[R_PPC64_TOC16_LO_DS] = FIELD(RELOC_ABS, 2, BITS(14), TOC),
	[R_PPC64_ADDR32] = FIELD(RELOC_ABS, 4),
	[R_PPC64_UADDR32] = FIELD(RELOC_ABS, 4),
	[R_PPC64_ADDR24] = FIELD(RELOC_ABS, 4, BITS(24)),
	[R_PPC64_ADDR14] = FIELD(RELOC_ABS, 4, BITS(14)),
	[R_PPC64_ADDR14_BRTAKEN] = FIELD(RELOC_ABS, 4, BITS(14)),
	[R_PPC64_ADDR14_BRNTAKEN] = FIELD(RELOC_ABS, 4, BITS(14)),
	[R_PPC64_ADDR30] = FIELD(RELOC_ABS, 4, BITS(30)),
	[R_PPC64_ADDR64] = FIELD(RELOC_ABS, 8),
	[R_PPC64_UADDR64] = FIELD(RELOC_ABS, 8),
	/* S + A - P: counts from the branch itself. */
	[R_PPC64_REL24] = FIELD(RELOC_PCREL, 4, BITS(24)),
	[R_PPC64_REL14] = FIELD(RELOC_PCREL, 4, BITS(14)),
	[R_PPC64_REL14_BRTAKEN] = FIELD(RELOC_PCREL, 4, BITS(14)),
	[R_PPC64_REL14_BRNTAKEN] = FIELD(RELOC_PCREL, 4, BITS(14)),
	[R_PPC64_REL16] = FIELD(RELOC_PCREL, 2),
	[R_PPC64_REL16_LO] = FIELD(RELOC_PCREL, 2),
	[R_PPC64_REL16_HI] = FIELD(RELOC_PCREL, 2, HI(16)),
	[R_PPC64_REL16_HA] = FIELD(RELOC_PCREL, 2, HA(16)),
	[R_PPC64_REL32] = FIELD(RELOC_PCREL, 4),
	[R_PPC64_REL64] = FIELD(RELOC_PCREL, 8),
	/* GOT, PLT, section-relative and TLS: hashed by symbol and addend only. */
	[R_PPC64_GOT16] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT16_LO] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT16_HI] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT16_HA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_PLT16_LO] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_PLT16_HI] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_PLT16_HA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_SECTOFF] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_SECTOFF_LO] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_SECTOFF_HI] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_SECTOFF_HA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_PLTGOT16] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_PLTGOT16_LO] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_PLTGOT16_HI] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_PLTGOT16_HA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_TPREL16] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_TPREL16_LO] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_TPREL16_HI] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_TPREL16_HA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_DTPREL16] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_DTPREL16_LO] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_DTPREL16_HI] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_DTPREL16_HA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT_TLSGD16] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT_TLSGD16_LO] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT_TLSGD16_HI] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT_TLSGD16_HA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT_TLSLD16] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT_TLSLD16_LO] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT_TLSLD16_HI] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT_TLSLD16_HA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT_TPREL16_HI] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT_TPREL16_HA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT_DTPREL16_HI] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT_DTPREL16_HA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_TPREL16_HIGH] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_TPREL16_HIGHA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_TPREL16_HIGHER] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_TPREL16_HIGHERA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_TPREL16_HIGHEST] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_TPREL16_HIGHESTA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_DTPREL16_HIGH] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_DTPREL16_HIGHA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_DTPREL16_HIGHER] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_DTPREL16_HIGHERA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_DTPREL16_HIGHEST] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_DTPREL16_HIGHESTA] = FIELD(RELOC_OTHER, 2),
	[R_PPC64_GOT16_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_GOT16_LO_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_PLT16_LO_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_SECTOFF_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_SECTOFF_LO_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_PLTGOT16_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_PLTGOT16_LO_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_GOT_TPREL16_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_GOT_TPREL16_LO_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_GOT_DTPREL16_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_GOT_DTPREL16_LO_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_TPREL16_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_TPREL16_LO_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_DTPREL16_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_DTPREL16_LO_DS] = FIELD(RELOC_OTHER, 2, BITS(14)),
	[R_PPC64_PLT32] = FIELD(RELOC_OTHER, 4),
	[R_PPC64_PLTREL32] = FIELD(RELOC_OTHER, 4),
	[R_PPC64_TOC] = FIELD(RELOC_OTHER, 8),	/* the TOC base itself */
	[R_PPC64_PLT64] = FIELD(RELOC_OTHER, 8),
	[R_PPC64_PLTREL64] = FIELD(RELOC_OTHER, 8),
	[R_PPC64_DTPMOD64] = FIELD(RELOC_OTHER, 8),
	[R_PPC64_TPREL64] = FIELD(RELOC_OTHER, 8),
	[R_PPC64_DTPREL64] = FIELD(RELOC_OTHER, 8),
};
#undef BITS
#undef TOC
#undef HI
#undef HA

static bool ppc64le_reloc_howto(uint32_t type, struct reloc_howto *h)
{
	return howto_lookup(ppc64le_howtos, ARRAY_SIZE(ppc64le_howtos), type, h);
}

static uint32_t insn_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int64_t sign_extend(uint32_t v, unsigned bits)
{
	return (int64_t)((uint64_t)v << (64 - bits)) >> (64 - bits);
}

/*
 * Relative branches are the only PC-relative operands without prefixed
 * (Power10) instructions, which the kernel does not use: the opcode alone
 * tells them, no decoder needed.
 */
static bool relative_branch(uint32_t w, uint64_t pc, struct insn_ref *ref)
{
	if ((OPCODE(w) != OP_B && OPCODE(w) != OP_BC) || (w & INSN_AA))
		return false;
	ref->bits = OPCODE(w) == OP_B ? 24 : 14;
	ref->shift = 2;
	ref->target = pc + (uint64_t)sign_extend(w & (((1u << ref->bits) - 1) << 2), ref->bits + 2);
	ref->field = pc;
	ref->field_size = 4;
	ref->insn_end = pc;	/* the displacement's anchor: the branch itself */
	ref->branch = true;
	return true;
}

static int ppc64le_scan_refs(const uint8_t *code, size_t size, uint64_t addr, insn_ref_fn fn,
			     void *ctx)
{
	for (size_t off = 0; off + 4 <= size; off += 4) {
		struct insn_ref ref = { 0 };

		if (relative_branch(insn_at(code + off), addr + off, &ref))
			fn(&ref, ctx);
	}
	return size % 4 ? -1 : 0;
}

#define OP_ADDI 14		/* addi rT,rA,SI; with rA 0: li rT,SI */
#define OP_LD 58		/* DS-form ld (low two bits 0), ldu, lwa */
#define OP_XL 19		/* bclr, bcctr and other branch-unit forms */
#define ARG_REG0 3		/* arguments go in r3 to r8 */

/* Argument register @r's index, or -1. */
static int arg_of(unsigned r)
{
	return r >= ARG_REG0 && r < ARG_REG0 + 6 ? (int)(r - ARG_REG0) : -1;
}

/* @arg no longer holds what an li put there. */
static void forget_arg(struct arg_loads *loads, int arg)
{
	if (arg >= 0)
		loads->size[arg] = 0;
}

/*
 * Line numbers passed to helpers: an li into an argument register, the last
 * write to it before a bl. Any other instruction naming that register in
 * either of the two positions a result can go (RT, RA) forgets it, and so
 * does any branch: a later scan masks less, never more. An addi or ld whose
 * offset a relocation fills (a TOC-relative address, a .toc entry) is what
 * loaded the register too, for the caller to find a format string by; only
 * an li is a line number.
 */
static void ppc64le_scan_line_args(const uint8_t *code, size_t size, uint64_t addr,
				   unsigned (*line_args)(void *ctx, uint64_t call_field,
							 const struct arg_loads *loads),
				   void (*report)(void *ctx, uint64_t imm_field, unsigned imm_size),
				   void *ctx)
{
	struct arg_loads loads = { 0 };
	unsigned imm = 0;	/* bit N: argument N was loaded by an li */

	for (uint64_t off = 0; off + 4 <= size; off += 4) {
		uint32_t w = insn_at(code + off);
		uint64_t pc = addr + off;
		unsigned rt = (w >> 21) & 31, ra = (w >> 16) & 31, op = OPCODE(w);
		int arg = arg_of(rt);

		if (op == OP_B && (w & INSN_LK) && !(w & INSN_AA)) {
			unsigned args = line_args(ctx, pc, &loads);

			for (int i = 0; i < 6; i++)
				if ((args & imm & (1u << i)) && loads.size[i])
					report(ctx, loads.field[i], loads.size[i]);
		}
		if (op == OP_B || op == OP_BC || op == OP_XL) {
			memset(&loads, 0, sizeof(loads));
			imm = 0;
			continue;
		}
		forget_arg(&loads, arg_of(ra));
		forget_arg(&loads, arg);
		if (arg < 0)
			continue;
		imm &= ~(1u << arg);
		if (op == OP_ADDI || (op == OP_LD && !(w & 3))) {
			/* The 16-bit offset is the word's low half: first, little-endian. */
			loads.field[arg] = pc;
			loads.insn_end[arg] = pc;
			loads.size[arg] = 2;
			if (op == OP_ADDI && ra == 0)
				imm |= 1u << arg;
		}
	}
}

/* One decoder per thread: klpdiff diff sums both objects in parallel. */
static __thread csh capstone;

static size_t ppc64le_disasm(const uint8_t *code, size_t size, uint64_t addr, char *buf,
			     size_t bufsize)
{
	if (!capstone && cs_open(CS_ARCH_PPC, CS_MODE_64 | CS_MODE_LITTLE_ENDIAN, &capstone) !=
				 CS_ERR_OK)
		fatal("capstone: cannot open a ppc64le decoder");
	size_t len = arch_disasm_one(capstone, code, size, addr, buf, bufsize);

	/* A word of data in the code (a switch's table) is one word still. */
	if (!len && size >= 4) {
		snprintf(buf, bufsize, ".long 0x%x", insn_at(code));
		len = 4;
	}
	return len;
}

/* A relocated field is the whole word of its branch. */
static bool ppc64le_field_is_jump(const uint8_t *sec, uint64_t off)
{
	uint32_t w = insn_at(sec + off);

	return (OPCODE(w) == OP_B || OPCODE(w) == OP_BC) && !(w & INSN_LK);
}

static bool ppc64le_field_is_branch(const uint8_t *sec, uint64_t off)
{
	uint32_t w = insn_at(sec + off);

	return (OPCODE(w) == OP_B || OPCODE(w) == OP_BC) && !(w & INSN_AA);
}

/*
 * The module loader sends a call out of the module through a stub that loads
 * the callee's TOC, and restores the caller's into the nop after the call
 * (restore_r2()). A call with no nop after it, or a sibling call, needs a
 * callee on the caller's TOC: in the same module.
 */
static bool ppc64le_branch_keeps_toc(const uint8_t *sec, size_t size, uint64_t off)
{
	uint32_t w = insn_at(sec + off);

	if (OPCODE(w) != OP_B || (w & INSN_AA))
		return false;
	return !(w & INSN_LK) || off + 8 > size || insn_at(sec + off + 4) != INSN_NOP;
}

/*
 * The register save and restore routines gcc calls at -Os and in big
 * frames: ld --save-restore-funcs puts them into every module
 * (arch/powerpc/Makefile), so a patch calls its own.
 */
static bool ppc64le_is_link_provided(const char *name)
{
	static const char *const prefixes[] = { "_savegpr0_", "_restgpr0_", "_savegpr1_",
						"_restgpr1_", "_savefpr_",  "_restfpr_",
						"_savevr_",   "_restvr_" };

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (starts_with(name, prefixes[i]))
			return true;
	return false;
}

/*
 * The types ppc64's apply_relocate_add() handles (module_64.c, 6.1 to 7.3;
 * 7.3's also handles REL24_NOTOC and the PCREL34 of CONFIG_PPC_KERNEL_PCREL
 * kernels, whose prefixed instructions klpdiff does not read).
 */
static bool ppc64le_klp_reloc_ok(uint32_t type)
{
	switch (type) {
	case R_PPC64_ADDR32:
	case R_PPC64_ADDR64:
	case R_PPC64_REL24:
	case R_PPC64_REL32:
	case R_PPC64_REL64:
		return true;
	}
	/* TOC16_*, REL16_*: within the module only; ENTRY, TOCSAVE: no target. */
	return false;
}

#define OP_ADDIS 15		/* addis rT,rA,SI; with rA 0: lis */
#define REG_TOC 2
#define REG_ENTRY 12		/* a global entry's own address */
#define RT(w) (((w) >> 21) & 31)
#define RA(w) (((w) >> 16) & 31)
#define WITH_RA(w, ra) (((w) & ~(31u << 16)) | (uint32_t)(ra) << 16)

/*
 * A global entry sets up r2 from r12 in its first two instructions (medium
 * model: addis r2,r12; addi r2,r2; large: ld r2,-8(r12); add r2,r2,r12);
 * callers on the same TOC branch past them, to the local entry.
 */
static unsigned ppc64le_local_entry(const uint8_t *code, size_t avail)
{
	uint32_t w0, w1;

	if (avail < 8)
		return 0;
	w0 = insn_at(code);
	w1 = insn_at(code + 4);
	if (OPCODE(w0) == OP_ADDIS && RT(w0) == REG_TOC && RA(w0) == REG_ENTRY &&
	    OPCODE(w1) == OP_ADDI && RT(w1) == REG_TOC && RA(w1) == REG_TOC)
		return 8;
	if (w0 == 0xe84cfff8u && w1 == 0x7c426214u)	/* ld r2,-8(r12); add r2,r2,r12 */
		return 8;
	return 0;
}

/*
 * ld's TOC optimisation (binutils elf64-ppc.c) rewrites TOC-relative code
 * whose high part is 0 or whose .toc entry holds an address near the TOC:
 * addis rX,r2,0 becomes a nop and the low part's instruction takes r2 as
 * its base; ld rT,entry(rX) becomes addi rT,rX,address (or rX r2).
 */
static unsigned ppc64le_toc_edit(const uint8_t *built, const uint8_t *shipped,
				 struct reloc_howto *h, bool *loaded)
{
	uint32_t b = insn_at(built), s = insn_at(shipped);

	*loaded = false;
	if (OPCODE(b) == OP_ADDIS && RA(b) == REG_TOC && s == INSN_NOP) {
		*h = HOWTO(RELOC_NONE, 0);
		return 4;
	}
	if (OPCODE(b) == OP_LD && !(b & 3) && OPCODE(s) == OP_ADDI && RT(s) == RT(b) &&
	    (RA(s) == RA(b) || RA(s) == REG_TOC)) {
		*h = HOWTO(RELOC_ABS, 2);	/* the low half, all 16 bits */
		h->toc_relative = true;
		*loaded = true;
		return 4;
	}
	/* Only the base register changed: the field is as the relocation's. */
	if (OPCODE(b) != OP_ADDIS && RA(b) != REG_TOC && RA(s) == REG_TOC &&
	    !((WITH_RA(b, REG_TOC) ^ s) & ~0xffffu))
		return 4;
	return 0;
}

static bool ppc64le_is_prefix_symbol(const char *name)
{
	return false;
}

/* Jump labels are a nop or a b, one word. */
static unsigned ppc64le_branch_site_size(const uint8_t *code, size_t avail, bool *is_jump)
{
	uint32_t w = avail >= 4 ? insn_at(code) : 0;

	*is_jump = OPCODE(w) == OP_B && !(w & (INSN_AA | INSN_LK));
	return *is_jump || (avail >= 4 && w == INSN_NOP) ? 4 : 0;
}

static bool ppc64le_write_branch_site(uint8_t *code, unsigned size, bool jump, int64_t disp)
{
	int64_t from_site = disp + 4;	/* @disp counts from the site's end */
	uint32_t w = INSN_NOP;

	if (size != 4 || (jump && ((from_site & 3) || from_site < -(1 << 25) ||
				   from_site >= (1 << 25))))
		return false;
	if (jump)
		w = (uint32_t)OP_B << 26 | ((uint32_t)from_site & 0x03fffffc);
	for (int i = 0; i < 4; i++)	/* little-endian, whatever the host */
		code[i] = (uint8_t)(w >> (8 * i));
	return true;
}

/*
 * A fixup entry of PPC64 feature-fixups.h (the same since 2.6.27): mask,
 * value, then four offsets from the entry: the code's start and end, the
 * alternative's start and end.
 */
#define FTR_FIXUP(name)                                                                       \
	{ .section = name, .entry_size = 48, .owner_field = 16, .content_field = 32,          \
	  .content_len_field = 40, .content_end = true, .relative_to_entry = true,            \
	  .line_field = -1, .relocs = { PC64(16), PC64(24), PC64(32), PC64(40) },             \
	  .checksummed = true, NO_KEY, .kernels = "3.10+" }
/* One offset to the instruction a security or barrier fixup patches. */
#define SITE_FIXUP(name, since)                                                               \
	{ .section = name, .entry_size = 8, .owner_field = 0, NO_CONTENT, .line_field = -1,  \
	  .relocs = { PC64(0) }, .checksummed = true, NO_KEY, .kernels = since }

/*
 * ppc64 entries of Linux 3.10 to 7.3 (asm/extable.h, or asm/ppc_asm.h and
 * uaccess.h before 4.11; asm/bug.h and asm-generic/bug.h; asm/jump_label.h;
 * asm/feature-fixups.h). Pointers were absolute 64-bit addresses until
 * relative exception tables (4.10), bug entries (5.11: counted from the
 * entry, from each field since 5.19) and jump labels (5.13). Versions are
 * mainline's; the security fixups came to older stable and distribution
 * kernels too. 7.3's are 5.19's (no bug entry format on powerpc). Ftrace's
 * sites: __mcount_loc (recordmcount, objtool --mcount from 6.3), or with a
 * gcc whose -fpatchable-function-entry puts its NOPs after the local entry
 * (6.6+), __patchable_function_entries. docs/layouts.md has the table.
 */
static const struct special_layout ppc64le_special[] = {
	{ .section = "__ex_table", .entry_size = 8, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0), PC32(4) }, .checksummed = true, NO_KEY,
	  .kernels = "4.10+" },
	{ .section = "__ex_table", .entry_size = 16, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { ABS64(0), ABS64(8) }, .checksummed = true, NO_KEY,
	  .kernels = "3.10 to 4.9 (absolute)" },
	{ .section = "__jump_table", .entry_size = 16, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0), PC32(4), PC64(8) }, .checksummed = true,
	  .key_kind = KEY_JUMP_LABEL, .code_field = 0, .target_field = 4, .key_field = 8,
	  .branch_flag = 1, .nop_flag = 0, .key_flags = 3, .kernels = "5.13+ (relative)" },
	/* unsigned long code, target, key; the key's bit 0 is the branch from 4.3 */
	{ .section = "__jump_table", .entry_size = 24, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { ABS64(0), ABS64(8), ABS64(16) }, .checksummed = true,
	  .key_kind = KEY_JUMP_LABEL, .code_field = 0, .target_field = 8, .key_field = 16,
	  .branch_flag = 1, .nop_flag = 0, .key_flags = 1, .kernels = "3.10 to 5.12 (absolute)" },
	{ .section = "__bug_table", .entry_size = 12, .owner_field = 0, NO_CONTENT,
	  .line_field = 8, .relocs = { PC32(0), PC32_FILE(4) }, .checksummed = true, NO_KEY,
	  .min_gcc = GCC_5_1, .kernels = "5.19+, CONFIG_DEBUG_BUGVERBOSE" },
	{ .section = "__bug_table", .entry_size = 12, .owner_field = 0, NO_CONTENT,
	  .line_field = 8, .relocs = { PC32(0), PC32_FILE(4) }, .relative_to_entry = true,
	  .checksummed = true, NO_KEY,
	  .kernels = "5.11 to 5.18, CONFIG_DEBUG_BUGVERBOSE (from the entry)" },
	/* {unsigned long bug_addr; const char *file; u16 line, flags}, .org to sizeof (24) */
	{ .section = "__bug_table", .entry_size = 24, .owner_field = 0, NO_CONTENT,
	  .line_field = 16, .relocs = { ABS64(0), ABS64_FILE(8) }, .checksummed = true, NO_KEY,
	  .kernels = "3.10 to 5.10, CONFIG_DEBUG_BUGVERBOSE (absolute)" },
	{ .section = "__bug_table", .entry_size = 8, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0) }, .checksummed = true, NO_KEY,
	  .kernels = "5.11+, no CONFIG_DEBUG_BUGVERBOSE" },
	{ .section = "__bug_table", .entry_size = 16, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { ABS64(0) }, .checksummed = true, NO_KEY,
	  .kernels = "3.10 to 5.10, no CONFIG_DEBUG_BUGVERBOSE (absolute)" },
	FTR_FIXUP("__ftr_fixup"),
	FTR_FIXUP("__mmu_ftr_fixup"),
	FTR_FIXUP("__fw_ftr_fixup"),
	SITE_FIXUP("__lwsync_fixup", "3.10+"),
	SITE_FIXUP("__stf_entry_barrier_fixup", "4.17+"),
	SITE_FIXUP("__stf_exit_barrier_fixup", "4.17+"),
	SITE_FIXUP("__uaccess_flush_fixup", "5.10+"),
	SITE_FIXUP("__entry_flush_fixup", "5.10+"),
	SITE_FIXUP("__scv_entry_flush_fixup", "5.10+"),
	SITE_FIXUP("__rfi_flush_fixup", "4.15+"),
	SITE_FIXUP("__barrier_nospec_fixup", "4.17+"),
	{ .section = "__mcount_loc", .entry_size = 8, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { ABS64(0) }, .checksummed = false, NO_KEY,
	  .kernels = "3.10+" },
	{ .section = "__patchable_function_entries", .entry_size = 8, .owner_field = 0,
	  NO_CONTENT, .line_field = -1, .relocs = { ABS64(0) }, .checksummed = false, NO_KEY,
	  .kernels = "6.6+ (-fpatchable-function-entry)" },
};

/*
 * The layout probe: one exception entry, jump label, bug entry, CPU, MMU and
 * firmware feature fixup and speculation barrier, made by the kernel's
 * macros; a feature's mask is an "i" operand, as the kernel's C code passes it.
 */
static const char ppc64le_layout_probe[] =
	"#include <linux/module.h>\n"
	"#include <linux/bug.h>\n"
	"#include <linux/jump_label.h>\n"
	"#include <asm/barrier.h>\n"
	"#include <asm/cputable.h>\n"
	"#include <linux/uaccess.h>\n"	/* EX_TABLE: asm/extable.h (5.10: asm/ppc_asm.h) */
	"#include <asm/feature-fixups.h>\n"
	"#include <asm/firmware.h>\n"
	"#include <asm/mmu.h>\n"
	"MODULE_LICENSE(\"GPL\");\n"
	"DEFINE_STATIC_KEY_FALSE(klpdiff_probe_key);\n"
	"int klpdiff_probe(int x);\n"
	"int klpdiff_probe(int x)\n"
	"{\n"
	"\tasm volatile(\"1: nop\\n2:\\n\" EX_TABLE(1b, 2b));\n"
	"\tasm volatile(ASM_FTR_IFSET(\"nop\", \"nop\", %0) : : \"i\" (CPU_FTR_ARCH_206));\n"
	"\tasm volatile(ASM_MMU_FTR_IFSET(\"nop\", \"nop\", %0) : : \"i\" (MMU_FTR_TYPE_RADIX));\n"
	"\tasm volatile(stringify_in_c(BEGIN_FW_FTR_SECTION) \"nop; \"\n"
	"\t\t     stringify_in_c(FW_FTR_SECTION_ELSE) \"nop; \"\n"
	"\t\t     stringify_in_c(ALT_FW_FTR_SECTION_END_IFSET(%0)) : : \"i\" (FW_FEATURE_LPAR));\n"
	"\tbarrier_nospec();\n"
	"\tif (static_branch_unlikely(&klpdiff_probe_key))\n"
	"\t\tx++;\n"
	"\tWARN_ON(x == 42);\n"
	"\treturn x;\n"
	"}\n";

const struct arch arch_ppc64le = {
	.name = "ppc64le",
	.elf_machine = EM_PPC64,
	.elf_data = ELFDATA2LSB,
	.reloc_howto = ppc64le_reloc_howto,
	.reloc_pc32 = R_PPC64_REL32,
	.reloc_abs64 = R_PPC64_ADDR64,
	.pcrel_field_bias = 0,	/* S + A - P: the field is the anchor */
	.scan_refs = ppc64le_scan_refs,
	.scan_line_args = ppc64le_scan_line_args,
	.disasm = ppc64le_disasm,
	.field_is_jump = ppc64le_field_is_jump,
	.field_is_branch = ppc64le_field_is_branch,
	.address_table = ".toc",
	.toc_symbol = ".TOC.",
	.toc_offset_prefix = 8,	/* .quad .TOC.-func (R_PPC64_REL64 against .TOC. - 8) */
	.branch_keeps_toc = ppc64le_branch_keeps_toc,
	.is_link_provided = ppc64le_is_link_provided,
	.local_entry = ppc64le_local_entry,
	.toc_edit = ppc64le_toc_edit,
	.branch_site_size = ppc64le_branch_site_size,
	.write_branch_site = ppc64le_write_branch_site,
	.kernel = {
		.ftrace_extent_search = true,	/* its site is at +12: ftrace_location() searches */
		.klp_reloc_ok = ppc64le_klp_reloc_ok,
		.klp_place_zeroed = false,	/* REL24 keeps the branch's opcode bits */
		.is_prefix_symbol = ppc64le_is_prefix_symbol,
		.fentry_name = "_mcount",	/* -mprofile-kernel: mflr r0; bl _mcount */
		/* Or NOPs at the local entry (6.6+, a gcc that places them there). */
		.ftrace_site_section = "__patchable_function_entries",
		/* BEGIN_FTR_SECTION's alternative: nested ones (head_64.S) point into it. */
		.alt_code_prefix = "__ftr_alt_",
		.tracepoint_prefix = "__tracepoint_",
		.static_call_tramp_prefix = "__SCT__",
		.tracepoint_key_offset = 8,
		.special = ppc64le_special,
		.nr_special = ARRAY_SIZE(ppc64le_special),
	},
	.kbuild = {
		/* CONFIG_PPC64 alone may be big-endian ppc64: another arch to klpdiff. */
		.kconfig = "CONFIG_PPC64",
		.kconfig_also = "CONFIG_CPU_LITTLE_ENDIAN",
		.kbuild_arch = "powerpc",
		.cross_prefix = "powerpc64le-linux-gnu-",
		/*
		 * What modules are built with (arch/powerpc/Makefile): a live patch's
		 * TOC is its own, so vmlinux's data cannot be reached TOC-relative
		 * (-mcmodel=medium, vmlinux's model); the large model loads every
		 * address from a .toc entry, which a livepatch relocation fills.
		 */
		.unit_cflags = "-mcmodel=large",
		.layout_probe = ppc64le_layout_probe,
	},
};

void ppc64le_cleanup(void);
void ppc64le_cleanup(void)
{
	if (capstone)
		cs_close(&capstone);
}
