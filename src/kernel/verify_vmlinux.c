// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The check against the shipped vmlinux (see verify.c for the comparison).
 *
 * Each function is found by name in kallsyms (same-named locals by their
 * neighbours, as for sympos; KASLR undone with _text) and compared with the
 * bytes at that address in the shipped image. Each relocation site must
 * hold what the linker wrote there: S + A (- P), S from kallsyms directly,
 * or through another symbol of the same section; an anonymous string by
 * its content at the address the shipped field holds. What stays unknown
 * is masked and counted: references into sections without a named symbol
 * (.altinstr_aux), ambiguous same-named statics (__already_done.12),
 * GOT/TLS relocations.
 *
 * A field is read in the object's byte order, only the bits the relocation
 * writes (the howto's width, shift and bits; the rest of the word is code),
 * holding the part of the value the howto says (ppc64's @ha and @l halves,
 * TOC-relative ones from the arch's toc_symbol). What the arch says the
 * linker does is expected too: a call enters a function at its local entry,
 * and ld's TOC optimisation rewrites some TOC-relative code (toc_edit). A
 * string reached through two halves is found by both shipped fields
 * (reading the fields: verify_field.c).
 */
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "elf/names.h"
#include "kernel/verify_internal.h"

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
	/* Not the whole of a -dbg vmlinux (600 MB) for its first bytes. */
	if (c->ks.machine)
		return;
	c->extra_text = read_file(c->o->kallsyms, NULL);
	if (!c->extra_text)
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

static bool ksym_starts_by(const void *elem, const void *key)
{
	return (*(const struct ksym *const *)elem)->addr <= *(const uint64_t *)key;
}

/* The kallsyms symbol at or before shipped address @addr, or NULL. */
static const struct ksym *ksym_before(const struct verify_ctx *c, uint64_t addr)
{
	size_t lo;

	addr += c->slide;
	lo = partition_point(c->by_addr, c->ks.nr, sizeof(*c->by_addr), &addr, ksym_starts_by);
	return lo ? c->by_addr[lo - 1] : NULL;
}

/*
 * The kallsyms entry of @sym: the only one of its name; for a global, the
 * only global; for a local, the unit's own (kernel_symbols_set_unit() was
 * given the original), as for sympos.
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
	/*
	 * Past the end of its symbol's own string (.LC39+10, a loop's bound
	 * for " pref"): the linker merged that string and the reference is as
	 * far from it, whatever follows it there. Compare the string itself.
	 */
	if (t->type != STT_SECTION && t->value < sec->sh->sh_size &&
	    at > t->value + strnlen((const char *)sec->data + t->value,
				    sec->sh->sh_size - t->value))
		at = t->value;
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

/*
 * A reference into the middle of another function of the unit (a .cold
 * part's jump back into its parent, or the parent's into it), which the
 * shipped link gave other alignment padding before that place: the field
 * must go to the paired instruction there.
 */
static int same_padded_place(struct verify_ctx *c, const struct elf_reloc *r,
			     struct reloc_howto h, const uint8_t *field, uint64_t p)
{
	const struct elf_symbol *t = elf_reloc_sym(c->obj, r), *fn;
	int64_t bias = h.kind == RELOC_PCREL ? c->obj->arch->pcrel_field_bias : 0;
	uint64_t off = t->value + (uint64_t)r->addend + (uint64_t)bias, a, s, avail;
	const uint8_t *code;

	if (!t->sec || !t->sec->is_code || !(fn = elf_symbol_containing(t->sec, off)) ||
	    !compared_function(c->obj, fn) || off == fn->value || fn == c->fn ||
	    !symbol_address(c, fn, &a) || !shipped_target(c, r, h, field, p, &s) ||
	    !(code = image_at(&c->im, a, &avail)))
		return 0;
	s += (uint64_t)r->addend + (uint64_t)bias;
	return s >= a && padded_landing(c, fn, off - fn->value, code, avail, a, s - a);
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
int vmlinux_site(struct verify_ctx *c, const struct shipped_fn *sf,
		 const struct elf_section *sec, const struct elf_reloc *r, uint64_t spos,
		 uint8_t *mask, uint64_t room)
{
	struct reloc_howto h = elf_reloc_howto(c->obj, r);
	const uint8_t *field = sf->code + spos;
	uint64_t p = sf->base + spos, v, m = field_mask(h), want;
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
	if (c->obj->arch->field_encode &&
	    !c->obj->arch->field_encode(elf_reloc_type(r), v, p, &want))
		return -1;
	if (!c->obj->arch->field_encode)
		want = field_value(h, v);
	if (read_field(c->obj, h, field) != want)
		return same_named_elsewhere(c, r, h, field, p) ||
		       same_padded_place(c, r, h, field, p);
	return 1;
}

/* vmlinux: does the shipped branch to @target go where @r of @sec does? */
int vmlinux_branch(struct verify_ctx *c, const struct elf_section *sec,
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

/* vmlinux: does the shipped branch to @target land where a resolved one to @off of @sec does? */
int vmlinux_lands(struct verify_ctx *c, const struct elf_section *sec, uint64_t off,
		  uint64_t target)
{
	const struct elf_symbol *s = elf_symbol_containing(sec, off);
	const struct ksym *k;
	uint64_t a;

	if (!s || !sym_has_name(s) || !symbol_address(c, s, &a))
		return -1;
	if (a + (off - s->value) == target)
		return 1;
	/* As same_named_elsewhere(): the neighbours' choice of a local is unsure. */
	for (k = strmap_get(&c->ks.by_name, s->name); k; k = k->next)
		if (k->addr - c->slide + (off - s->value) == target)
			return 1;
	return 0;
}

/* What is at shipped address @addr, by kallsyms: "seq_puts", "seq_puts+0x4". */
char *vmlinux_place_name(const struct verify_ctx *c, uint64_t addr)
{
	const struct ksym *k = ksym_before(c, addr);

	if (!k)
		return NULL;
	if (enters(c, k, addr))
		return xstrdup(k->name);
	addr += c->slide;
	if (addr == k->addr)
		return xstrdup(k->name);
	return xasprintf("%s+0x%llx", k->name, (unsigned long long)(addr - k->addr));
}

/*
 * Two sides of a site that name alike (another of the same name, a local
 * entry): add where each points, S + A (+ the PC-relative bias), @s the
 * shipped S.
 */
static void name_addresses(struct verify_ctx *c, const struct elf_reloc *r, uint64_t s,
			   char **expected, char **shipped)
{
	struct reloc_howto h = elf_reloc_howto(c->obj, r);
	uint64_t a = (uint64_t)r->addend +
		     (uint64_t)(h.kind == RELOC_PCREL ? c->obj->arch->pcrel_field_bias : 0);
	uint64_t e;
	char *name;

	if (!symbol_address(c, elf_reloc_sym(c->obj, r), &e))
		return;
	if (h.kind == RELOC_PCREL && enters_function(c, c->fn->sec, r))
		e += local_entry_at(c, e);
	name = *expected;
	*expected = xasprintf("%s at 0x%llx", name, (unsigned long long)(e + a));
	free(name);
	name = *shipped;
	*shipped = xasprintf("%s at 0x%llx", name, (unsigned long long)(s + a));
	free(name);
}

/*
 * What the two sides of a mismatching site at shipped @field (address @p)
 * refer to, for the message: the original's target, and the shipped
 * field's by kallsyms ("seq_puts"), or both strings by content.
 */
static void site_names(struct verify_ctx *c, const struct elf_reloc *r, const uint8_t *field,
		       uint64_t p, char **expected, char **shipped)
{
	struct reloc_howto h = elf_reloc_howto(c->obj, r);
	const struct elf_symbol *t = elf_reloc_sym(c->obj, r);
	const uint8_t *str;
	const char *want;
	uint64_t s, avail = 0;
	size_t max;

	*expected = target_name(c->obj, r);
	*shipped = NULL;
	if (!shipped_target(c, r, h, field, p, &s))
		return;
	if (!t->sec || !(t->sec->sh->sh_flags & SHF_STRINGS)) {
		/* The place, as target_name() names the original's: S + A (+ the bias). */
		*shipped = vmlinux_place_name(c, s + (uint64_t)r->addend +
						 (h.kind == RELOC_PCREL ?
							  c->obj->arch->pcrel_field_bias :
							  0));
		if (*shipped && streq(*expected, *shipped))
			name_addresses(c, r, s, expected, shipped);
		return;
	}
	str = image_at(&c->im, s + (uint64_t)r->addend +
				       (h.kind == RELOC_PCREL ? c->obj->arch->pcrel_field_bias : 0),
		       &avail);
	if (!str)
		return;
	if (!(want = reloc_string(c->obj, r, &max))) {
		*shipped = quoted((const char *)str, avail);
		return;
	}
	free(*expected);
	quote_pair(want, max, (const char *)str, avail, expected, shipped);
}

/*
 * Is @fn, or the function whose .cold piece it is, a weak definition? The
 * kernel may have replaced it (arch_report_meminfo); a replaced one's code
 * stays in vmlinux without a name, and its .cold piece jumps back there,
 * not into the kallsyms function of that name (Debian 6.1's
 * acpi_s2idle_setup of drivers/acpi/sleep.o, replaced by x86's).
 */
static bool weak_or_its_piece(const struct elf_object *obj, const struct elf_symbol *fn)
{
	const struct elf_symbol *parent = NULL;
	char *key;

	if (fn->bind == STB_WEAK)
		return true;
	key = name_key(fn->name);
	if (name_is_cold_piece(key)) {
		key[name_piece_parent_len(key)] = '\0';
		parent = elf_find_symbol(obj, key);
	}
	free(key);
	return parent && parent->bind == STB_WEAK;
}

static int verify_function_vmlinux(struct verify_ctx *c, const struct elf_symbol *fn)
{
	const struct ksym *k = find_ksym(c, fn);
	bool weak = weak_or_its_piece(c->obj, fn);
	struct shipped_fn sf = { 0 };
	char *expected = NULL, *shipped_name = NULL;
	struct mismatch m;
	int ret;

	if (!k || weak) {
		note_skipped(c, fn, weak ? "weak (or a piece of a weak one), may be replaced" :
				    strmap_get(&c->ks.by_name, fn->name) ?
						   "which of kallsyms's functions of that name is "
						   "the unit's cannot be told" :
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

		site_names(c, m.reloc, sf.code + spos, sf.base + spos, &expected, &shipped_name);
	}
	ret = report_mismatch(c, fn, &sf, &m, "the shipped kernel", expected, shipped_name);
	free(expected);
	free(shipped_name);
	return ret;
}

int verify_vmlinux(struct verify_ctx *c)
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
	kernel_symbols_set_unit(&c->ks, c->obj);
	read_extras(c);
	c->by_addr = xcalloc(c->ks.nr + 1, sizeof(*c->by_addr));
	for (size_t i = 0; i < c->ks.nr; i++)
		c->by_addr[i] = &c->ks.syms[i];
	sort(c->by_addr, c->ks.nr, sizeof(*c->by_addr), cmp_ksym_addr);
	c->sym_state = xcalloc(c->obj->nr_symbols, 1);
	c->sym_addr = xcalloc(c->obj->nr_symbols, sizeof(*c->sym_addr));
	c->sec_state = xcalloc(c->obj->nr_sections, 1);
	c->sec_addr = xcalloc(c->obj->nr_sections, sizeof(*c->sec_addr));
	for_each_symbol(c->obj, fn) {
		size_t mismatched = c->st->mismatched;

		if (!compared_function(c->obj, fn) || !verify_function_vmlinux(c, fn))
			continue;
		/* keep_going: a mismatch is counted; any other error stops the check. */
		if (!c->o->keep_going || c->st->mismatched == mismatched)
			return -1;
	}
	return ret;
}
