// SPDX-License-Identifier: GPL-2.0-or-later
/* Several releases in one klpdiff build: one child each, and the summary table. */
#include "build/releases.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/process.h"

/*
 * Copy the child @pid's stderr from @in to klpdiff's stderr and to @log
 * until it ends: until every writer closed it, or the child exited and what
 * is left is read (a process it left behind may hold the pipe open).
 */
static void copy_stderr(pid_t pid, int in, int log)
{
	struct pollfd p = { .fd = in, .events = POLLIN };
	bool exited = false;
	siginfo_t info;
	char buf[8192];

	for (;;) {
		ssize_t n;
		int ready = poll(&p, 1, exited ? 0 : 500);

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0) {
			if (exited || ready < 0)
				break;
			info.si_pid = 0;
			/* Not reaped: process_wait() does that. */
			exited = !waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) &&
				 info.si_pid == pid;
			continue;
		}
		n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* Neither write may stop the copy: the child would block on a full pipe. */
		if (write(STDERR_FILENO, buf, (size_t)n) < 0 || write(log, buf, (size_t)n) < 0)
			continue;
	}
}

/* The last error line of @log ("klpdiff: ...", not a warning or a note), or NULL. */
static char *last_error(const char *log)
{
	char *text = read_file(log, NULL), *found = NULL;
	const char *mark = "klpdiff: ";

	for (char *line = text; line && *line;) {
		size_t len = strcspn(line, "\n");

		if (starts_with(line, mark) && !starts_with(line + strlen(mark), "warning: ") &&
		    !starts_with(line + strlen(mark), "note: ")) {
			free(found);
			found = xstrndup(line + strlen(mark), len - strlen(mark));
		}
		line += len + (line[len] == '\n');
	}
	free(text);
	return found;
}

/* The functions of "changed: UNIT:NAME..." and "new: UNIT:NAME..." lines (not objects). */
static void read_changed(const char *report, struct strlist *out)
{
	char *text = read_file(report, NULL), *save = NULL;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = NULL;

		if (starts_with(line, "changed: ") || starts_with(line, "new: "))
			colon = strchr(strchr(line, ' ') + 1, ':');
		if (colon && !strstr(colon, " (object)"))
			strlist_add(out, xstrndup(colon + 1, strcspn(colon + 1, " :")));
	}
	free(text);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct child {
	struct release_run *run;
	int (*build_one)(struct release_run *run, void *arg);
	void *arg;
};

static int child_main(void *arg)
{
	struct child *c = arg;

	return c->build_one(c->run, c->arg);
}

/* What the run says of itself: its changes, or why it did not build. */
static void read_result(struct release_run *run, bool diff_only)
{
	if (run->status == 0 || (diff_only && run->status == EXIT_CHANGED))
		read_changed(run->report, &run->changed);
	else if (run->status == EXIT_NO_CHANGE)
		run->reason = xstrdup("no functional change");
	else if (run->status == EXIT_TROUBLE && (run->reason = last_error(run->log)))
		return;
	else if (run->status == EXIT_TROUBLE)
		run->reason = xasprintf("failed without an error line; see %s", run->log);
	else if (run->status != 0)
		run->reason = xasprintf("klpdiff %s", process_status_text(run->status));
}

