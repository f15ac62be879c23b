# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
# Helpers for guest scripts (busybox sh). tests/e2e/qemu-run puts this file into every
# initramfs as /lib/klpdiff/guest.sh; a guest script starts with
#
#   . /lib/klpdiff/guest.sh
#
# and then reports with ok/nok/check (TAP lines "ok N - what", "not ok N - what", which
# the host reads back from the console) and waits for livepatch transitions with
# wait_transition. Sourcing it prints nothing and runs nothing.

# Kept when sourced again (a script made of pieces that each source this file).
: "${n:=0}" "${fails:=0}"

ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}

nok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $*"
}

# check DESC COMMAND...: ok if COMMAND succeeds.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else nok "$desc"; fi
}

# wait_transition NAME [SECONDS]: wait until the transition of livepatch NAME is over
# (default at most 60 s: TCG is slow, and a stuck transition is a failure, not a hang).
# Once unpatching completes the kernel frees the patch and its sysfs directory goes
# away, which counts as done too.
wait_transition() {
	wt_dir=/sys/kernel/livepatch/$1
	wt_left=$((${2:-60} * 10))
	while [ "$wt_left" -gt 0 ]; do
		[ -d "$wt_dir" ] || return 0
		[ "$(cat "$wt_dir/transition" 2>/dev/null)" = 0 ] && return 0
		sleep 0.1
		wt_left=$((wt_left - 1))
	done
	echo "# $1: transition still $(cat "$wt_dir/transition" 2>/dev/null) after ${2:-60} s"
	return 1
}

# warned: has the kernel warned (WARN(), taint flag W) since boot?
warned() {
	[ $(($(cat /proc/sys/kernel/tainted) & 512)) -ne 0 ]
}

# no_new_warning DESC: ok unless the kernel warned since the last call (the
# first: since boot), with the warning's first lines from dmesg. Once it has
# warned the flag stays set, so later calls cannot tell: they say so.
no_new_warning() {
	if [ -n "${nw_seen:-}" ]; then
		ok "$1 # SKIP the kernel warned earlier: taint W is set for good"
	elif warned; then
		nw_seen=1
		nok "$1"
		dmesg | grep -A12 -m1 -e 'WARNING:' -e 'BUG:' | sed 's/^/# /'
	else
		ok "$1"
	fi
}

# module_code_runs MODULE COMMAND...: succeeds if COMMAND runs code of livepatch
# MODULE, as the function tracer sees it with only MODULE's functions traced
# (*:mod:MODULE, never vmlinux's function of the same name, whose ftrace call runs
# before livepatch sends the call on). Fails while MODULE is not loaded: a :mod:
# filter of a module that is not there is kept for it and traces nothing now.
# A check for a patch whose change nothing outside shows (a printk under !jiffies).
module_code_runs() {
	mcr_mod=$1
	shift
	mcr_t=/sys/kernel/tracing
	[ -d "/sys/kernel/livepatch/$mcr_mod" ] || return 1
	[ -e $mcr_t/trace ] || mount -t tracefs nodev $mcr_t || return 1
	echo "*:mod:$mcr_mod" >$mcr_t/set_ftrace_filter || return 1
	echo function >$mcr_t/current_tracer || return 1
	echo >$mcr_t/trace
	"$@" >/dev/null 2>&1
	# Read before the tracer changes: that empties the buffer.
	grep -v '^#' $mcr_t/trace | grep -q .
	mcr_found=$?
	echo nop >$mcr_t/current_tracer
	echo >$mcr_t/set_ftrace_filter
	echo >$mcr_t/trace
	return $mcr_found
}

# module_code_calls MODULE FUNCTION COMMAND...: succeeds if COMMAND runs code of
# livepatch MODULE that calls FUNCTION (of vmlinux): the function tracer, tracing
# FUNCTION alone with a stack trace each call, sees a caller "[MODULE]". For an
# architecture whose patch copies are no ftrace sites (arm64: a copy starts at
# its symbol, after the NOPs of its __patchable_function_entries record), where
# module_code_runs sees nothing. Fails while MODULE is not loaded.
module_code_calls() {
	mcc_mod=$1
	mcc_fn=$2
	shift 2
	mcc_t=/sys/kernel/tracing
	[ -d "/sys/kernel/livepatch/$mcc_mod" ] || return 1
	[ -e $mcc_t/trace ] || mount -t tracefs nodev $mcc_t || return 1
	echo "$mcc_fn" >$mcc_t/set_ftrace_filter || return 1
	echo function >$mcc_t/current_tracer || return 1
	echo 1 >$mcc_t/options/func_stack_trace
	echo 1 >$mcc_t/options/sym-offset
	echo >$mcc_t/trace
	"$@" >/dev/null 2>&1
	grep -q "\[$mcc_mod\]" $mcc_t/trace
	mcc_found=$?
	echo 0 >$mcc_t/options/func_stack_trace
	echo 0 >$mcc_t/options/sym-offset
	echo nop >$mcc_t/current_tracer
	echo >$mcc_t/set_ftrace_filter
	echo >$mcc_t/trace
	return $mcc_found
}
