// SPDX-License-Identifier: GPL-2.0-or-later
#include "build/includes.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strmap.h"
#include "base/util.h"

/* Directories of a source tree that no kernel unit is compiled from. */
static const char *const skipped_dirs[] = { ".git", "Documentation", "tools", "samples",
					    "scripts", "usr" };

struct scan {
	const char *src;
	char *dirs[4];			/* the kernel's -I directories, in order */
	FILE *out;			/* "INCLUDER\tHEADER" lines */
	struct strmap angle;		/* <name> -> resolved path + 1, or (void *)1: none */
	struct strlist owned;		/* keys and values of @angle */
};

static bool exists_in(const char *src, const char *rel)
{
	char *path = xasprintf("%s/%s", src, rel);
	struct stat st;
	bool yes = !stat(path, &st) && S_ISREG(st.st_mode);

	free(path);
	return yes;
}

bool include_path_normalize(char *path)
{
	char *copy = xstrdup(path), *save, *part;
	size_t len = 0;
	bool ok = true;

	path[0] = '\0';
	for (part = strtok_r(copy, "/", &save); ok && part; part = strtok_r(NULL, "/", &save)) {
		if (streq(part, "."))
			continue;
		if (streq(part, "..")) {
			char *slash = strrchr(path, '/');

			ok = len > 0;
			len = slash ? (size_t)(slash - path) : 0;
			path[len] = '\0';
			continue;
		}
		len += (size_t)sprintf(path + len, "%s%s", len ? "/" : "", part);
	}
	free(copy);
	return ok;
}

/* <name>: the kernel's include directories, in -I order; NULL if not in the tree. */
static const char *resolve_angle(struct scan *sc, const char *name)
{
	void *known = strmap_get(&sc->angle, name);
	char *key;
	void **slot;

	if (known)
		return known == (void *)1 ? NULL : known;
	key = xstrdup(name);
	strlist_add(&sc->owned, key);
	slot = strmap_slot(&sc->angle, key);
	*slot = (void *)1;
	for (size_t i = 0; i < ARRAY_SIZE(sc->dirs); i++) {
		char *rel = xasprintf("%s/%s", sc->dirs[i], name);

		if (exists_in(sc->src, rel)) {
			strlist_add(&sc->owned, rel);
			*slot = rel;
			break;
		}
		free(rel);
	}
	return *slot == (void *)1 ? NULL : *slot;
}

/* "name" first from the including file's directory, then as <name>. */
static void record_include(struct scan *sc, const char *file, const char *name, bool quoted)
{
	const char *slash = strrchr(file, '/');
	const char *found = NULL;
	char *local = NULL;

	if (quoted) {
		local = slash ? xasprintf("%.*s/%s", (int)(slash - file), file, name) : xstrdup(name);
		if (include_path_normalize(local) && exists_in(sc->src, local))
			found = local;
	}
	if (!found)
		found = resolve_angle(sc, name);
	if (found)
		fprintf(sc->out, "%s\t%s\n", file, found);
	free(local);
}

void include_names(const char *text, include_fn *fn, void *ctx)
{
	for (const char *line = text; line && *line;) {
		const char *end = line + strcspn(line, "\n"), *p = line + strspn(line, " \t");

		if (*p == '#') {
			p += 1 + strspn(p + 1, " \t");
			if (!strncmp(p, "include", 7)) {
				p += 7 + strspn(p + 7, " \t");
				if ((*p == '<' || *p == '"') && memchr(p + 1, *p == '<' ? '>' : '"',
								       (size_t)(end - p - 1))) {
					char close[2] = { *p == '<' ? '>' : '"', '\0' };
					char *name = xstrndup(p + 1, strcspn(p + 1, close));

					fn(ctx, name, *close == '"');
					free(name);
				}
			}
		}
		line = *end ? end + 1 : end;
	}
}

struct file_scan {
	struct scan *sc;
	const char *file;
};

static void record_name(void *ctx, const char *name, bool quoted)
{
	struct file_scan *fs = ctx;

	record_include(fs->sc, fs->file, name, quoted);
}

