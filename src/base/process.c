// SPDX-License-Identifier: GPL-2.0-or-later
#include "base/process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"

/*
 * The running children, whose groups the signal handler passes signals on
 * to; 0: a free slot. Two at most run at once (the compiles of the originals
 * and of the patched); a few more slots cost nothing.
 */
#define MAX_RUNNING 4
static volatile pid_t running[MAX_RUNNING];

void process_pass_signal(int sig)
{
	for (int i = 0; i < MAX_RUNNING; i++) {
		pid_t pid = running[i];

		if (pid > 0)
			kill(-pid, sig);
	}
}

/* Track @pid as running (@was 0) or as ended (@was the pid). */
static void set_running(pid_t was, pid_t now)
{
	for (int i = 0; i < MAX_RUNNING; i++)
		if (running[i] == was) {
			running[i] = now;
			return;
		}
}

const char *process_status_text(int status)
{
	static char text[128];

	if (status >= 0)
		snprintf(text, sizeof(text), "exited with status %d", status);
	else if (status <= PROCESS_KILLED(0))
		snprintf(text, sizeof(text), "killed by signal %d", PROCESS_KILLED(0) - status);
	else
		snprintf(text, sizeof(text), "could not be started: %s", strerror(-status));
	return text;
}

/*
 * fork(), the child in a process group of its own. The fatal signals wait
 * until the parent knows the child: a signal in between would leave it
 * running.
 */
static pid_t start_child(void)
{
	sigset_t fatal, old;
	pid_t pid;
	int err;

	handle_fatal_signals();
	sigemptyset(&fatal);
	sigaddset(&fatal, SIGINT);
	sigaddset(&fatal, SIGTERM);
	sigaddset(&fatal, SIGHUP);
	fflush(NULL);
	sigprocmask(SIG_BLOCK, &fatal, &old);
	pid = fork();
	err = errno;
	if (pid == 0) {
		setpgid(0, 0);
		for (int i = 0; i < MAX_RUNNING; i++)
			running[i] = 0;
	} else if (pid > 0) {
		/* Both sides: either may run first, and kill() needs the group. */
		setpgid(pid, pid);
		set_running(0, pid);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return pid;
}

/*
 * The child's side: @fds (-1: /dev/null) as 0, 1, 2, then exec; a failed
 * exec's errno goes to the parent through @report (closed by a good exec).
 */
static void __attribute__((noreturn)) exec_child(char *const argv[], const int fds[3],
						 int report)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), err;
	int copy[3];

	/* Copies above 2 first: a descriptor given may itself be 0, 1 or 2. */
	for (int i = 0; i < 3; i++)
		copy[i] = fcntl(fds[i] >= 0 ? fds[i] : null, F_DUPFD_CLOEXEC, 3);
	for (int i = 0; i < 3; i++)
		if (copy[i] >= 0)
			dup2(copy[i], i);
	/* An ignored SIGPIPE would be inherited (run_filter ignores it). */
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	err = errno;
	if (write(report, &err, sizeof(err)) < 0)
		_exit(126);	/* cannot even say so: a status of its own */
	_exit(127);
}

int process_start(char *const argv[], int in, int out, int err, pid_t *pid)
{
	const int fds[3] = { in, out, err };
	int report[2], exec_errno = 0;
	ssize_t n;

	if (pipe2(report, O_CLOEXEC))
		return -errno;
	*pid = start_child();
	if (*pid < 0) {
		int fork_errno = errno;

		close(report[0]);
		close(report[1]);
		return -fork_errno;
	}
	if (*pid == 0)
		exec_child(argv, fds, report[1]);
	close(report[1]);
	while ((n = read(report[0], &exec_errno, sizeof(exec_errno))) < 0 && errno == EINTR)
		;
	close(report[0]);
	if (n == sizeof(exec_errno)) {
		process_wait(*pid);
		return -exec_errno;
	}
	return 0;
}

