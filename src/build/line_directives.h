/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef KLPDIFF_LINE_DIRECTIVES_H
#define KLPDIFF_LINE_DIRECTIVES_H

/*
 * Rewrite @patched, a C source or header that a patch changed, so that the
 * lines it shares with @orig keep @orig's numbers (#line directives). Where
 * that cannot be done, a warning naming @shown, and the file stays as it is;
 * -1 only if the file could not be rewritten.
 */
int line_directives_add(const char *orig, const char *patched, const char *shown);

#endif
