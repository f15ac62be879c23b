// SPDX-License-Identifier: GPL-2.0-or-later
#include "elf/names.h"

#include <ctype.h>
#include <string.h>

#include "base/util.h"

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Copy @name dropping ".<digits>" components and a ".llvm.<hash>" suffix. */
static void strip_dot_counters(const char *name, char *out)
{
	const char *p = name, *end = name + strlen(name);
	const char *dot;
	size_t len;

	/* ".L123"-style names are labels, not counters after a base name. */
	dot = *name ? strchr(name + 1, '.') : NULL;
	if (!dot || name[0] == '.') {
		strcpy(out, name);
		return;
	}
	len = (size_t)(dot - name);
	memcpy(out, name, len);
	out += len;
	for (p = dot; p < end; p = dot) {
		const char *comp = p + 1;

		dot = strchr(comp, '.');
		if (!dot)
			dot = end;
		len = (size_t)(dot - comp);
		if (all_digits(comp, len))
			continue;
		/* LLVM promotes locals to globals as "name.llvm.<hash>". */
		if (len == 4 && !memcmp(comp, "llvm", 4) && dot < end &&
		    all_digits(dot + 1, strlen(dot + 1)))
			break;
		*out++ = '.';
		memcpy(out, comp, len);
		out += len;
	}
	*out = '\0';
}

/* "__initcall__kmod_<mod>__<counter>_<line>_<fn><level>": drop counter and line. */
static void strip_initcall_counters(char *s)
{
	static const char *const prefixes[] = { "__initcall__kmod_", "__initstub__kmod_" };

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		char *p, *q;

		if (!starts_with(s, prefixes[i]))
			continue;
		p = strstr(s + strlen(prefixes[i]), "__");
		if (!p || !isdigit((unsigned char)p[2]))
			return;
		q = p + 2;
		for (int field = 0; field < 2; field++) {
			while (isdigit((unsigned char)*q))
				q++;
			if (*q != '_')
				return;
			q++;
		}
		memmove(p + 2, q, strlen(q) + 1);
		return;
	}
}

/*
 * "__UNIQUE_ID_<what><counter>", whole (gcc's static) or after the function
 * name (clang's "func.__UNIQUE_ID_ddebug386"): drop the counter.
 */
static void strip_unique_id_counter(char *key)
{
	char *id = strstr(key, "__UNIQUE_ID_");
	size_t n;

	if (!id || (id != key && id[-1] != '.') || strchr(id, '.'))
		return;
	n = strlen(id);
	while (n > strlen("__UNIQUE_ID_") && isdigit((unsigned char)id[n - 1]))
		n--;
	id[n] = '\0';
}

char *name_key(const char *name)
{
	char *key = xmalloc(strlen(name) + 1);

	strip_dot_counters(name, key);
	strip_unique_id_counter(key);
	strip_initcall_counters(key);
	return key;
}

static const char *piece_suffix(const char *key)
{
	const char *p = strstr(key, ".cold");

	if (p && (p[5] == '\0' || p[5] == '.'))
		return p;
	p = strstr(key, ".part");
	if (p && (p[5] == '\0' || p[5] == '.'))
		return p;
	return NULL;
}

bool name_is_cold_piece(const char *key)
{
	const char *p = piece_suffix(key);

	return p && p[1] == 'c';
}

bool name_is_part_piece(const char *key)
{
	const char *p = piece_suffix(key);

	return p && p[1] == 'p';
}

size_t name_piece_parent_len(const char *key)
{
	const char *p = piece_suffix(key);

	return p ? (size_t)(p - key) : strlen(key);
}