/* Run one release in its child, its stderr into its log as well; then its result. */
static void run_one(struct release_run *run, const struct child *how, bool diff_only)
{
	struct child c = *how;
	int log = -1, pipefd[2] = { -1, -1 }, status = -1;
	double start = now();
	pid_t pid;

	c.run = run;
	if (mkdir_p(run->dir))
		run->reason = xasprintf("cannot create %s", run->dir);
	else if ((log = open(run->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		run->reason = xasprintf("cannot create %s: %s", run->log, strerror(errno));
	else if (pipe2(pipefd, O_CLOEXEC))
		run->reason = xasprintf("cannot make a pipe: %s", strerror(errno));
	else if ((status = process_start_function(child_main, &c, pipefd[1], &pid)) == 0) {
		close(pipefd[1]);
		pipefd[1] = -1;
		copy_stderr(pid, pipefd[0], log);
		status = process_wait(pid);
	}
	for (int i = 0; i < 2; i++)
		if (pipefd[i] >= 0)
			close(pipefd[i]);
	if (log >= 0)
		close(log);
	run->seconds = now() - start;
	run->status = status;
	if (run->reason)
		run->status = EXIT_TROUBLE;
	else if (status < 0 && status > PROCESS_KILLED(0))
		run->reason = xasprintf("could not run: %s", strerror(-status));
	else if (status < 0 && status <= PROCESS_KILLED(0))
		run->reason = xasprintf("klpdiff %s", process_status_text(status));
	else
		read_result(run, diff_only);
}

int build_releases(struct release_run *runs, size_t nr,
		   int (*build_one)(struct release_run *run, void *arg), void *arg, bool diff_only)
{
	struct child how = { NULL, build_one, arg };
	int worst = 0;

	for (size_t i = 0; i < nr; i++) {
		struct release_run *run = &runs[i];

		fprintf(stderr, "klpdiff build: release %s (%zu of %zu), log: %s\n", run->release,
			i + 1, nr, run->log);
		run_one(run, &how, diff_only);
		/* A release with a reason failed, unless the reason is that nothing changed. */
		if (run->reason && run->status != EXIT_NO_CHANGE)
			worst = EXIT_TROUBLE;
		else if (worst != EXIT_TROUBLE && run->status)
			worst = run->status;
	}
	return worst;
}

/* At most @max characters of @s, "..." ending what was cut. */
static char *shortened(char *s, size_t max)
{
	if (strlen(s) > max)
		strcpy(s + max - 3, "...");
	return s;
}

/* "2: cmdline_proc_show, other" (shortened), or "-". */
static char *changed_text(const struct release_run *run)
{
	char *text, *old;

	if (!run->changed.nr)
		return xstrdup("-");
	text = xasprintf("%zu:", run->changed.nr);
	for (size_t i = 0; i < run->changed.nr; i++) {
		old = text;
		text = xasprintf("%s%s %s", old, i ? "," : "", run->changed.v[i]);
		free(old);
	}
	return shortened(text, 48);
}

static const char *result_text(const struct release_run *run, bool diff_only)
{
	if (run->reason)
		return run->status == EXIT_NO_CHANGE ? "no change" : "failed";
	return !diff_only ? "built" : run->status ? "changed" : "unchanged";
}

void build_releases_table(FILE *fp, const struct release_run *runs, size_t nr, bool diff_only)
{
	static const char *const heads[] = { "RELEASE", "RESULT", "CHANGED", "MODULE" };
	char *(*cells)[4] = xcalloc(nr, sizeof(*cells));
	int width[4] = { 7, 6, 7, 6 };

	for (size_t i = 0; i < nr; i++) {
		cells[i][0] = xstrdup(runs[i].release);
		cells[i][1] = xstrdup(result_text(&runs[i], diff_only));
		cells[i][2] = changed_text(&runs[i]);
		cells[i][3] = xstrdup(runs[i].reason || diff_only ? "-" : runs[i].module);
		for (int c = 0; c < 4; c++)
			if ((int)strlen(cells[i][c]) > width[c])
				width[c] = (int)strlen(cells[i][c]);
	}
	fprintf(fp, "%-*s  %-*s  %-*s  %-*s  %7s  %s\n", width[0], heads[0], width[1], heads[1],
		width[2], heads[2], width[3], heads[3], "TIME", "WHY");
	/* A failure's reason last: it is one line, but may be long. */
	for (size_t i = 0; i < nr; i++) {
		char *time = xasprintf("%.1fs", runs[i].seconds);

		fprintf(fp, "%-*s  %-*s  %-*s  %-*s  %7s  %s\n", width[0], cells[i][0], width[1],
			cells[i][1], width[2], cells[i][2], width[3], cells[i][3], time,
			runs[i].reason ? runs[i].reason : "-");
		for (int c = 0; c < 4; c++)
			free(cells[i][c]);
		free(time);
	}
	free(cells);
}

void release_runs_free(struct release_run *runs, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(runs[i].dir), free(runs[i].module), free(runs[i].report), free(runs[i].log);
		free(runs[i].reason);
		strlist_free(&runs[i].changed);
	}
	free(runs);
}
