# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Processes a test leaves behind: those whose command line or working
# directory names the test's directory. Keep the test's own shell out of
# that directory (run the commands under test with `cd DIR &&` in a subshell).

# processes_in DIR: "PID COMMAND-LINE" of each process that names DIR.
processes_in()
{
	local dir=$1 pid cmd

	{
		# The pattern through a file, so that grep's own command line does not hold it.
		# Processes come and go while they are read: not an error.
		grep -lsaFf <(printf '%s\n' "$dir") /proc/[0-9]*/cmdline || true
		find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$dir*" 2>/dev/null || true
	} | cut -d/ -f3 | sort -un | while read -r pid; do
		[ "$pid" != $$ ] || continue
		cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
		[ -z "$cmd" ] || printf '%s %s\n' "$pid" "$cmd"	# empty: gone, or a zombie
	done
}

# processes_left DIR [SECONDS]: nothing once no process names DIR, or what is
# still there after SECONDS (default 5: make waits for its compilers).
processes_left()
{
	local i left

	for ((i = 0; i < ${2:-5} * 10; i++)); do
		left=$(processes_in "$1")
		[ -n "$left" ] || return 0
		sleep 0.1
	done
	printf '%s\n' "$left"
}

# wait_for_file FILE [SECONDS]: wait until FILE is there and not empty (default 30 s).
wait_for_file()
{
	local i

	for ((i = 0; i < ${2:-30} * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# kill_listed LIST: SIGKILL to each process of a processes_in LIST (a failed
# test's leftovers, so that they do not outlive it).
kill_listed()
{
	local pid rest

	while read -r pid rest; do
		[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
	done <<<"$1"
}

# wait_for_process DIR REGEX [SECONDS]: wait until a process that names DIR
# has a command line REGEX matches (default 60 s).
wait_for_process()
{
	local i

	for ((i = 0; i < ${3:-60} * 10; i++)); do
		# Not a pipe into grep -q: under pipefail, its early exit would fail it.
		grep -qE -- "$2" <<<"$(processes_in "$1")" && return 0
		sleep 0.1
	done
	return 1
}
