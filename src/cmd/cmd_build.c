// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klpdiff build: kernel source tree + patches -> livepatch module. This file
 * reads the options, checks the inputs, runs the pipeline (build/pipeline.h)
 * and says what it made.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "build/kbuild.h"
#include "build/pipeline.h"
#include "build/releases.h"
#include "cmd/commands.h"
#include "kernel/distro.h"

static const char build_usage[] =
	"usage: klpdiff build [-r RELEASE] [-s KSRC] [--kallsyms FILE] [-o OUT.ko] PATCH...\n"
	"       klpdiff build -r RELEASE -r RELEASE... | --releases FILE [-o DIR] PATCH...\n"
	"       klpdiff build [-s KSRC] -O KBUILD [-o OUT.ko] PATCH...\n"
	"       klpdiff build [-r RELEASE | -O KBUILD] ... --check-units FILE\n"
	"         options: [-n NAME] [-j N] [--diff] [--report FILE] [--no-replace]\n"
	"                  [--no-verify] [--compiler CC] [--sysroot DIR] [--sign KEY CERT]\n"
	"                  [--dbg] [--no-line-directives] [--trace] [--keep-tmp] [-v]\n"
	"                  [--show-first-changed]\n"
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
	"klpdiff prepares one tree per source, config and compiler, copied from the\n"
	"headers packages (their .config, generated headers, fixdep and objtool: no\n"
	"make prepare; KLPDIFF_MAKE_PREPARE=1 or headers lacking one: make prepare),\n"
	"then compiles only the files the patches touch,\n"
	"original and patched, with function sections, and checks the originals\n"
	"against the shipped code (vmlinux from the image, modules from their .ko).\n"
	"vmlinux's symbols come from --kallsyms FILE (a copy of /proc/kallsyms read\n"
	"as root on a machine running RELEASE), the -dbg package, or this machine's\n"
	"/proc/kallsyms when it runs RELEASE. The compiler is the one the kernel's\n"
	"config names; a Debian gcc this machine has not got at that version (Debian\n"
	"13's gcc-14 on Debian 12) is taken from a minimal root of the Debian release\n"
	"that has it, made once with mmdebstrap in the cache (about a minute and\n"
	"500 MB; with that release's rustc and bindgen for a kernel with Rust, 1.7 GB),\n"
	"where every make then runs.\n"
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
	"  -r, --release RELEASE kernel to patch (default: uname -r); give it more than once\n"
	"                        for a module per release\n"
	"      --releases FILE   the releases to patch, one a line ('#' comments)\n"
	"  -s, --source KSRC     kernel source tree (with -O, default: .)\n"
	"  -O, --build KBUILD    build of the running kernel, with .config, vmlinux and\n"
	"                        Module.symvers (default with -s alone: KSRC, in-tree)\n"
	"      --kallsyms FILE   vmlinux's symbols: a copy of RELEASE's /proc/kallsyms\n"
	"                        (one release; with several, --dbg)\n"
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
	"  -o, --output OUT.ko   the module to write (default: NAME.ko); with several\n"
	"                        releases a directory (default: .), each release's module\n"
	"                        in DIR/RELEASE/NAME.ko beside its list of changes\n"
	"                        (NAME.report) and what its run said (NAME.log)\n"
	"  -n, --name NAME       module name (default: from the first patch's name)\n"
	"  -j, --jobs N          parallel make jobs (default: number of CPUs)\n"
	"      --diff            stop after the patched build: print what changed, as\n"
	"                        klpdiff diff does for the two builds (same exit status)\n"
	"      --report FILE     also write that list of changes to FILE (one release)\n"
	"      --show-first-changed  for each changed function, its first differing\n"
	"                        instruction on each side (on stderr)\n"
	"      --no-replace      do not replace earlier livepatches (atomic replace is on)\n"
	"      --trace           say each decision of extract (see klpdiff extract --trace)\n"
	"      --keep-tmp        keep the work directory\n"
	"      --check-units FILE  no patch: compile the units FILE lists (one object a\n"
	"                        line, kernel/fork.o) as the originals are, check every\n"
	"                        function against the shipped code, print per unit\n"
	"                        'UNIT compared N skipped N mismatched N' (or 'UNIT not\n"
	"                        compiled', 'UNIT not in the kernel') and the totals;\n"
	"                        exit 1 if any differ\n"
	"  -v, --verbose         say more\n"
	"\n"
	"Several releases (-r more than once, --releases) are built one after the\n"
	"other, each on its own: one that fails does not stop the others. Downloads,\n"
	"sources and toolchain roots are shared through the cache. A table ends the\n"
	"run: each release, its result (built, or failed and why), the functions it\n"
	"changes, its module and the time it took.\n"
	"\n"
	"The cache is $KLPDIFF_CACHE, or ~/.cache/klpdiff/build. Downloads use\n"
	"$KLPDIFF_DEBIAN_MIRROR (default http://deb.debian.org/debian), or the sources\n"
	"list $KLPDIFF_APT_SOURCES.\n"
	"Exit status: 0 module written (every release's), 3 no functional change (in\n"
	"one release), 2 refused or failed (one release); --check-units: 0 every\n"
	"function is the shipped code, 1 not (or a unit did not compile), 2 failed.\n";

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

