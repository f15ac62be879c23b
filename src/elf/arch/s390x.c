// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * s390x (big-endian): relocations, relative operands through capstone, and
 * the Linux 6.1 special-section layouts. Enough for sums and diff; the
 * livepatch side (extract, module) is x86-64 only for now.
 */
#include <capstone/capstone.h>
#include <elf.h>
#include <string.h>

#include "elf/arch.h"
#include "elf/arch/layout.h"
#include "base/util.h"

/* Newer than some elf.h: relative operands of bpp/bprp. */
#ifndef R_390_PC12DBL
#define R_390_PC12DBL 62
#define R_390_PLT12DBL 63
#define R_390_PC24DBL 64
#define R_390_PLT24DBL 65
#endif

static const struct howto_entry s390x_howtos[] = {
	/* Markers on an instruction: no field. */
	[R_390_NONE] = MARKER,
	[R_390_TLS_LOAD] = MARKER,
	[R_390_TLS_GDCALL] = MARKER,
	[R_390_TLS_LDCALL] = MARKER,
	[R_390_8] = FIELD(RELOC_ABS, 1),
	[R_390_12] = FIELD(RELOC_ABS, 2),	/* 12 bits of a 2-byte displacement field */
	[R_390_16] = FIELD(RELOC_ABS, 2),
	[R_390_20] = FIELD(RELOC_ABS, 3),	/* 20 bits over 3 bytes (DL, DH) */
	[R_390_32] = FIELD(RELOC_ABS, 4),
	[R_390_64] = FIELD(RELOC_ABS, 8),
	[R_390_PC16] = FIELD(RELOC_PCREL, 2),
	[R_390_PC16DBL] = FIELD(RELOC_PCREL, 2),	/* DBL: in halfwords, from the instruction */
	[R_390_PLT16DBL] = FIELD(RELOC_PCREL, 2),
	[R_390_PC12DBL] = FIELD(RELOC_PCREL, 2),
	[R_390_PLT12DBL] = FIELD(RELOC_PCREL, 2),
	[R_390_PC24DBL] = FIELD(RELOC_PCREL, 3),
	[R_390_PLT24DBL] = FIELD(RELOC_PCREL, 3),
	[R_390_PC32] = FIELD(RELOC_PCREL, 4),
	[R_390_PC32DBL] = FIELD(RELOC_PCREL, 4),
	[R_390_PLT32DBL] = FIELD(RELOC_PCREL, 4),
	[R_390_PLT32] = FIELD(RELOC_PCREL, 4),
	[R_390_PC64] = FIELD(RELOC_PCREL, 8),
	[R_390_PLT64] = FIELD(RELOC_PCREL, 8),
	/* GOT, PLT offsets and TLS: hashed by symbol and addend only. */
	[R_390_GOT12] = FIELD(RELOC_OTHER, 2),
	[R_390_GOT16] = FIELD(RELOC_OTHER, 2),
	[R_390_GOTOFF16] = FIELD(RELOC_OTHER, 2),
	[R_390_GOTPLT12] = FIELD(RELOC_OTHER, 2),
	[R_390_GOTPLT16] = FIELD(RELOC_OTHER, 2),
	[R_390_PLTOFF16] = FIELD(RELOC_OTHER, 2),
	[R_390_TLS_GOTIE12] = FIELD(RELOC_OTHER, 2),
	[R_390_GOT20] = FIELD(RELOC_OTHER, 3),
	[R_390_GOTPLT20] = FIELD(RELOC_OTHER, 3),
	[R_390_TLS_GOTIE20] = FIELD(RELOC_OTHER, 3),
	[R_390_GOT32] = FIELD(RELOC_OTHER, 4),
	[R_390_GOTOFF32] = FIELD(RELOC_OTHER, 4),
	[R_390_GOTPC] = FIELD(RELOC_OTHER, 4),
	[R_390_GOTPCDBL] = FIELD(RELOC_OTHER, 4),
	[R_390_GOTENT] = FIELD(RELOC_OTHER, 4),
	[R_390_GOTPLT32] = FIELD(RELOC_OTHER, 4),
	[R_390_GOTPLTENT] = FIELD(RELOC_OTHER, 4),
	[R_390_PLTOFF32] = FIELD(RELOC_OTHER, 4),
	[R_390_TLS_GD32] = FIELD(RELOC_OTHER, 4),
	[R_390_TLS_GOTIE32] = FIELD(RELOC_OTHER, 4),
	[R_390_TLS_LDM32] = FIELD(RELOC_OTHER, 4),
	[R_390_TLS_IE32] = FIELD(RELOC_OTHER, 4),
	[R_390_TLS_IEENT] = FIELD(RELOC_OTHER, 4),
	[R_390_TLS_LE32] = FIELD(RELOC_OTHER, 4),
	[R_390_TLS_LDO32] = FIELD(RELOC_OTHER, 4),
	[R_390_GOT64] = FIELD(RELOC_OTHER, 8),
	[R_390_GOTOFF64] = FIELD(RELOC_OTHER, 8),
	[R_390_GOTPLT64] = FIELD(RELOC_OTHER, 8),
	[R_390_PLTOFF64] = FIELD(RELOC_OTHER, 8),
	[R_390_TLS_GD64] = FIELD(RELOC_OTHER, 8),
	[R_390_TLS_GOTIE64] = FIELD(RELOC_OTHER, 8),
	[R_390_TLS_LDM64] = FIELD(RELOC_OTHER, 8),
	[R_390_TLS_IE64] = FIELD(RELOC_OTHER, 8),
	[R_390_TLS_LE64] = FIELD(RELOC_OTHER, 8),
	[R_390_TLS_LDO64] = FIELD(RELOC_OTHER, 8),
};

