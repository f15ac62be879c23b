// SPDX-License-Identifier: GPL-2.0-or-later
/* A distribution's source tarball, unpacked in part as runs need it (source_tree.h). */
#include "build/source_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/process.h"
#include "build/includes.h"
#include "kernel/archive.h"

#define STAMP_WHOLE ".klpdiff-unpacked"
#define STAMP_PARTS ".klpdiff-parts"
/* More parts than this in one run (a header many units include): all of it. */
#define MAX_PARTS 256

/* What the member list says of a tree-relative path. */
enum { MEMBER_FILE = 1, MEMBER_DIR = 2, MEMBER_PARENT = 4 };

static unsigned member(const struct source_tree *st, const char *rel)
{
	return (unsigned)(uintptr_t)strmap_get(&st->member, rel);
}

static bool in_tree(const struct source_tree *st, const char *rel)
{
	char *path = xasprintf("%s/%s", st->tree, rel);
	struct stat sb;
	bool yes = !lstat(path, &sb);

	free(path);
	return yes;
}

/* Mark the directories above @rel as having members, up to one already marked. */
static void mark_parents(struct source_tree *st, char *rel)
{
	char *slash = strrchr(rel, '/');

	while (slash) {
		void **slot;
		unsigned had;

		*slash = '\0';
		had = member(st, rel);
		if (!had) {
			char *key = xstrdup(rel);

			strlist_add(&st->owned, key);
			slot = strmap_slot(&st->member, key);
		} else {
			slot = strmap_slot(&st->member, rel);
		}
		*slot = (void *)(uintptr_t)(had | MEMBER_DIR | MEMBER_PARENT);
		*slash = '/';
		if (had & MEMBER_PARENT)
			break;
		slash = slash > rel ? memrchr(rel, '/', (size_t)(slash - rel)) : NULL;
	}
}

/* The member list (tar -t of the uncompressed copy): one top directory, then paths. */
static int load_members(struct source_tree *st)
{
	size_t top_len;

	if (st->members_text)
		return 0;
	st->members_text = read_file(st->members, NULL);
	if (!st->members_text)
		return error(st->members, "cannot read: %s", strerror(errno));
	strmap_init(&st->member, 131072);
	top_len = strcspn(st->members_text, "/\n");
	st->top = xstrndup(st->members_text, top_len);
	for (char *line = st->members_text, *end; *line; line = end) {
		char *rel = line + top_len + 1;
		size_t len;
		bool dir;

		end = line + strcspn(line, "\n");
		if (*end)
			*end++ = '\0';
		if (strncmp(line, st->top, top_len) || line[top_len] != '/')
			return error(st->tarball, "'%s' is outside its top directory %s: remove %s",
				     line, st->top, st->members);
		len = strlen(rel);
		dir = len && rel[len - 1] == '/';
		if (dir)
			rel[--len] = '\0';
		if (!len)
			continue;
		mark_parents(st, rel);
		*strmap_slot(&st->member, rel) = (void *)(uintptr_t)(member(st, rel) |
								      (dir ? MEMBER_DIR : MEMBER_FILE));
	}
	return 0;
}

/* Decompress the tarball once into its uncompressed copy, then list it. */
static int make_tar(struct source_tree *st)
{
	char *tmp = xasprintf("%s.tmp", st->tar), *list_tmp = xasprintf("%s.tmp", st->members);
	char *xz[] = { "xz", "-T0", "-dc", st->tarball, NULL };
	char *list[] = { "tar", "-tf", st->tar, NULL };
	int ret = 0;

	if (!access(st->tar, R_OK) && !access(st->members, R_OK))
		goto out;
	fprintf(stderr, "klpdiff build: decompressing %s into %s (once)\n", st->tarball, st->tar);
	if (run_to_file(xz, tmp) || rename(tmp, st->tar))
		ret = error(st->tarball, "cannot decompress it into %s%s", tmp,
			    archive_disk_full(tmp));
	else if (run_to_file(list, list_tmp) || rename(list_tmp, st->members))
		ret = error(st->tar, "cannot list it into %s%s", list_tmp,
			    archive_disk_full(list_tmp));
	if (ret)
		unlink(tmp), unlink(list_tmp);
out:
	free(tmp), free(list_tmp);
	return ret;
}

