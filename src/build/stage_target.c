// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The target stage: the kernel to patch, installed or built here, and
 * everything the user gave about it, checked before any work starts; then
 * klpdiff's cache for it and the run's work directory.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "build/stages.h"
#include "build/toolchain_root.h"

#ifndef KLPDIFF_INCLUDE_DIR
#define KLPDIFF_INCLUDE_DIR "/usr/local/share/klpdiff/include"
#endif

static char *absolute(const char *path)
{
	char *p = realpath(path, NULL);

	if (!p)
		error(path, "%s", strerror(errno));
	return p;
}

/* Whether @dir has every one of @names; an error for the first it has not. */
static int need_files(const char *dir, const char *const names[], size_t nr, const char *why)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < nr; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);

		if (access(path, R_OK))
			ret = error(path, "missing: %s", why);
		free(path);
	}
	return ret;
}

/* The build of the running kernel: its .config, and what extract and modpost need. */
static int find_built(struct build_run *r)
{
	static const char *const needed[] = { "vmlinux", "Module.symvers" };
	/* With LTO the target build is the original: its bitcode and its LTO link. */
	static const char *const lto_needed[] = { "vmlinux.a", "vmlinux.o" };
	struct kbuild *kb = &r->kb;
	struct kconfig config;
	char *path;
	int ret;

	kb->src = absolute(r->req->src ? r->req->src : ".");
	kb->target = kb->src ? absolute(r->req->target ? r->req->target : kb->src) : NULL;
	if (!kb->target)
		return -1;
	path = xasprintf("%s/.config", kb->target);
	ret = kconfig_read(&config, path);
	if (ret)
		error(path, "missing: not a configured kernel build (give its directory with -O)");
	/* The module needs it; --diff does not. */
	else if (!r->req->diff_only && !kconfig_enabled(&config, "CONFIG_LIVEPATCH"))
		ret = error(path, "the kernel was configured without CONFIG_LIVEPATCH");
	free(path);
	if (!ret)
		ret = need_files(kb->target, needed, ARRAY_SIZE(needed),
				 "build the kernel first (make vmlinux modules)");
	kb->llvm = kconfig_enabled(&config, "CONFIG_CC_IS_CLANG");
	kb->lto = kconfig_enabled(&config, "CONFIG_LTO_CLANG");
	kb->per_unit = !kb->lto;
	kb->kernelrelease = kernel_release_of(kb->target);
	r->symvers = xasprintf("%s/Module.symvers", kb->target);
	r->vmlinux_symbols = xasprintf("%s/vmlinux", kb->target);
	r->shipped_vmlinux = xstrdup(r->vmlinux_symbols);
	if (!ret && kb->lto)
		ret = need_files(kb->target, lto_needed, ARRAY_SIZE(lto_needed),
				 "an LTO kernel is patched from its build tree, which keeps it "
				 "(make vmlinux modules)");
	if (!ret)
		ret = kernel_profile_read(&r->profile, kb->target, kb->kernelrelease, &config);
	kconfig_free(&config);
	r->config = &r->profile.config;
	return ret;
}

/*
 * The units compile with the headers' .config, the build's own: the config
 * klpdiff was given (/boot/config-RELEASE, which Debian ships without a few
 * build-only lines) must say nothing it contradicts.
 */
static int headers_config_contradicts(const struct dist_kernel *dk)
{
	char *path = xasprintf("%s/.config", dk->headers), option[128];
	struct kconfig built;
	int ret = 0;

	if (kconfig_read(&built, path)) {
		ret = error(path, "cannot read: %s", strerror(errno));
	} else if (kconfig_contradicts(&dk->kconfig, &built, option, sizeof(option))) {
		const char *was = kconfig_value(&dk->kconfig, option);
		const char *is = kconfig_value(&built, option);

		ret = error(dk->kconfig.path, "%s is %s here but %s in %s: not the configuration "
			    "that built this kernel", option, was ? was : "not set",
			    is ? is : "not set", path);
	}
	kconfig_free(&built);
	free(path);
	return ret;
}

