// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Build-time run-pre check: the original objects klpdiff compiled must be
 * the code the target kernel runs, or a patch built on them replaces
 * functions with code compiled from the wrong source, config or compiler.
 * verify_vmlinux.c finds each function in the shipped vmlinux and checks
 * its relocation sites by address, verify_module.c in the shipped module
 * by identity; this file compares the functions, verify_report.c words
 * the refusal.
 *
 * Functions are compared byte by byte first; after a difference, again
 * instruction by instruction (see same_instructions()), so that a jump the
 * assembler shortened in the shipped build is no difference; and then
 * without NOPs (drop_padding()): function sections place a function
 * elsewhere from an alignment boundary than the shipped link, and loops
 * aligned in it get other padding. A jump label pairs with the shipped
 * site as a jump or a NOP of either size (same_jump_label()).
 */
#include "kernel/verify.h"

#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "kernel/verify_internal.h"

void note_skipped(struct verify_ctx *c, const struct elf_symbol *fn, const char *why)
{
	c->st->skipped++;
	if (verbose)
		fprintf(stderr, "%s: %s: skipped: %s\n", c->o->display, fn->name, why);
}

static bool grow_mask(struct verify_ctx *c, uint64_t size)
{
	if (size > c->mask_alloc) {
		free(c->mask);
		c->mask_alloc = size;
		c->mask = xmalloc(size);
	}
	memset(c->mask, 0, size);
	return true;
}

/* Under -v, say which sites could not be checked. */
void note_masked(struct verify_ctx *c, const struct elf_object *obj,
		 const struct elf_symbol *fn, const struct elf_reloc *r)
{
	char *name;

	c->st->masked++;
	if (!verbose)
		return;
	name = target_name(obj, r);
	fprintf(stderr, "%s: %s+0x%llx: masked: %s\n", c->o->display, fn->name,
		(unsigned long long)(r->offset - fn->value), name);
	free(name);
}

/* The relocation of @sec at exactly @offset, or NULL. */
const struct elf_reloc *reloc_at(const struct elf_section *sec, uint64_t offset)
{
	size_t i = elf_first_reloc(sec, offset);

	return i < sec->nr_relocs && sec->relocs[i].offset == offset ? &sec->relocs[i] : NULL;
}

/* Does the original compare this symbol? Functions with code, .cold pieces included. */
bool compared_function(const struct elf_object *obj, const struct elf_symbol *s)
{
	return sym_is_func(s) && s->sec && s->sec->is_code && s->sec->data && s->size &&
	       *s->name && s->value <= s->sec->sh->sh_size &&
	       s->sec->sh->sh_size - s->value >= s->size && !obj->arch->kernel.is_prefix_symbol(s->name);
}

/* The bits of its field a relocation of @h writes, as the field reads in the object's order. */
uint64_t field_mask(struct reloc_howto h)
{
	if (h.bits)
		return ((1ull << h.bits) - 1) << h.shift;
	return h.width >= 8 ? ~0ull : (1ull << (8 * h.width)) - 1;
}

/* The string @r of @obj points at, with the bytes its section has from there (*@max); or NULL. */
const char *reloc_string(const struct elf_object *obj, const struct elf_reloc *r, size_t *max)
{
	const struct elf_symbol *t = elf_reloc_sym(obj, r);
	struct reloc_howto h = elf_reloc_howto(obj, r);
	uint64_t at = t->value + (uint64_t)r->addend +
		      (uint64_t)(h.kind == RELOC_PCREL ? obj->arch->pcrel_field_bias : 0);

	if (!t->sec || !(t->sec->sh->sh_flags & SHF_STRINGS) || !t->sec->data ||
	    at >= t->sec->sh->sh_size)
		return NULL;
	*max = t->sec->sh->sh_size - at;
	return (const char *)t->sec->data + at;
}

void name_offset(char *buf, size_t size, const char *name, int64_t off)
{
	if (!off)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%s%c0x%llx", name, off < 0 ? '-' : '+',
			 (unsigned long long)(off < 0 ? -off : off));
}

