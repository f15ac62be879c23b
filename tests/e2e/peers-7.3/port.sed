# The kpatch peer patches (../shared/peer-patches/kpatch-linux-6.2.0) ported to
# Linux 7.3, as edits: sed -f port.sed X.patch. Eight apply as they are; these
# lines change the other three's context to 7.3's code (patch finds the moved
# lines itself). new-function: n_tty_write() takes const u8 * since 6.6.
# special-static: copy_signal() takes u64 clone_flags since 6.17.
# symvers-disagreement-FAIL: the includes of drivers/base/core.c are followed
# by the device-links code (CONFIG_SYSFS_DEPRECATED is gone). module: the
# memcg key was renamed, and x86 has no paravirt io delay.
/n_tty\.c/,$ s/const unsigned char \*b\(uf\)\{0,1\}/const u8 *b\1/
/kernel\/fork\.c/,$ s/copy_signal(unsigned long clone_flags/copy_signal(u64 clone_flags/
/drivers\/base\/core\.c/,/^diff / {
	s/^ #ifdef CONFIG_SYSFS_DEPRECATED$/ \/\* Device links support. \*\//
	s/^ #ifdef CONFIG_SYSFS_DEPRECATED_V2$/ static LIST_HEAD(deferred_sync);/
	s/^ long sysfs_deprecated = 1;$/ static unsigned int defer_sync_state_count = 1;/
}
s/memcg_kmem_enabled_key/memcg_kmem_online_key/g
s|slow_down_io();.*|/* 7.x: no paravirt io delay */|
