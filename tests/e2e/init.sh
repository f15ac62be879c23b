#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
# /init of the initramfs that tests/e2e/qemu-run builds: mount the pseudo file systems,
# run the guest script /test.sh between two marker lines that tell the host where the
# script's output starts and with which status it ended, then reset the machine.
# qemu runs with -no-reboot, so the reset ends qemu; `poweroff` would not do: a
# tinyconfig kernel has no ACPI, and without it a power-off only halts the CPUs.

# Symlinks for all applets (sh, mount, insmod, ...) in /bin, /sbin, /usr/bin, /usr/sbin.
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
# The kernel does not auto-mount devtmpfs on an initramfs root.
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# Optional: only there with CONFIG_DEBUG_FS.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

cd /
echo KLPDIFF-GUEST-START
# stdin from /dev/null: a guest script must never wait for input from the console.
sh /test.sh </dev/null
status=$?
# No newline before the marker: the host finds it at the end of a line, so a script
# whose output does not end in a newline loses nothing and gains no empty line.
echo "KLPDIFF-GUEST-EXIT $status"

# Give the UART time to send the marker: the reset does not wait for the tty buffer.
# (Under TCG it drains within microseconds; 3000 lines came through without the pause.)
sleep 0.2
reboot -f
# Not reached unless the reset failed; returning from init would panic the kernel.
sleep 3600
