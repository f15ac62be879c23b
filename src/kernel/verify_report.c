// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The refusal, when a function of the original is not the shipped one: one
 * line naming the instruction on each side, and that must show what
 * differs. The two instructions can read alike: a branch the assembler
 * resolved goes as far on both sides but into another symbol, two encodings
 * of one instruction (89 f8 and 8b c7 are both mov eax, edi), strings that
 * part after what a message quotes. Then the line also says where each
 * branch lands, or the bytes.
 */
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "kernel/verify_internal.h"

/*
 * Strings in a message: at most QUOTE_MAX bytes of each; when two share
 * more, from QUOTE_LEAD bytes before where they part.
 */
enum { QUOTE_MAX = 40, QUOTE_LEAD = 20 };
/* The longest instruction of the architectures klpdiff reads (x86-64: 15 bytes). */
enum { INSN_MAX = 16 };

/* @s (at most @max bytes) from byte @from, quoted, escaped as in C (a message is one line). */
static char *quote_from(const char *s, size_t max, size_t from)
{
	size_t n = strnlen(s, max);
	char buf[4 * QUOTE_MAX + 16], *p = buf;	/* 4: the longest escape, "\001" */

	p += sprintf(p, "%s\"", from ? "..." : "");
	for (size_t i = from; i < n && i < from + QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			p += sprintf(p, "\\%c", ch);
		else if (ch == '\n')
			p += sprintf(p, "\\n");
		else if (ch == '\t')
			p += sprintf(p, "\\t");
		else if (ch < ' ' || ch == 0x7f)	/* control characters */
			p += sprintf(p, "\\%03o", ch);
		else
			*p++ = (char)ch;
	}
	sprintf(p, "\"%s", n > from + QUOTE_MAX ? "..." : "");
	return xstrdup(buf);
}

char *quoted(const char *s, size_t max)
{
	return quote_from(s, max, 0);
}

void quote_pair(const char *a, size_t amax, const char *b, size_t bmax, char **qa, char **qb)
{
	size_t an = strnlen(a, amax), bn = strnlen(b, bmax), n = 0, from;

	while (n < an && n < bn && a[n] == b[n])
		n++;
	from = n < QUOTE_MAX ? 0 : n - QUOTE_LEAD;
	*qa = quote_from(a, an, from);
	*qb = quote_from(b, bn, from);
}

