// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/distro_fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "kernel/archive.h"

struct dist_fetch {
	struct archive archive;
	char *root;		/* CACHE/archive/root/RELEASE_VERSION */
	char *image_pkg;	/* linux-image-RELEASE, or its -unsigned twin */
	char *suites;		/* where the archive has the image at dk->version */
	bool have_image;	/* the image's packages are in the root */
	bool split;		/* 7.x: linux-base, linux-binary and linux-modules */
	bool have_modules;	/* 7.x: linux-modules is in the root */
};

/* The archive, opened once per run. */
static struct dist_fetch *fetch_state(struct dist_kernel *dk)
{
	char *base;

	if (dk->fetch)
		return dk->fetch;
	dk->fetch = xcalloc(1, sizeof(*dk->fetch));
	base = cache_base();
	if (archive_open(&dk->fetch->archive, base)) {
		archive_close(&dk->fetch->archive);
		free(dk->fetch);
		dk->fetch = NULL;
	}
	free(base);
	return dk->fetch;
}

void dist_fetch_free(struct dist_fetch *f)
{
	if (!f)
		return;
	archive_close(&f->archive);
	free(f->root), free(f->image_pkg), free(f->suites);
	free(f);
}

/* The versions of @pkg; lists that do not know it are refreshed once. */
static int versions_of(struct archive *a, const char *pkg, struct archive_version **v)
{
	int nr = archive_versions(a, pkg, v);

	if (nr == 0) {
		int refreshed = archive_refresh(a);

		if (refreshed < 0)
			return -1;
		if (refreshed)
			nr = archive_versions(a, pkg, v);
	}
	return nr;
}

/* The kernel line of a Debian version: "6.1" of "6.1.190-1", "7.3" of "7.3.4-1~bpo13+1". */
static char *line_of(const char *version)
{
	size_t n = strspn(version, "0123456789");

	if (version[n] == '.')
		n += 1 + strspn(version + n + 1, "0123456789");
	return xstrndup(version, n);
}

static bool has_version(const struct archive_version *v, int nr, const char *version)
{
	for (int i = 0; i < nr; i++)
		if (streq(v[i].version, version))
			return true;
	return false;
}

/*
 * The first version of @img (newest first) of which the archive has the
 * headers and (@need_source) the source too, or -1 with *@missing naming
 * the package the newest lacks.
 */
static int pick_version(struct dist_kernel *dk, const struct archive_version *img, int nr,
			bool need_source, char **missing)
{
	struct archive *a = &dk->fetch->archive;
	struct archive_version *has[2] = { NULL, NULL };
	char *line = line_of(img[0].version), *pkgs[2];
	int nr_has[2] = { 0, 0 }, pick = -1, nr_pkgs = need_source ? 2 : 1;

	pkgs[0] = xasprintf("linux-headers-%s", dk->release);
	pkgs[1] = xasprintf("linux-source-%s", line);
	for (int k = 0; k < nr_pkgs; k++)
		if ((nr_has[k] = versions_of(a, pkgs[k], &has[k])) < 0)
			nr = 0;
	for (int i = 0; i < nr && pick < 0; i++) {
		pick = i;
		for (int k = 0; k < nr_pkgs; k++)
			if (!has_version(has[k], nr_has[k], img[i].version))
				pick = -1;
	}
	for (int k = 0; k < nr_pkgs && pick < 0 && nr && !*missing; k++)
		if (!has_version(has[k], nr_has[k], img[0].version))
			*missing = xasprintf("%s=%s", pkgs[k], img[0].version);
	for (int k = 0; k < 2; k++)
		archive_versions_free(has[k], nr_has[k]), free(pkgs[k]);
	free(line);
	return pick;
}

/*
 * The versions of linux-image-RELEASE, else of its -unsigned twin (the
 * same kernel); @name says which. Lists that know neither are refreshed.
 */
