// SPDX-License-Identifier: GPL-2.0-or-later
#include "build/toolchain_root.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build/kbuild.h"
#include "kernel/archive.h"
#include "kernel/distro.h"
#include "base/util.h"

/*
 * What kbuild needs besides the compiler: gcc for the host programs (HOSTCC),
 * make prepare, objtool and modpost (libelf), sign-file (libssl), BTF
 * (pahole, in dwarves), compressed modules.
 */
#define ROOT_PACKAGES "gcc,make,libc6-dev,bc,bison,flex,libelf-dev,libssl-dev,perl,python3," \
		      "pkgconf,xz-utils,cpio,kmod,dwarves"
/*
 * With CONFIG_RUST=y (Debian's 7.x), kbuild's olddefconfig and prepare need
 * the rustc and bindgen that built the kernel, libclang and core's source:
 * without them CONFIG_RUST would turn off. Such a root is another one.
 */
#define RUST_PACKAGES "rustc,rust-src,bindgen,libclang-dev"
/* Stamped in each root: a root of another format (other packages) is made again. */
#define ROOT_FORMAT 2
#define STAMP ".klpdiff-root"


/* The compiler a root is for: gcc-14 at 14.2.0-19, which says @text and is called @name. */
struct root_cc {
	const char *text, *release;	/* the kernel it built, for messages */
	char *name, *package, *version;
	char *suite;			/* the first suite that has it, when it is to be made */
	bool rust;			/* with RUST_PACKAGES */
};

/*
 * Mount a tmpfs overlay on the root (its mnt/ holds the layers), bind each
 * path up to "--" at the same path inside, then chroot and run the rest.
 */
static const char run_in_root[] =
	"set -e\n"
	"r=$1\n"
	"shift\n"
	"mount -t tmpfs klpdiff \"$r/mnt\"\n"
	"mkdir \"$r/mnt/up\" \"$r/mnt/work\"\n"
	"mount -t overlay klpdiff -o \"lowerdir=$r,upperdir=$r/mnt/up,workdir=$r/mnt/work\" \"$r\"\n"
	"while [ \"$1\" != -- ]; do\n"
	"\tif [ -d \"$1\" ]; then mkdir -p \"$r$1\"; else mkdir -p \"$r${1%/*}\"; : >\"$r$1\"; fi\n"
	"\tmount --rbind \"$1\" \"$r$1\"\n"
	"\tshift\n"
	"done\n"
	"shift\n"
	"exec /usr/sbin/chroot \"$r\" \"$@\"\n";

/* Whether @path is @dir or below it. */
static bool is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return !strncmp(path, dir, n) && (!path[n] || path[n] == '/');
}

/* Add @path unless it is missing or under one already bound (--rbind takes submounts along). */
static void add_bind(struct strlist *argv, size_t first, const char *path)
{
	if (!path || path[0] != '/' || access(path, F_OK))
		return;
	for (size_t i = first; i < argv->nr; i++)
		if (is_under(path, argv->v[i]))
			return;
	strlist_add(argv, xstrdup(path));
}

void toolchain_root_wrap(const char *root, const char *const binds[], struct strlist *argv)
{
	struct strlist wrapped = { 0 };
	size_t first;

	if (!root)
		return;
	strlist_add(&wrapped, xstrdup("unshare"));
	/* Inside klpdiff's own namespace a user is root already. */
	if (getuid())
		strlist_add(&wrapped, xstrdup("--map-root-user"));
	strlist_add(&wrapped, xstrdup("--mount"));
	strlist_add(&wrapped, xstrdup("--propagation=private"));
	strlist_add(&wrapped, xstrdup("/bin/sh"));
	strlist_add(&wrapped, xstrdup("-c"));
	strlist_add(&wrapped, xstrdup(run_in_root));
	strlist_add(&wrapped, xstrdup("klpdiff-root"));
	strlist_add(&wrapped, xstrdup(root));
	first = wrapped.nr;
	add_bind(&wrapped, first, "/dev");
	add_bind(&wrapped, first, "/proc");
	add_bind(&wrapped, first, "/tmp");
	add_bind(&wrapped, first, getenv("TMPDIR"));
	for (size_t i = 0; binds && binds[i]; i++)
		add_bind(&wrapped, first, binds[i]);
	strlist_add(&wrapped, xstrdup("--"));
	for (size_t i = 0; i < argv->nr; i++)
		strlist_add(&wrapped, argv->v[i]);
	free(argv->v);
	*argv = wrapped;
}

