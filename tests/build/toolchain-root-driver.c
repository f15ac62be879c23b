// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * build/toolchain_root.c for tests/build/toolchain-root.t:
 *   toolchain-root-driver get CC_TEXT [CONFIG]   print the root (made if missing)
 *   toolchain-root-driver run ROOT [PATH...] -- CMD...   run CMD in ROOT, PATHs bound
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build/kbuild.h"
#include "build/toolchain_root.h"
#include "base/util.h"

static int get(const char *text, const char *config_path)
{
	char *config = config_path ? read_file(config_path, NULL) : xstrdup("");
	char *root;

	if (!config)
		return error(config_path, "cannot read"), 2;
	handle_fatal_signals();
	/* As for make prepare: with Rust when the config has it. */
	root = toolchain_root_get(text, config, "the kernel", true);
	if (root)
		printf("%s\n", root);
	free(root);
	free(config);
	return root ? 0 : 2;
}

static int run(int argc, char **argv)
{
	struct strlist cmd = { 0 };
	int dashes = 0;

	while (dashes < argc && strcmp(argv[dashes], "--"))
		dashes++;
	if (dashes >= argc - 1)
		return 2;
	argv[dashes] = NULL;
	for (int i = dashes + 1; i < argc; i++)
		strlist_add(&cmd, xstrdup(argv[i]));
	toolchain_root_wrap(argv[0], (const char *const *)argv + 1, &cmd);
	execvp(cmd.v[0], cmd.v);
	perror(cmd.v[0]);
	return 127;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "get"))
		return get(argv[2], argc > 3 ? argv[3] : NULL);
	if (argc >= 5 && !strcmp(argv[1], "run"))
		return run(argc - 2, argv + 2);
	fputs("usage: toolchain-root-driver get CC_TEXT [CONFIG] | run ROOT [PATH...] -- CMD...\n",
	      stderr);
	return 2;
}
