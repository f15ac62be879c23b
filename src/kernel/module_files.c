// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/module_files.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* "kernel/fs/xfs/xfs.ko.xz" names module xfs; '-' in file names is '_' in module names. */
static bool names_module(const char *path, size_t len, const char *modname)
{
	const char *base = path, *ext;
	size_t n;

	for (const char *p = path; p < path + len; p++)
		if (*p == '/')
			base = p + 1;
	ext = memmem(base, (size_t)(path + len - base), ".ko", 3);
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
			found = xasprintf("%s/%.*s", dir, (int)len, line);
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
