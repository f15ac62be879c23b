// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Build-time run-pre check: the original objects klpdiff compiled must be
 * the code the target kernel runs, or a patch built on them replaces
 * functions with code compiled from the wrong source, config or compiler.
 *
 * vmlinux: each function is found by name in kallsyms (same-named locals
 * by their neighbours, as for sympos; KASLR undone with _text) and compared
 * with the bytes at that address in the shipped image. Each relocation site
 * must hold what the linker wrote there: S + A (- P), S from kallsyms
 * directly, or through another symbol of the same section; an anonymous
 * string by its content at the address the shipped field holds. What stays
 * unknown is masked and counted: references into sections without a named
 * symbol (.altinstr_aux), ambiguous same-named statics (__already_done.12),
 * GOT/TLS relocations.
 *
 * A field is read in the object's byte order, only the bits the relocation
 * writes (the howto's width, shift and bits; the rest of the word is code),
 * holding the part of the value the howto says (ppc64's @ha and @l halves,
 * TOC-relative ones from the arch's toc_symbol). What the arch says the
 * linker does is expected too: a call enters a function at its local entry,
 * and ld's TOC optimisation rewrites some TOC-relative code (toc_edit). A
 * string reached through two halves is found by both shipped fields.
 *
 * Functions are compared byte by byte first; after a difference, again
 * instruction by instruction (see same_instructions()), so that a jump the
 * assembler shortened in the shipped build is no difference.
 */
#include "kernel/verify.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf/elf_object.h"
#include "kernel/kernel_image.h"
#include "kernel/kernel_symbols.h"
#include "base/util.h"

enum { ADDR_UNSEEN, ADDR_KNOWN, ADDR_UNKNOWN };

/* The shipped function being compared with the original's. */
struct shipped_fn {
	const uint8_t *code;
	uint64_t size;		/* bytes readable from code */
	uint64_t base;		/* vmlinux: its address; module: its offset in its section */
	const struct elf_object *ko;	/* module only */
	const struct elf_symbol *kfn;
};

struct verify_ctx {
	const struct verify_opts *o;
	struct verify_stats *st;
	struct elf_object *obj;
	struct kernel_symbols ks;
	struct image im;
	uint64_t slide;		/* KASLR: kallsyms address minus the image's */
	uint8_t *sym_state;	/* by symbol index of obj */
	uint64_t *sym_addr;
	uint8_t *sec_state;	/* by section index of obj */
	uint64_t *sec_addr;
	uint8_t *mask;		/* scratch: one byte per byte of the function */
	size_t mask_alloc;
	const struct ksym **by_addr;	/* kallsyms sorted by address */
	struct strmap extra;	/* name -> struct extra_sym: see read_extras() */
	struct extra_sym {
		uint64_t addr;
		bool absolute;
		bool ambiguous;
	} *extras;
	char *extra_text;
	uint64_t *jump_sites;	/* jump-label sites: section index << 40 | offset, sorted */
	size_t nr_jump_sites;
	/* vmlinux: the function being compared, on both sides */
	const struct elf_symbol *fn;
	const struct shipped_fn *sf;
};

/*
 * kernel_symbols_read() leaves out what livepatch cannot name: weak
 * definitions (memset is "W") and absolute symbols (per-CPU offsets are
 * "A", never slid). Code refers to them all the same: read them from a
 * kallsyms listing too (an ELF's symbol table already has them).
 */
static void read_extras(struct verify_ctx *c)
{
	size_t nr = 0, alloc = 0;
	char *line, *next;

	strmap_init(&c->extra, 64);
	c->extra_text = read_file(c->o->kallsyms, NULL);
	if (!c->extra_text || !strncmp(c->extra_text, ELFMAG, SELFMAG))
		return;
	for (line = c->extra_text; *line; line = next) {
		char *end, *name, type;
		struct extra_sym e;
		void **slot;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		e.addr = strtoull(line, &end, 16);
		if (end == line || *end != ' ' || !end[1] || end[2] != ' ')
			continue;
		type = end[1];
		name = end + 3;
		if (!strchr("WwAa", type) || name[strcspn(name, " \t")])
			continue;	/* named by kernel_symbols already, or a module's */
		e.absolute = type == 'A' || type == 'a';
		e.ambiguous = false;
		slot = strmap_slot(&c->extra, name);
		if (*slot) {
			c->extras[(uintptr_t)*slot - 1].ambiguous = true;
			continue;
		}
		GROW(c->extras, nr, alloc, nr + 1);
		c->extras[nr++] = e;
		*slot = (void *)(uintptr_t)nr;
	}
}

static bool extra_address(struct verify_ctx *c, const char *name, uint64_t *addr)
{
	uintptr_t i = (uintptr_t)strmap_get(&c->extra, name);
	const struct extra_sym *e = i ? &c->extras[i - 1] : NULL;

	if (!e || e->ambiguous)
		return false;
	*addr = e->absolute ? e->addr : e->addr - c->slide;
	return true;
}

static int cmp_ksym_addr(const void *a, const void *b)
{
	const struct ksym *x = *(const struct ksym *const *)a, *y = *(const struct ksym *const *)b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The kallsyms symbol at or before shipped address @addr, or NULL. */
static const struct ksym *ksym_before(const struct verify_ctx *c, uint64_t addr)
{
	size_t lo = 0, hi = c->ks.nr;

	addr += c->slide;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->by_addr[mid]->addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? c->by_addr[lo - 1] : NULL;
}

/*
 * The kallsyms entry of @sym: the only one of its name; for a global, the
 * only global; for a local, by sympos: FILE symbols when the listing is an
 * ELF, else its neighbours (kernel_symbols_set_unit_names() was given the
 * original's names).
 */
static const struct ksym *find_ksym(struct verify_ctx *c, const struct elf_symbol *sym)
{
	const struct ksym *k = strmap_get(&c->ks.by_name, sym->name), *pick = NULL;
	long pos;

	if (!k || !k->next)
		return k;
	if (!sym->sec || !sym_is_local(sym)) {
		for (; k; k = k->next) {
			if (k->local)
				continue;
			if (pick)
				return NULL;
			pick = k;
		}
		return pick;
	}
	/* Quietly: a local that cannot be told apart is only not checked. */
	return kernel_symbols_find_local(&c->ks, sym->name, sym->unit, sym->size, &pos);
}

static bool named_address(struct verify_ctx *c, const struct elf_symbol *sym, uint64_t *addr)
{
	const struct ksym *k;

	if (!sym_has_name(sym) || starts_with(sym->name, ".L"))
		return false;
	k = find_ksym(c, sym);
	if (!k)
		return !strmap_get(&c->ks.by_name, sym->name) && extra_address(c, sym->name, addr);
	*addr = k->addr - c->slide;
	return true;
}

/*
 * Where a section of the original landed: from a symbol it holds that
 * kallsyms names. Anonymous strings, switch tables and .L labels stay unknown.
 */
static bool section_address(struct verify_ctx *c, const struct elf_section *sec, uint64_t *addr)
{
	uint8_t *state = &c->sec_state[sec->index];

	if (*state == ADDR_UNSEEN) {
		*state = ADDR_UNKNOWN;
		for (uint32_t i = 0; i < sec->nr_syms; i++) {
			const struct elf_symbol *s = sec->syms[i];
			uint64_t a;

			if (named_address(c, s, &a)) {
				c->sec_addr[sec->index] = a - s->value;
				*state = ADDR_KNOWN;
				break;
			}
		}
	}
	*addr = c->sec_addr[sec->index];
	return *state == ADDR_KNOWN;
}

/* The shipped address of @sym, if it can be known. */
static bool symbol_address(struct verify_ctx *c, const struct elf_symbol *sym, uint64_t *addr)
{
	uint8_t *state = &c->sym_state[sym->index];
	uint64_t a = 0;
	bool ok;

	if (*state == ADDR_UNSEEN) {
		if (sym->type == STT_SECTION)
			ok = sym->sec && section_address(c, sym->sec, &a);
		else
			ok = named_address(c, sym, &a) ||
			     (sym->sec && *sym->name && !starts_with(sym->name, ".L") &&
			      section_address(c, sym->sec, &a) && ((a += sym->value), true));
		*state = ok ? ADDR_KNOWN : ADDR_UNKNOWN;
		c->sym_addr[sym->index] = a;
	}
	*addr = c->sym_addr[sym->index];
	return *state == ADDR_KNOWN;
}

static void note_skipped(struct verify_ctx *c, const struct elf_symbol *fn, const char *why)
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

/* A string as a message shows it: quoted, cut at 40 bytes. */
static char *quoted(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	return xasprintf("\"%.*s\"%s", n > 40 ? 40 : (int)n, s, n > 40 ? "..." : "");
}

/* How a relocation target reads in a message: "name", "name+0x10". */
static char *target_name(const struct elf_object *obj, const struct elf_reloc *r)
{
	const struct elf_symbol *t = elf_reloc_sym(obj, r);
	struct reloc_howto h = elf_reloc_howto(obj, r);
	int64_t off = r->addend + (h.kind == RELOC_PCREL ? obj->arch->pcrel_field_bias : 0);

	if (t->sec && (t->sec->sh->sh_flags & SHF_STRINGS) && t->sec->data &&
	    t->value + (uint64_t)off < t->sec->sh->sh_size)
		return quoted((const char *)t->sec->data + t->value + off,
			      t->sec->sh->sh_size - t->value - (uint64_t)off);
	if (t->type == STT_SECTION && t->sec) {
		const struct elf_symbol *s = elf_symbol_containing(t->sec, (uint64_t)off);

		if (!s)
			return xasprintf("%s+0x%llx", t->sec->name, (unsigned long long)off);
		off -= (int64_t)s->value;
		t = s;
	}
	if (!off)
		return xstrdup(t->name);
	return xasprintf("%s%c0x%llx", t->name, off < 0 ? '-' : '+',
			 (unsigned long long)(off < 0 ? -off : off));
}

/* Under -v, say which sites could not be checked. */
static void note_masked(struct verify_ctx *c, const struct elf_object *obj,
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
static const struct elf_reloc *reloc_at(const struct elf_section *sec, uint64_t offset)
{
	size_t i = elf_first_reloc(sec, offset);

	return i < sec->nr_relocs && sec->relocs[i].offset == offset ? &sec->relocs[i] : NULL;
}

/* Does the original compare this symbol? Functions with code, .cold pieces included. */
static bool compared_function(const struct elf_object *obj, const struct elf_symbol *s)
{
	return sym_is_func(s) && s->sec && s->sec->is_code && s->sec->data && s->size &&
	       *s->name && s->value <= s->sec->sh->sh_size &&
	       s->sec->sh->sh_size - s->value >= s->size && !obj->arch->is_prefix_symbol(s->name);
}

/* The bits of its field a relocation of @h writes, as the field reads in the object's order. */
static uint64_t field_mask(struct reloc_howto h)
{
	if (h.bits)
		return ((1ull << h.bits) - 1) << h.shift;
	return h.width >= 8 ? ~0ull : (1ull << (8 * h.width)) - 1;
}

/* What the linker writes into a field of @h for the value @v. */
static uint64_t field_value(struct reloc_howto h, uint64_t v)
{
	if (h.value_rounded)
		v += 0x8000;
	return (v >> h.value_shift) & field_mask(h);
}

static uint64_t read_field(const struct elf_object *obj, struct reloc_howto h,
			   const uint8_t *field)
{
	return elf_read_uint(obj, field, h.width) & field_mask(h);
}

static bool toc_base(const struct verify_ctx *c, uint64_t *toc);

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
 * The shipped address of the symbol a relocated field refers to (S = value
 * - A [+ P]): from the field, or a TOC offset's two halves.
 */
static bool shipped_target(const struct verify_ctx *c, const struct elf_reloc *r,
			   struct reloc_howto h, const uint8_t *field, uint64_t p,
			   uint64_t *sym_addr)
{
	unsigned top = h.bits ? h.shift + h.bits : 8 * h.width;
	uint64_t v;

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

/* How far into the function at shipped @addr a call on the same TOC lands. */
static uint64_t local_entry_at(const struct verify_ctx *c, uint64_t addr)
{
	const struct arch *arch = c->obj->arch;
	uint64_t avail = 0;
	const uint8_t *code = arch->local_entry ? image_at(&c->im, addr, &avail) : NULL;

	return code ? arch->local_entry(code, avail) : 0;
}

/* Is shipped address @s where a branch to the kallsyms symbol @k goes? */
static bool enters(const struct verify_ctx *c, const struct ksym *k, uint64_t s)
{
	uint64_t a = k->addr - c->slide;

	return s == a || (s > a && s - a == local_entry_at(c, a));
}

/* The TOC base that TOC-relative fields count from (ppc64's .TOC.). */
static bool toc_base(const struct verify_ctx *c, uint64_t *toc)
{
	const char *name = c->obj->arch->toc_symbol;
	const struct ksym *k = name ? strmap_get(&c->ks.by_name, name) : NULL;

	if (!k || k->next)
		return false;
	*toc = k->addr - c->slide;
	return true;
}

/*
 * A reference to a name the shipped kernel does not have at all (built
 * 'call seq_puts_x'), where the shipped code refers to some other symbol.
 * Only for undefined names: every function of the kernel is in kallsyms.
 */
static bool points_elsewhere(struct verify_ctx *c, const struct elf_reloc *r,
			     struct reloc_howto h, const uint8_t *field, uint64_t p)
{
	const struct elf_symbol *t = elf_reloc_sym(c->obj, r);
	const struct ksym *k;
	uint64_t s;

	if (t->sec || !sym_has_name(t) || strmap_get(&c->ks.by_name, t->name) ||
	    strmap_get(&c->extra, t->name) || !shipped_target(c, r, h, field, p, &s))
		return false;
	k = ksym_before(c, s);
	return k && enters(c, k, s);
}

/*
 * An anonymous string has no address kallsyms could give, but the shipped
 * field points at it: compare its content there. 1 same, 0 different, -1
 * not a string reference.
 */
static int same_string(struct verify_ctx *c, const struct elf_reloc *r, struct reloc_howto h,
		       const uint8_t *field, uint64_t p)
{
	const struct elf_symbol *t = elf_reloc_sym(c->obj, r);
	const struct elf_section *sec = t->sec;
	uint64_t at, where;
	const uint8_t *got;
	const char *want;
	size_t len;

	if (!sec || !sec->data || !(sec->sh->sh_flags & SHF_STRINGS))
		return -1;
	at = t->value + (uint64_t)r->addend +
	     (h.kind == RELOC_PCREL ? c->obj->arch->pcrel_field_bias : 0);
	if (at >= sec->sh->sh_size || !shipped_target(c, r, h, field, p, &where))
		return -1;
	/* The string is at S + A (+ the PC-relative bias), S its symbol. */
	where += at - t->value;
	want = (const char *)sec->data + at;
	len = strnlen(want, sec->sh->sh_size - at);
	got = image_bytes(&c->im, where, len + 1);
	return got && !memcmp(got, want, len) && !got[len];
}

/*
 * The neighbours chose one of several same-named locals, but the shipped
 * field points at another of that name: counters such as __key.0 and
 * zero-sized statics sharing an address make the choice unsure. The code
 * still refers to a symbol of the name it was built with.
 */
static int same_named_elsewhere(struct verify_ctx *c, const struct elf_reloc *r,
				struct reloc_howto h, const uint8_t *field, uint64_t p)
{
	const struct elf_symbol *t = elf_reloc_sym(c->obj, r);
	const struct ksym *k;
	int64_t off = r->addend + (h.kind == RELOC_PCREL ? c->obj->arch->pcrel_field_bias : 0);
	uint64_t s;

	/* -fdata-sections: __func__.0 is referred to through its own section. */
	if (t->type == STT_SECTION && t->sec)
		t = elf_symbol_containing(t->sec, off < 0 ? 0 : (uint64_t)off);
	k = t && sym_has_name(t) ? strmap_get(&c->ks.by_name, t->name) : NULL;
	if (!k || !k->next || !shipped_target(c, r, h, field, p, &s))
		return 0;
	/* S was the section's address: the symbol sits t->value into it. */
	if (elf_reloc_sym(c->obj, r)->type == STT_SECTION)
		s += t->value;
	for (; k; k = k->next)
		if (k->addr - c->slide == s)
			return 1;
	return 0;
}

/* A direct call to a function: it enters at the function's local entry. */
static bool enters_function(const struct verify_ctx *c, const struct elf_section *sec,
			    const struct elf_reloc *r)
{
	const struct elf_symbol *t = elf_reloc_sym(c->obj, r);

	return c->obj->arch->local_entry && t->type != STT_SECTION && !r->addend &&
	       c->obj->arch->field_is_branch(sec->data, r->offset);
}

/*
 * The value the linker computed for @r of @sec at shipped address @p:
 * S + A (- P) (- the TOC), S a call's local entry.
 */
static bool site_value(struct verify_ctx *c, const struct elf_section *sec,
		       const struct elf_reloc *r, struct reloc_howto h, uint64_t p, uint64_t *v)
{
	uint64_t s, toc = 0;

	if (!symbol_address(c, elf_reloc_sym(c->obj, r), &s) ||
	    (h.toc_relative && !toc_base(c, &toc)))
		return false;
	if (h.kind == RELOC_PCREL && enters_function(c, sec, r))
		s += local_entry_at(c, s);
	*v = s + (uint64_t)r->addend - (h.kind == RELOC_PCREL ? p : 0) - toc;
	return true;
}

/* The address the address-table entry @r refers to holds, minus the TOC. */
static bool loaded_address(struct verify_ctx *c, const struct elf_reloc *r, uint64_t *v)
{
	const struct elf_symbol *t = elf_reloc_sym(c->obj, r);
	const char *table = c->obj->arch->address_table;
	const struct elf_reloc *er;
	struct reloc_howto eh;
	uint64_t s, toc;

	if (!table || !t->sec || !streq(t->sec->name, table) ||
	    !(er = reloc_at(t->sec, t->value + (uint64_t)r->addend)))
		return false;
	eh = elf_reloc_howto(c->obj, er);
	if (eh.kind != RELOC_ABS || eh.width != 8 ||
	    !symbol_address(c, elf_reloc_sym(c->obj, er), &s) || !toc_base(c, &toc))
		return false;
	*v = s + (uint64_t)er->addend - toc;
	return true;
}

/*
 * A TOC-relative site the linker rewrote (arch toc_edit): the whole edit is
 * checked here, so masked in @mask (@room bytes). -2: not an edit.
 */
static int toc_edited(struct verify_ctx *c, const struct elf_section *sec,
		      const struct elf_reloc *r, const uint8_t *field, uint64_t p, uint8_t *mask,
		      uint64_t room)
{
	struct reloc_howto h = elf_reloc_howto(c->obj, r), eh = h;
	bool loaded = false;
	unsigned span = c->obj->arch->toc_edit ?
				c->obj->arch->toc_edit(sec->data + r->offset, field, &eh, &loaded) :
				0;
	uint64_t v;

	if (!span || span > room)
		return -2;
	memset(mask, 1, span);
	/*
	 * A nop: the linker dropped a high part of 0, of the entry's offset or,
	 * if it made the load an add, of the address's.
	 */
	if (eh.kind == RELOC_NONE) {
		if (site_value(c, sec, r, h, p, &v))
			return field_value(h, v) == 0;
		return loaded_address(c, r, &v) && field_value(h, v) == 0 ? 1 : -1;
	}
	if (!(loaded ? loaded_address(c, r, &v) : site_value(c, sec, r, h, p, &v)))
		return -1;
	return read_field(c->obj, eh, field) == field_value(eh, v);
}

/*
 * vmlinux: does the shipped field at @spos (from the function's start) hold
 * what the linker wrote for @r of @sec, the rest of its bytes as built? 1
 * yes, 0 no, -1 cannot be known. @mask (@room bytes from the field) gets
 * any more bytes the check covers.
 */
static int vmlinux_site(struct verify_ctx *c, const struct shipped_fn *sf,
			const struct elf_section *sec, const struct elf_reloc *r, uint64_t spos,
			uint8_t *mask, uint64_t room)
{
	struct reloc_howto h = elf_reloc_howto(c->obj, r);
	const uint8_t *field = sf->code + spos;
	uint64_t p = sf->base + spos, v, m = field_mask(h);
	int same;

	if (h.kind != RELOC_ABS && h.kind != RELOC_PCREL)
		return -1;
	if (h.toc_relative && (same = toc_edited(c, sec, r, field, p, mask, room)) != -2)
		return same;
	/* Bits of the field's bytes the relocation leaves alone (ppc64's opcodes). */
	if ((elf_read_uint(c->obj, field, h.width) & ~m) !=
	    (elf_read_uint(c->obj, sec->data + r->offset, h.width) & ~m))
		return 0;
	if (!site_value(c, sec, r, h, p, &v)) {
		same = same_string(c, r, h, field, p);
		if (same < 0 && points_elsewhere(c, r, h, field, p))
			same = 0;
		return same;
	}
	if (read_field(c->obj, h, field) != field_value(h, v))
		return same_named_elsewhere(c, r, h, field, p);
	return 1;
}

/* vmlinux: does the shipped branch to @target go where @r of @sec does? */
static int vmlinux_branch(struct verify_ctx *c, const struct elf_section *sec,
			  const struct elf_reloc *r, uint64_t target)
{
	struct reloc_howto h = elf_reloc_howto(c->obj, r);
	uint64_t s;

	const struct elf_symbol *t = elf_reloc_sym(c->obj, r);
	const struct ksym *k;

	if (h.kind != RELOC_PCREL)
		return -1;
	if (symbol_address(c, t, &s)) {
		if (enters_function(c, sec, r))
			s += local_entry_at(c, s);
		return s + (uint64_t)r->addend + c->obj->arch->pcrel_field_bias == target;
	}
	/* As points_elsewhere(): a name the kernel lacks, a branch to a symbol it has. */
	if (t->sec || !sym_has_name(t) || strmap_get(&c->ks.by_name, t->name) ||
	    strmap_get(&c->extra, t->name))
		return -1;
	s = target - (uint64_t)r->addend - c->obj->arch->pcrel_field_bias;
	k = ksym_before(c, s);
	return k && enters(c, k, s) ? 0 : -1;
}

static int module_site(struct verify_ctx *c, const struct shipped_fn *sf,
		       const struct elf_reloc *r, uint64_t spos);
static int module_branch(struct verify_ctx *c, const struct shipped_fn *sf,
			 const struct elf_reloc *r, uint64_t target);

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

struct mismatch {
	uint64_t off;		/* in the original */
	int64_t delta;		/* shipped offset minus the original's there */
	const struct elf_reloc *reloc;	/* the site that differs, if one does */
};

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

/* A branch of the original inside the function: where it lands on the shipped side. */
static bool local_target(const struct decoded *o, const struct decoded *s, uint64_t target,
			 uint64_t *shipped)
{
	const struct insn *i = insn_at(o, target);

	if (target == o->v[o->nr - 1].off + o->v[o->nr - 1].len) {
		*shipped = s->base + s->v[s->nr - 1].off + s->v[s->nr - 1].len;
		return true;
	}
	if (!i || i->off != target)
		return false;
	*shipped = s->base + s->v[i - o->v].off;
	return true;
}

static bool same_branch(struct verify_ctx *c, const struct elf_symbol *fn,
			const struct shipped_fn *sf, const struct decoded *o,
			const struct decoded *s, size_t k, const struct elf_reloc **bad)
{
	const struct insn *oi = &o->v[k], *si = &s->v[k];
	const struct elf_reloc *r = reloc_at(fn->sec, fn->value + oi->field);
	uint64_t want;
	int same;

	if (!r)
		return local_target(o, s, oi->target, &want) && want == si->target;
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
	uint64_t key = (uint64_t)fn->sec->index << 40 | (fn->value + oi->off);
	bool jump;

	if (!c->nr_jump_sites || oi->len != si->len ||
	    !bsearch(&key, c->jump_sites, c->nr_jump_sites, sizeof(key), cmp_u64))
		return false;
	return arch->branch_site_size(fn->sec->data + fn->value + oi->off, oi->len, &jump) ==
		       oi->len &&
	       arch->branch_site_size(sf->code + si->off, si->len, &jump) == si->len;
}

/*
 * The slow comparison, after a difference in the fast one: instruction by
 * instruction. Without function sections the assembler shortens a jump to
 * a nearby function of the same file (jmp rel32 becomes jmp rel8), so the
 * shipped function may be shorter with the same instructions; branches then
 * compare by mnemonic and target, everything else as in the fast one.
 */
static bool same_instructions(struct verify_ctx *c, const struct elf_symbol *fn,
			      const struct shipped_fn *sf, struct mismatch *m)
{
	const struct arch *arch = c->obj->arch;
	struct decoded o = { 0 }, s = { 0 };
	bool same = true;

	decode(arch, fn->sec->data + fn->value, fn->size, 0, SIZE_MAX, &o);
	decode(arch, sf->code, sf->kfn ? sf->kfn->size : sf->size, sf->base, o.nr, &s);
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
		 * distance changes with shortened jumps between), relocated
		 * ones field by field unless the assembler shortened them.
		 */
		if (same_jump_label(c, fn, sf, oi, &s.v[k]))
			continue;
		if (oi->branch && s.v[k].branch && streq(oi->mnemonic, s.v[k].mnemonic) &&
		    (oi->len != s.v[k].len || !reloc_at(fn->sec, fn->value + oi->field)))
			same = same_branch(c, fn, sf, &o, &s, k, &m->reloc);
		else
			same = same_insn(c, fn, sf, oi, &s.v[k], &m->reloc);
	}
	/* The module's function must end there too (vmlinux has no sizes). */
	if (same && sf->kfn && s.nr && s.v[s.nr - 1].off + s.v[s.nr - 1].len != sf->kfn->size) {
		*m = (struct mismatch){ fn->size, 0, NULL };
		same = false;
	}
	if (same && verbose)
		fprintf(stderr, "%s: %s: same instructions, shipped with shorter branches\n",
			c->o->display, fn->name);
	free(o.v);
	free(s.v);
	return same;
}

/* Both comparisons; the counts are the slow one's when it runs. */
static bool same_function(struct verify_ctx *c, const struct elf_symbol *fn,
			  const struct shipped_fn *sf, struct mismatch *m)
{
	struct verify_stats saved = *c->st;

	if (same_layout(c, fn, sf, m))
		return true;
	*c->st = saved;
	return same_instructions(c, fn, sf, m);
}

/* One instruction of the original, relocated operands by name. */
static void describe_built(const struct elf_object *obj, const struct elf_symbol *fn,
			   uint64_t pos, size_t len, const char *text, char *buf, size_t size)
{
	const struct elf_section *sec = fn->sec;
	size_t i = elf_first_reloc(sec, fn->value + pos);
	const struct elf_reloc *r = i < sec->nr_relocs ? &sec->relocs[i] : NULL;
	char *name;

	if (!r || r->offset >= fn->value + pos + len) {
		snprintf(buf, size, "%s", text);
		return;
	}
	name = target_name(obj, r);
	/* A branch reads best as "call seq_puts"; anything else keeps its operands. */
	if (text[0] == 'j' || starts_with(text, "call") ||
	    (obj->arch->local_entry && obj->arch->field_is_branch(sec->data, r->offset)))
		snprintf(buf, size, "%.*s %s", (int)strcspn(text, " "), text, name);
	else
		snprintf(buf, size, "%s <%s>", text, name);
	free(name);
}

/* capstone ends operand-less instructions with a space ("nop "). */
static void trim_end(char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
}

/*
 * The refusal: the instruction holding the first differing byte, on each
 * side, both disassembled at the shipped address.
 */
static int report_mismatch(const struct elf_object *obj, const char *display,
			   const struct elf_symbol *fn, const struct shipped_fn *sf,
			   const struct mismatch *m, const char *where, const char *shipped_name)
{
	const uint8_t *built = fn->sec->data + fn->value;
	char btext[160] = "(end)", stext[160] = "(end)", bdesc[256], *expected = NULL;
	uint64_t pos = 0, spos;
	size_t len = 1;

	while (pos < fn->size) {
		len = obj->arch->disasm(built + pos, fn->size - pos, sf->base + pos, btext,
					sizeof(btext));
		if (!len) {
			snprintf(btext, sizeof(btext), ".byte 0x%02x", built[pos]);
			len = 1;
		}
		if (pos + len > m->off)
			break;
		pos += len;
	}
	if (pos >= fn->size)
		snprintf(btext, sizeof(btext), "(end)");
	spos = pos + (uint64_t)m->delta;
	if (spos < sf->size &&
	    !obj->arch->disasm(sf->code + spos, sf->size - spos, sf->base + spos, stext,
			       sizeof(stext)))
		snprintf(stext, sizeof(stext), ".byte 0x%02x", sf->code[spos]);
	trim_end(btext);
	trim_end(stext);
	if (shipped_name)
		snprintf(stext + strlen(stext), sizeof(stext) - strlen(stext), " <%s>",
			 shipped_name);
	describe_built(obj, fn, pos, len, btext, bdesc, sizeof(bdesc));
	if (m->reloc)
		expected = target_name(obj, m->reloc);
	error(display, "%s+0x%llx: built '%s' but %s has '%s'%s%s%s: the source, config or "
	      "compiler differs from what built this kernel (--no-verify skips this check)",
	      fn->name, (unsigned long long)pos, bdesc, where, stext,
	      expected ? " (not " : "", expected ? expected : "", expected ? ")" : "");
	free(expected);
	return -1;
}

static void set_unit_names(struct verify_ctx *c)
{
	const char **names = xcalloc(c->obj->nr_symbols + 1, sizeof(*names));
	struct elf_symbol *s;
	size_t n = 0;

	for_each_symbol(c->obj, s)
		if (s->sec && sym_has_name(s))
			names[n++] = s->name;
	kernel_symbols_set_unit_names(&c->ks, names, n);
	free(names);
}

/* What the shipped field of a mismatching site refers to, by kallsyms ("seq_puts"). */
static char *shipped_symbol(const struct verify_ctx *c, const struct elf_reloc *r,
			    const uint8_t *field, uint64_t p)
{
	struct reloc_howto h = elf_reloc_howto(c->obj, r);
	const struct elf_symbol *t = elf_reloc_sym(c->obj, r);
	const struct ksym *k;
	uint64_t s;

	if (!shipped_target(c, r, h, field, p, &s))
		return NULL;
	if (t->sec && (t->sec->sh->sh_flags & SHF_STRINGS)) {
		uint64_t at = s + (uint64_t)r->addend +
			      (h.kind == RELOC_PCREL ? c->obj->arch->pcrel_field_bias : 0);
		uint64_t avail = 0;
		const uint8_t *str = image_at(&c->im, at, &avail);

		return str ? quoted((const char *)str, avail) : NULL;
	}
	if (!(k = ksym_before(c, s)))
		return NULL;
	if (enters(c, k, s))
		return xstrdup(k->name);
	s += c->slide;
	return s == k->addr ? xstrdup(k->name) :
			      xasprintf("%s+0x%llx", k->name, (unsigned long long)(s - k->addr));
}

static int verify_function_vmlinux(struct verify_ctx *c, const struct elf_symbol *fn)
{
	const struct ksym *k = find_ksym(c, fn);
	struct shipped_fn sf = { 0 };
	char *shipped_name = NULL;
	struct mismatch m;
	int ret;

	/* A weak definition the kernel may have replaced (arch_report_meminfo). */
	if (!k || fn->bind == STB_WEAK) {
		note_skipped(c, fn, fn->bind == STB_WEAK ? "weak, may be replaced" :
							   "not in kallsyms (inlined?)");
		return 0;
	}
	sf.base = k->addr - c->slide;
	sf.code = image_at(&c->im, sf.base, &sf.size);
	if (!sf.code)
		return error(c->o->display, "%s: its kallsyms address 0x%llx is outside %s "
			     "(is the kallsyms listing from this kernel?)", fn->name,
			     (unsigned long long)k->addr, c->im.path);
	c->st->compared++;
	c->fn = fn;
	c->sf = &sf;
	if (same_function(c, fn, &sf, &m))
		return 0;
	if (m.reloc) {
		uint64_t spos = m.reloc->offset - fn->value + (uint64_t)m.delta;

		shipped_name = shipped_symbol(c, m.reloc, sf.code + spos, sf.base + spos);
	}
	ret = report_mismatch(c->obj, c->o->display, fn, &sf, &m, "the shipped kernel",
			      shipped_name);
	free(shipped_name);
	return ret;
}

static int verify_vmlinux(struct verify_ctx *c)
{
	const struct ksym *text;
	struct elf_symbol *fn;
	int ret = 0;

	if (!c->o->kallsyms)
		return error(c->o->display, "checking against vmlinux needs its kallsyms");
	if (image_open(&c->im, c->o->shipped) || kernel_symbols_read(&c->ks, c->o->kallsyms))
		return -1;
	text = strmap_get(&c->ks.by_name, "_text");
	if (!text)
		text = strmap_get(&c->ks.by_name, "_stext");
	if (text && c->im.text_start)
		c->slide = text->addr - c->im.text_start;
	set_unit_names(c);
	read_extras(c);
	c->by_addr = xcalloc(c->ks.nr + 1, sizeof(*c->by_addr));
	for (size_t i = 0; i < c->ks.nr; i++)
		c->by_addr[i] = &c->ks.syms[i];
	sort(c->by_addr, c->ks.nr, sizeof(*c->by_addr), cmp_ksym_addr);
	c->sym_state = xcalloc(c->obj->nr_symbols, 1);
	c->sym_addr = xcalloc(c->obj->nr_symbols, sizeof(*c->sym_addr));
	c->sec_state = xcalloc(c->obj->nr_sections, 1);
	c->sec_addr = xcalloc(c->obj->nr_sections, sizeof(*c->sec_addr));
	for_each_symbol(c->obj, fn)
		if (compared_function(c->obj, fn) && verify_function_vmlinux(c, fn))
			return -1;
	return ret;
}

/*
 * Modules. A shipped .ko was built without function sections: its functions
 * share .text, its relocations name section symbols (.text+0x971a0), calls
 * between its own functions were resolved by the assembler (no relocation
 * at all), and its strings are merged with the other units'. klpdiff's
 * checksums normalise all that, but not exactly enough here: on xfs_stats.o
 * and Debian's xfs.ko, xfs_init_procfs gets a different checksum with
 * identical code (the merged strings are hashed differently once linked),
 * and a checksum cannot say where two functions differ. So modules are
 * compared like vmlinux, with identities instead of addresses: bytes equal
 * outside the union of both sides' relocation sites, and each site of the
 * original naming the same target on the shipped side (symbol and offset,
 * strings by content; for a branch the assembler resolved, the symbol it
 * lands in).
 */

/* "name", "name+0x10", "name-0x4" */
static void name_offset(char *buf, size_t size, const char *name, int64_t off)
{
	if (!off)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%s%c0x%llx", name, off < 0 ? '-' : '+',
			 (unsigned long long)(off < 0 ? -off : off));
}

/* The identity of the address @sec+@off points to, into @buf; false if unknowable. */
static bool place_identity(const struct elf_section *sec, int64_t off, char *buf, size_t size)
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

static bool reloc_identity(const struct elf_object *obj, const struct elf_reloc *r, char *buf,
			   size_t size)
{
	const struct elf_symbol *t = elf_reloc_sym(obj, r);
	struct reloc_howto h = elf_reloc_howto(obj, r);
	int64_t off = r->addend + (h.kind == RELOC_PCREL ? obj->arch->pcrel_field_bias : 0);

	if (t->type == STT_SECTION)
		return place_identity(t->sec, off, buf, size);
	if (!sym_has_name(t) || starts_with(t->name, ".L"))
		return false;
	name_offset(buf, size, t->name, off);
	/* A named target and a section-relative one must read alike. */
	if (t->sec && !(t->sec->sh->sh_flags & SHF_STRINGS))
		return place_identity(t->sec, (int64_t)t->value + off, buf, size) || true;
	return true;
}

/* Where a branch the assembler resolved at @field of @sec lands. */
static bool resolved_identity(const struct elf_section *sec, uint64_t field, int bias,
			      char *buf, size_t size)
{
	int32_t disp;

	if (field + 4 > sec->sh->sh_size)
		return false;
	memcpy(&disp, sec->data + field, 4);
	return place_identity(sec, (int64_t)(field + bias) + disp, buf, size);
}


/* A place in an object: a section and an offset in it. */
struct place {
	const struct elf_section *sec;
	int64_t off;
};

/*
 * Where @r of the original points, as a place in the shipped module: its
 * target's symbol (or the symbol its section holds there) found by name in
 * the module. Offsets, not names, are compared: a PC-relative field followed
 * by an immediate points a few bytes before its symbol, into the one before.
 */
static bool orig_place_in_module(const struct elf_object *obj, const struct elf_reloc *r,
				 const struct elf_object *ko, const struct elf_symbol **first,
				 int64_t *offset)
{
	const struct elf_symbol *t = elf_reloc_sym(obj, r), *named = t;
	struct reloc_howto h = elf_reloc_howto(obj, r);
	int64_t off = r->addend + (h.kind == RELOC_PCREL ? obj->arch->pcrel_field_bias : 0);

	/* Strings are compared by content; undefined targets by their name. */
	if (t->sec && (t->sec->sh->sh_flags & SHF_STRINGS))
		return false;
	if (t->type == STT_SECTION) {
		named = elf_symbol_containing(t->sec, off < 0 ? 0 : (uint64_t)off);
		if (!named || !sym_has_name(named))
			return false;
		off -= (int64_t)named->value;
	}
	*first = sym_has_name(named) ? elf_find_symbol(ko, named->name) : NULL;
	*offset = off;
	return *first && (*first)->sec;
}

/*
 * Whether one of the module's symbols of that name (several units' __key.1,
 * zero-sized statics sharing an address) sits at @pl, @off before it.
 */
static bool same_named_at(const struct elf_symbol *k, int64_t off, const struct place *pl)
{
	for (; k; k = k->next_same_name)
		if (k->sec == pl->sec && (int64_t)k->value + off == pl->off)
			return true;
	return false;
}

/* Where @kr of the shipped module points, as a place in it. */
static bool module_place(const struct elf_object *ko, const struct elf_reloc *kr,
			 struct place *pl)
{
	const struct elf_symbol *t = elf_reloc_sym(ko, kr);
	struct reloc_howto h = elf_reloc_howto(ko, kr);

	if (!t->sec)
		return false;
	*pl = (struct place){ t->sec, (t->type == STT_SECTION ? 0 : (int64_t)t->value) + kr->addend +
					      (h.kind == RELOC_PCREL ? ko->arch->pcrel_field_bias : 0) };
	return true;
}

/* Module: does the shipped field at @spos name what @r of the original does? */
static int module_site(struct verify_ctx *c, const struct shipped_fn *sf,
		       const struct elf_reloc *r, uint64_t spos)
{
	const struct elf_section *ksec = sf->kfn->sec;
	const struct elf_reloc *kr = reloc_at(ksec, sf->kfn->value + spos);
	struct reloc_howto h = elf_reloc_howto(c->obj, r);
	char want[320], got[320];
	bool known;

	const struct elf_symbol *k;
	struct place pk;
	int64_t off;

	if (kr && orig_place_in_module(c->obj, r, sf->ko, &k, &off) && module_place(sf->ko, kr, &pk))
		return same_named_at(k, off, &pk);
	if (!reloc_identity(c->obj, r, want, sizeof(want)))
		return -1;
	if (kr)
		known = reloc_identity(sf->ko, kr, got, sizeof(got));
	else if (h.kind == RELOC_PCREL && h.width == 4)
		known = resolved_identity(ksec, sf->kfn->value + spos,
					  sf->ko->arch->pcrel_field_bias, got, sizeof(got));
	else
		known = false;
	if (!known)
		return -1;
	return !strcmp(want, got);
}

/* Module: does a shipped branch to @target (offset in its section) go where @r does? */
static int module_branch(struct verify_ctx *c, const struct shipped_fn *sf,
			 const struct elf_reloc *r, uint64_t target)
{
	char want[320], got[320];

	if (!reloc_identity(c->obj, r, want, sizeof(want)) ||
	    !place_identity(sf->kfn->sec, (int64_t)target, got, sizeof(got)))
		return -1;
	return !strcmp(want, got);
}

/* What a mismatching shipped site names, for the message. */
static char *module_got(const struct shipped_fn *sf, const struct elf_reloc *r, uint64_t spos)
{
	const struct elf_section *ksec = sf->kfn->sec;
	const struct elf_reloc *kr = reloc_at(ksec, sf->kfn->value + spos);
	char got[320];

	if (kr ? !reloc_identity(sf->ko, kr, got, sizeof(got)) :
		 !resolved_identity(ksec, sf->kfn->value + spos, sf->ko->arch->pcrel_field_bias,
				    got, sizeof(got)))
		return NULL;
	return xstrdup(got);
}

/* The shipped function of @fn's name: the only one, or the only one of its size. */
static const struct elf_symbol *shipped_function(struct elf_object *ko,
						 const struct elf_symbol *fn)
{
	const struct elf_symbol *s = elf_find_symbol(ko, fn->name), *pick = NULL;
	int count = 0;

	for (; s; s = s->next_same_name)
		if (sym_is_func(s) && s->sec && s->sec->is_code && s->sec->data)
			count++, pick = s;
	if (count <= 1)
		return pick;
	pick = NULL;
	for (s = elf_find_symbol(ko, fn->name); s; s = s->next_same_name) {
		if (!sym_is_func(s) || !s->sec || s->size != fn->size)
			continue;
		if (pick)
			return NULL;
		pick = s;
	}
	return pick;
}

static int verify_module(struct verify_ctx *c)
{
	struct elf_object *ko = elf_open(c->o->shipped, c->o->target);
	struct elf_symbol *fn;
	int ret = 0;

	if (!ko)
		return -1;
	for_each_symbol(c->obj, fn) {
		const struct elf_symbol *kfn;
		struct shipped_fn sf;
		struct mismatch m;
		char *got = NULL;

		if (!compared_function(c->obj, fn))
			continue;
		kfn = shipped_function(ko, fn);
		if (!kfn || kfn->value > kfn->sec->sh->sh_size ||
		    kfn->sec->sh->sh_size - kfn->value < kfn->size) {
			note_skipped(c, fn, "no single function of that name in the module");
			continue;
		}
		c->st->compared++;
		sf = (struct shipped_fn){ .code = kfn->sec->data + kfn->value, .size = kfn->size,
					  .base = kfn->value, .ko = ko, .kfn = kfn };
		if (same_function(c, fn, &sf, &m))
			continue;
		if (m.reloc)
			got = module_got(&sf, m.reloc,
					 m.reloc->offset - fn->value + (uint64_t)m.delta);
		ret = report_mismatch(c->obj, c->o->display, fn, &sf, &m, "the shipped module",
				      got);
		free(got);
		break;
	}
	elf_close(ko);
	return ret;
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