int process_wait(pid_t pid)
{
	int status, sig;
	pid_t ret;

	while ((ret = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	set_running(pid, 0);
	if (ret < 0)
		return -errno;
	if (!WIFSIGNALED(status))
		return WEXITSTATUS(status);
	sig = WTERMSIG(status);
	/* Someone is stopping the job: the rest of the child's group stops, and klpdiff. */
	if (sig == SIGINT || sig == SIGTERM) {
		kill(-pid, sig);
		raise(sig);
	}
	return PROCESS_KILLED(sig);
}

int run_process(char *const argv[], int in, int out, int err)
{
	pid_t pid;
	int status = process_start(argv, in, out, err, &pid);

	return status ? status : process_wait(pid);
}

int run_function(int (*fn)(void *arg), void *arg)
{
	pid_t pid = start_child();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int ret = fn(arg);

		fflush(NULL);
		_exit(ret ? 2 : 0);
	}
	return process_wait(pid);
}

int process_start_function(int (*fn)(void *arg), void *arg, int err, pid_t *pid)
{
	*pid = start_child();
	if (*pid < 0)
		return -errno;
	if (*pid == 0) {
		int ret;

		if (err >= 0 && dup2(err, 2) < 0)
			_exit(EXIT_TROUBLE);
		ret = fn(arg);
		fflush(NULL);
		_exit(ret < 0 || ret > 255 ? EXIT_TROUBLE : ret);
	}
	return 0;
}

int run_logged(char *const argv[], const char *log)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644), status;

	if (fd < 0)
		return -errno;
	status = run_process(argv, -1, fd, fd);
	/* The log is where its reader looks for what went wrong. */
	if (status < 0 && status > PROCESS_KILLED(0))
		dprintf(fd, "%s: cannot run %s: %s\n", progname, argv[0], strerror(-status));
	close(fd);
	return status;
}

int run_to_file(char *const argv[], const char *out)
{
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), status;

	if (fd < 0) {
		status = -errno;
		error(out, "cannot create: %s", strerror(errno));
		return status;
	}
	status = run_process(argv, -1, fd, -1);
	close(fd);
	return status;
}

char *run_capture(char *const argv[])
{
	int status;
	char *out = run_capture_status(argv, &status);

	if (status) {
		free(out);
		return NULL;
	}
	return out;
}

/* Everything that can be read from @fd, NUL-terminated. */
static char *read_all(int fd)
{
	size_t len = 0, alloc = 0;
	char *buf = NULL;
	ssize_t n;

	do {
		GROW(buf, len, alloc, len + 4096);
		n = read(fd, buf + len, alloc - len - 1);
		if (n > 0)
			len += (size_t)n;
	} while (n > 0 || (n < 0 && errno == EINTR));
	buf[len] = '\0';
	return buf;
}

char *run_capture_status(char *const argv[], int *status)
{
	char *out;
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		*status = -errno;
		return NULL;
	}
	*status = process_start(argv, -1, fds[1], -1, &pid);
	close(fds[1]);
	out = *status ? xstrdup("") : read_all(fds[0]);
	close(fds[0]);
	if (!*status)
		*status = process_wait(pid);
	return out;
}

/* Write @len bytes of @in to @fd, until the reader stops reading. */
static void feed(int fd, const char *in, size_t len)
{
	while (len) {
		ssize_t n = write(fd, in, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		in += n;
		len -= (size_t)n;
	}
}

int run_filter(char *const argv[], const void *in, size_t len, int out_fd)
{
	/* A child that stops reading (bad input) makes write() fail: its status says why. */
	void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
	int fds[2], status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC)) {
		status = -errno;
	} else {
		status = process_start(argv, fds[0], out_fd, -1, &pid);
		close(fds[0]);
		if (!status)
			feed(fds[1], in, len);
		close(fds[1]);
		if (!status)
			status = process_wait(pid);
	}
	signal(SIGPIPE, old_pipe);
	return status;
}