bool place_identity(const struct elf_section *sec, int64_t off, char *buf, size_t size)
{
	const struct elf_symbol *s;

	if (!sec || off < 0 || (uint64_t)off > sec->sh->sh_size)
		return false;
	if ((sec->sh->sh_flags & SHF_STRINGS) && sec->data && (uint64_t)off < sec->sh->sh_size) {
		const char *str = (const char *)sec->data + off;

		snprintf(buf, size, "\"%.*s\"", (int)strnlen(str, sec->sh->sh_size - (uint64_t)off),
			 str);
		return true;
	}
	s = elf_symbol_containing(sec, (uint64_t)off);
	if (!s || !sym_has_name(s) || starts_with(s->name, ".L"))
		return false;
	name_offset(buf, size, s->name, (int64_t)((uint64_t)off - s->value));
	return true;
}

/* A site of @fn: @mask (@room bytes from the field) gets what else its check covers. */
static int check_site(struct verify_ctx *c, const struct elf_symbol *fn,
		      const struct shipped_fn *sf, const struct elf_reloc *r, uint64_t spos,
		      uint8_t *mask, uint64_t room)
{
	int same = sf->ko ? module_site(c, sf, r, spos) :
			    vmlinux_site(c, sf, fn->sec, r, spos, mask, room);

	if (same < 0)
		note_masked(c, c->obj, fn, r);
	else
		c->st->checked++;
	return same;
}

/* Mark the relocation fields of @fn (of @obj) in @mask, from the function's start. */
static void mask_relocs(uint8_t *mask, const struct elf_object *obj, const struct elf_symbol *fn)
{
	const struct elf_section *sec = fn->sec;

	for (size_t i = elf_first_reloc(sec, fn->value); i < sec->nr_relocs; i++) {
		const struct elf_reloc *r = &sec->relocs[i];
		struct reloc_howto h = elf_reloc_howto(obj, r);
		uint64_t off = r->offset - fn->value;

		if (r->offset >= fn->value + fn->size)
			break;
		if (h.width && off + h.width <= fn->size)
			memset(mask + off, 1, h.width);
	}
}

/*
 * The fast comparison: the same layout on both sides, bytes equal outside
 * the relocation sites (of both sides), each site checked. False at the
 * first difference, in @m.
 */
static bool same_layout(struct verify_ctx *c, const struct elf_symbol *fn,
			const struct shipped_fn *sf, struct mismatch *m)
{
	const struct elf_section *sec = fn->sec;
	const uint8_t *built = sec->data + fn->value;
	uint64_t first = UINT64_MAX;

	*m = (struct mismatch){ 0 };
	if (sf->size < fn->size || (sf->kfn && sf->kfn->size != fn->size)) {
		m->off = 0;
		return false;
	}
	grow_mask(c, 2 * fn->size);
	mask_relocs(c->mask, c->obj, fn);
	if (sf->ko)
		mask_relocs(c->mask + fn->size, sf->ko, sf->kfn);
	for (size_t i = elf_first_reloc(sec, fn->value); i < sec->nr_relocs; i++) {
		const struct elf_reloc *r = &sec->relocs[i];
		struct reloc_howto h = elf_reloc_howto(c->obj, r);
		uint64_t off = r->offset - fn->value;

		if (r->offset >= fn->value + fn->size)
			break;
		if (!h.width || off + h.width > fn->size)
			continue;
		if (!check_site(c, fn, sf, r, off, c->mask + off, fn->size - off)) {
			first = off;
			m->reloc = r;
			break;
		}
	}
	for (uint64_t k = 0; k < fn->size && k < first; k++) {
		if (!c->mask[k] && !c->mask[fn->size + k] && built[k] != sf->code[k]) {
			first = k;
			m->reloc = NULL;
			break;
		}
	}
	m->off = first;
	return first == UINT64_MAX;
}

/* One decoded instruction, for the comparison instruction by instruction. */
struct insn {
	uint64_t off, len;
	uint64_t field;		/* branch: its displacement, from the function's start */
	uint64_t target;	/* branch: where it goes, in the terms of the decoding's base */
	bool branch;
	bool nop;		/* a NOP: padding, if a run of them ends on an alignment */
	char mnemonic[16];
};

struct decoded {
	struct insn *v;
	size_t nr, alloc;
	uint64_t base;
};

static int cmp_insn_off(const void *key, const void *elem)
{
	uint64_t off = *(const uint64_t *)key;
	const struct insn *i = elem;

	return off < i->off ? -1 : off >= i->off + i->len ? 1 : 0;
}