/* The first line of @argv's output when run in @root, or NULL. */
static char *first_line_in_root(const char *root, const char *const argv[])
{
	struct strlist cmd = { 0 };
	char *out;

	for (size_t i = 0; argv[i]; i++)
		strlist_add(&cmd, xstrdup(argv[i]));
	toolchain_root_wrap(root, NULL, &cmd);
	out = run_capture(cmd.v);
	strlist_free(&cmd);
	if (out)
		out[strcspn(out, "\n")] = '\0';
	return out;
}

/* Whether the root's compiler says exactly what the kernel's config says; one line if not. */
static int check_compiler(const char *root, const struct root_cc *cc)
{
	const char *argv[] = { cc->name, "--version", NULL };
	char *says = first_line_in_root(root, argv);
	int ret = 0;

	if (!says)
		ret = error(root, "cannot run %s in this root (unshare and chroot need root or "
			    "user namespaces)", cc->name);
	else if (!streq(says, cc->text))
		ret = error(root, "its %s says '%s', not '%s'", cc->name, says, cc->text);
	free(says);
	return ret;
}

/* kbuild's numbers: 2.44 -> 24400 (as-version.sh, ld-version.sh), v1.30 -> 130 (pahole). */
static long tool_version(const char *line, bool pahole)
{
	const char *word = line ? strrchr(line, ' ') : NULL;
	int major = 0, minor = 0, patch = 0;

	word = word ? word + 1 : line;
	if (pahole)
		return word && sscanf(word, "v%d.%d", &major, &minor) == 2 ? major * 100 + minor : -1;
	if (!word || sscanf(word, "%d.%d.%d", &major, &minor, &patch) < 2)
		return -1;
	return major * 10000L + minor * 100L + patch;
}

/* The number of the line "@name=N" in @config, or 0 when it has none. */
static long config_number(const char *config, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = config; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, len) && p[len] == '=')
			return strtol(p + len + 1, NULL, 10);
	return 0;
}

/*
 * The tools kbuild checks against the config (syncconfig would otherwise
 * change it, and with it the code): the root's must be those that built
 * the kernel.
 */
static int check_tools(const char *root, const char *config, const char *release)
{
	static const struct {
		const char *option, *tool;
		bool pahole;
	} tools[] = {
		{ "CONFIG_AS_VERSION", "as", false },
		{ "CONFIG_LD_VERSION", "ld", false },
		{ "CONFIG_PAHOLE_VERSION", "pahole", true },
	};
	bool btf = strstr(config, "\nCONFIG_DEBUG_INFO_BTF=y\n");
	int ret = 0;

	for (size_t i = 0; !ret && i < ARRAY_SIZE(tools); i++) {
		const char *argv[] = { tools[i].tool, "--version", NULL };
		long want = config_number(config, tools[i].option), have;
		char *says;

		if (!want || (tools[i].pahole && !btf))
			continue;
		says = first_line_in_root(root, argv);
		have = tool_version(says, tools[i].pahole);
		if (have != want)
			ret = error(root, "its %s says '%s' (%ld), but %s was built with %s=%ld "
				    "(--compiler CC to use another toolchain, at your own risk)",
				    tools[i].tool, says ? says : "nothing", have, release,
				    tools[i].option, want);
		free(says);
	}
	return ret;
}