/* TOP/@rel@tail, with fnmatch's special characters of @rel escaped. */
static char *pattern(const struct source_tree *st, const char *rel, const char *tail)
{
	size_t n = strlen(st->top) + 2 * strlen(rel) + strlen(tail) + 2, len;
	char *p = xmalloc(n);

	len = (size_t)sprintf(p, "%s/", st->top);
	for (const char *c = rel; *c; c++) {
		if (strchr("*?[\\", *c))
			p[len++] = '\\';
		p[len++] = *c;
	}
	strcpy(p + len, tail);
	return p;
}

/*
 * The patterns of a part: @deep match across '/' (a directory and all
 * below it), @one do not (a directory's own files).
 */
static void part_patterns(const struct source_tree *st, const char *key, struct strlist *deep,
			  struct strlist *one)
{
	if (streq(key, "base")) {
		strlist_add(one, pattern(st, "", "*"));
		strlist_add(deep, pattern(st, "include", "/*"));
		strlist_add(deep, pattern(st, "scripts", "/*"));
		strlist_add(deep, xstrdup("*/Makefile*"));
		strlist_add(deep, xstrdup("*/Kbuild*"));
	} else if (streq(key, "sources")) {
		strlist_add(deep, xstrdup("*.c"));
		strlist_add(deep, xstrdup("*.h"));
	} else if (starts_with(key, "dir ") && (member(st, key + 4) & MEMBER_PARENT)) {
		strlist_add(deep, pattern(st, key + 4, "/*"));
	} else if (starts_with(key, "flat ") && (member(st, key + 5) & MEMBER_PARENT)) {
		strlist_add(one, pattern(st, key + 5, "/*"));
	} else if (starts_with(key, "file ") && (member(st, key + 5) & MEMBER_FILE)) {
		strlist_add(one, pattern(st, key + 5, ""));
	}
}

struct merge {
	const struct source_tree *st;
	const char *staging;
	int ret;
};

/* One entry of the staging directory into the tree, never replacing what is there. */
static int merge_entry(void *ctx, const char *rel, const char *name, unsigned char type)
{
	struct merge *m = ctx;
	char *to = xasprintf("%s/%s", m->st->tree, rel), *from = NULL;
	bool failed;

	(void)name;
	if (type == DT_DIR) {
		failed = mkdir(to, 0755) && errno != EEXIST;
	} else {
		from = xasprintf("%s/%s", m->staging, rel);
		failed = linkat(AT_FDCWD, from, AT_FDCWD, to, 0) && errno != EEXIST;
	}
	if (failed)
		m->ret = error(to, "cannot add it to the source tree: %s", strerror(errno));
	free(from);
	free(to);
	return m->ret ? -1 : WALK_CONTINUE;
}

/* The staging directory's files into the tree: the tree itself if there is none yet. */
static int merge_into_tree(const struct source_tree *st, const char *staging)
{
	struct merge m = { st, staging, 0 };

	if (access(st->tree, F_OK) && !rename(staging, st->tree))
		return 0;
	if (mkdir_p(st->tree) || (walk_tree(staging, merge_entry, &m) < 0 && !m.ret))
		m.ret = -1;
	return m.ret;
}

/*
 * Whether tar's complaints in @log are only of patterns that matched no
 * member another had not: parts overlap (a file of a directory unpacked
 * whole, a Makefile), and every pattern is of members the list has.
 */
static bool only_overlaps(const char *log)
{
	char *text = read_file(log, NULL);
	bool only = text && *text;

	for (char *line = text, *end; only && line && *line; line = end) {
		end = line + strcspn(line, "\n");
		if (*end)
			*end++ = '\0';
		only = ends_with(line, ": Not found in archive") ||
		       ends_with(line, ": Exiting with failure status due to previous errors");
	}
	free(text);
	return only;
}

