// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/kernel_profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "elf/elf_object.h"
#include "build/kbuild.h"
#include "base/util.h"

/* KV() holds the major and the minor version in a byte each. */
#define KV_PART_MAX 0xff

const char *kernel_profile_known(void)
{
	static char text[32];

	if (!text[0])
		snprintf(text, sizeof(text), "Linux %u.%u to %u.%u", KV_MAJOR(KV_OLDEST),
			 KV_MINOR(KV_OLDEST), KV_MAJOR(KV_NEWEST), KV_MINOR(KV_NEWEST));
	return text;
}

/* UTS_RELEASE of include/generated/utsrelease.h: what uname -r says. */
static char *uts_release(const char *kdir)
{
	char *path = xasprintf("%s/include/generated/utsrelease.h", kdir);
	char *text = read_file(path, NULL), *p, *end, *release = NULL;

	p = text ? strstr(text, "UTS_RELEASE \"") : NULL;
	if (p && (end = strchr(p += strlen("UTS_RELEASE \""), '"')))
		release = xstrndup(p, (size_t)(end - p));
	free(text);
	free(path);
	return release;
}

char *kernel_release_of(const char *kdir)
{
	char *path, *release = uts_release(kdir);

	if (release)
		return release;
	/* Debian's headers have the upstream version here, not the release. */
	path = xasprintf("%s/include/config/kernel.release", kdir);
	release = read_file(path, NULL);
	if (release)
		release[strcspn(release, "\n")] = '\0';
	free(path);
	return release;
}

/*
 * Architectures whose profile stops before KV_NEWEST: their layouts, module
 * loader and objtool were checked up to this kernel only.
 */
static const struct {
	const char *arch;
	unsigned newest;
} arch_newest[] = {
	{ "ppc64le", KV(6, 12) },	/* 7.x: x86-64 only so far */
};

/* The newest kernel klpdiff has a profile for on @arch. */
static unsigned newest_for(const struct arch *arch)
{
	for (size_t i = 0; i < ARRAY_SIZE(arch_newest); i++)
		if (streq(arch->name, arch_newest[i].arch))
			return arch_newest[i].newest;
	return KV_NEWEST;
}

int kernel_profile_read(struct kernel_profile *p, const char *kdir, const char *release)
{
	char *path = xasprintf("%s/.config", kdir), *config = read_file(path, NULL);
	const struct arch *partial;
	unsigned major, minor;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	p->kdir = xstrdup(kdir);
	p->release = release ? xstrdup(release) : kernel_release_of(kdir);
	if (!config)
		ret = error(kdir, "not a kernel build: cannot read %s: %s", path, strerror(errno));
	else if (!p->release)
		ret = error(kdir, "not a configured kernel build: no include/config/kernel.release");
	else if (sscanf(p->release, "%u.%u", &major, &minor) != 2 || major > KV_PART_MAX ||
		 minor > KV_PART_MAX)
		ret = error(kdir, "kernel release '%s' is not a Linux version", p->release);
	else if ((p->version = KV(major, minor)) < KV_OLDEST || p->version > KV_NEWEST)
		ret = error(kdir, "Linux %u.%u (%s): klpdiff has no profile for this kernel; it "
			    "knows %s", major, minor, p->release, kernel_profile_known());
	else if (!(p->arch = arch_for_kconfig(config, &partial)) && partial)
		ret = error(path, "%s=y without %s=y: klpdiff knows %s kernels of this "
			    "architecture only", partial->kconfig, partial->kconfig_also,
			    partial->name);
	else if (!p->arch)
		ret = error(path, "no profile for this kernel's architecture: klpdiff knows %s",
			    arch_names(true));
	else if (p->version > newest_for(p->arch))
		ret = error(kdir, "Linux %u.%u (%s): klpdiff has no profile for this kernel on "
			    "%s; it knows %s kernels up to %u.%u", major, minor, p->release,
			    p->arch->name, p->arch->name, KV_MAJOR(newest_for(p->arch)),
			    KV_MINOR(newest_for(p->arch)));
	else
		ret = kbuild_cross_find(&p->cross, kdir, config, p->arch);
	free(config);
	free(path);
	return ret;
}

int kernel_profile_check_api(const struct kernel_profile *p, const char *src)
{
	char *path = xasprintf("%s/include/linux/livepatch.h", src);
	char *text = read_file(path, NULL);
	int ret = 0;

	if (!text)
		ret = error(path, "cannot read: %s (not a kernel source tree?)", strerror(errno));
	else if (!strstr(text, "klp_enable_patch("))
		ret = error(path, "no klp_enable_patch(): the module klpdiff generates needs the "
			    "livepatch API of Linux 5.1 or later (this is %s)", p->release);
	free(text);
	free(path);
	return ret;
}

