// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/archive.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/process.h"

#define DEBIAN_KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"
#define DEBIAN_MIRROR "http://deb.debian.org/debian"

const char *const archive_debian_suites[] = {
	"trixie", "trixie-updates", "trixie-security", "trixie-backports",
	"bookworm", "bookworm-updates", "bookworm-security", "bookworm-backports", "sid", NULL,
};

char *archive_source_line(const char *suite)
{
	const char *env = getenv("KLPDIFF_DEBIAN_MIRROR");
	char *mirror = xstrdup(env && *env ? env : DEBIAN_MIRROR), *line;
	size_t n = strlen(mirror);

	while (n > 1 && mirror[n - 1] == '/')
		mirror[--n] = '\0';
	/* The security suites are in MIRROR-security (Debian's: debian-security). */
	line = xasprintf("deb [signed-by=%s] %s%s %s main", DEBIAN_KEYRING, mirror,
			 ends_with(suite, "-security") ? "-security" : "", suite);
	free(mirror);
	return line;
}

/* The sources list of @suites of Debian's archive. */
static char *debian_sources(const char *const *suites)
{
	char *text = xstrdup(""), *old, *line;

	for (; *suites; suites++) {
		old = text;
		line = archive_source_line(*suites);
		text = xasprintf("%s%s\n", old, line);
		free(old), free(line);
	}
	return text;
}

/*
 * The sources apt reads: @suites of Debian's archive; without them
 * $KLPDIFF_APT_SOURCES, or all of klpdiff's suites. klpdiff's own list is
 * rewritten when it changed.
 */
static int set_sources(struct archive *a, const char *apt_dir, const char *const *suites)
{
	const char *env = getenv("KLPDIFF_APT_SOURCES");
	char *old;
	int ret = 0;

	if (!suites && env && *env) {
		a->sources = realpath(env, NULL);
		a->sources_text = a->sources ? read_file(a->sources, NULL) : NULL;
		if (!a->sources_text)
			return error(env, "cannot read the sources list ($KLPDIFF_APT_SOURCES): %s",
				     strerror(errno));
		/* apt would take such an archive's packages unchecked. */
		if (strstr(a->sources_text, "trusted=yes") || strstr(a->sources_text, "Trusted: yes"))
			return error(env, "trusted=yes turns off apt's signature checks: klpdiff "
				     "downloads only from signed archives");
		return 0;
	}
	a->sources = xasprintf("%s/sources.list", apt_dir);
	a->sources_text = debian_sources(suites ? suites : archive_debian_suites);
	old = read_file(a->sources, NULL);
	if (!old || !streq(old, a->sources_text))
		ret = write_file_atomic(a->sources, a->sources_text, 0644);
	free(old);
	return ret;
}

static void add_opt(struct archive *a, const char *name, const char *value)
{
	strlist_add(&a->opts, xstrdup("-o"));
	strlist_add(&a->opts, xasprintf("%s=%s", name, value));
}

/* dpkg's architecture of this machine: the packages to fetch. */
static char *dpkg_architecture(void)
{
	char *argv[] = { "dpkg", "--print-architecture", NULL };
	char *arch = run_capture(argv);

	if (arch)
		arch[strcspn(arch, "\n")] = '\0';
	if (!arch || !*arch) {
		free(arch);
		error(NULL, "dpkg --print-architecture failed: is this Debian?");
		return NULL;
	}
	return arch;
}

/* The options of every apt command: its state under @apt, nothing of the system's. */
static void private_apt(struct archive *a, char *const sub[5], const char *arch)
{
	add_opt(a, "Dir::Etc::sourcelist", a->sources);
	add_opt(a, "Dir::Etc::sourceparts", "/dev/null");
	/* Nor the system's pinning: the versions asked for are taken. */
	add_opt(a, "Dir::Etc::Preferences", "/dev/null");
	add_opt(a, "Dir::Etc::PreferencesParts", "/dev/null");
	add_opt(a, "Dir::State::Lists", sub[3]);
	add_opt(a, "Dir::Cache", sub[4]);
	/* One package cache, kept: apt-cache then answers in milliseconds. */
	add_opt(a, "Dir::Cache::pkgcache", "pkgcache.bin");
	add_opt(a, "Dir::Cache::srcpkgcache", "");
	add_opt(a, "Dir::State::status", sub[2]);
	add_opt(a, "APT::Architecture", arch);
	add_opt(a, "APT::Architectures", arch);
	add_opt(a, "Acquire::Languages", "none");
	add_opt(a, "Acquire::GzipIndexes", "true");
	/* Whatever the system's configuration says: signed archives only. */
	add_opt(a, "Acquire::AllowInsecureRepositories", "false");
	add_opt(a, "APT::Get::AllowUnauthenticated", "false");
	/* The cache is the user's own: no need to hand it to the _apt user. */
	if (!geteuid())
		add_opt(a, "APT::Sandbox::User", "root");
}

