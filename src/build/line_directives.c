// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Keep unchanged lines on their original numbers. A patch that adds or
 * removes lines shifts __LINE__ below it (WARN, might_sleep, pr_debug
 * descriptors, ...), and with it the code of functions it never touched.
 * The patched copy of a file gets #line directives: lines it shares with
 * the original are numbered as there, lines of a hunk as in the patched
 * file. Which lines are shared is diff(1)'s answer.
 */
#include "build/line_directives.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/process.h"
#include "base/util.h"

struct text_lines {
	char *text;
	const char **start;	/* start[i]: line i + 1 */
	size_t *len;		/* with its newline, if any */
	size_t nr;
};

static void split_lines(char *text, size_t size, struct text_lines *tl)
{
	size_t alloc = 0, alloc_len = 0;

	tl->text = text;
	for (size_t at = 0; at < size;) {
		const char *nl = memchr(text + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - (text + at)) + 1 : size - at;

		GROW(tl->start, tl->nr, alloc, tl->nr + 1);
		GROW(tl->len, tl->nr, alloc_len, tl->nr + 1);
		tl->start[tl->nr] = text + at;
		tl->len[tl->nr++] = len;
		at += len;
	}
}

/*
 * Which lines may be preceded by a directive: not inside a comment, and
 * not after a line continued by a backslash (a macro definition). Also
 * marks the preprocessor conditionals: 1 opens, 2 is another branch (#el*),
 * -1 closes.
 */
static void scan_lines(const struct text_lines *tl, bool *safe, signed char *conditional)
{
	bool in_comment = false, continued = false;

	for (size_t i = 0; i < tl->nr; i++) {
		const char *s = tl->start[i], *end = s + tl->len[i];
		const char *body = s + strspn(s, " \t");
		char quote = 0;

		safe[i] = !in_comment && !continued;
		conditional[i] = 0;
		if (safe[i] && *body == '#') {
			body++;
			body += strspn(body, " \t");
			if (!strncmp(body, "if", 2))
				conditional[i] = 1;
			else if (!strncmp(body, "endif", 5))
				conditional[i] = -1;
			else if (!strncmp(body, "el", 2))
				conditional[i] = 2;
		}
		for (const char *c = s; c < end && *c != '\n'; c++) {
			if (in_comment) {
				if (c[0] == '*' && c + 1 < end && c[1] == '/')
					in_comment = false, c++;
			} else if (quote) {
				if (*c == '\\')
					c++;
				else if (*c == quote)
					quote = 0;
			} else if (c[0] == '/' && c + 1 < end && c[1] == '*') {
				in_comment = true, c++;
			} else if (c[0] == '/' && c + 1 < end && c[1] == '/') {
				break;
			} else if (*c == '"' || *c == '\'') {
				quote = *c;
			}
		}
		continued = end - s >= 2 && end[-1] == '\n' && end[-2] == '\\';
	}
}

/* Parse "@@ -A[,B] +C[,D] @@"; false if @line is not a hunk header. */
static bool parse_hunk(const char *line, long *a, long *b, long *c, long *d)
{
	char *end;

	if (strncmp(line, "@@ -", 4))
		return false;
	*a = strtol(line + 4, &end, 10);
	*b = *end == ',' ? strtol(end + 1, &end, 10) : 1;
	if (strncmp(end, " +", 2))
		return false;
	*c = strtol(end + 2, &end, 10);
	*d = *end == ',' ? strtol(end + 1, &end, 10) : 1;
	return !strncmp(end, " @@", 3);
}

/*
 * The number each patched line should carry (@number[i] for line i + 1),
 * from diff -U0's hunks: shared lines their original's, a hunk's lines
 * their own.
 */
static bool number_lines(const char *hunks, long *number, size_t nr)
{
	long offset = 0;
	size_t next = 1;	/* first patched line not numbered yet */

	for (const char *line = hunks; line && *line; line = strchr(line, '\n'), line += !!line) {
		long a, b, c, d;

		if (strncmp(line, "@@", 2))
			continue;
		if (!parse_hunk(line, &a, &b, &c, &d) || c < 0 || (size_t)(c + d) > nr + 1)
			return false;
		for (; next < (size_t)(d ? c : c + 1); next++)
			number[next - 1] = (long)next + offset;
		for (; next < (size_t)(c + d); next++)
			number[next - 1] = (long)next;
		offset = (b ? a + b : a + 1) - (d ? c + d : c + 1);
	}
	for (; next <= nr; next++)
		number[next - 1] = (long)next + offset;
	return true;
}

/* The patched text with a directive wherever the compiler's count would go wrong. */
static char *with_directives(const struct text_lines *tl, const long *number)
{
	bool *safe = xcalloc(tl->nr + 1, sizeof(*safe));
	signed char *conditional = xcalloc(tl->nr + 1, sizeof(*conditional));
	size_t len = 0, alloc = 0;
	char *out = NULL;
	long count = 1;		/* the compiler's number for the next line */
	int depth = 0;		/* of preprocessor conditionals */
	bool resync = false, skippable = false;	/* a directive in the branch just left */

	scan_lines(tl, safe, conditional);
	for (size_t i = 0; i < tl->nr; i++) {
		if ((number[i] != count || resync) && safe[i]) {
			char directive[32];
			int n = snprintf(directive, sizeof(directive), "#line %ld\n", number[i]);

			GROW(out, len, alloc, len + (size_t)n + 1);
			memcpy(out + len, directive, (size_t)n);
			len += (size_t)n;
			count = number[i];
			resync = false;
			skippable |= depth > 0;
		}
		GROW(out, len, alloc, len + tl->len[i] + 1);
		memcpy(out + len, tl->start[i], tl->len[i]);
		len += tl->len[i];
		count++;
		/* A directive in a branch not taken was skipped: say the number again. */
		if (conditional[i]) {
			resync = skippable;
			skippable = false;
			depth += conditional[i] == 2 ? 0 : conditional[i];
		}
	}
	GROW(out, len, alloc, len + 1);
	out[len] = '\0';
	free(safe);
	free(conditional);
	return out;
}

int line_directives_add(const char *orig, const char *patched, const char *shown)
{
	char *argv[] = { "diff", "-U0", "--", (char *)orig, (char *)patched, NULL };
	struct text_lines tl = { 0 };
	char *hunks, *text, *out;
	long *number;
	size_t size;
	int status, ret = 0;

	if (access(orig, F_OK)) {
		warn(shown, "new or renamed by the patch: its lines keep their patched numbers");
		return 0;
	}
	hunks = run_capture_status(argv, &status);
	text = status == 1 ? read_file(patched, &size) : NULL;
	if (status != 1 || !text) {
		if (status != 0)
			warn(shown, "cannot compare with the original (diff %s): its lines "
			     "keep their patched numbers", process_status_text(status));
		free(hunks);
		free(text);
		return 0;
	}
	split_lines(text, size, &tl);
	number = xcalloc(tl.nr + 1, sizeof(*number));
	if (number_lines(hunks, number, tl.nr)) {
		out = with_directives(&tl, number);
		ret = write_file_atomic(patched, out, 0644);
		free(out);
		if (ret)
			ret = error(shown, "cannot rewrite in the overlay");
	} else {
		warn(shown, "diff's hunks do not match the file: its lines keep their patched "
		     "numbers");
	}
	free(number);
	free(tl.start);
	free(tl.len);
	free(text);
	free(hunks);
	return ret;
}
