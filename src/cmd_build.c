// SPDX-License-Identifier: GPL-2.0-or-later
/* klpdiff build: kernel source tree + patches -> livepatch module. */
#include <errno.h>
#include <getopt.h>
#include <gelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "commands.h"
#include "diff.h"
#include "inputs.h"
#include "elf_object.h"
#include "extract.h"
#include "kbuild.h"
#include "strmap.h"
#include "util.h"

#ifndef KLPDIFF_INCLUDE_DIR
#define KLPDIFF_INCLUDE_DIR "/usr/local/share/klpdiff/include"
#endif

static const char build_usage[] =
	"usage: klpdiff build [-s KSRC] [-O KBUILD] [-o OUT.ko] [-n NAME] [-j N]\n"
	"                     [--diff] [--report FILE] [--no-replace] [--keep-tmp] [-v]\n"
	"                     PATCH...\n"
	"\n"
	"Build a livepatch module from PATCHes for the kernel built in KBUILD from the\n"
	"source tree KSRC (gcc or LLVM=1 builds, as the tree's .config says). klpdiff\n"
	"builds the original with -ffunction-sections -fdata-sections in its own cache\n"
	"(reused while source, config and compiler stay the same), rebuilds only the\n"
	"objects the patches touch, and compares them. For a clang LTO kernel\n"
	"(CONFIG_LTO_CLANG) KBUILD itself is the original: the patched build relinks\n"
	"vmlinux.o and the touched modules, and klpdiff compares those links. The\n"
	"patches are applied in private overlays: the source tree and KBUILD are never\n"
	"modified, even on errors or Ctrl-C.\n"
	"\n"
	"  -s, --source KSRC     kernel source tree (default: .)\n"
	"  -O, --build KBUILD    build of the running kernel, with .config, vmlinux and\n"
	"                        Module.symvers (default: KSRC, an in-tree build)\n"
	"  -o, --output OUT.ko   the module to write (default: NAME.ko)\n"
	"  -n, --name NAME       module name (default: from the first patch's name)\n"
	"  -j, --jobs N          parallel make jobs (default: number of CPUs)\n"
	"      --diff            stop after the patched build: print what changed, as\n"
	"                        klpdiff diff does for the two builds (same exit status)\n"
	"      --report FILE     also write that list of changes to FILE\n"
	"      --no-replace      do not replace earlier livepatches (atomic replace is on)\n"
	"      --keep-tmp        keep the work directory\n"
	"  -v, --verbose         say more\n"
	"\n"
	"The cache is $KLPDIFF_CACHE, or ~/.cache/klpdiff/build.\n"
	"Exit status: 0 module written, 3 no functional change, 2 refused or failed.\n";

struct build_opts {
	const char *src, *target, *output, *name, *report;
	int jobs;
	bool no_replace, keep_tmp, diff_only;
	char **patches;
	size_t nr_patches;
};

static struct timespec start_time;

static void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void progress(const char *fmt, ...)
{
	struct timespec now;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(stderr, "klpdiff build: [%6.1fs] ", (double)(now.tv_sec - start_time.tv_sec) +
						       (double)(now.tv_nsec - start_time.tv_nsec) / 1e9);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static char *default_name(const char *patch)
{
	const char *base = strrchr(patch, '/');
	char *name = xasprintf("klp_%s", base ? base + 1 : patch);
	char *dot = strrchr(name, '.');

	if (dot && streq(dot, ".patch"))
		*dot = '\0';
	for (char *p = name; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9'))
			*p = '_';
	if (strlen(name) > 55)
		name[55] = '\0';
	return name;
}

static int parse_options(int argc, char **argv, struct build_opts *o)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },  { "build", required_argument, NULL, 'O' },
		{ "output", required_argument, NULL, 'o' },  { "name", required_argument, NULL, 'n' },
		{ "jobs", required_argument, NULL, 'j' },    { "no-replace", no_argument, NULL, 'R' },
		{ "keep-tmp", no_argument, NULL, 'K' },      { "verbose", no_argument, NULL, 'v' },
		{ "diff", no_argument, NULL, 'D' },	     { "report", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },	     { NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "s:O:o:n:j:vh", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->src = optarg; break;
		case 'O': o->target = optarg; break;
		case 'o': o->output = optarg; break;
		case 'n': o->name = optarg; break;
		case 'j': o->jobs = atoi(optarg); break;
		case 'R': o->no_replace = true; break;
		case 'K': o->keep_tmp = true; break;
		case 'D': o->diff_only = true; break;
		case 'r': o->report = optarg; break;
		case 'v': verbose++; break;
		case 'h': fputs(build_usage, stdout); exit(0);
		default: fputs(build_usage, stderr); return -1;
		}
	}
	if (optind >= argc) {
		fputs(build_usage, stderr);
		return -1;
	}
	/* patch(1) runs in the source tree: name the patches absolutely. */
	o->nr_patches = (size_t)(argc - optind);
	o->patches = xcalloc(o->nr_patches + 1, sizeof(*o->patches));
	for (size_t i = 0; i < o->nr_patches; i++) {
		o->patches[i] = realpath(argv[optind + (int)i], NULL);
		if (!o->patches[i])
			return error(argv[optind + (int)i], "cannot read the patch: %s", strerror(errno));
	}
	return 0;
}