static int image_versions(struct dist_kernel *dk, struct archive_version **v, char **name)
{
	struct archive *a = &dk->fetch->archive;
	int nr = 0;

	for (int pass = 0; pass < 2 && nr == 0; pass++) {
		int refreshed = pass ? archive_refresh(a) : 1;

		if (refreshed <= 0)
			return refreshed;
		for (int i = 0; i < 2 && nr == 0; i++) {
			free(*name);
			*name = xasprintf("linux-image-%s%s", dk->release, i ? "-unsigned" : "");
			archive_versions_free(*v, nr);
			nr = archive_versions(a, *name, v);
			if (nr < 0)
				return -1;
		}
	}
	return nr;
}

int dist_fetch_version(struct dist_kernel *dk, bool need_source)
{
	struct dist_fetch *f = fetch_state(dk);
	struct archive_version *v = NULL;
	char *name = NULL, *missing = NULL;
	int nr = f ? image_versions(dk, &v, &name) : -1, pick = -1;

	if (nr > 0)
		pick = pick_version(dk, v, nr, need_source, &missing);
	if (pick >= 0) {
		dk->version = xstrdup(v[pick].version);
		f->suites = xstrdup(v[pick].suites);
		f->image_pkg = name;
		name = NULL;
	} else if (missing) {
		error(NULL, "%s: not in the archive (any more): %s is Debian %s (%s)%s", missing,
		      dk->release, v[0].version, v[0].suites,
		      starts_with(missing, "linux-source-") ? "; give its source tree with -s" : "");
	} else if (nr == 0) {
		error(NULL, "%s: not installed, and the archive has no linux-image-%s (%s)",
		      dk->release, dk->release, f->archive.sources);
	}
	archive_versions_free(v, nr);
	free(name), free(missing);
	return pick >= 0 ? 0 : -1;
}

/* The root of this release and version, made when first needed. */
static const char *root_of(struct dist_kernel *dk)
{
	struct dist_fetch *f = dk->fetch;
	char *root;

	if (f->root)
		return f->root;
	root = xasprintf("%s/root/%s_", f->archive.dir, dk->release);
	for (const char *p = dk->version; *p; p++) {
		char *old = root;

		root = *p == ':' ? xasprintf("%s%%3a", old) : xasprintf("%s%c", old, *p);
		free(old);
	}
	f->root = root;
	return root;
}

/* Append @entry's control paragraph to the root's dpkg status, as installed. */
static int add_status(const char *root, const char *entry, const char *pkg)
{
	char *path = xasprintf("%s/var/lib/dpkg/status", root), *control_path;
	char *status = read_file(path, NULL), *control, *text, *mark = xasprintf("Package: %s\n", pkg);
	size_t first;
	int ret = 0;

	control_path = xasprintf("%s/control", entry);
	control = read_file(control_path, NULL);
	if (!control) {
		ret = error(control_path, "cannot read the package's control file");
	} else if (!status || !strstr(status, mark)) {
		first = strcspn(control, "\n") + 1;
		text = xasprintf("%s%s%.*sStatus: install ok installed\n%s\n", status ? status : "",
				 status && *status ? "\n" : "", (int)first, control,
				 control + first);
		/* dpkg-query reads the status with info/ and updates/ beside it. */
		free(control_path);
		control_path = xasprintf("%s/var/lib/dpkg/updates", root);
		ret = mkdir_p(control_path) || write_file_atomic(path, text, 0644) ? -1 : 0;
		free(text);
	}
	free(path), free(status), free(control), free(control_path), free(mark);
	return ret;
}

/*
 * The headers' Makefile includes the -common one by its absolute path
 * (7.x also sets KBUILD_OUTPUT): there, the root's. A new file, not a
 * change of the unpacked package's, which the root only links to.
 */
