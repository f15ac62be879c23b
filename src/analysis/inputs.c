// SPDX-License-Identifier: GPL-2.0-or-later
#include "analysis/inputs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf/arch.h"
#include "base/util.h"

static void add_object(struct loaded *in, struct elf_object *obj)
{
	GROW(in->objs, in->nr_objs, in->alloc_objs, in->nr_objs + 1);
	in->objs[in->nr_objs++] = obj;
}

static int load_object(struct loaded *in, const char *path, const char *unit)
{
	struct elf_object *obj = elf_open_for_checksums(path, in->target);

	if (!obj)
		return -1;
	add_object(in, obj);
	sums_compute(&in->sums, obj, unit);
	return 0;
}

int load_input(struct loaded *in, const char *path)
{
	struct stat st;
	int ret;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && sums_is_sums_file(path))
		ret = sums_read(&in->sums, path);
	else
		ret = load_object(in, path, NULL);
	if (!ret)
		sums_sort(&in->sums);
	return ret;
}

struct load_job {
	struct loaded *in;
	const char *path, *unit;
	bool object;	/* an object with this unit, not any input */
	int ret;
};

static int load_job_run(struct load_job *job)
{
	if (job->object)
		return load_object(job->in, job->path, job->unit);
	return load_input(job->in, job->path);
}

static void *load_thread(void *arg)
{
	struct load_job *job = arg;

	job->ret = load_job_run(job);
	arch_cleanup();
	return NULL;
}

/* The original in a second thread, the patched one in this one. */
static int load_jobs(struct load_job *orig, struct load_job *patched)
{
	pthread_t thread;

	if (pthread_create(&thread, NULL, load_thread, orig)) {
		orig->ret = load_job_run(orig);
		return orig->ret ? orig->ret : load_job_run(patched);
	}
	patched->ret = load_job_run(patched);
	pthread_join(thread, NULL);
	return orig->ret ? orig->ret : patched->ret;
}

int load_pair(struct loaded *orig, const char *orig_path, struct loaded *patched,
	      const char *patched_path)
{
	struct load_job a = { orig, orig_path, NULL, false, 0 };
	struct load_job b = { patched, patched_path, NULL, false, 0 };

	return load_jobs(&a, &b);
}

static const char *keep(struct loaded *in, char *s)
{
	GROW(in->owned, in->nr_owned, in->alloc_owned, in->nr_owned + 1);
	in->owned[in->nr_owned++] = s;
	return s;
}

int load_object_pair(struct loaded *orig, const char *orig_path, struct loaded *patched,
		     const char *patched_path, const char *unit)
{
	struct load_job a, b;

	if (same_file_contents(orig_path, patched_path))
		return 0;
	a = (struct load_job){ orig, keep(orig, xstrdup(orig_path)), NULL, true, 0 };
	b = (struct load_job){ patched, keep(patched, xstrdup(patched_path)), NULL, true, 0 };
	if (unit) {
		a.unit = keep(orig, xstrdup(unit));
		b.unit = keep(patched, xstrdup(unit));
	}
	return load_jobs(&a, &b);
}

/*
 * Objects that are not compilation units: module links (X.o where X.mod
 * lists other objects), vmlinux.o, and kbuild's temporaries.
 */
bool is_unit_object(const char *root, const char *rel)
{
	const char *base = strrchr(rel, '/');
	char *mod;
	FILE *fp;
	char line[4096];
	bool composite = false;

	base = base ? base + 1 : rel;
	if (streq(base, "vmlinux.o") || ends_with(base, ".mod.o") || starts_with(base, ".tmp"))
		return false;
	mod = xasprintf("%s/%.*s.mod", root, (int)(strlen(rel) - 2), rel);
	fp = fopen(mod, "r");
	free(mod);
	if (!fp)
		return true;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (*line && !ends_with(line, rel) && !ends_with(rel, line))
			composite = true;
	}
	fclose(fp);
	return !composite;
}

struct objects_walk {
	const char *root;
	struct strlist *paths;
};

static int add_unit_object(void *ctx, const char *rel, const char *name, unsigned char type)
{
	struct objects_walk *ow = ctx;

	if (type == DT_REG && ends_with(name, ".o") && is_unit_object(ow->root, rel))
		strlist_add(ow->paths, xstrdup(rel));
	return WALK_CONTINUE;
}

/* The relative paths of the compilation units' objects under @root, sorted. */
static int unit_objects(const char *root, struct strlist *paths)
{
	struct objects_walk ow = { root, paths };
	int ret = walk_tree(root, add_unit_object, &ow);

	strlist_sort(paths);
	return ret;
}

static int load_tree_object(struct loaded *in, const char *root, const char *rel)
{
	const char *path = keep(in, xasprintf("%s/%s", root, rel));

	return load_object(in, path, keep(in, xstrdup(rel)));
}

int load_tree_pair(struct loaded *orig, const char *orig_dir, struct loaded *patched,
		   const char *patched_dir)
{
	struct strlist o = { 0 }, p = { 0 };
	size_t i = 0, k = 0;
	int ret;

	ret = unit_objects(orig_dir, &o);
	if (!ret)
		ret = unit_objects(patched_dir, &p);
	while (!ret && (i < o.nr || k < p.nr)) {
		int c = i >= o.nr ? 1 : k >= p.nr ? -1 : strcmp(o.v[i], p.v[k]);

		if (c < 0) {
			ret = load_tree_object(orig, orig_dir, o.v[i++]);
		} else if (c > 0) {
			ret = load_tree_object(patched, patched_dir, p.v[k++]);
		} else {
			char *a = xasprintf("%s/%s", orig_dir, o.v[i]);
			char *b = xasprintf("%s/%s", patched_dir, p.v[k]);

			if (!same_file_contents(a, b)) {
				ret = load_tree_object(orig, orig_dir, o.v[i]);
				if (!ret)
					ret = load_tree_object(patched, patched_dir, p.v[k]);
			}
			free(a);
			free(b);
			i++, k++;
		}
	}
	strlist_free(&o);
	strlist_free(&p);
	sums_sort(&orig->sums);
	sums_sort(&patched->sums);
	return ret;
}

void loaded_free(struct loaded *in)
{
	sums_free(&in->sums);
	for (size_t i = 0; i < in->nr_objs; i++)
		elf_close(in->objs[i]);
	free(in->objs);
	for (size_t i = 0; i < in->nr_owned; i++)
		free(in->owned[i]);
	free(in->owned);
	memset(in, 0, sizeof(*in));
}