static bool s390x_reloc_howto(uint32_t type, struct reloc_howto *h)
{
	return howto_lookup(s390x_howtos, ARRAY_SIZE(s390x_howtos), type, h);
}

/* One decoder per thread: klpdiff diff sums both objects in parallel. */
static __thread csh capstone;

static csh decoder(void)
{
	if (!capstone) {
		if (cs_open(CS_ARCH_SYSZ, CS_MODE_BIG_ENDIAN, &capstone) != CS_ERR_OK)
			fatal("capstone: cannot open an s390x decoder");
		cs_option(capstone, CS_OPT_DETAIL, CS_OPT_ON);
	}
	return capstone;
}

static int64_t be_signed(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return (int64_t)(v << (64 - 8 * n)) >> (64 - 8 * n);
}

/*
 * Relative operands count halfwords from the instruction's start and sit
 * after the first two bytes: 2 bytes (RI, RSI, RIE) or 4 (RIL). Capstone
 * gives their targets as absolute immediates but no operand kind, so an
 * immediate is relative when the field there gives that target.
 */
static unsigned relative_field(const cs_insn *insn, const uint8_t *code, uint64_t *target)
{
	const cs_sysz *z = &insn->detail->sysz;

	for (unsigned i = 0; i < z->op_count; i++) {
		uint64_t imm = (uint64_t)z->operands[i].imm;

		if (z->operands[i].type != SYSZ_OP_IMM)
			continue;
		if (insn->size == 6 && imm == insn->address + 2 * (uint64_t)be_signed(code + 2, 4)) {
			*target = imm;
			return 4;
		}
		if (insn->size >= 4 && imm == insn->address + 2 * (uint64_t)be_signed(code + 2, 2)) {
			*target = imm;
			return 2;
		}
	}
	return 0;
}

/* Branches (j*, br*, compare-and-jump c*j*) rather than relative loads (larl, lgrl...). */
static bool is_branch(const char *mnemonic)
{
	return mnemonic[0] == 'j' || starts_with(mnemonic, "br") ||
	       (mnemonic[0] == 'c' && strchr(mnemonic, 'j'));
}

static int s390x_scan_refs(const uint8_t *code, size_t size, uint64_t addr, insn_ref_fn fn,
			   void *ctx)
{
	csh h = decoder();
	cs_insn *insn = cs_malloc(h);
	const uint8_t *p = code;
	uint64_t pc = addr;
	int ret = 0;

	while (size) {
		const uint8_t *start = p;
		struct insn_ref ref = { 0 };

		if (!cs_disasm_iter(h, &p, &size, &pc, insn)) {
			/* Data in code: instructions are halfword-aligned. */
			ret = -1;
			p += size >= 2 ? 2 : size;
			pc += size >= 2 ? 2 : size;
			size -= size >= 2 ? 2 : size;
			continue;
		}
		ref.field_size = relative_field(insn, start, &ref.target);
		if (!ref.field_size)
			continue;
		ref.field = insn->address + 2;
		ref.insn_end = insn->address;	/* the displacement's anchor */
		ref.branch = is_branch(insn->mnemonic);
		fn(&ref, ctx);
	}
	cs_free(insn, 1);
	return ret;
}

/* Line numbers passed to helpers are not tracked on s390x yet: nothing is masked. */
static void s390x_scan_line_args(const uint8_t *code, size_t size, uint64_t addr,
				 unsigned (*line_args)(void *ctx, uint64_t call_field,
						       const struct arg_loads *loads),
				 void (*report)(void *ctx, uint64_t imm_field, unsigned imm_size),
				 void *ctx)
{
}

static size_t s390x_disasm(const uint8_t *code, size_t size, uint64_t addr, char *buf,
			   size_t bufsize)
{
	return arch_disasm_one(decoder(), code, size, addr, buf, bufsize);
}

