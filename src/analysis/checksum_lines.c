// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The line sum leaves out source line numbers: immediates loaded into a
 * line helper's line argument or a printk's %d in a format whose %s prints
 * __func__ or __FILE__, and "file.c:123" in strings. The helpers are the kernel's
 * conventions (analysis/conventions.h).
 */
#include <ctype.h>
#include <string.h>

#include "analysis/checksum_internal.h"
#include "analysis/conventions.h"
#include "base/util.h"

/* By a scan, not elf_find_symbol(): its name index would outweigh the rest of sums. */
void find_line_helpers(struct checksum_ctx *ctx)
{
	struct strmap lines = { 0 }, formats = { 0 };
	struct elf_symbol *sym;
	size_t nr_lines, nr_formats;
	const struct line_helper *lh = kernel_line_helpers(&nr_lines);
	const struct format_helper *fh = kernel_format_helpers(&nr_formats);

	ctx->line_args = xcalloc(ctx->obj->nr_symbols, 1);
	ctx->format_arg = xcalloc(ctx->obj->nr_symbols, 1);
	for (size_t i = 0; i < nr_lines; i++)
		*strmap_slot(&lines, lh[i].name) = (void *)&lh[i];
	for (size_t i = 0; i < nr_formats; i++)
		*strmap_slot(&formats, fh[i].name) = (void *)&fh[i];
	for_each_symbol(ctx->obj, sym) {
		const struct line_helper *l;
		const struct format_helper *f;

		if (!sym_has_name(sym))
			continue;
		l = strmap_get(&lines, sym->name);
		f = l ? NULL : strmap_get(&formats, sym->name);
		if (l)
			ctx->line_args[sym->index] = l->args;
		if (f)
			ctx->format_arg[sym->index] = f->format_arg + 1;
	}
	strmap_free(&lines);
	strmap_free(&formats);
}

/*
 * The length of the line number at @s[@i] if it follows a source file name
 * and a colon ("arch/x86/kvm/x86.c:8493": __FILE__ ":" __stringify(__LINE__),
 * as in FORTIFY's field-spanning warnings), else 0.
 */
static size_t line_in_string(const char *s, size_t len, size_t i)
{
	size_t n = 0;

	if (i < 4 || s[i - 1] != ':' || s[i - 3] != '.' || (s[i - 2] != 'c' && s[i - 2] != 'h') ||
	    !(isalnum((unsigned char)s[i - 4]) || strchr("_-/.", s[i - 4])))
		return 0;
	while (i + n < len && s[i + n] >= '0' && s[i + n] <= '9')
		n++;
	return n;
}

/*
 * Step over one conversion of a printk-style format at @c (just past its
 * '%'): flags, width, precision and length. Returns the conversion's
 * letter's position; *@args counts the '*' arguments it takes.
 */
static const char *conversion(const char *c, int *args)
{
	c += strspn(c, "-+ #0");
	*args += *c == '*', c += *c == '*' ? 1 : strspn(c, "0123456789");
	if (*c == '.') {
		c++;
		*args += *c == '*', c += *c == '*' ? 1 : strspn(c, "0123456789");
	}
	return c + strspn(c, "hlzjtL");
}

/*
 * Could format @s (a C string) print a source line: does it have a %s and
 * a %d, %i or %u? See format_line_args().
 */
static bool may_print_line(const char *s)
{
	bool str = false, num = false;
	int args = 0;

	for (const char *c = strchr(s, '%'); c; c = strchr(c, '%')) {
		if (*++c == '%') {
			c++;
			continue;
		}
		c = conversion(c, &args);
		str |= *c == 's';
		num |= *c && strchr("diu", *c);
		if (!*c)
			break;
	}
	return str && num;
}

void hash_string_at(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		    uint64_t t)
{
	struct hash_scratch *sc = ctx->scratch;
	const char *s = NULL;
	size_t len = 0, from = 0;

	/* @t comes from a relocation: past the section, there is no string (and no pointer). */
	if (sec->data && t < sec->sh->sh_size) {
		s = (const char *)sec->data + t;
		len = strnlen(s, sec->sh->sh_size - t);
	}
	put_token(st, TOKEN_STRING, sc->mask_lines ? 0 : len, 0);
	/* A format that may print __LINE__ ("%s:%d", "%s (%d)"): see format_line_args(). */
	if (len && (memmem(s, len, "s:%", 3) ||
		    (len < sec->sh->sh_size - t && memchr(s, '%', len) && may_print_line(s))))
		sc->saw_line_call = true;
	for (size_t i = 0; i < len; i++) {
		size_t n = line_in_string(s, len, i);

		if (!n)
			continue;
		sc->saw_line_call = true;
		if (!sc->mask_lines)
			break;
		XXH3_64bits_update(st, s + from, i - from);
		put_token(st, TOKEN_MASK, 0, 0);
		from = i + n;
		i += n - 1;
	}
	if (len > from)
		XXH3_64bits_update(st, s + from, len - from);
}

struct line_scan {
	struct checksum_ctx *ctx;
	const struct elf_section *sec;
	const struct elf_symbol *fn;
};

