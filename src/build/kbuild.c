// SPDX-License-Identifier: GPL-2.0-or-later
#include "build/kbuild_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/strmap.h"
#include "base/util.h"

/*
 * Children run in process groups of their own, so that klpdiff decides what
 * a signal does to them: on SIGINT or SIGTERM it passes the signal on to the
 * running child's group (make and its compilers, or the namespace helper,
 * which passes it on in turn), then dies of it. Nothing is left running on
 * klpdiff's cache, and nothing needs restoring in the source tree.
 */
static volatile pid_t running_child;

static void pass_signal_on(int sig)
{
	if (running_child > 0)
		kill(-running_child, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

void kbuild_handle_signals(void)
{
	signal(SIGINT, pass_signal_on);
	signal(SIGTERM, pass_signal_on);
}

static pid_t start_child(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		running_child = 0;
	} else if (pid > 0) {
		setpgid(pid, pid);
		running_child = pid;
	}
	return pid;
}

/* The child's exit status, or -1. A child stopped by Ctrl-C stops us too. */
static int wait_child(pid_t pid)
{
	int ret, status;

	while ((ret = (int)waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	running_child = 0;
	if (ret < 0)
		return -1;
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM)
			raise(WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}

int run_logged(char *const argv[], const char *log)
{
	pid_t pid = start_child();

	if (pid < 0)
		return error(NULL, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", progname, argv[0], strerror(errno));
		_exit(127);
	}
	return wait_child(pid);
}

/* The child's side: @out_fd as stdout, stderr quiet, default signals, then exec. */
static void exec_with_stdout(char *const argv[], int out_fd)
{
	int null = open("/dev/null", O_WRONLY);

	dup2(out_fd, 1);
	if (null >= 0)
		dup2(null, 2);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	execvp(argv[0], argv);
	_exit(127);
}

int run_to_file(char *const argv[], const char *out)
{
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	pid_t pid;

	if (fd < 0)
		return error(out, "cannot create: %s", strerror(errno));
	pid = start_child();
	if (pid == 0)
		exec_with_stdout(argv, fd);
	close(fd);
	return pid < 0 ? error(NULL, "fork: %s", strerror(errno)) : wait_child(pid);
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

char *run_capture_status(char *const argv[], int *status)
{
	int fds[2];
	size_t len = 0, alloc = 0;
	ssize_t n;
	char *buf = NULL;
	pid_t pid;

	*status = -1;
	if (pipe2(fds, O_CLOEXEC))
		return NULL;
	pid = start_child();
	if (pid == 0)
		exec_with_stdout(argv, fds[1]);
	close(fds[1]);
	do {
		GROW(buf, len, alloc, len + 4096);
		n = read(fds[0], buf + len, alloc - len - 1);
		if (n > 0)
			len += (size_t)n;
	} while (n > 0 || (n < 0 && errno == EINTR));
	close(fds[0]);
	buf[len] = '\0';
	if (pid >= 0)
		*status = wait_child(pid);
	return buf;
}

/* A mount namespace of our own; a user namespace too when not root. */
static int enter_private_namespace(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (uid == 0) {
		if (unshare(CLONE_NEWNS))
			return error(NULL, "cannot create a mount namespace: %s", strerror(errno));
	} else {
		char map[64];

		if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
			return error(NULL, "cannot create a user and mount namespace (needed to "
				     "patch the tree in an overlay): %s", strerror(errno));
		write_in_place("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		if (write_in_place("/proc/self/uid_map", map))
			return error(NULL, "cannot map user id in the namespace");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		if (write_in_place("/proc/self/gid_map", map))
			return error(NULL, "cannot map group id in the namespace");
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return error(NULL, "cannot make mounts private: %s", strerror(errno));
	return 0;
}

int kbuild_overlay(const char *dir, const char *layers, bool hide_in_tree_build,
		   const char *arch)
{
	char *generated = xasprintf("arch/%s/include/generated", arch);
	const char *const hidden[] = { ".config", "include/config", generated };
	char *up = xasprintf("%s/up", layers), *wk = xasprintf("%s/work", layers), *opts;
	int ret = 0;

	if (mkdir_p(up) || mkdir_p(wk)) {
		ret = -1;
		goto out;
	}
	for (size_t i = 0; hide_in_tree_build && i < ARRAY_SIZE(hidden); i++) {
		char *in_tree = xasprintf("%s/%s", dir, hidden[i]);
		char *whiteout = xasprintf("%s/%s", up, hidden[i]);
		struct stat st;

		if (!lstat(in_tree, &st)) {
			char *parent = xstrdup(whiteout);

			*strrchr(parent, '/') = '\0';
			mkdir_p(parent);
			free(parent);
			if (mknod(whiteout, S_IFCHR | 0000, makedev(0, 0)) && errno != EEXIST)
				ret = error(dir, "cannot hide %s from the build: %s", hidden[i],
					    strerror(errno));
		}
		free(in_tree);
		free(whiteout);
	}
	opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", dir, up, wk);
	if (!ret && mount("overlay", dir, "overlay", 0, opts))
		ret = error(dir, "cannot mount an overlay on it: %s", strerror(errno));
	free(opts);
out:
	free(generated);
	free(up);
	free(wk);
	return ret;
}

/* Run @fn in a child in a private mount namespace; its exit status. */
static int in_namespace(int (*fn)(void *), void *arg)
{
	pid_t pid;

	pid = start_child();
	if (pid < 0)
		return error(NULL, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(enter_private_namespace() ? 2 : fn(arg) ? 2 : 0);
	return wait_child(pid) ? -1 : 0;
}

int kbuild_in_namespace(int (*fn)(void *), void *arg)
{
	return in_namespace(fn, arg);
}

char *work_path(const char *work, enum work_stage stage, const char *rel)
{
	static const char *const names[] = {
		[WORK_ORIGINAL] = "original", [WORK_PATCHED] = "patched", [WORK_DIFF] = "diff",
		[WORK_EXTRACT] = "extract",   [WORK_MODULE] = "module",   [WORK_OVERLAY] = "overlay",
		[WORK_SHIPPED] = "shipped",   [WORK_BIN] = "bin",	      [WORK_AS_BUILT] = "as-built",
	};

	return rel ? xasprintf("%s/%s/%s", work, names[stage], rel) :
		     xasprintf("%s/%s", work, names[stage]);
}

char *kbuild_cmd_file(const char *dir, const char *obj)
{
	const char *slash = strrchr(obj, '/');

	if (!slash)
		return xasprintf("%s/.%s.cmd", dir, obj);
	return xasprintf("%s/%.*s/.%s.cmd", dir, (int)(slash - obj), obj, slash + 1);
}

bool kbuild_in_tree_build(const struct kbuild *kb)
{
	struct stat st;
	char *config = xasprintf("%s/.config", kb->src);
	bool yes = !stat(config, &st);

	free(config);
	return yes;
}

int kbuild_make(const struct kbuild *kb, const char *kcflags, char *const targets[])
{
	struct strlist argv = { 0 };
	int ret;

	strlist_add(&argv, xstrdup("make"));
	strlist_add(&argv, xasprintf("-C%s", kb->src));
	strlist_add(&argv, xasprintf("O=%s", kb->orig));
	kernel_cross_args(kb->cross, &argv);
	strlist_add(&argv, xasprintf("-j%d", kb->jobs));
	if (kb->keep_going)
		strlist_add(&argv, xstrdup("-k"));
	if (kb->llvm)
		strlist_add(&argv, xstrdup("LLVM=1"));
	if (kb->ccache && kb->cc && strchr(kb->cc, '/'))
		strlist_add(&argv, xasprintf("CC=%s %s", kb->ccache, kb->cc));
	else if (kb->cc)
		strlist_add(&argv, xasprintf("CC=%s", kb->cc));
	if (kcflags)
		strlist_add(&argv, xasprintf("KCFLAGS=%s", kcflags));
	if (kb->kernelrelease)
		strlist_add(&argv, xasprintf("KERNELRELEASE=%s", kb->kernelrelease));
	for (size_t i = 0; targets[i]; i++)
		strlist_add(&argv, xstrdup(targets[i]));
	ret = run_logged(argv.v, kb->log);
	strlist_free(&argv);
	return ret;
}

/*
 * KCFLAGS of every make that compiles units: function sections, and the
 * arch's unit flags, for the originals and the patched alike (and for
 * prepare, so that what it compiled is not compiled again).
 */
char *kbuild_unit_kcflags(const struct kbuild *kb)
{
	if (kb->lto)
		return NULL;
	if (!kbuild_unit_cflags(kb))
		return xstrdup(KCFLAGS_FSECT);
	return xasprintf("%s %s", KCFLAGS_FSECT, kbuild_unit_cflags(kb));
}

const char *kbuild_unit_cflags(const struct kbuild *kb)
{
	return kb->arch ? kb->arch->unit_cflags : NULL;
}

const char *kbuild_cc(const struct kbuild *kb)
{
	if (kb->cc)
		return kb->cc;
	if (kb->llvm)
		return "clang";
	return kb->cross && kb->cross->cc ? kb->cross->cc : "gcc";
}

/*
 * ccache as the compiler's namesake first in PATH: make's CC stays what it
 * is without ccache. kbuild records CC in the prepared tree
 * (include/config/auto.conf.cmd), and any other CC made every later make in
 * it run syncconfig again. A compiler named by path gets "CC=ccache PATH".
 */
int kbuild_use_ccache(const struct kbuild *kb)
{
	const char *cc = kbuild_cc(kb);
	char *bin, *link, *new_path;
	int ret;

	if (!kb->ccache || strchr(cc, '/'))
		return 0;
	bin = work_path(kb->work, WORK_BIN, NULL);
	link = xasprintf("%s/%s", bin, cc);
	new_path = xasprintf("%s:%s", bin, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	ret = mkdir_p(bin) || ((symlink(kb->ccache, link) && errno != EEXIST) ||
			       setenv("PATH", new_path, 1));
	free(bin), free(link), free(new_path);
	return ret ? error(kb->work, "cannot set up ccache: %s", strerror(errno)) : 0;
}

void kbuild_init(struct kbuild *kb)
{
	memset(kb, 0, sizeof(*kb));
	kb->prep_lock = -1;
}

void kbuild_free(struct kbuild *kb)
{
	free(kb->src), free(kb->target), free(kb->orig), free(kb->thinlto_cache);
	free(kb->work), free(kb->log), free(kb->include_dir), free(kb->ccache);
	free(kb->cc), free(kb->kernelrelease), free(kb->include_graph);
	strlist_free(&kb->from_headers);
	strmap_free(&kb->header_units);
	if (kb->prep_lock >= 0)
		close(kb->prep_lock);
	kbuild_init(kb);
}
