/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-architecture interface. Everything klpdiff needs to know about an
 * instruction set or an architecture's kernel conventions is behind these
 * functions and tables; the core knows ELF and checksums only.
 */
#ifndef KLPDIFF_ARCH_H
#define KLPDIFF_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum reloc_kind {
	RELOC_NONE,	/* no value (R_X86_64_NONE) */
	RELOC_ABS,	/* S + A */
	RELOC_PCREL,	/* S + A - P: the addend includes the distance to P's anchor */
	RELOC_OTHER,	/* GOT/TLS and friends: hashed by symbol and addend only */
};

/*
 * How a relocation writes its field: @width bytes at its offset, all of them,
 * or only bits [shift, shift + bits) of that many bytes read in the object's
 * byte order (ppc64le's branch and DS-form fields share their word with the
 * opcode and flags, which stay part of the code).
 */
struct reloc_howto {
	uint8_t kind;	/* enum reloc_kind */
	uint8_t width;	/* bytes the relocation writes */
	uint8_t shift;	/* with bits: the field's lowest bit */
	uint8_t bits;	/* 0: the whole width */
	bool toc_relative;	/* S + A - TOC (ppc64 TOC16_*): only within one TOC */
	/*
	 * The value's bits the field holds: from bit @value_shift up (ppc64
	 * _HI and _HA: 16), after adding 0x8000 if @value_rounded (_HA: the
	 * low half, added by another instruction, is signed).
	 */
	uint8_t value_shift;
	bool value_rounded;
};

/*
 * A reference in an instruction, found by decoding: a relative branch whose
 * displacement the assembler may have resolved itself, or a PC-relative
 * memory operand (whose target needs the instruction's end).
 */
struct insn_ref {
	uint64_t field;		/* offset of the displacement field */
	unsigned field_size;
	uint64_t insn_end;	/* where the displacement counts from: the next
				 * instruction (x86-64) or this one (s390x) */
	bool branch;		/* relative jump or call */
	uint64_t target;	/* branch target offset (branch only) */
	uint8_t shift, bits;	/* the displacement's bits in the field, as in reloc_howto */
};

typedef void (*insn_ref_fn)(const struct insn_ref *ref, void *ctx);

/*
 * What loaded each argument register before a call, as far as a scan of
 * the code in order sees: the offset of the field (immediate or
 * PC-relative displacement) that may carry a relocation, and the end of
 * its instruction. size 0: not known.
 */
struct arg_loads {
	uint64_t field[6];
	uint64_t insn_end[6];
	uint8_t size[6];
};

/*
 * Layout of one kind of kernel special-section entry, from the target
 * kernel's headers. Fields are byte offsets in the entry; -1 means absent.
 */
/* What a relocated field's target must be, which tells layouts of one size apart. */
enum field_check {
	FIELD_ANY,
	FIELD_HANDLER,	/* a named symbol (a handler function), never a section's offset */
	FIELD_STRING,	/* the start of a string (bug_entry's file): evidence, not a rule */
};
/* Entries whose key field names a static key or a static call key. */
enum special_key_kind {
	KEY_NONE,
	KEY_JUMP_LABEL,		/* code, target, key (low bits: flags) */
	KEY_STATIC_CALL,	/* call site, key (low bits: flags) */
};
/*
 * Runtime constants (x86-64 6.11+): the kernel writes an instruction's
 * immediate once at boot, in vmlinux only, with the value of the variable
 * the section is named after (its name past the layout's @section).
 */
enum runtime_const_kind {
	RUNTIME_NONE,
	RUNTIME_VALUE,	/* the variable's whole value (a pointer, an unsigned long) */
	RUNTIME_PART,	/* a shift count or mask made of it */
};