/* Whether the first line of @tool --version in @root is @config's @key; one line if not. */
static int check_tool_text(const char *root, const char *config, const char *key,
			   const char *tool, const char *release)
{
	const char *argv[] = { tool, "--version", NULL };
	char *want_key = xasprintf("\n%s=\"", key), *says = first_line_in_root(root, argv);
	const char *p = strstr(config, want_key);
	int len = p ? (int)strcspn(p + strlen(want_key), "\"\n") : 0;
	int ret = 0;

	if (p && (!says || strncmp(says, p + strlen(want_key), (size_t)len) || says[len]))
		ret = error(root, "its %s says '%s', but %s was built with %s=\"%.*s\" "
			    "(--compiler CC to use another toolchain, at your own risk)", tool,
			    says ? says : "nothing", release, key, len, p + strlen(want_key));
	free(want_key), free(says);
	return ret;
}

/*
 * A kernel with Rust (7.x): olddefconfig with another rustc or bindgen
 * would change the config (or turn CONFIG_RUST off), and the config the
 * units see would not be the kernel's. The root's must say what it says.
 */
static int check_rust(const char *root, const char *config, const char *release)
{
	if (!strstr(config, "\nCONFIG_RUST=y\n"))
		return 0;
	return check_tool_text(root, config, "CONFIG_RUSTC_VERSION_TEXT", "rustc", release) ||
	       check_tool_text(root, config, "CONFIG_BINDGEN_VERSION_TEXT", "bindgen", release);
}

/* A complete root of this format for @cc: its stamp, written last, says so. */
static bool complete(const char *dir, const struct root_cc *cc)
{
	char *path = xasprintf("%s/%s", dir, STAMP), *stamp = read_file(path, NULL);
	char *want = xasprintf("%d %s\n", ROOT_FORMAT, cc->text);
	bool yes = stamp && strstr(stamp, want) == stamp;

	free(path), free(stamp), free(want);
	return yes;
}

static char *suite_base(const char *suite)
{
	static const char *const parts[] = { "-updates", "-security", "-backports",
					     "-proposed-updates" };

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		if (ends_with(suite, parts[i]))
			return xstrndup(suite, strlen(suite) - strlen(parts[i]));
	return xstrdup(suite);
}

/* The suites to search, in order: KLPDIFF_TOOLCHAIN_SUITES, or the archive's. */
static void search_order(struct strlist *suites)
{
	const char *list = getenv("KLPDIFF_TOOLCHAIN_SUITES");
	char *copy, *save = NULL;

	if (!list) {
		for (size_t i = 0; archive_debian_suites[i]; i++)
			strlist_add(suites, xstrdup(archive_debian_suites[i]));
		return;
	}
	copy = xstrdup(list);
	for (char *s = strtok_r(copy, " ,", &save); s; s = strtok_r(NULL, " ,", &save))
		strlist_add(suites, xstrdup(s));
	free(copy);
}

/* Whether @suite is one of "trixie, trixie-security" (@list). */
static bool in_list(const char *list, const char *suite)
{
	size_t len = strlen(suite);

	for (const char *p = list; (p = strstr(p, suite)); p += len)
		if ((p == list || p[-1] == ' ') && (!p[len] || p[len] == ','))
			return true;
	return false;
}

/* cc->suite: the first of @suites that has @cc's version of its package among @v. */
static void pick_suite(const struct archive_version *v, int nr, const struct strlist *suites,
		       struct root_cc *cc)
{
	for (size_t i = 0; !cc->suite && i < suites->nr; i++)
		for (int k = 0; k < nr; k++)
			if (streq(v[k].version, cc->version) && in_list(v[k].suites, suites->v[i]))
				cc->suite = xstrdup(suites->v[i]);
}

/*
 * cc->suite: the first of @suites whose lists (apt's, under BASE/apt: see
 * kernel/archive.h) have @cc's package at its version; lists that lack it
 * are refreshed once. One line if no suite has it.
 */