/* The probe module's cache file: one per kernel release, config and probe source. */
static char *probe_path(const struct kernel_profile *p, const char *cache_dir)
{
	char *path = xasprintf("%s/.config", p->kdir), *config = read_file(path, NULL);
	char *text = xasprintf("%s\n%s\n%s\n%s", KLPDIFF_VERSION, p->release,
			       p->arch->layout_probe, config ? config : "");
	uint64_t key = XXH3_64bits(text, strlen(text));

	free(text);
	free(config);
	free(path);
	return xasprintf("%s/layout-probe-%016llx.ko", cache_dir, (unsigned long long)key);
}

/*
 * Build the probe module in a directory beside @ko and move it there. Runs
 * that start together build it side by side (a directory each): the last
 * rename wins, with the same module.
 */
static int build_probe(const struct kernel_profile *p, const char *ko)
{
	char *tmpl = xasprintf("%s.tmp.%d", ko, (int)getpid()), *dir, *src, *kbuild, *log, *built;
	char *config = xasprintf("%s/.config", p->kdir), *text = read_file(config, NULL);
	bool llvm = text && strstr(text, "\nCONFIG_CC_IS_CLANG=y");
	int ret;

	free(text);
	free(config);
	remove_tree(tmpl);
	if (mkdir_parent(ko) || !(dir = kbuild_module_dir(tmpl))) {
		free(tmpl);
		return -1;
	}
	src = xasprintf("%s/klpdiff_probe.c", dir);
	kbuild = xasprintf("%s/Kbuild", dir);
	log = xasprintf("%s/build.log", dir);
	built = xasprintf("%s/klpdiff_probe.ko", dir);
	ret = write_file_atomic(src, p->arch->layout_probe, 0644) ||
	      write_file_atomic(kbuild, "obj-m := klpdiff_probe.o\n", 0644);
	if (!ret && kbuild_external_module(p->kdir, dir, llvm, &p->cross, log))
		ret = error(p->kdir, "cannot build klpdiff's layout probe (make -C %s M=%s "
			    "modules); log: %s", p->kdir, dir, log);
	else if (!ret && rename(built, ko))
		ret = error(ko, "cannot write: %s", strerror(errno));
	if (!ret)
		remove_tree(dir);
	free(built);
	free(log);
	free(kbuild);
	free(src);
	free(dir);
	free(tmpl);
	return ret;
}

int kernel_profile_probe(struct kernel_profile *p, const char *cache_dir)
{
	struct elf_object *obj;
	struct elf_section *sec;

	if (!p->arch->layout_probe)
		return 0;	/* no probe: layouts are recognised from the objects */
	p->probe = probe_path(p, cache_dir);
	if (access(p->probe, R_OK) && build_probe(p, p->probe))
		return -1;
	obj = elf_open(p->probe);
	if (!obj)
		return error(p->probe, "cannot read klpdiff's layout probe");
	for_each_section(obj, sec)
		if (sec->special && sec->data && p->nr_layouts < ARRAY_SIZE(p->layouts))
			p->layouts[p->nr_layouts++] = sec->special;
	elf_close(obj);
	elf_set_target_layouts(p->layouts, p->nr_layouts);
	return 0;
}

int kernel_profile_target(struct kernel_profile *p, const char *kdir)
{
	char *cache = cache_base();
	int ret = kernel_profile_read(p, kdir, NULL) || kernel_profile_probe(p, cache) ? -1 : 0;

	free(cache);
	return ret;
}

void kernel_profile_free(struct kernel_profile *p)
{
	if (p->nr_layouts)
		elf_set_target_layouts(NULL, 0);
	kbuild_cross_free(&p->cross);
	free(p->kdir);
	free(p->release);
	free(p->probe);
}

#define ARG(n) (1u << (n))

/*
 * From the kernels' headers, by subsystem. Arguments past the sixth are on
 * the stack, where the x86-64 scan does not look (xfs_corruption_error,
 * jbd2__journal_start since 5.10). Checked against 7.3: the might_sleep()
 * family, lockdep and warn_slowpath_fmt take the same arguments; x86-64's
 * WARN() and BUG() keep their line in the bug entry (not checksummed).
 */