static struct insn *insn_at(const struct decoded *d, uint64_t off)
{
	return d->nr ? bsearch(&off, d->v, d->nr, sizeof(*d->v), cmp_insn_off) : NULL;
}

static void note_branch(const struct insn_ref *ref, void *ctx)
{
	struct decoded *d = ctx;
	struct insn *i;

	if (!ref->branch || !(i = insn_at(d, ref->field - d->base)))
		return;
	i->branch = true;
	i->field = ref->field - d->base;
	i->target = ref->target;
}

/* Whether the disassembly @text is a NOP ("nop", "data16 nop word ptr cs:[...]"). */
static bool nop_text(const char *text)
{
	static const char *const prefixes[] = { "data16 ", "cs ", "ds " };

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (starts_with(text, prefixes[i]))
			return nop_text(text + strlen(prefixes[i]));
	return (starts_with(text, "nop") && (!text[3] || text[3] == ' ')) ||
	       streq(text, "xchg ax, ax");
}

/* Up to @max instructions of @code, branches with their targets. */
static void decode(const struct arch *arch, const uint8_t *code, uint64_t size, uint64_t base,
		   size_t max, struct decoded *d)
{
	uint64_t pos = 0;
	char text[160];

	d->nr = 0;
	d->base = base;
	while (pos < size && d->nr < max) {
		size_t len = arch->disasm(code + pos, size - pos, base + pos, text, sizeof(text));

		GROW(d->v, d->nr, d->alloc, d->nr + 1);
		d->v[d->nr] = (struct insn){ .off = pos, .len = len ? len : 1,
					     .nop = len && nop_text(text) };
		snprintf(d->v[d->nr].mnemonic, sizeof(d->v[d->nr].mnemonic), "%.*s",
			 len ? (int)strcspn(text, " ") : 0, text);
		pos += d->v[d->nr++].len;
	}
	arch->scan_refs(code, pos, base, note_branch, d);
}

/*
 * Where a branch to @off lands in @d, by index: the first instruction left
 * at or after it (alignment padding dropped from @d lands on what follows
 * it; d->nr: the end). -1 inside an instruction that is there.
 */
static bool insn_before(const void *elem, const void *key)
{
	return ((const struct insn *)elem)->off < *(const uint64_t *)key;
}

static ptrdiff_t landing_index(const struct decoded *d, uint64_t off)
{
	size_t lo = partition_point(d->v, d->nr, sizeof(*d->v), &off, insn_before);

	if (lo && off < d->v[lo - 1].off + d->v[lo - 1].len)
		return -1;
	return (ptrdiff_t)lo;
}

/*
 * Whether a branch to @target of the original (@o) lands, in the shipped
 * code (@s), at @shipped: on the paired instruction (instructions pair by
 * index), NOPs of padding aside.
 */
static bool paired_landing(const struct decoded *o, const struct decoded *s, uint64_t target,
			   uint64_t shipped)
{
	ptrdiff_t ko = landing_index(o, target);

	return ko >= 0 && shipped >= s->base && landing_index(s, shipped - s->base) == ko;
}

/*
 * A branch of the original the assembler resolved out of the function,
 * into another of its section (function sections still share .init.text
 * and the like): it must land in the same symbol on the shipped side. If
 * that cannot be known, as in the fast comparison: as far from the start.
 */
static bool same_landing(struct verify_ctx *c, const struct elf_symbol *fn,
			 const struct shipped_fn *sf, uint64_t target, uint64_t shipped)
{
	int same = sf->ko ? module_lands(sf, fn->sec, fn->value + target, shipped) :
			    vmlinux_lands(c, fn->sec, fn->value + target, shipped);

	return same < 0 ? shipped - sf->base == target : same;
}

static bool same_branch(struct verify_ctx *c, const struct elf_symbol *fn,
			const struct shipped_fn *sf, const struct decoded *o,
			const struct decoded *s, size_t k, const struct elf_reloc **bad)
{
	const struct insn *oi = &o->v[k], *si = &s->v[k];
	const struct elf_reloc *r = reloc_at(fn->sec, fn->value + oi->field);
	int same;

	if (!r && oi->target <= fn->size)
		return paired_landing(o, s, oi->target, si->target);
	if (!r)
		return same_landing(c, fn, sf, oi->target, si->target);
	same = sf->ko ? module_branch(c, sf, r, si->target) :
			vmlinux_branch(c, fn->sec, r, si->target);
	if (same < 0)
		note_masked(c, c->obj, fn, r);
	else
		c->st->checked++;
	*bad = r;
	return same != 0;
}