/* The options, and what cmd_build owns for the request: the patches' paths, the defaults. */
struct build_opts {
	struct build_request req;
	bool no_line_directives;
	char **patches;
	char *name, *output;
	struct strlist releases;	/* -r and --releases, in order */
};

/* The releases of @path, one a line, '#' to the end of a line a comment. */
static int read_releases(const char *path, struct strlist *out)
{
	char *text = read_file(path, NULL), *line, *end;
	size_t before = out->nr;
	int nr = 0, ret = 0;

	if (!text)
		return error(path, "cannot read the releases: %s", strerror(errno));
	for (line = text; !ret && line && *line; line = end) {
		size_t len;

		end = strchr(line, '\n');
		if (end)
			*end++ = '\0';
		nr++;
		line[strcspn(line, "#")] = '\0';
		line += strspn(line, " \t\r");
		len = strcspn(line, " \t\r");
		if (!len)
			continue;
		if (line[len + strspn(line + len, " \t\r")])
			ret = error(path, "line %d: one release a line, not '%s'", nr, line);
		else
			strlist_add(out, xstrndup(line, len));
	}
	if (!ret && out->nr == before)
		ret = error(path, "names no release");
	free(text);
	return ret;
}

static int parse_options(int argc, char **argv, struct build_opts *opts)
{
	struct build_request *o = &opts->req;
	static const struct option longopts[] = {
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
		{ "releases", required_argument, NULL, 'E' },
		{ "show-first-changed", no_argument, NULL, 'F' },
		{ "check-units", required_argument, NULL, 'U' }, { NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "r:s:O:o:n:j:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': strlist_add(&opts->releases, xstrdup(optarg)); break;
		case 'E':
			if (read_releases(optarg, &opts->releases))
				return -1;
			break;
		case 'k': o->kallsyms = optarg; break;
		case 'C': o->compiler = optarg; break;
		case 'S': o->sysroot = optarg; break;
		case 'V': o->no_verify = true; break;
		case 'T': o->trace = true; break;
		case 'L': opts->no_line_directives = true; break;
		case 'g': o->dbg = true; break;
		case 'F': o->show_first_changed = true; break;
		case 'U': o->check_units = optarg; break;
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
	if ((optind >= argc) == !o->check_units) {
		fputs(build_usage, stderr);
		return -1;
	}
	if (opts->releases.nr == 1)
		o->release = opts->releases.v[0];
	/* patch(1) runs in the source tree: name the patches absolutely. */
	o->nr_patches = (size_t)(argc - optind);
	opts->patches = xcalloc(o->nr_patches + 1, sizeof(*opts->patches));
	o->patches = opts->patches;
	for (size_t i = 0; i < o->nr_patches; i++) {
		opts->patches[i] = realpath(argv[optind + (int)i], NULL);
		if (!opts->patches[i])
			return error(argv[optind + (int)i], "cannot read the patch: %s", strerror(errno));
	}
	return 0;
}

/* -O, or -s naming a built tree: a kernel built here; otherwise an installed one. */
static bool installed_kernel(const struct build_request *o)
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

/* Whether @path's directory can take a new file (written there at the end of the run). */
static int check_writable(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path + 1)) : xstrdup(".");
	int ret = 0;

	if (access(dir, W_OK))
		ret = error(path, "cannot write in %s: %s", dir, strerror(errno));
	free(dir);
	return ret;
}

/* --check-units: no patch, no module; the originals are what is checked. */
static int check_units_inputs(struct build_request *o)
{
	if (access(o->check_units, R_OK))
		return error(o->check_units, "cannot read: %s", strerror(errno));
	if (o->no_verify || o->diff_only || o->output || o->name || o->report || o->sign_key)
		return error(o->check_units, "--check-units makes no module: it takes none of "
			     "--no-verify, --diff, -o, -n, --report, --sign");
	o->installed = installed_kernel(o);
	return 0;
}

/*
 * Several releases: each is one (the same one twice is a mistake), and the
 * options that name one kernel's files are refused. Checked before any
 * release's run starts.
 */
static int check_releases(const struct build_opts *opts)
{
	const struct build_request *o = &opts->req;
	const struct strlist *rel = &opts->releases;

	for (size_t i = 0; i < rel->nr; i++) {
		if (dist_release_check(rel->v[i]))
			return -1;
		for (size_t j = 0; j < i; j++)
			if (streq(rel->v[i], rel->v[j]))
				return error(NULL, "release %s is given twice", rel->v[i]);
	}
	if (o->target)
		return error(o->target, "-O is one kernel built here: not with several releases");
	if (o->kallsyms)
		return error(o->kallsyms, "--kallsyms is one kernel's symbols: not with several "
			     "releases (--dbg takes each one's from its -dbg package)");
	if (o->report)
		return error(o->report, "with several releases, each one's list of changes is "
			     "DIR/RELEASE/NAME.report (-o DIR)");
	if (o->output && ends_with(o->output, ".ko"))
		return error(o->output, "with several releases, -o names a directory: each "
			     "module goes to DIR/RELEASE/NAME.ko");
	return 0;
}

