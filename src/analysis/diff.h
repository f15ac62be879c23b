/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Correlate the functions and objects of an original and a patched build and
 * decide for each whether it changed. Works on sums, so the same logic
 * serves objects, sums files and directories of objects.
 */
#ifndef KLPDIFF_DIFF_H
#define KLPDIFF_DIFF_H

#include <stdio.h>

#include "analysis/sums.h"

enum change {
	CHANGE_NONE,		/* paired, same checksum */
	CHANGE_CHANGED,		/* function whose code changed: patch it */
	CHANGE_NEW,
	CHANGE_REMOVED,
	CHANGE_DATA,		/* existing data whose initial value or layout changed */
	CHANGE_UNPATCHABLE,	/* changed, but replacing functions cannot patch it */
	CHANGE_IGNORED,		/* differs, but not functionally (with a reason) */
	CHANGE_UNPAIRED,	/* could not be correlated (with a reason) */
	NR_CHANGES
};

extern const char *const change_names[NR_CHANGES];

/*
 * How an original and a patched record were paired, tried in this order:
 * records of the same (unit, kind, key) group, then across units.
 */
enum pair_rule {
	PAIR_NONE,		/* not paired (new, removed, unpaired, special static) */
	PAIR_ALONE,		/* the only record of its group on each side */
	PAIR_BY_OWNER,		/* a static local: the one of the same user function */
	PAIR_BY_CHECKSUM,	/* a duplicate: the first one with the same checksum */
	PAIR_BY_POSITION,	/* the remaining duplicates, in object order */
	PAIR_ACROSS_UNITS,	/* alone in its (kind, key) group, unit aside */
	NR_PAIR_RULES
};

extern const char *const pair_rule_names[NR_PAIR_RULES];

struct diff_item {
	enum change change;
	const struct sum_record *orig;		/* NULL for new */
	const struct sum_record *patched;	/* NULL for removed */
	char *reason;				/* NULL or allocated */
	enum pair_rule rule;
	/*
	 * A new .part clone of a changed or new function (gcc's partial
	 * inlining split it out of this function): its parent's patched
	 * record. It stays CHANGE_NEW (extract copies it), but is reported
	 * with the parent, as the parent's .cold piece is.
	 */
	const struct sum_record *parent;
};

struct diff_result {
	struct diff_item *items;
	size_t nr, alloc;
};

/*
 * Append the verdicts for one pair of sum lists (each sorted with sums_sort).
 * Every pair gets an item, CHANGE_NONE for the unchanged ones.
 */
void diff_sums(struct diff_result *res, const struct sum_list *orig,
	       const struct sum_list *patched);
void diff_sort(struct diff_result *res);
/*
 * Text: one line per item, "CHANGE: UNIT:NAME", " (object)" for data, then
 * " (with new NAME.part.N, ...)" for a function a new .part clone was split
 * out of, and ": REASON". JSON: an object of arrays by change; such a
 * function's entry has "new_parts": [names], the clones no entry of their own.
 */
/* Does the result hold a functional change (diff(1)-style exit status 1)? */
bool diff_has_changes(const struct diff_result *res);
void diff_print(FILE *fp, const struct diff_result *res, bool json, bool verbose_output);
void diff_free(struct diff_result *res);

/* A static local that every patch must get fresh, never paired (__key, _rs, ...). */
bool is_special_static(enum sum_kind kind, const char *key);

#endif
