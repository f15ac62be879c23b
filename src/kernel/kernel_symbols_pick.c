// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which of several same-named symbols is the patched unit's own.
 *
 * kallsyms lists a kernel's symbols in link order (vmlinux's by address, a
 * module's in its symbol table's order), and the linker keeps each unit's
 * part of a section together: the unit's functions, its .cold pieces, its
 * data, each make one run of consecutive entries. The unit compiled here
 * says what those runs hold. Evidence about a candidate:
 *
 *  - anchored: its run (the entries on either side whose names the unit
 *    defines, none twice) reaches a name the kernel has only once, which
 *    can only be the unit's own symbol;
 *  - placed: the symbols that share its section in the unit (the sections
 *    that function and data sections do not split: .data.once, __dyndbg,
 *    .init.text...) sit by name exactly as far from it as in the object;
 *    misplaced: one of them that the kernel names is not there;
 *  - against: another FILE (an ELF with FILE symbols), binding or kind
 *    (code or data), another size (data; a function can ship shorter, its
 *    jumps shortened by the assembler, but not longer), or misplaced.
 *
 * The unit's copy is the one candidate with evidence for it (anchored,
 * placed, of the unit's FILE, or the global of a global's name) that
 * nothing speaks against; among several, the one anchored or placed.
 * Otherwise it cannot be told, and kernel_symbols_sympos() names the
 * candidates left: never a guess.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "elf/elf_object.h"
#include "kernel/kernel_symbols.h"

struct ksym_unit {
	struct unit_sym *syms;	/* sorted by group and value */
	size_t nr;
	struct strmap by_name;	/* name -> struct unit_sym; &dup_name for a name used twice */
	bool (*linker_made)(const char *name);
};

static struct unit_sym dup_name;

/* How far a run is followed each way; how many of a section's symbols are checked. */
#define RUN_MAX 4096
#define PLACE_MAX 64
/* How many candidates a refusal names. */
#define NAMED_MAX 8

static int cmp_unit_sym(const void *a, const void *b)
{
	const struct unit_sym *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->value < y->value ? -1 : x->value > y->value;
}

void kernel_symbols_unit_free(struct kernel_symbols *ks)
{
	struct ksym_unit *u = ks->unit;

	if (!u)
		return;
	free(u->syms);
	strmap_free(&u->by_name);
	free(u);
	ks->unit = NULL;
}

void kernel_symbols_set_unit_syms(struct kernel_symbols *ks, const struct unit_sym *syms,
				  size_t nr, bool (*linker_made)(const char *name))
{
	struct ksym_unit *u = xcalloc(1, sizeof(*u));

	kernel_symbols_unit_free(ks);
	u->syms = xcalloc(nr + 1, sizeof(*u->syms));
	if (nr)
		memcpy(u->syms, syms, nr * sizeof(*syms));
	u->nr = nr;
	sort(u->syms, nr, sizeof(*u->syms), cmp_unit_sym);
	strmap_init(&u->by_name, nr);
	for (size_t i = 0; i < nr; i++) {
		void **slot = strmap_slot(&u->by_name, u->syms[i].name);

		*slot = *slot ? &dup_name : &u->syms[i];
	}
	u->linker_made = linker_made;
	ks->unit = u;
}

/* The symbols a unit's object gives kallsyms (no .L labels, sections or files). */
static bool unit_symbol(const struct elf_symbol *s)
{
	return s->sec && sym_has_name(s) && !starts_with(s->name, ".L") && s->name[0] != '$' &&
	       (s->type == STT_FUNC || s->type == STT_OBJECT || s->type == STT_NOTYPE ||
		s->type == STT_TLS);
}