static int find_suite(const char *base, const struct strlist *suites, struct root_cc *cc)
{
	struct archive_version *v = NULL;
	struct archive a;
	int nr = 0, ret = archive_open_suites(&a, base, (const char *const *)suites->v);
	char *searched;

	for (int round = 0; !ret && !cc->suite && round < 2; round++) {
		if (round && archive_refresh(&a) != 1)
			break;
		archive_versions_free(v, nr);
		nr = archive_versions(&a, cc->package, &v);
		if (nr < 0)
			ret = -1, nr = 0;
		else
			pick_suite(v, nr, suites, cc);
	}
	if (!ret && !cc->suite) {
		searched = xstrdup("");
		for (size_t i = 0; i < suites->nr; i++) {
			char *old = searched;

			searched = xasprintf("%s%s%s", old, i ? " " : "", suites->v[i]);
			free(old);
		}
		ret = error(NULL, "%s was built by '%s': %s %s is on neither this machine nor "
			    "any Debian suite searched (%s); --compiler CC to use another, at "
			    "your own risk", cc->release, cc->text, cc->package, cc->version,
			    searched);
		free(searched);
	}
	archive_versions_free(v, nr);
	archive_close(&a);
	return ret;
}

/*
 * mmdebstrap of @suite (with its release when it is -updates, -security or
 * -backports, which apt prefers) into @tmp. As root it runs in a mount
 * namespace of its own, so that nothing it mounts outlives it; otherwise as
 * a tarball unpacked by this user, whose files the root's then are.
 */
static int run_mmdebstrap(const struct root_cc *cc, const char *suite, const char *tmp,
			  const char *log)
{
	struct strlist argv = { 0 };
	char *base = suite_base(suite);
	bool root = !getuid();
	int ret;

	if (root) {
		strlist_add(&argv, xstrdup("unshare"));
		strlist_add(&argv, xstrdup("--mount"));
		strlist_add(&argv, xstrdup("--propagation=private"));
	} else {
		strlist_add(&argv, xstrdup("bash"));
		strlist_add(&argv, xstrdup("-o"));
		strlist_add(&argv, xstrdup("pipefail"));
		strlist_add(&argv, xstrdup("-c"));
		strlist_add(&argv, xstrdup("d=$1; shift; \"$@\" - | tar -C \"$d\" -x "
					   "--exclude='./dev/*'"));
		strlist_add(&argv, xstrdup("klpdiff-root"));
		strlist_add(&argv, xstrdup(tmp));
	}
	strlist_add(&argv, xstrdup("mmdebstrap"));
	strlist_add(&argv, xstrdup("--variant=minbase"));
	/* Not root: unshare mode where /etc/subuid allows it, else fakechroot. */
	strlist_add(&argv, xstrdup(root ? "--mode=root" : "--mode=auto"));
	strlist_add(&argv, xasprintf("--include=%s,%s=%s%s%s", ROOT_PACKAGES, cc->package,
				     cc->version, cc->rust ? "," : "", cc->rust ? RUST_PACKAGES : ""));
	strlist_add(&argv, xasprintf("--aptopt=APT::Default-Release \"%s\"", suite));
	strlist_add(&argv, xstrdup(base));
	if (root)
		strlist_add(&argv, xstrdup(tmp));
	strlist_add(&argv, archive_source_line(base));
	if (!streq(base, suite))
		strlist_add(&argv, archive_source_line(suite));
	ret = (root || !mkdir_p(tmp)) && !run_logged(argv.v, log) ? 0 : -1;
	strlist_free(&argv);
	free(base);
	return ret;
}

/* Disk use of @dir in MB, for the user. */
static long megabytes(const char *dir)
{
	char *argv[] = { "du", "-sm", (char *)dir, NULL };
	char *out = run_capture(argv);
	long mb = out ? strtol(out, NULL, 10) : -1;

	free(out);
	return mb;
}

/*
 * Under the exclusive lock: make the root in DIR.tmp, check its compiler,
 * stamp it and rename it into place. An interrupted one is only DIR.tmp,
 * removed by the next.
 */
