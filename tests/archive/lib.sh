# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# A Debian archive of fake kernel packages, for the tests of klpdiff's
# downloads (tests/archive/*.t): tiny packages made with dpkg-deb, indexed
# by hand, and signed with a key made for the test (gpg), in suites under
# file:$repo. Nothing of it needs the network.
#
#   archive_needs                 skip (or bail) without what the tests need
#   repo_init DIR                 a key and an empty archive in DIR
#   fake_kernel6 SUITE RELEASE VERSION [LINE]
#                                 6.x packages: image (/boot, /lib/modules),
#                                 headers, -common, linux-kbuild-LINE, -dbg
#   fake_kernel7 SUITE RELEASE VERSION LINE
#                                 7.x packages: image depending on base,
#                                 binary and modules (/usr/lib/modules)
#   fake_source SUITE LINE VERSION [SIZE [zeros]]
#                                 linux-source-LINE, with SIZE bytes more
#                                 (random, or zeros: a small package)
#   repo_index                    Packages, Release, InRelease of each suite
#   repo_sources [signed|unsigned|trusted]
#                                 a sources.list of the archive: print its path

# What every test of this folder needs: klpdiff, and the tools of a Debian archive.
archive_needs() {
	[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
	for tool in apt-get apt-cache dpkg-deb gpg gcc-12 xz; do
		command -v $tool >/dev/null || tap_skip_all "$tool is needed"
	done
}

repo_init() {
	repo=$1
	mkdir -p "$repo/pool" "$repo/gnupg" "$repo/build"
	chmod 700 "$repo/gnupg"
	arch=$(dpkg --print-architecture)
	cc_text=$(gcc-12 --version | head -1)
	GNUPGHOME=$repo/gnupg gpg --batch --quiet --passphrase '' \
		--quick-gen-key 'klpdiff test archive <test@example.org>' ed25519 sign never 2>/dev/null
	GNUPGHOME=$repo/gnupg gpg --batch --quiet --export >"$repo/key.gpg"
}

# pkg SUITE NAME VERSION ARCH DEPENDS: the tree $repo/build/NAME_VERSION/ as a .deb in SUITE.
pkg() {
	local suite=$1 name=$2 version=$3 pkgarch=$4 depends=$5 tree
	tree=$repo/build/${name}_$version
	mkdir -p "$tree/DEBIAN" "$repo/pool/$suite"
	{
		printf 'Package: %s\nVersion: %s\nArchitecture: %s\n' "$name" "$version" "$pkgarch"
		printf 'Maintainer: klpdiff test <test@example.org>\nSource: linux\n'
		[ -z "$depends" ] || printf 'Depends: %s\n' "$depends"
		printf 'Description: fake %s for klpdiff tests\n' "$name"
	} >"$tree/DEBIAN/control"
	dpkg-deb --root-owner-group -Zgzip --build "$tree" \
		"$repo/pool/$suite/${name}_${version}_$pkgarch.deb" >/dev/null
}

fake_config() {
	printf '#\n# Linux/x86 %s Kernel Configuration\n#\nCONFIG_CC_VERSION_TEXT="%s"\nCONFIG_CC_IS_GCC=y\nCONFIG_LIVEPATCH=y\n' \
		"$1" "$cc_text"
}

# The kernel's upstream version of a Debian version: 6.1.192 of 6.1.192-3.
upstream() { echo "${1%%-*}"; }

fake_kernel6() {
	local suite=$1 r=$2 v=$3 line=${4:-6.1} b common
	common=$(sed -E 's/^([0-9.]+-[0-9]+)-.*/\1/' <<<"$r")-common
	b=$repo/build
	mkdir -p "$b/linux-image-${r}_$v/boot" "$b/linux-image-${r}_$v/lib/modules/$r/kernel/fs/foo"
	fake_config "$(upstream "$v")" >"$b/linux-image-${r}_$v/boot/config-$r"
	echo "ffffffffffffffff B The real System.map is in the linux-image-$r-dbg package" \
		>"$b/linux-image-${r}_$v/boot/System.map-$r"
	echo "fake image $r" >"$b/linux-image-${r}_$v/boot/vmlinuz-$r"
	echo "kernel/fs/foo/foo.ko" >"$b/linux-image-${r}_$v/lib/modules/$r/modules.order"
	echo "fake module" >"$b/linux-image-${r}_$v/lib/modules/$r/kernel/fs/foo/foo.ko"
	pkg "$suite" "linux-image-$r" "$v" "$arch" "kmod"

	mkdir -p "$b/linux-headers-${r}_$v/usr/src/linux-headers-$r"
	echo "include /usr/src/linux-headers-$common/Makefile" \
		>"$b/linux-headers-${r}_$v/usr/src/linux-headers-$r/Makefile"
	: >"$b/linux-headers-${r}_$v/usr/src/linux-headers-$r/Module.symvers"
	fake_config "$(upstream "$v")" >"$b/linux-headers-${r}_$v/usr/src/linux-headers-$r/.config"
	ln -s "../../lib/linux-kbuild-$line/scripts" "$b/linux-headers-${r}_$v/usr/src/linux-headers-$r/scripts"
	pkg "$suite" "linux-headers-$r" "$v" "$arch" \
		"linux-headers-$common (= $v), linux-kbuild-$line (>= $v), linux-compiler-gcc-12-x86"

	mkdir -p "$b/linux-headers-${common}_$v/usr/src/linux-headers-$common"
	echo "# the common Makefile" >"$b/linux-headers-${common}_$v/usr/src/linux-headers-$common/Makefile"
	pkg "$suite" "linux-headers-$common" "$v" all ""

	mkdir -p "$b/linux-kbuild-${line}_$v/usr/lib/linux-kbuild-$line/scripts"
	echo "fake fixdep" >"$b/linux-kbuild-${line}_$v/usr/lib/linux-kbuild-$line/scripts/fixdep"
	pkg "$suite" "linux-kbuild-$line" "$v" "$arch" ""

	mkdir -p "$b/linux-image-$r-dbg_$v/usr/lib/debug/boot" \
		"$b/linux-image-$r-dbg_$v/usr/lib/debug/lib/modules/$r/kernel/fs/foo"
	# An ELF with a symbol table and debugging sections, as vmlinux has.
	echo 'int _text(void) { return 0; }' |
		gcc-12 -g -c -x c -o "$b/linux-image-$r-dbg_$v/usr/lib/debug/boot/vmlinux-$r" -
	echo "debug module" >"$b/linux-image-$r-dbg_$v/usr/lib/debug/lib/modules/$r/kernel/fs/foo/foo.ko"
	pkg "$suite" "linux-image-$r-dbg" "$v" "$arch" ""
}

fake_kernel7() {
	local suite=$1 r=$2 v=$3 line=$4 b=$repo/build mods abi
	mods=usr/lib/modules/$r
	abi=${r%%-*}
	mkdir -p "$b/linux-image-${r}_$v" "$b/linux-base-${r}_$v/$mods" \
		"$b/linux-binary-${r}_$v/$mods" "$b/linux-modules-${r}_$v/$mods/kernel/fs/foo"
	pkg "$suite" "linux-image-$r" "$v" "$arch" \
		"linux-base-$r (= $v), linux-binary-$r (= $v), linux-modules-$r (= $v)"
	fake_config "$(upstream "$v")" >"$b/linux-base-${r}_$v/$mods/config"
	echo "ffffffffffffffff B The real System.map is in the linux-image-$r-dbg package" \
		>"$b/linux-base-${r}_$v/$mods/System.map"
	echo "kernel/fs/foo/foo.ko" >"$b/linux-base-${r}_$v/$mods/modules.order"
	pkg "$suite" "linux-base-$r" "$v" "$arch" ""
	echo "fake image $r" >"$b/linux-binary-${r}_$v/$mods/vmlinuz"
	pkg "$suite" "linux-binary-$r" "$v" "$arch" "linux-base-$r (= $v)"
	echo "fake module" | xz >"$b/linux-modules-${r}_$v/$mods/kernel/fs/foo/foo.ko.xz"
	pkg "$suite" "linux-modules-$r" "$v" "$arch" "linux-base-$r (= $v)"

	mkdir -p "$b/linux-headers-${r}_$v/usr/src/linux-headers-$r" \
		"$b/linux-headers-${abi}-common_$v/usr/src/linux-headers-$abi-common"
	printf 'KBUILD_OUTPUT=/usr/src/linux-headers-%s\ninclude /usr/src/linux-headers-%s-common/Makefile\n' \
		"$r" "$abi" >"$b/linux-headers-${r}_$v/usr/src/linux-headers-$r/Makefile"
	: >"$b/linux-headers-${r}_$v/usr/src/linux-headers-$r/Module.symvers"
	pkg "$suite" "linux-headers-$r" "$v" "$arch" \
		"gcc-14-for-host, linux-base (>= 4.12~), linux-base-$r (= $v), linux-headers-$abi-common (= $v), linux-kbuild-$abi"
	echo "# common" >"$b/linux-headers-${abi}-common_$v/usr/src/linux-headers-$abi-common/Makefile"
	pkg "$suite" "linux-headers-$abi-common" "$v" all ""
	mkdir -p "$b/linux-kbuild-${abi}_$v/usr/lib/linux-kbuild-$abi/scripts"
	pkg "$suite" "linux-kbuild-$abi" "$v" "$arch" ""
}

fake_source() {
	local suite=$1 line=$2 v=$3 size=${4:-0} fill=/dev/urandom b=$repo/build/linux-source-${2}_$3 up
	[ "${5:-}" != zeros ] || fill=/dev/zero
	up=$(upstream "$v")
	mkdir -p "$b/usr/src" "$repo/build/src/linux-source-$line"
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\n' "${up%%.*}" \
		"$(cut -d. -f2 <<<"$up")" "${up##*.}" \
		>"$repo/build/src/linux-source-$line/Makefile"
	# Padding: random for a package bigger than a small disk, zeros for a tree.
	[ "$size" = 0 ] || head -c "$size" "$fill" >"$repo/build/src/linux-source-$line/padding"
	tar -C "$repo/build/src" -cJf "$b/usr/src/linux-source-$line.tar.xz" "linux-source-$line"
	rm -rf "$repo/build/src"
	pkg "$suite" "linux-source-$line" "$v" all "binutils, xz-utils"
}

repo_index() {
	local dir suite
	for dir in "$repo"/pool/*/; do
		suite=$(basename "$dir")
		mkdir -p "$repo/dists/$suite/main/binary-$arch"
		for deb in "$dir"*.deb; do
			dpkg-deb -f "$deb"
			printf 'Filename: pool/%s/%s\nSize: %s\nSHA256: %s\n\n' "$suite" "$(basename "$deb")" \
				"$(stat -c %s "$deb")" "$(sha256sum "$deb" | cut -d' ' -f1)"
		done >"$repo/dists/$suite/main/binary-$arch/Packages"
		(
			cd "$repo/dists/$suite" || exit
			printf 'Origin: klpdiff-test\nSuite: %s\nCodename: %s\nDate: %s\nArchitectures: %s\nComponents: main\nSHA256:\n' \
				"$suite" "$suite" "$(date -Ru)" "$arch"
			printf ' %s %s main/binary-%s/Packages\n' \
				"$(sha256sum "main/binary-$arch/Packages" | cut -d' ' -f1)" \
				"$(stat -c %s "main/binary-$arch/Packages")" "$arch"
		) >"$repo/dists/$suite/Release"
		rm -f "$repo/dists/$suite/InRelease"
		GNUPGHOME=$repo/gnupg gpg --batch --quiet --yes --clearsign \
			-o "$repo/dists/$suite/InRelease" "$repo/dists/$suite/Release"
	done
}

repo_sources() {
	local how=${1:-signed} out=$repo/sources-${1:-signed}.list suite opt
	case $how in
	signed) opt="[signed-by=$repo/key.gpg] " ;;
	trusted) opt="[trusted=yes] " ;;
	*) opt='' ;;
	esac
	: >"$out"
	for dir in "$repo"/dists/*/; do
		suite=$(basename "$dir")
		echo "deb ${opt}file:$repo $suite main" >>"$out"
	done
	echo "$out"
}
