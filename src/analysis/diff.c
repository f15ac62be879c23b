// SPDX-License-Identifier: GPL-2.0-or-later
#include "analysis/diff.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/conventions.h"
#include "elf/names.h"
#include "base/strmap.h"
#include "base/util.h"

const char *const change_names[NR_CHANGES] = {
	[CHANGE_NONE] = "unchanged",	   [CHANGE_CHANGED] = "changed",
	[CHANGE_NEW] = "new",		   [CHANGE_REMOVED] = "removed",
	[CHANGE_DATA] = "data_changed",	   [CHANGE_UNPATCHABLE] = "unpatchable",
	[CHANGE_IGNORED] = "ignored",	   [CHANGE_UNPAIRED] = "unpaired",
};

const char *const pair_rule_names[NR_PAIR_RULES] = {
	[PAIR_NONE] = "not paired",
	[PAIR_ALONE] = "as the only one of its name",
	[PAIR_BY_OWNER] = "by the function using it",
	[PAIR_BY_CHECKSUM] = "by checksum among same-named",
	[PAIR_BY_POSITION] = "by position among same-named",
	[PAIR_ACROSS_UNITS] = "across units",
};

/* One side's records, grouped by (unit, kind, key). */
struct side {
	const struct sum_list *list;
	bool *paired;
	struct strmap groups;	/* group key -> struct group * */
	char **group_keys;
	size_t nr_groups;
};

struct group {
	size_t *idx;	/* record indexes, in object order */
	size_t nr, alloc;
};

bool is_special_static(enum sum_kind kind, const char *key)
{
	const char *dot = strrchr(key, '.');

	return kind == SUM_OBJECT && kernel_special_static(dot ? dot + 1 : key);
}

static char *group_key(const struct sum_record *r, bool with_unit)
{
	return xasprintf("%s\x01%d\x01%s", with_unit ? r->unit : "", (int)r->kind, r->key);
}

static void side_init(struct side *s, const struct sum_list *list)
{
	memset(s, 0, sizeof(*s));
	s->list = list;
	s->paired = xcalloc(list->nr, sizeof(*s->paired));
	strmap_init(&s->groups, list->nr);
}

static void side_group(struct side *s, bool with_unit)
{
	size_t alloc = 0;

	for (size_t i = 0; i < s->list->nr; i++) {
		const struct sum_record *r = &s->list->recs[i];
		struct group *g;
		char *key;
		void **slot;

		if (s->paired[i])
			continue;
		key = group_key(r, with_unit);
		slot = strmap_slot(&s->groups, key);
		if (!*slot) {
			*slot = xcalloc(1, sizeof(struct group));
			GROW(s->group_keys, s->nr_groups, alloc, s->nr_groups + 1);
			s->group_keys[s->nr_groups++] = key;
		} else {
			free(key);
		}
		g = *slot;
		GROW(g->idx, g->nr, g->alloc, g->nr + 1);
		g->idx[g->nr++] = i;
	}
}

static void side_ungroup(struct side *s)
{
	for (size_t i = 0; i < s->nr_groups; i++) {
		struct group *g = strmap_get(&s->groups, s->group_keys[i]);

		free(g->idx);
		free(g);
		free(s->group_keys[i]);
	}
	free(s->group_keys);
	s->group_keys = NULL;
	s->nr_groups = 0;
	strmap_free(&s->groups);
	strmap_init(&s->groups, s->list->nr);
}

static void side_free(struct side *s)
{
	side_ungroup(s);
	strmap_free(&s->groups);
	free(s->paired);
}

static struct diff_item *add_item(struct diff_result *res, enum change change,
				  const struct sum_record *o, const struct sum_record *p,
				  char *reason)
{
	struct diff_item *it;

	GROW(res->items, res->nr, res->alloc, res->nr + 1);
	it = &res->items[res->nr++];
	*it = (struct diff_item){ change, o, p, reason, PAIR_NONE, NULL };
	return it;
}

