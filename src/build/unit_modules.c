// SPDX-License-Identifier: GPL-2.0-or-later
#include "build/unit_modules.h"

#include <stdlib.h>

#include "base/util.h"
#include "kernel/module_files.h"

void unit_modules_init(struct unit_modules *um, const struct kbuild *kb,
		       struct dist_kernel *dk)
{
	strmap_init(&um->map, 64);
	um->kb = kb;
	um->dk = dk;
}

/*
 * With LTO from kbuild's .mod files of the build tree, else from the command
 * kbuild recorded for the unit and the build's or the distribution's modules.
 */
static void find_module(const struct unit_modules *um, const char *obj, struct unit_module *m)
{
	const struct kbuild *kb = um->kb;

	if (!kb->per_unit) {
		m->name = kbuild_module_of(kb, obj, &m->symbols);
		return;
	}
	m->name = kbuild_unit_module(kb, obj);
	if (m->name && um->dk) {
		char *dir = work_path(kb->work, WORK_SHIPPED, NULL);

		m->symbols = dist_kernel_module(um->dk, m->name, dir);
		free(dir);
	} else if (m->name) {
		m->symbols = kernel_find_module(kb->target, "modules.order", m->name);
	}
	if (m->name && !m->symbols)
		error(NULL, "%s: cannot read the shipped module's symbols", obj);
}

static struct unit_module *lookup(struct unit_modules *um, const char *obj)
{
	struct unit_module *m = strmap_get(&um->map, obj);

	if (m)
		return m->failed ? NULL : m;
	m = xcalloc(1, sizeof(*m));
	*strmap_slot(&um->map, xstrdup(obj)) = m;
	find_module(um, obj, m);
	m->failed = m->name && !m->symbols;
	return m->failed ? NULL : m;
}

const struct unit_module *unit_module_of(struct unit_modules *um, const char *obj)
{
	return lookup(um, obj);
}

bool unit_module_has_symbol(struct unit_modules *um, const char *obj,
			    const struct kernel_symbols *vmlinux, const char *name)
{
	struct unit_module *m = lookup(um, obj);

	if (!m)
		return false;
	if (!m->name)
		return kernel_symbols_has(vmlinux, name);
	/* Read once per object, however many stages ask. */
	if (!m->ks) {
		m->ks = xcalloc(1, sizeof(*m->ks));
		if (kernel_symbols_read(m->ks, m->symbols)) {
			free(m->ks);
			m->ks = NULL;
			m->failed = true;
			return false;
		}
	}
	return kernel_symbols_has(m->ks, name);
}

void unit_modules_free(struct unit_modules *um)
{
	struct strmap_slot *slot;

	strmap_for_each(&um->map, slot) {
		struct unit_module *m = slot->value;

		if (m->ks)
			kernel_symbols_free(m->ks);
		free(m->ks), free(m->name), free(m->symbols), free((char *)slot->key);
		free(m);
	}
	strmap_free(&um->map);
}