static bool same_insn(struct verify_ctx *c, const struct elf_symbol *fn,
		      const struct shipped_fn *sf, const struct insn *oi, const struct insn *si,
		      const struct elf_reloc **bad)
{
	const struct elf_section *sec = fn->sec;
	const uint8_t *built = sec->data + fn->value;
	uint8_t omask[16] = { 0 }, smask[16] = { 0 };

	if (oi->len != si->len || oi->len > sizeof(omask))
		return false;
	for (size_t i = elf_first_reloc(sec, fn->value + oi->off); i < sec->nr_relocs; i++) {
		const struct elf_reloc *r = &sec->relocs[i];
		struct reloc_howto h = elf_reloc_howto(c->obj, r);
		uint64_t at = r->offset - fn->value - oi->off;

		if (at >= oi->len)
			break;
		if (!h.width || at + h.width > oi->len)
			continue;
		memset(omask + at, 1, h.width);
		if (!check_site(c, fn, sf, r, si->off + at, omask + at, oi->len - at)) {
			*bad = r;
			return false;
		}
	}
	if (sf->ko) {
		const struct elf_section *ksec = sf->kfn->sec;
		uint64_t start = sf->kfn->value + si->off;

		for (size_t i = elf_first_reloc(ksec, start); i < ksec->nr_relocs; i++) {
			const struct elf_reloc *r = &ksec->relocs[i];
			struct reloc_howto h = elf_reloc_howto(sf->ko, r);

			if (r->offset >= start + si->len)
				break;
			if (h.width && r->offset - start + h.width <= si->len)
				memset(smask + (r->offset - start), 1, h.width);
		}
	}
	for (uint64_t b = 0; b < oi->len; b++)
		if (!omask[b] && !smask[b] && built[oi->off + b] != sf->code[si->off + b])
			return false;
	return true;
}

/* Where the built object's jump labels are (their code fields), sorted. */
static void index_jump_sites(struct verify_ctx *c)
{
	const struct elf_section *sec;
	size_t alloc = 0;

	for_each_section(c->obj, sec) {
		const struct special_layout *l = sec->special;

		if (!l || l->key_kind != KEY_JUMP_LABEL || !sec->data)
			continue;
		for (size_t i = 0; i < sec->nr_relocs; i++) {
			const struct elf_reloc *r = &sec->relocs[i];
			const struct elf_symbol *rs = elf_reloc_sym(c->obj, r);

			if (r->offset % l->entry_size != (uint64_t)l->code_field || !rs->sec)
				continue;
			GROW(c->jump_sites, c->nr_jump_sites, alloc, c->nr_jump_sites + 1);
			c->jump_sites[c->nr_jump_sites++] =
				(uint64_t)rs->sec->index << 40 | (rs->value + (uint64_t)r->addend);
		}
	}
	sort(c->jump_sites, c->nr_jump_sites, sizeof(*c->jump_sites), cmp_u64);
}

/* Whether @oi of the original's @fn is a jump label's site. */
static bool jump_site(const struct verify_ctx *c, const struct elf_symbol *fn,
		      const struct insn *oi)
{
	uint64_t key = (uint64_t)fn->sec->index << 40 | (fn->value + oi->off);

	return c->nr_jump_sites &&
	       bsearch(&key, c->jump_sites, c->nr_jump_sites, sizeof(key), cmp_u64);
}

/*
 * A jump label, built and shipped as a jump or a NOP: the kernel rewrites
 * it at run time, and the objtool pass that NOPs jumps has run on the
 * shipped code only (6.12 runs it on vmlinux.o). Of either size the arch
 * has (x86: 2 or 5 bytes): the assembler sizes the jump by the distance to
 * its label, which the alignment padding between changes (Debian 6.12's
 * set_next_entity: built jmp rel32 over a loop padded 56 bytes, shipped a
 * 2-byte NOP, its loop padded 11), and the kernel patches the size it finds.
 */
