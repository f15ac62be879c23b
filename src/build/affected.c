// SPDX-License-Identifier: GPL-2.0-or-later
/* The objects the touched files change, and the modules they are part of. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/inputs.h"
#include "base/strmap.h"
#include "base/util.h"
#include "build/includes.h"
#include "build/kbuild_internal.h"
#include "build/source_tree.h"

static bool file_contains(const char *path, const char *needle)
{
	char *text = read_file(path, NULL);
	bool found = text && strstr(text, needle);

	free(text);
	return found;
}

struct users_walk {
	const char *root, *needle;
	struct strlist *objects;
};

/* Kbuild records each object's dependencies in DIR/.NAME.o.cmd. */
static int add_user(void *ctx, const char *rel, const char *name, unsigned char type)
{
	struct users_walk *uw = ctx;
	char *path, *obj;

	if (type == DT_DIR || name[0] != '.' || !ends_with(name, ".o.cmd") ||
	    ends_with(name, ".mod.o.cmd"))
		return WALK_CONTINUE;
	path = xasprintf("%s/%s", uw->root, rel);
	if (file_contains(path, uw->needle)) {
		/* DIR/.NAME.o.cmd -> DIR/NAME.o */
		obj = xasprintf("%.*s%.*s", (int)(strlen(rel) - strlen(name)), rel,
				(int)(strlen(name) - strlen(".cmd") - 1), name + 1);
		if (!streq(obj, "vmlinux.o") && !strlist_has(uw->objects, obj))
			strlist_add(uw->objects, obj);
		else
			free(obj);
	}
	free(path);
	return WALK_CONTINUE;
}

static void find_users(const char *root, const char *needle, struct strlist *objects)
{
	struct users_walk uw = { root, needle, objects };

	walk_tree(root, add_user, &uw);
}

/* The .o of each .c file in @units that is not in @objects yet. */
static void add_units(struct strlist *objects, struct strlist *units, struct strlist *record)
{
	struct strmap have;

	strmap_init(&have, objects->nr + units->nr);
	for (size_t i = 0; i < objects->nr; i++)
		*strmap_slot(&have, objects->v[i]) = (void *)1;
	for (size_t i = 0; i < units->nr; i++) {
		char *obj = xasprintf("%.*s.o", (int)(strlen(units->v[i]) - 2), units->v[i]);
		void **slot = strmap_slot(&have, obj);

		if (*slot) {
			free(obj);
			continue;
		}
		*slot = (void *)1;
		strlist_add(objects, obj);
		if (record)
			strlist_add(record, xstrdup(obj));
	}
	strmap_free(&have);
}

/* The .c files whose objects in the build tree (-O) include @header, by their .cmd files. */
static void header_users(const struct kbuild *kb, const char *header, struct strlist *units)
{
	char *needle = xasprintf("%s/%s", kb->src, header);
	struct strlist objects = { 0 };

	find_users(kb->target, needle, &objects);
	for (size_t i = 0; i < objects.nr; i++)
		strlist_add(units, xasprintf("%.*s.c", (int)(strlen(objects.v[i]) - 2), objects.v[i]));
	strlist_free(&objects);
	free(needle);
}

/*
 * A prepared tree has no objects yet: the units are the touched .c files,
 * and those that include a touched header (by the tree's #include lines).
 * Which of them this config builds is known once kbuild has compiled them.
 */
static int per_unit_objects(struct kbuild *kb, const struct strlist *files,
			    struct strlist *objects)
{
	struct strlist sources = { 0 }, users = { 0 };
	int ret = 0;

	for (size_t i = 0; !ret && i < files->nr; i++) {
		const char *f = files->v[i];

		if (ends_with(f, ".c"))
			strlist_add(&sources, xstrdup(f));
		else if (ends_with(f, ".S"))
			ret = error(f, "refusing: assembly code has no ftrace entry to patch; "
				    "patch its C callers instead");
		else if (ends_with(f, ".h") && kb->include_graph)
			ret = source_tree_need_sources(kb->source) ||
			      includers_of(kb->src, kb->arch->kbuild.kbuild_arch, kb->include_graph, f,
					   &users);
		else if (ends_with(f, ".h"))
			header_users(kb, f, &users);
	}
	add_units(objects, &sources, NULL);
	add_units(objects, &users, &kb->from_headers);
	strmap_init(&kb->header_units, kb->from_headers.nr);
	for (size_t i = 0; i < kb->from_headers.nr; i++)
		*strmap_slot(&kb->header_units, kb->from_headers.v[i]) = (void *)1;
	if (!ret && users.nr)
		fprintf(stderr, "klpdiff build: %zu file%s include%s the patched header%s\n",
			users.nr, users.nr == 1 ? "" : "s", users.nr == 1 ? "s" : "",
			files->nr > 1 ? "s" : "");
	strlist_free(&sources);
	strlist_free(&users);
	return ret;
}

bool kbuild_from_header(const struct kbuild *kb, const char *object)
{
	return strmap_get(&kb->header_units, object);
}

