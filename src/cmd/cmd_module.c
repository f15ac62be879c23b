// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klpdiff module: build a live patch module from patch objects. The
 * struct klp_patch is generated as C, kbuild compiles it and links it with
 * the patch objects against the target kernel's build tree, and the
 * post-link step turns the patch objects' .klpdiff.relocs into livepatch
 * relocations.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "elf/elf_object.h"
#include "build/kbuild.h"
#include "kernel/kernel_profile.h"
#include "patch/klp_module.h"
#include "patch/postlink.h"
#include "base/util.h"

#define STRINGIFY(x) #x
#define NUMBER_TEXT(x) STRINGIFY(x)

static const char module_usage[] =
	"usage: klpdiff module -o OUT.ko [-n NAME] --kernel-build KDIR [--no-replace]\n"
	"                      [--sign KEY CERT] [--keep-tmp | --build-dir DIR]\n"
	"                      [--toolchain-root ROOT] PATCH_OBJECT...\n"
	"       klpdiff module --print-source PATCH_OBJECT...\n"
	"\n"
	"Build a live patch module from the patch objects that 'klpdiff extract'\n"
	"wrote. Their manifests are merged into one struct klp_patch (one klp_object\n"
	"per patched object: vmlinux or a module), kbuild compiles it and links it\n"
	"with the patch objects against the kernel build tree KDIR, and the\n"
	"livepatch relocations of the patch objects become .klp.rela sections of\n"
	"OUT.ko (see the kernel's Documentation/livepatch/module-elf-format.rst).\n"
	"\n"
	"  -o, --output OUT.ko       the module to write (atomically)\n"
	"  -n, --name NAME           module name (default: OUT without .ko); letters,\n"
	"                            digits, '_' and '-', at most "
	NUMBER_TEXT(KLP_MODULE_NAME_MAX) "\n"
	"  -k, --kernel-build KDIR   the kernel's build directory (its O= directory,\n"
	"                            with .config and Module.symvers)\n"
	"      --no-replace          do not set .replace: the patch adds to the ones\n"
	"                            already loaded instead of replacing them\n"
	"      --sign KEY CERT       sign OUT.ko with the kernel's scripts/sign-file\n"
	"                            (for Secure Boot machines that enforce module\n"
	"                            signatures with the user's own key)\n"
	"      --keep-tmp            keep the kbuild directory, and say where it is\n"
	"      --build-dir DIR       make the kbuild directory DIR (new) and keep it\n"
	"      --print-source        print the generated C source and stop\n"
	"      --toolchain-root ROOT run make and sign-file in ROOT (chroot), a root\n"
	"                            with the kernel's compiler (klpdiff build's)\n"
	"  -h, --help                show this help\n"
	"\n"
	"A failed step prints one line with the step and its log; its files are then\n"
	"kept. Exit status: 0 module written, 2 trouble.\n";

struct module_opts {
	const char *output, *name, *kdir, *sign_key, *sign_cert;
	const char *build_dir;	/* the kbuild directory to make and keep (default: a temporary one) */
	const char *root;	/* toolchain root to run make and sign-file in, or NULL */
	bool replace, keep_tmp, print_source;
	char **objects;
	int nr_objects;
};

/* Names of the generated parts in the kbuild directory. */
#define MAIN_PART "klpdiff_main"
#define PATCH_PART "klpdiff_part"

