/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by every part of klpdiff. */
/*
 * Layer base (src/base/): includes no other layer of klpdiff.
 * tests/source/layers.t checks it.
 */
#ifndef KLPDIFF_UTIL_H
#define KLPDIFF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The Makefile defines it; this is for builds that do not (fuzz targets, editors). */
#ifndef KLPDIFF_VERSION
#define KLPDIFF_VERSION "0.1"
#endif

/*
 * Exit statuses, as diff(1): 0 same, 1 differences, 2 trouble. extract and
 * build exit 3 when the patched object has no functional change.
 */
enum { EXIT_SAME = 0, EXIT_CHANGED = 1, EXIT_TROUBLE = 2, EXIT_NO_CHANGE = 3 };

extern const char *progname;
extern int verbose;

/* "klpdiff: FILE: message" on stderr. Returns -1 so callers can `return error(...)`. */
int error(const char *file, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void warn(const char *file, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Something the user should know that is not a problem. */
void note(const char *file, const char *fmt, ...)
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
 * file at the path the user named. "-" means standard output; a device or
 * FIFO (/dev/null) is written in place (tmp_path NULL), never replaced.
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
/*
 * From now on SIGINT, SIGTERM and SIGHUP stop the running child (see
 * base/process.h) and remove the open outputs' temporaries before klpdiff
 * dies of them.
 */
void handle_fatal_signals(void);

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
/*
 * Write @path through a temporary beside it, renamed into place, so that no
 * one sees a partial file (a device or FIFO is written in place): @fill
 * writes the temporary's @fd, returning -1 after an error naming @path. -1
 * after an error naming the file.
 */
typedef int write_fn(int fd, const char *path, void *ctx);
int write_atomically(const char *path, mode_t mode, write_fn *fill, void *ctx);
/* The same with @text as the contents. */
int write_file_atomic(const char *path, const char *text, mode_t mode);
/* Write @text into the existing file @path (a /proc control file); -1 with errno set. */
int write_in_place(const char *path, const char *text);
/* rm -rf @dir, without following links; -1 after a warning naming it. */
int remove_tree(const char *dir);
/* klpdiff's cache: $KLPDIFF_CACHE, else ~/.cache/klpdiff/build. */
char *cache_base(void);
/* The absolute path of the executable @name in $PATH, or NULL. */
char *find_program(const char *name);
/*
 * Lock @path (created if missing) shared or exclusive, waiting for other
 * holders; the descriptor to close to unlock, or -1 after an error.
 */
int cache_lock(const char *path, bool exclusive);

/* What a walk_tree() callback returns: go on, do not enter this directory, or stop. */
enum { WALK_CONTINUE, WALK_SKIP, WALK_STOP };
/*
 * Call @fn for each entry below @root, parents before their children, with
 * its path relative to @root, its name and its type (DT_DIR, DT_REG, ...).
 * Returns 0, 1 if @fn stopped the walk, or -1 after an error naming a
 * directory that cannot be read (or when @fn returns a negative value).
 */
typedef int walk_fn(void *ctx, const char *rel, const char *name, unsigned char type);
int walk_tree(const char *root, walk_fn *fn, void *ctx);

/* A list of owned strings, kept NULL-terminated so that v can be an argv. */
struct strlist {
	char **v;
	size_t nr, alloc;
};

void strlist_add(struct strlist *l, char *s);	/* takes ownership */
void strlist_free(struct strlist *l);
bool strlist_has(const struct strlist *l, const char *s);
void strlist_sort(struct strlist *l);
/* A whole file, mapped read-only. */
struct mapped_file {
	const uint8_t *data;
	size_t size;
};
/* Map @path (a regular, non-empty file); -1 after an error naming it. */
int map_file(const char *path, struct mapped_file *m);
void unmap_file(struct mapped_file *m);
/* @s as a JSON string literal. */
void json_string(FILE *fp, const char *s);

/* qsort() that accepts an empty (NULL) array, which qsort() itself may not. */
void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* Compare two uint64_t, for sort() and bsearch(). */
int cmp_u64(const void *a, const void *b);
/*
 * Binary search of @base (@n elements of @size), whose elements @before
 * puts before @key all come first: the index of the first one it does not
 * (@n if none). With "less than" a lower bound, "at most" an upper one.
 */
size_t partition_point(const void *base, size_t n, size_t size, const void *key,
		       bool (*before)(const void *elem, const void *key));

/* Options shared by commands: parse "--help"-style flags. */
bool streq(const char *a, const char *b);
bool starts_with(const char *s, const char *prefix);
bool ends_with(const char *s, const char *suffix);

#endif
