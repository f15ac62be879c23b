/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by every part of klpdiff. */
#ifndef KLPDIFF_UTIL_H
#define KLPDIFF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit statuses, as diff(1): 0 same, 1 differences, 2 trouble. */
enum { EXIT_SAME = 0, EXIT_CHANGED = 1, EXIT_TROUBLE = 2 };

extern const char *progname;
extern int verbose;

/* "klpdiff: FILE: message" on stderr. Returns -1 so callers can `return error(...)`. */
int error(const char *file, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void warn(const char *file, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* For failures that leave nothing to clean up: out of memory, internal bugs. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow an array to hold at least @need elements. */
#define GROW(arr, nr, alloc, need)                                        \
	do {                                                              \
		if ((need) > (alloc)) {                                   \
			(alloc) = (alloc) ? (alloc) * 2 : 16;             \
			if ((alloc) < (need))                             \
				(alloc) = (need);                         \
			(arr) = xrealloc((arr), (alloc) * sizeof(*(arr))); \
		}                                                         \
	} while (0)

/*
 * Output files are written under a temporary name beside the target and
 * renamed into place by output_commit(), so a failure never leaves a partial
 * file at the path the user named. "-" means standard output.
 */
struct output {
	FILE *fp;
	char *path;
	char *tmp_path;
};
int output_open(struct output *out, const char *path);
int output_commit(struct output *out);
void output_abort(struct output *out);
/* Abort every open output (called on fatal errors and signals). */
void output_abort_all(void);

/* The whole file, NUL-terminated (size without the NUL in *size); NULL with errno set. */
char *read_file(const char *path, size_t *size);
/* Copy a file, creating @to's directory; -1 after an error naming the file. */
int copy_file(const char *from, const char *to);
/* Do two files hold the same bytes? (false if either cannot be read) */
bool same_file_contents(const char *a, const char *b);
/* mkdir -p; -1 after an error naming the directory. */
int mkdir_p(const char *path);
/* mkdir -p of the directory @path is in. */
int mkdir_parent(const char *path);
/* Create (or truncate) @path with @text; -1 after an error naming the file. */
int write_new_file(const char *path, const char *text, mode_t mode);
/* rm -rf @path (nothing there is fine); -1 after an error naming what stayed. */
int remove_tree(const char *path);
/*
 * Lock @path (created if missing) shared or exclusive, waiting for other
 * holders; the descriptor to close to unlock, or -1 after an error.
 */
int cache_lock(const char *path, bool exclusive);
/* @s as a JSON string literal. */
void json_string(FILE *fp, const char *s);

/* qsort() that accepts an empty (NULL) array, which qsort() itself may not. */
void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* Options shared by commands: parse "--help"-style flags. */
bool streq(const char *a, const char *b);
bool starts_with(const char *s, const char *prefix);
bool ends_with(const char *s, const char *suffix);

#endif
