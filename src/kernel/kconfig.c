// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/kconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* "abc\"d" -> abc"d, in place: kconfig escapes '"' and '\' in strings. */
static void unquote(char *s)
{
	char *out = s;

	for (s++; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1])
			s++;
		*out++ = *s;
	}
	*out = '\0';
}

/* "# Linux/x86 6.1.192 Kernel Configuration": the version make olddefconfig wrote it for. */
static char *header_version(const char *text)
{
	const char *p = strstr(text, "# Linux/");
	char version[64];

	if (!p || sscanf(p, "# Linux/%*s %63s Kernel Configuration", version) != 1)
		return NULL;
	return xstrdup(version);
}

void kconfig_parse(struct kconfig *kc, const char *path, const char *text)
{
	char *line, *next;

	memset(kc, 0, sizeof(*kc));
	kc->path = path ? xstrdup(path) : NULL;
	kc->text = xstrdup(text);
	kc->values = xstrdup(text);
	kc->version = header_version(text);
	strmap_init(&kc->map, 4096);
	for (line = kc->values; line && *line; line = next) {
		char *eq;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* "# CONFIG_X is not set" and comments are not values. */
		eq = starts_with(line, "CONFIG_") ? strchr(line, '=') : NULL;
		if (!eq)
			continue;
		*eq++ = '\0';
		if (*eq == '"')
			unquote(eq);
		*strmap_slot(&kc->map, line) = eq;
	}
}

int kconfig_read(struct kconfig *kc, const char *path)
{
	char *text = read_file(path, NULL);

	memset(kc, 0, sizeof(*kc));
	if (!text)
		return -1;
	kconfig_parse(kc, path, text);
	free(text);
	return 0;
}

const char *kconfig_value(const struct kconfig *kc, const char *option)
{
	return kc->text ? strmap_get(&kc->map, option) : NULL;
}

bool kconfig_enabled(const struct kconfig *kc, const char *option)
{
	const char *v = kconfig_value(kc, option);

	return v && streq(v, "y");
}

const char *kconfig_version(const struct kconfig *kc)
{
	return kc->version;
}

bool kconfig_enabled_fn(const void *kc, const char *option)
{
	return kconfig_enabled(kc, option);
}

void kconfig_free(struct kconfig *kc)
{
	if (kc->text)
		strmap_free(&kc->map);
	free(kc->path);
	free(kc->text);
	free(kc->values);
	free(kc->version);
	memset(kc, 0, sizeof(*kc));
}

/* The option a line of a .config is about ("CONFIG_X=..." or "# CONFIG_X is not set"). */
static size_t option_of(const char *line, const char **name, bool *set)
{
	const char *unset = "# CONFIG_";

	*set = starts_with(line, "CONFIG_");
	if (!*set && !starts_with(line, unset))
		return 0;
	*name = *set ? line : line + strlen(unset) - strlen("CONFIG_");
	return *set ? strcspn(*name, "=\n") : strcspn(*name, " \n");
}

bool kconfig_contradicts(const struct kconfig *a, const struct kconfig *b, char *option,
			 size_t size)
{
	for (const char *line = a->text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *name, *va, *vb;
		bool set;
		size_t len = option_of(line, &name, &set);

		if (!len || len >= size)
			continue;
		memcpy(option, name, len);
		option[len] = '\0';
		va = kconfig_value(a, option);
		vb = kconfig_value(b, option);
		if (set ? !vb || strcmp(va, vb) : vb && strcmp(vb, "n"))
			return true;
	}
	return false;
}
