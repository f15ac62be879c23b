// SPDX-License-Identifier: GPL-2.0-or-later
#include "sums.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "util.h"

void sums_compute(struct sum_list *list, struct elf_object *obj)
{
	struct checksum_ctx ctx;
	struct elf_symbol *sym;

	checksum_init(&ctx, obj);
	for_each_symbol(obj, sym) {
		struct sum_record *rec;

		if (!checksum_wanted(obj, sym))
			continue;
		GROW(list->recs, list->nr, list->alloc, list->nr + 1);
		rec = &list->recs[list->nr++];
		rec->unit = sym->unit ? sym->unit : "-";
		rec->kind = sym_is_func(sym) ? "func" : "object";
		rec->name = sym->name;
		rec->key = sym->key;
		rec->size = sym->size;
		rec->checksum = checksum_symbol(&ctx, sym);
		rec->sym = sym;
	}
	checksum_free(&ctx);
}

static int cmp_record(const void *a, const void *b)
{
	const struct sum_record *x = a, *y = b;
	int c;

	if ((c = strcmp(x->unit, y->unit)) || (c = strcmp(x->key, y->key)) ||
	    (c = strcmp(x->kind, y->kind)) || (c = strcmp(x->name, y->name)))
		return c;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return x->checksum < y->checksum ? -1 : x->checksum > y->checksum;
}

void sums_sort(struct sum_list *list)
{
	qsort(list->recs, list->nr, sizeof(*list->recs), cmp_record);
}

static void json_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
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
			fprintf(fp, "%s %s %s %s %" PRIu64 " %016" PRIx64 "\n", r->unit, r->kind,
				r->name, r->key, r->size, r->checksum);
			continue;
		}
		fprintf(fp, "%s\n  {\"unit\": ", i ? "," : "");
		json_string(fp, r->unit);
		fprintf(fp, ", \"kind\": \"%s\", \"name\": ", r->kind);
		json_string(fp, r->name);
		fprintf(fp, ", \"key\": ");
		json_string(fp, r->key);
		fprintf(fp, ", \"size\": %" PRIu64 ", \"checksum\": \"%016" PRIx64 "\"}", r->size,
			r->checksum);
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

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t len = 0, alloc = 0, n;
	char *buf = NULL;

	if (!fp) {
		error(path, "cannot open: %s", strerror(errno));
		return NULL;
	}
	do {
		GROW(buf, len, alloc, len + 65536);
		n = fread(buf + len, 1, alloc - len - 1, fp);
		len += n;
	} while (n);
	buf[len] = '\0';
	fclose(fp);
	return buf;
}

static int parse_line(struct sum_record *r, char *line)
{
	char *field[6], *end;
	size_t n = 0;

	for (char *tok = strtok(line, " "); tok && n < 6; tok = strtok(NULL, " "))
		field[n++] = tok;
	if (n != 6 || strtok(NULL, " "))
		return -1;
	r->unit = field[0];
	r->kind = field[1];
	r->name = field[2];
	r->key = field[3];
	if (!streq(r->kind, "func") && !streq(r->kind, "object"))
		return -1;
	errno = 0;
	r->size = strtoull(field[4], &end, 10);
	if (*end || errno)
		return -1;
	r->checksum = strtoull(field[5], &end, 16);
	if (*end || errno || strlen(field[5]) != 16)
		return -1;
	r->sym = NULL;
	return 0;
}

int sums_read(struct sum_list *list, const char *path)
{
	char *text = slurp(path), *line, *next;
	size_t lineno = 1;

	if (!text)
		return -1;
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
		if (parse_line(&list->recs[list->nr], line))
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