int kbuild_affected_objects(struct kbuild *kb, const struct strlist *files,
			    struct strlist *objects)
{
	if (kb->per_unit)
		return per_unit_objects(kb, files, objects);
	for (size_t i = 0; i < files->nr; i++) {
		const char *f = files->v[i];
		struct stat st;

		if (ends_with(f, ".c") || ends_with(f, ".S")) {
			char *obj = xasprintf("%.*s.o", (int)(strlen(f) - 2), f);
			char *path = xasprintf("%s/%s", kb->orig, obj);

			if (!stat(path, &st) && !strlist_has(objects, obj))
				strlist_add(objects, obj);
			else
				free(obj);
			free(path);
		} else if (ends_with(f, ".h")) {
			char *needle = xasprintf("%s/%s", kb->src, f);

			find_users(kb->orig, needle, objects);
			free(needle);
		}
	}
	return 0;
}

void kbuild_drop_unbuilt(const struct kbuild *kb, struct strlist *objects)
{
	size_t kept = 0;

	for (size_t i = 0; i < objects->nr; i++) {
		char *path = work_path(kb->work, WORK_ORIGINAL, objects->v[i]);

		if (access(path, R_OK))
			free(objects->v[i]);
		else
			objects->v[kept++] = objects->v[i];
		free(path);
	}
	objects->nr = kept;
	if (objects->v)
		objects->v[kept] = NULL;
}

struct mod_search {
	const char *root, *object;
	char *found;
};

static int search_mod_file(void *ctx, const char *rel, const char *name, unsigned char type)
{
	struct mod_search *ms = ctx;
	char *path, line[4096];
	FILE *fp;

	if (name[0] == '.')
		return WALK_SKIP;
	if (type == DT_DIR || !ends_with(name, ".mod"))
		return WALK_CONTINUE;
	path = xasprintf("%s/%s", ms->root, rel);
	fp = fopen(path, "r");
	while (fp && !ms->found && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (streq(line, ms->object))
			ms->found = xstrndup(rel, strlen(rel) - strlen(".mod"));
	}
	if (fp)
		fclose(fp);
	free(path);
	return ms->found ? WALK_STOP : WALK_CONTINUE;
}

/* Search the .mod files (one per module: its member objects) for @object. */
static char *search_mod_files(const char *root, const char *object)
{
	struct mod_search ms = { root, object, NULL };

	walk_tree(root, search_mod_file, &ms);
	return ms.found;
}

/* "dir/name" of the module whose kbuild .mod file is dir/name.mod for dir/name.o. */
static char *own_mod_file(const struct kbuild *kb, const char *object)
{
	char *base = xstrndup(object, strlen(object) - (ends_with(object, ".o") ? 2 : 0));
	char *mod = xasprintf("%s/%s.mod", kb->orig, base);
	bool exists = !access(mod, R_OK);

	free(mod);
	if (!exists)
		free(base);
	return exists ? base : NULL;
}

void kbuild_compared_objects(const struct kbuild *kb, const struct strlist *objects,
			     struct strlist *compared)
{
	for (size_t i = 0; i < objects->nr; i++) {
		char *obj = xstrdup(objects->v[i]);

		if (kb->lto) {
			char *mod = search_mod_files(kb->orig, obj);

			free(obj);
			obj = mod ? xasprintf("%s.o", mod) : xstrdup("vmlinux.o");
			free(mod);
		}
		if (strlist_has(compared, obj))
			free(obj);
		else
			strlist_add(compared, obj);
	}
}

bool kbuild_is_link(const struct kbuild *kb, const char *object)
{
	return !is_unit_object(kb->orig, object);
}

char *kbuild_module_of(const struct kbuild *kb, const char *object, char **module_path)
{
	char *mod = own_mod_file(kb, object);

	if (!mod)
		mod = search_mod_files(kb->orig, object);
	const char *base;
	char *name;

	*module_path = NULL;
	if (!mod)
		return NULL;
	base = strrchr(mod, '/');
	base = base ? base + 1 : mod;
	/* Module names use '_' where file names have '-'. */
	name = xstrdup(base);
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	*module_path = xasprintf("%s/%s.ko", kb->target, mod);
	free(mod);
	return name;
}

/* The value of -D@name='"value"' in a kbuild command line. */
static char *define_value(const char *cmd, const char *name)
{
	char *pattern = xasprintf("-D%s='\"", name);
	const char *p = strstr(cmd, pattern);
	char *value = NULL;

	if (p) {
		p += strlen(pattern);
		value = xstrndup(p, strcspn(p, "\"'"));
	}
	free(pattern);
	return value;
}

char *kbuild_unit_module(const struct kbuild *kb, const char *object)
{
	char *dir = work_path(kb->work, WORK_ORIGINAL, NULL), *path = kbuild_cmd_file(dir, object);
	char *cmd = read_file(path, NULL), *line, *name = NULL;

	line = cmd ? strstr(cmd, "cmd_") : NULL;
	if (line)
		line[strcspn(line, "\n")] = '\0';
	if (line && strstr(line, " -DMODULE "))
		name = define_value(line, "KBUILD_MODNAME");
	free(dir), free(path), free(cmd);
	return name;
}
