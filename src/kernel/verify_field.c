// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a relocated field of the shipped vmlinux holds (see verify_vmlinux.c):
 * a whole value, plain or PC-relative; a TOC-relative offset in two halves
 * (ppc64's addis @ha and addi @l), read from both shipped instructions; or an
 * address in pieces the arch decodes (arm64's adrp page and the add or load
 * with its low 12 bits). The other half or piece is the relocation of the
 * same target nearby in the function, read where it is on the shipped side.
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "kernel/verify_internal.h"

/* What the linker writes into a field of @h for the value @v. */
uint64_t field_value(struct reloc_howto h, uint64_t v)
{
	if (h.value_rounded)
		v += 0x8000;
	return (v >> h.value_shift) & field_mask(h);
}

uint64_t read_field(const struct elf_object *obj, struct reloc_howto h, const uint8_t *field)
{
	return elf_read_uint(obj, field, h.width) & field_mask(h);
}

/* The TOC base that TOC-relative fields count from (ppc64's .TOC.). */
bool toc_base(const struct verify_ctx *c, uint64_t *toc)
{
	const char *name = c->obj->arch->toc_symbol;
	const struct ksym *k = name ? strmap_get(&c->ks.by_name, name) : NULL;

	if (!k || k->next)
		return false;
	*toc = k->addr - c->slide;
	return true;
}

/*
 * The other half of a TOC-relative offset split over two instructions
 * (ppc64's addis @ha, addi @l): a relocation of the same target nearby in
 * the function, with the other part of the value.
 */
static const struct elf_reloc *other_half(const struct verify_ctx *c, const struct elf_reloc *r,
					  struct reloc_howto h)
{
	const struct elf_section *sec = c->fn->sec;
	const struct elf_reloc *first = sec->relocs, *end = sec->relocs + sec->nr_relocs;

	for (const struct elf_reloc *q = r - 32 > first ? r - 32 : first; q < end && q < r + 32; q++) {
		struct reloc_howto qh = elf_reloc_howto(c->obj, q);

		if (q->info == r->info || !qh.toc_relative || q->addend != r->addend ||
		    ELF64_R_SYM(q->info) != ELF64_R_SYM(r->info) ||
		    q->offset < c->fn->value || q->offset - c->fn->value >= c->fn->size ||
		    !qh.value_shift == !h.value_shift)
			continue;
		return q;
	}
	return NULL;
}

/* A TOC-relative address both halves of which the shipped code holds. */
static bool shipped_toc_target(const struct verify_ctx *c, const struct elf_reloc *r,
			       struct reloc_howto h, const uint8_t *field, uint64_t *addr)
{
	const struct elf_reloc *q = c->fn ? other_half(c, r, h) : NULL;
	const struct elf_reloc *hi = h.value_shift ? r : q, *lo = h.value_shift ? q : r;
	struct reloc_howto hh, lh;
	uint64_t toc, qpos, hi_field;
	int64_t low;

	if (!q || !toc_base(c, &toc))
		return false;
	/* Where the other half is on the shipped side: as far from this one as built. */
	qpos = (uint64_t)(field - c->sf->code) + (q->offset - r->offset);
	hh = elf_reloc_howto(c->obj, hi);
	lh = elf_reloc_howto(c->obj, lo);
	if (qpos > c->sf->size || c->sf->size - qpos < 2 || hh.value_shift != 16 || lh.value_shift)
		return false;
	low = (int16_t)read_field(c->obj, lh, q == lo ? c->sf->code + qpos : field);
	hi_field = read_field(c->obj, hh, q == hi ? c->sf->code + qpos : field);
	/* The offset from the TOC is signed, 32 bits. */
	*addr = toc + (uint64_t)((int64_t)(int16_t)hi_field * 65536) +
		(uint64_t)(hh.value_rounded ? low : (int64_t)(uint16_t)low);
	return true;
}

/*
 * An address in two pieces, the page number (@part 12) and the low 12 bits
 * (arm64's adrp and add or load): the relocation of the other piece of the
 * same target nearby in the function, read where it is on the shipped side.
 */
static bool shipped_pieces(const struct verify_ctx *c, const struct elf_reloc *r, uint64_t v,
			   int part, const uint8_t *field, uint64_t p, uint64_t *addr)
{
	const struct elf_section *sec = c->fn ? c->fn->sec : NULL;
	uint64_t qv, qpos, qp;
	int qpart;

	for (size_t i = 0; sec && i < sec->nr_relocs; i++) {
		const struct elf_reloc *q = &sec->relocs[i];
		struct reloc_howto qh = elf_reloc_howto(c->obj, q);

		qpos = (uint64_t)(field - c->sf->code) + (q->offset - r->offset);
		qp = p + (q->offset - r->offset);
		if (ELF64_R_SYM(q->info) != ELF64_R_SYM(r->info) || q->addend != r->addend ||
		    q->offset < c->fn->value || q->offset - c->fn->value >= c->fn->size ||
		    qpos > c->sf->size || c->sf->size - qpos < qh.width ||
		    !c->obj->arch->field_decode(elf_reloc_type(q),
						read_field(c->obj, qh, c->sf->code + qpos), qp,
						&qv, &qpart) || qpart != -part)
			continue;
		/* The page of adrp's place, plus its page offset, plus the low bits. */
		*addr = part == 12 ? (p & ~0xfffull) + v + qv : (qp & ~0xfffull) + qv + v;
		return true;
	}
	return false;
}

/* The value a field holds by the arch's decoding, or its address when in pieces. */
static bool decoded_target(const struct verify_ctx *c, const struct elf_reloc *r,
			   struct reloc_howto h, const uint8_t *field, uint64_t p,
			   uint64_t *sym_addr)
{
	uint64_t v, addr;
	int part;

	if (!c->obj->arch->field_decode(elf_reloc_type(r), read_field(c->obj, h, field), p, &v,
					&part))
		return false;
	if (part) {
		if (!shipped_pieces(c, r, v, part, field, p, &addr))
			return false;
		*sym_addr = addr - (uint64_t)r->addend;
		return true;
	}
	*sym_addr = (h.kind == RELOC_PCREL ? v + p : v) - (uint64_t)r->addend;
	return true;
}

/*
 * The shipped address of the symbol a relocated field refers to (S = value
 * - A [+ P]): from the field, or a TOC offset's two halves.
 */
bool shipped_target(const struct verify_ctx *c, const struct elf_reloc *r, struct reloc_howto h,
		    const uint8_t *field, uint64_t p, uint64_t *sym_addr)
{
	unsigned top = h.bits ? h.shift + h.bits : 8 * h.width;
	uint64_t v;

	if (c->obj->arch->field_decode)
		return decoded_target(c, r, h, field, p, sym_addr);
	if (h.toc_relative && h.width == 2 && shipped_toc_target(c, r, h, field, &v)) {
		*sym_addr = v - (uint64_t)r->addend;
		return true;
	}
	if ((h.kind != RELOC_ABS && h.kind != RELOC_PCREL) || (h.width != 4 && h.width != 8) ||
	    h.value_shift || h.toc_relative)
		return false;
	v = read_field(c->obj, h, field);
	if (top < 64)	/* R_X86_64_32S, PC32, ppc64's branches: sign-extended */
		v = (uint64_t)((int64_t)(v << (64 - top)) >> (64 - top));
	*sym_addr = (h.kind == RELOC_PCREL ? v + p : v) - (uint64_t)r->addend;
	return true;
}