static const struct line_helper line_helpers[] = {
	/* kernel/sched/core.c: might_sleep() and friends; ___might_sleep until 5.15 */
	{ "__might_sleep", ARG(1) },
	{ "___might_sleep", ARG(1) },
	{ "__might_resched", ARG(1) },		/* 5.16+ */
	{ "__might_fault", ARG(1) },
	{ "__cant_sleep", ARG(1) },		/* 5.2+ */
	{ "__cant_migrate", ARG(1) },		/* 5.11+ */
	/* kernel/locking/lockdep.c */
	{ "lockdep_rcu_suspicious", ARG(1) },
	/* kernel/panic.c: WARN() with a message before 5.5 (then __warn_printk) */
	{ "warn_slowpath_fmt", ARG(1) },
	{ "warn_slowpath_fmt_taint", ARG(1) },
	{ "warn_slowpath_null", ARG(1) },
	/* fs/xfs: (expr, file, line) in 4.18, (mp, expr, file, line) from 5.7 */
	{ "assfail", ARG(2) | ARG(3) },
	{ "asswarn", ARG(2) | ARG(3) },
	{ "xfs_error_report", ARG(4) },
	{ "xfs_corruption_error", ARG(5) },	/* 4.18; later the 7th */
	/* fs/btrfs */
	{ "__btrfs_handle_fs_error", ARG(2) },
	{ "__btrfs_abort_transaction", ARG(2) },
	{ "__btrfs_panic", ARG(2) },
	{ "btrfs_assertfail", ARG(2) },
	{ "assertfail", ARG(2) },		/* btrfs, 5.x before btrfs_assertfail */
	/* fs/ext4 (the journal start took the inode first from 5.18) */
	{ "__ext4_error", ARG(2) },
	{ "__ext4_error_inode", ARG(2) },
	{ "__ext4_error_file", ARG(2) },
	{ "__ext4_std_error", ARG(2) },
	{ "__ext4_abort", ARG(2) },
	{ "__ext4_warning", ARG(2) },
	{ "__ext4_warning_inode", ARG(2) },
	{ "__ext4_grp_locked_error", ARG(1) },
	{ "__ext4_journal_get_write_access", ARG(1) },
	{ "__ext4_journal_get_create_access", ARG(1) },
	{ "__ext4_forget", ARG(1) },
	{ "__ext4_handle_dirty_metadata", ARG(1) },
	{ "__ext4_handle_dirty_super", ARG(1) },
	{ "__ext4_journal_start_sb", ARG(1) | ARG(2) },
	{ "__ext4_journal_stop", ARG(1) },
	{ "ext4_journal_abort_handle", ARG(1) },
	{ "__ext4_check_dir_entry", ARG(1) },
	{ "__ext4_iget", ARG(4) },
	{ "jbd2__journal_start", ARG(5) },	/* until 5.9 */
	/* fs/gfs2 */
	{ "gfs2_assert_withdraw_i", ARG(4) },
	{ "gfs2_assert_warn_i", ARG(4) },
	{ "gfs2_consist_i", ARG(3) },
	{ "gfs2_consist_inode_i", ARG(3) },
	{ "gfs2_consist_rgrpd_i", ARG(3) },
	{ "gfs2_io_error_i", ARG(3) },
	{ "gfs2_io_error_bh_i", ARG(4) },
	/* fs/ocfs2 (mlog), fs/ubifs, sound (CONFIG_SND_VERBOSE_PRINTK) */
	{ "__mlog_printk", ARG(2) },
	{ "ubifs_assert_failed", ARG(3) },
	{ "__snd_printk", ARG(2) },
};

const struct line_helper *kernel_line_helpers(size_t *nr)
{
	*nr = ARRAY_SIZE(line_helpers);
	return line_helpers;
}

/*
 * 7.x x86-64: WARN(cond, fmt, args) calls __WARN_trap (through its static
 * call trampoline) with its bug entry, which holds the format, then the
 * arguments.
 */
static const struct format_helper format_helpers[] = {
	{ "__WARN_trap", 0 },	  { "__SCT__WARN_trap", 0 },
	{ "printk", 0 },	  { "_printk", 0 },	       { "__warn_printk", 0 },
	{ "panic", 0 },		  { "__dynamic_pr_debug", 1 }, { "__dynamic_dev_dbg", 2 },
	{ "__dynamic_netdev_dbg", 2 }, { "_dev_emerg", 1 },   { "_dev_alert", 1 },
	{ "_dev_crit", 1 },	  { "_dev_err", 1 },	       { "_dev_warn", 1 },
	{ "_dev_notice", 1 },	  { "_dev_info", 1 },	       { "_dev_printk", 2 },
	{ "dev_printk", 2 },	  { "netdev_err", 1 },	       { "netdev_warn", 1 },
	{ "netdev_info", 1 },	  { "netdev_notice", 1 },      { "netdev_printk", 2 },
};

const struct format_helper *kernel_format_helpers(size_t *nr)
{
	*nr = ARRAY_SIZE(format_helpers);
	return format_helpers;
}

/*
 * The names of the kernels klpdiff knows (Linux 4.18 to 7.3). 6.10+ with
 * CONFIG_MEM_ALLOC_PROFILING: every allocation site has an _alloc_tag
 * (its line) and, in vmlinux, its per-CPU _alloc_tag_cntr.
 */
bool kernel_special_static(const char *name)
{
	static const char *const names[] = { "__key",  "__warned", "__already_done", "__func__",
					     "_rs",    "CSWTCH",   "descriptor",     "_entry",
					     "__print_once", "__section_once", "_alloc_tag",
					     "_alloc_tag_cntr" };

	/*
	 * Dynamic debug descriptors (6.1 names them with __UNIQUE_ID; clang
	 * prefixes the function's name) hold line numbers.
	 */
	if (streq(name, "__UNIQUE_ID_ddebug"))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (streq(name, names[i]))
			return true;
	return false;
}