/* brcl (c0 M4): a jump; brasl (c0 R5) is a call. The field follows 2 bytes. */
static bool s390x_field_is_jump(const uint8_t *sec, uint64_t off)
{
	return off >= 2 && sec[off - 2] == 0xc0 && (sec[off - 1] & 0x0f) == 0x04;
}

/* brasl (c0 R5) and brcl (c0 M4). */
static bool s390x_field_is_branch(const uint8_t *sec, uint64_t off)
{
	return off >= 2 && sec[off - 2] == 0xc0 && ((sec[off - 1] & 0x0f) == 0x04 ||
						    (sec[off - 1] & 0x0f) == 0x05);
}

static bool s390x_is_prefix_symbol(const char *name)
{
	return false;
}

/* Jump labels are brcl: mask 0 (a NOP) or 15 (a jump), 6 bytes. */
static unsigned s390x_branch_site_size(const uint8_t *code, size_t avail, bool *is_jump)
{
	*is_jump = avail >= 6 && code[0] == 0xc0 && code[1] == 0xf4;
	return avail >= 6 && code[0] == 0xc0 && (code[1] == 0x04 || code[1] == 0xf4) ? 6 : 0;
}

static bool s390x_write_branch_site(uint8_t *code, unsigned size, bool jump, int64_t disp)
{
	int64_t halfwords = (disp + 6) / 2;	/* from the site's end to its start */

	if (size != 6 || (disp & 1) || halfwords < INT32_MIN || halfwords > INT32_MAX)
		return false;
	code[0] = 0xc0;
	code[1] = jump ? 0xf4 : 0x04;
	for (int i = 0; i < 4; i++)	/* big-endian, whatever the host */
		code[2 + i] = (uint8_t)((uint32_t)(int32_t)halfwords >> (24 - 8 * i));
	return true;
}

/*
 * Linux 6.1's s390 entries (asm/alternative.h, asm/extable.h, asm/bug.h with
 * GENERIC_BUG_RELATIVE_POINTERS, the generic relative jump_entry).
 */
static const struct special_layout s390x_special[] = {
	{ .section = ".altinstructions", .entry_size = 12, .owner_field = 0,
	  .content_field = 4, .content_len_field = 11, .line_field = -1,
	  .relocs = { PC32(0), PC32(4) }, .checksummed = true, NO_KEY, .kernels = "6.1 (s390)" },
	{ .section = "__ex_table", .entry_size = 12, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0), PC32(4) }, .checksummed = true, NO_KEY,
	  .kernels = "6.1 (s390, type and data)" },
	{ .section = "__jump_table", .entry_size = 16, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { PC32(0), PC32(4), PC64(8) }, .checksummed = true,
	  .key_kind = KEY_JUMP_LABEL, .code_field = 0, .target_field = 4, .key_field = 8,
	  .branch_flag = 1, .nop_flag = 0, .key_flags = 3, .kernels = "6.1 (s390, relative)" },
	{ .section = "__bug_table", .entry_size = 12, .owner_field = 0, NO_CONTENT,
	  .line_field = 8, .relocs = { PC32(0), PC32(4) }, .checksummed = true, NO_KEY,
	  .kernels = "6.1 (s390), CONFIG_DEBUG_BUGVERBOSE" },
	{ .section = "__mcount_loc", .entry_size = 8, .owner_field = 0, NO_CONTENT,
	  .line_field = -1, .relocs = { ABS64(0) }, .checksummed = false, NO_KEY,
	  .kernels = "6.1 (s390)" },
};

const struct arch arch_s390x = {
	.name = "s390x",
	.elf_machine = EM_S390,
	.elf_data = ELFDATA2MSB,
	.reloc_howto = s390x_reloc_howto,
	.reloc_pc32 = R_390_PC32DBL,
	.reloc_abs64 = R_390_64,
	.pcrel_field_bias = -2,	/* the field is 2 bytes into the instruction */
	.scan_refs = s390x_scan_refs,
	.scan_line_args = s390x_scan_line_args,
	.disasm = s390x_disasm,
	.field_is_jump = s390x_field_is_jump,
	.field_is_branch = s390x_field_is_branch,
	.branch_site_size = s390x_branch_site_size,
	.write_branch_site = s390x_write_branch_site,
	.kernel = {
		.is_prefix_symbol = s390x_is_prefix_symbol,
		.fentry_name = "__fentry__",
		.tracepoint_prefix = "__tracepoint_",
		.static_call_tramp_prefix = "__SCT__",
		.tracepoint_key_offset = 8,
		.special = s390x_special,
		.nr_special = ARRAY_SIZE(s390x_special),
	},
	.kbuild = {
		.kconfig = NULL,	/* no live patches for s390 kernels yet */
		.kbuild_arch = "s390",
		.cross_prefix = "s390x-linux-gnu-",
		.layout_probe = NULL,
	},
};

void s390x_cleanup(void);
void s390x_cleanup(void)
{
	if (capstone)
		cs_close(&capstone);
}