/* The archive with apt's state in @dir/apt; @suites: see set_sources(). */
static int open_at(struct archive *a, const char *dir, const char *const *suites)
{
	char *apt = xasprintf("%s/apt", dir), *sub[5], *arch;
	int ret = 0;

	memset(a, 0, sizeof(*a));
	a->opened = time(NULL);
	a->dir = xstrdup(dir);
	sub[0] = xasprintf("%s/lists/partial", apt);
	sub[1] = xasprintf("%s/cache/archives/partial", apt);
	sub[2] = xasprintf("%s/status", apt);
	sub[3] = xasprintf("%s/lists", apt);
	sub[4] = xasprintf("%s/cache", apt);
	arch = dpkg_architecture();
	if (!arch || mkdir_p(sub[0]) || mkdir_p(sub[1]) || set_sources(a, apt, suites) ||
	    (access(sub[2], F_OK) && write_file_atomic(sub[2], "", 0644)))
		ret = -1;
	if (!ret)
		private_apt(a, sub, arch);
	for (size_t i = 0; i < ARRAY_SIZE(sub); i++)
		free(sub[i]);
	free(apt), free(arch);
	return ret;
}

int archive_open(struct archive *a, const char *cache)
{
	char *dir = xasprintf("%s/archive", cache);
	int ret = open_at(a, dir, NULL);

	free(dir);
	return ret;
}

int archive_open_suites(struct archive *a, const char *dir, const char *const *suites)
{
	return open_at(a, dir, suites);
}

void archive_close(struct archive *a)
{
	free(a->dir), free(a->sources), free(a->sources_text);
	strlist_free(&a->opts);
	memset(a, 0, sizeof(*a));
}

/* argv: @tool (after @pre, such as "env -C DIR"), the options, then @args. */
static void apt_argv(const struct archive *a, struct strlist *argv, const char *const *pre,
		     const char *tool, const char *const *args)
{
	for (; pre && *pre; pre++)
		strlist_add(argv, xstrdup(*pre));
	strlist_add(argv, xstrdup(tool));
	strlist_add(argv, xstrdup("-q"));
	for (size_t i = 0; i < a->opts.nr; i++)
		strlist_add(argv, xstrdup(a->opts.v[i]));
	for (; *args; args++)
		strlist_add(argv, xstrdup(*args));
}

/* The line of apt's log that says what went wrong, or NULL. */
static char *log_reason(const char *text)
{
	static const char *const marks[] = { "\nE: ", "\nW: Failed to fetch ", "\nW: " };
	char *all = xasprintf("\n%s", text ? text : ""), *reason = NULL;

	for (size_t i = 0; !reason && i < ARRAY_SIZE(marks); i++) {
		const char *p = strstr(all, marks[i]);

		if (p) {
			p += 4;
			reason = xstrndup(p, strcspn(p, "\n"));
		}
	}
	free(all);
	return reason;
}

/* The first non-empty line of @text (a tool's own complaint), or NULL. */
static char *first_line(const char *text)
{
	const char *p = text ? text + strspn(text, "\n") : NULL;

	return p && *p ? xstrndup(p, strcspn(p, "\n")) : NULL;
}

