// SPDX-License-Identifier: GPL-2.0-or-later
#include "patch/patch_object.h"

#include "base/util.h"

/* As struct klp_callbacks of Linux 6.1 declares them; the prefixes as livepatch_external.h. */
const struct callback_kind callback_kinds[KLPDIFF_NR_CALLBACK_KINDS] = {
	[KLPDIFF_PRE_PATCH] = { "pre_patch", "int", "__klp_pre_patch_callback_" },
	[KLPDIFF_POST_PATCH] = { "post_patch", "void", "__klp_post_patch_callback_" },
	[KLPDIFF_PRE_UNPATCH] = { "pre_unpatch", "void", "__klp_pre_unpatch_callback_" },
	[KLPDIFF_POST_UNPATCH] = { "post_unpatch", "void", "__klp_post_unpatch_callback_" },
};

int callback_kind_by_name(const char *name)
{
	for_each_callback_kind(k)
		if (streq(name, callback_kinds[k].name))
			return k;
	return 0;
}