static int make_root(const char *dir, const struct root_cc *cc)
{
	char *tmp = xasprintf("%s.tmp", dir), *log = xasprintf("%s.log", dir);
	char *stamp = xasprintf("%s/%s", tmp, STAMP), *mnt = xasprintf("%s/mnt", tmp), *text;
	const char *suite = cc->suite;
	time_t start = time(NULL);
	int ret;

	/* Found complete before the lock, removed since: rare enough to ask for a rerun. */
	if (!suite)
		ret = error(dir, "removed while klpdiff waited for it: run klpdiff again");
	else
		ret = remove_tree(tmp) || remove_tree(dir) ? -1 : 0;
	if (ret)
		goto out;
	fprintf(stderr, "klpdiff build: making a Debian %s root with %s %s%s (once: about a "
		"minute and %s MB) in %s; log: %s\n", suite, cc->package, cc->version,
		cc->rust ? " and Rust" : "", cc->rust ? "1500" : "500", dir, log);
	unlink(log);
	text = xasprintf("%d %s\n%s\n", ROOT_FORMAT, cc->text, suite);
	if (run_mmdebstrap(cc, suite, tmp, log))
		ret = error(NULL, "mmdebstrap could not make the %s root; see %s", suite, log);
	else if ((mkdir(mnt, 0755) && errno != EEXIST) || check_compiler(tmp, cc) ||
		 write_file_atomic(stamp, text, 0644))
		ret = -1;
	else if (rename(tmp, dir))
		ret = error(dir, "cannot put the root in place: %s", strerror(errno));
	if (!ret)
		fprintf(stderr, "klpdiff build: made %s in %lld s (%ld MB)\n", dir,
			(long long)(time(NULL) - start), megabytes(dir));
	else
		remove_tree(tmp);
	free(text);
out:
	free(tmp), free(log), free(stamp), free(mnt);
	return ret;
}

/* Made if missing, under an exclusive lock; the descriptor of the shared lock held after. */
static int root_once(const char *dir, const struct root_cc *cc, bool *made)
{
	char *lock = xasprintf("%s.lock", dir);
	int fd = cache_lock(lock, false), ret = 0;

	*made = false;
	if (fd < 0 || complete(dir, cc))
		goto out;
	if (flock(fd, LOCK_EX))
		ret = error(lock, "cannot lock: %s", strerror(errno));
	else if (!complete(dir, cc) && !(ret = make_root(dir, cc)))
		*made = true;
	if (!ret && flock(fd, LOCK_SH))
		ret = error(lock, "cannot lock: %s", strerror(errno));
	if (ret) {
		close(fd);
		fd = -1;
	}
out:
	free(lock);
	return fd;
}

char *toolchain_root_get(const char *cc_text, const char *config, const char *release, bool rust)
{
	struct root_cc cc = { .text = cc_text, .release = release };
	char *base = cache_base(), *toolchains = xasprintf("%s/toolchains", base), *dir = NULL;
	struct strlist suites = { 0 };
	bool made = false;
	int fd = -1;

	search_order(&suites);
	if (!debian_gcc(cc_text, &cc.package, &cc.version)) {
		error(NULL, "'%s' is no Debian gcc's: no toolchain root for it", cc_text);
		goto out;
	}
	cc.name = xstrndup(cc_text, strcspn(cc_text, " "));
	cc.rust = rust && strstr(config, "\nCONFIG_RUST=y\n");
	dir = xasprintf("%s/%s_%s%s", toolchains, cc.package, cc.version, cc.rust ? "+rust" : "");
	/* The overlay's options cannot hold these. */
	if (strpbrk(dir, ",:\\"))
		error(dir, "cannot hold a toolchain root (',', ':' or '\\' in the path)");
	else if (!complete(dir, &cc) && !suites.nr)
		error(NULL, "%s was built by '%s', which is not on this machine, and "
		      "KLPDIFF_TOOLCHAIN_SUITES names no Debian suite to find %s %s in", release,
		      cc_text, cc.package, cc.version);
	/* Which suite has it, before a lock for a root that may never be. */
	else if (complete(dir, &cc) || !find_suite(toolchains, &suites, &cc))
		fd = root_once(dir, &cc, &made);
	if (fd >= 0 && ((!made && check_compiler(dir, &cc)) || check_tools(dir, config, release) ||
			(cc.rust && check_rust(dir, config, release)))) {
		close(fd);
		fd = -1;
	}
	/* Otherwise held until klpdiff exits: the root is not replaced while it is used. */
	if (fd < 0) {
		free(dir);
		dir = NULL;
	}
out:
	strlist_free(&suites);
	free(base), free(toolchains), free(cc.name), free(cc.package), free(cc.version);
	free(cc.suite);
	return dir;
}
