// SPDX-License-Identifier: GPL-2.0-or-later
/* klpdiff build: kernel source tree + patches -> livepatch module. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
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

#include "cmd/commands.h"
#include "analysis/diff.h"
#include "kernel/distro.h"
#include "analysis/inputs.h"
#include "kernel/kernel_symbols.h"
#include "elf/elf_object.h"
#include "patch/extract.h"
#include "kernel/ibt.h"
#include "build/kbuild.h"
#include "kernel/kernel_profile.h"
#include "kernel/kernel_image.h"
#include "base/strmap.h"
#include "base/util.h"
#include "kernel/verify.h"

#ifndef KLPDIFF_INCLUDE_DIR
#define KLPDIFF_INCLUDE_DIR "/usr/local/share/klpdiff/include"
#endif

static const char build_usage[] =
	"usage: klpdiff build [-r RELEASE] [-s KSRC] [--kallsyms FILE] [-o OUT.ko] PATCH...\n"
	"       klpdiff build [-s KSRC] -O KBUILD [-o OUT.ko] PATCH...\n"
	"         options: [-n NAME] [-j N] [--diff] [--report FILE] [--no-replace]\n"
	"                  [--no-verify] [--compiler CC] [--sysroot DIR] [--sign KEY CERT]\n"
	"                  [--dbg] [--no-line-directives] [--trace] [--keep-tmp] [-v]\n"
	"\n"
	"Build a livepatch module from PATCHes.\n"
	"\n"
	"For a distribution kernel (no -O): RELEASE (default: the running kernel) is\n"
	"found from its packages: /boot/config-RELEASE (7.x: /usr/lib/modules/RELEASE/),\n"
	"the image, its modules, linux-headers-RELEASE (Module.symvers, the module\n"
	"build). The source is KSRC, or the linux-source-X.Y tarball of the same Debian\n"
	"version, unpacked once into the cache. Packages that are not installed (at the\n"
	"image's version) are downloaded from Debian's archive (bookworm, trixie, sid,\n"
	"with their updates, security and backports suites) through apt, which checks\n"
	"their signatures, into the cache: a release need not be installed at all.\n"
	"klpdiff prepares one tree per source, config and compiler (make prepare),\n"
	"then compiles only the files the patches touch,\n"
	"original and patched, with function sections, and checks the originals\n"
	"against the shipped code (vmlinux from the image, modules from their .ko).\n"
	"vmlinux's symbols come from --kallsyms FILE (a copy of /proc/kallsyms read\n"
	"as root on a machine running RELEASE), the -dbg package, or this machine's\n"
	"/proc/kallsyms when it runs RELEASE.\n"
	"\n"
	"For a kernel built here (-O KBUILD, from the source tree KSRC; gcc or LLVM=1):\n"
	"klpdiff builds the original with function sections in its own cache, rebuilds\n"
	"only the objects the patches touch, and compares them. For a clang LTO kernel\n"
	"KBUILD itself is the original: the patched build relinks vmlinux.o and the\n"
	"touched modules. Patches are applied in private overlays: the source tree and\n"
	"KBUILD are never modified, even on errors or Ctrl-C. There, #line directives\n"
	"keep every line the patch does not change on its original number: a shifted\n"
	"__LINE__ does not make a function look changed.\n"
	"\n"
	"  -r, --release RELEASE installed kernel to patch (default: uname -r)\n"
	"  -s, --source KSRC     kernel source tree (with -O, default: .)\n"
	"  -O, --build KBUILD    build of the running kernel, with .config, vmlinux and\n"
	"                        Module.symvers (default with -s alone: KSRC, in-tree)\n"
	"      --kallsyms FILE   vmlinux's symbols: a copy of RELEASE's /proc/kallsyms\n"
	"      --compiler CC     compile with CC although another compiler built the\n"
	"                        kernel (warns: the patch may not match the running code)\n"
	"      --no-verify       do not compare the originals with the shipped code\n"
	"      --no-line-directives  compile the patched files as they are (lines\n"
	"                        below a hunk shift)\n"
	"      --sysroot DIR     find RELEASE's packages unpacked under DIR, not in /\n"
	"                        (nothing is downloaded)\n"
	"      --dbg             vmlinux's symbols from linux-image-RELEASE-dbg,\n"
	"                        downloaded when not installed (283 MB for cloud 6.1)\n"
	"      --sign KEY CERT   sign the module (Secure Boot with the user's own key)\n"
	"  -o, --output OUT.ko   the module to write (default: NAME.ko)\n"
	"  -n, --name NAME       module name (default: from the first patch's name)\n"
	"  -j, --jobs N          parallel make jobs (default: number of CPUs)\n"
	"      --diff            stop after the patched build: print what changed, as\n"
	"                        klpdiff diff does for the two builds (same exit status)\n"
	"      --report FILE     also write that list of changes to FILE\n"
	"      --no-replace      do not replace earlier livepatches (atomic replace is on)\n"
	"      --trace           say each decision of extract (see klpdiff extract --trace)\n"
	"      --keep-tmp        keep the work directory\n"
	"  -v, --verbose         say more\n"
	"\n"
	"The cache is $KLPDIFF_CACHE, or ~/.cache/klpdiff/build. Downloads use\n"
	"$KLPDIFF_DEBIAN_MIRROR (default http://deb.debian.org/debian), or the sources\n"
	"list $KLPDIFF_APT_SOURCES.\n"
	"Exit status: 0 module written, 3 no functional change, 2 refused or failed.\n";

struct build_opts {
	const char *src, *target, *output, *name, *report;
	const char *release, *kallsyms, *compiler, *sysroot, *sign_key, *sign_cert;
	int jobs;
	bool no_replace, keep_tmp, diff_only, no_verify, trace, no_line_directives, dbg;
	char **patches;
	size_t nr_patches;
};

struct build_state {
	struct kbuild kb;
	struct dist_kernel dk;	/* an installed distribution kernel (no -O) */
	struct strlist files, objects, compared, parts, crc_changes;
	char *config, *cache, *compiler, *name, *output;
	char *symvers;		/* Module.symvers of the kernel */
	char *vmlinux_symbols;	/* vmlinux, or a kallsyms listing */
	char *shipped_vmlinux;	/* the ELF of the code that runs: vmlinux, or from the image */
	struct strmap unit_modules;	/* object -> struct unit_module, asked by each stage */
	struct kernel_profile profile;	/* the target kernel: version, layouts */
	struct ibt_check ibt;		/* an IBT kernel's sealed functions */
	bool have_ibt;
	bool objtool_at_link;		/* kbuild runs objtool on linked modules */
};

