# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# For the tests on prepared kernel trees (tests/kernel/linux7*.t): compile a
# unit of the tree $build (an O= directory) again, as kbuild compiled it.
# The caller sets $build and $TAP_TMP and sources tests/lib/tap.sh.

# recompile UNIT.o SOURCE OUT: the unit's recorded command, another source and
# output; what the command runs on the object after compiling it (ppc64le's
# objtool --mcount), on OUT.
recompile() {
	local u=$1 cmd src post=true
	src=$(readlink -f "$build/source")
	cmd=$(sed -n "s/^savedcmd_${u//\//\\/} := //p" "$build/$(dirname "$u")/.$(basename "$u").cmd")
	if [[ $cmd == *" ; "* ]]; then
		post=${cmd#* ; }
		post=${post// $u/ $3}
		cmd=${cmd%% ; *}
	fi
	cmd=${cmd//-Wp,-MMD,$(dirname "$u")\/.$(basename "$u").d/-Wp,-MMD,$3.d}
	cmd=${cmd/ -o $u / -o $3 }
	cmd=${cmd/ $src\/${u%.o}.c/ $2}
	(cd "$build" && eval "$cmd -I$src/$(dirname "$u")" && eval "$post") >"$TAP_TMP/cc.log" 2>&1 ||
		{ tap_diag <"$TAP_TMP/cc.log"; return 1; }
}