struct special_layout {
	const char *section;
	bool name_prefix;	/* @section starts the name (runtime_ptr_<variable>) */
	uint8_t runtime_const;	/* enum runtime_const_kind */
	unsigned entry_size;
	enum special_key_kind key_kind;
	int code_field;		/* jump label: the patched instruction */
	int target_field;	/* jump label: where it jumps when taken */
	int key_field;		/* the key (jump label, static call) */
	uint8_t branch_flag;	/* key field bit: jump label's branch (likely) */
	uint8_t nop_flag;	/* key field bit: objtool NOPs the site when it has run */
	uint8_t key_flags;	/* key field bits that are flags, not address */
	int owner_field;	/* relocation pointing into the owning code */
	int content_field;	/* relocation pointing at anonymous code the entry owns */
	int content_len_field;	/* u8 length of that code, or with content_end: */
	bool content_end;	/* ... a relocation pointing at that code's end */
	/*
	 * Entries whose u16 at @callback_field has @callback_flag set point at
	 * a function, not at code of their own, with their content field (arm64's
	 * ALTERNATIVE_CB: the cpucap's ARM64_CB_BIT, the kernel calls the
	 * function to patch the site): an ordinary reference. 0: none.
	 */
	uint16_t callback_flag;
	int8_t callback_field;
	/* PC-relative fields count from the entry's start, not their own (ppc64 ftr_fixup). */
	bool relative_to_entry;
	int line_field;		/* u16 source line (never 0): never part of a checksum */
	uint8_t zero_tail;	/* the entry's last bytes are padding (.org): zeros */
	/*
	 * A field pointing at the printk format of the entry's message (7.x's
	 * bug entry: WARN() passes its entry, not the format); 0: none.
	 */
	uint8_t format_field;
	/*
	 * Of kernels that give the arch's entsize_sections an sh_entsize
	 * (6.19+): an object with one of them that has none is older.
	 */
	bool entsize_era;
	/*
	 * A section this layout's kernels always put beside it (7.x: objtool's
	 * annotation of each bug entry); an object without one is of another
	 * kernel. Only a tie-breaker between layouts that both fit. NULL: none.
	 */
	const char *marked_by;
	/*
	 * Where relocations sit, of which kind and width; ends at width 0.
	 * Every entry has each of them (an entry's fields are never left
	 * unrelocated), and its owner field points into code.
	 */
	struct special_reloc {
		int8_t offset;
		uint8_t kind;	/* enum reloc_kind */
		uint8_t width;
		uint8_t check;	/* enum field_check: what its target must be */
	} relocs[4];
	/*
	 * Entries aligned at their start only (.parainstructions: a 16-byte
	 * stride of 12-byte entries): the last one is this long, unpadded; 0:
	 * every entry is entry_size.
	 */
	unsigned last_size;
	/*
	 * The oldest gcc (major * 100 + minor) its kernels accept; an object
	 * whose .comment names an older one is not of them. Only a tie-breaker
	 * between layouts that both fit. 0: any.
	 */
	unsigned min_gcc;
	const char *kernels;	/* which kernels use this layout, for messages */
	bool checksummed;	/* part of the owner's checksum (not derived data) */
	const char *companion;	/* a section with one parallel entry per entry (ORC) */
	unsigned companion_size;
};

/*
 * What an architecture's kernels do with the code klpdiff reads: their
 * special sections, ftrace and tracepoint conventions, indirect-branch
 * tracking, what the module loader applies (livepatch relocations).
 */