/* tar the parts @keys out of the uncompressed copy into the tree, through a staging directory. */
static int extract_parts(struct source_tree *st, const struct strlist *keys, bool whole)
{
	char *staging = xasprintf("%s.part", st->tree), *log = xasprintf("%s.log", st->tree);
	struct strlist argv = { 0 }, deep = { 0 }, one = { 0 };
	char *text, *why;
	bool full = false;
	int ret = 0;

	for (size_t i = 0; !whole && i < keys->nr; i++)
		part_patterns(st, keys->v[i], &deep, &one);
	if (!whole && !deep.nr && !one.nr)
		goto out;	/* parts the tarball has nothing of (a new file's directory) */
	strlist_add(&argv, xstrdup("tar"));
	strlist_add(&argv, xasprintf("-C%s", staging));
	strlist_add(&argv, xstrdup("--strip-components=1"));
	strlist_add(&argv, xasprintf("-xf%s", st->tar));
	if (!whole) {
		strlist_add(&argv, xstrdup("--wildcards"));
		strlist_add(&argv, xstrdup("--no-recursion"));
		strlist_add(&argv, xstrdup("--wildcards-match-slash"));
		for (size_t i = 0; i < deep.nr; i++)
			strlist_add(&argv, xstrdup(deep.v[i]));
		strlist_add(&argv, xstrdup("--no-wildcards-match-slash"));
		for (size_t i = 0; i < one.nr; i++)
			strlist_add(&argv, xstrdup(one.v[i]));
	}
	ret = remove_tree(staging) || mkdir_p(staging);
	unlink(log);
	if (!ret && run_logged(argv.v, log) && !only_overlaps(log)) {
		/* tar says a full disk once per file: its first line only. */
		text = read_file(log, NULL);
		why = text ? xstrndup(text, strcspn(text, "\n")) : xstrdup("");
		full = *archive_disk_full(staging);
		ret = error(st->tar, "cannot unpack from it into %s%s%s%s", staging,
			    archive_disk_full(staging), *why ? ": " : "", why);
		free(text), free(why);
	}
	if (!ret)
		ret = merge_into_tree(st, staging);
	/* No half part left to fill the disk: it would be redone anyway. */
	remove_tree(staging);
	unlink(log);
	/* A full disk: the uncompressed copy too (made again when there is room). */
	if (full)
		unlink(st->members), unlink(st->tar);
out:
	strlist_free(&argv), strlist_free(&deep), strlist_free(&one);
	free(staging), free(log);
	return ret;
}

/* Add @keys to the tree's record of its parts (or stamp it whole). */
static int record_parts(const struct source_tree *st, const char *done,
			const struct strlist *keys, bool whole)
{
	char *path = xasprintf("%s/%s", st->tree, whole ? STAMP_WHOLE : STAMP_PARTS);
	size_t len = strlen(done), n = len + 1;
	char *text;
	int ret;

	for (size_t i = 0; i < keys->nr; i++)
		n += strlen(keys->v[i]) + 1;
	text = xmalloc(n);
	memcpy(text, done, len + 1);
	for (size_t i = 0; !whole && i < keys->nr; i++)
		len += (size_t)sprintf(text + len, "%s\n", keys->v[i]);
	ret = mkdir_p(st->tree) || write_file_atomic(path, whole ? "" : text, 0644);
	/* The whole tree needs no copy to take parts from. */
	if (!ret && whole)
		unlink(st->members), unlink(st->tar);
	free(text);
	free(path);
	return ret;
}

