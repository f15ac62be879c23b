#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Self-test of the ppc64le end-to-end setup, without klpdiff: the cross-built ppc64le
# kernel (Linux 6.1, tests/kernel/kernel-tree boot --arch ppc64le) boots on QEMU's
# pseries machine under TCG and the kernel's own livepatch sample loads, patches
# /proc/cmdline and unpatches again (tests/e2e/foreign-boot).
#
#   tests/e2e/ppc64le-boot.t
exec "$(dirname "$0")/foreign-boot" ppc64le