static bool same_jump_label(struct verify_ctx *c, const struct elf_symbol *fn,
			    const uint8_t *scode, const struct insn *oi, const struct insn *si)
{
	const struct arch *arch = c->obj->arch;
	bool jump;

	if (!jump_site(c, fn, oi))
		return false;
	return arch->branch_site_size(fn->sec->data + fn->value + oi->off, oi->len, &jump) ==
		       oi->len &&
	       arch->branch_site_size(scode + si->off, si->len, &jump) == si->len;
}

/*
 * Leave out the NOPs of both sides (alignment padding), but for a jump-label
 * site of the original @fn, which pairs with the shipped instruction there
 * (objtool may have made either a NOP): the instructions left pair up in
 * order. False if the shipped side has more than NOPs after the last pair.
 */
static bool drop_padding(struct verify_ctx *c, const struct elf_symbol *fn, struct decoded *o,
			 struct decoded *s)
{
	size_t i = 0, j = 0, ko = 0, ks = 0;
	bool rest;

	while (i < o->nr) {
		bool site = jump_site(c, fn, &o->v[i]);

		if (o->v[i].nop && !site) {
			i++;
			continue;
		}
		while (j < s->nr && s->v[j].nop && !site)
			j++;
		if (j >= s->nr)
			break;
		o->v[ko++] = o->v[i++];
		s->v[ks++] = s->v[j++];
	}
	/* What the shipped side has not got stays, to differ. */
	for (; i < o->nr; i++)
		if (!o->v[i].nop || jump_site(c, fn, &o->v[i]))
			o->v[ko++] = o->v[i];
	o->nr = ko;
	while (j < s->nr && s->v[j].nop)
		j++;
	rest = j < s->nr;
	s->nr = ks;
	return !rest;
}

/*
 * Whether a reference from elsewhere to @off of the original's @fn (a .cold
 * part's jump back into its parent, the parent's into it) lands at
 * @shipped_off of the shipped function at @code (@avail bytes readable, at
 * @base), under the rules of a branch inside a function: the instructions
 * that are not padding pair by index, alike as far as the place (jump-label
 * sites with what objtool made of them), and padding lands on what follows.
 */
bool padded_landing(struct verify_ctx *c, const struct elf_symbol *fn, uint64_t off,
		    const uint8_t *code, uint64_t avail, uint64_t base, uint64_t shipped_off)
{
	const struct arch *arch = c->obj->arch;
	struct decoded o = { 0 }, s = { 0 };
	ptrdiff_t ko;
	bool same;

	decode(arch, fn->sec->data + fn->value, fn->size, 0, SIZE_MAX, &o);
	decode(arch, code, avail < 2 * fn->size + 64 ? avail : 2 * fn->size + 64, base, SIZE_MAX,
	       &s);
	drop_padding(c, fn, &o, &s);
	ko = landing_index(&o, off);
	same = ko >= 0 && (size_t)ko < o.nr && (size_t)ko < s.nr;
	for (ptrdiff_t k = 0; same && k <= ko; k++)
		same = streq(o.v[k].mnemonic, s.v[k].mnemonic) ||
		       same_jump_label(c, fn, code, &o.v[k], &s.v[k]);
	same = same && paired_landing(&o, &s, off, base + shipped_off);
	free(o.v);
	free(s.v);
	return same;
}

/*
 * The slow comparison, after a difference in the fast one: instruction by
 * instruction. Without function sections the assembler shortens a jump to
 * a nearby function of the same file (jmp rel32 becomes jmp rel8), so the
 * shipped function may be shorter with the same instructions; branches then
 * compare by mnemonic and target, everything else as in the fast one.
 */