/* An installed distribution kernel: its packages and its compiler. */
static int find_installed(struct build_run *r)
{
	const struct build_request *q = r->req;
	struct dist_kernel *dk = &r->dk;
	struct kbuild *kb = &r->kb;
	char *lack;
	int cc;

	struct dist_request dr = {
		.release = q->release, .sysroot = q->sysroot, .kallsyms = q->kallsyms,
		.source = q->src, .dbg = q->dbg,
	};

	if (dist_kernel_find(dk, &dr))
		return -1;
	cc = dist_kernel_check_compiler(dk, q->compiler);
	/* A tree from the headers is not prepared: no Rust for make prepare in the root. */
	lack = getenv("KLPDIFF_MAKE_PREPARE") ? NULL : kbuild_headers_lack(dk->headers, NULL);
	if (cc == DIST_CC_ROOT)
		r->root = toolchain_root_get(dk->cc_text, dk->kconfig.text, dk->release,
					     !lack || *lack);
	if (cc >= 0 && lack && !*lack && headers_config_contradicts(dk))
		cc = -1;
	free(lack);
	if (cc < 0 || (cc == DIST_CC_ROOT && !r->root))
		return -1;
	kb->target = xstrdup(dk->headers);
	kb->per_unit = true;
	kb->dist_headers = true;
	kb->cc = xstrdup(dk->cc);
	kb->kernelrelease = xstrdup(dk->release);
	dist_kernel_make_vars(dk, &kb->make_vars);
	r->config = &dk->kconfig;
	kb->llvm = kconfig_enabled(r->config, "CONFIG_CC_IS_CLANG");
	r->symvers = xstrdup(dk->symvers);
	r->vmlinux_symbols = xstrdup(dk->vmlinux_symbols);
	return 0;
}

/*
 * Its source (the tree given, or the distribution's, unpacked once into the
 * cache) and its profile.
 */
