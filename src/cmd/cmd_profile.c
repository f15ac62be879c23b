// SPDX-License-Identifier: GPL-2.0-or-later
/* klpdiff profile: what klpdiff knows of a target kernel, and its probed layouts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/commands.h"
#include "build/kbuild.h"
#include "kernel/kernel_profile.h"
#include "base/util.h"

static const char profile_usage[] =
	"usage: klpdiff profile --kernel-build DIR\n"
	"\n"
	"Read the kernel configured in DIR (a build tree, or a distribution's\n"
	"headers: its .config and include/config/kernel.release), check that\n"
	"klpdiff has a profile for its version and architecture, and build the\n"
	"layout probe against it (a module with one entry in each special section\n"
	"whose layout changed between kernels; cached in ~/.cache/klpdiff). Prints\n"
	"  kernel RELEASE Linux VERSION ARCH\n"
	"  layout SECTION SIZE KERNELS\n"
	"one layout line per special section the probe filled: the layouts klpdiff\n"
	"build requires of every object it compares for this kernel.\n"
	"\n"
	"  -k, --kernel-build DIR   the kernel\n"
	"  -h, --help               show this help\n";

int cmd_profile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel-build", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kernel_profile p;
	const char *kdir = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kdir = optarg;
			break;
		case 'h':
			fputs(profile_usage, stdout);
			return 0;
		default:
			fputs(profile_usage, stderr);
			return EXIT_TROUBLE;
		}
	}
	if (!kdir || optind != argc) {
		fputs(profile_usage, stderr);
		return EXIT_TROUBLE;
	}
	ret = kbuild_target_profile(&p, kdir);
	if (!ret) {
		printf("kernel %s Linux %u.%u %s\n", p.release, KV_MAJOR(p.version),
		       KV_MINOR(p.version), p.arch->name);
		for (size_t i = 0; i < p.layouts.nr; i++)
			printf("layout %s %u %s\n", p.layouts.v[i]->section, p.layouts.v[i]->entry_size,
			       p.layouts.v[i]->kernels);
	}
	kernel_profile_free(&p);
	return ret ? EXIT_TROUBLE : 0;
}
