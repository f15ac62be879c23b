/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CONFIG_MODVERSIONS: a livepatch module that uses an exported symbol whose
 * CRC the patch changes would not load. kbuild writes each object's CRCs
 * into its .cmd file ("#SYMVER name 0xcrc"): an identical object may still
 * change them.
 */
#ifndef KLPDIFF_MODVERSIONS_H
#define KLPDIFF_MODVERSIONS_H

#include "base/util.h"

/* Add "SYMBOL OBJECT" to @changed for each CRC of @obj that differs between @work's builds. */
void changed_crcs(const char *work, const char *obj, struct strlist *changed);
/* Refuse, naming each, patch objects @parts that use a symbol of @changed. */
int check_crcs(const struct strlist *changed, const struct strlist *parts);

#endif