/* Whether the line @key is one of @done's. */
static bool part_done(const char *done, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = done; (p = strstr(p, key)); p += n)
		if ((p == done || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/*
 * Whether the part @key is in the tree: done itself, or within a directory
 * done whole (a .c or .h file: with every one of them).
 */
static bool part_covered(const char *done, const char *key)
{
	const char *rel = strchr(key, ' ');
	bool covered = part_done(done, key);

	if (!covered && rel && starts_with(key, "file ") &&
	    (ends_with(key, ".c") || ends_with(key, ".h")))
		covered = part_done(done, "sources");
	for (const char *p = rel ? rel + 1 : NULL; !covered && p; p = strchr(p + 1, '/')) {
		char *dir = xasprintf("dir %.*s", (int)(p - rel - 1), rel + 1);

		covered = p > rel + 1 && part_done(done, dir);
		free(dir);
	}
	if (!covered && rel && !starts_with(key, "file ")) {
		char *dir = xasprintf("dir %s", rel + 1);

		covered = part_done(done, dir);
		free(dir);
	}
	return covered;
}

static void announce(const struct source_tree *st, const struct strlist *todo, const char *why)
{
	bool whole = why;
	size_t len = 0;
	char line[160] = "";

	for (size_t i = 0; !whole && i < todo->nr && len < sizeof(line) - 8; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s", i ? ", " : "",
					todo->v[i]);
	if (len >= sizeof(line) - 8)
		strcpy(line + sizeof(line) - 8, ", ...");
	if (whole)
		fprintf(stderr, "klpdiff build: %s: unpacking the rest of %s into %s\n", why,
			st->tarball, st->tree);
	else
		fprintf(stderr, "klpdiff build: unpacking into %s from %s: %s\n", st->tree,
			st->tarball, line);
}

/*
 * Unpack the parts @keys not in the tree yet (all of it with @why, said),
 * under the tree's lock.
 */
static int unpack(struct source_tree *st, const struct strlist *keys, const char *why)
{
	bool whole = why;
	char *stamp = xasprintf("%s/%s", st->tree, STAMP_WHOLE);
	char *parts = xasprintf("%s/%s", st->tree, STAMP_PARTS), *done = NULL;
	struct strlist todo = { 0 };
	int fd, ret = 0;

	if (mkdir_parent(st->tree) || (fd = cache_lock(st->lock, true)) < 0) {
		free(stamp), free(parts);
		return -1;
	}
	st->whole = !access(stamp, F_OK);
	done = st->whole ? NULL : read_file(parts, NULL);
	if (!done)
		done = xstrdup("");
	for (size_t i = 0; !st->whole && i < keys->nr; i++)
		if (!part_covered(done, keys->v[i]) && !strlist_has(&todo, keys->v[i]))
			strlist_add(&todo, xstrdup(keys->v[i]));
	if (!st->whole && (todo.nr || whole)) {
		announce(st, &todo, why);
		ret = make_tar(st) || load_members(st) || extract_parts(st, &todo, whole) ||
		      record_parts(st, done, &todo, whole);
		st->whole = !ret && whole;
	}
	close(fd);
	strlist_free(&todo);
	free(stamp), free(parts), free(done);
	return ret;
}

int source_tree_open(struct source_tree *st, const char *tarball, const char *tree)
{
	struct strlist keys = { 0 };
	char *stamp = xasprintf("%s/%s", tree, STAMP_WHOLE);
	int ret = 0;

	memset(st, 0, sizeof(*st));
	st->tree = xstrdup(tree);
	st->tarball = xstrdup(tarball);
	st->tar = xasprintf("%s.tar", tree);
	st->members = xasprintf("%s.members", tree);
	st->lock = xasprintf("%s.lock", tree);
	st->whole = !access(stamp, F_OK);
	if (!st->whole) {
		strlist_add(&keys, xstrdup("base"));
		ret = unpack(st, &keys, NULL);
	}
	strlist_free(&keys);
	free(stamp);
	return ret;
}

bool source_tree_has_dir(struct source_tree *st, const char *rel)
{
	return !source_tree_partial(st) || (!load_members(st) && (member(st, rel) & MEMBER_DIR));
}

bool source_tree_partial(const struct source_tree *st)
{
	return st && st->tree && !st->whole;
}

int source_tree_need_whole(struct source_tree *st, const char *why)
{
	struct strlist none = { 0 };

	if (!source_tree_partial(st))
		return 0;
	return unpack(st, &none, why);
}

int source_tree_need_sources(struct source_tree *st)
{
	struct strlist keys = { 0 };
	int ret = 0;

	if (source_tree_partial(st)) {
		strlist_add(&keys, xstrdup("sources"));
		ret = unpack(st, &keys, NULL);
	}
	strlist_free(&keys);
	return ret;
}

/* Add the part @key (formatted) to @keys, once. */
static void add_key(struct strlist *keys, const char *kind, const char *rel, size_t len)
{
	char *key = xasprintf("%s %.*s", kind, (int)len, rel);

	if (strlist_has(keys, key))
		free(key);
	else
		strlist_add(keys, key);
}

/* Every -I $(srctree)/DIR of @dir's Makefile and Kbuild file: DIR and all below it. */
static void makefile_dirs(const struct source_tree *st, const char *dir, size_t dir_len,
			  struct strlist *keys)
{
	static const char *const names[] = { "Makefile", "Kbuild" };
	static const char srctree[] = "$(srctree)/";

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *path = xasprintf("%s/%.*s%s%s", st->tree, (int)dir_len, dir, dir_len ? "/" : "",
				       names[i]);
		char *text = read_file(path, NULL);

		for (const char *p = text; p && (p = strstr(p, "-I")); ) {
			size_t len;

			p += 2 + strspn(p + 2, " \t");
			if (strncmp(p, srctree, sizeof(srctree) - 1))
				continue;
			p += sizeof(srctree) - 1;
			len = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "0123456789_.-/");
			while (len && p[len - 1] == '/')
				len--;
			if (len && p[len] != '$' && p[len] != '(')
				add_key(keys, "dir", p, len);
		}
		free(text);
		free(path);
	}
}

/*
 * A unit's (or patched file's) parts: its directory and all below it, the
 * files of each directory above it, the file itself, and the directories
 * the Makefiles on the way add with -I.
 */
