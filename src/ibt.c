// SPDX-License-Identifier: GPL-2.0-or-later
#include "ibt.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The seal list: one s32 per entry, the landing's distance from the entry. */
static int read_seals(struct ibt_check *c)
{
	const struct image_section *sec = image_section(&c->im, c->arch->ibt_seal_section);
	const uint8_t *p;

	if (!sec)
		return 0;	/* nothing sealed (an IBT kernel without objtool's --ibt) */
	p = image_bytes(&c->im, sec->addr, sec->size);
	if (!p || sec->size % 4)
		return error(c->im.path, "section %s: cannot read its entries",
			     c->arch->ibt_seal_section);
	c->sealed = xcalloc(sec->size / 4 + 1, sizeof(*c->sealed));
	for (uint64_t off = 0; off < sec->size; off += 4) {
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
	if (!sec || !(sec->flags & SHF_EXECINSTR))
		return NULL;	/* data */
	code = image_bytes(&c->im, addr, c->arch->ibt_landing_len);
	if (!code || memcmp(code, c->arch->ibt_landing, c->arch->ibt_landing_len))
		return "it has no ENDBR";
	if (c->nr_sealed && bsearch(&addr, c->sealed, c->nr_sealed, sizeof(*c->sealed), cmp_u64))
		return "its ENDBR was sealed at boot (nothing in the kernel takes its address)";
	return NULL;
}
