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
 * assembler shortened in the shipped build is no difference.
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
	char mnemonic[16];
};

struct decoded {
	struct insn *v;
	size_t nr, alloc;
	uint64_t base;
	size_t *pair;		/* the original's: index of the shipped instruction it pairs with */
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
		d->v[d->nr] = (struct insn){ .off = pos, .len = len ? len : 1 };
		snprintf(d->v[d->nr].mnemonic, sizeof(d->v[d->nr].mnemonic), "%.*s",
			 len ? (int)strcspn(text, " ") : 0, text);
		pos += d->v[d->nr++].len;
	}
	arch->scan_refs(code, pos, base, note_branch, d);
}

/* Whether the original's instruction @i is a jump label's site. */
static bool is_jump_site(struct verify_ctx *c, const struct elf_symbol *fn, const struct insn *i)
{
	uint64_t key = (uint64_t)fn->sec->index << 40 | (fn->value + i->off);

	return c->nr_jump_sites &&
	       bsearch(&key, c->jump_sites, c->nr_jump_sites, sizeof(key), cmp_u64);
}

/* The first instruction from @k on that is no alignment NOP (nor, built, a jump label's). */
static size_t past_padding(struct verify_ctx *c, const struct elf_symbol *fn,
			   const struct decoded *d, size_t k, bool built)
{
	while (k < d->nr && streq(d->v[k].mnemonic, "nop") &&
	       !(built && is_jump_site(c, fn, &d->v[k])))
		k++;
	return k;
}

/* The index of the instruction at @off of @d, its end for nr; -1 if none starts there. */
static ptrdiff_t index_at(const struct decoded *d, uint64_t off)
{
	const struct insn *i = insn_at(d, off);

	if (d->nr && off == d->v[d->nr - 1].off + d->v[d->nr - 1].len)
		return (ptrdiff_t)d->nr;
	return i && i->off == off ? i - d->v : -1;
}

/*
 * A branch of the original inside the function, @target, and the shipped
 * one's, @shipped: the same if they land on paired instructions, NOPs
 * executed before it on either side left out.
 */
