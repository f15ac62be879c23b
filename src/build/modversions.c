// SPDX-License-Identifier: GPL-2.0-or-later
#include "build/modversions.h"

#include <gelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "build/kbuild.h"
#include "elf/elf_object.h"

/* "#SYMVER name 0xcrc" lines kbuild writes into an object's .cmd file. */
static void read_crcs(const char *cmd_path, struct strmap *crcs, struct strlist *keep)
{
	char *text = read_file(cmd_path, NULL), *line, *save;

	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[512], crc[32];

		if (sscanf(line, "#SYMVER %511s %31s", name, crc) != 2)
			continue;
		strlist_add(keep, xasprintf("%s", name));
		*strmap_slot(crcs, keep->v[keep->nr - 1]) = (void *)(uintptr_t)strtoull(crc, NULL, 16);
	}
	free(text);
}

void changed_crcs(const char *work, const char *obj, struct strlist *changed)
{
	struct strmap before = { 0 }, after = { 0 };
	struct strlist names = { 0 };
	char *o = work_path(work, WORK_ORIGINAL, NULL), *p = work_path(work, WORK_PATCHED, NULL);
	char *co = kbuild_cmd_file(o, obj), *cp = kbuild_cmd_file(p, obj);
	struct strmap_slot *slot;

	strmap_init(&before, 64);
	strmap_init(&after, 64);
	read_crcs(co, &before, &names);
	read_crcs(cp, &after, &names);
	strmap_for_each(&after, slot) {
		void *old = strmap_get(&before, slot->key);

		if (old && old != slot->value && !strlist_has(changed, slot->key))
			strlist_add(changed, xasprintf("%s %s", slot->key, obj));
	}
	strmap_free(&before);
	strmap_free(&after);
	strlist_free(&names);
	free(o), free(p), free(co), free(cp);
}

int check_crcs(const struct strlist *changed, const struct strlist *parts)
{
	int ret = 0;

	for (size_t i = 0; i < parts->nr; i++) {
		struct elf_object *obj = elf_open(parts->v[i], NULL);	/* its symbols only */
		struct elf_symbol *sym;

		if (!obj)
			return -1;
		for_each_symbol(obj, sym) {
			if (sym->sec || sym->bind == STB_LOCAL || !*sym->name)
				continue;
			for (size_t k = 0; k < changed->nr; k++) {
				const char *s = changed->v[k];
				size_t n = strcspn(s, " ");

				if (strlen(sym->name) == n && !strncmp(s, sym->name, n)) {
					error(NULL, "refusing: the patch changes the CRC of exported "
					      "symbol %s (in %s), which the livepatch module uses: "
					      "with CONFIG_MODVERSIONS it would not load; keep the "
					      "symbol's type unchanged", sym->name, s + n + 1);
					ret = -1;
				}
			}
		}
		elf_close(obj);
	}
	return ret;
}