int archive_run(const struct archive *a, char *const argv[], char **why)
{
	char *log = xasprintf("%s/apt/log.XXXXXX", a->dir), *text;
	int fd = mkstemp(log), status;

	*why = NULL;
	if (fd < 0) {
		*why = xasprintf("cannot create %s: %s", log, strerror(errno));
		free(log);
		return -1;
	}
	close(fd);
	status = run_logged(argv, log);
	text = read_file(log, NULL);
	unlink(log);
	free(log);
	/* apt-get update says "W: Failed to fetch" and exits 0 when it is offline. */
	*why = log_reason(text);
	if (status == 0 && (!*why || !strstr(text, "Failed to fetch"))) {
		free(*why);
		*why = NULL;
	} else if (!*why) {
		*why = first_line(text);
		if (!*why)
			*why = xasprintf("%s failed (exit %d)", argv[0], status);
	}
	free(text);
	return *why ? -1 : 0;
}

static char *stamp_path(const struct archive *a)
{
	return xasprintf("%s/apt/updated", a->dir);
}

/* Were the lists fetched for these very sources? */
static bool lists_fresh(const struct archive *a)
{
	char *stamp = stamp_path(a), *text = read_file(stamp, NULL);
	bool yes = text && streq(text, a->sources_text);

	free(stamp);
	free(text);
	return yes;
}

static int apt_lock(const struct archive *a)
{
	char *path = xasprintf("%s/apt/lock", a->dir);
	int fd = cache_lock(path, true);

	free(path);
	return fd;
}

int archive_update(struct archive *a)
{
	static const char *const args[] = { "update", NULL };
	struct strlist argv = { 0 };
	char *why = NULL, *stamp;
	struct stat st;
	int fd, ret = 0;

	if (a->updated)
		return 0;
	if ((fd = apt_lock(a)) < 0)
		return -1;
	stamp = stamp_path(a);
	/* Another run refreshed them while this one waited for the lock. */
	if (!stat(stamp, &st) && st.st_mtime >= a->opened && lists_fresh(a)) {
		a->updated = true;
		close(fd);
		free(stamp);
		return 0;
	}
	fprintf(stderr, "klpdiff build: apt-get update (%s)\n", a->sources);
	apt_argv(a, &argv, NULL, "apt-get", args);
	/*
	 * Stamped when it succeeds. A failed one keeps the lists (apt does) and
	 * the stamp of the last that succeeded: they still serve what they have.
	 */
	if (archive_run(a, argv.v, &why))
		ret = error(a->sources, "apt-get update failed: %s", why);
	else if (write_file_atomic(stamp, a->sources_text, 0644))
		ret = -1;
	a->updated = !ret;
	close(fd);
	strlist_free(&argv);
	free(why), free(stamp);
	return ret;
}

/* Lists fetched less than this ago are not refreshed for something they lack. */
#define FRESH_SECONDS 3600

int archive_refresh(struct archive *a)
{
	char *stamp = stamp_path(a);
	struct stat st;
	bool recent = !stat(stamp, &st) && time(NULL) - st.st_mtime < FRESH_SECONDS;

	free(stamp);
	if (a->updated || (recent && lists_fresh(a)))
		return 0;
	return archive_update(a) ? -1 : 1;
}

/* Run apt-cache @args under the apt lock; its output, or NULL after an error. */
static char *apt_cache(struct archive *a, const char *const *args)
{
	struct strlist argv = { 0 };
	char *out = NULL;
	int fd;

	if (!a->updated && !lists_fresh(a) && archive_update(a))
		return NULL;
	if ((fd = apt_lock(a)) < 0)
		return NULL;
	apt_argv(a, &argv, NULL, "apt-cache", args);
	out = run_capture(argv.v);
	if (!out)
		error(a->sources, "apt-cache %s %s failed", args[0], args[1]);
	close(fd);
	strlist_free(&argv);
	return out;
}

/* "URL SUITE/COMPONENT ARCH Packages" (madison's third column): the suite. */
static char *suite_of(const char *where)
{
	const char *p = where + strspn(where, " ");

	p += strcspn(p, " ");
	p += strspn(p, " ");
	return xstrndup(p, strcspn(p, "/ "));
}

/* Add @suite to the suites of version @v unless it is there. */
static void add_suite(struct archive_version *v, char *suite)
{
	char *old = v->suites;

	if (!old) {
		v->suites = suite;
		return;
	}
	for (const char *p = old; (p = strstr(p, suite)); p += strlen(suite))
		if ((p == old || p[-1] == ' ') && (!p[strlen(suite)] || p[strlen(suite)] == ','))
			return free(suite);
	v->suites = xasprintf("%s, %s", old, suite);
	free(old);
	free(suite);
}

