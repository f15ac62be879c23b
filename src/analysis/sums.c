// SPDX-License-Identifier: GPL-2.0-or-later
#include "analysis/sums.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "elf/arch.h"
#include "analysis/checksum.h"
#include "base/util.h"

unsigned section_lifetime(const struct arch *arch, const char *name)
{
	static const char *const init[] = { ".init.", ".head.text", ".meminit.", ".initcall",
					    ".con_initcall" };

	for (size_t i = 0; i < ARRAY_SIZE(init); i++)
		if (starts_with(name, init[i]))
			return SUM_INIT;
	for (const char *const *p = arch->kernel.init_sections; p && *p; p++)
		if (starts_with(name, *p))
			return SUM_INIT;
	if (starts_with(name, ".exit.") || starts_with(name, ".memexit."))
		return SUM_EXIT;
	return 0;
}

const char *sum_kind_name(enum sum_kind kind)
{
	return kind == SUM_FUNC ? "func" : "object";
}

static unsigned symbol_flags(const struct elf_object *obj, const struct elf_symbol *sym)
{
	unsigned bind = sym->bind == STB_LOCAL ? SUM_LOCAL : sym->bind == STB_WEAK ? SUM_WEAK : 0;

	return bind | section_lifetime(obj->arch, sym->sec->name);
}

/* FLAGS as the text form spells them. */
static const char *flags_text(unsigned flags)
{
	static const char *const text[3][3] = {
		{ "g", "g,init", "g,exit" },
		{ "l", "l,init", "l,exit" },
		{ "w", "w,init", "w,exit" },
	};

	return text[flags & SUM_LOCAL ? 1 : flags & SUM_WEAK ? 2 : 0]
		   [flags & SUM_INIT ? 1 : flags & SUM_EXIT ? 2 : 0];
}

/*
 * The binding letter, then ",init" or ",exit". Another suffix is read as no
 * lifetime, as it always was.
 */
static int parse_flags(const char *s, unsigned *flags)
{
	const char *binds = "glw";
	const char *b = *s ? strchr(binds, *s) : NULL;

	if (!b || (s[1] && s[1] != ','))
		return -1;
	*flags = b == binds + 1 ? SUM_LOCAL : b == binds + 2 ? SUM_WEAK : 0;
	if (s[1] && streq(s + 2, "init"))
		*flags |= SUM_INIT;
	else if (s[1] && streq(s + 2, "exit"))
		*flags |= SUM_EXIT;
	return 0;
}

/*
 * A vmlinux.o's symbols are checksummed by two threads, in alternate blocks
 * of BLOCK symbols (their cost varies along the table); small objects by one.
 */
#define BLOCK 1024
#define THREADED_FROM 50000

struct sums_half {
	struct checksum_ctx ctx;
	int parity;
};

static void checksum_blocks(struct checksum_ctx *ctx, int parity)
{
	struct elf_object *obj = ctx->obj;

	for (size_t i = (size_t)parity * BLOCK; i < obj->nr_symbols; i += 2 * BLOCK)
		for (size_t k = i; k < i + BLOCK && k < obj->nr_symbols; k++)
			if (checksum_wanted(obj, &obj->symbols[k]))
				checksum_symbol(ctx, &obj->symbols[k]);
}

static void *checksum_thread(void *arg)
{
	struct sums_half *h = arg;

	checksum_blocks(&h->ctx, h->parity);
	arch_cleanup();
	return NULL;
}

/* Checksum every wanted symbol; @second holds the odd blocks' sums when threaded. */
static bool checksum_all(struct checksum_ctx *ctx, struct sums_half *second)
{
	pthread_t thread;

	if (ctx->obj->nr_symbols < THREADED_FROM)
		goto alone;
	checksum_fork(&second->ctx, ctx);
	second->parity = 1;
	if (pthread_create(&thread, NULL, checksum_thread, second)) {
		checksum_fork_free(&second->ctx);
		goto alone;
	}
	checksum_blocks(ctx, 0);
	pthread_join(thread, NULL);
	return true;
alone:
	for (size_t i = 0; i < ctx->obj->nr_symbols; i++)
		if (checksum_wanted(ctx->obj, &ctx->obj->symbols[i]))
			checksum_symbol(ctx, &ctx->obj->symbols[i]);
	return false;
}

void sums_compute(struct sum_list *list, struct elf_object *obj, const char *unit_override)
{
	struct checksum_ctx ctx;
	struct sums_half second;
	struct elf_symbol *sym;
	size_t wanted = 0;
	bool threaded;

	/* Room for all records at once: doubling would leave up to half unused. */
	for_each_symbol(obj, sym)
		wanted += checksum_wanted(obj, sym);
	GROW(list->recs, list->nr, list->alloc, list->nr + wanted);
	checksum_init(&ctx, obj, false);
	threaded = checksum_all(&ctx, &second);
	for_each_symbol(obj, sym) {
		const struct sym_sums *ss;
		struct sum_record *rec;

		if (!checksum_wanted(obj, sym))
			continue;
		ss = checksum_symbol(threaded && (sym->index / BLOCK) % 2 ? &second.ctx : &ctx, sym);
		GROW(list->recs, list->nr, list->alloc, list->nr + 1);
		rec = &list->recs[list->nr++];
		rec->unit = unit_override ? unit_override : sym->unit ? sym->unit : "-";
		rec->kind = sym_is_func(sym) ? SUM_FUNC : SUM_OBJECT;
		rec->name = sym->name;
		rec->key = sym->key;
		rec->size = sym->size;
		rec->checksum = ss->checksum;
		rec->linesum = ss->linesum;
		rec->flags = symbol_flags(obj, sym);
		rec->owner = ss->owner ? obj->symbols[ss->owner].key : "-";
		rec->ordinal = sym->index;
		rec->sym = sym;
	}
	if (threaded)
		checksum_fork_free(&second.ctx);
	checksum_free(&ctx);
}