static bool same_instructions(struct verify_ctx *c, const struct elf_symbol *fn,
			      const struct shipped_fn *sf, bool padding, struct mismatch *m)
{
	const struct arch *arch = c->obj->arch;
	struct decoded o = { 0 }, s = { 0 };
	uint64_t ssize = sf->kfn ? sf->kfn->size : sf->size;
	bool same = true;

	*m = (struct mismatch){ 0, 0, NULL };
	decode(arch, fn->sec->data + fn->value, fn->size, 0, SIZE_MAX, &o);
	if (!padding) {
		decode(arch, sf->code, ssize, sf->base, o.nr, &s);
	} else {
		/* vmlinux has no sizes: enough for the original's with other padding. */
		if (!sf->kfn && ssize > 2 * fn->size + 64)
			ssize = 2 * fn->size + 64;
		decode(arch, sf->code, ssize, sf->base, SIZE_MAX, &s);
		bool end = drop_padding(c, fn, &o, &s);

		if (!sf->kfn && s.nr > o.nr)
			s.nr = o.nr;
		same = !sf->kfn || (end && s.nr == o.nr);
	}
	for (size_t k = 0; k < o.nr && same; k++) {
		const struct insn *oi = &o.v[k];

		*m = (struct mismatch){ oi->off, 0, NULL };
		if (k >= s.nr || (!sf->kfn && s.v[k].off + s.v[k].len > sf->size)) {
			if (k)
				m->delta = (int64_t)(s.v[k - 1].off + s.v[k - 1].len) -
					   (int64_t)oi->off;
			same = false;
			break;
		}
		m->delta = (int64_t)s.v[k].off - (int64_t)oi->off;
		/*
		 * Branches inside the function compare by where they land (the
		 * distance changes with shortened jumps between), resolved ones
		 * out of it by the symbol they land in, relocated ones field by
		 * field unless the assembler shortened them.
		 */
		if (same_jump_label(c, fn, sf->code, oi, &s.v[k])) {
			/* A jump on both sides goes where the other does. */
			if (oi->branch && s.v[k].branch)
				same = same_branch(c, fn, sf, &o, &s, k, &m->reloc);
			continue;
		}
		if (oi->branch && s.v[k].branch && streq(oi->mnemonic, s.v[k].mnemonic) &&
		    (oi->len != s.v[k].len || !reloc_at(fn->sec, fn->value + oi->field)))
			same = same_branch(c, fn, sf, &o, &s, k, &m->reloc);
		else
			same = same_insn(c, fn, sf, oi, &s.v[k], &m->reloc);
	}
	/* The module's function must end there too (vmlinux has no sizes). */
	if (same && sf->kfn && !padding && s.nr &&
	    s.v[s.nr - 1].off + s.v[s.nr - 1].len != sf->kfn->size) {
		*m = (struct mismatch){ fn->size, 0, NULL };
		same = false;
	}
	if (same && verbose)
		fprintf(stderr, "%s: %s: same instructions, shipped with %s\n", c->o->display,
			fn->name, padding ? "other alignment padding" : "shorter branches");
	free(o.v);
	free(s.v);
	return same;
}

/* Both comparisons; the counts are the slow one's when it runs. */
bool same_function(struct verify_ctx *c, const struct elf_symbol *fn,
		   const struct shipped_fn *sf, struct mismatch *m)
{
	struct verify_stats saved = *c->st;

	struct mismatch other;

	if (same_layout(c, fn, sf, m))
		return true;
	*c->st = saved;
	if (same_instructions(c, fn, sf, false, m))
		return true;
	/*
	 * Function sections place a function elsewhere from an alignment
	 * boundary than the shipped link did (6.12's 16-byte prefix before
	 * 32-byte aligned entries): loops aligned inside it get other NOPs.
	 * Of the two differences, the one further in is reported: past the
	 * padding, when that is where the first comparison stopped.
	 */
	saved = *c->st;
	if (same_instructions(c, fn, sf, true, &other))
		return true;
	*c->st = saved;
	if (other.off > m->off)
		*m = other;
	return false;
}

int verify_original(const struct verify_opts *o, struct verify_stats *st)
{
	struct verify_opts opts = *o;
	struct verify_ctx c = { .o = &opts, .st = st };
	int ret;

	memset(st, 0, sizeof(*st));
	if (!opts.display)
		opts.display = opts.orig;
	c.obj = elf_open(opts.orig, opts.target);
	if (!c.obj)
		return -1;
	index_jump_sites(&c);
	if (streq(opts.objname, "vmlinux"))
		ret = verify_vmlinux(&c);
	else
		ret = verify_module(&c);
	elf_close(c.obj);
	image_close(&c.im);
	kernel_symbols_free(&c.ks);
	free(c.sym_state);
	free(c.sym_addr);
	free(c.sec_state);
	free(c.sec_addr);
	free(c.mask);
	free(c.by_addr);
	free(c.extras);
	free(c.extra_text);
	free(c.jump_sites);
	strmap_free(&c.extra);
	return ret;
}