static void classify_pair(struct diff_result *res, const struct sum_record *o,
			  const struct sum_record *p)
{
	bool is_func = o->kind == SUM_FUNC;
	const char *life = o->flags & SUM_INIT ? "init" : o->flags & SUM_EXIT ? "exit" : NULL;

	if (o->checksum == p->checksum && o->size == p->size) {
		add_item(res, CHANGE_NONE, o, p, NULL);
		return;
	}
	if (is_func && name_is_cold_piece(o->key)) {
		add_item(res, CHANGE_NONE, o, p, NULL);	/* counted in its parent's checksum */
		return;
	}
	if (o->linesum == p->linesum && o->size == p->size) {
		add_item(res, CHANGE_IGNORED, o, p, xstrdup("only line numbers changed"));
		return;
	}
	if (!is_func && life) {
		add_item(res, CHANGE_IGNORED, o, p,
			 xasprintf("%s data: not used once the kernel is running", life));
		return;
	}
	if (life) {
		add_item(res, CHANGE_UNPATCHABLE, o, p,
			 xasprintf("__%s code changed: it %s, a live patch cannot change that; "
				   "leave it out of the patch, or do the work in a patch callback",
				   life, streq(life, "init") ? "already ran at boot" : "runs only at unload"));
		return;
	}
	if (!is_func) {
		add_item(res, CHANGE_DATA, o, p,
			 xstrdup(o->size != p->size ? "size changed" :
						       "initial value or relocations changed"));
		return;
	}
	add_item(res, CHANGE_CHANGED, o, p, NULL);
}

/* Pair two records and classify the pair (one item). */
static void pair(struct diff_result *res, struct side *os, size_t oi, struct side *ps, size_t pi,
		 enum pair_rule rule)
{
	os->paired[oi] = ps->paired[pi] = true;
	classify_pair(res, &os->list->recs[oi], &ps->list->recs[pi]);
	res->items[res->nr - 1].rule = rule;
}

/* Does @rule pair @o with @p (both of one group)? */
static bool rule_matches(enum pair_rule rule, const struct sum_record *o,
			 const struct sum_record *p)
{
	if (rule == PAIR_BY_OWNER)
		return !streq(o->owner, "-") && streq(o->owner, p->owner);
	return o->checksum == p->checksum;
}

/*
 * Pair within one group by @rule: by owner only where the match is unique,
 * by checksum with the first match.
 */
static void pair_matching(struct diff_result *res, struct side *os, struct group *og,
			  struct side *ps, struct group *pg, enum pair_rule rule)
{
	for (size_t i = 0; i < og->nr; i++) {
		const struct sum_record *o = &os->list->recs[og->idx[i]];
		size_t match = SIZE_MAX, count = 0;

		if (os->paired[og->idx[i]])
			continue;
		for (size_t k = 0; k < pg->nr; k++) {
			const struct sum_record *p = &ps->list->recs[pg->idx[k]];

			if (ps->paired[pg->idx[k]])
				continue;
			if (!rule_matches(rule, o, p))
				continue;
			if (!count++)
				match = k;
		}
		if (count == 1 || (rule == PAIR_BY_CHECKSUM && count))
			pair(res, os, og->idx[i], ps, pg->idx[match], rule);
	}
}

static size_t unpaired_count(const struct side *s, const struct group *g)
{
	size_t n = 0;

	for (size_t i = 0; i < g->nr; i++)
		n += !s->paired[g->idx[i]];
	return n;
}

/* Duplicates (same unit, kind and key): by user, by checksum, then by position. */
static void pair_group(struct diff_result *res, struct side *os, struct group *og,
		       struct side *ps, struct group *pg, bool with_unit)
{
	size_t on, pn;