static int rebase_makefile(const char *root, const char *pkg)
{
	char *path = xasprintf("%s/usr/src/%s/Makefile", root, pkg);
	char *text = read_file(path, NULL), *out = xstrdup(""), *old;
	int ret = 0;

	for (const char *p = text; p && *p;) {
		const char *hit = strstr(p, "/usr/src/");
		size_t n = hit ? (size_t)(hit - p) : strlen(p);
		bool rebase = hit && (hit == text || hit[-1] == ' ' || hit[-1] == '=');

		old = out;
		out = xasprintf("%s%.*s%s", old, (int)n, p, rebase ? root : "");
		free(old);
		p += n;
		if (hit) {
			old = out;
			out = xasprintf("%s/", old);
			free(old);
			p++;
		}
	}
	if (text)
		ret = write_file_atomic(path, out, 0644);
	free(path), free(text), free(out);
	return ret;
}

/* Put the unpacked @entry of @pkg into the root: hard links, once. */
static int merge(struct dist_kernel *dk, const char *pkg, const char *entry)
{
	const char *root = root_of(dk), *name = strrchr(entry, '/') + 1;
	char *lock = xasprintf("%s.lock", root), *stamp = xasprintf("%s/.klpdiff/%s", root, name);
	char *tree = xasprintf("%s/tree/.", entry), *why = NULL;
	char *argv[] = { "cp", "-al", "--remove-destination", tree, (char *)root, NULL };
	char *why_not = NULL;
	int fd = mkdir_p(root) ? -1 : cache_lock(lock, true), ret = fd < 0 ? -1 : 0;

	if (!ret && access(stamp, F_OK)) {
		/*
		 * An interrupted merge has no stamp: done again over what it left.
		 * Hard links, or where they cannot be (a cache over two file
		 * systems), symbolic ones.
		 */
		if (archive_run(&dk->fetch->archive, argv, &why)) {
			argv[1] = "-as";
			if (archive_run(&dk->fetch->archive, argv, &why_not))
				ret = error(root, "cannot link %s into it: %s", name, why);
		}
		if (!ret && starts_with(pkg, "linux-headers-"))
			ret = rebase_makefile(root, pkg);
		if (!ret)
			ret = add_status(root, entry, pkg) || mkdir_parent(stamp) ||
			      write_file_atomic(stamp, "", 0644) ? -1 : 0;
	}
	if (fd >= 0)
		close(fd);
	free(lock), free(stamp), free(tree), free(why), free(why_not);
	return ret;
}

/*
 * @pkg at @version (NULL: the image's version if the archive has it, else
 * its newest), downloaded and unpacked unless cached, then in the root.
 */
static int fetch(struct dist_kernel *dk, const char *pkg, const char *version,
		 const struct archive_part *part)
{
	struct dist_fetch *f = fetch_state(dk);
	struct archive_version *v = NULL;
	const char *want = version ? version : dk->version;
	char *entry = NULL;
	int nr = f ? versions_of(&f->archive, pkg, &v) : -1, i, ret = -1;

	for (i = 0; i < nr && !streq(v[i].version, want); i++)
		;
	if (i == nr && !version && nr > 0)
		i = 0;
	if (nr >= 0 && i == nr)
		error(NULL, "%s=%s: not in the archive%s%s", pkg, want, nr ? ", which has " : "",
		      nr ? v[0].version : "");
	else if (nr > 0)
		entry = archive_unpacked(&f->archive, pkg, v[i].version, part, v[i].suites);
	if (entry)
		ret = merge(dk, pkg, entry);
	archive_versions_free(v, nr);
	free(entry);
	return ret;
}

/* The packages @pkg at @dk->version depends on whose names start with @prefix. */
static char *depends_on(struct dist_kernel *dk, const char *pkg, const char *prefix)
{
	char *deps = archive_field(&dk->fetch->archive, pkg, dk->version, "Depends");
	char *found = NULL;

	for (const char *p = deps; p && *p && !found;) {
		p += strspn(p, ", ");
		if (starts_with(p, prefix))
			found = xstrndup(p, strcspn(p, " ,("));
		p += strcspn(p, ",");
	}
	free(deps);
	return found;
}

