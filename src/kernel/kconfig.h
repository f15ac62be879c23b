/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kernel's .config, read once into a lookup: every question klpdiff asks of
 * a configuration (is CONFIG_X set, what compiler does it name) goes through
 * here, so that there is one reading of "CONFIG_X=y" and of quoted strings.
 */
#ifndef KLPDIFF_KCONFIG_H
#define KLPDIFF_KCONFIG_H

#include <stdbool.h>

#include "base/strmap.h"

struct kconfig {
	char *path;		/* where it was read from, for messages (or NULL) */
	char *text;		/* the file as it is: cache keys, a prepared tree's .config */
	char *values;		/* the parsed copy the lookup points into */
	struct strmap map;	/* "CONFIG_X" -> its value, strings unquoted */
	char *version;		/* its header's "# Linux/ARCH VERSION Kernel Configuration" */
};

/* Read @path; -1 with errno set (nothing printed: callers say what it means). */
int kconfig_read(struct kconfig *kc, const char *path);
/* The same from @text, already read (copied). */
void kconfig_parse(struct kconfig *kc, const char *path, const char *text);
/* The value of @option ("CONFIG_X"), a string without its quotes; NULL if not set. */
const char *kconfig_value(const struct kconfig *kc, const char *option);
/* Is @option set to y? */
bool kconfig_enabled(const struct kconfig *kc, const char *option);
/* The kernel version its header names ("6.1.192"), or NULL. */
const char *kconfig_version(const struct kconfig *kc);
/*
 * The first option @a sets, or says is not set, that @b has otherwise, into
 * @option (at most @size bytes); false when @b agrees with all of @a.
 */
bool kconfig_contradicts(const struct kconfig *a, const struct kconfig *b, char *option,
			 size_t size);
/* Callback form of kconfig_enabled() for layers that cannot know struct kconfig. */
bool kconfig_enabled_fn(const void *kc, const char *option);
void kconfig_free(struct kconfig *kc);

#endif
