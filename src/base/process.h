/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running programs. Defined in build/kbuild.c for now (with the signal
 * handling they share); every layer may run a program through them.
 */
#ifndef KLPDIFF_PROCESS_H
#define KLPDIFF_PROCESS_H

/* Run argv (NULL-terminated) with stdout/stderr appended to @log; exit status or -1. */
int run_logged(char *const argv[], const char *log);
/* Run argv with its stdout written to @out; exit status or -1. */
int run_to_file(char *const argv[], const char *out);
/* Run argv; its stdout, or NULL if it could not run or failed. */
char *run_capture(char *const argv[]);
/* The same whatever its exit status (-1: it could not run), which goes to @status. */
char *run_capture_status(char *const argv[], int *status);

#endif
