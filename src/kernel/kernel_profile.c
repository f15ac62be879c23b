// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/kernel_profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "elf/elf_object.h"
#include "base/util.h"

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

/* The version and architecture of the kernel @p: ones klpdiff has a profile for. */
static int check_known(struct kernel_profile *p, const char *config_path)
{
	const struct arch *partial;
	unsigned major, minor;

	if (!p->release)
		return error(p->kdir, "not a configured kernel build: no "
			     "include/config/kernel.release");
	if (sscanf(p->release, "%u.%u", &major, &minor) != 2 || major > 255 || minor > 255)
		return error(p->kdir, "kernel release '%s' is not a Linux version", p->release);
	p->version = KV(major, minor);
	if (p->version < KV_OLDEST || p->version > KV_NEWEST)
		return error(p->kdir, "Linux %u.%u (%s): klpdiff has no profile for this kernel; "
			     "it knows %s", major, minor, p->release, kernel_profile_known());
	p->arch = arch_for_kconfig(kconfig_enabled_fn, &p->config, &partial);
	if (!p->arch && partial)
		return error(config_path, "%s=y without %s=y: klpdiff knows %s kernels of this "
			     "architecture only", partial->kconfig, partial->kconfig_also,
			     partial->name);
	if (!p->arch)
		return error(config_path, "no profile for this kernel's architecture: klpdiff "
			     "knows %s", arch_names(true));
	return kernel_cross_find(&p->cross, p->kdir, &p->config, p->arch);
}

int kernel_profile_read(struct kernel_profile *p, const char *kdir, const char *release,
			struct kconfig *config)
{
	char *path = xasprintf("%s/.config", kdir);
	int ret = 0;

	memset(p, 0, sizeof(*p));
	p->kdir = xstrdup(kdir);
	p->release = release ? xstrdup(release) : kernel_release_of(kdir);
	if (config) {
		p->config = *config;
		memset(config, 0, sizeof(*config));
	} else if (kconfig_read(&p->config, path)) {
		ret = error(kdir, "not a kernel build: cannot read %s: %s", path, strerror(errno));
	}
	if (!ret)
		ret = check_known(p, path);
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

char *kernel_profile_probe_path(const struct kernel_profile *p, const char *cache_dir)
{
	char *text = xasprintf("%s\n%s\n%s\n%s", KLPDIFF_VERSION, p->release,
			       p->arch->layout_probe, p->config.text ? p->config.text : "");
	uint64_t key = XXH3_64bits(text, strlen(text));

	free(text);
	return xasprintf("%s/layout-probe-%016llx.ko", cache_dir, (unsigned long long)key);
}

int kernel_profile_read_probe(struct kernel_profile *p, const char *ko)
{
	struct elf_object *obj;
	struct elf_section *sec;

	free(p->probe);
	p->probe = xstrdup(ko);
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

void kernel_profile_free(struct kernel_profile *p)
{
	if (p->nr_layouts)
		elf_set_target_layouts(NULL, 0);
	kernel_cross_free(&p->cross);
	kconfig_free(&p->config);
	free(p->kdir);
	free(p->release);
	free(p->probe);
}

#define ARG(n) (1u << (n))

/*
 * From the kernels' headers, by subsystem. Arguments past the sixth are on
 * the stack, where the x86-64 scan does not look (xfs_corruption_error,
 * jbd2__journal_start since 5.10).
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

static const struct format_helper format_helpers[] = {
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

/* The names of the kernels klpdiff knows (Linux 4.18 to 6.12). */
bool kernel_special_static(const char *name)
{
	static const char *const names[] = { "__key",  "__warned", "__already_done", "__func__",
					     "_rs",    "CSWTCH",   "descriptor",     "_entry",
					     "__print_once", "__section_once" };

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
