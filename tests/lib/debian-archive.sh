# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# What the e2e tests of Debian's 6.1 kernels from Debian's archive need
# (tests/e2e/debian-archive.t, debian-releases.t): skip the whole test,
# saying why, when this machine has not got it or the archive is unreachable.
debian_archive_needs() {
	[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"
	tap_skip_if_sanitized "the Debian e2e tests run in the plain pass only"
	command -v apt-cache >/dev/null || tap_skip_all "not a Debian system (no apt-cache)"
	command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 not installed"
	command -v gcc-12 >/dev/null ||
		tap_skip_all "gcc-12 (Debian 12's, which built Debian's 6.1) is needed"

	local mirror=${KLPDIFF_DEBIAN_MIRROR:-http://deb.debian.org/debian} host port=80
	host=$(sed -E 's|^[a-z]+://([^/:]+).*|\1|' <<<"$mirror")
	[[ $mirror == https:* ]] && port=443
	timeout 20 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null ||
		tap_skip_all "Debian's archive ($mirror) is unreachable from here"
}

# debian_newest_release SUITE LINE FLAVOUR: the newest linux-image-LINE.N+debX-FLAVOUR
# of Debian's SUITE (e.g. trixie-backports 7.3 cloud-amd64) whose linux-source-LINE of
# the same version SUITE has too, from apt lists of that suite alone in
# $KLPDIFF_E2E_WORKDIR/apt-SUITE (this machine's apt need not know the suite); empty
# when there is none, 1 when the archive does not answer.
debian_newest_release() {
	local suite=$1 line=$2 flavour=$3 dir keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	local -a opts
	dir=${KLPDIFF_E2E_WORKDIR:-$HOME/.cache/klpdiff}/apt-$suite
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	echo "deb [signed-by=$keyring] ${KLPDIFF_DEBIAN_MIRROR:-http://deb.debian.org/debian} $suite main" \
		>"$dir/sources.list"
	opts=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=/dev/null
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
		-o Dir::State::status=/dev/null -o APT::Architecture=amd64
		-o APT::Architectures=amd64 -o Acquire::Languages=none -o Debug::NoLocking=true)
	apt-get "${opts[@]}" -q update >"$dir/update.log" 2>&1 || return 1
	local sources p v
	sources=$(apt-cache "${opts[@]}" madison "linux-source-$line" | awk -F' *[|] *' '{ print $2 }')
	apt-cache "${opts[@]}" pkgnames "linux-image-$line." |
		grep -E "^linux-image-${line//./\\.}\\.[0-9]+\\+deb[0-9]+-$flavour\$" | sort -V -r |
		while read -r p; do
			v=$(apt-cache "${opts[@]}" madison "$p" | awk -F' *[|] *' 'NR == 1 { print $2 }')
			if [ -n "$v" ] && grep -qxF "$v" <<<"$sources"; then
				echo "${p#linux-image-}"
				break
			fi
		done
}

# What the tests of the installed Debian 6.1 kernel with its -dbg package
# need (debian-headers-tree.t, debian-partial-source.t, debian-shipped-sample.t):
# skip the whole test, saying why, without it; else set release (the
# kernel's) and root (where its -dbg package is unpacked). $1: tests/e2e.
debian_61_dbg_needs() {
	local e2e=$1
	[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
	tap_skip_if_sanitized "the Debian tests run in the plain pass only"
	command -v apt-get >/dev/null || tap_skip_all "not a Debian system (no apt-get)"
	release=$("$e2e/debian-kernel" release) ||
		tap_skip_all "no Debian 6.1 release (is Debian's archive reachable?)"
	"$e2e/debian-kernel" install "$release" >&2 ||
		tap_skip_all "cannot install $release (is Debian's archive reachable?)"
	root=$("$e2e/debian-kernel" debug-root "$release") ||
		tap_skip_all "no linux-image-$release-dbg (is Debian's archive reachable?)"
}