	if (og->nr == 1 && pg->nr == 1) {
		pair(res, os, og->idx[0], ps, pg->idx[0],
		     with_unit ? PAIR_ALONE : PAIR_ACROSS_UNITS);
		return;
	}
	pair_matching(res, os, og, ps, pg, PAIR_BY_OWNER);
	pair_matching(res, os, og, ps, pg, PAIR_BY_CHECKSUM);
	on = unpaired_count(os, og);
	pn = unpaired_count(ps, pg);
	if (on != pn || !on)
		return;
	for (size_t i = 0, k = 0; i < og->nr; i++) {
		if (os->paired[og->idx[i]])
			continue;
		while (ps->paired[pg->idx[k]])
			k++;
		pair(res, os, og->idx[i], ps, pg->idx[k], PAIR_BY_POSITION);
	}
}

static void pair_groups(struct diff_result *res, struct side *os, struct side *ps, bool with_unit)
{
	side_group(os, with_unit);
	side_group(ps, with_unit);
	for (size_t i = 0; i < os->nr_groups; i++) {
		struct group *og = strmap_get(&os->groups, os->group_keys[i]);
		struct group *pg = strmap_get(&ps->groups, os->group_keys[i]);

		if (!pg)
			continue;
		/* Across units only where the unit is unknown or the symbol global. */
		if (!with_unit && !(og->nr == 1 && pg->nr == 1))
			continue;
		if (!with_unit) {
			const struct sum_record *o = &os->list->recs[og->idx[0]];
			const struct sum_record *p = &ps->list->recs[pg->idx[0]];

			if ((o->flags & p->flags & SUM_LOCAL) && !streq(o->unit, "-") &&
			    !streq(p->unit, "-"))
				continue;
		}
		pair_group(res, os, og, ps, pg, with_unit);
	}
	side_ungroup(os);
	side_ungroup(ps);
}

/* Special statics are never paired: a patch that uses one gets its own copy. */
static void set_aside_special_statics(struct diff_result *res, struct side *s, bool orig)
{
	for (size_t i = 0; i < s->list->nr; i++) {
		const struct sum_record *r = &s->list->recs[i];

		if (!is_special_static(r->kind, r->key))
			continue;
		s->paired[i] = true;
		if (!orig)
			add_item(res, CHANGE_IGNORED, NULL, r,
				 xstrdup("special static local: not correlated, a patch gets its own"));
	}
}

/* Records that stay unpaired: ambiguous duplicates, else new or removed. */
static void report_leftovers(struct diff_result *res, struct side *s, struct side *other,
			     bool orig)
{
	side_group(other, true);
	for (size_t i = 0; i < s->list->nr; i++) {
		const struct sum_record *r = &s->list->recs[i];
		char *key;
		struct group *g;

		if (s->paired[i])
			continue;
		if (r->kind == SUM_FUNC && name_is_cold_piece(r->key)) {
			add_item(res, CHANGE_IGNORED, orig ? r : NULL, orig ? NULL : r,
				 xstrdup(".cold piece: counted in its parent"));
			continue;
		}
		key = group_key(r, true);
		g = strmap_get(&other->groups, key);
		free(key);
		if (g && unpaired_count(other, g))
			add_item(res, CHANGE_UNPAIRED, orig ? r : NULL, orig ? NULL : r,
				 xasprintf("%zu unpaired symbols of this name on the other side; "
					   "cannot tell which is its twin", unpaired_count(other, g)));
		else
			add_item(res, orig ? CHANGE_REMOVED : CHANGE_NEW, orig ? r : NULL,
				 orig ? NULL : r, NULL);
	}
	side_ungroup(other);
}

static char *func_key(const char *unit, const char *key, size_t key_len)
{
	return xasprintf("%s\x01%.*s", unit, (int)key_len, key);
}

/*
 * A .part clone that only the patched side has belongs to the function it
 * was split out of, when that changed or is new: mark it with its parent
 * (items @from on, the ones this diff_sums() added).
 */