/* Where the relocation at @t + @field of *@sec points: its section (in *@sec) and offset. */
static uint64_t entry_field_target(const struct elf_object *obj, const struct elf_section **sec,
				   uint64_t t, unsigned field)
{
	size_t i = elf_first_reloc(*sec, t + field);
	const struct elf_reloc *r;

	if (i >= (*sec)->nr_relocs || (*sec)->relocs[i].offset != t + field) {
		*sec = NULL;
		return 0;
	}
	r = &(*sec)->relocs[i];
	t = reloc_target(obj, *sec, r, 0);
	*sec = elf_reloc_sym(obj, r)->sec;
	return t;
}

/* The string literal argument @arg was loaded with, or NULL. */
static const char *loaded_string(const struct line_scan *ls, const struct arg_loads *loads,
				 int arg)
{
	const struct elf_section *tsec;
	const struct elf_reloc *r;
	size_t i;
	uint64_t t;

	if (arg < 0 || arg >= 6 || !loads->size[arg])
		return NULL;
	i = elf_first_reloc(ls->sec, loads->field[arg]);
	if (i >= ls->sec->nr_relocs || ls->sec->relocs[i].offset != loads->field[arg])
		return NULL;
	r = &ls->sec->relocs[i];
	tsec = elf_reloc_sym(ls->ctx->obj, r)->sec;
	t = reloc_target(ls->ctx->obj, ls->sec, r, loads->insn_end[arg]);
	/*
	 * Loaded from an address table (ppc64's large code model): the entry's
	 * target. A special-section entry with a format (7.x's bug entry,
	 * which WARN() passes to __WARN_trap): that format.
	 */
	if (tsec && elf_is_address_table(ls->ctx->obj, tsec))
		t = entry_field_target(ls->ctx->obj, &tsec, t, 0);
	else if (tsec && tsec->special && tsec->special->format_field && !tsec->is_code)
		t = entry_field_target(ls->ctx->obj, &tsec, t - t % tsec->special->entry_size,
				       tsec->special->format_field);
	/* Literals are merged strings; gcc's __func__ is an object in .rodata. */
	if (!tsec || tsec->is_code || !tsec->data || t >= tsec->sh->sh_size ||
	    !memchr(tsec->data + t, '\0', tsec->sh->sh_size - t))
		return NULL;
	return (const char *)tsec->data + t;
}

/* Is @s __func__ of the function being hashed, or __FILE__ of its unit? */
static bool names_this_place(const struct line_scan *ls, const char *s)
{
	const char *name = ls->fn->name, *unit = ls->fn->unit;
	size_t len = strcspn(name, "."), slen = strlen(s), ulen = unit ? strlen(unit) : 0;

	if (slen == len && !strncmp(s, name, len))
		return true;
	return ulen && slen >= ulen && streq(s + slen - ulen, unit) &&
	       (slen == ulen || s[slen - ulen - 1] == '/');
}

/*
 * A printk-style format that prints __func__ or __FILE__ with a %s prints
 * __LINE__ with its %d, %i or %u, wherever they are: "%s:%d", ASSERT_RTNL()'s
 * "RTNL: assertion failed at %s (%d)\n". Returns those arguments (bit N:
 * argument N), or 0 if no %s is fed by this function's name or file.
 */
static unsigned format_line_args(const struct line_scan *ls, const struct arg_loads *loads,
				 int fmt)
{
	const char *f = loaded_string(ls, loads, fmt);
	unsigned numbers = 0;
	bool place = false;
	int arg = fmt + 1;

	for (const char *c = f; c && *c; c++) {
		if (*c != '%' || *++c == '%')
			continue;
		c = conversion(c, &arg);
		if (!*c)
			break;
		if (strchr("diu", *c) && arg < 8)
			numbers |= 1u << arg;
		if (*c == 's' && names_this_place(ls, loaded_string(ls, loads, arg) ?: ""))
			place = true;
		if (*c == 'p')
			c += strspn(c + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
		arg++;
	}
	return place ? numbers : 0;
}

static unsigned line_args_at(void *arg, uint64_t field, const struct arg_loads *loads)
{
	struct line_scan *ls = arg;
	size_t i = elf_first_reloc(ls->sec, field);
	const struct elf_symbol *callee;
	unsigned args;

	if (i >= ls->sec->nr_relocs || ls->sec->relocs[i].offset != field)
		return 0;
	callee = elf_reloc_sym(ls->ctx->obj, &ls->sec->relocs[i]);
	args = ls->ctx->line_args[callee->index];
	if (ls->ctx->format_arg[callee->index])
		args |= format_line_args(ls, loads, ls->ctx->format_arg[callee->index] - 1);
	return args;
}

static void add_line_mask(void *arg, uint64_t imm_field, unsigned imm_size)
{
	struct hash_scratch *sc = ((struct line_scan *)arg)->ctx->scratch;

	GROW(sc->lines, sc->nr_lines, sc->alloc_lines, sc->nr_lines + 1);
	sc->lines[sc->nr_lines++] = (struct hole){ imm_field, imm_size, HOLE_MASK, NULL, 0, 0, 0, 0 };
}

void find_line_masks(struct checksum_ctx *ctx, struct elf_symbol *sym)
{
	struct line_scan ls = { ctx, sym->sec, sym };

	ctx->obj->arch->scan_line_args(sym->sec->data + sym->value, sym->size, sym->value,
				       line_args_at, add_line_mask, &ls);
}
