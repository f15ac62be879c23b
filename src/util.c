// SPDX-License-Identifier: GPL-2.0-or-later
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *progname = "klpdiff";
int verbose;

static void vreport(const char *file, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", progname);
	if (file)
		fprintf(stderr, "%s: ", file);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int error(const char *file, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(file, fmt, ap);
	va_end(ap);
	return -1;
}

void warn(const char *file, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", progname);
	if (file)
		fprintf(stderr, "%s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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

static void remove_temporaries_on_signal(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(open_outputs); i++)
		if (open_outputs[i] && open_outputs[i]->tmp_path)
			unlink(open_outputs[i]->tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

int output_open(struct output *out, const char *path)
{
	int fd;

	memset(out, 0, sizeof(*out));
	if (streq(path, "-")) {
		out->fp = stdout;
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
	signal(SIGINT, remove_temporaries_on_signal);
	signal(SIGTERM, remove_temporaries_on_signal);
	signal(SIGHUP, remove_temporaries_on_signal);
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
	if (ferror(out->fp) | fclose(out->fp)) {
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