static char *absolute(const char *path)
{
	char *p = realpath(path, NULL);

	if (!p)
		error(path, "%s", strerror(errno));
	return p;
}

static char *compiler_version(bool llvm)
{
	FILE *p = popen(llvm ? "clang --version 2>/dev/null" : "gcc --version 2>/dev/null", "r");
	char line[256] = "";

	if (p) {
		if (!fgets(line, sizeof(line), p))
			line[0] = '\0';
		pclose(p);
	}
	return xstrdup(line);
}

/* The cache of one (source tree, config, compiler): its original build. */
static char *cache_dir(const char *src, const char *config, const char *compiler)
{
	const char *base = getenv("KLPDIFF_CACHE");
	char *key_text = xasprintf("%s\n%s\n%s\n%s", src, compiler, KLPDIFF_VERSION, config);
	uint64_t key = XXH3_64bits(key_text, strlen(key_text));
	char *dir;

	free(key_text);
	if (base)
		dir = xasprintf("%s/%016llx", base, (unsigned long long)key);
	else
		dir = xasprintf("%s/.cache/klpdiff/build/%016llx", getenv("HOME") ? getenv("HOME") : "/tmp",
				(unsigned long long)key);
	return dir;
}

static char *include_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *dir;

	if (n > 0) {
		exe[n] = '\0';
		/* build/klpdiff in a checkout, bin/klpdiff when installed */
		*strrchr(exe, '/') = '\0';
		dir = xasprintf("%s/../include/klpdiff", exe);
		if (!access(dir, R_OK))
			return dir;
		free(dir);
		dir = xasprintf("%s/../share/klpdiff/include", exe);
		if (!access(dir, R_OK))
			return dir;
		free(dir);
	}
	return xstrdup(KLPDIFF_INCLUDE_DIR);
}

/* "#SYMVER name 0xcrc" lines kbuild writes into an object's .cmd file. */
static void read_crcs(const char *cmd_path, struct strmap *crcs, struct strlist *keep)
{
	char *text = read_file(cmd_path, NULL), *line, *save;

	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[512], crc[32];

		if (sscanf(line, "#SYMVER %511s %31s", name, crc) != 2)
			continue;
		strlist_add(keep, xasprintf("%s", name));
		*strmap_slot(crcs, keep->v[keep->nr - 1]) = (void *)(uintptr_t)strtoull(crc, NULL, 16);
	}
	free(text);
}

static char *cmd_path(const char *dir, const char *obj)
{
	const char *slash = strrchr(obj, '/');

	return slash ? xasprintf("%s/%.*s/.%s.cmd", dir, (int)(slash - obj), obj, slash + 1) :
		       xasprintf("%s/.%s.cmd", dir, obj);
}

/*
 * Exported symbols whose CRC the patch changes (CONFIG_MODVERSIONS). CRCs
 * live in kbuild's .cmd files: an identical object may still change them.
 */