/* The module a unit is part of, found once per object. */
struct unit_module {
	char *name;			/* NULL: vmlinux */
	char *symbols;			/* the running module's symbols (a .ko) */
	struct kernel_symbols *ks;	/* read from @symbols when first needed */
	bool failed;			/* reported: no symbols for the module */
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
		{ "diff", no_argument, NULL, 'D' },	     { "report", required_argument, NULL, 'P' },
		{ "release", required_argument, NULL, 'r' }, { "kallsyms", required_argument, NULL, 'k' },
		{ "compiler", required_argument, NULL, 'C' }, { "sysroot", required_argument, NULL, 'S' },
		{ "no-verify", no_argument, NULL, 'V' },     { "help", no_argument, NULL, 'h' },
		{ "sign", required_argument, NULL, 'G' },   { "trace", no_argument, NULL, 'T' },
		{ "no-line-directives", no_argument, NULL, 'L' }, { "dbg", no_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "r:s:O:o:n:j:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': o->release = optarg; break;
		case 'k': o->kallsyms = optarg; break;
		case 'C': o->compiler = optarg; break;
		case 'S': o->sysroot = optarg; break;
		case 'V': o->no_verify = true; break;
		case 'T': o->trace = true; break;
		case 'L': o->no_line_directives = true; break;
		case 'g': o->dbg = true; break;
		case 'G':
			/* --sign KEY CERT: the certificate is the next argument. */
			if (optind >= argc)
				return fputs(build_usage, stderr), -1;
			o->sign_key = optarg;
			o->sign_cert = argv[optind++];
			break;
		case 's': o->src = optarg; break;
		case 'O': o->target = optarg; break;
		case 'o': o->output = optarg; break;
		case 'n': o->name = optarg; break;
		case 'j': o->jobs = atoi(optarg); break;
		case 'R': o->no_replace = true; break;
		case 'K': o->keep_tmp = true; break;
		case 'D': o->diff_only = true; break;
		case 'P': o->report = optarg; break;
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

/* The first line of `CC --version`: part of the cache key. */
static char *compiler_version(const char *cc)
{
	char *argv[] = { (char *)cc, "--version", NULL };
	char *out = run_capture(argv);

	if (!out)
		return xstrdup("");
	out[strcspn(out, "\n")] = '\0';
	return out;
}

/*
 * Part of the cache key: changed when a prepared tree made by an earlier
 * klpdiff would not serve (2: prepared with make's CC as it is without
 * ccache).
 */
#define PREPARED_TREE_FORMAT 2

/*
 * The cache of one (source tree, config, compiler, release): its prepared
 * tree, or with LTO its ThinLTO cache.
 */
static char *cache_dir(const char *src, const char *config, const char *compiler,
		       const char *release)
{
	char *key_text = xasprintf("%s\n%s\n%s %d\n%s\n%s", src, compiler, KLPDIFF_VERSION,
				   PREPARED_TREE_FORMAT, release ? release : "", config);
	uint64_t key = XXH3_64bits(key_text, strlen(key_text));
	char *base = cache_base(), *dir = xasprintf("%s/%016llx", base, (unsigned long long)key);

	free(key_text);
	free(base);
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
	char *o = work_path(work, WORK_ORIGINAL, NULL), *p = work_path(work, WORK_PATCHED, NULL);
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

/*
 * The module @obj is part of (name NULL: vmlinux) and where the running
 * one's symbols are: with LTO from kbuild's .mod files of the build tree,
 * else from the command kbuild recorded for the unit and the build's or the
 * distribution's modules. Looked up once per object; NULL when the module's
 * symbols cannot be read (reported once).
 */
static struct unit_module *module_of(struct build_state *s, const char *obj)
{
	struct unit_module *um = strmap_get(&s->unit_modules, obj);

	if (um)
		return um->failed ? NULL : um;
	um = xcalloc(1, sizeof(*um));
	*strmap_slot(&s->unit_modules, xstrdup(obj)) = um;
	if (!s->kb.per_unit) {
		um->name = kbuild_module_of(&s->kb, obj, &um->symbols);
	} else {
		um->name = kbuild_unit_module(&s->kb, obj);
		if (um->name && s->dk.release) {
			char *dir = work_path(s->kb.work, WORK_SHIPPED, NULL);

			um->symbols = dist_kernel_module(&s->dk, um->name, dir);
			free(dir);
		} else if (um->name) {
			um->symbols = kbuild_find_module(s->kb.target, "modules.order", um->name);
		}
		if (um->name && !um->symbols)
			error(NULL, "%s: cannot read the shipped module's symbols", obj);
	}
	um->failed = um->name && !um->symbols;
	return um->failed ? NULL : um;
}

static void unit_modules_free(struct strmap *map)
{
	struct strmap_slot *slot;

	strmap_for_each(map, slot) {
		struct unit_module *um = slot->value;

		if (um->ks)
			kernel_symbols_free(um->ks);
		free(um->ks), free(um->name), free(um->symbols), free((char *)slot->key);
		free(um);
	}
	strmap_free(map);
}

static int extract_changed(struct build_state *s, const struct strlist *objects,
			   struct strlist *parts, bool trace)
{
	struct kbuild *kb = &s->kb;
	int ret = 0;

	for (size_t i = 0; !ret && i < objects->nr; i++) {
		const char *obj = objects->v[i];
		char *o = work_path(kb->work, WORK_ORIGINAL, obj);
		char *p = work_path(kb->work, WORK_PATCHED, obj);
		char *part = xasprintf("%03zu.o", parts->nr);
		char *out = work_path(kb->work, WORK_EXTRACT, part);
		const struct unit_module *um = module_of(s, obj);
		const char *mod = um ? um->name : NULL;
		struct extract_opts eo = {
			.orig = o, .patched = p, .display = obj, .output = out,
			.objname = mod ? mod : "vmlinux",
			.kernel_symbols = mod ? um->symbols : s->vmlinux_symbols,
			.vmlinux_symbols = mod ? s->vmlinux_symbols : NULL, .symvers = s->symvers,
			.trace = trace, .quiet_no_change = !verbose,
			.ibt = s->have_ibt ? &s->ibt : NULL, .ibt_module = s->have_ibt,
			.objtool_at_link = s->objtool_at_link,
		};

		if (!um) {
			ret = -1;
		} else if (!same_file_contents(o, p)) {
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
		free(out), free(o), free(p), free(part);
	}
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
	strlist_add(&argv, xasprintf("--build-dir=%s/module", kb->work));
	if (o->no_replace)
		strlist_add(&argv, xstrdup("--no-replace"));
	if (o->sign_key) {
		strlist_add(&argv, xstrdup("--sign"));
		strlist_add(&argv, xstrdup(o->sign_key));
		strlist_add(&argv, xstrdup(o->sign_cert));
	}
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
		char *a = work_path(kb->work, WORK_ORIGINAL, obj);
		char *b = work_path(kb->work, WORK_PATCHED, obj);

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
	kb->per_unit = !kb->lto;
	kb->kernelrelease = kernel_release_of(kb->target);
	s->symvers = xasprintf("%s/Module.symvers", kb->target);
	s->vmlinux_symbols = xasprintf("%s/vmlinux", kb->target);
	s->shipped_vmlinux = xstrdup(s->vmlinux_symbols);
	for (size_t i = 0; !ret && kb->lto && i < ARRAY_SIZE(lto_needed); i++) {
		path = xasprintf("%s/%s", kb->target, lto_needed[i]);
		if (access(path, R_OK))
			ret = error(path, "missing: an LTO kernel is patched from its build tree, "
				    "which keeps it (make vmlinux modules)");
		free(path);
	}
	return ret;
}

/* -O, or -s naming a built tree: a kernel built here; otherwise an installed one. */
static bool installed_kernel(const struct build_opts *o)
{
	char *vmlinux;
	bool built_here;

	if (o->target)
		return false;
	if (o->release || o->kallsyms || o->sysroot || o->dbg)
		return true;
	vmlinux = xasprintf("%s/vmlinux", o->src ? o->src : ".");
	built_here = !access(vmlinux, R_OK);
	free(vmlinux);
	return !built_here;
}

/* An installed distribution kernel: its packages, its source, its compiler. */
static int read_installed(struct build_opts *o, struct build_state *s)
{
	struct dist_request req = {
		.release = o->release, .sysroot = o->sysroot, .kallsyms = o->kallsyms,
		.source = o->src, .dbg = o->dbg,
	};
	struct dist_kernel *dk = &s->dk;
	struct kbuild *kb = &s->kb;
	char *base;

	if (dist_kernel_find(dk, &req) || dist_kernel_check_compiler(dk, o->compiler))
		return -1;
	base = cache_base();
	kb->src = dist_kernel_source(dk, o->src, base);
	free(base);
	if (!kb->src)
		return -1;
	kb->target = xstrdup(dk->headers);
	kb->per_unit = true;
	kb->cc = dk->cc;
	kb->kernelrelease = xstrdup(dk->release);
	kb->llvm = strstr(dk->config_text, "\nCONFIG_CC_IS_CLANG=y");
	s->config = xstrdup(dk->config_text);
	s->symvers = xstrdup(dk->symvers);
	s->vmlinux_symbols = xstrdup(dk->vmlinux_symbols);
	progress("kernel %s (Debian %s), built by %s", dk->release, dk->version, dk->cc);
	progress("config %s; headers %s; modules %s", dk->config, dk->headers, dk->modules);
	progress("vmlinux symbols: %s (%s); source: %s", dk->vmlinux_symbols, dk->symbols_from,
		 kb->src);
	return 0;
}

/* klpdiff's cache for this source tree, config and compiler, and this run's work directory. */
static int prepare_cache(struct build_opts *o, struct build_state *s)
{
	struct kbuild *kb = &s->kb;
	char *path;

	kb->jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	kb->line_directives = !o->no_line_directives;
	kb->arch = s->profile.arch->kbuild_arch;
	kb->cross = &s->profile.cross;
	kb->unit_cflags = s->profile.arch->unit_cflags;
	/*
	 * ccache gives the same objects, so it is no part of the cache key: an
	 * original built without it serves builds with it. With LTO the
	 * target's own build is rebuilt: its commands must stay as they were.
	 */
	kb->ccache = kb->lto || getenv("KLPDIFF_NO_CCACHE") ? NULL : find_program("ccache");
	s->compiler = compiler_version(kbuild_cc(kb));
	s->cache = cache_dir(kb->src, s->config, s->compiler, kb->kernelrelease);
	if (kb->lto) {
		kb->orig = xstrdup(kb->target);
		kb->thinlto_cache = xasprintf("%s/thinlto", s->cache);
	} else {
		kb->orig = xasprintf("%s/prepared", s->cache);
		/* A build tree's .cmd files say which units include a header. */
		if (s->dk.release)
			kb->include_graph = xasprintf("%s/includes", s->cache);
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

/*
 * The ELF vmlinux inside the installed kernel's image, extracted once into
 * the cache (keyed by the image's size and time); its banner must name the
 * Debian version the source was taken for.
 */
static int shipped_image(struct build_state *s)
{
	struct stat st;
	char *base = cache_base(), *banner, *version;
	int ret = 0;

	if (stat(s->dk.image, &st))
		return error(s->dk.image, "cannot read: %s", strerror(errno));
	s->shipped_vmlinux = xasprintf("%s/images/vmlinux-%s-%lld-%lld", base, s->dk.release,
				       (long long)st.st_size, (long long)st.st_mtime);
	free(base);
	if (access(s->shipped_vmlinux, R_OK) &&
	    (mkdir_parent(s->shipped_vmlinux) || kernel_image_extract(s->dk.image, s->shipped_vmlinux)))
		return -1;
	banner = kernel_image_banner(s->shipped_vmlinux);
	version = banner ? strstr(banner, " Debian ") : NULL;
	if (version && strncmp(version + 8, s->dk.version, strlen(s->dk.version)))
		ret = error(s->dk.image, "its banner says '%s', but its package is %s", banner,
			    s->dk.version);
	free(banner);
	return ret;
}

/* Whether @name is a symbol of this kernel's @vmlinux or of the module @obj belongs to. */
static bool known_to_kernel(struct build_state *s, const char *obj, struct kernel_symbols *vmlinux,
			    const char *name)
{
	struct unit_module *um = module_of(s, obj);

	if (!um)
		return false;
	if (!um->name)
		return kernel_symbols_has(vmlinux, name);
	/* Read once per object, however many stages ask. */
	if (!um->ks) {
		um->ks = xcalloc(1, sizeof(*um->ks));
		if (kernel_symbols_read(um->ks, um->symbols)) {
			free(um->ks);
			um->ks = NULL;
			um->failed = true;
			return false;
		}
	}
	return kernel_symbols_has(um->ks, name);
}

/*
 * Whether the kernel that runs has the unit compiled as @obj: kbuild
 * compiles any single file it is asked for, configured or not. A unit is
 * there if the kernel has one of its global functions or data (or, for a
 * unit with none, one of its locals).
 */
static bool unit_in_kernel(struct build_state *s, const char *obj, struct kernel_symbols *vmlinux)
{
	char *path = work_path(s->kb.work, WORK_ORIGINAL, obj);
	struct elf_object *o = elf_open(path);
	const char *probe = NULL;
	struct elf_symbol *sym;

	free(path);
	if (!o)
		return true;	/* reported, and the diff will fail on it */
	for_each_symbol(o, sym) {
		if (!sym->sec || !*sym->name || (sym->type != STT_FUNC && sym->type != STT_OBJECT))
			continue;
		if (!probe || (sym->bind != STB_LOCAL && !strchr(sym->name, '.')))
			probe = sym->name;
		if (sym->bind != STB_LOCAL && !strchr(sym->name, '.'))
			break;
	}
	bool there = !probe || known_to_kernel(s, obj, vmlinux, probe);

	elf_close(o);
	return there;
}

/*
 * Drop the units a patched header brought in that this kernel does not
 * have; refuse a patched file the kernel does not have.
 */
static int units_in_kernel(struct build_state *s)
{
	struct kernel_symbols vmlinux;
	size_t kept = 0;
	int ret = 0;

	if (kernel_symbols_read(&vmlinux, s->vmlinux_symbols))
		return -1;
	for (size_t i = 0; i < s->objects.nr; i++) {
		char *obj = s->objects.v[i];

		if (unit_in_kernel(s, obj, &vmlinux)) {
			s->objects.v[kept++] = obj;
			continue;
		}
		if (!kbuild_from_header(&s->kb, obj) && !ret)
			ret = error(NULL, "refusing: %.*s.c is not built with this kernel's "
				    "configuration (the kernel has none of its symbols)",
				    (int)(strlen(obj) - 2), obj);
		free(obj);
	}
	s->objects.nr = kept;
	s->objects.v[kept] = NULL;
	kernel_symbols_free(&vmlinux);
	return ret;
}

/*
 * Ksplice's run-pre check, at build time: every original function that the
 * kernel has must be exactly the code that runs, or the source, config or
 * compiler is not what built it and the patch would rest on wrong ground.
 * With the arch's unit flags, the originals compiled as the kernel was.
 */
static int verify_originals(struct build_state *s)
{
	struct verify_stats one, total = { 0 };
	int ret = 0;

	if (s->dk.release && shipped_image(s))
		return -1;
	for (size_t i = 0; !ret && i < s->objects.nr; i++) {
		const char *obj = s->objects.v[i];
		char *orig = work_path(s->kb.work, s->kb.unit_cflags ? WORK_AS_BUILT : WORK_ORIGINAL,
				       obj);
		const struct unit_module *um = module_of(s, obj);
		const char *mod = um ? um->name : NULL;
		struct verify_opts vo = {
			.orig = orig, .display = obj, .objname = mod ? mod : "vmlinux",
			.shipped = mod ? um->symbols : s->shipped_vmlinux,
			.kallsyms = mod ? NULL : s->vmlinux_symbols,
		};

		ret = !um ? -1 : verify_original(&vo, &one);
		total.compared += one.compared;
		total.skipped += one.skipped;
		free(orig);
	}
	if (!ret)
		progress("the originals are the code that runs: %zu function%s compared, %zu not in "
			 "the kernel (inlined)", total.compared, total.compared == 1 ? "" : "s",
			 total.skipped);
	return ret;
}

/* The original: a prepared tree to compile units in, or with LTO the target build. */
static int original(struct build_state *s)
{
	struct kbuild *kb = &s->kb;

	if (kb->lto) {
		progress("LTO kernel: comparing the links (vmlinux.o, modules) of %s", kb->orig);
		return 0;
	}
	progress("prepared tree: %s", kb->orig);
	return kbuild_prepare(kb, s->config);
}

/* The target's special-section layouts, from the probe: every object must have them. */
static int target_layouts(struct build_state *s)
{
	const struct kernel_profile *p = &s->profile;
	char line[512];
	size_t len = 0;

	if (kernel_profile_probe(&s->profile, s->cache))
		return -1;
	for (size_t i = 0; i < p->nr_layouts && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s %s %u", i ? "," : "",
					p->layouts[i]->section, p->layouts[i]->entry_size);
	progress("Linux %u.%u layouts (probe):%s", KV_MAJOR(p->version), KV_MINOR(p->version),
		 p->nr_layouts ? line : " none");
	return 0;
}

/* Is @option (CONFIG_...) set to y in the kernel's .config? */
static bool config_enabled(const struct build_state *s, const char *option)
{
	char *line = xasprintf("\n%s=y\n", option);
	bool set = s->config && strstr(s->config, line);

	free(line);
	return set;
}

/* Does kbuild run objtool on the linked module (the arch's objtool_link_kconfig)? */
static bool objtool_reads_links(const struct build_state *s)
{
	const char *const *opts = s->profile.arch->objtool_link_kconfig;

	for (size_t i = 0; opts && opts[i]; i++)
		if (config_enabled(s, opts[i]))
			return true;
	return false;
}

/* An IBT kernel: the functions a patch may not take the address of, from the code that runs. */
static int read_ibt(struct build_state *s)
{
	const struct arch *arch = s->profile.arch;

	if (!arch->ibt_kconfig || !config_enabled(s, arch->ibt_kconfig))
		return 0;
	if (s->dk.release && !s->shipped_vmlinux && shipped_image(s))
		return -1;
	if (ibt_open(&s->ibt, arch, s->shipped_vmlinux, s->vmlinux_symbols))
		return -1;
	s->have_ibt = true;
	progress("IBT: %zu functions sealed in the running kernel; the patch may not take "
		 "their addresses", s->ibt.nr_sealed);
	return 0;
}

static int run(struct build_opts *o, struct build_state *s)
{
	struct kbuild *kb = &s->kb;

	if (patch_touched_files(&s->files, o->patches, o->nr_patches) ||
	    kbuild_check_patches(kb, o->patches, o->nr_patches, &s->files) || original(s) ||
	    target_layouts(s) || kbuild_affected_objects(kb, &s->files, &s->objects))
		return EXIT_TROUBLE;
	if (!s->objects.nr)
		return error(NULL, "the patches touch no object of the kernel build"), EXIT_TROUBLE;
	kbuild_compared_objects(kb, &s->objects, &s->compared);
	if (kb->per_unit)
		progress("compiling %zu file%s, original and patched", s->objects.nr,
			 s->objects.nr == 1 ? "" : "s");
	else
		progress("patched build of %zu object%s", s->objects.nr, s->objects.nr == 1 ? "" : "s");
	if (kbuild_patched(kb, o->patches, o->nr_patches, &s->objects, &s->compared))
		return EXIT_TROUBLE;
	if (kb->per_unit) {
		kbuild_drop_unbuilt(kb, &s->objects);
		if (units_in_kernel(s))
			return EXIT_TROUBLE;
		strlist_free(&s->compared);
		kbuild_compared_objects(kb, &s->objects, &s->compared);
		if (kb->from_headers.nr)
			progress("%zu file%s of this configuration compiled", s->objects.nr,
				 s->objects.nr == 1 ? "" : "s");
	}
	if (kb->lto || o->no_verify)
		progress("originals not compared with the code that runs (%s)",
			 kb->lto ? "LTO: the build's own vmlinux.o is the original" : "--no-verify");
	else if (verify_originals(s))
		return EXIT_TROUBLE;
	if (o->diff_only)
		return write_diff(stdout, kb, &s->compared);
	s->objtool_at_link = objtool_reads_links(s);
	if (read_ibt(s))
		return EXIT_TROUBLE;
	progress("comparing and extracting");
	for (size_t i = 0; i < s->objects.nr; i++)
		changed_crcs(kb->work, s->objects.v[i], &s->crc_changes);
	if (extract_changed(s, &s->compared, &s->parts, o->trace))
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

/* --keep-tmp: the diff stage's answer beside the objects it compared. */
static void write_kept_diff(const struct build_state *s)
{
	char *dir = work_path(s->kb.work, WORK_DIFF, NULL);
	char *path = work_path(s->kb.work, WORK_DIFF, "changes");
	char *patched = work_path(s->kb.work, WORK_PATCHED, NULL);

	/* Not when the run stopped before both builds were there. */
	if (s->compared.nr && !access(patched, F_OK) && !mkdir_p(dir))
		write_report(path, &s->kb, &s->compared);
	free(dir), free(path), free(patched);
}

/* Failed runs kept in the cache (run-XXXXXX/failed marks them); older ones are removed. */
#define KEPT_FAILED_RUNS 5

static int trim_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_DP)
		rmdir(path);	/* only empty directories go */
	else if (!ends_with(path, "/build.log") && !ends_with(path, ".rej"))
		unlink(path);
	return 0;
}

struct failed_run {
	char *path;
	time_t when;
};

static int newest_first(const void *a, const void *b)
{
	const struct failed_run *x = a, *y = b;

	return x->when != y->when ? (x->when < y->when ? 1 : -1) : strcmp(x->path, y->path);
}

/* Remove all but the newest KEPT_FAILED_RUNS failed runs of @cache. */
static void prune_failed_runs(const char *cache)
{
	struct failed_run *runs = NULL;
	size_t nr = 0, alloc = 0;
	DIR *d = opendir(cache);
	struct dirent *e;
	struct stat st;

	while (d && (e = readdir(d))) {
		char *mark = xasprintf("%s/%s/failed", cache, e->d_name);

		if (starts_with(e->d_name, "run-") && !stat(mark, &st)) {
			GROW(runs, nr, alloc, nr + 1);
			runs[nr++] = (struct failed_run){ xasprintf("%s/%s", cache, e->d_name),
							  st.st_mtime };
		}
		free(mark);
	}
	if (d)
		closedir(d);
	sort(runs, nr, sizeof(*runs), newest_first);
	for (size_t i = 0; i < nr; i++) {
		if (i >= KEPT_FAILED_RUNS)
			remove_tree(runs[i].path);
		free(runs[i].path);
	}
	free(runs);
}

/*
 * A run's work directory goes, unless asked to keep it. A failed run keeps
 * what says why: the log and any rejected hunks.
 */
static void finish_work_dir(const struct build_state *s, bool keep, bool failed)
{
	char *mark = xasprintf("%s/failed", s->kb.work);

	if (keep) {
		fprintf(stderr, "klpdiff build: work files kept in %s\n", s->kb.work);
	} else if (!failed) {
		remove_tree(s->kb.work);
	} else {
		nftw(s->kb.work, trim_entry, 16, FTW_DEPTH | FTW_PHYS);
		write_file_atomic(mark, "", 0644);
		fprintf(stderr, "klpdiff build: its log is kept: %s\n", s->kb.log);
		prune_failed_runs(s->cache);
	}
	free(mark);
}

int cmd_build(int argc, char **argv)
{
	struct build_opts o = { 0 };
	struct build_state s = { .kb.prep_lock = -1 };
	int ret = EXIT_TROUBLE;

	strmap_init(&s.unit_modules, 64);

	clock_gettime(CLOCK_MONOTONIC, &start_time);
	kbuild_handle_signals();
	if (parse_options(argc, argv, &o))
		return EXIT_TROUBLE;
	if (!(installed_kernel(&o) ? read_installed(&o, &s) : read_target(&o, &s)) &&
	    !kernel_profile_read(&s.profile, s.kb.target, s.kb.kernelrelease) &&
	    !kernel_profile_check_api(&s.profile, s.kb.src) &&
	    !prepare_cache(&o, &s)) {
		char *parts_dir = work_path(s.kb.work, WORK_EXTRACT, NULL);

		mkdir(parts_dir, 0755);
		free(parts_dir);
		ret = run(&o, &s);
		if (o.keep_tmp && !o.diff_only)
			write_kept_diff(&s);
	}
	if (s.kb.work)
		finish_work_dir(&s, o.keep_tmp, ret == EXIT_TROUBLE && !o.diff_only);
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
	free(s.kb.log), free(s.kb.include_dir), free(s.kb.thinlto_cache), free(s.kb.ccache);
	free(s.symvers), free(s.vmlinux_symbols), free(s.kb.include_graph), free(s.shipped_vmlinux);
	free(s.kb.kernelrelease);
	strlist_free(&s.kb.from_headers);
	strmap_free(&s.kb.header_units);
	unit_modules_free(&s.unit_modules);
	if (s.kb.per_unit && s.kb.prep_lock >= 0)
		close(s.kb.prep_lock);
	dist_kernel_free(&s.dk);
	kernel_profile_free(&s.profile);
	if (s.have_ibt)
		ibt_close(&s.ibt);
	return ret;
}
