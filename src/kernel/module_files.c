// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/module_files.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/*
 * Whether @path (@len bytes) lists module @modname: "kernel/fs/xfs/xfs.ko.xz"
 * (modules.dep), "fs/xfs/xfs.ko", or "fs/xfs/xfs.o" (the modules.order of
 * Linux 6.2 and later: the module's object, its .ko beside it). '-' in file
 * names is '_' in module names.
 */
static bool names_module(const char *path, size_t len, const char *modname)
{
	const char *base = path, *ext;
	size_t n;

	for (const char *p = path; p < path + len; p++)
		if (*p == '/')
			base = p + 1;
	ext = memmem(base, (size_t)(path + len - base), ".ko", 3);
	if (!ext && len > 2 && !memcmp(path + len - 2, ".o", 2))
		ext = path + len - 2;
	n = ext ? (size_t)(ext - base) : 0;
	if (!n || n != strlen(modname))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((base[i] == '-' ? '_' : base[i]) != modname[i])
			return false;
	return true;
}

char *kernel_find_module(const char *dir, const char *listing, const char *modname)
{
	char *dep = xasprintf("%s/%s", dir, listing), *text = read_file(dep, NULL);
	char *found = NULL;

	for (char *line = text; line && *line && !found;) {
		size_t len = strcspn(line, ":\n");

		if (names_module(line, len, modname))
			found = len > 2 && !memcmp(line + len - 2, ".o", 2) ?
					xasprintf("%s/%.*sko", dir, (int)len - 1, line) :
					xasprintf("%s/%.*s", dir, (int)len, line);
		line += strcspn(line, "\n");
		line += *line == '\n';
	}
	if (!text)
		error(dep, "cannot read: %s", strerror(errno));
	else if (!found)
		error(dep, "no module %s: it is not in this kernel's modules", modname);
	free(dep);
	free(text);
	return found;
}
