// SPDX-License-Identifier: GPL-2.0-or-later
/* The prepared tree: a kernel configured and `make prepare`d once, units compiled in it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/util.h"
#include "build/kbuild_internal.h"

static int prepare_inside(void *arg)
{
	struct kbuild *kb = arg;
	char *layers = work_path(kb->work, WORK_OVERLAY, "prepare-src");
	char *olddefconfig[] = { "olddefconfig", NULL };
	char *prepare[] = { "prepare", NULL };
	char *kcflags = kbuild_unit_kcflags(kb);
	int ret = kbuild_overlay(kb->src, layers, kbuild_in_tree_build(kb), kb->arch->kbuild.kbuild_arch) ||
		  kbuild_use_ccache(kb);

	free(layers);
	if (!ret && kbuild_make(kb, NULL, olddefconfig))
		ret = error(NULL, "configuring the prepared tree failed; see %s", kb->log);
	/* With the units' flags: what prepare compiles (asm-offsets...) stays as it is. */
	if (!ret && kbuild_make(kb, kcflags, prepare))
		ret = error(NULL, "make prepare failed; see %s", kb->log);
	free(kcflags);
	return ret;
}

/* Under the exclusive lock: build the prepared tree from scratch, stamp it last. */
static int prepare_tree(struct kbuild *kb, const char *config, const char *stamp)
{
	char *config_path = xasprintf("%s/.config", kb->orig);
	int ret = remove_tree(kb->orig) || mkdir_p(kb->orig) ||
		  write_file_atomic(config_path, config, 0644);

	fprintf(stderr, "klpdiff build: preparing %s (make olddefconfig prepare)\n", kb->orig);
	if (!ret)
		ret = kbuild_in_namespace(prepare_inside, kb);
	if (!ret)
		ret = write_file_atomic(stamp, "", 0644);
	free(config_path);
	return ret;
}

int kbuild_prepare(struct kbuild *kb, const char *config)
{
	char *lock = xasprintf("%s.lock", kb->orig);
	char *stamp = xasprintf("%s/.klpdiff-prepared", kb->orig);
	int ret = 0;

	/* Shared while it is used; exclusive only to prepare it, then shared again. */
	kb->prep_lock = mkdir_parent(kb->orig) ? -1 : cache_lock(lock, false);
	if (kb->prep_lock < 0) {
		ret = -1;
	} else if (access(stamp, F_OK)) {
		if (flock(kb->prep_lock, LOCK_EX))
			ret = error(lock, "cannot lock: %s", strerror(errno));
		else if (access(stamp, F_OK))
			ret = prepare_tree(kb, config, stamp);
		if (!ret && flock(kb->prep_lock, LOCK_SH))
			ret = error(lock, "cannot lock: %s", strerror(errno));
	}
	free(lock);
	free(stamp);
	return ret;
}