static void unit_parts(const struct source_tree *st, const char *file, struct strlist *keys)
{
	const char *slash = strrchr(file, '/');
	size_t len = slash ? (size_t)(slash - file) : 0;
	char *dir = xstrndup(file, len);

	/* A new file's directory may be new too: the nearest one the tarball has. */
	while (*dir && !(member(st, dir) & MEMBER_PARENT)) {
		char *up = strrchr(dir, '/');

		*(up ? up : dir) = '\0';
	}
	len = strlen(dir);
	if (len)
		add_key(keys, "dir", dir, len);
	for (size_t n = len; ; ) {
		makefile_dirs(st, dir, n, keys);
		while (n && dir[n - 1] != '/')
			n--;
		if (!n)
			break;
		n--;
		add_key(keys, "flat", dir, n);
	}
	if (member(st, file) & MEMBER_FILE)
		add_key(keys, "file", file, strlen(file));
	free(dir);
}

struct closure {
	struct source_tree *st;
	struct strlist *units;		/* their directories: kbuild's -I $(srctree)/$(src) */
	struct strlist *keys;		/* parts the #include lines need */
	struct strlist queue;		/* files reached, to scan */
	struct strmap seen;
	const char *file;		/* the one being scanned */
};

/* A file "quoted" #include lines reach: scanned in turn; with the files beside it. */
static void reach(struct closure *c, char *rel)
{
	if (!include_path_normalize(rel) || !(member(c->st, rel) & MEMBER_FILE) ||
	    strmap_get(&c->seen, rel)) {
		free(rel);
		return;
	}
	strlist_add(&c->queue, rel);
	*strmap_slot(&c->seen, rel) = (void *)1;
	if (!in_tree(c->st, rel)) {
		const char *slash = strrchr(rel, '/');

		add_key(c->keys, "file", rel, strlen(rel));
		if (slash)
			add_key(c->keys, "flat", rel, (size_t)(slash - rel));
	}
}

/* "name": beside the including file, in the units' directories and the -I ones (all of them). */
static void reach_name(void *ctx, const char *name, bool quoted)
{
	struct closure *c = ctx;
	const char *slash = strrchr(c->file, '/');

	if (!quoted || *name == '/')
		return;
	reach(c, xasprintf("%.*s%s%s", slash ? (int)(slash - c->file) : 0, c->file,
			   slash ? "/" : "", name));
	for (size_t i = 0; i < c->units->nr; i++) {
		const char *u = c->units->v[i], *s = strrchr(u, '/');

		reach(c, xasprintf("%.*s%s%s", s ? (int)(s - u) : 0, u, s ? "/" : "", name));
	}
	for (size_t i = 0; i < c->keys->nr; i++)
		if (starts_with(c->keys->v[i], "dir "))
			reach(c, xasprintf("%s/%s", c->keys->v[i] + 4, name));
}

/*
 * The files the units' "quoted" #include lines reach, wherever they are,
 * unpacked round by round (a file unpacked is scanned in the next).
 */
static int include_closure(struct source_tree *st, struct strlist *units, struct strlist *keys)
{
	struct closure c = { .st = st, .units = units, .keys = keys };
	size_t scanned = 0;
	int ret = 0;

	strmap_init(&c.seen, 1024);
	for (size_t i = 0; i < units->nr; i++)
		reach(&c, xstrdup(units->v[i]));
	while (!ret && scanned < c.queue.nr) {
		size_t before = keys->nr, end = c.queue.nr;

		for (; scanned < end; scanned++) {
			char *path = xasprintf("%s/%s", st->tree, c.queue.v[scanned]);
			char *text = read_file(path, NULL);

			c.file = c.queue.v[scanned];
			include_names(text, reach_name, &c);
			free(text);
			free(path);
		}
		if (keys->nr > before)
			ret = unpack(st, keys, NULL);
	}
	strmap_free(&c.seen);
	strlist_free(&c.queue);
	return ret;
}

int source_tree_need_units(struct source_tree *st, const char *arch,
			   const struct strlist *files)
{
	struct strlist keys = { 0 }, units = { 0 };
	char *arch_dir = xasprintf("arch/%s", arch);
	int ret;

	if (!source_tree_partial(st)) {
		free(arch_dir);
		return 0;
	}
	if (!st->arch)
		st->arch = xstrdup(arch);
	ret = load_members(st);
	add_key(&keys, "dir", arch_dir, strlen(arch_dir));
	for (size_t i = 0; !ret && i < files->nr; i++) {
		unit_parts(st, files->v[i], &keys);
		if (ends_with(files->v[i], ".c") || ends_with(files->v[i], ".h"))
			strlist_add(&units, xstrdup(files->v[i]));
	}
	if (!ret && keys.nr > MAX_PARTS)
		ret = source_tree_need_whole(st, "many directories to compile in");
	else if (!ret)
		ret = unpack(st, &keys, NULL) || include_closure(st, &units, &keys);
	strlist_free(&keys);
	strlist_free(&units);
	free(arch_dir);
	return ret;
}