struct arch_kernel {
	/*
	 * Indirect-branch tracking: the instruction an indirect call must land
	 * on, and the section of a linked kernel that lists those the kernel
	 * overwrites at boot (s32 offsets from each entry). NULL: no IBT.
	 */
	const uint8_t *ibt_landing;
	unsigned ibt_landing_len;
	const char *ibt_seal_section;
	/* objtool reads linked modules: livepatch relocations need placeholders. */
	bool klp_placeholders;
	/*
	 * Sections objtool writes for a whole linked module (when kbuild runs
	 * it there: arch_kbuild's objtool_link_kconfig), unless a part has one
	 * already: extract leaves their entries to it. NULL-terminated.
	 */
	const char *const *objtool_link_sections;
	/*
	 * Sections the kernel's macros give an sh_entsize from Linux 6.19 on
	 * (NULL-terminated): an object with one that has none is of an older
	 * kernel, which rules out the layouts marked entsize_era.
	 */
	const char *const *entsize_sections;
	/*
	 * Livepatch relocations: the types the target's module loader applies
	 * (apply_relocate_add()), and whether it writes only over zeros.
	 */
	bool (*klp_reloc_ok)(uint32_t type);
	bool klp_place_zeroed;
	/*
	 * Places where the loader may rewrite the instruction of a livepatch
	 * relocation rather than relocate it (arm64, Cortex-A53 erratum
	 * 843419: an ADRP in a page's last 8 bytes becomes an ADR or a branch
	 * to a veneer), which a relocation applied again (a module's, each
	 * time that module loads) would corrupt: the alignment of its section
	 * that keeps a relocation of @type at @offset out of them; 1 if any
	 * alignment does, 0 if none does (@offset is such a place). NULL: none.
	 */
	uint64_t (*klp_place_align)(uint32_t type, uint64_t offset);
	/* Sections of init code or data of this architecture only (NULL-terminated). */
	const char *const *init_sections;
	/*
	 * The prefix of sections of alternative code that are not SHF_EXECINSTR
	 * (ppc64's __ftr_alt_N, "a"): a feature section nested in an
	 * alternative has its entry's owner there. NULL: none.
	 */
	const char *alt_code_prefix;
	/* Symbols that are padding or hashes in front of a function, not functions. */
	bool (*is_prefix_symbol)(const char *name);
	/*
	 * Livepatch finds a function's ftrace site anywhere in its kallsyms
	 * extent, and the kernel keeps the sites of weak functions another unit
	 * overrides (no FTRACE_MCOUNT_MAX_OFFSET: ppc64 of Linux 6.1): such a
	 * function's code after a changed one may hold the site livepatch takes.
	 */
	bool ftrace_extent_search;
	/* The ftrace entry call at the start of traceable functions. */
	const char *fentry_name;
	/*
	 * Or, where the entry is NOPs the compiler leaves (arm64:
	 * -fpatchable-function-entry), the section of 64-bit absolute
	 * addresses listing them; NULL: the entry is a call to fentry_name.
	 */
	const char *ftrace_site_section;
	/*
	 * Tracepoints (struct tracepoint): the symbol prefix and where the
	 * static key sits in it. Code behind a tracepoint's static branch calls
	 * its probes only if it has any, so taking the branch always is safe.
	 */
	const char *tracepoint_prefix;
	/* Static calls: the trampoline every call site calls until it is patched inline. */
	const char *static_call_tramp_prefix;
	unsigned tracepoint_key_offset;
	/* Kernel special sections: every layout of the kernels klpdiff knows. */
	const struct special_layout *special;
	size_t nr_special;
};

/* How a kernel of the architecture is configured and built (kbuild, make). */
struct arch_kbuild {
	const char *ibt_kconfig;	/* the Kconfig symbol of a kernel built with IBT */
	/*
	 * kbuild runs objtool on the linked module when one of these options
	 * is set (NULL-terminated; delay-objtool: IBT, LTO).
	 */
	const char *const *objtool_link_kconfig;
	/*
	 * The Kconfig symbol a kernel of this architecture sets (=y); NULL
	 * while klpdiff reads its objects but builds no live patch for it.
	 * @kconfig_also: one more it must set, or NULL (ppc64le: the byte
	 * order, which CONFIG_PPC64 leaves open).
	 */
	const char *kconfig;
	const char *kconfig_also;
	/* The kernel's arch/ directory, also make's ARCH= for a cross build. */
	const char *kbuild_arch;
	/*
	 * gcc's CROSS_COMPILE= for a kernel whose configured compiler has no
	 * prefix (a distribution's native build, read on another machine).
	 */
	const char *cross_prefix;
	/*
	 * Flags klpdiff appends to its own when it compiles a unit, original
	 * and patched alike (ppc64le: the code model modules are built with).
	 */
	const char *unit_cflags;
	/*
	 * Function and data sections change this arch's code beyond placement
	 * (arm64: gcc's section anchors, one adrp for a unit's statics, need
	 * them in one section): verify compiles the originals as built too,
	 * as it does with unit_cflags.
	 */
	bool sections_change_code;
	/*
	 * A module source that puts one entry into each special section whose
	 * layout differs between kernels, with the kernel's own macros: built
	 * against a kernel, it shows that kernel's layouts (kernel_profile.c).
	 */
	const char *layout_probe;
};

