// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/distro.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/process.h"
#include "kernel/module_files.h"
#include "base/util.h"
#include "kernel/archive.h"
#include "kernel/distro_fetch.h"

/* @root (a sysroot, or "") followed by the path @fmt makes. */
static char *at(const char *root, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *at(const char *root, const char *fmt, ...)
{
	va_list ap;
	char *rel, *path;

	va_start(ap, fmt);
	if (vasprintf(&rel, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	path = xasprintf("%s%s", root, rel);
	free(rel);
	return path;
}

/* Where a file of a release is: BEFORE, the release, AFTER. */
struct place {
	const char *before, *after;
};

static char *placed(const char *root, const struct place *p, const char *release)
{
	return at(root, "%s%s%s", p->before, release, p->after);
}

static bool readable(const char *path)
{
	return !access(path, R_OK);
}

/* Non-root readers of /proc/kallsyms see zero addresses (kptr_restrict). */
static bool kernel_addresses_visible(void)
{
	FILE *fp = fopen("/proc/kallsyms", "r");
	unsigned long long addr = 0;
	bool yes = fp && fscanf(fp, "%llx", &addr) == 1 && addr;

	if (fp)
		fclose(fp);
	return yes;
}

static char *running_release(void)
{
	struct utsname u;

	return uname(&u) ? NULL : xstrdup(u.release);
}

static bool is_running(const struct dist_kernel *dk)
{
	char *running = running_release();
	bool yes = !*dk->sysroot && running && streq(running, dk->release);

	free(running);
	return yes;
}

/* "# Linux/x86 6.1.192 Kernel Configuration": the upstream version and its line. */
static int read_versions(struct dist_kernel *dk)
{
	const char *version = kconfig_version(&dk->kconfig);
	char *dot;

	if (!version)
		return error(dk->config, "no '# Linux/ARCH VERSION Kernel Configuration' line: "
			     "not a kernel config");
	dk->upstream = xstrdup(version);
	dk->line = xstrdup(version);
	dot = strchr(dk->line, '.');
	dot = dot ? strchr(dot + 1, '.') : NULL;
	if (dot)
		*dot = '\0';
	return 0;
}

/* "... Debian 6.1.192-3 (2026-11-26)" in a kernel banner. */
static char *debian_version_in(const char *banner)
{
	static const char marker[] = " Debian ";
	const char *p = banner ? strstr(banner, marker) : NULL;

	if (!p)
		return NULL;
	p += sizeof(marker) - 1;
	return xstrndup(p, strcspn(p, " \n"));
}

/* The installed version of Debian package @pkg (in @root's dpkg database), or NULL. */
static char *package_version(const char *root, const char *pkg)
{
	char *admin = xasprintf("--admindir=%s/var/lib/dpkg", root);
	char *argv[] = { "dpkg-query", admin, "-W", "-f=${Version}", (char *)pkg, NULL };
	char *version = run_capture(argv);

	free(admin);
	if (version && !*version) {
		free(version);
		version = NULL;
	}
	return version;
}

/* The Debian version of the image package (dpkg knows it) or of the running kernel. */
static char *image_version(const struct dist_kernel *dk)
{
	static const struct place packages[] = {
		{ "linux-image-", "-unsigned" }, { "linux-image-", "" }, { "linux-binary-", "" },
	};
	char *version = NULL;

	if (is_running(dk)) {
		char *banner = read_file("/proc/version", NULL);

		version = debian_version_in(banner);
		free(banner);
	}
	for (size_t i = 0; !version && i < ARRAY_SIZE(packages); i++) {
		char *pkg = placed("", &packages[i], dk->release);

		version = package_version(dk->image_root, pkg);
		free(pkg);
	}
	return version;
}

/* The -dbg package's vmlinux under @root, or NULL. */
static char *dbg_vmlinux(const struct dist_kernel *dk, const char *root)
{
	static const struct place paths[] = {
		{ "/usr/lib/debug/boot/vmlinux-", "" }, { "/usr/lib/debug/lib/modules/", "/vmlinux" },
	};

	for (size_t i = 0; root && i < ARRAY_SIZE(paths); i++) {
		char *path = placed(root, &paths[i], dk->release);

		if (readable(path))
			return path;
		free(path);
	}
	return NULL;
}

/*
 * The image's System.map, if it is a real one: Debian's (6.1, 6.12, 7.3)
 * is one line pointing at the -dbg package.
 */
static char *real_system_map(const struct dist_kernel *dk)
{
	static const struct place paths[] = {
		{ "/boot/System.map-", "" }, { "/usr/lib/modules/", "/System.map" },
	};
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		char *path = placed(dk->image_root, &paths[i], dk->release);

		if (!stat(path, &st) && st.st_size > 65536)
			return path;
		free(path);
	}
	return NULL;
}

static int find_vmlinux_symbols(struct dist_kernel *dk, const struct dist_request *req)
{
	char *dbg = dbg_vmlinux(dk, dk->sysroot);

	if (!req->kallsyms && !dbg && req->dbg && dk->download)
		dbg = dbg_vmlinux(dk, dist_fetch_dbg(dk));
	if (req->kallsyms) {
		dk->vmlinux_symbols = xstrdup(req->kallsyms);
		dk->symbols_from = "--kallsyms";
	} else if (dbg) {
		dk->vmlinux_symbols = dbg;
		dbg = NULL;
		dk->symbols_from = "the -dbg package";
	} else if (req->dbg && dk->download) {
		return -1;	/* the download said why */
	} else if (is_running(dk) && kernel_addresses_visible()) {
		dk->vmlinux_symbols = xstrdup("/proc/kallsyms");
		dk->symbols_from = "the running kernel";
	} else if ((dk->vmlinux_symbols = real_system_map(dk))) {
		dk->symbols_from = "the image's System.map";
	}
	free(dbg);
	if (dk->vmlinux_symbols)
		return 0;
	return error(NULL, "no symbols for %s's vmlinux: run as root on a machine running it, "
		     "give --kallsyms FILE (a copy of its /proc/kallsyms, read as root), or "
		     "apt install linux-image-%s-dbg%s", dk->release, dk->release,
		     dk->download ? " (or --dbg: klpdiff downloads it)" : "");
}

/* The first of @dirs (formats of RELEASE) that @root has, or NULL after naming the package. */
static char *need(const struct dist_kernel *dk, const char *root, const char *package,
		  const struct place *dirs, size_t nr)
{
	char *path = NULL;

	for (size_t i = 0; i < nr; i++) {
		free(path);
		path = placed(root, &dirs[i], dk->release);
		if (readable(path))
			return path;
	}
	error(path, "missing: apt install %s%s", package, dk->release);
	free(path);
	return NULL;
}

/* The image: up to 6.x in /boot, from 7.x beside the modules (as the configs below). */
static const struct place images[] = { { "/boot/vmlinuz-", "" }, { "/usr/lib/modules/", "/vmlinuz" } };

/*
 * RELEASE's config and image under @root: up to 6.x in /boot, from 7.x in
 * /usr/lib/modules/RELEASE. Whether the config is there.
 */
static bool find_image(struct dist_kernel *dk, const char *root)
{
	static const struct place configs[] = {
		{ "/boot/config-", "" }, { "/usr/lib/modules/", "/config" },
	};

	free(dk->config), free(dk->image);
	dk->config = dk->image = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(configs) && !dk->config; i++) {
		char *config = placed(root, &configs[i], dk->release);

		if (readable(config)) {
			dk->config = config;
			dk->image = placed(root, &images[i], dk->release);
		} else {
			free(config);
		}
	}
	dk->image_root = root;
	return dk->config;
}

/*
 * The image: installed, or (no sysroot) downloaded at the newest version
 * whose source the archive has. Then its config, read.
 */
static int find_config(struct dist_kernel *dk, const struct dist_request *req)
{
	const char *root;

	if (!find_image(dk, dk->sysroot) || (dk->download && !readable(dk->image))) {
		/* Not for the running kernel unasked: it may be no Debian kernel at all. */
		if (!dk->download || !req->release) {
			char *path = at(dk->sysroot, "/boot/config-%s", dk->release);

			error(path, "missing: kernel %s is not installed (apt install "
			      "linux-image-%s%s)", dk->release, dk->release,
			      dk->download ? ", or -r RELEASE to download it" : "");
			free(path);
			return -1;
		}
		if (dist_fetch_version(dk, !req->source) || !(root = dist_fetch_image(dk)))
			return -1;
		if (!find_image(dk, root))
			return error(root, "the packages of %s %s have no config", dk->release,
				     dk->version);
	}
	if (kconfig_read(&dk->kconfig, dk->config))
		return error(dk->config, "cannot read: %s", strerror(errno));
	return 0;
}

/* With packages downloaded, say which were installed: the run says where each came from. */
static void said_installed(const struct dist_kernel *dk, const char *root, const char *pkg,
			   const char *path)
{
	if (root == dk->sysroot)
		fprintf(stderr, "klpdiff build: %s%s %s: installed (%s)\n", pkg,
			starts_with(pkg, "linux-source-") ? "" : dk->release, dk->version, path);
}

/* linux-headers-RELEASE: installed at the image's version, or downloaded. */
static int find_headers(struct dist_kernel *dk)
{
	static const struct place dirs[] = { { "/usr/src/linux-headers-", "" } };
	char *pkg = xasprintf("linux-headers-%s", dk->release), *version;
	const char *root = dk->sysroot;
	bool here;

	dk->symvers = at(root, "/usr/src/linux-headers-%s/Module.symvers", dk->release);
	version = package_version(root, pkg);
	here = readable(dk->symvers) && (!version || streq(version, dk->version));
	free(version);
	free(pkg);
	if (!here && dk->download) {
		free(dk->symvers);
		root = dist_fetch_headers(dk);
		if (!root)
			return -1;
		dk->symvers = at(root, "/usr/src/linux-headers-%s/Module.symvers", dk->release);
	}
	if (dk->fetch) {
		said_installed(dk, dk->image_root, "linux-image-", dk->image);
		said_installed(dk, root, "linux-headers-", dk->symvers);
	}
	dk->headers = need(dk, root, "linux-headers-", dirs, ARRAY_SIZE(dirs));
	if (dk->headers && !readable(dk->symvers))
		return error(dk->symvers, "missing: reinstall linux-headers-%s", dk->release);
	return dk->headers ? 0 : -1;
}

int dist_kernel_find(struct dist_kernel *dk, const struct dist_request *req)
{
	static const struct place modules[] = { { "/lib/modules/", "" }, { "/usr/lib/modules/", "" } };

	memset(dk, 0, sizeof(*dk));
	dk->sysroot = req->sysroot ? req->sysroot : "";
	dk->download = !req->sysroot;
	if (req->release && dist_release_check(req->release))
		return -1;
	dk->release = req->release ? xstrdup(req->release) : running_release();
	if (!dk->release)
		return error(NULL, "cannot tell the running kernel's release: give -r RELEASE");
	if (find_config(dk, req))
		return -1;
	if (!kconfig_enabled(&dk->kconfig, "CONFIG_LIVEPATCH"))
		return error(dk->config, "the kernel was configured without CONFIG_LIVEPATCH");
	if (kconfig_enabled(&dk->kconfig, "CONFIG_LTO_CLANG"))
		return error(dk->config, "an LTO kernel is patched from its build tree (-O)");
	if (read_versions(dk))
		return -1;
	free(dk->image);
	dk->image = need(dk, dk->image_root, "linux-image-", images, ARRAY_SIZE(images));
	dk->modules = need(dk, dk->image_root, "linux-image-", modules, ARRAY_SIZE(modules));
	if (!dk->image || !dk->modules)
		return -1;
	if (!dk->version)
		dk->version = image_version(dk);
	if (!dk->version)
		return error(dk->image, "cannot tell its Debian version (neither the running "
			     "kernel nor dpkg knows the image package)");
	if (find_headers(dk))
		return -1;
	return find_vmlinux_symbols(dk, req);
}

int dist_release_check(const char *release)
{
	size_t len = strlen(release);

	if (!len || len > 64 || !(*release >= '0' && *release <= '9') ||
	    release[strspn(release, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789.+~_-")])
		return error(NULL, "'%s' is not a kernel release (such as 6.1.0-57-cloud-amd64)",
			     release);
	return 0;
}

/* "x86_64-linux-gnu-gcc-12" and "gcc-12" are both in Debian's gcc-12. */
static char *compiler_package(const char *cc)
{
	const char *base = strstr(cc, "gcc-") ? strstr(cc, "gcc-") : strstr(cc, "clang-");

	return xstrdup(base ? base : cc);
}

static char *compiler_says(const char *cc)
{
	char *argv[] = { (char *)cc, "--version", NULL };
	char *out = run_capture(argv);

	if (out)
		out[strcspn(out, "\n")] = '\0';
	return out;
}

/* "14.2.0" of "1:14.2.0-19": what gcc itself says of Debian's VERSION. */
static char *upstream_of(const char *version)
{
	const char *colon = strchr(version, ':'), *start = colon ? colon + 1 : version;
	const char *dash = strrchr(start, '-');

	return dash ? xstrndup(start, (size_t)(dash - start)) : NULL;
}

/*
 * Where "gcc-N" starts in @name (of @len bytes) when it is "gcc-N" or
 * "MACHINE-linux-gnu-gcc-N" for this machine: a native compiler. Or NULL.
 */
static const char *native_gcc(const char *name, size_t len)
{
	const char *gcc = NULL, *triplet = "-linux-gnu-";
	struct utsname u;
	size_t digits, machine;

	for (const char *p = name; (p = strstr(p, "gcc-")) && p < name + len; p++)
		gcc = p;
	digits = gcc ? strspn(gcc + 4, "0123456789") : 0;
	if (!digits || gcc + 4 + digits != name + len)
		return NULL;
	if (gcc == name)
		return gcc;
	machine = uname(&u) ? 0 : strlen(u.machine);
	if (machine && (size_t)(gcc - name) == machine + strlen(triplet) &&
	    !strncmp(name, u.machine, machine) && !strncmp(name + machine, triplet, strlen(triplet)))
		return gcc;
	return NULL;
}

bool debian_gcc(const char *text, char **package, char **version)
{
	const char *open = strstr(text, " (Debian "), *close = open ? strchr(open, ')') : NULL;
	const char *gcc = open ? native_gcc(text, (size_t)(open - text)) : NULL;
	char *ver, *upstream;
	bool yes;

	if (!gcc || !close)
		return false;
	ver = xstrndup(open + 9, (size_t)(close - open - 9));
	upstream = upstream_of(ver);
	/* Exactly gcc's own form: anything else is no package's compiler. */
	yes = upstream && !strchr(ver, ' ') && close[1] == ' ' && streq(close + 2, upstream);
	if (yes && package)
		*package = xstrndup(gcc, (size_t)(open - gcc));
	if (yes && version)
		*version = ver;
	else
		free(ver);
	free(upstream);
	return yes;
}

int dist_kernel_check_compiler(struct dist_kernel *dk, const char *override)
{
	const char *p = kconfig_value(&dk->kconfig, "CONFIG_CC_VERSION_TEXT");
	char *text, *says;
	int ret = 0;

	if (!p)
		return error(dk->config, "no CONFIG_CC_VERSION_TEXT: cannot tell the compiler");
	text = dk->cc_text = xstrdup(p);
	dk->cc = override ? xstrdup(override) : xstrndup(text, strcspn(text, " "));
	says = compiler_says(dk->cc);
	if (override) {
		if (!says || !streq(says, text))
			warn(NULL, "compiling with %s although %s was built by '%s': the patch may "
			     "not match the running code", override, dk->release, text);
	} else if ((!says || !streq(says, text)) && debian_gcc(text, NULL, NULL)) {
		ret = DIST_CC_ROOT;
	} else if (!says) {
		char *pkg = compiler_package(dk->cc);

		ret = error(NULL, "%s built %s and is not installed: apt install %s (or "
			    "--compiler CC to use another, at your own risk)", dk->cc, dk->release,
			    pkg);
		free(pkg);
	} else if (!streq(says, text)) {
		ret = error(NULL, "%s says '%s', but %s was built by '%s': install that "
			    "compiler (or --compiler CC to use this one, at your own risk)", dk->cc,
			    says, dk->release, text);
	}
	free(says);
	return ret;
}

/* The number of "NAME = N" at the start of a line of @text, or -1. */
static long makefile_number(const char *text, const char *name)
{
	static const char equals[] = " = ";
	size_t n = strlen(name), k = sizeof(equals) - 1;

	for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, n) && !strncmp(p + n, equals, k))
			return strtol(p + n + k, NULL, 10);
	return -1;
}

/* VERSION.PATCHLEVEL.SUBLEVEL of a source tree's Makefile. */
static char *tree_version(const char *src)
{
	char *path = xasprintf("%s/Makefile", src), *text = read_file(path, NULL);
	long v = text ? makefile_number(text, "VERSION") : -1;
	long p = text ? makefile_number(text, "PATCHLEVEL") : -1;
	long s = text ? makefile_number(text, "SUBLEVEL") : -1;

	free(path);
	free(text);
	return v >= 0 && p >= 0 && s >= 0 ? xasprintf("%ld.%ld.%ld", v, p, s) : NULL;
}

static char *given_source(const struct dist_kernel *dk, const char *src)
{
	char *tree = realpath(src, NULL), *version = tree ? tree_version(tree) : NULL;

	if (!version) {
		error(src, "not a kernel source tree (no version in its Makefile)");
	} else if (!streq(version, dk->upstream)) {
		error(src, "is Linux %s, but %s is %s (Debian %s)", version, dk->release,
		      dk->upstream, dk->version);
	} else {
		free(version);
		return tree;
	}
	free(tree);
	free(version);
	return NULL;
}

/* A source tree klpdiff unpacked in part (build/source_tree.h's stamps). */
static bool unpacked_in_part(const char *tree)
{
	char *parts = xasprintf("%s/.klpdiff-parts", tree);
	char *whole = xasprintf("%s/.klpdiff-unpacked", tree);
	bool yes = readable(parts) && !readable(whole);

	free(parts);
	free(whole);
	return yes;
}

/* Is @root's linux-source-X.Y of the kernel's version? Else one line saying why not. */
static int check_source_package(const struct dist_kernel *dk, const char *root, const char *pkg,
				bool quiet)
{
	char *tarball = at(root, "/usr/src/%s.tar.xz", pkg);
	char *version = readable(tarball) ? package_version(root, pkg) : NULL;
	int ret = 0;

	if (!readable(tarball))
		ret = quiet ? -1 : error(tarball, "missing: apt install %s=%s", pkg, dk->version);
	else if (!version)
		ret = quiet ? -1 : error(tarball, "dpkg does not know %s's version: give the tree "
					 "with -s", pkg);
	else if (!streq(version, dk->version))
		ret = quiet ? -1 : error(tarball, "is %s %s, but %s is Debian %s: apt install %s=%s",
					 pkg, version, dk->release, dk->version, pkg, dk->version);
	free(version);
	free(tarball);
	return ret;
}

char *dist_kernel_source(struct dist_kernel *dk, const char *src, const char *cache,
			 char **source_tarball)
{
	const char *root = dk->sysroot;
	char *pkg, *tarball, *tree = NULL;

	*source_tarball = NULL;
	if (src) {
		tree = given_source(dk, src);
		/* klpdiff's own tree unpacked in part: more of it from its tarball, as needed. */
		if (!tree || !unpacked_in_part(tree))
			return tree;
	}
	pkg = xasprintf("linux-source-%s", dk->line);
	/* Not installed at the kernel's version: downloaded. */
	if (dk->download && check_source_package(dk, root, pkg, true))
		root = dist_fetch_source(dk, pkg);
	tarball = root ? at(root, "/usr/src/%s.tar.xz", pkg) : NULL;
	if (dk->fetch && root)
		said_installed(dk, root, pkg, tarball);
	if (root && !check_source_package(dk, root, pkg, false)) {
		if (!tree)
			tree = xasprintf("%s/src-%s", cache, dk->version);
		*source_tarball = tarball;
		tarball = NULL;
	} else {
		free(tree);
		tree = NULL;
	}
	free(pkg);
	free(tarball);
	return tree;
}

/* xz -dc @xz > @out, whole or not at all. */
static int decompress_to(const char *xz, const char *out)
{
	char *tmp = xasprintf("%s.tmp", out);
	char *argv[] = { "xz", "-dc", (char *)xz, NULL };
	int ret = run_to_file(argv, tmp) || rename(tmp, out) ? -1 : 0;

	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

/*
 * The module's file: modules.dep names it, or in packages that were
 * unpacked, not installed (depmod never ran), modules.order without the
 * compression suffix.
 */
static char *module_file(const struct dist_kernel *dk, const char *modname)
{
	char *dep = xasprintf("%s/modules.dep", dk->modules), *ko, *xz;
	bool installed = readable(dep);

	free(dep);
	ko = kernel_find_module(dk->modules, installed ? "modules.dep" : "modules.order", modname);
	if (!ko || installed || readable(ko))
		return ko;
	xz = xasprintf("%s.xz", ko);
	if (readable(xz)) {
		free(ko);
		return xz;
	}
	error(ko, "missing: the kernel's modules.order names it");
	free(ko), free(xz);
	return NULL;
}

char *dist_kernel_module(struct dist_kernel *dk, const char *modname, const char *dir)
{
	char *ko, *out;

	/* 7.x: linux-modules-RELEASE, downloaded for the first module a patch changes. */
	if (dk->fetch && !dist_fetch_modules(dk))
		return NULL;
	ko = module_file(dk, modname);
	if (!ko || ends_with(ko, ".ko"))
		return ko;
	if (!ends_with(ko, ".ko.xz")) {
		error(ko, "compressed in a way klpdiff cannot read yet (only .ko.xz)");
		free(ko);
		return NULL;
	}
	out = xasprintf("%s/%s.ko", dir, modname);
	/* Several units of one module ask for it: decompressed once per run. */
	if (!readable(out) && (mkdir_parent(out) || decompress_to(ko, out))) {
		error(ko, "cannot decompress it (apt install xz-utils)");
		free(out);
		out = NULL;
	}
	free(ko);
	return out;
}

void dist_kernel_make_vars(const struct dist_kernel *dk, struct strlist *vars)
{
	/* Debian's Makefile: LINUX_PACKAGE_ID " $(DISTRIBUTOR) $(DISTRIBUTION_VERSION)". */
	strlist_add(vars, xstrdup("DISTRIBUTION_OFFICIAL_BUILD=1"));
	strlist_add(vars, xstrdup("DISTRIBUTOR=Debian"));
	strlist_add(vars, xasprintf("DISTRIBUTION_VERSION=%s", dk->version));
}

void dist_kernel_free(struct dist_kernel *dk)
{
	free(dk->release), free(dk->config), free(dk->headers);
	kconfig_free(&dk->kconfig);
	free(dk->symvers), free(dk->image), free(dk->modules), free(dk->vmlinux_symbols);
	free(dk->line), free(dk->upstream), free(dk->version), free(dk->cc), free(dk->cc_text);
	dist_fetch_free(dk->fetch);
	memset(dk, 0, sizeof(*dk));
}
