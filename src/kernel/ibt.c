// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/ibt.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* The seal list: one s32 per entry, the landing's distance from the entry. */
#define SEAL_SIZE sizeof(int32_t)

static int read_seals(struct ibt_check *c)
{
	const struct image_section *sec = image_section(&c->im, c->arch->kernel.ibt_seal_section);
	const uint8_t *p;

	if (!sec)
		return 0;	/* nothing sealed (an IBT kernel without objtool's --ibt) */
	p = image_bytes(&c->im, sec->addr, sec->size);
	if (!p || sec->size % SEAL_SIZE)
		return error(c->im.path, "section %s: cannot read its entries",
			     c->arch->kernel.ibt_seal_section);
	c->sealed = xcalloc(sec->size / SEAL_SIZE + 1, sizeof(*c->sealed));
	for (uint64_t off = 0; off < sec->size; off += SEAL_SIZE) {
		int32_t disp = (int32_t)((uint32_t)p[off] | (uint32_t)p[off + 1] << 8 |
					 (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24);

		c->sealed[c->nr_sealed++] = sec->addr + off + (uint64_t)(int64_t)disp;
	}
	sort(c->sealed, c->nr_sealed, sizeof(*c->sealed), cmp_u64);
	return 0;
}

int ibt_open(struct ibt_check *c, const struct arch *arch, const char *image, const char *symbols)
{
	const struct ksym *text;

	memset(c, 0, sizeof(*c));
	c->arch = arch;
	if (image_open(&c->im, image) || kernel_symbols_read(&c->ks, symbols) || read_seals(c))
		return -1;
	text = kernel_symbols_at(&c->ks, "_text", 0);
	if (!text)
		text = kernel_symbols_at(&c->ks, "_stext", 0);
	if (text && c->im.text_start)
		c->slide = text->addr - c->im.text_start;
	return 0;
}

void ibt_close(struct ibt_check *c)
{
	image_close(&c->im);
	kernel_symbols_free(&c->ks);
	free(c->sealed);
}

const char *ibt_not_callable(const struct ibt_check *c, const char *name, long sympos)
{
	const struct ksym *k = kernel_symbols_at(&c->ks, name, sympos);
	const struct image_section *sec;
	const uint8_t *code;
	uint64_t addr;

	if (!k)
		return NULL;	/* extract has already said what it cannot find */
	addr = k->addr - c->slide;
	sec = image_section_at(&c->im, addr);
	/* Data: 7.x's vmlinux has an executable .data (WAX), no code in it. */
	if (!sec || !(sec->flags & SHF_EXECINSTR) || (sec->flags & SHF_WRITE))
		return NULL;
	code = image_bytes(&c->im, addr, c->arch->kernel.ibt_landing_len);
	if (!code || memcmp(code, c->arch->kernel.ibt_landing, c->arch->kernel.ibt_landing_len))
		return "it has no ENDBR";
	if (c->nr_sealed && bsearch(&addr, c->sealed, c->nr_sealed, sizeof(*c->sealed), cmp_u64))
		return "its ENDBR was sealed at boot (nothing in the kernel takes its address)";
	return NULL;
}

static int cmp_landing(const void *a, const void *b)
{
	const struct ibt_landing *x = a, *y = b;

	if (x->shndx != y->shndx)
		return x->shndx < y->shndx ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * The module's seal list, not yet applied: one 32-bit PC-relative relocation
 * an entry, whose target (S + A) is the landing the loader overwrites.
 */
static int read_module_seals(struct ibt_module *m)
{
	const struct elf_section *sec = elf_find_section(m->ko, m->arch->kernel.ibt_seal_section);

	if (!sec)
		return 0;
	m->sealed = xcalloc(sec->nr_relocs + 1, sizeof(*m->sealed));
	for (uint32_t i = 0; i < sec->nr_relocs; i++) {
		const struct elf_reloc *r = &sec->relocs[i];
		const struct elf_symbol *target = elf_reloc_sym(m->ko, r);
		struct reloc_howto howto = elf_reloc_howto(m->ko, r);

		if (howto.kind != RELOC_PCREL || howto.width != 4 || !target->sec)
			return error(m->ko->path, "section %s: entry at 0x%llx is no 32-bit "
				     "PC-relative reference to a landing", sec->name,
				     (unsigned long long)r->offset);
		m->sealed[m->nr_sealed++] = (struct ibt_landing){
			target->sec->index, target->value + (uint64_t)r->addend };
	}
	sort(m->sealed, m->nr_sealed, sizeof(*m->sealed), cmp_landing);
	return 0;
}

int ibt_module_open(struct ibt_module *m, const struct arch *arch, const char *ko,
		    const struct elf_layouts *target)
{
	memset(m, 0, sizeof(*m));
	m->arch = arch;
	if (!arch->kernel.ibt_landing || !arch->kernel.ibt_seal_section)
		return error(ko, "IBT: %s kernels have no indirect-branch tracking", arch->name);
	m->ko = elf_open(ko, target);
	if (!m->ko)
		return -1;
	if (read_module_seals(m)) {
		ibt_module_close(m);
		return -1;
	}
	return 0;
}

void ibt_module_close(struct ibt_module *m)
{
	if (m->ko)
		elf_close(m->ko);
	free(m->sealed);
	m->ko = NULL;
	m->sealed = NULL;
}

/* The module's symbol @name at livepatch position @sympos (kallsyms: symtab order). */
static const struct elf_symbol *module_symbol_at(const struct ibt_module *m, const char *name,
						 long sympos)
{
	long n = 0;

	for (const struct elf_symbol *s = elf_find_symbol(m->ko, name); s; s = s->next_same_name) {
		if (!s->sec || s->type == STT_SECTION || s->type == STT_FILE)
			continue;
		if (sympos == 0 || ++n == sympos)
			return s;
	}
	return NULL;
}

const char *ibt_module_not_callable(const struct ibt_module *m, const char *name, long sympos)
{
	const struct elf_symbol *s = module_symbol_at(m, name, sympos);
	struct ibt_landing at;

	if (!s || !s->sec->is_code || !s->sec->data)
		return NULL;	/* data, or not the module's (extract says what it cannot find) */
	if (s->value + m->arch->kernel.ibt_landing_len > s->sec->sh->sh_size ||
	    memcmp(s->sec->data + s->value, m->arch->kernel.ibt_landing, m->arch->kernel.ibt_landing_len))
		return "it has no ENDBR";
	at = (struct ibt_landing){ s->sec->index, s->value };
	if (m->nr_sealed && bsearch(&at, m->sealed, m->nr_sealed, sizeof(*m->sealed), cmp_landing))
		return "its ENDBR is sealed when the module loads (nothing in the module takes "
		       "its address)";
	return NULL;
}
