// SPDX-License-Identifier: GPL-2.0-or-later
/* base/util.c: cmp_u64, sort and partition_point, strlist, string helpers, json_string. */
#include <stdlib.h>

#include "base/util.h"
#include "tap.h"

static void compare(void)
{
	uint64_t v[] = { 5, UINT64_MAX, 0, 1ull << 63, 5, 1 };
	uint64_t want[] = { 0, 1, 5, 5, 1ull << 63, UINT64_MAX };
	uint64_t a = 1, b = 2, big = UINT64_MAX, zero = 0;
	bool same = true;

	is_u64((uint64_t)cmp_u64(&a, &b), (uint64_t)-1, "cmp_u64(1, 2) is -1");
	is_u64((uint64_t)cmp_u64(&b, &a), 1, "cmp_u64(2, 1) is 1");
	is_u64((uint64_t)cmp_u64(&a, &a), 0, "cmp_u64(1, 1) is 0");
	/* A subtraction would wrap here. */
	is_u64((uint64_t)cmp_u64(&zero, &big), (uint64_t)-1, "cmp_u64(0, UINT64_MAX) is -1");
	is_u64((uint64_t)cmp_u64(&big, &zero), 1, "cmp_u64(UINT64_MAX, 0) is 1");
	sort(v, ARRAY_SIZE(v), sizeof(v[0]), cmp_u64);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		same = same && v[i] == want[i];
	ok(same, "sort with cmp_u64: 0 1 5 5 2^63 UINT64_MAX");
	sort(NULL, 0, sizeof(v[0]), cmp_u64);
	ok(true, "sort of an empty (NULL) array");
}

static bool less(const void *elem, const void *key)
{
	return *(const uint64_t *)elem < *(const uint64_t *)key;
}

static bool at_most(const void *elem, const void *key)
{
	return *(const uint64_t *)elem <= *(const uint64_t *)key;
}

static void bounds(void)
{
	uint64_t v[] = { 1, 3, 3, 3, 7 }, key;

	key = 3;
	is_u64(partition_point(v, 5, sizeof(*v), &key, less), 1, "lower bound of 3: index 1");
	is_u64(partition_point(v, 5, sizeof(*v), &key, at_most), 4, "upper bound of 3: index 4");
	key = 0;
	is_u64(partition_point(v, 5, sizeof(*v), &key, less), 0, "below every element: 0");
	key = 8;
	is_u64(partition_point(v, 5, sizeof(*v), &key, less), 5, "above every element: n");
	is_u64(partition_point(NULL, 0, sizeof(*v), &key, less), 0, "an empty array: 0");
}

static void strlists(void)
{
	struct strlist l = { 0 };

	strlist_add(&l, xstrdup("pear"));
	strlist_add(&l, xstrdup("apple"));
	strlist_add(&l, xstrdup("fig"));
	is_u64(l.nr, 3, "strlist_add: 3 strings");
	ok(l.v[3] == NULL, "the list stays NULL-terminated (an argv)");
	ok(strlist_has(&l, "fig") && !strlist_has(&l, "fi") && !strlist_has(&l, "figs"),
	   "strlist_has: whole strings only");
	strlist_sort(&l);
	is_str(l.v[0], "apple", "strlist_sort: first");
	is_str(l.v[1], "fig", "strlist_sort: second");
	is_str(l.v[2], "pear", "strlist_sort: third");
	ok(l.v[3] == NULL, "still NULL-terminated after sorting");
	strlist_free(&l);
	ok(!l.v && !l.nr && !l.alloc, "strlist_free: the list is zeroed");
	ok(!strlist_has(&l, "fig"), "an empty list has nothing");
}

/* Past its first allocation, a list still has room for its NULL (ASan checks the writes). */
static void strlist_growth(void)
{
	struct strlist l = { 0 };
	size_t terminated = 0;

	for (int i = 0; i < 100; i++) {
		strlist_add(&l, xasprintf("s%d", i));
		terminated += l.v[l.nr] == NULL && l.alloc > l.nr;
	}
	is_u64(terminated, 100, "100 strlist_add: room for the NULL after each");
	is_str(l.v[99], "s99", "the 100th string is the last added");
	strlist_free(&l);
}

static void strings(void)
{
	char *s = xasprintf("%s-%d", "a", 5), *buf = NULL;
	size_t len = 0;
	FILE *fp;

	is_str(s, "a-5", "xasprintf");
	free(s);
	s = xstrndup("abcdef", 3);
	is_str(s, "abc", "xstrndup: the first n bytes");
	free(s);
	ok(streq("ab", "ab") && !streq("ab", "abc"), "streq");
	ok(starts_with("abc", "ab") && starts_with("abc", "") && !starts_with("ab", "abc"),
	   "starts_with");
	ok(ends_with("abc", "bc") && ends_with("abc", "") && !ends_with("bc", "abc") &&
	   !ends_with("abc", "ab"), "ends_with");
	fp = open_memstream(&buf, &len);
	json_string(fp, "a\"b\\c\n\x01/é");
	fclose(fp);
	is_str(buf, "\"a\\\"b\\\\c\\u000a\\u0001/é\"", "json_string escapes quotes, "
	       "backslashes and control characters, and nothing else");
	free(buf);
}

int main(void)
{
	compare();
	bounds();
	strlists();
	strlist_growth();
	strings();
	return tap_done();
}
