/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every child process klpdiff starts (make, patch, tar, a decompressor, the
 * build's namespace helper) starts here, in a process group of its own, so
 * that klpdiff decides what a signal does to it: on SIGINT, SIGTERM or
 * SIGHUP klpdiff passes the signal on to every running child's group (make
 * and its compilers alike), removes its temporary outputs and dies of it.
 * Nothing is left running on klpdiff's cache. Children run one at a time,
 * but for the two compiles (originals, patched) that may run at once.
 *
 * A child's stdin is /dev/null unless said otherwise: in a background
 * process group, reading the terminal would stop it.
 */
#ifndef KLPDIFF_PROCESS_H
#define KLPDIFF_PROCESS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * How a child ended, as the functions below return it (its "status"): its
 * exit status, 0 to 255; -errno when it could not be started (fork, exec);
 * PROCESS_KILLED(sig) when signal @sig killed it. A child killed by SIGINT
 * or SIGTERM kills klpdiff too: someone is stopping the job.
 */
#define PROCESS_KILLED(sig) (-4096 - (sig))

/* The status in a few words for an error message: "exited with status 2". */
const char *process_status_text(int status);

/*
 * Start @argv (argv[0] found in PATH) with the descriptors @in, @out and @err
 * as its stdin, stdout and stderr (-1: /dev/null). 0 with its pid in *@pid,
 * or the status of a child that could not start.
 */
int process_start(char *const argv[], int in, int out, int err, pid_t *pid);
/* Wait for the child @pid that process_start() started: its status. */
int process_wait(pid_t pid);
/* Start @argv, as process_start(), and wait for it: its status. */
int run_process(char *const argv[], int in, int out, int err);
/* Run @fn(@arg) in a forked child: its status, 0 if @fn returned 0, else 2. */
int run_function(int (*fn)(void *arg), void *arg);

/*
 * Start @fn(@arg) in a forked child with @err as its stderr (-1: klpdiff's);
 * its exit status is what @fn returns (0 to 255, else 2). 0 with its pid in
 * *@pid (process_wait() for its status), or -errno.
 */
int process_start_function(int (*fn)(void *arg), void *arg, int err, pid_t *pid);

/* Run @argv with stdout and stderr appended to the file @log: its status. */
int run_logged(char *const argv[], const char *log);
/* Run @argv with its stdout written to the file @out, stderr quiet: its status. */
int run_to_file(char *const argv[], const char *out);
/* Run @argv; its stdout (stderr quiet), or NULL if it could not run or failed. */
char *run_capture(char *const argv[]);
/* The same whatever its status, which goes to @status. */
char *run_capture_status(char *const argv[], int *status);
/* Run @argv with the @len bytes at @in on its stdin, its stdout to @out_fd: its status. */
int run_filter(char *const argv[], const void *in, size_t len, int out_fd);

/* For the signal handler (util.c): pass @sig on to the running child's group. */
void process_pass_signal(int sig);

#endif