void kernel_symbols_set_unit(struct kernel_symbols *ks, const struct elf_object *obj)
{
	uint32_t *named = xcalloc(obj->nr_sections + 1, sizeof(*named));
	struct unit_sym *syms = xcalloc(obj->nr_symbols + 1, sizeof(*syms));
	const struct elf_symbol *s;
	size_t n = 0;

	for_each_symbol(obj, s)
		if (unit_symbol(s))
			named[s->sec->index]++;
	for_each_symbol(obj, s) {
		if (!unit_symbol(s))
			continue;
		syms[n++] = (struct unit_sym){ .name = s->name, .value = s->value, .size = s->size,
					       .sec = s->sec->index, .index = s->index,
					       .group = named[s->sec->index] > 1 ? s->sec->index : 0,
					       .local = sym_is_local(s), .func = sym_is_func(s),
					       .data = s->type == STT_OBJECT || s->type == STT_TLS };
	}
	kernel_symbols_set_unit_syms(ks, syms, n, obj->arch->kernel.is_prefix_symbol);
	free(syms);
	free(named);
}

/* ---- evidence ------------------------------------------------------------ */

/* "core.c#2" names the second FILE symbol called core.c. */
static bool unit_matches(const char *file, const char *unit)
{
	size_t n = strcspn(unit, "#");

	return file && strlen(file) == n && !strncmp(file, unit, n);
}

/*
 * Which of two symbols of the unit the listing has first: by section and
 * offset (a section's functions and data are laid out in the order the
 * compiler emitted them, which the order of the object's function and data
 * sections keeps), or for a module by symbol table index (the linker keeps
 * each object's local symbols in their order).
 */
static int unit_order(const struct kernel_symbols *ks, const struct unit_sym *a,
		      const struct unit_sym *b)
{
	if (ks->symtab_order)
		return a->index < b->index ? -1 : a->index > b->index;
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	return a->value < b->value ? -1 : a->value > b->value;
}

/*
 * Does the run of entries around @k whose names the unit defines reach a
 * name the kernel has only once? The run ends at a name seen already (the
 * next unit's counters start over) and where the unit's order breaks (the
 * next unit's names the unit also has); it passes over what the link adds.
 */
static bool anchored(struct kernel_symbols *ks, const struct ksym *k, const struct unit_sym *us)
{
	const struct ksym_unit *u = ks->unit;
	uint32_t stamp = ++ks->stamp;

	if (!ks->seen || !stamp) {
		free(ks->seen);
		ks->seen = xcalloc(ks->nr + 1, sizeof(*ks->seen));
		stamp = ks->stamp = 1;
	}
	ks->seen[k->first->order] = stamp;
	for (int dir = -1; dir <= 1; dir += 2) {
		const struct unit_sym *prev = us;
		const struct ksym *at = k;
		size_t i = k->order;

		for (size_t steps = 0; steps < RUN_MAX; steps++) {
			const struct unit_sym *t;
			const struct ksym *n;

			if (dir < 0 ? i == 0 : i + 1 >= ks->nr)
				break;
			i = dir < 0 ? i - 1 : i + 1;
			n = ks->by_order[i];
			t = strmap_get(&u->by_name, n->name);
			/* 6.12's vmlinux gets its __pfx_ symbols at the link. */
			if (!t && u->linker_made && u->linker_made(n->name))
				continue;
			/* Entries at one address are listed in no particular order. */
			if (!t || t == &dup_name || ks->seen[n->first->order] == stamp ||
			    (unit_order(ks, prev, t) * dir > 0 &&
			     (n->addr != at->addr || n->shndx != at->shndx)))
				break;
			if (!n->first->next)
				return true;
			ks->seen[n->first->order] = stamp;
			prev = t;
			at = n;
		}
	}
	return false;
}