static int cmp_record(const void *a, const void *b)
{
	const struct sum_record *x = a, *y = b;
	int c;

	if ((c = strcmp(x->unit, y->unit)) || (c = strcmp(x->key, y->key)) ||
	    (c = (int)x->kind - (int)y->kind) || (c = strverscmp(x->name, y->name)))
		return c;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return x->checksum < y->checksum ? -1 : x->checksum > y->checksum;
}

void sums_sort(struct sum_list *list)
{
	sort(list->recs, list->nr, sizeof(*list->recs), cmp_record);
}

void sums_write(FILE *fp, const struct sum_list *list, bool json)
{
	if (!json)
		fprintf(fp, "%s\n", SUMS_HEADER);
	else
		fprintf(fp, "[");
	for (size_t i = 0; i < list->nr; i++) {
		const struct sum_record *r = &list->recs[i];

		if (!json) {
			fprintf(fp, "%s %s %s %s %" PRIu64 " %016" PRIx64 " %016" PRIx64 " %s %s\n",
				r->unit, sum_kind_name(r->kind), r->name, r->key, r->size,
				r->checksum, r->linesum, flags_text(r->flags), r->owner);
			continue;
		}
		fprintf(fp, "%s\n  {\"unit\": ", i ? "," : "");
		json_string(fp, r->unit);
		fprintf(fp, ", \"kind\": \"%s\", \"name\": ", sum_kind_name(r->kind));
		json_string(fp, r->name);
		fprintf(fp, ", \"key\": ");
		json_string(fp, r->key);
		fprintf(fp, ", \"size\": %" PRIu64 ", \"checksum\": \"%016" PRIx64
			    "\", \"linesum\": \"%016" PRIx64 "\", \"flags\": \"%s\", \"owner\": ",
			r->size, r->checksum, r->linesum, flags_text(r->flags));
		json_string(fp, r->owner);
		fputc('}', fp);
	}
	if (json)
		fprintf(fp, "%s]\n", list->nr ? "\n" : "");
}

bool sums_is_sums_file(const char *path)
{
	char buf[sizeof(SUMS_HEADER)];
	FILE *fp = fopen(path, "r");
	bool yes;

	if (!fp)
		return false;
	yes = fread(buf, 1, sizeof(buf) - 1, fp) == sizeof(buf) - 1 &&
	      !memcmp(buf, SUMS_HEADER, sizeof(buf) - 1);
	fclose(fp);
	return yes;
}

static int parse_hex64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 16);
	return *end || errno || strlen(s) != 16 ? -1 : 0;
}

static int parse_line(struct sum_record *r, char *line, size_t ordinal)
{
	char *field[9], *end, *save;
	size_t n = 0;

	for (char *tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (n == ARRAY_SIZE(field))
			return -1;
		field[n++] = tok;
	}
	if (n != ARRAY_SIZE(field))
		return -1;
	r->unit = field[0];
	r->name = field[2];
	r->key = field[3];
	r->owner = field[8];
	if (streq(field[1], "func"))
		r->kind = SUM_FUNC;
	else if (streq(field[1], "object"))
		r->kind = SUM_OBJECT;
	else
		return -1;
	if (parse_flags(field[7], &r->flags))
		return -1;
	errno = 0;
	r->size = strtoull(field[4], &end, 10);
	if (*end || errno)
		return -1;
	if (parse_hex64(field[5], &r->checksum) || parse_hex64(field[6], &r->linesum))
		return -1;
	r->ordinal = ordinal;
	r->sym = NULL;
	return 0;
}

int sums_read(struct sum_list *list, const char *path)
{
	char *text = read_file(path, NULL), *line, *next;
	size_t lineno = 1;

	if (!text)
		return error(path, "cannot read: %s", strerror(errno));
	list->text = text;
	if (!starts_with(text, SUMS_HEADER "\n"))
		return error(path, "not a klpdiff sums file (no '%s' header)", SUMS_HEADER);
	for (line = strchr(text, '\n') + 1; *line; line = next) {
		next = strchr(line, '\n');
		lineno++;
		if (!next)
			return error(path, "line %zu: truncated (no newline at end)", lineno);
		*next++ = '\0';
		if (line[0] == '#')
			continue;
		GROW(list->recs, list->nr, list->alloc, list->nr + 1);
		if (parse_line(&list->recs[list->nr], line, lineno))
			return error(path, "line %zu: malformed sums record", lineno);
		list->nr++;
	}
	return 0;
}

void sums_free(struct sum_list *list)
{
	free(list->recs);
	free(list->text);
	memset(list, 0, sizeof(*list));
}