static void changed_crcs(const char *work, const char *obj, struct strlist *changed)
{
	struct strmap before = { 0 }, after = { 0 };
	struct strlist names = { 0 };
	char *o = xasprintf("%s/orig", work), *p = xasprintf("%s/patched", work);
	char *co = cmd_path(o, obj), *cp = cmd_path(p, obj);
	struct strmap_slot *slot;

	strmap_init(&before, 64);
	strmap_init(&after, 64);
	read_crcs(co, &before, &names);
	read_crcs(cp, &after, &names);
	strmap_for_each(&after, slot) {
		void *old = strmap_get(&before, slot->key);

		if (old && old != slot->value && !strlist_has(changed, slot->key))
			strlist_add(changed, xasprintf("%s %s", slot->key, obj));
	}
	strmap_free(&before);
	strmap_free(&after);
	strlist_free(&names);
	free(o), free(p), free(co), free(cp);
}

/* Refuse a module that uses an exported symbol whose CRC the patch changes. */
static int check_crcs(const struct strlist *changed, const struct strlist *parts)
{
	int ret = 0;

	for (size_t i = 0; i < parts->nr; i++) {
		struct elf_object *obj = elf_open(parts->v[i]);
		struct elf_symbol *sym;

		if (!obj)
			return -1;
		for_each_symbol(obj, sym) {
			if (sym->sec || sym->bind == STB_LOCAL || !*sym->name)
				continue;
			for (size_t k = 0; k < changed->nr; k++) {
				const char *s = changed->v[k];
				size_t n = strcspn(s, " ");

				if (strlen(sym->name) == n && !strncmp(s, sym->name, n)) {
					error(NULL, "refusing: the patch changes the CRC of exported "
					      "symbol %s (in %s), which the livepatch module uses: "
					      "with CONFIG_MODVERSIONS it would not load; keep the "
					      "symbol's type unchanged", sym->name, s + n + 1);
					ret = -1;
				}
			}
		}
		elf_close(obj);
	}
	return ret;
}

static int extract_changed(struct kbuild *kb, const struct strlist *objects, struct strlist *parts)
{
	char *symvers = xasprintf("%s/Module.symvers", kb->target);
	char *vmlinux = xasprintf("%s/vmlinux", kb->target);
	int ret = 0;

	for (size_t i = 0; !ret && i < objects->nr; i++) {
		const char *obj = objects->v[i];
		char *o = xasprintf("%s/orig/%s", kb->work, obj), *p = xasprintf("%s/patched/%s", kb->work, obj);
		char *modpath, *mod = kbuild_module_of(kb, obj, &modpath);
		char *out = xasprintf("%s/parts/%03zu.o", kb->work, parts->nr);
		struct extract_opts eo = {
			.orig = o, .patched = p, .output = out, .objname = mod ? mod : "vmlinux",
			.kernel_symbols = mod ? modpath : vmlinux, .vmlinux_symbols = mod ? vmlinux : NULL,
			.symvers = symvers,
		};

		if (!same_file_contents(o, p)) {
			int rc = extract(&eo);

			if (rc == 0) {
				progress("%s (%s): extracted", obj, eo.objname);
				strlist_add(parts, out);
				out = NULL;
			} else if (rc == EXIT_NO_CHANGE) {
				if (verbose)
					progress("%s: no functional change", obj);
			} else {
				ret = -1;
			}
		}
		free(out), free(o), free(p), free(mod), free(modpath);
	}
	free(symvers);
	free(vmlinux);
	return ret;
}

static int link_module(const struct build_opts *o, const struct kbuild *kb, const char *name,
		       const char *output, const struct strlist *parts)
{
	struct strlist argv = { 0 };
	int ret;

	strlist_add(&argv, xstrdup("/proc/self/exe"));
	strlist_add(&argv, xstrdup("module"));
	strlist_add(&argv, xasprintf("--name=%s", name));
	strlist_add(&argv, xasprintf("--kernel-build=%s", kb->target));
	strlist_add(&argv, xasprintf("--output=%s", output));
	if (o->no_replace)
		strlist_add(&argv, xstrdup("--no-replace"));
	for (size_t i = 0; i < parts->nr; i++)
		strlist_add(&argv, xstrdup(parts->v[i]));
	ret = run_logged(argv.v, kb->log);
	strlist_free(&argv);
	return ret ? error(NULL, "linking the module failed; see %s", kb->log) : 0;
}

