#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Self-test of the arm64 end-to-end setup, without klpdiff: the cross-built arm64
# kernel (Linux 7.3, tests/kernel/kernel-tree boot --arch arm64) boots on QEMU's
# virt machine under TCG (-cpu max: pointer authentication) and the kernel's own
# livepatch sample loads, patches /proc/cmdline and unpatches again
# (tests/e2e/foreign-boot). Only with KLPDIFF_ARM64=1 or KLPDIFF_FULL=1.
#
#   tests/e2e/arm64-boot.t
exec "$(dirname "$0")/foreign-boot" arm64