int archive_versions(struct archive *a, const char *pkg, struct archive_version **out)
{
	const char *args[] = { "madison", pkg, NULL };
	char *text = apt_cache(a, args), *line, *save;
	struct archive_version *v = NULL;
	size_t nr = 0, alloc = 0;

	*out = NULL;
	if (!text)
		return -1;
	/* "pkg | version | URL suite/component arch Packages", newest first */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *bar = strchr(line, '|'), *bar2 = bar ? strchr(bar + 1, '|') : NULL, *ver;

		if (!bar2)
			continue;
		bar++;
		bar += strspn(bar, " ");
		ver = xstrndup(bar, strcspn(bar, " |"));
		if (!nr || !streq(v[nr - 1].version, ver)) {
			GROW(v, nr, alloc, nr + 1);
			v[nr++] = (struct archive_version){ ver, NULL };
		} else {
			free(ver);
		}
		add_suite(&v[nr - 1], suite_of(bar2 + 1));
	}
	free(text);
	*out = v;
	return (int)nr;
}

void archive_versions_free(struct archive_version *v, int nr)
{
	for (int i = 0; i < nr; i++)
		free(v[i].version), free(v[i].suites);
	free(v);
}

/* Field @field of the first paragraph of @text ("" if none). */
static char *control_field(const char *text, const char *field)
{
	size_t n = strlen(field);

	for (const char *p = text; p && *p && *p != '\n'; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (!strncmp(p, field, n) && p[n] == ':') {
			p += n + 1;
			p += strspn(p, " ");
			return xstrndup(p, strcspn(p, "\n"));
		}
	}
	return xstrdup("");
}

char *archive_field(struct archive *a, const char *pkg, const char *version, const char *field)
{
	char *which = xasprintf("%s=%s", pkg, version);
	const char *args[] = { "show", which, NULL };
	char *text = apt_cache(a, args), *value = NULL;

	if (text && !*text)
		error(NULL, "%s: not in the archive's lists", which);
	else if (text)
		value = control_field(text, field);
	free(text);
	free(which);
	return value;
}

const char *archive_disk_full(const char *dir)
{
	struct statvfs st;

	if (!statvfs(dir, &st) && (unsigned long long)st.f_bavail * st.f_frsize < 1 << 20)
		return ": no space left on the device";
	return "";
}

/* PACKAGE_VERSION as apt names its file (an epoch's ':' as "%3a"), then _PART. */
static char *entry_path(const struct archive *a, const char *pkg, const char *version,
			const struct archive_part *part)
{
	char *name = xasprintf("%s/deb/%s_", a->dir, pkg), *old;

	for (const char *p = version; *p; p++) {
		old = name;
		name = *p == ':' ? xasprintf("%s%%3a", old) : xasprintf("%s%c", old, *p);
		free(old);
	}
	if (part) {
		old = name;
		name = xasprintf("%s_%s", old, part->name);
		free(old);
	}
	return name;
}

/* The one .deb in @dir, or NULL. */
static char *deb_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *deb = NULL;

	while (d && (e = readdir(d)))
		if (ends_with(e->d_name, ".deb") && !deb)
			deb = xasprintf("%s/%s", dir, e->d_name);
	if (d)
		closedir(d);
	return deb;
}

/* apt-get download @pkg=@version into @dl (apt checks its hash); the .deb, or NULL. */
static char *download(struct archive *a, const char *pkg, const char *version, const char *dl)
{
	char *which = xasprintf("%s=%s", pkg, version), *why = NULL, *deb = NULL;
	const char *pre[] = { "env", "-C", dl, NULL };
	const char *args[] = { "download", which, NULL };
	struct strlist argv = { 0 };
	int fd = apt_lock(a), failed;

	if (fd < 0) {
		free(which);
		return NULL;
	}
	apt_argv(a, &argv, pre, "apt-get", args);
	failed = archive_run(a, argv.v, &why);
	close(fd);
	if (!failed && !(deb = deb_in(dl)))
		why = xasprintf("apt-get download left no .deb in %s", dl);
	if (!deb)
		error(which, "cannot download it from the archive%s: %s", archive_disk_full(dl), why);
	strlist_free(&argv);
	free(which), free(why);
	return deb;
}

