/*
 * builtin.h: the subcommands of publish.  Each lives in src/cli/cmd_NAME.c,
 * parses its own options into a struct and calls domain code.  A command
 * returns a process exit code (enum publish_exit).
 */
#ifndef BUILTIN_H
#define BUILTIN_H

int cmd_meta(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_action(int argc, char **argv);
int cmd_changed(int argc, char **argv);

#endif