static void attach_new_parts(struct diff_result *res, size_t from)
{
	struct strmap parents;
	struct strmap_slot *slot;

	static const struct sum_record two;	/* two functions of that name: neither */

	strmap_init(&parents, res->nr - from);
	for (size_t i = from; i < res->nr; i++) {
		const struct diff_item *it = &res->items[i];
		const struct sum_record *r = it->patched;
		char *key;
		void **value;

		if (!r || r->kind != SUM_FUNC || (it->change != CHANGE_CHANGED &&
						  it->change != CHANGE_NEW &&
						  it->change != CHANGE_UNPATCHABLE))
			continue;
		key = func_key(r->unit, r->key, strlen(r->key));
		value = strmap_slot(&parents, key);
		if (*value)
			free(key);
		*value = *value ? (void *)&two : (void *)r;
	}
	for (size_t i = from; i < res->nr; i++) {
		struct diff_item *it = &res->items[i];
		const struct sum_record *r = it->patched;
		char *key;

		if (it->change != CHANGE_NEW || r->kind != SUM_FUNC || !name_is_part_piece(r->key))
			continue;
		key = func_key(r->unit, r->key, name_piece_parent_len(r->key));
		it->parent = strmap_get(&parents, key);
		if (it->parent == &two)
			it->parent = NULL;
		free(key);
	}
	strmap_for_each(&parents, slot)
		free((char *)slot->key);
	strmap_free(&parents);
}

void diff_sums(struct diff_result *res, const struct sum_list *orig,
	       const struct sum_list *patched)
{
	struct side os, ps;
	size_t from = res->nr;

	side_init(&os, orig);
	side_init(&ps, patched);
	set_aside_special_statics(res, &os, true);
	set_aside_special_statics(res, &ps, false);
	pair_groups(res, &os, &ps, true);
	pair_groups(res, &os, &ps, false);
	report_leftovers(res, &os, &ps, true);
	report_leftovers(res, &ps, &os, false);
	attach_new_parts(res, from);
	side_free(&os);
	side_free(&ps);
}

static const struct sum_record *item_record(const struct diff_item *it)
{
	return it->patched ? it->patched : it->orig;
}

static int cmp_item(const void *a, const void *b)
{
	const struct diff_item *x = a, *y = b;
	const struct sum_record *rx = item_record(x), *ry = item_record(y);
	int c;

	if (x->change != y->change)
		return (int)x->change - (int)y->change;
	if ((c = strcmp(rx->unit, ry->unit)) || (c = (int)rx->kind - (int)ry->kind) ||
	    (c = strverscmp(rx->name, ry->name)))
		return c;
	return (x->orig != NULL) - (y->orig != NULL);
}

void diff_sort(struct diff_result *res)
{
	sort(res->items, res->nr, sizeof(*res->items), cmp_item);
}

bool diff_has_changes(const struct diff_result *res)
{
	for (size_t i = 0; i < res->nr; i++)
		if (res->items[i].change != CHANGE_IGNORED && res->items[i].change != CHANGE_NONE)
			return true;
	return false;
}

/* The new .part clones reported with their parents, by parent, then by name. */
struct parts {
	const struct diff_item **v;
	size_t nr;
};

static int cmp_part(const void *a, const void *b)
{
	const struct diff_item *x = *(const struct diff_item *const *)a;
	const struct diff_item *y = *(const struct diff_item *const *)b;

	if (x->parent != y->parent)
		return (uintptr_t)x->parent < (uintptr_t)y->parent ? -1 : 1;
	return strverscmp(x->patched->name, y->patched->name);
}

static void parts_index(struct parts *p, const struct diff_result *res)
{
	p->v = xcalloc(res->nr + 1, sizeof(*p->v));
	p->nr = 0;
	for (size_t i = 0; i < res->nr; i++)
		if (res->items[i].parent)
			p->v[p->nr++] = &res->items[i];
	sort(p->v, p->nr, sizeof(*p->v), cmp_part);
}