/* Every #include line of @file (relative to the tree). */
static void scan_file(struct scan *sc, const char *file)
{
	char *path = xasprintf("%s/%s", sc->src, file), *text = read_file(path, NULL);
	struct file_scan fs = { sc, file };

	include_names(text, record_name, &fs);
	free(text);
	free(path);
}

static bool skipped(const char *rel)
{
	for (size_t i = 0; i < ARRAY_SIZE(skipped_dirs); i++)
		if (streq(rel, skipped_dirs[i]))
			return true;
	return false;
}

static int scan_entry(void *ctx, const char *rel, const char *name, unsigned char type)
{
	if (name[0] == '.' || (type == DT_DIR && skipped(rel)))
		return WALK_SKIP;
	if (type == DT_REG && (ends_with(name, ".c") || ends_with(name, ".h")))
		scan_file(ctx, rel);
	return WALK_CONTINUE;
}

/* Scan the tree into @cache (whole or not at all). */
static int build_graph(const char *src, const char *arch, const char *cache)
{
	struct scan sc = { .src = src, .dirs = {
		xasprintf("arch/%s/include", arch), xstrdup("include"),
		xasprintf("arch/%s/include/uapi", arch), xstrdup("include/uapi") } };
	struct output out;
	int ret;

	if (output_open(&out, cache))
		return -1;
	fprintf(stderr, "klpdiff build: scanning %s's #include lines (once per tree)\n", src);
	sc.out = out.fp;
	strmap_init(&sc.angle, 16384);
	ret = walk_tree(src, scan_entry, &sc) < 0 ? -1 : 0;
	if (ret)
		output_abort(&out);
	else
		ret = output_commit(&out);
	strmap_free(&sc.angle);
	strlist_free(&sc.owned);
	for (size_t i = 0; i < ARRAY_SIZE(sc.dirs); i++)
		free(sc.dirs[i]);
	return ret;
}

struct graph {
	char *text;
	struct strmap first;	/* header -> index of its first edge + 1 */
	const char **from;
	size_t *next;		/* next edge of the same header + 1 */
	size_t nr;
};

static int load_graph(struct graph *g, const char *cache)
{
	size_t alloc = 0;

	g->text = read_file(cache, NULL);
	if (!g->text)
		return error(cache, "cannot read: %s", strerror(errno));
	strmap_init(&g->first, 65536);
	for (char *line = g->text, *end; *line; line = end) {
		char *tab = strchr(line, '\t');
		void **slot;

		end = line + strcspn(line, "\n");
		if (*end)
			*end++ = '\0';
		if (!tab)
			return error(cache, "malformed include graph: remove it");
		*tab = '\0';
		GROW(g->from, g->nr, alloc, g->nr + 1);
		g->next = xrealloc(g->next, alloc * sizeof(*g->next));
		slot = strmap_slot(&g->first, tab + 1);
		g->from[g->nr] = line;
		g->next[g->nr] = (size_t)(uintptr_t)*slot;
		*slot = (void *)(uintptr_t)(++g->nr);
	}
	return 0;
}

int includers_of(const char *src, const char *arch, const char *cache, const char *header,
		 struct strlist *units)
{
	struct graph g = { 0 };
	struct strmap seen;
	struct strlist queue = { 0 };

	if (access(cache, R_OK) && build_graph(src, arch, cache))
		return -1;
	if (load_graph(&g, cache))
		return -1;
	strmap_init(&seen, 1024);
	strlist_add(&queue, xstrdup(header));
	for (size_t q = 0; q < queue.nr; q++) {
		for (size_t e = (size_t)(uintptr_t)strmap_get(&g.first, queue.v[q]); e; e = g.next[e - 1]) {
			const char *from = g.from[e - 1];
			void **slot = strmap_slot(&seen, from);

			if (*slot)
				continue;
			*slot = (void *)1;
			if (ends_with(from, ".c"))
				strlist_add(units, xstrdup(from));
			else if (ends_with(from, ".h"))
				strlist_add(&queue, xstrdup(from));
		}
	}
	strmap_free(&seen);
	strlist_free(&queue);
	strmap_free(&g.first);
	free(g.from);
	free(g.next);
	free(g.text);
	return 0;
}