const char *dist_fetch_image(struct dist_kernel *dk)
{
	struct dist_fetch *f = fetch_state(dk);
	char *binary, *base, *dep;
	int ret;

	if (!f)
		return NULL;
	if (f->have_image)
		return f->root;
	if (!f->image_pkg)
		f->image_pkg = xasprintf("linux-image-%s", dk->release);
	binary = xasprintf("linux-binary-%s", dk->release);
	base = xasprintf("linux-base-%s", dk->release);
	dep = depends_on(dk, f->image_pkg, binary);
	f->split = dep != NULL;
	free(dep);
	if (f->split)
		ret = fetch(dk, base, dk->version, NULL) || fetch(dk, binary, dk->version, NULL);
	else
		ret = fetch(dk, f->image_pkg, dk->version, NULL);
	f->have_image = !ret;
	free(binary), free(base);
	return ret ? NULL : f->root;
}

/*
 * One "name (op version)" of a Depends field: whether it is a package the
 * headers need (-common, linux-kbuild), and the version "=" asks for.
 */
static bool headers_need(const char *dep, size_t len, char **name, char **version)
{
	size_t n = strcspn(dep, " ,(|");
	const char *eq = memchr(dep, '(', len);

	*name = xstrndup(dep, n);
	*version = NULL;
	if (!starts_with(*name, "linux-headers-") && !starts_with(*name, "linux-kbuild-")) {
		free(*name);
		return false;
	}
	if (eq && eq[1] == '=' && eq[2] == ' ')
		*version = xstrndup(eq + 3, strcspn(eq + 3, ")"));
	return true;
}

const char *dist_fetch_headers(struct dist_kernel *dk)
{
	struct dist_fetch *f = fetch_state(dk);
	char *pkg = xasprintf("linux-headers-%s", dk->release), *deps = NULL, *name, *version;
	int ret = !f || fetch(dk, pkg, dk->version, NULL) ? -1 : 0;

	if (!ret)
		deps = archive_field(&f->archive, pkg, dk->version, "Depends");
	if (!deps)
		ret = -1;
	for (const char *p = deps; !ret && p && *p; p += strcspn(p, ",")) {
		size_t len;

		p += strspn(p, ", ");
		len = strcspn(p, ",");
		/* linux-kbuild-6.1 (>= V): V itself if the archive has it, else its newest. */
		if (headers_need(p, len, &name, &version)) {
			ret = fetch(dk, name, version, NULL);
			free(name), free(version);
		}
	}
	free(pkg), free(deps);
	return ret ? NULL : f->root;
}

const char *dist_fetch_source(struct dist_kernel *dk, const char *pkg)
{
	return fetch_state(dk) && !fetch(dk, pkg, dk->version, NULL) ? dk->fetch->root : NULL;
}

const char *dist_fetch_dbg(struct dist_kernel *dk)
{
	/*
	 * 1.7 GB unpacked (cloud 6.1), of which the build needs only vmlinux's
	 * symbols: 83 MB of its 590 without the debugging sections.
	 */
	static const struct archive_part symbols = {
		.name = "symbols", .only = "./usr/lib/debug/*vmlinux*", .strip_debug = true,
	};
	char *pkg = xasprintf("linux-image-%s-dbg", dk->release);
	const char *root = NULL;

	if (fetch_state(dk) && !fetch(dk, pkg, dk->version, &symbols))
		root = dk->fetch->root;
	free(pkg);
	return root;
}

const char *dist_fetch_modules(struct dist_kernel *dk)
{
	struct dist_fetch *f = dk->fetch;
	char *pkg;
	int ret;

	/* Up to 6.x the image has the modules; an installed image has them too. */
	if (!f || !f->split || f->have_modules)
		return f ? root_of(dk) : NULL;
	pkg = xasprintf("linux-modules-%s", dk->release);
	ret = fetch(dk, pkg, dk->version, NULL);
	f->have_modules = !ret;
	free(pkg);
	return ret ? NULL : f->root;
}
