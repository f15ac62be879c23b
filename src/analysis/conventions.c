// SPDX-License-Identifier: GPL-2.0-or-later
#include "analysis/conventions.h"

#include "base/util.h"

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
