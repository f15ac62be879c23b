/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Debian's archive, through apt with klpdiff's own configuration: its own
 * sources list, package lists and package cache under klpdiff's cache, an
 * empty dpkg status; nothing of the system's apt state is read or written.
 * apt checks the archive's signatures and every package's hash. Packages
 * are unpacked once into the cache, keyed by package and version.
 *
 * Layout under CACHE/archive/: apt/ (sources.list, lists/, cache/, status,
 * the update stamp), deb/PACKAGE_VERSION/ (an unpacked package: tree/ and
 * its control paragraph), each beside its .lock.
 */
#ifndef KLPDIFF_ARCHIVE_H
#define KLPDIFF_ARCHIVE_H

#include <stdbool.h>
#include <time.h>

#include "base/util.h"

struct archive {
	char *dir;		/* CACHE/archive */
	char *sources;		/* the sources list apt reads */
	char *sources_text;	/* its contents: the update stamp must say the same */
	struct strlist opts;	/* "-o" options of every apt command */
	bool updated;		/* the lists were refreshed by this run, or while it ran */
	time_t opened;		/* when this run opened the archive */
};

/* One version of a package in the archive. */
struct archive_version {
	char *version;
	char *suites;		/* "bookworm, bookworm-security" */
};

/*
 * Debian's suites klpdiff knows, NULL-terminated, in the order a search
 * prefers them (releases before sid): trixie's and bookworm's, each with
 * its updates, security and backports, and sid.
 */
extern const char *const archive_debian_suites[];
/*
 * The sources.list line of Debian's @suite: at $KLPDIFF_DEBIAN_MIRROR
 * (default http://deb.debian.org/debian; a -security suite at
 * MIRROR-security), signed by Debian's archive keyring.
 */
char *archive_source_line(const char *suite);
/*
 * Use the archive from @cache (its apt state in CACHE/archive/apt): the
 * sources are $KLPDIFF_APT_SOURCES (a sources.list) or archive_debian_suites.
 */
int archive_open(struct archive *a, const char *cache);
/*
 * The same with its state in @dir/apt and @suites (NULL-terminated) of
 * Debian's archive as its sources, whatever $KLPDIFF_APT_SOURCES says.
 */
int archive_open_suites(struct archive *a, const char *dir, const char *const *suites);
void archive_close(struct archive *a);
/* apt-get update, at most once per run; -1 after one line naming what failed. */
int archive_update(struct archive *a);
/*
 * The lists lack something: refresh them, unless this run did or they are
 * less than an hour old. 1 if refreshed, 0 if not, -1 after an error.
 */
int archive_refresh(struct archive *a);
/*
 * The versions of @pkg the lists have, newest first, into @out (an array
 * the caller frees with archive_versions_free); their number. Lists never
 * fetched are fetched first. -1 after an error.
 */
int archive_versions(struct archive *a, const char *pkg, struct archive_version **out);
void archive_versions_free(struct archive_version *v, int nr);
/* Control field @field of @pkg at @version ("" if it has none), or NULL. */
char *archive_field(struct archive *a, const char *pkg, const char *version, const char *field);
/* Part of a package: what the build needs of a large one. */
struct archive_part {
	const char *name;	/* the entry is PACKAGE_VERSION_NAME */
	const char *only;	/* a tar pattern: only the paths that match */
	bool strip_debug;	/* without debugging sections (only symbols are read) */
};

/*
 * The directory holding @pkg at @version unpacked (its tree/ and control),
 * downloaded and unpacked now unless an earlier run did; @part: only that
 * part of it (NULL: all), an entry of its own. @suites: where the archive
 * has it, for the user. Concurrent runs wait for each other; an interrupted
 * download or unpack is never taken as complete. NULL after one line naming
 * the package.
 */
char *archive_unpacked(struct archive *a, const char *pkg, const char *version,
		       const struct archive_part *part, const char *suites);
/*
 * Run @argv with its output in a log under the archive; 0, or -1 with
 * *@why set to the line of the log that says why (apt's "E:" line, else its
 * first warning, else the first line).
 */
int archive_run(const struct archive *a, char *const argv[], char **why);
/*
 * ": no space left on the device" if @dir's file system is (nearly) full,
 * else "": what tools say of a full disk varies ("Wrote only 6144 of 10240
 * bytes").
 */
const char *archive_disk_full(const char *dir);

#endif