/* Unpack @deb (@part of it, if given) into @tmp/tree, its control into @tmp/control. */
static int unpack(const struct archive *a, const char *deb, const char *tmp,
		  const struct archive_part *part)
{
	char *tree = xasprintf("%s/tree", tmp), *control = xasprintf("%s/control", tmp);
	char *why = NULL;
	char *whole[] = { "dpkg-deb", "-x", (char *)deb, tree, NULL };
	char *some[] = { "sh", "-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -xf - -C \"$2\" "
			 "--wildcards --wildcards-match-slash \"$3\"", "sh", (char *)deb, tree,
			 part ? (char *)part->only : NULL, NULL };
	char *strip[] = { "find", tree, "-type", "f", "-exec", "objcopy", "--strip-debug", "{}",
			  "+", NULL };
	char *fields[] = { "dpkg-deb", "-f", (char *)deb, NULL };
	int ret = mkdir_p(tree);

	if (!ret && archive_run(a, part ? some : whole, &why))
		ret = error(tmp, "cannot unpack %s%s: %s", deb, archive_disk_full(tmp), why);
	if (!ret && part && part->strip_debug) {
		free(why);
		if (archive_run(a, strip, &why))
			ret = error(tmp, "objcopy --strip-debug failed%s: %s", archive_disk_full(tmp),
				    why);
	}
	if (!ret && run_to_file(fields, control))
		ret = error(deb, "dpkg-deb cannot read its control file");
	free(tree), free(control), free(why);
	return ret;
}

/* Download and unpack into @tmp, then rename it @entry: complete or absent. */
static int fetch_entry(struct archive *a, const char *pkg, const char *version,
		       const struct archive_part *part, const char *suites, const char *entry)
{
	char *tmp = xasprintf("%s.tmp", entry), *dl = xasprintf("%s.download", entry);
	char *origin = xasprintf("%s/origin", tmp), *deb = NULL;
	int ret;

	/* What an interrupted run left: never complete, so redone. */
	ret = remove_tree(tmp) || remove_tree(dl) || remove_tree(entry) || mkdir_p(dl) ||
	      mkdir_p(tmp) ? -1 : 0;
	if (!ret) {
		fprintf(stderr, "klpdiff build: %s %s: downloading from %s\n", pkg, version, suites);
		deb = download(a, pkg, version, dl);
		/* Lists older than the archive: refresh them once and try again. */
		if (!deb && archive_refresh(a) == 1)
			deb = download(a, pkg, version, dl);
	}
	if (!ret && (!deb || unpack(a, deb, tmp, part) ||
		     write_file_atomic(origin, suites, 0644)))
		ret = -1;
	if (!ret && rename(tmp, entry))
		ret = error(entry, "cannot finish unpacking: %s", strerror(errno));
	if (ret)
		remove_tree(tmp);
	remove_tree(dl);
	free(tmp), free(dl), free(origin), free(deb);
	return ret;
}

char *archive_unpacked(struct archive *a, const char *pkg, const char *version,
		       const struct archive_part *part, const char *suites)
{
	char *entry = entry_path(a, pkg, version, part);
	char *lock = xasprintf("%s.lock", entry), *control = xasprintf("%s/control", entry);
	char *origin = xasprintf("%s/origin", entry), *from = NULL;
	int fd = mkdir_parent(entry) ? -1 : cache_lock(lock, true), ret = fd < 0 ? -1 : 0;

	if (!ret && !access(control, R_OK)) {
		from = read_file(origin, NULL);
		fprintf(stderr, "klpdiff build: %s %s: in the cache (from %s): %s\n", pkg, version,
			from ? from : "the archive", entry);
	} else if (!ret) {
		ret = fetch_entry(a, pkg, version, part, suites, entry);
	}
	if (fd >= 0)
		close(fd);
	free(lock), free(control), free(origin), free(from);
	if (ret) {
		free(entry);
		return NULL;
	}
	return entry;
}
