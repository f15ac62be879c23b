// SPDX-License-Identifier: GPL-2.0-or-later
/* Building an external module against a kernel (make -C KDIR M=DIR modules). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kbuild.h"
#include "util.h"

/* kbuild passes M= through make and the shell unquoted. */
static bool kbuild_safe_path(const char *path)
{
	for (const char *p = path; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("/._-+,", *p)))
			return false;
	return true;
}

/* An empty directory for kbuild, by absolute path: @wanted, or a temporary one. */
char *kbuild_module_dir(const char *wanted)
{
	const char *base = getenv("TMPDIR");
	char *tmpl, *dir;

	if (!base || !*base)
		base = "/tmp";
	tmpl = wanted ? xstrdup(wanted) : xasprintf("%s/klpdiff-module.XXXXXX", base);
	if (wanted && mkdir(tmpl, 0755)) {
		error(tmpl, "cannot create the build directory: %s", strerror(errno));
		free(tmpl);
		return NULL;
	} else if (!wanted && !mkdtemp(tmpl)) {
		error(tmpl, "cannot create a temporary directory: %s", strerror(errno));
		free(tmpl);
		return NULL;
	}
	dir = realpath(tmpl, NULL);
	if (!dir || !kbuild_safe_path(dir)) {
		error(tmpl, "temporary directory path unusable by kbuild; set TMPDIR to a "
			    "plain path");
		remove_tree(tmpl);
		free(dir);
		dir = NULL;
	}
	free(tmpl);
	return dir;
}

/* Run make for the module with its output in @log; 0 if it succeeded. */
int kbuild_external_module(const char *kdir, const char *dir, bool llvm, const char *log)
{
	char *m_arg = xasprintf("M=%s", dir);
	/*
	 * Debug info names the generated files without the directory, which
	 * is a temporary one: the same patch objects give the same module.
	 */
	const char *user_kcflags = getenv("KCFLAGS");
	char *kcflags = xasprintf("KCFLAGS=%s%s-ffile-prefix-map=%s/=", user_kcflags ? user_kcflags : "",
				  user_kcflags ? " " : "", dir);
	char *argv[] = { "make", "-C", (char *)kdir, m_arg, kcflags, "modules",
			 llvm ? "LLVM=1" : NULL, NULL };
	int status = -1, fd;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		close(fd);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		execvp(argv[0], argv);
		fprintf(stderr, "klpdiff: cannot run make: %s\n", strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	free(m_arg);
	free(kcflags);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