/* Whether @rel (tree-relative, or under the tree) is a file of the tarball the tree lacks. */
static bool lacks(const struct source_tree *st, const char *rel)
{
	size_t n = strlen(st->tree);
	char *copy;
	bool yes;

	if (!strncmp(rel, st->tree, n) && rel[n] == '/')
		rel += n + 1;
	while (starts_with(rel, "./"))
		rel += 2;
	if (*rel == '/')
		return false;
	copy = xstrdup(rel);
	yes = include_path_normalize(copy) && (member(st, copy) & MEMBER_FILE) &&
	      !in_tree(st, copy);
	free(copy);
	return yes;
}

/* Whether a file of the tarball that the tree lacks ends with "/@name" (not another arch's). */
static bool lacks_named(const struct source_tree *st, const char *name)
{
	const struct strmap_slot *slot;
	size_t n = strlen(name);

	if (!n || strstr(name, ".."))
		return false;
	strmap_for_each(&st->member, slot) {
		size_t len = strlen(slot->key);

		if (len <= n || slot->key[len - n - 1] != '/' || strcmp(slot->key + len - n, name) ||
		    !((uintptr_t)slot->value & MEMBER_FILE))
			continue;
		if (starts_with(slot->key, "arch/") && st->arch &&
		    (strncmp(slot->key + 5, st->arch, strlen(st->arch)) ||
		     slot->key[5 + strlen(st->arch)] != '/'))
			continue;
		if (!in_tree(st, slot->key))
			return true;
	}
	return false;
}

/* lacks_named(), each name asked once (@asked: those that were not). */
static bool lacks_name_once(const struct source_tree *st, const char *name, struct strmap *asked,
			    struct strlist *owned)
{
	char *key;

	if (!strchr(name, '.') || strmap_get(asked, name))
		return false;
	if (lacks_named(st, name))
		return true;
	key = xstrdup(name);
	strlist_add(owned, key);
	*strmap_slot(asked, key) = (void *)1;
	return false;
}

/* One line of make's or the compiler's: does a word of it name a file the tree lacks? */
static bool line_lacks(const struct source_tree *st, char *line, struct strmap *asked,
		       struct strlist *owned)
{
	static const char delims[] = " \t'\"`:,()[]";
	char *first = NULL, *save = NULL, *dir;
	bool yes = false;

	for (char *w = strtok_r(line, delims, &save); !yes && w; w = strtok_r(NULL, delims, &save)) {
		yes = lacks(st, w) || lacks_name_once(st, w, asked, owned);
		if (!first) {
			first = w;
			continue;
		}
		/* FILE:LINE:COL: fatal error: NAME: the name is FILE's #include. */
		dir = strrchr(first, '/') ? xasprintf("%.*s/%s", (int)(strrchr(first, '/') - first),
						      first, w) : NULL;
		yes = yes || (dir && lacks(st, dir));
		free(dir);
	}
	return yes;
}

bool source_tree_log_lacks(struct source_tree *st, const char *log, long from)
{
	char *text = source_tree_partial(st) && !load_members(st) ? read_file(log, NULL) : NULL;
	struct strmap asked;
	struct strlist owned = { 0 };
	bool yes = false;

	if (text && (long)strlen(text) < from)
		from = 0;
	strmap_init(&asked, 64);
	for (char *line = text ? text + from : NULL, *end; !yes && line && *line; line = end) {
		end = line + strcspn(line, "\n");
		if (*end)
			*end++ = '\0';
		if (strstr(line, "No such file or directory") || strstr(line, "No rule to make target"))
			yes = line_lacks(st, line, &asked, &owned);
	}
	strmap_free(&asked);
	strlist_free(&owned);
	free(text);
	return yes;
}

void source_tree_free(struct source_tree *st)
{
	free(st->tree), free(st->tarball), free(st->tar), free(st->members), free(st->lock);
	free(st->top), free(st->members_text), free(st->arch);
	if (st->member.slots)
		strmap_free(&st->member);
	strlist_free(&st->owned);
	memset(st, 0, sizeof(*st));
}
