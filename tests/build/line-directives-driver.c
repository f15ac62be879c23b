// SPDX-License-Identifier: GPL-2.0-or-later
/* Runs line_directives_add() on ORIG PATCHED for tests/build/line-directives.t. */
#include "build/line_directives.h"

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	return line_directives_add(argv[1], argv[2], argv[2]) ? 1 : 0;
}