static int installed_source(struct build_run *r)
{
	struct dist_kernel *dk = &r->dk;
	char *base = cache_base(), *tarball;
	int ret;

	r->kb.src = dist_kernel_source(dk, r->req->src, base, &tarball);
	free(base);
	if (!r->kb.src)
		return -1;
	/* What every unit's compile reads now; the rest as the run finds what it needs. */
	if (tarball) {
		ret = source_tree_open(&r->source, tarball, r->kb.src);
		r->kb.source = &r->source;
		free(tarball);
		if (ret)
			return -1;
	}
	build_progress("kernel %s (Debian %s), built by %s%s%s", dk->release, dk->version, dk->cc,
		       r->root ? ", in the toolchain root " : "", r->root ? r->root : "");
	build_progress("config %s; headers %s; modules %s", dk->config, dk->headers, dk->modules);
	build_progress("vmlinux symbols: %s (%s); source: %s", dk->vmlinux_symbols,
		       dk->symbols_from, r->kb.src);
	return kernel_profile_read(&r->profile, r->kb.target, r->kb.kernelrelease, NULL);
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
 * ccache; 3: a distribution kernel's assembled from its headers).
 */
#define PREPARED_TREE_FORMAT 3

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

/* How the run compiles: jobs, the arch, ccache, and where the original is. */
static void set_up_kbuild(struct build_run *r)
{
	struct kbuild *kb = &r->kb;
	char *compiler;

	kb->jobs = r->req->jobs > 0 ? r->req->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	kb->line_directives = r->req->line_directives;
	kb->arch = r->profile.arch;
	kb->cross = &r->profile.cross;
	r->profile.cross.root = r->root;
	/*
	 * ccache gives the same objects, so it is no part of the cache key: an
	 * original built without it serves builds with it. With LTO the
	 * target's own build is rebuilt: its commands must stay as they were.
	 */
	kb->ccache = kb->lto || r->root || getenv("KLPDIFF_NO_CCACHE") ? NULL :
		     find_program("ccache");
	/* A tree prepared in a root has the root's host tools (fixdep, objtool). */
	compiler = r->root ? xasprintf("%s in %s", r->dk.cc_text, r->root) :
			     compiler_version(kbuild_cc(kb));
	/* The full way on request (to compare both ways), in a tree of its own. */
	if (kb->dist_headers && getenv("KLPDIFF_MAKE_PREPARE")) {
		char *full = xasprintf("%s, make prepare", compiler);

		build_progress("KLPDIFF_MAKE_PREPARE: the prepared tree by make prepare, not from "
			       "the headers");
		kb->dist_headers = false;
		free(compiler);
		compiler = full;
	}
	r->cache = cache_dir(kb->src, r->config->text, compiler, kb->kernelrelease);
	free(compiler);
	if (kb->lto) {
		kb->orig = xstrdup(kb->target);
		kb->thinlto_cache = xasprintf("%s/thinlto", r->cache);
	} else if (streq(kb->target, kb->src)) {
		/*
		 * Built in its source tree (srctree "."): compiled there too, in
		 * the run's overlay, so that every path a unit spells (__FILE__
		 * of headers found through -I ./DIR or next to the unit) is
		 * spelled as it was; an O= tree spells them all alike.
		 */
		kb->orig = xstrdup(kb->target);
	} else {
		kb->orig = xasprintf("%s/prepared", r->cache);
		/* A build tree's .cmd files say which units include a header. */
		if (r->req->installed)
			kb->include_graph = xasprintf("%s/includes", r->cache);
	}
	kb->include_dir = include_dir();
}

/* klpdiff's cache for this source tree, config and compiler, and this run's work directory. */
static int open_work_dir(struct build_run *r)
{
	struct kbuild *kb = &r->kb;
	char *path;

	set_up_kbuild(r);
	if (mkdir_p(r->cache))
		return -1;
	path = xasprintf("%s/run-XXXXXX", r->cache);
	kb->work = mkdtemp(path);
	if (!kb->work) {
		free(path);
		return error(r->cache, "cannot create a work directory: %s", strerror(errno));
	}
	kb->log = xasprintf("%s/build.log", kb->work);
	path = work_path(kb->work, WORK_EXTRACT, NULL);
	mkdir(path, 0755);
	free(path);
	return 0;
}

/* A prepared tree's units are checked against vmlinux's symbols: read them once, now. */
static int read_vmlinux(struct build_run *r)
{
	return r->kb.per_unit ? kernel_symbols_read(&r->vmlinux, r->vmlinux_symbols) : 0;
}

/*
 * A listed unit: an object (dir/file.o) of a directory of the source tree.
 * Its C file may be one kbuild generates (capflags.c, x509.asn1.c): one
 * kbuild cannot make is reported as not compiled.
 */
static bool unit_name_ok(struct build_run *r, const char *obj)
{
	const char *slash = strrchr(obj, '/');
	char *dir = xasprintf("%s/%.*s", r->kb.src, slash ? (int)(slash - obj) : 0, obj);
	struct stat st;
	bool ok = ends_with(obj, ".o") && strlen(obj) > (slash ? (size_t)(slash - obj) + 3 : 2) &&
		  *obj != '/' && !strstr(obj, "..");

	/* A source unpacked in part: a directory of its tarball. */
	if (ok && source_tree_partial(r->kb.source))
		ok = slash && source_tree_has_dir(r->kb.source, dir + strlen(r->kb.src) + 1);
	else if (ok)
		ok = !stat(dir, &st) && S_ISDIR(st.st_mode);
	free(dir);
	return ok;
}

/*
 * --check-units: the units to compile are the file's, one object a line
 * (kernel/fork.o; '#' starts a comment), each in a directory of the source.
 */
static int listed_units(struct build_run *r)
{
	const char *path = r->req->check_units;
	char *text = read_file(path, NULL), *line, *next;
	struct strmap seen;
	unsigned nr = 0;
	int ret = 0;

	if (!text)
		return error(path, "cannot read the list of units");
	strmap_init(&seen, 1024);
	for (line = text; !ret && *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		nr++;
		line[strcspn(line, "#")] = '\0';
		line[strcspn(line, " \t")] = '\0';
		if (!*line)
			continue;
		if (!unit_name_ok(r, line))
			ret = error(path, "line %u: '%s' is no object of a directory of %s", nr,
				    line, r->kb.src);
		else if (!strmap_get(&seen, line)) {
			strlist_add(&r->listed, xstrdup(line));
			*strmap_slot(&seen, line) = (void *)1;
		}
	}
	strmap_free(&seen);
	free(text);
	if (!ret && !r->listed.nr)
		ret = error(path, "no unit listed");
	return ret;
}

int stage_target(struct build_run *r)
{
	int ret;

	/* --kallsyms is read before the distribution's source is unpacked into the cache. */
	if (r->req->installed)
		ret = find_installed(r) || read_vmlinux(r) || installed_source(r) ||
		      kernel_profile_check_api(&r->profile, r->kb.src) ||
		      kernel_profile_check_config(&r->profile);
	else
		ret = find_built(r) || kernel_profile_check_api(&r->profile, r->kb.src) ||
		      kernel_profile_check_config(&r->profile) || read_vmlinux(r);
	if (!ret && r->req->check_units)
		ret = listed_units(r);
	return ret ? -1 : open_work_dir(r);
}