static int cmp_place(const void *a, const void *b)
{
	const struct ksym *x = *(const struct ksym *const *)a, *y = *(const struct ksym *const *)b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Is there an entry called @name at @addr of @shndx? */
static bool entry_at(struct kernel_symbols *ks, uint32_t shndx, uint64_t addr, const char *name)
{
	size_t lo = 0, hi = ks->nr;

	if (!ks->by_place) {
		ks->by_place = xcalloc(ks->nr + 1, sizeof(*ks->by_place));
		memcpy(ks->by_place, ks->by_order, ks->nr * sizeof(*ks->by_place));
		sort(ks->by_place, ks->nr, sizeof(*ks->by_place), cmp_place);
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ksym *m = ks->by_place[mid];

		if (m->shndx < shndx || (m->shndx == shndx && m->addr < addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ks->nr && ks->by_place[lo]->shndx == shndx && ks->by_place[lo]->addr == addr;
	     lo++)
		if (streq(ks->by_place[lo]->name, name))
			return true;
	return false;
}

/*
 * The unit's other symbols of @us's section, nearest first: how many the
 * kernel has at their place if @k is @us (*@hits), how many it names but
 * not there (*@misses).
 */
static void place(struct kernel_symbols *ks, const struct ksym *k, const struct unit_sym *us,
		  unsigned *hits, unsigned *misses)
{
	const struct ksym_unit *u = ks->unit;
	size_t at = (size_t)(us - u->syms), checked = 0;
	bool more = us->group != 0;

	*hits = *misses = 0;
	for (size_t d = 1; more && checked < PLACE_MAX; d++) {
		more = false;
		for (int side = 0; side < 2; side++) {
			const struct unit_sym *t;

			if (side ? at + d >= u->nr : d > at)
				continue;
			t = &u->syms[side ? at + d : at - d];
			if (t->group != us->group)
				continue;
			more = true;
			/* Not listed; or every copy's __pfx_, which tells none apart. */
			if (!strmap_get(&ks->by_name, t->name) ||
			    (u->linker_made && u->linker_made(t->name)))
				continue;
			checked++;
			if (entry_at(ks, k->shndx, k->addr - us->value + t->value, t->name))
				(*hits)++;
			else
				(*misses)++;
		}
	}
}

struct cand {
	const struct ksym *k;
	long pos;
	bool against;
	bool evidence;		/* of the unit's FILE, the global of that name, or located */
	bool located;		/* anchored or placed */
	bool sized;		/* of the unit's FILE and exactly its size (ELF listings) */
};

/* Can @k be the unit's @name (@us: the unit's symbol of that name, if one)? */
static void weigh(struct kernel_symbols *ks, struct cand *c, const struct unit_sym *us,
		  const char *unit, uint64_t size)
{
	const struct ksym *k = c->k;
	bool func = us ? us->func : k->func;
	unsigned hits = 0, misses = 0;

	/* An ELF's FILE symbols name the files of locals only. */
	if (ks->has_units && unit && k->local) {
		c->against = !unit_matches(k->unit, unit);
		c->evidence = !c->against;
		c->sized = c->evidence && size && k->size == size;
	}
	if (k->size && size && (func ? k->size > size : k->size != size))
		c->against = true;
	if (us && !k->absolute &&
	    (us->local != k->local || (us->func && !k->func) || (us->data && k->func)))
		c->against = true;
	if (c->against || !us)
		return;
	/* A global name is defined once: the unit's is the global one. */
	if (!us->local && !k->local && !k->absolute)
		c->evidence = true;
	place(ks, k, us, &hits, &misses);
	if (misses) {
		c->against = true;
		return;
	}
	c->located = hits || anchored(ks, k, us);
	c->evidence = c->evidence || c->located;
}

/*
 * The candidates for @name, weighed; the index of the unit's, or -1 when
 * it cannot be told: the one with evidence that nothing speaks against;
 * among several of the unit's FILE name (two core.c), the one located, else
 * the one of exactly the unit's size. One that only nothing speaks against
 * could still be another unit's. *@cands is malloc'ed.
 */
static long decide(struct kernel_symbols *ks, const struct ksym *first, const char *unit,
		   uint64_t size, struct cand **cands, size_t *nr)
{
	const struct unit_sym *us = ks->unit ? strmap_get(&ks->unit->by_name, first->name) : NULL;
	size_t n = 0, ev = 0, loc = 0, sized = 0, last_ev = 0, last_loc = 0, last_sized = 0;

	if (us == &dup_name)
		us = NULL;
	for (const struct ksym *k = first; k; k = k->next)
		n++;
	*cands = xcalloc(n, sizeof(**cands));
	*nr = n;
	n = 0;
	for (const struct ksym *k = first; k; k = k->next, n++) {
		struct cand *c = &(*cands)[n];

		c->k = k;
		c->pos = (long)n + 1;
		weigh(ks, c, us, unit, size);
		if (c->against || !c->evidence)
			continue;
		ev++, last_ev = n;
		if (c->located)
			loc++, last_loc = n;
		if (c->sized)
			sized++, last_sized = n;
	}
	if (ev == 1)
		return (long)last_ev;
	if (ev > 1 && loc == 1)
		return (long)last_loc;
	return ev > 1 && !loc && sized == 1 ? (long)last_sized : -1;
}

const struct ksym *kernel_symbols_find_local(struct kernel_symbols *ks, const char *name,
					     const char *unit, uint64_t size, long *sympos)
{
	const struct ksym *first = strmap_get(&ks->by_name, name), *pick = NULL;
	struct cand *cands;
	size_t nr;
	long i;

	*sympos = 0;
	if (!first || !first->next)
		return first;
	i = decide(ks, first, unit, size, &cands, &nr);
	if (i >= 0) {
		pick = cands[i].k;
		*sympos = cands[i].pos;
	}
	free(cands);
	return pick;
}

/* "sympos 2 at 0x...(after A, before B)" for each of the candidates @want picks. */
static char *name_candidates(const struct kernel_symbols *ks, const struct cand *cands,
			     size_t nr, bool (*want)(const struct cand *))
{
	char *list = xstrdup("");
	size_t named = 0, left = 0;

	for (size_t i = 0; i < nr; i++) {
		const struct ksym *k = cands[i].k;
		const char *before = k->order ? ks->by_order[k->order - 1]->name : "-";
		const char *after = k->order + 1 < ks->nr ? ks->by_order[k->order + 1]->name : "-";
		char *more;

		if (!want(&cands[i]))
			continue;
		if (named++ >= NAMED_MAX) {
			left++;
			continue;
		}
		more = xasprintf("%s%ssympos %ld at 0x%llx (after %s, before %s)", list,
				 *list ? "; " : "", cands[i].pos, (unsigned long long)k->addr, before,
				 after);
		free(list);
		list = more;
	}
	if (left) {
		char *more = xasprintf("%s; and %zu more", list, left);

		free(list);
		list = more;
	}
	return list;
}

static bool is_open(const struct cand *c)
{
	return !c->against;
}

static bool has_evidence(const struct cand *c)
{
	return !c->against && c->evidence;
}

static bool any_cand(const struct cand *c)
{
	return true;
}

long kernel_symbols_sympos(struct kernel_symbols *ks, const char *name, const char *unit,
			   uint64_t size)
{
	const struct ksym *first = strmap_get(&ks->by_name, name);
	const char *whose = unit ? unit : "the patched unit";
	size_t nr, ok = 0, ev = 0;
	struct cand *cands;
	char *list;
	long i;

	if (!first)
		return error(ks->path, "no symbol '%s' (is this the kernel the patch is for?)", name),
		       -1;
	if (!first->next)
		return 0;
	i = decide(ks, first, unit, size, &cands, &nr);
	if (i >= 0) {
		i = cands[i].pos;
		free(cands);
		return i;
	}
	for (size_t k = 0; k < nr; k++)
		ok += is_open(&cands[k]), ev += has_evidence(&cands[k]);
	if (!ok) {
		list = name_candidates(ks, cands, nr, any_cand);
		error(ks->path, "%zu symbols named '%s', and none can be %s's (file, binding, "
		      "size or the unit's symbols around it differ): %s", nr, name, whose, list);
	} else {
		list = name_candidates(ks, cands, nr, ev ? has_evidence : is_open);
		error(ks->path, "%zu symbols named '%s', and %s's other symbols do not tell which "
		      "one is its own: %zu could be: %s", nr, name, whose, ev ? ev : ok, list);
	}
	free(list);
	free(cands);
	return -1;
}
