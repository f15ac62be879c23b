/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One entry function per command, each in its own cmd_<name>.c. */
/*
 * Layer cmd (src/cmd/), one file per command: may include every layer.
 * tests/source/layers.t checks it.
 */
#ifndef KLPDIFF_COMMANDS_H
#define KLPDIFF_COMMANDS_H

int cmd_sums(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_module(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_symbols(int argc, char **argv);

#endif
