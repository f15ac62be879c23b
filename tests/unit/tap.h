/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TAP for the C unit tests (tests/unit/test_*.c, run by unit.t): each check
 * prints "ok N - what" or "not ok N - what" with what it got; tap_done()
 * prints the plan and returns the number of failures, main's exit status.
 */
#ifndef KLPDIFF_UNIT_TAP_H
#define KLPDIFF_UNIT_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_run, tap_failed;

static inline bool tap_vok(bool pass, const char *fmt, va_list ap)
{
	printf("%s %d - ", pass ? "ok" : "not ok", ++tap_run);
	vprintf(fmt, ap);
	putchar('\n');
	tap_failed += !pass;
	return pass;
}

__attribute__((format(printf, 2, 3)))
static inline bool ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pass = tap_vok(pass, fmt, ap);
	va_end(ap);
	return pass;
}

/* Strings, NULL as a value of its own. */
__attribute__((format(printf, 3, 4)))
static inline bool is_str(const char *got, const char *want, const char *fmt, ...)
{
	bool pass = got && want ? !strcmp(got, want) : got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vok(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#      got: %s%s%s\n# expected: %s%s%s\n", got ? "'" : "", got ? got : "NULL",
		       got ? "'" : "", want ? "'" : "", want ? want : "NULL", want ? "'" : "");
	return pass;
}

__attribute__((format(printf, 3, 4)))
static inline bool is_u64(uint64_t got, uint64_t want, const char *fmt, ...)
{
	bool pass = got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vok(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#      got: %" PRIu64 " (%#" PRIx64 ")\n# expected: %" PRIu64 " (%#" PRIx64 ")\n",
		       got, got, want, want);
	return pass;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_run);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_run);
	return tap_failed > 254 ? 254 : tap_failed;
}

#endif