static int parse_options(int argc, char **argv, struct module_opts *o)
{
	enum { OPT_NO_REPLACE = 256, OPT_KEEP_TMP, OPT_PRINT_SOURCE, OPT_SIGN, OPT_BUILD_DIR,
	       OPT_ROOT };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "kernel-build", required_argument, NULL, 'k' },
		{ "no-replace", no_argument, NULL, OPT_NO_REPLACE },
		{ "keep-tmp", no_argument, NULL, OPT_KEEP_TMP },
		{ "build-dir", required_argument, NULL, OPT_BUILD_DIR },
		{ "print-source", no_argument, NULL, OPT_PRINT_SOURCE },
		{ "sign", required_argument, NULL, OPT_SIGN },
		{ "toolchain-root", required_argument, NULL, OPT_ROOT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->replace = true;
	while ((c = getopt_long(argc, argv, "o:n:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'k':
			o->kdir = optarg;
			break;
		case OPT_NO_REPLACE:
			o->replace = false;
			break;
		case OPT_KEEP_TMP:
			o->keep_tmp = true;
			break;
		case OPT_BUILD_DIR:
			o->build_dir = optarg;
			break;
		case OPT_PRINT_SOURCE:
			o->print_source = true;
			break;
		case OPT_ROOT:
			o->root = optarg;
			break;
		case OPT_SIGN:
			/* --sign KEY CERT: the certificate is the next argument. */
			if (optind >= argc) {
				fputs(module_usage, stderr);
				return -1;
			}
			o->sign_key = optarg;
			o->sign_cert = argv[optind++];
			break;
		case 'h':
			fputs(module_usage, stdout);
			return 1;
		default:
			fputs(module_usage, stderr);
			return -1;
		}
	}
	o->objects = argv + optind;
	o->nr_objects = argc - optind;
	if (o->nr_objects < 1 || (!o->print_source && (!o->output || !o->kdir))) {
		fputs(module_usage, stderr);
		return -1;
	}
	return 0;
}

/* The module name: -n, or OUT's file name without .ko. */
static char *module_name(const struct module_opts *o)
{
	const char *base = strrchr(o->output, '/');
	char *name;

	base = base ? base + 1 : o->output;
	name = o->name ? xstrdup(o->name) : xstrdup(base);
	if (!o->name && ends_with(name, ".ko"))
		name[strlen(name) - 3] = '\0';
	if (!klp_valid_module_name(name)) {
		error(NULL, "bad module name '%s': want at most %d letters, digits, '_' and "
			    "'-'%s", name, KLP_MODULE_NAME_MAX,
		      o->name ? "" : " (give one with -n)");
		free(name);
		return NULL;
	}
	/* A composite module cannot be named like one of its parts. */
	if (streq(name, MAIN_PART) || starts_with(name, PATCH_PART)) {
		error(NULL, "module name '%s' is reserved for klpdiff's build files", name);
		free(name);
		return NULL;
	}
	return name;
}

/* Fail before the build, not after it, if OUT cannot be written. */
static int check_output_dir(const char *output)
{
	const char *slash = strrchr(output, '/');
	char *dir = slash ? xstrndup(output, (size_t)(slash - output + 1)) : xstrdup(".");
	int ret = 0;

	if (access(dir, W_OK))
		ret = error(output, "cannot write in %s: %s", dir, strerror(errno));
	free(dir);
	return ret;
}

/*
 * Check that KDIR is a livepatch-capable kernel build and read its @profile
 * (its .config; for make: ARCH= and CROSS_COMPILE=).
 */
static int check_kernel_build(const char *kdir, struct kernel_profile *profile)
{
	char *path = xasprintf("%s/.config", kdir);
	struct kconfig config;
	int ret = 0;

	if (kconfig_read(&config, path))
		ret = error(kdir, "not a kernel build directory: cannot read %s: %s", path,
			    strerror(errno));
	else if (!kconfig_enabled(&config, "CONFIG_LIVEPATCH"))
		ret = error(kdir, "the kernel was configured without CONFIG_LIVEPATCH");
	else if (kernel_profile_read(profile, kdir, NULL, &config))
		ret = -1;
	kconfig_free(&config);
	free(path);
	return ret;
}

/*
 * modpost (check_section() in Linux 6.1) warns about every SHT_PROGBITS
 * section without SHF_ALLOC whose name it does not know, as a section an
 * assembler file forgot to flag "a". The .klpdiff.* sections of a patch
 * object are not loaded, but they never reach the kernel either: postlink()
 * removes them from the module. So the copy the module link reads has them
 * allocated, and modpost has nothing to say about them.
 */
static int allocate_own_sections(const char *path)
{
	int fd = open(path, O_RDWR);
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int ret = 0;

	elf_version(EV_CURRENT);
	elf = fd < 0 ? NULL : elf_begin(fd, ELF_C_RDWR, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		ret = error(path, "cannot update: %s", fd < 0 ? strerror(errno) : elf_errmsg(-1));
	/* Only flags change: libelf must keep the layout as it is. */
	if (!ret)
		elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT);
	while (!ret && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			ret = error(path, "cannot read section headers: %s", elf_errmsg(-1));
		else if (starts_with(name, ".klpdiff.") && sh.sh_type == SHT_PROGBITS &&
			 !(sh.sh_flags & SHF_ALLOC)) {
			sh.sh_flags |= SHF_ALLOC;
			if (!gelf_update_shdr(scn, &sh))
				ret = error(path, "cannot update %s: %s", name, elf_errmsg(-1));
		}
	}
	if (!ret && elf_update(elf, ELF_C_WRITE) < 0)
		ret = error(path, "cannot update: %s", elf_errmsg(-1));
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * The kbuild directory: the generated source, each patch object as a
 * prebuilt object (no source, so no rule remakes it), and the Kbuild file
 * linking them into one module. modpost reads each object's .cmd file for
 * symbol CRCs; a copied object gets an empty one.
 */
static int write_build_dir(const char *dir, const char *name, const struct module_opts *o,
			   const struct klp_manifest *m)
{
	char *path = xasprintf("%s/" MAIN_PART ".c", dir), *kbuild, *p;
	FILE *fp = fopen(path, "w");
	int ret = 0;

	if (!fp) {
		ret = error(path, "cannot create: %s", strerror(errno));
		free(path);
		return ret;
	}
	klp_write_source(fp, m, o->replace);
	if (ferror(fp) | fclose(fp))
		ret = error(path, "write error: %s", strerror(errno));
	free(path);
	kbuild = xasprintf("obj-m := %s.o\n%s-y := " MAIN_PART ".o", name, name);
	for (int i = 0; i < o->nr_objects && !ret; i++) {
		/*
		 * The object itself, no rule to make it: Linux 6.13+ runs an
		 * external module's make in its directory ($(obj) is "."), where
		 * the "$(obj)/%: $(src)/%_shipped" rule matches nothing.
		 */
		path = xasprintf("%s/" PATCH_PART "%d.o", dir, i);
		ret = copy_file(o->objects[i], path) || allocate_own_sections(path);
		free(path);
		path = xasprintf("%s/." PATCH_PART "%d.o.cmd", dir, i);
		if (!ret)
			ret = write_file_atomic(path, "# prebuilt by klpdiff extract: no "
						"symbol CRCs\n", 0644);
		free(path);
		p = kbuild;
		kbuild = xasprintf("%s " PATCH_PART "%d.o", p, i);
		free(p);
	}
	path = xasprintf("%s/Kbuild", dir);
	p = xasprintf("# Generated by klpdiff module.\n%s\n", kbuild);
	if (!ret)
		ret = write_file_atomic(path, p, 0644);
	free(p);
	free(path);
	free(kbuild);
	return ret;
}

/*
 * Did objtool warn about the module? Kernels with IBT or LTO run it on the
 * linked module, and for some warnings (a call it cannot follow) it writes
 * none of what the kernel needs from it: ORC unwind data for reliable stack
 * traces, the return and call site lists the mitigations patch. It does not
 * fail the build, so klpdiff says so, with the first one, and keeps the log.
 */
static bool objtool_warned(const char *output, const char *log)
{
	char *text = read_file(log, NULL), *first = text ? strstr(text, "objtool: ") : NULL;
	char *line = first, *end;
	size_t n = 0;

	for (; line; line = strstr(line + 1, "objtool: "))
		n++;
	if (first) {
		line = first;
		while (line > text && line[-1] != '\n')
			line--;
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		fprintf(stderr, "%s: warning: %s: objtool warned %zu time%s about the module, which "
			"may then lack ORC data or mitigation site lists; the first: %s (log: %s)\n",
			progname, output, n, n == 1 ? "" : "s", line, log);
	}
	free(text);
	return n > 0;
}

/* CONFIG_MODULE_SIG_HASH of the kernel build, "sha256" by default. */
static const char *signature_hash(const struct kconfig *config)
{
	const char *hash = kconfig_value(config, "CONFIG_MODULE_SIG_HASH");

	return hash ? hash : "sha256";
}

/*
 * The kernel's sign-file on @linked, in the toolchain root if there is one
 * (it is the kernel's build of it, linked against that release's libssl).
 */
static int sign_file(const struct module_opts *o, const struct kernel_profile *profile,
		     const char *dir, const char *linked, const char *log)
{
	char *key = realpath(o->sign_key, NULL), *cert = realpath(o->sign_cert, NULL);
	struct strlist argv = { 0 };
	int ret;

	strlist_add(&argv, xasprintf("%s/scripts/sign-file", o->kdir));
	strlist_add(&argv, xstrdup(signature_hash(&profile->config)));
	strlist_add(&argv, xstrdup(key ? key : o->sign_key));
	strlist_add(&argv, xstrdup(cert ? cert : o->sign_cert));
	strlist_add(&argv, xstrdup(linked));
	kbuild_root_wrap(&profile->cross, o->kdir, (const char *const[]){ dir, key, cert, NULL },
			 &argv);
	ret = run_logged(argv.v, log);
	strlist_free(&argv);
	free(key), free(cert);
	return ret;
}

/* Post-link into the build directory, sign there, then put the result in place. */
static int postlink_and_sign(const struct module_opts *o, const struct kernel_profile *profile,
			     const char *ko, const char *dir, const struct klp_manifest *m)
{
	char *linked = xasprintf("%s/signed.ko", dir), *tmp = xasprintf("%s.tmp", o->output);
	char *log = xasprintf("%s/sign.log", dir);
	char *sign_file_path = xasprintf("%s/scripts/sign-file", o->kdir);
	int ret = postlink(ko, linked, m);

	if (ret)
		ret = error(o->output, "post-link of %s failed; build files kept in %s", ko, dir);
	else if (access(sign_file_path, X_OK))
		ret = error(sign_file_path, "missing: the kernel build has no sign-file "
			    "(CONFIG_MODULE_SIG)");
	else if (sign_file(o, profile, dir, linked, log))
		ret = error(o->sign_key, "sign-file could not sign with it and %s; see %s",
			    o->sign_cert, log);
	else if (copy_file(linked, tmp) || rename(tmp, o->output))
		ret = error(o->output, "cannot write: %s", strerror(errno));
	if (ret)
		unlink(tmp);
	free(linked), free(tmp), free(sign_file_path), free(log);
	return ret;
}

static int build_module(const struct module_opts *o, const char *name,
			const struct klp_manifest *m)
{
	struct kernel_profile profile = { 0 };
	char *dir = NULL, *log, *ko;
	bool llvm, keep = false;
	int ret, status;

	if (check_output_dir(o->output) || check_kernel_build(o->kdir, &profile) ||
	    !(dir = kbuild_module_dir(o->build_dir))) {
		kernel_profile_free(&profile);
		return -1;
	}
	profile.cross.root = o->root;
	llvm = kconfig_enabled(&profile.config, "CONFIG_CC_IS_CLANG");
	log = xasprintf("%s/build.log", dir);
	ko = xasprintf("%s/%s.ko", dir, name);
	ret = write_build_dir(dir, name, o, m);
	if (!ret && (status = kbuild_external_module(o->kdir, dir, llvm, &profile.cross, log)))
		ret = error(o->output, "kbuild failed (make -C %s M=%s modules %s); log: %s",
			    o->kdir, dir, process_status_text(status), log);
	if (!ret && objtool_warned(o->output, log))
		keep = true;
	if (!ret && o->sign_key)
		ret = postlink_and_sign(o, &profile, ko, dir, m);
	else if (!ret && postlink(ko, o->output, m))
		ret = error(o->output, "post-link of %s failed; build files kept in %s", ko, dir);
	if (!ret && o->keep_tmp)
		fprintf(stderr, "%s: build files kept in %s\n", progname, dir);
	if (!ret && !o->keep_tmp && !o->build_dir && !keep)
		remove_tree(dir);
	free(ko);
	free(log);
	free(dir);
	kernel_profile_free(&profile);
	return ret;
}

/* Read and merge every manifest, then check each object's livepatch relocations. */
static int read_patch_objects(const struct module_opts *o, struct klp_manifest *m)
{
	struct elf_object **objs = xcalloc((size_t)o->nr_objects, sizeof(*objs));
	int ret = 0;

	for (int i = 0; i < o->nr_objects && !ret; i++) {
		objs[i] = elf_open(o->objects[i], NULL);
		if (!objs[i] || klp_manifest_add(m, objs[i]))
			ret = -1;
	}
	for (int i = 0; i < o->nr_objects && !ret; i++)
		ret = klp_relocs_check(objs[i], m);
	for (int i = 0; i < o->nr_objects; i++)
		elf_close(objs[i]);
	free(objs);
	return ret;
}

int cmd_module(int argc, char **argv)
{
	struct klp_manifest m = { 0 };
	struct module_opts o;
	char *name = NULL;
	int ret;

	ret = parse_options(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : EXIT_TROUBLE;
	if (!o.print_source) {
		name = module_name(&o);
		if (!name)
			return EXIT_TROUBLE;
	}
	ret = read_patch_objects(&o, &m);
	if (!ret && o.print_source) {
		klp_write_source(stdout, &m, o.replace);
		if (fflush(stdout) || ferror(stdout))
			ret = error("<stdout>", "write error: %s", strerror(errno));
	} else if (!ret) {
		ret = build_module(&o, name, &m);
	}
	klp_manifest_free(&m);
	free(name);
	return ret ? EXIT_TROUBLE : 0;
}
