// SPDX-License-Identifier: GPL-2.0-or-later
/* klpdiff: find the functions a kernel live patch must replace, from object code. */
#include <stdio.h>
#include <string.h>

#include "elf/arch.h"
#include "cmd/commands.h"
#include "base/util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "sums", cmd_sums, "print a checksum for every function and data object" },
	{ "diff", cmd_diff, "list the functions that changed between two builds" },
	{ "extract", cmd_extract, "write the patch object for one changed object file" },
	{ "module", cmd_module, "build a live patch module from patch objects" },
	{ "build", cmd_build, "kernel tree + patches -> livepatch module" },
	{ "profile", cmd_profile, "what klpdiff knows of a kernel: version, layouts" },
	{ "verify", cmd_verify, NULL },	/* plumbing for the tests: not listed */
	{ "symbols", cmd_symbols, NULL },
};

static void usage(FILE *fp)
{
	fprintf(fp, "usage: klpdiff [--version] [--help] COMMAND [ARGS]\n\n"
		    "Find the functions a Linux kernel live patch must replace, from object code.\n\n"
		    "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].summary)
			fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp, "\nRun 'klpdiff COMMAND --help' for a command's options; see klpdiff(1).\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (streq(name, commands[i].name))
			return &commands[i];
	error(NULL, "'%s' is not a klpdiff command; see 'klpdiff --help'", name);
	return NULL;
}

/* @argv[0] is the command's name, as its option parsing expects. */
static int run_command(const struct command *c, int argc, char **argv)
{
	int ret = c->fn(argc, argv);

	arch_cleanup();
	return ret;
}

static bool is_help_option(const char *arg)
{
	return streq(arg, "--help") || streq(arg, "-h") || streq(arg, "help");
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (is_help_option(argv[1])) {
		char *help_args[] = { argv[2], "--help", NULL };

		if (argc == 2) {
			usage(stdout);
			return 0;
		}
		/* "klpdiff help CMD" and "klpdiff --help CMD": what "klpdiff CMD --help" says. */
		c = find_command(argv[2]);
		return c ? run_command(c, 2, help_args) : EXIT_TROUBLE;
	}
	if (streq(argv[1], "--version")) {
		printf("klpdiff %s\n", KLPDIFF_VERSION);
		return 0;
	}
	c = find_command(argv[1]);
	return c ? run_command(c, argc - 1, argv + 1) : EXIT_TROUBLE;
}
