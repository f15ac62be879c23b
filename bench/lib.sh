# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers shared by the bench scripts (sourced, not run).
#
# measure LABEL OKCODES CMD... runs CMD once and appends "wall_us rss_kb" to
# $bench_tmp/LABEL. Wall time comes from bash's microsecond clock around the
# run, because /usr/bin/time's %e has only 10 ms resolution (too coarse for a
# single-object diff); peak RSS comes from /usr/bin/time's %M (KiB).

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$bench_dir/.." && pwd)
work=${KLPDIFF_E2E_WORKDIR:-$HOME/.cache/klpdiff}
klpdiff=${KLPDIFF:-$repo_dir/klpdiff}
gnu_time=/usr/bin/time

die() { echo "${0##*/}: $*" >&2; exit 2; }
log() { echo "${0##*/}: $*" >&2; }

# GNU time, not the shell keyword: only it reports peak RSS.
check_tools() {
	[ -x "$gnu_time" ] || die "$gnu_time missing: apt-get install -y time"
	[ -x "$klpdiff" ] || die "$klpdiff missing: run make"
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || die "$t missing"
	done
}

# The defconfig build if it has finished, else the fsect one. Only finished
# builds count: a defconfig build may be running in the background, and
# asking kernel-tree for it would start (or race) a second one.
default_build() {
	local d
	for d in "$work"/build-defconfig-*/ "$work"/build-fsect-*/; do
		[ -f "$d/.klpdiff-built" ] && { echo "${d%/}"; return; }
	done
	die "no finished defconfig or fsect build under $work: run tests/kernel/kernel-tree fsect"
}

# A private scratch directory, removed on exit.
make_tmp() {
	bench_tmp=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-bench.XXXXXX")
	trap 'rm -rf "$bench_tmp"' EXIT
}

# Run a private copy of klpdiff: others rebuild build/klpdiff while a
# benchmark runs, and a binary swapped mid-run would mix two versions.
snapshot_klpdiff() {
	local copy=$bench_tmp/klpdiff
	cp "$klpdiff" "$copy"
	# shellcheck disable=SC2034 # printed by the scripts that source this
	klpdiff_desc="$("$copy" --version), tree $(git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null || echo '?'), binary sha256 $(sha256sum <"$copy" | cut -c1-12)"
	klpdiff=$copy
}

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# OKCODES is a comma list of acceptable exit statuses (diff exits 1 on change).
measure() {
	local label=$1 ok=$2 start end rc=0
	shift 2
	start=$(now_us)
	"$gnu_time" -f '%e %M' -o "$bench_tmp/$label.time" "$@" \
		>"$bench_tmp/$label.out" 2>"$bench_tmp/$label.err" || rc=$?
	end=$(now_us)
	case ",$ok," in
	*",$rc,"*) ;;
	*) cat "$bench_tmp/$label.err" >&2; die "$label: $* exited $rc" ;;
	esac
	# time -o holds "%e %M" on its last line (a note precedes it on failure).
	echo "$((end - start)) $(tail -1 "$bench_tmp/$label.time" | cut -d' ' -f2)" \
		>>"$bench_tmp/$label.runs"
	[ -z "${verbose:-}" ] || log "$label: $((end - start)) us, $(tail -1 "$bench_tmp/$label.time")"
}

# Median of column COL of LABEL's runs (the lower middle for an even count).
median() {
	local label=$1 col=$2
	cut -d' ' -f"$col" "$bench_tmp/$label.runs" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

median_wall_us() { median "$1" 1; }
median_rss_kb() { median "$1" 2; }

# Fixed-point arithmetic without bc: awk prints A/B with the given format.
ratio() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { printf f, (b ? a / b : 0) }'; }

file_bytes() { stat -L -c %s "$1"; }

# Symbol and relocation counts from the section headers (entries = size /
# entry size): exact, and instant where readelf -r on a vmlinux.o takes seconds.
# mawk has no strtonum, hence hex().
elf_counts() {
	readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] *//p' | awk '
		function hex(s,   i, n) {
			n = 0
			for (i = 1; i <= length(s); i++)
				n = n * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
			return n
		}
		$2 == "SYMTAB" { syms += hex($5) / hex($6) }
		$2 == "RELA" { relas += hex($5) / hex($6) }
		END { printf "%d %d\n", syms, relas }'
}

# Yes/no against a target, for the summary lines.
verdict() { awk -v v="$1" -v max="$2" 'BEGIN { print (v <= max ? "met" : "NOT met") }'; }

# --- timing a klpdiff build by the arrival of its stderr lines ---------------
# (bench/debian, bench/archive; $bench_tmp is the caller's scratch directory)

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
cpu_line() { awk '{ print $3 }' "$1"; }

# run_timed LABEL CMD...: wall (bash clock) and CPU of CMD and all its
# descendants (bash's `times` in a subshell that runs nothing else), and
# CMD's own CPU without its children, polled from /proc/PID/stat (utime +
# stime, 0.2 s apart, so the last 0.2 s of it may be missing). Each stderr
# line is stamped with its arrival time: "SECONDS LINE" in LABEL.log.
# Writes "wall cpu_all cpu_self rc" to LABEL.t.
run_timed() {
	local label=$1 t0
	shift
	t0=$EPOCHREALTIME
	(
		"$@" 2>&1 >"$bench_tmp/$label.out" &
		pid=$! self=0 hz=$(getconf CLK_TCK)
		# Wait 0.2 s by reading a FIFO nobody writes: no sleep processes,
		# whose CPU would count in `times`.
		mkfifo "$bench_tmp/$label.fifo"
		exec {z}<>"$bench_tmp/$label.fifo"
		while kill -0 "$pid" 2>/dev/null; do
			if read -r -a st <"/proc/$pid/stat" 2>/dev/null; then
				self=$(((st[13] + st[14]) * 100 / hz))
				echo "$self" >"$bench_tmp/$label.self"
			fi
			read -r -t 0.2 -u "$z" _ || true
		done
		rc=0
		wait "$pid" || rc=$?
		echo "$rc" >"$bench_tmp/$label.rc"
		times >"$bench_tmp/$label.times"
	) | while IFS= read -r line; do
		printf '%s %s\n' "$(secs "$t0" "$EPOCHREALTIME")" "$line" >>"$bench_tmp/$label.log"
		printf '  %6ss  %s\n' "$(secs "$t0" "$EPOCHREALTIME")" "$line" >&2
	done
	local wall rc cpu self
	wall=$(secs "$t0" "$EPOCHREALTIME")
	rc=$(cat "$bench_tmp/$label.rc")
	# times: "Nm S.SSSs Nm S.SSSs" for the shell, then for its children.
	cpu=$(tail -1 "$bench_tmp/$label.times" | awk '{
		n = 0
		for (i = 1; i <= 2; i++) { split($i, a, "m"); n += a[1] * 60 + a[2] }
		printf "%.1f", n }')
	self=$(awk '{ printf "%.2f", $1 / 100 }' "$bench_tmp/$label.self" 2>/dev/null || echo 0)
	echo "$wall $cpu $self $rc" >"$bench_tmp/$label.t"
}

# When a stderr line containing TEXT arrived (seconds since the start).
at() { grep -F -- "$2" "$bench_tmp/$1.log" | head -1 | cut -d' ' -f1; }
field() { cut -d' ' -f"$2" "$bench_tmp/$1.t"; }