/* The directory the releases' modules go to: there and writable, or to be made. */
static int check_output_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st))
		return check_writable(dir);
	if (!S_ISDIR(st.st_mode))
		return error(dir, "not a directory (with several releases, -o names one)");
	if (access(dir, W_OK))
		return error(dir, "cannot write in it: %s", strerror(errno));
	return 0;
}

/*
 * What the user gave, checked before the pipeline runs: the patches are
 * patches, the files to sign with are there, the outputs can be written.
 * The kernel, its config and vmlinux's symbols (--kallsyms) are checked by
 * the target stage, before any work.
 */
static int check_inputs(struct build_opts *opts)
{
	struct build_request *o = &opts->req;
	struct strlist files = { 0 };
	int ret = opts->releases.nr > 1 ? check_releases(opts) : 0;

	if (!ret)
		ret = patch_touched_files(&files, o->patches, o->nr_patches);

	strlist_free(&files);
	if (o->check_units)
		return check_units_inputs(o);
	for (size_t i = 0; !ret && o->sign_key && i < 2; i++) {
		const char *f = i ? o->sign_cert : o->sign_key;

		if (access(f, R_OK))
			ret = error(f, "cannot read: %s", strerror(errno));
	}
	o->installed = opts->releases.nr > 1 || installed_kernel(o);
	o->line_directives = !opts->no_line_directives;
	opts->name = o->name ? xstrdup(o->name) : default_name(o->patches[0]);
	if (opts->releases.nr > 1)
		opts->output = xstrdup(o->output ? o->output : ".");
	else
		opts->output = o->output ? xstrdup(o->output) : xasprintf("%s.ko", opts->name);
	o->name = opts->name;
	o->output = opts->output;
	if (!ret && opts->releases.nr > 1)
		ret = check_output_dir(o->output);
	else if (!ret && !o->diff_only)
		ret = check_writable(o->output);
	if (!ret && o->report)
		ret = check_writable(o->report);
	return ret;
}

/* What the run made: the diff on stdout (--diff), the module, what was kept. */
static void report(const struct build_request *o, const struct build_result *res)
{
	if (res->changes)
		fputs(res->changes, stdout);
	if (res->status == 0 && !o->diff_only && !o->check_units)
		build_progress("wrote %s", o->output);
	if (res->work_kept)
		fprintf(stderr, "klpdiff build: work files kept in %s\n", res->work_kept);
	if (res->log_kept)
		fprintf(stderr, "klpdiff build: its log is kept: %s\n", res->log_kept);
}

/* One release of several, in a child of its own: the pipeline, its outputs in run->dir. */
static int build_one(struct release_run *run, void *arg)
{
	const struct build_opts *opts = arg;
	struct build_request req = opts->req;
	struct build_result res = { .status = EXIT_TROUBLE };
	int status;

	req.release = run->release;
	req.output = run->module;
	req.report = req.diff_only ? NULL : run->report;
	build_pipeline_run(&req, &res);
	/* --diff: the changes go to the report, not to stdout. */
	if (res.changes && write_file_atomic(run->report, res.changes, 0644))
		res.status = EXIT_TROUBLE;
	free(res.changes);
	res.changes = NULL;
	report(&req, &res);
	status = res.status;
	build_result_free(&res);
	return status;
}

/* Every release, one after the other, then the table. */
static int build_all(struct build_opts *opts)
{
	const struct strlist *rel = &opts->releases;
	struct release_run *runs = xcalloc(rel->nr, sizeof(*runs));
	int status;

	for (size_t i = 0; i < rel->nr; i++) {
		struct release_run *run = &runs[i];

		run->release = rel->v[i];
		run->dir = xasprintf("%s/%s", opts->output, run->release);
		run->module = xasprintf("%s/%s.ko", run->dir, opts->name);
		run->report = xasprintf("%s/%s.report", run->dir, opts->name);
		run->log = xasprintf("%s/%s.log", run->dir, opts->name);
	}
	status = build_releases(runs, rel->nr, build_one, opts, opts->req.diff_only);
	fflush(stderr);
	build_releases_table(stdout, runs, rel->nr, opts->req.diff_only);
	release_runs_free(runs, rel->nr);
	return status;
}

static void build_opts_free(struct build_opts *opts)
{
	for (size_t i = 0; opts->patches && i < opts->req.nr_patches; i++)
		free(opts->patches[i]);
	free(opts->patches);
	free(opts->name);
	free(opts->output);
	strlist_free(&opts->releases);
}

int cmd_build(int argc, char **argv)
{
	struct build_opts opts = { 0 };
	struct build_result res = { .status = EXIT_TROUBLE };

	if (parse_options(argc, argv, &opts) || check_inputs(&opts)) {
		/* refused: res.status says so */
	} else if (opts.releases.nr > 1) {
		res.status = build_all(&opts);
	} else {
		build_pipeline_run(&opts.req, &res);
		report(&opts.req, &res);
	}
	build_opts_free(&opts);
	build_result_free(&res);
	return res.status;
}