/* What changed between the original and the patched objects, as klpdiff diff says it. */
static int write_diff(FILE *out, const struct kbuild *kb, const struct strlist *compared)
{
	struct loaded orig = { 0 }, patched = { 0 };
	struct diff_result res = { 0 };
	int ret = EXIT_TROUBLE, failed = 0;

	for (size_t i = 0; !failed && i < compared->nr; i++) {
		const char *obj = compared->v[i];
		char *a = xasprintf("%s/orig/%s", kb->work, obj);
		char *b = xasprintf("%s/patched/%s", kb->work, obj);

		failed = load_object_pair(&orig, a, &patched, b, kbuild_is_link(kb, obj) ? NULL : obj);
		free(a);
		free(b);
	}
	sums_sort(&orig.sums);
	sums_sort(&patched.sums);
	if (!failed) {
		diff_sums(&res, &orig.sums, &patched.sums);
		diff_sort(&res);
		diff_print(out, &res, false, verbose > 0);
		ret = diff_has_changes(&res) ? EXIT_CHANGED : EXIT_SAME;
	}
	diff_free(&res);
	loaded_free(&orig);
	loaded_free(&patched);
	return ret;
}

/* --report FILE: the changes the module patches, written whole or not at all. */
static int write_report(const char *path, const struct kbuild *kb, const struct strlist *compared)
{
	struct output out;

	if (output_open(&out, path))
		return -1;
	if (write_diff(out.fp, kb, compared) == EXIT_TROUBLE) {
		output_abort(&out);
		return -1;
	}
	return output_commit(&out);
}

struct build_state {
	struct kbuild kb;
	struct strlist files, objects, compared, parts, crc_changes;
	char *config, *cache, *compiler, *name, *output;
};

/* The build of the running kernel: its .config, and what extract and modpost need. */
static int read_target(struct build_opts *o, struct build_state *s)
{
	static const char *const needed[] = { "vmlinux", "Module.symvers" };
	/* With LTO the target build is the original: its bitcode and its LTO link. */
	static const char *const lto_needed[] = { "vmlinux.a", "vmlinux.o" };
	struct kbuild *kb = &s->kb;
	char *path;
	int ret = 0;

	kb->src = absolute(o->src ? o->src : ".");
	kb->target = kb->src ? absolute(o->target ? o->target : kb->src) : NULL;
	if (!kb->target)
		return -1;
	path = xasprintf("%s/.config", kb->target);
	s->config = read_file(path, NULL);
	if (!s->config)
		ret = error(path, "missing: not a configured kernel build (give its directory with -O)");
	free(path);
	for (size_t i = 0; !ret && i < ARRAY_SIZE(needed); i++) {
		path = xasprintf("%s/%s", kb->target, needed[i]);
		if (access(path, R_OK))
			ret = error(path, "missing: build the kernel first (make vmlinux modules)");
		free(path);
	}
	kb->llvm = s->config && strstr(s->config, "\nCONFIG_CC_IS_CLANG=y");
	kb->lto = s->config && strstr(s->config, "\nCONFIG_LTO_CLANG=y");
	for (size_t i = 0; !ret && kb->lto && i < ARRAY_SIZE(lto_needed); i++) {
		path = xasprintf("%s/%s", kb->target, lto_needed[i]);
		if (access(path, R_OK))
			ret = error(path, "missing: an LTO kernel is patched from its build tree, "
				    "which keeps it (make vmlinux modules)");
		free(path);
	}
	return ret;
}

/* klpdiff's cache for this source tree, config and compiler, and this run's work directory. */
static int prepare_cache(struct build_opts *o, struct build_state *s)
{
	struct kbuild *kb = &s->kb;
	char *path;

	kb->jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	/*
	 * ccache gives the same objects, so it is no part of the cache key: an
	 * original built without it serves builds with it. With LTO the
	 * target's own build is rebuilt: its commands must stay as they were.
	 */
	kb->ccache = !kb->lto && !getenv("KLPDIFF_NO_CCACHE") &&
		     !system("command -v ccache >/dev/null 2>&1");
	s->compiler = compiler_version(kb->llvm);
	s->cache = cache_dir(kb->src, s->config, s->compiler);
	if (kb->lto) {
		kb->orig = xstrdup(kb->target);
		kb->thinlto_cache = xasprintf("%s/thinlto", s->cache);
	} else {
		kb->orig = xasprintf("%s/orig", s->cache);
	}
	kb->include_dir = include_dir();
	if (mkdir_p(s->cache))
		return -1;
	path = xasprintf("%s/run-XXXXXX", s->cache);
	kb->work = mkdtemp(path);
	if (!kb->work) {
		free(path);
		return error(s->cache, "cannot create a work directory: %s", strerror(errno));
	}
	kb->log = xasprintf("%s/build.log", kb->work);
	s->name = o->name ? xstrdup(o->name) : default_name(o->patches[0]);
	s->output = o->output ? xstrdup(o->output) : xasprintf("%s.ko", s->name);
	return 0;
}