char *target_name(const struct elf_object *obj, const struct elf_reloc *r)
{
	const struct elf_symbol *t = elf_reloc_sym(obj, r);
	struct reloc_howto h = elf_reloc_howto(obj, r);
	int64_t off = r->addend + (h.kind == RELOC_PCREL ? obj->arch->pcrel_field_bias : 0);
	const char *str;
	size_t max;

	if ((str = reloc_string(obj, r, &max)))
		return quoted(str, max);
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

/* The first relocation of @fn in its bytes [@pos, @pos + @len), or NULL. */
static const struct elf_reloc *reloc_in(const struct elf_symbol *fn, uint64_t pos, size_t len)
{
	const struct elf_section *sec = fn->sec;
	size_t i = elf_first_reloc(sec, fn->value + pos);

	if (i >= sec->nr_relocs || sec->relocs[i].offset >= fn->value + pos + len)
		return NULL;
	return &sec->relocs[i];
}

/*
 * One instruction of the original, relocated operands by name: @m's
 * site by @expected, which the caller may have said better.
 */
static void describe_built(const struct elf_object *obj, const struct elf_symbol *fn,
			   uint64_t pos, size_t len, const char *text, const struct mismatch *m,
			   const char *expected, char *buf, size_t size)
{
	const struct elf_reloc *r = reloc_in(fn, pos, len);
	char *name;

	if (!r) {
		snprintf(buf, size, "%s", text);
		return;
	}
	name = r == m->reloc && expected ? xstrdup(expected) : target_name(obj, r);
	/* A branch reads best as "call seq_puts"; anything else keeps its operands. */
	if (text[0] == 'j' || starts_with(text, "call") ||
	    (obj->arch->local_entry && obj->arch->field_is_branch(fn->sec->data, r->offset)))
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

/* One instruction at @code, disassembled at @addr; its length (a byte that is none: 1). */
static size_t disasm_one(const struct arch *arch, const uint8_t *code, uint64_t avail,
			 uint64_t addr, char *text, size_t size)
{
	size_t len = arch->disasm(code, avail, addr, text, size);

	if (!len) {
		snprintf(text, size, ".byte 0x%02x", code[0]);
		len = 1;
	}
	trim_end(text);
	return len;
}

/* The instruction of @fn holding byte @off: its offset; its length in *@len. */
static uint64_t built_insn(const struct elf_object *obj, const struct elf_symbol *fn,
			   uint64_t off, uint64_t addr, size_t *len, char *text, size_t size)
{
	const uint8_t *built = fn->sec->data + fn->value;
	uint64_t pos = 0;

	while (pos < fn->size) {
		*len = disasm_one(obj->arch, built + pos, fn->size - pos, addr + pos, text, size);
		if (pos + *len > off)
			return pos;
		pos += *len;
	}
	snprintf(text, size, "(end)");
	*len = 0;
	return pos;
}

/*
 * Does the original's instruction read as the shipped one once its
 * relocated fields hold the shipped values? Then the two texts cannot
 * show what differs.
 */
static bool reads_alike(const struct elf_object *obj, const struct elf_symbol *fn, uint64_t pos,
			size_t len, const uint8_t *shipped, uint64_t addr, const char *stext)
{
	const struct elf_section *sec = fn->sec;
	uint8_t buf[INSN_MAX];
	char text[160];

	if (!len || len > sizeof(buf))
		return false;
	memcpy(buf, sec->data + fn->value + pos, len);
	for (size_t i = elf_first_reloc(sec, fn->value + pos); i < sec->nr_relocs; i++) {
		const struct elf_reloc *r = &sec->relocs[i];
		struct reloc_howto h = elf_reloc_howto(obj, r);
		uint64_t at = r->offset - fn->value - pos, fm = field_mask(h);

		if (at >= len)
			break;
		for (unsigned b = 0; b < h.width && at + b < len; b++) {
			unsigned byte = obj->arch->elf_data == ELFDATA2LSB ? b : h.width - 1u - b;
			uint8_t bits = (uint8_t)(fm >> (8 * byte));

			buf[at + b] = (uint8_t)((buf[at + b] & ~bits) | (shipped[at + b] & bits));
		}
	}
	if (!obj->arch->disasm(buf, len, addr, text, sizeof(text)))
		return false;
	trim_end(text);
	return streq(text, stext);
}

struct branch_target {
	bool found;
	uint64_t target;
};

static void note_target(const struct insn_ref *ref, void *ctx)
{
	struct branch_target *t = ctx;

	if (ref->branch && !t->found)
		*t = (struct branch_target){ true, ref->target };
}

/*
 * A branch the assembler resolved, on both sides (@len bytes built, @slen
 * shipped): append where each lands, by name, to @btext and @stext (@size
 * bytes each), since the built one shows an address of the shipped layout.
 * False if that shows no difference.
 */
static bool name_landings(struct verify_ctx *c, const struct elf_symbol *fn,
			  const struct shipped_fn *sf, uint64_t pos, size_t len, uint64_t spos,
			  size_t slen, char *btext, char *stext, size_t size)
{
	const struct arch *arch = c->obj->arch;
	struct branch_target bt = { 0 }, st = { 0 };
	char built[320], *shipped;
	bool differ;

	if (reloc_in(fn, pos, len))
		return false;
	arch->scan_refs(fn->sec->data + fn->value + pos, len, fn->value + pos, note_target, &bt);
	arch->scan_refs(sf->code + spos, slen, sf->base + spos, note_target, &st);
	if (!bt.found || !st.found ||
	    !place_identity(fn->sec, (int64_t)bt.target, built, sizeof(built)))
		return false;
	shipped = sf->ko ? module_place_name(sf, st.target) : vmlinux_place_name(c, st.target);
	differ = shipped && !streq(built, shipped);
	if (differ) {
		snprintf(btext + strlen(btext), size - strlen(btext), " <%s>", built);
		snprintf(stext + strlen(stext), size - strlen(stext), " <%s>", shipped);
	}
	free(shipped);
	return differ;
}

/* " (bytes 8b c7)": @len bytes of @code, after the text in @buf (@size bytes). */
static void append_bytes(char *buf, size_t size, const uint8_t *code, size_t len)
{
	size_t n = strlen(buf);

	n += (size_t)snprintf(buf + n, size - n, " (bytes");
	for (size_t i = 0; i < len && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, " %02x", code[i]);
	if (n < size)
		snprintf(buf + n, size - n, ")");
}

/*
 * The instruction holding the first differing byte, on each side, both
 * disassembled at the shipped address; and when they read alike, where
 * their branches land or their bytes.
 */
int report_mismatch(struct verify_ctx *c, const struct elf_symbol *fn,
		    const struct shipped_fn *sf, const struct mismatch *m, const char *where,
		    const char *expected, const char *shipped_name)
{
	const struct elf_object *obj = c->obj;
	char btext[1024], stext[1024] = "(end)", bdesc[1024], bbytes[80] = "", sbytes[80] = "";
	size_t len, slen = 0;
	uint64_t pos, spos;
	bool alike, shown = false;

	pos = built_insn(obj, fn, m->off, sf->base, &len, btext, sizeof(btext));
	spos = pos + (uint64_t)m->delta;
	if (spos < sf->size)
		slen = disasm_one(obj->arch, sf->code + spos, sf->size - spos, sf->base + spos,
				  stext, sizeof(stext));
	alike = len == slen &&
		reads_alike(obj, fn, pos, len, sf->code + spos, sf->base + spos, stext);
	if (!m->reloc)
		shown = name_landings(c, fn, sf, pos, len, spos, slen, btext, stext, sizeof(stext));
	else
		shown = !shipped_name || !expected || !streq(expected, shipped_name);
	if (alike && !shown) {
		append_bytes(bbytes, sizeof(bbytes), fn->sec->data + fn->value + pos, len);
		append_bytes(sbytes, sizeof(sbytes), sf->code + spos, slen);
	}
	if (shipped_name)
		snprintf(stext + strlen(stext), sizeof(stext) - strlen(stext), " <%s>",
			 shipped_name);
	describe_built(obj, fn, pos, len, btext, m, expected, bdesc, sizeof(bdesc));
	c->st->mismatched++;
	return error(c->o->display, "%s+0x%llx: built '%s'%s but %s has '%s'%s%s%s%s: the source, "
		     "config or compiler differs from what built this kernel (--no-verify skips "
		     "this check)", fn->name, (unsigned long long)pos, bdesc, bbytes, where, stext,
		     sbytes, expected ? " (not " : "", expected ? expected : "",
		     expected ? ")" : "");
}
