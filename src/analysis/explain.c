// SPDX-License-Identifier: GPL-2.0-or-later
#include "analysis/explain.h"

#include <inttypes.h>
#include <string.h>

#include "analysis/checksum.h"
#include "base/util.h"

/* NAME, "unit:NAME", or a key ("foo.isra" for foo.isra.0). */
static struct elf_symbol *find_function(struct elf_object *obj, const char *spec)
{
	const char *colon = strrchr(spec, ':');
	const char *name = colon ? colon + 1 : spec;
	size_t unit_len = colon ? (size_t)(colon - spec) : 0;
	struct elf_symbol *sym, *found = NULL;

	for_each_symbol(obj, sym) {
		if (!sym_is_func(sym) || !sym->sec || !sym->size)
			continue;
		if (!streq(sym->name, name) && !streq(sym->key, name))
			continue;
		if (colon && (!sym->unit || strlen(sym->unit) != unit_len ||
			      strncmp(sym->unit, spec, unit_len)))
			continue;
		if (!found || streq(sym->name, name))
			found = sym;
	}
	return found;
}

/* A string literal for one line of output: escapes, at most @max bytes shown. */
static int quote(char *buf, size_t size, const char *s, size_t max)
{
	size_t n = 0;

	for (; *s && max && n + 5 < size; s++, max--) {
		if (*s == '\n' || *s == '\t' || *s == '"' || *s == '\\') {
			buf[n++] = '\\';
			buf[n++] = *s == '\n' ? 'n' : *s == '\t' ? 't' : *s;
		} else if ((unsigned char)*s < 0x20) {
			n += (size_t)snprintf(buf + n, size - n, "\\%03o", (unsigned char)*s);
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
	return (int)n;
}

/* What the relocations inside [start, end) of @sec point to, for a reader. */
static void describe_relocs(char *buf, size_t size, const struct elf_object *obj,
			    const struct elf_section *sec, uint64_t start, uint64_t end)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = elf_first_reloc(sec, start); i < sec->nr_relocs && sec->relocs[i].offset < end;
	     i++) {
		const struct elf_reloc *r = &sec->relocs[i];
		const struct elf_symbol *rs = elf_reloc_sym(obj, r);
		const struct elf_section *tsec = rs->sec;
		struct reloc_howto howto = elf_reloc_howto(obj, r);
		int w;

		uint64_t t = rs->value + (uint64_t)r->addend +
			     (howto.kind == RELOC_PCREL ? howto.width : 0);

		if (tsec && (tsec->sh->sh_flags & SHF_STRINGS) && tsec->data &&
		    t < tsec->sh->sh_size) {
			char str[128];

			quote(str, sizeof(str), (const char *)tsec->data + t, 40);
			w = snprintf(buf + n, size - n, " <\"%s\">", str);
		} else if (rs->type == STT_SECTION && tsec) {
			const struct elf_symbol *s = elf_symbol_containing(tsec, t);

			w = s ? snprintf(buf + n, size - n, " <%s%+" PRId64 ">", s->name,
					 r->addend - (int64_t)s->value) :
				snprintf(buf + n, size - n, " <%s%+" PRId64 ">", tsec->name, r->addend);
		} else {
			w = snprintf(buf + n, size - n, " <%s%+" PRId64 ">", rs->name, r->addend);
		}
		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
}

struct cursor {
	struct elf_object *obj;
	struct elf_symbol *sym;
	struct checksum_ctx ctx;
	uint64_t pos;
	char text[160];
	char refs[320];
	size_t len;
};

/* Decode the next instruction; its identity hash, or 0 at the end. */
static uint64_t next_insn(struct cursor *c)
{
	const struct elf_section *sec = c->sym->sec;
	uint64_t end = c->sym->value + c->sym->size;

	if (c->pos >= end || !sec->data)
		return 0;
	c->len = c->obj->arch->disasm(sec->data + c->pos, end - c->pos, c->pos - c->sym->value,
				      c->text, sizeof(c->text));
	if (!c->len) {
		snprintf(c->text, sizeof(c->text), "(bad) .byte 0x%02x", sec->data[c->pos]);
		c->len = 1;
	}
	describe_relocs(c->refs, sizeof(c->refs), c->obj, sec, c->pos, c->pos + c->len);
	return checksum_range(&c->ctx, c->sym->sec, c->pos, c->pos + c->len) | 1;
}

static void print_insn(FILE *fp, const char *side, const struct cursor *c)
{
	fprintf(fp, "  %-8s %s+%#" PRIx64 ": %s%s\n", side, c->sym->name, c->pos - c->sym->value,
		c->text, c->refs);
}

static void explain_rest(FILE *fp, struct cursor *o, struct cursor *p)
{
	size_t no, np;

	checksum_entries(&o->ctx, o->sym, &no);
	checksum_entries(&p->ctx, p->sym, &np);
	if (no != np)
		fprintf(fp, "  the instructions are the same; it owns %zu special-section entries "
			    "before and %zu after\n", no, np);
	else
		fprintf(fp, "  the instructions are the same; the difference is in what it owns: "
			    "special-section entries (alternatives, exception fixups, jump labels, "
			    "bug table flags) or its .cold/.part pieces\n");
}

int explain_function(FILE *fp, const char *name, struct elf_object *orig,
		     struct elf_object *patched)
{
	struct cursor o = { .obj = orig, .sym = find_function(orig, name) };
	struct cursor p = { .obj = patched, .sym = find_function(patched, name) };
	const struct sym_sums *so, *sp;
	size_t index = 0;

	if (!o.sym)
		return error(orig->path, "no function '%s'", name);
	if (!p.sym)
		return error(patched->path, "no function '%s'", name);
	checksum_init(&o.ctx, orig, false);
	checksum_init(&p.ctx, patched, false);
	so = checksum_symbol(&o.ctx, o.sym);
	sp = checksum_symbol(&p.ctx, p.sym);
	o.pos = o.sym->value;
	p.pos = p.sym->value;
	if (so->checksum == sp->checksum) {
		fprintf(fp, "%s: unchanged\n", name);
	} else {
		fprintf(fp, "%s: changed%s\n", name,
			so->linesum == sp->linesum ? " (only line numbers: ignored by diff)" : "");
		for (;; index++) {
			uint64_t ho = next_insn(&o), hp = next_insn(&p);

			if (!ho && !hp) {
				explain_rest(fp, &o, &p);
				break;
			}
			if (ho != hp) {
				fprintf(fp, "  first difference at instruction %zu:\n", index);
				if (ho)
					print_insn(fp, "orig", &o);
				else
					fprintf(fp, "  orig     (ends here)\n");
				if (hp)
					print_insn(fp, "patched", &p);
				else
					fprintf(fp, "  patched  (ends here)\n");
				break;
			}
			o.pos += o.len;
			p.pos += p.len;
		}
	}
	checksum_free(&o.ctx);
	checksum_free(&p.ctx);
	return 0;
}