/* The clones reported with @it: the first in @p, and how many in *@n. */
static const struct diff_item *const *parts_of(const struct parts *p, const struct diff_item *it,
					       size_t *n)
{
	size_t lo = 0, hi = p->nr;

	*n = 0;
	if (!it->patched)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)p->v[mid]->parent < (uintptr_t)it->patched)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + *n < p->nr && p->v[lo + *n]->parent == it->patched)
		(*n)++;
	return p->v + lo;
}

static void print_json_item(FILE *fp, const struct diff_item *it, const struct parts *p)
{
	const struct sum_record *r = item_record(it);
	const struct diff_item *const *part;
	size_t nr_parts;

	fputs("{\"name\": ", fp);
	json_string(fp, r->name);
	fputs(", \"unit\": ", fp);
	json_string(fp, r->unit);
	fprintf(fp, ", \"kind\": \"%s\"", sum_kind_name(r->kind));
	if (it->orig && it->patched && !streq(it->orig->name, it->patched->name)) {
		fputs(", \"orig_name\": ", fp);
		json_string(fp, it->orig->name);
	}
	if (it->change == CHANGE_IGNORED || it->change == CHANGE_UNPAIRED)
		fprintf(fp, ", \"side\": \"%s\"", it->patched ? it->orig ? "both" : "patched" : "orig");
	part = parts_of(p, it, &nr_parts);
	for (size_t k = 0; k < nr_parts; k++) {
		fputs(k ? ", " : ", \"new_parts\": [", fp);
		json_string(fp, part[k]->patched->name);
	}
	if (nr_parts)
		fputc(']', fp);
	if (it->reason) {
		fputs(", \"reason\": ", fp);
		json_string(fp, it->reason);
	}
	fputc('}', fp);
}

static void print_json(FILE *fp, const struct diff_result *res, const struct parts *p)
{
	fputs("{", fp);
	for (int c = CHANGE_CHANGED; c < NR_CHANGES; c++) {
		bool first = true;

		fprintf(fp, "%s\n  \"%s\": [", c == CHANGE_CHANGED ? "" : ",", change_names[c]);
		for (size_t i = 0; i < res->nr; i++) {
			const struct diff_item *it = &res->items[i];

			if (it->change != (enum change)c || it->parent)
				continue;
			fputs(first ? "\n    " : ",\n    ", fp);
			print_json_item(fp, it, p);
			first = false;
		}
		fputs(first ? "]" : "\n  ]", fp);
	}
	fputs("\n}\n", fp);
}

static void print_text_item(FILE *fp, const struct diff_item *it, const struct parts *p)
{
	const struct sum_record *r = item_record(it);
	const struct diff_item *const *part;
	size_t nr_parts;

	fprintf(fp, "%s: %s:%s", change_names[it->change], r->unit, r->name);
	if (r->kind == SUM_OBJECT)
		fputs(" (object)", fp);
	part = parts_of(p, it, &nr_parts);
	for (size_t k = 0; k < nr_parts; k++)
		fprintf(fp, "%s%s", k ? ", " : " (with new ", part[k]->patched->name);
	if (nr_parts)
		fputc(')', fp);
	if (it->reason)
		fprintf(fp, ": %s", it->reason);
	fputc('\n', fp);
}

void diff_print(FILE *fp, const struct diff_result *res, bool json, bool verbose_output)
{
	struct parts p;

	parts_index(&p, res);
	if (json)
		print_json(fp, res, &p);
	for (size_t i = 0; !json && i < res->nr; i++) {
		const struct diff_item *it = &res->items[i];

		if (it->change == CHANGE_NONE || it->parent ||
		    (it->change == CHANGE_IGNORED && !verbose_output))
			continue;
		print_text_item(fp, it, &p);
	}
	free(p.v);
}

void diff_free(struct diff_result *res)
{
	for (size_t i = 0; i < res->nr; i++)
		free(res->items[i].reason);
	free(res->items);
	memset(res, 0, sizeof(*res));
}
