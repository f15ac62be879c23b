// SPDX-License-Identifier: GPL-2.0-or-later
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/process.h"

const char *progname = "klpdiff";
int verbose;

/* One write per line: threads reading objects side by side may both report. */
static void vreport(const char *file, const char *fmt, va_list ap)
{
	char *msg = NULL, *line = NULL;

	if (vasprintf(&msg, fmt, ap) < 0 ||
	    asprintf(&line, "%s: %s%s%s\n", progname, file ? file : "", file ? ": " : "", msg) < 0)
		fatal("out of memory");
	fputs(line, stderr);
	free(line);
	free(msg);
}

int error(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(file, fmt, ap);
	va_end(ap);
	return -1;
}

static void vsay(const char *what, const char *file, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s: ", progname, what);
	if (file)
		fprintf(stderr, "%s: ", file);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void warn(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("warning", file, fmt, ap);
	va_end(ap);
}

void note(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("note", file, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, fmt, ap);
	va_end(ap);
	output_abort_all();
	exit(EXIT_TROUBLE);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		fatal("out of memory");
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		fatal("out of memory");
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	return s;
}

void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* Open outputs, so that a signal or fatal error can remove their temporaries. */
static struct output *open_outputs[8];

static void track_output(struct output *out, bool add)
{
	for (size_t i = 0; i < ARRAY_SIZE(open_outputs); i++) {
		if (add && !open_outputs[i]) {
			open_outputs[i] = out;
			return;
		}
		if (!add && open_outputs[i] == out) {
			open_outputs[i] = NULL;
			return;
		}
	}
	if (add)
		fatal("too many open output files");
}

/* Stop the running child (base/process.h), remove temporaries, die of @sig. */
static void die_of_signal(int sig)
{
	process_pass_signal(sig);
	for (size_t i = 0; i < ARRAY_SIZE(open_outputs); i++)
		if (open_outputs[i] && open_outputs[i]->tmp_path)
			unlink(open_outputs[i]->tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

void handle_fatal_signals(void)
{
	signal(SIGINT, die_of_signal);
	signal(SIGTERM, die_of_signal);
	signal(SIGHUP, die_of_signal);
}

/*
 * An existing output that is no regular file (/dev/null, a FIFO) is written
 * in place: a temporary file renamed over it would replace the device.
 */
static bool special_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && !S_ISREG(st.st_mode);
}

int output_open(struct output *out, const char *path)
{
	int fd;

	memset(out, 0, sizeof(*out));
	if (streq(path, "-")) {
		out->fp = stdout;
		return 0;
	}
	if (special_file(path)) {
		out->fp = fopen(path, "w");
		if (!out->fp)
			return error(path, "cannot write: %s", strerror(errno));
		out->path = xstrdup(path);
		return 0;
	}
	out->path = xstrdup(path);
	out->tmp_path = xasprintf("%s.tmp.XXXXXX", path);
	fd = mkstemp(out->tmp_path);
	if (fd < 0) {
		error(path, "cannot create: %s", strerror(errno));
		free(out->tmp_path);
		free(out->path);
		out->tmp_path = out->path = NULL;
		return -1;
	}
	fchmod(fd, 0644 & ~umask(umask(0)));
	out->fp = fdopen(fd, "w");
	if (!out->fp)
		fatal("fdopen: %s", strerror(errno));
	track_output(out, true);
	handle_fatal_signals();
	return 0;
}

int output_commit(struct output *out)
{
	int ret = 0;

	if (!out->path) {
		if (fflush(stdout) || ferror(stdout))
			return error("<stdout>", "write error: %s", strerror(errno));
		return 0;
	}
	if (!out->tmp_path) {	/* written in place */
		if (ferror(out->fp) | fclose(out->fp))
			ret = error(out->path, "write error: %s", strerror(errno));
	} else if (ferror(out->fp) | fclose(out->fp)) {
		ret = error(out->path, "write error: %s", strerror(errno));
		unlink(out->tmp_path);
	} else if (rename(out->tmp_path, out->path)) {
		ret = error(out->path, "cannot rename into place: %s", strerror(errno));
		unlink(out->tmp_path);
	}
	track_output(out, false);
	free(out->tmp_path);
	free(out->path);
	memset(out, 0, sizeof(*out));
	return ret;
}

void output_abort(struct output *out)
{
	if (!out->path)
		return;
	fclose(out->fp);
	if (out->tmp_path)
		unlink(out->tmp_path);
	track_output(out, false);
	free(out->tmp_path);
	free(out->path);
	memset(out, 0, sizeof(*out));
}

void output_abort_all(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(open_outputs); i++)
		if (open_outputs[i])
			output_abort(open_outputs[i]);
}

char *read_file(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	size_t len = 0, alloc = 0, n;
	char *buf = NULL;

	if (!fp)
		return NULL;
	do {
		GROW(buf, len, alloc, len + 65536);
		n = fread(buf + len, 1, alloc - len - 1, fp);
		len += n;
	} while (n);
	if (ferror(fp)) {
		fclose(fp);
		free(buf);
		errno = EIO;
		return NULL;
	}
	fclose(fp);
	buf[len] = '\0';
	if (size)
		*size = len;
	return buf;
}

int mkdir_p(const char *path)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	free(p);
	if (mkdir(path, 0755) && errno != EEXIST)
		return error(path, "cannot create directory: %s", strerror(errno));
	return 0;
}