/*
 * An architecture: its instruction set and ELF ABI (relocations, decoding,
 * TOCs, rewriting instructions) here, its kernels' conventions in @kernel
 * and their build in @kbuild.
 */
struct arch {
	const char *name;
	unsigned elf_machine;
	unsigned char elf_data;	/* ELFDATA2LSB or ELFDATA2MSB: the byte order it reads */
	/* How relocation @type writes its value; false if unknown. */
	bool (*reloc_howto)(uint32_t type, struct reloc_howto *howto);
	/* The relocation type for a 32-bit PC-relative and 64-bit absolute value. */
	uint32_t reloc_pc32, reloc_abs64;
	/*
	 * Distance from a PC-relative field to the anchor its addend counts
	 * from: x86-64 4 (the instruction's end, for the usual operand at its
	 * end), s390x -2 (the instruction's start).
	 */
	int pcrel_field_bias;
	/*
	 * Decode @size bytes of code at section offset @addr and report every
	 * relative branch and PC-relative operand. Returns -1 on decoding error.
	 */
	int (*scan_refs)(const uint8_t *code, size_t size, uint64_t addr, insn_ref_fn fn,
			 void *ctx);
	/*
	 * Find immediates loaded into argument registers for calls: for each
	 * call, @line_args(ctx, offset of the call's displacement, what loaded
	 * the argument registers) says which arguments (bit N: argument N,
	 * 0-based) carry a source line number; @report gets the offset and size
	 * of each immediate that loaded one.
	 */
	void (*scan_line_args)(const uint8_t *code, size_t size, uint64_t addr,
			       unsigned (*line_args)(void *ctx, uint64_t call_field,
						     const struct arg_loads *loads),
			       void (*report)(void *ctx, uint64_t imm_field, unsigned imm_size),
			       void *ctx);
	/* Disassemble one instruction at @code into @buf; returns its length, 0 on error. */
	size_t (*disasm)(const uint8_t *code, size_t size, uint64_t addr, char *buf,
			 size_t bufsize);
	/* Is the relocated field at @off the operand of a jump (not a call)? */
	bool (*field_is_jump)(const uint8_t *sec, uint64_t off);
	/* ... of a direct call or jump (not an address taken)? */
	bool (*field_is_branch)(const uint8_t *sec, uint64_t off);
	/*
	 * A section of addresses the code loads its references from (ppc64's
	 * .toc): an entry stands for what its relocation points at. NULL: none.
	 */
	const char *address_table;
	/*
	 * ppc64 ELFv2: the symbol every object's code finds its TOC by (".TOC."),
	 * which the module loader sets to the module's own TOC; and the bytes
	 * before a function that hold its offset to it, in the large code model
	 * (a PC-relative relocation against that symbol): part of the function.
	 */
	const char *toc_symbol;
	unsigned toc_offset_prefix;
	/*
	 * Is the branch relocated at @off one whose target must run on the
	 * caller's TOC: a call with no instruction after it for the loader to
	 * restore the TOC into, or a sibling call? NULL: no TOCs.
	 */
	bool (*branch_keeps_toc)(const uint8_t *sec, size_t size, uint64_t off);
	/* Is @name a function every module's final link provides (ppc64's _savegpr0_N)? */
	bool (*is_link_provided)(const char *name);
	/*
	 * A RUNTIME_VALUE constant's instruction in @code (a function's copy,
	 * @size bytes), whose immediate starts at @imm: made a load of the
	 * variable, PC-relative (reloc_pc32), of the same length. Returns the
	 * offset of the field to relocate (with *@addend), or 0 if it is not an
	 * instruction the arch knows. NULL: none.
	 */
	uint64_t (*runtime_load)(uint8_t *code, uint64_t size, uint64_t imm, int64_t *addend);
	/*
	 * A linked kernel, for the check against the code that runs (verify.c).
	 * @local_entry: how far into a function whose code starts at @code a
	 * direct call from code on the same TOC lands (ppc64 ELFv2: past the
	 * global entry's TOC setup). @toc_edit: is the shipped instruction at
	 * @shipped the linker's edit of the built one at @built, each holding a
	 * field of a TOC-relative relocation (ld's TOC optimisation: an addis of
	 * a high part of 0 made a nop and the low part's base r2, the load of an
	 * address-table entry near the TOC made an add of the address itself)?
	 * Then it returns the bytes from the field the edit spans, *@howto (the
	 * relocation's on entry) says how the shipped field holds its value
	 * (RELOC_NONE: it does not), and
	 * *@loaded whether that value is the address the entry held rather than
	 * the relocation's; 0 if not an edit. NULL: no local entries, no edits.
	 */
	unsigned (*local_entry)(const uint8_t *code, size_t avail);
	unsigned (*toc_edit)(const uint8_t *built, const uint8_t *shipped,
			     struct reloc_howto *howto, bool *loaded);
	/*
	 * Fields that do not hold the value's bits in place (arm64: immediates
	 * scaled by the access size, ADRP's page number in two pieces), for
	 * verify: the field bits (within the howto's mask) the linker writes
	 * for relocation @type and value @v (S + A, or S + A - P) at place @p;
	 * and back, the value a field holds, *@part 0 if whole, 12 if only the
	 * page number (Page(S + A) - Page(P)), -12 if only the low 12 bits of
	 * S + A. False: not known for @type. NULL: (v >> value_shift) in place.
	 */
	bool (*field_encode)(uint32_t type, uint64_t v, uint64_t p, uint64_t *field);
	bool (*field_decode)(uint32_t type, uint64_t field, uint64_t p, uint64_t *v, int *part);
	/*
	 * Jump labels: the size of the jump-label site at @code (a jump or a
	 * NOP the kernel rewrites), 0 if it is neither; and writing a jump by
	 * @disp (from the site's end) or a NOP of @size bytes there. False if
	 * @disp does not fit in @size bytes.
	 */
	unsigned (*branch_site_size)(const uint8_t *code, size_t avail, bool *is_jump);
	bool (*write_branch_site)(uint8_t *code, unsigned size, bool jump, int64_t disp);
	struct arch_kernel kernel;
	struct arch_kbuild kbuild;
};

/* The architecture of objects of this machine and byte order (EI_DATA), or NULL. */
const struct arch *arch_for_machine(unsigned elf_machine, unsigned char elf_data);
/*
 * The architecture of a kernel configuration, or NULL: @enabled says whether
 * an option is y in @config (kernel/kconfig.h's, which this layer cannot
 * know). An architecture whose kconfig is set but not its kconfig_also goes
 * to @partial (if not NULL).
 */
const struct arch *arch_for_kconfig(bool (*enabled)(const void *config, const char *option),
				    const void *config, const struct arch **partial);
/* The architecture of the machine klpdiff runs on (uname -m), or NULL. */
const struct arch *arch_host(void);
/* For messages: every architecture klpdiff reads, or only those it patches kernels of. */
const char *arch_names(bool kernels);
void arch_cleanup(void);
/* For the arch files: disassemble one instruction with capstone handle @h (a csh). */
size_t arch_disasm_one(size_t h, const uint8_t *code, size_t size, uint64_t addr, char *buf,
		       size_t bufsize);

extern const struct arch arch_x86_64;
extern const struct arch arch_s390x;
extern const struct arch arch_ppc64le;
extern const struct arch arch_arm64;

#endif