static int run(struct build_opts *o, struct build_state *s)
{
	struct kbuild *kb = &s->kb;

	if (kb->lto)
		progress("LTO kernel: comparing the links (vmlinux.o, modules) of %s", kb->orig);
	else
		progress("original build (function sections): %s", kb->orig);
	if (kbuild_original(kb))
		return EXIT_TROUBLE;
	if (patch_touched_files(&s->files, o->patches, o->nr_patches))
		return EXIT_TROUBLE;
	kbuild_affected_objects(kb, &s->files, &s->objects);
	if (!s->objects.nr)
		return error(NULL, "the patches touch no object of the kernel build"), EXIT_TROUBLE;
	kbuild_compared_objects(kb, &s->objects, &s->compared);
	progress("patched build of %zu object%s", s->objects.nr, s->objects.nr == 1 ? "" : "s");
	if (kbuild_patched(kb, o->patches, o->nr_patches, &s->objects, &s->compared))
		return EXIT_TROUBLE;
	if (o->diff_only)
		return write_diff(stdout, kb, &s->compared);
	progress("comparing and extracting");
	for (size_t i = 0; i < s->objects.nr; i++)
		changed_crcs(kb->work, s->objects.v[i], &s->crc_changes);
	if (extract_changed(kb, &s->compared, &s->parts))
		return EXIT_TROUBLE;
	if (!s->parts.nr) {
		progress("no functional change: nothing to patch");
		return o->report && write_report(o->report, kb, &s->compared) ? EXIT_TROUBLE :
										EXIT_NO_CHANGE;
	}
	if (check_crcs(&s->crc_changes, &s->parts))
		return EXIT_TROUBLE;
	progress("linking %s", s->output);
	if (link_module(o, kb, s->name, s->output, &s->parts))
		return EXIT_TROUBLE;
	if (o->report && write_report(o->report, kb, &s->compared))
		return EXIT_TROUBLE;
	progress("wrote %s", s->output);
	return 0;
}

int cmd_build(int argc, char **argv)
{
	struct build_opts o = { 0 };
	struct build_state s = { 0 };
	int ret = EXIT_TROUBLE;

	clock_gettime(CLOCK_MONOTONIC, &start_time);
	kbuild_handle_signals();
	if (parse_options(argc, argv, &o))
		return EXIT_TROUBLE;
	if (!read_target(&o, &s) && !prepare_cache(&o, &s)) {
		char *parts_dir = xasprintf("%s/parts", s.kb.work);

		mkdir(parts_dir, 0755);
		free(parts_dir);
		ret = run(&o, &s);
	}
	if (s.kb.work) {
		if ((ret == EXIT_TROUBLE && !o.diff_only) || o.keep_tmp)
			fprintf(stderr, "klpdiff build: log and work files kept in %s\n", s.kb.work);
		else
			remove_tree(s.kb.work);
	}
	strlist_free(&s.files);
	strlist_free(&s.objects);
	strlist_free(&s.compared);
	strlist_free(&s.parts);
	strlist_free(&s.crc_changes);
	for (size_t i = 0; i < o.nr_patches; i++)
		free(o.patches[i]);
	free(o.patches);
	free(s.config), free(s.cache), free(s.compiler), free(s.name), free(s.output);
	free((char *)s.kb.src), free((char *)s.kb.target), free(s.kb.orig), free(s.kb.work);
	free(s.kb.log), free(s.kb.include_dir), free(s.kb.thinlto_cache);
	return ret;
}