static bool same_local_target(struct verify_ctx *c, const struct elf_symbol *fn,
			      const struct decoded *o, const struct decoded *s, uint64_t target,
			      uint64_t shipped)
{
	ptrdiff_t ko = index_at(o, target), ks = index_at(s, shipped - s->base);

	if (ko < 0 || ks < 0)
		return false;
	ko = (ptrdiff_t)past_padding(c, fn, o, (size_t)ko, true);
	return past_padding(c, fn, s, (size_t)ks, false) ==
	       past_padding(c, fn, s, o->pair[ko], false);
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
	const struct insn *oi = &o->v[k], *si = &s->v[o->pair[k]];
	const struct elf_reloc *r = reloc_at(fn->sec, fn->value + oi->field);
	int same;

	if (!r && oi->target <= fn->size)
		return same_local_target(c, fn, o, s, oi->target, si->target);
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

/*
 * A jump label, built and shipped as a jump or a NOP of one size: the kernel
 * rewrites it at run time, and the objtool pass that NOPs jumps has run on
 * the shipped code only (6.12 runs it on vmlinux.o).
 */
static bool same_jump_label(struct verify_ctx *c, const struct elf_symbol *fn,
			    const struct shipped_fn *sf, const struct insn *oi,
			    const struct insn *si)
{
	const struct arch *arch = c->obj->arch;
	bool jump;

	if (oi->len != si->len || !is_jump_site(c, fn, oi))
		return false;
	return arch->branch_site_size(fn->sec->data + fn->value + oi->off, oi->len, &jump) ==
		       oi->len &&
	       arch->branch_site_size(sf->code + si->off, si->len, &jump) == si->len;
}

/* Whether @d has nothing but NOPs from @from to @size. */
static bool ends_in_padding(const struct decoded *d, uint64_t from, uint64_t size)
{
	uint64_t at = from;

	for (const struct insn *i = insn_at(d, from); i && i < d->v + d->nr && at < size; i++) {
		if (i->off != at || !streq(i->mnemonic, "nop"))
			return false;
		at = i->off + i->len;
	}
	return at == size;
}

/*
 * Pair the instructions of both sides, skipping alignment padding: a run of
 * NOPs (no jump label's) on either side pairs with the other side's run,
 * however long. The assembler pads a loop or label the compiler aligns
 * beyond the function's own alignment (gcc 14's) after where the function
 * sits: in the shipped kernel, built without function sections, that is
 * another place than in a section of its own. o->pair[k] is the shipped
 * index of original k (a NOP: where the shipped run starts; o->nr: past
 * the last), *@end where the shipped side's paired instructions end.
 */
static void pair_instructions(struct verify_ctx *c, const struct elf_symbol *fn,
			      struct decoded *o, const struct decoded *s, uint64_t *end)
{
	size_t k = 0, n = 0;

	o->pair = xcalloc(o->nr + 1, sizeof(*o->pair));
	*end = 0;
	while (k < o->nr) {
		size_t next = past_padding(c, fn, s, n, false);
		bool opad = past_padding(c, fn, o, k, true) != k;

		/*
		 * NOPs on the shipped side alone are padding when the original's
		 * instruction follows them; else they are an instruction the
		 * link made a NOP (ppc64le's TOC high part of 0), or a jump
		 * label's (objtool's), and pair with the original's.
		 */
		if (opad || (next != n && next < s->nr && !is_jump_site(c, fn, &o->v[k]) &&
			     streq(s->v[next].mnemonic, o->v[k].mnemonic))) {
			for (; k < o->nr && k < past_padding(c, fn, o, k, true); k++)
				o->pair[k] = n;
			n = next;
			continue;
		}
		o->pair[k++] = n;
		if (n < s->nr)
			*end = s->v[n].off + s->v[n].len;
		n++;
	}
	o->pair[o->nr] = n < s->nr ? n : s->nr;
}

/* How much of the shipped code to decode: vmlinux's function has no size, padding may add. */
static uint64_t shipped_size(const struct elf_symbol *fn, const struct shipped_fn *sf)
{
	if (sf->kfn)
		return sf->kfn->size;
	return sf->size < 2 * fn->size + 64 ? sf->size : 2 * fn->size + 64;
}

/*
 * The slow comparison, after a difference in the fast one: instruction by
 * instruction. Without function sections the assembler shortens a jump to
 * a nearby function of the same file (jmp rel32 becomes jmp rel8), and pads
 * aligned code inside a function by where the function sits, so the shipped
 * function may be shorter or longer with the same instructions; branches
 * then compare by mnemonic and target, alignment NOPs not at all,
 * everything else as in the fast one.
 */
static bool same_instructions(struct verify_ctx *c, const struct elf_symbol *fn,
			      const struct shipped_fn *sf, struct mismatch *m)
{
	const struct arch *arch = c->obj->arch;
	struct decoded o = { 0 }, s = { 0 };
	uint64_t end, prev_end = 0;
	bool same = true;

	decode(arch, fn->sec->data + fn->value, fn->size, 0, SIZE_MAX, &o);
	decode(arch, sf->code, shipped_size(fn, sf), sf->base, SIZE_MAX, &s);
	pair_instructions(c, fn, &o, &s, &end);
	for (size_t k = 0; k < o.nr && same; k++) {
		const struct insn *oi = &o.v[k], *si;

		*m = (struct mismatch){ oi->off, 0, NULL };
		if (streq(oi->mnemonic, "nop") && !is_jump_site(c, fn, oi))
			continue;
		if (o.pair[k] >= s.nr) {
			m->delta = (int64_t)prev_end - (int64_t)oi->off;
			same = false;
			break;
		}
		si = &s.v[o.pair[k]];
		m->delta = (int64_t)si->off - (int64_t)oi->off;
		prev_end = si->off + si->len;
		/*
		 * Branches inside the function compare by where they land (the
		 * distance changes with shortened jumps between), resolved ones
		 * out of it by the symbol they land in, relocated ones field by
		 * field unless the assembler shortened them.
		 */
		if (same_jump_label(c, fn, sf, oi, si))
			continue;
		if (oi->branch && si->branch && streq(oi->mnemonic, si->mnemonic) &&
		    (oi->len != si->len || !reloc_at(fn->sec, fn->value + oi->field)))
			same = same_branch(c, fn, sf, &o, &s, k, &m->reloc);
		else
			same = same_insn(c, fn, sf, oi, si, &m->reloc);
	}
	/* The module's function must end there too, but for padding (vmlinux has no sizes). */
	if (same && sf->kfn && !ends_in_padding(&s, end, sf->kfn->size)) {
		*m = (struct mismatch){ fn->size, 0, NULL };
		same = false;
	}
	if (same && verbose)
		fprintf(stderr, "%s: %s: same instructions, shipped with other branch sizes or "
			"alignment\n", c->o->display, fn->name);
	free(o.v), free(o.pair);
	free(s.v);
	return same;
}

bool same_place(struct verify_ctx *c, const struct elf_symbol *fn, uint64_t off,
		const struct shipped_fn *sf, uint64_t shipped_off)
{
	const struct arch *arch = c->obj->arch;
	struct decoded o = { 0 }, s = { 0 };
	uint64_t end;
	ptrdiff_t ko, ks;
	bool same = false;

	decode(arch, fn->sec->data + fn->value, fn->size, 0, SIZE_MAX, &o);
	decode(arch, sf->code, shipped_size(fn, sf), sf->base, SIZE_MAX, &s);
	pair_instructions(c, fn, &o, &s, &end);
	ko = index_at(&o, off);
	ks = index_at(&s, shipped_off);
	if (ko >= 0 && ks >= 0) {
		ko = (ptrdiff_t)past_padding(c, fn, &o, (size_t)ko, true);
		same = past_padding(c, fn, &s, (size_t)ks, false) ==
		       past_padding(c, fn, &s, o.pair[ko], false);
	}
	free(o.v), free(o.pair);
	free(s.v);
	return same;
}

/* Both comparisons; the counts are the slow one's when it runs. */
bool same_function(struct verify_ctx *c, const struct elf_symbol *fn,
		   const struct shipped_fn *sf, struct mismatch *m)
{
	struct verify_stats saved = *c->st;

	if (same_layout(c, fn, sf, m))
		return true;
	*c->st = saved;
	return same_instructions(c, fn, sf, m);
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