int mkdir_parent(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int ret = 0;

	if (slash && slash != dir) {
		*slash = '\0';
		ret = mkdir_p(dir);
	}
	free(dir);
	return ret;
}

static bool write_all(int fd, const char *text)
{
	size_t len = strlen(text);

	while (len) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		text += n;
		len -= (size_t)n;
	}
	return true;
}

int write_atomically(const char *path, mode_t mode, write_fn *fill, void *ctx)
{
	char *tmp;
	int fd, ret;

	if (special_file(path)) {
		fd = open(path, O_WRONLY);
		if (fd < 0)
			return error(path, "cannot write: %s", strerror(errno));
		ret = fill(fd, path, ctx);
		if (close(fd) && !ret)
			ret = error(path, "write error: %s", strerror(errno));
		return ret;
	}
	tmp = xasprintf("%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);

	if (fd < 0) {
		ret = error(path, "cannot create: %s", strerror(errno));
		free(tmp);
		return ret;
	}
	/* As open(2) would have made it. */
	fchmod(fd, mode & ~umask(umask(0)));
	ret = fill(fd, path, ctx);
	if (close(fd) && !ret)
		ret = error(path, "write error: %s", strerror(errno));
	if (!ret && rename(tmp, path))
		ret = error(path, "cannot rename into place: %s", strerror(errno));
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

static int write_text(int fd, const char *path, void *text)
{
	return write_all(fd, text) ? 0 : error(path, "write error: %s", strerror(errno));
}

int write_file_atomic(const char *path, const char *text, mode_t mode)
{
	return write_atomically(path, mode, write_text, (void *)text);
}

int write_in_place(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	bool ok = fd >= 0 && write_all(fd, text);
	int saved = errno;

	if (fd >= 0 && close(fd))
		return -1;
	errno = saved;
	return ok ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int remove_tree(const char *dir)
{
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) && errno != ENOENT) {
		warn(dir, "cannot remove: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* A d_type of DT_UNKNOWN (some file systems) is looked up. */
static unsigned char entry_type(const char *dir, const struct dirent *e)
{
	char *path;
	struct stat st;
	unsigned char type = DT_UNKNOWN;

	if (e->d_type != DT_UNKNOWN)
		return e->d_type;
	path = xasprintf("%s/%s", dir, e->d_name);
	if (!lstat(path, &st))
		type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
	free(path);
	return type;
}

static int walk_dir(const char *root, const char *rel, walk_fn *fn, void *ctx)
{
	char *dir = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	if (!d) {
		ret = error(dir, "cannot read directory: %s", strerror(errno));
		free(dir);
		return ret;
	}
	while (!ret && (e = readdir(d))) {
		unsigned char type;
		char *child;

		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		type = entry_type(dir, e);
		child = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		ret = fn(ctx, child, e->d_name, type);
		if (ret == WALK_STOP)
			ret = 1;
		else if (ret == WALK_SKIP)
			ret = 0;
		else if (ret >= 0 && type == DT_DIR)
			ret = walk_dir(root, child, fn, ctx);
		free(child);
	}
	closedir(d);
	free(dir);
	return ret < 0 ? -1 : ret;
}

int walk_tree(const char *root, walk_fn *fn, void *ctx)
{
	return walk_dir(root, "", fn, ctx);
}

void strlist_add(struct strlist *l, char *s)
{
	GROW(l->v, l->nr, l->alloc, l->nr + 2);
	l->v[l->nr++] = s;
	l->v[l->nr] = NULL;
}

void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->nr; i++)
		if (streq(l->v[i], s))
			return true;
	return false;
}

static int cmp_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strlist_sort(struct strlist *l)
{
	sort(l->v, l->nr, sizeof(*l->v), cmp_string);
}

int copy_file(const char *from, const char *to)
{
	FILE *in, *out;
	char buf[65536];
	size_t n;
	int ret = 0;

	mkdir_parent(to);
	in = fopen(from, "rb");
	if (!in)
		return error(from, "cannot open: %s", strerror(errno));
	out = fopen(to, "wb");
	if (!out) {
		fclose(in);
		return error(to, "cannot create: %s", strerror(errno));
	}
	while ((n = fread(buf, 1, sizeof(buf), in)))
		if (fwrite(buf, 1, n, out) != n)
			ret = error(to, "write error: %s", strerror(errno));
	if (ferror(in) && !ret)
		ret = error(from, "read error: %s", strerror(errno));
	fclose(in);
	if (fclose(out) && !ret)
		ret = error(to, "write error: %s", strerror(errno));
	return ret;
}

void json_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

bool same_file_contents(const char *a, const char *b)
{
	int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY);
	struct stat sa, sb;
	bool same = false;

	if (fa >= 0 && fb >= 0 && !fstat(fa, &sa) && !fstat(fb, &sb) && sa.st_size == sb.st_size) {
		void *ma = sa.st_size ? mmap(NULL, sa.st_size, PROT_READ, MAP_PRIVATE, fa, 0) : NULL;
		void *mb = sb.st_size ? mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fb, 0) : NULL;

		same = ma != MAP_FAILED && mb != MAP_FAILED &&
		       (!sa.st_size || !memcmp(ma, mb, sa.st_size));
		if (ma && ma != MAP_FAILED)
			munmap(ma, sa.st_size);
		if (mb && mb != MAP_FAILED)
			munmap(mb, sb.st_size);
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}


int cache_lock(const char *path, bool exclusive)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return error(path, "cannot create the lock: %s", strerror(errno));
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH))
		if (errno != EINTR) {
			error(path, "cannot lock: %s", strerror(errno));
			close(fd);
			return -1;
		}
	return fd;
}

int map_file(const char *path, struct mapped_file *m)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	void *p;

	if (fd < 0)
		return error(path, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return error(path, "not a regular, non-empty file");
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return error(path, "cannot map: %s", strerror(errno));
	m->data = p;
	m->size = (size_t)st.st_size;
	return 0;
}

void unmap_file(struct mapped_file *m)
{
	if (m->data)
		munmap((void *)m->data, m->size);
	memset(m, 0, sizeof(*m));
}

char *find_program(const char *name)
{
	const char *path = getenv("PATH");

	while (path && *path) {
		size_t len = strcspn(path, ":");
		char *cand = xasprintf("%.*s/%s", (int)len, path, name);

		if (len && *path == '/' && !access(cand, X_OK))
			return cand;
		free(cand);
		path += len + (path[len] == ':');
	}
	return NULL;
}

char *cache_base(void)
{
	const char *base = getenv("KLPDIFF_CACHE");

	if (base)
		return xstrdup(base);
	return xasprintf("%s/.cache/klpdiff/build", getenv("HOME") ? getenv("HOME") : "/tmp");
}

int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t partition_point(const void *base, size_t n, size_t size, const void *key,
		       bool (*before)(const void *elem, const void *key))
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (before((const char *)base + mid * size, key))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
